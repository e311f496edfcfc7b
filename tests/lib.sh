# tests/lib.sh - the shell side of the test suite: TAP output for prove(1),
# a temp dir removed on exit, and the built tools first in PATH.
#
#	. "$(dirname "$0")/lib.sh"
#	run aggregate --window 1m < "$FIX/basic.jsonl"
#	is_rc 0 "aggregate exits 0"
#	same "$OUT" "$FIX/basic.expected" "windows of basic.jsonl"
#	done_testing
#
# run() leaves stdout in $OUT, stderr in $ERR (file names) and the exit
# status in $RC; it never aborts the script, whatever the status.

set -eu
LC_ALL=C
export LC_ALL
unset NO_COLOR STORAGE_BACKEND SQLITE_DB_PATH REDIS_URL REDIS_KEY_PREFIX \
    TIMESCALE_CONNECTION_STRING SLACK_WEBHOOK_URL INGEST_TOKEN 2>/dev/null || true

TOP=${SB_TOP:-$(cd "$(dirname "$0")/.." && pwd)}
SB_BIN=${SB_BIN:-$TOP/build/bin}
SB_UNIT=${SB_UNIT:-$TOP/build/tests}
FIX=$TOP/tests/fixtures
PATH=$SB_BIN:$PATH
export PATH TOP FIX SB_BIN SB_UNIT

# free_port: a random loopback TCP port that no socket uses now,
# below the kernel's ephemeral range (ip_local_port_range), so that no
# connection of a test running beside this one is given it by connect(2)
# meanwhile; a server started on it still retries on a clash with another
# test that picked the same one.  20000 up to that range: 12,768 ports.
free_port() {
	_lo=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
	[ "$_lo" -gt 21000 ] 2>/dev/null || _lo=32768
	while :; do
		_p=$((20000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % (_lo - 20000)))
		_hex=$(printf '%04X' "$_p")
		grep -q ":$_hex " /proc/net/tcp /proc/net/tcp6 2>/dev/null || {
			echo "$_p"
			return 0
		}
	done
}

T=$(mktemp -d "${TMPDIR:-/tmp}/sbtest.XXXXXX")
trap 'rm -rf "$T"' EXIT
OUT=$T/out
ERR=$T/err
RC=0
_n=0
_fail=0

ok() {	# ok CONDITION-STATUS DESCRIPTION: 0 passes
	_n=$((_n + 1))
	if [ "$1" -eq 0 ]; then
		printf 'ok %d - %s\n' "$_n" "$2"
	else
		printf 'not ok %d - %s\n' "$_n" "$2"
		_fail=$((_fail + 1))
	fi
}

diag() { printf '%s\n' "$@" | sed 's/^/# /'; }

run() {
	RC=0
	"$@" >"$OUT" 2>"$ERR" || RC=$?
}

# run_in FILE CMD...: like run, with FILE on stdin
run_in() {
	_in=$1; shift
	RC=0
	"$@" <"$_in" >"$OUT" 2>"$ERR" || RC=$?
}

is_rc() {
	if [ "$RC" -eq "$1" ]; then ok 0 "$2"; else
		ok 1 "$2"; diag "exit status $RC, expected $1" "stderr:"; head -5 "$ERR" | diag_stream; fi
}

diag_stream() { sed 's/^/#   /'; }

is() {	# is GOT EXPECTED DESCRIPTION
	if [ "$1" = "$2" ]; then ok 0 "$3"; else
		ok 1 "$3"; diag "got:      '$1'" "expected: '$2'"; fi
}

same() {	# same FILE EXPECTED-FILE DESCRIPTION
	if cmp -s "$1" "$2"; then ok 0 "$3"; else
		ok 1 "$3"; diff -u "$2" "$1" | head -30 | diag_stream; fi
}

has() {	# has FILE EXTENDED-REGEX DESCRIPTION
	if grep -Eq -- "$2" "$1"; then ok 0 "$3"; else
		ok 1 "$3"; diag "no line matches /$2/ in:"; head -5 "$1" | diag_stream; fi
}

hasnt() {	# hasnt FILE EXTENDED-REGEX DESCRIPTION
	if grep -Eq -- "$2" "$1"; then ok 1 "$3"; grep -E -- "$2" "$1" | head -3 | diag_stream
	else ok 0 "$3"; fi
}

lines() { wc -l <"$1" | tr -d ' '; }

# fixture NAME CMD...: runs CMD with NAME.jsonl on stdin and compares
# stdout with NAME.expected and the exit status with NAME.rc (default 0).
fixture() {
	_f=$1; shift
	run_in "$FIX/$_f.jsonl" "$@"
	_want=0
	[ -f "$FIX/$_f.rc" ] && _want=$(cat "$FIX/$_f.rc")
	is_rc "$_want" "$_f: exit status"
	same "$OUT" "$FIX/$_f.expected" "$_f: output"
}

# wait_caught PID: waits (up to 20 s) until process PID catches SIGTERM,
# i.e. has installed its handler, so a test's kill -TERM is not racing the
# program's start (slow under AddressSanitizer).
wait_caught() {
	_i=0
	while [ "$_i" -lt 200 ]; do
		_m=$(sed -n 's/^SigCgt:[[:space:]]*//p' "/proc/$1/status" 2>/dev/null) || return 0
		[ -n "$_m" ] || return 0
		# SIGTERM is signal 15: bit 14 of the mask, in the 4th hex digit from the right.
		_d=$(printf '%s\n' "$_m" | awk '{ print substr($0, length($0) - 3, 1) }')
		case $_d in [4567cdefCDEF]) return 0 ;; esac
		sleep 0.1
		_i=$((_i + 1))
	done
}

done_testing() {
	echo "1..$_n"
	[ "$_fail" -eq 0 ]
}
