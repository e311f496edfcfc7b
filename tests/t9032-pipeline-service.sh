#!/bin/sh
# slowburn-pipeline.service does what it says, without systemd: its
# Environment= and ExecStart= lines, as installed, run with their
# /var/lib/slowburn and /var/spool/slowburn moved into the test's tree.
# Lines appended to the raw log become an alert in the journal (stdout)
# and in the SQLite store; SIGTERM to the whole unit (systemd's
# KillMode=control-group) stops it with exit 0 and its state saved.
. "$(dirname "$0")/lib.sh"

BUILD=${SB_BIN%/bin}
BUILD=${BUILD#"$TOP"/}
case $BUILD in */asan) MK_SAN="SAN=1" MK_CFLAGS="-O1 -g" ;; *) MK_SAN="SAN=" MK_CFLAGS="-O2 -g" ;; esac
P=$T/prefix
S=$T/sysroot
UPID=""
trap '[ -z "$UPID" ] || kill -KILL "-$UPID" 2>/dev/null || true; rm -rf "$T"' EXIT

env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$TOP" --no-print-directory \
    B="$BUILD" "$MK_SAN" CFLAGS="$MK_CFLAGS" install PREFIX="$P" \
    LOGROTATEDIR="$P/etc/logrotate.d" >"$T/make.out" 2>&1 ||
    { echo "Bail out! make install failed"; cat "$T/make.out"; exit 1; }
UNIT=$P/lib/systemd/system/slowburn-pipeline.service
mkdir -p "$S/var/lib/slowburn/state" "$S/var/spool/slowburn"
: >"$S/var/lib/slowburn/raw_logs.jsonl"

# unit_line KEY: the value of KEY= in the unit, continuation lines joined,
# its paths moved into $S.
unit_line() {
	sed -n "/^$1=/,/[^\\\\]\$/p" "$UNIT" | sed 's/\\$//' | tr '\n' ' ' |
	    sed "s/^$1=//; s|/var/lib/slowburn|$S/var/lib/slowburn|g; s|/var/spool/slowburn|$S/var/spool/slowburn|g"
}
EXEC=$(unit_line ExecStart)
ENVS=$(unit_line Environment)
case $EXEC in "$P/bin/slowburn-pipeline "*) ok 0 "ExecStart runs the installed slowburn-pipeline" ;;
*) ok 1 "ExecStart runs the installed slowburn-pipeline"; diag "$EXEC" ;; esac
has "$UNIT" '^WorkingDirectory=/var/lib/slowburn$' "it works in /var/lib/slowburn"

# The unit, in a session of its own: its PID is its process group.
cd "$S/var/lib/slowburn"
# shellcheck disable=SC2086
env -u SB_BIN PATH=/usr/bin:/bin $ENVS setsid sh -c "exec $EXEC" >"$T/journal" 2>"$T/journal.err" &
UPID=$!
# Wait for tail -F to follow the raw log before writing to it.
i=0
until ps -o args= -g "$UPID" 2>/dev/null | grep -q '^tail -n 0 -F '; do
	i=$((i + 1))
	[ "$i" -lt 200 ] || break
	sleep 0.05
done
ok "$([ "$i" -lt 200 ] && echo 0 || echo 1)" "the unit follows the raw log"

inject --scenario latency-ramp --seed 7 --hours 1.5 --degrade-at 1h \
    --start 2026-11-26T11:00:00Z >>"$S/var/lib/slowburn/raw_logs.jsonl"
i=0
until grep -q '^\[critical\] firing' "$T/journal" 2>/dev/null; do
	i=$((i + 1))
	[ "$i" -lt 600 ] || break
	sleep 0.1
done
has "$T/journal" '^\[critical\] firing checkout GET /api/orders/\{id\}' "the alert, in the journal"

RC=0
kill -TERM "-$UPID"
wait "$UPID" || RC=$?
is_rc 0 "SIGTERM to the unit: exit 0"
# As systemd does, wait for every process of the unit to end: the script
# exits at once, its stages once they have flushed and saved their state.
i=0
while ps -o pid= -g "$UPID" >/dev/null 2>&1; do
	i=$((i + 1))
	[ "$i" -lt 400 ] || break
	sleep 0.05
done
ok "$([ "$i" -lt 400 ] && echo 0 || echo 1)" "every process of the unit ends within 20 s"
UPID=""
hasnt "$T/journal.err" 'exited with status' "no stage failed"
ok "$([ -s "$S/var/lib/slowburn/state/detect.state" ] && echo 0 || echo 1)" "detect's baselines saved in state/"
ok "$([ -s "$S/var/lib/slowburn/state/correlate.state" ] && echo 0 || echo 1)" "correlate's incidents saved in state/"
# shellcheck disable=SC2086
run env $ENVS store query --type alert
is "$(jq -r 'select(.state == "firing") | .key' "$OUT" | sort -u)" "checkout GET /api/orders/{id}" \
    "the alert, in the store the unit names"
done_testing
