#!/bin/sh
# t8520-fault-aggregate-explain-kill: the stages without state.
# aggregate killed with SIGKILL in the middle of a stream and fed again
# from --expire before the end of the last window it wrote gives, once
# the windows it writes twice are dropped (as detect --state drops them),
# exactly the windows of an uninterrupted run, zero-count windows of quiet
# series included.  explain killed while its reader is slow and fed again
# from the first record it had not written gives the same records.
. "$(dirname "$0")/lib.sh"
. "$FIX/fault-lib.sh"

incident "$T/ev"
run aggregate --expire 30m "$T/ev"
is_rc 0 "aggregate: the uninterrupted run"
cp "$OUT" "$T/want"

# Two hours through a FIFO; once the windows up to 12:00 are written the
# stream pauses and aggregate is killed.
mkfifo "$T/fifo"
aggregate --expire 30m <"$T/fifo" >"$T/got1" 2>"$T/err1" &
pid=$!
_fault_pids=$pid
exec 3>"$T/fifo"
# (inject writes "timestamp" first: columns 15-38.)
evtime() { awk -v op="$1" -v t="$2" '{ s = substr($0, 15, 24) } op == "<" && s < t || op == ">=" && s >= t' "$T/ev"; }
evtime '<' 2026-11-26T12:00:00.000Z >&3
i=0
until grep -q '"end":"2026-11-26T11:59:00.000Z"' "$T/got1" || [ $i -ge 200 ]; do sleep 0.1; i=$((i + 1)); done
has "$T/got1" '"end":"2026-11-26T11:59:00.000Z"' "aggregate wrote the windows to 11:59"
kill -9 "$pid"
wait "$pid" 2>/dev/null || true
exec 3>&-
last=$(jq -r .end "$T/got1" | sort | tail -n 1)
hasnt "$T/got1" '"partial":true' "nothing partial was written"
# The upstream sends again from --expire (30m) before that end.
from=$(jq -nr --arg e "$last" '$e | sub("\\.000Z$"; "Z") | fromdate - 1800 | todate | sub("Z$"; ".000Z")')
evtime '>=' "$from" >"$T/replay"
diag "killed after the window ending $last; replayed from $from"
run aggregate --expire 30m "$T/replay"
is_rc 0 "the restart exits 0"
jq -c --arg l "$last" 'select(.end > $l)' "$OUT" >"$T/got2"
cat "$T/got1" "$T/got2" >"$T/got"
same "$T/got" "$T/want" "the windows before the kill + the new ones after the restart = the uninterrupted windows"
zeros=$(jq -c --arg l "$last" 'select(.end > $l and .count == 0)' "$T/got2" | wc -l)
ok "$([ "$zeros" -gt 0 ] && echo 0 || echo 1)" "zero-count windows of quiet series included ($zeros)"

# explain: blocked on a stalled reader, then killed.
aggregate "$T/ev" | detect --tee | correlate >"$T/alerts"
run explain "$T/alerts"
cp "$OUT" "$T/ewant"
stall_open "$T/pipe"
explain "$T/alerts" >"$T/pipe" 2>"$T/err2" &
pid=$!
_fault_pids=$pid
rc=0; stall_wait "$pid" || rc=$?
ok $rc "explain blocks on the stalled reader"
kill -9 "$pid"
wait "$pid" 2>/dev/null || true
stall_drain | whole_lines >"$T/e1"
n=$(lines "$T/e1")
tail -n +"$((n + 1))" "$T/alerts" >"$T/erest"
run explain "$T/erest"
is_rc 0 "explain: the restart from record $((n + 1)) exits 0"
cat "$T/e1" "$OUT" >"$T/egot"
same "$T/egot" "$T/ewant" "explain: the records before the kill + after the restart = the uninterrupted run"
is "$(jq -r 'select(.type == "alert") | .summary | length > 0' "$T/egot" | xargs)" "true true" "both alerts explained"
done_testing
