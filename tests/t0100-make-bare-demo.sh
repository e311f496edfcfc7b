#!/bin/sh
# `make demo` on a bare machine: the README's first command must work the
# first time, in one make invocation.  A bare machine is played with a
# pkg-config that fails until the install step has run and an apt-get that
# stands in for that step (it records what it was asked and marks the
# packages installed); everything else is the real Makefile, the real
# scripts/deps, a fresh build directory and the real scripts/demo.
. "$(dirname "$0")/lib.sh"

# The suite may run under make (make test, make check): the sub-make must
# not inherit that make's B=, SAN= or jobserver.
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES SAN B CFLAGS 2>/dev/null || true

real_pc=$(command -v pkg-config)
S=$T/stub
mkdir -p "$S"
cat >"$S/pkg-config" <<EOF
#!/bin/sh
if [ -e "$T/installed" ]; then
	echo "ok \$*" >>"$T/pkg-config.log"
	exec "$real_pc" "\$@"
fi
echo "fail \$*" >>"$T/pkg-config.log"
exit 1
EOF
cat >"$S/apt-get" <<EOF
#!/bin/sh
echo "\$*" >>"$T/apt-get.log"
case " \$* " in *" install "*) touch "$T/installed" ;; esac
exit 0
EOF
# scripts/deps installs as root or with sudo; the stand-in needs neither.
cat >"$S/id" <<'EOF'
#!/bin/sh
[ "$*" = "-u" ] && { echo 0; exit 0; }
exec /usr/bin/id "$@"
EOF
chmod +x "$S/pkg-config" "$S/apt-get" "$S/id"

run env PATH="$S:$PATH" DATA="$T/data" make -C "$TOP" --no-print-directory \
    B="$T/build" V=1 demo
is_rc 0 "make demo on a bare machine: exit 0 in one invocation"
[ "$RC" -eq 0 ] || { tail -20 "$OUT" | diag_stream; tail -20 "$ERR" | diag_stream; }

has "$T/apt-get.log" '^install .*libpq-dev' "scripts/deps installed the -dev packages first"
has "$T/pkg-config.log" '^fail ' "pkg-config failed before the install"
has "$T/pkg-config.log" '^ok --cflags ' "the build asked pkg-config for its flags after the install"
grep ' -c -o [^ ]*/lib/store_pg.o lib/store_pg.c' "$OUT" >"$T/pgcc" || true
has "$T/pgcc" ' -I/usr/include/postgresql' "lib/store_pg.c compiled with libpq's include directory"
n=0
for t in aggregate alert correlate dashboard detect explain ingestd inject store; do
	[ -x "$T/build/bin/$t" ] && n=$((n + 1))
done
is "$n" 9 "the nine tools built in the fresh build directory"
has "$OUT" '^   \[critical\] firing checkout GET /api/orders/\{id\}' "the demo printed its alert"
has "$OUT" '^== time to detect' "the demo ran to its end"
r=1
[ -s "$T/data/alerts.jsonl" ] && r=0
ok "$r" "the demo wrote its files under DATA"

# CI runs the newcomer's path as typed: make demo first, on the clone as
# it is, then make check; nothing installs packages before make demo.
first=$(grep -nE '^[^#]*(make|scripts/deps)( |$)' "$TOP/.ci/run" | head -n 1)
case $first in *"make demo"*) ok 0 ".ci/run: make demo comes first" ;;
*) ok 1 ".ci/run: make demo comes first"; diag "first: $first" ;; esac
has "$TOP/.ci/run" '^[^#]*make check' ".ci/run: make check after it"

done_testing
