#!/bin/sh
# scripts/deps covers the build: every system header a source file
# includes belongs to a Debian package that scripts/deps names (so that
# `scripts/deps --check` exiting 0 means the build finds it), or comes with
# the compiler itself.  gcc only recommends the C library's headers, and
# scripts/deps installs without recommends.
. "$(dirname "$0")/lib.sh"

command -v dpkg >/dev/null 2>&1 || { echo "1..0 # SKIP no dpkg: not a Debian machine"; exit 0; }

run "$TOP/scripts/deps" --check
is_rc 0 "scripts/deps --check: everything is installed here"

# The packages scripts/deps names, build and test needs (not --bench).
sed -n '/^NEEDS="/,/^"/p' "$TOP/scripts/deps" | sed -n 's/^[^ "]*:\([a-z0-9.+-]*\)$/\1/p' |
    sort -u >"$T/named"
has "$T/named" '^libpq-dev$' "the named packages are read from scripts/deps"

pkgs=$(sed -n 's/^PKGS[[:space:]]*=//p' "$TOP/Makefile")
# shellcheck disable=SC2086
flags=$(pkg-config --cflags $pkgs)
cd "$TOP"
grep -hoE '^#[[:space:]]*include[[:space:]]*<[^>]+>' lib/*.[ch] tools/*/*.[ch] tests/unit/*.[ch] |
    sed 's/.*<//; s/>.*//' | sort -u >"$T/headers"
n=$(lines "$T/headers")
[ "$n" -gt 40 ] && r=0 || r=1
ok "$r" "the sources include $n system headers"

: >"$T/uncovered"
while read -r h; do
	# shellcheck disable=SC2086
	f=$(printf '#include <%s>\n' "$h" | cc -E -H $flags -x c - -o /dev/null 2>&1 |
	    sed -n 's/^\. //p' | head -n 1)
	if [ -z "$f" ]; then
		echo "$h: not found by cc" >>"$T/uncovered"
		continue
	fi
	pkg=$(dpkg -S "$(readlink -f "$f")" 2>/dev/null | sed -n '1s/[:,].*//p')
	case $pkg in
	libgcc-[0-9]*-dev) continue ;;	# the compiler's own headers
	esac
	grep -qx -- "$pkg" "$T/named" || echo "$h: $f is in '${pkg:-no package}'" >>"$T/uncovered"
done <"$T/headers"
if [ -s "$T/uncovered" ]; then
	ok 1 "every included header is in a package scripts/deps names"
	diag_stream <"$T/uncovered"
else
	ok 0 "every included header is in a package scripts/deps names"
fi

done_testing
