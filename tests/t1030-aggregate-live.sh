#!/bin/sh
# aggregate in a live pipe: --idle-flush closes windows of a quiet stream
# by the clock, and SIGTERM/SIGINT flush what is open and exit 0.
. "$(dirname "$0")/lib.sh"

ev() {
	printf '{"timestamp":"2026-11-26T%sZ","endpoint":"/a","status_code":200,"latency_ms":10}\n' "$1"
}

# The stream goes quiet for 3 s after an event at 14:00:58.  With
# --window 1s and --idle-flush 500ms the watermark moves on by the clock,
# so the 14:00:58 window is written while the input is still open.
mkfifo "$T/in"
( ev 14:00:58.200; sleep 3; ev 14:01:30 ) >"$T/in" &
feeder=$!
aggregate --window 1s --lateness 0 --idle-flush 500ms <"$T/in" >"$T/out" 2>"$T/err" &
apid=$!
sleep 2
is "$(head -n 1 "$T/out" | jq -c '[.start[11:19], .count, .partial]')" '["14:00:58",1,null]' \
    "--idle-flush closes a window of a quiet stream, not as partial"
wait $feeder
wait $apid
RC=$?
is_rc 0 "aggregate exits 0 at end of input"

# Without --idle-flush nothing is written until the input moves on.
( ev 14:00:58.200; sleep 2; ev 14:01:30 ) >"$T/in" &
feeder=$!
aggregate --window 1s --lateness 0 <"$T/in" >"$T/out2" 2>/dev/null &
apid=$!
sleep 1
is "$(wc -l <"$T/out2" | tr -d ' ')" 0 "without --idle-flush the window stays open"
wait $feeder
wait $apid

# SIGTERM: finish, write the open windows as partial, exit 0.
for sig in TERM INT; do
	( ev 14:00:10; ev 14:00:20; exec sleep 30 ) >"$T/in" &
	feeder=$!
	aggregate <"$T/in" >"$T/out3" 2>"$T/err3" &
	apid=$!
	wait_caught $apid
	sleep 1
	kill -$sig $apid
	RC=0
	wait $apid || RC=$?
	is_rc 0 "SIG$sig: aggregate exits 0"
	is "$(jq -c '[.count, .partial]' "$T/out3")" '[2,true]' \
	    "SIG$sig: the open window is written, marked partial"
	kill $feeder 2>/dev/null || true
	wait $feeder 2>/dev/null || true
done
done_testing
