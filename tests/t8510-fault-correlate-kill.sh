#!/bin/sh
# t8510-fault-correlate-kill: correlate killed with SIGKILL while its
# reader is slow, restarted with its --state on the input replayed from
# an earlier point, loses no alert: the state that says an incident fired
# is saved only once the alert is in the pipe.  State files cut short or
# emptied by hand are refused.
. "$(dirname "$0")/lib.sh"
. "$FIX/fault-lib.sh"

incident "$T/ev"
aggregate "$T/ev" | detect --tee >"$T/d"
alerts() { jq -c 'select(.type == "alert")' "$@"; }

run correlate "$T/d"
is_rc 0 "the uninterrupted run"
alerts "$OUT" >"$T/all"
is "$(jq -r .state "$T/all" | xargs)" "firing updated" "fires and updates one incident"

# Three quiet hours and the start of the incident, saved cleanly; then the incident hour while the
# reader stops: correlate forwards the windows, fills the pipe and its
# buffer and blocks in a write.  Then SIGKILL.
jq -c 'select((.end // .at) <= "2026-11-26T13:10")' "$T/d" >"$T/d1"
jq -c 'select((.end // .at) > "2026-11-26T13:10")' "$T/d" >"$T/d2"
run correlate --state "$T/st" "$T/d1"
is_rc 0 "the first three hours, saved"
alerts "$OUT" >"$T/got0"
stall_open "$T/pipe"
correlate --state "$T/st" "$T/d2" >"$T/pipe" 2>"$T/err1" &
pid=$!
_fault_pids=$pid
rc=0; stall_wait "$pid" || rc=$?
ok $rc "correlate blocks on the stalled reader"
kill -9 "$pid"
wait "$pid" 2>/dev/null || true
stall_drain | whole_lines >"$T/got1"
ls "$T" | grep '\.tmp\.' >"$T/tmps" || true
is "$(lines "$T/tmps")" 0 "no temporary state file is left"
diag "state: $(jq -c 'select(.type == "incident") | [.id, .open, .severity]' "$T/st" | xargs); $(alerts "$T/got1" | jq -r .state | xargs) delivered"

# The upstream resends the incident hour (at least once).
run correlate --state "$T/st" "$T/d2"
is_rc 0 "the restart exits 0"
cat "$T/got0" >"$T/both"
alerts "$T/got1" "$OUT" >>"$T/both"
jq -c '[.id, .state, .severity, .started]' "$T/all" >"$T/want"
jq -c '[.id, .state, .severity, .started]' "$T/both" | awk '!seen[$0]++' >"$T/have"
same "$T/have" "$T/want" "delivered before the kill + after the restart: every alert of the uninterrupted run, in order"

# State files cut short or emptied: refused, naming the file.
run correlate --state "$T/st" </dev/null
is_rc 0 "the whole state loads"
head -n 1 "$T/st" >"$T/cut-lines"
run correlate --state "$T/cut-lines" </dev/null
is_rc 1 "a state cut at a line end: exit 1"
has "$ERR" "^correlate: $T/cut-lines: cut short: [0-9]+ records expected, 0 read\$" "... says so"
head -c 200 "$T/st" >"$T/cut-mid"
run correlate --state "$T/cut-mid" </dev/null
is_rc 1 "a state cut in a line: exit 1"
has "$ERR" "^correlate: $T/cut-mid:[0-9]+: invalid JSON" "... names the file and line"
: >"$T/cut-empty"
run correlate --state "$T/cut-empty" </dev/null
is_rc 1 "an empty state file: exit 1, not a fresh start"
has "$ERR" "^correlate: $T/cut-empty: empty, not a correlate state file\$" "... says it is empty"
tail -n +2 "$T/st" >"$T/headless"
run correlate --state "$T/headless" </dev/null
is_rc 1 "a state without its header: exit 1"
has "$ERR" "^correlate: $T/headless:1: not a correlate state file\$" "... says so"
done_testing
