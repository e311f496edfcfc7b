#!/bin/sh
# --version on every tool: "NAME (slowburn) X.Y.Z" on stdout, exit 0, one
# version for all, defined once (lib/version.h), documented in every page.
. "$(dirname "$0")/lib.sh"
TOOLS="aggregate alert correlate dashboard detect explain ingestd inject store"

want=$(sed -n 's/^#define SB_VERSION[[:space:]]*"\(.*\)"$/\1/p' "$TOP/lib/version.h")
printf '%s\n' "$want" | grep -Eq '^[0-9]+\.[0-9]+\.[0-9]+$'
is "$?" 0 "lib/version.h defines SB_VERSION as X.Y.Z ('$want')"

for t in $TOOLS; do
	run_in /dev/null "$t" --version
	is_rc 0 "$t --version: exit 0"
	is "$(cat "$OUT")" "$t (slowburn) $want" "$t --version: name, package and version on stdout"
	[ -s "$ERR" ] && r=1 || r=0
	ok "$r" "$t --version: nothing on stderr"
done

# Anywhere among the options and operands, as getopt_long would see it.
run_in /dev/null aggregate --strict -w 5m --version
is "$RC:$(cat "$OUT")" "0:aggregate (slowburn) $want" "after other options"
run_in /dev/null correlate /dev/null --version
is "$RC:$(cat "$OUT")" "0:correlate (slowburn) $want" "after an operand"
run store put --version
is "$RC:$(cat "$OUT")" "0:store (slowburn) $want" "store put --version"
run alert silence list --version
is "$RC:$(cat "$OUT")" "0:alert (slowburn) $want" "alert silence list --version"
run_in /dev/null aggregate -w --version
is_rc 2 "an option's argument that reads --version is that argument"
has "$ERR" "^aggregate: --windows: '--version' is not a duration" "  and is reported as such"
run_in /dev/null detect -- --version
is_rc 1 "after --, --version is an operand"
run_in /dev/null explain --version=2
is_rc 2 "--version=2: exit 2"
is "$(head -n 1 "$ERR")" "explain: option '--version' takes no argument" "--version=2: said so"
if [ -w /dev/full ]; then
	RC=0; inject --version >/dev/full 2>"$ERR" || RC=$?
	is_rc 1 "--version to a full disk: exit 1"
fi

# Defined once: no other source holds a version number or prints one.
grep -rlE '"[0-9]+\.[0-9]+\.[0-9]+"' "$TOP/lib" "$TOP/tools" | sed "s|^$TOP/||" >"$T/defs"
is "$(cat "$T/defs")" "lib/version.h" "the version is defined in lib/version.h only"
grep -rl '(slowburn)' "$TOP/tools" >"$T/prints" || true
is "$(lines "$T/prints")" 0 "no tool prints a version line of its own"

# Documented in every tool's page; every page's footer names slowburn.
for t in $TOOLS; do
	m=$(ls "$TOP"/man/"$t".[18])
	has "$m" '^\.It Fl -version$' "$(basename "$m") documents --version"
done
for m in "$TOP"/man/*.[1-8]; do
	has "$m" '^\.Os slowburn$' "$(basename "$m"): footer says slowburn"
done

done_testing
