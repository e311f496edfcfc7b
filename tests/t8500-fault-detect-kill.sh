#!/bin/sh
# t8500-fault-detect-kill: detect killed with SIGKILL while its reader is
# slow, restarted with its --state on the input replayed from the start,
# loses no signal: a checkpoint never covers a window whose signals are
# not yet in the pipe.  State files cut short by hand are refused.
. "$(dirname "$0")/lib.sh"
. "$FIX/fault-lib.sh"

incident "$T/ev"
aggregate "$T/ev" >"$T/w"
sig() { jq -c 'select(.type == "signal")' "$@"; }

run detect --tee "$T/w"
is_rc 0 "the uninterrupted run"
sig "$OUT" >"$T/all"
ok "$([ "$(lines "$T/all")" -gt 50 ] && echo 0 || echo 1)" "signals $(lines "$T/all") times"

# The first three hours, learned and saved cleanly.
jq -c 'select(.end <= "2026-11-26T13:00")' "$T/w" >"$T/w1"
jq -c 'select(.end > "2026-11-26T13:00")' "$T/w" >"$T/w2"
run detect --tee --state "$T/st" "$T/w1"
is_rc 0 "the first three hours, saved"
cp "$OUT" "$T/w1.out"

# The incident hour: the reader stops, detect fills the pipe and its own
# buffer and blocks in a write, with checkpoints after every window.
# Then SIGKILL.
stall_open "$T/pipe"
detect --tee --state "$T/st" --state-every 1 "$T/w2" >"$T/pipe" 2>"$T/err1" &
pid=$!
_fault_pids=$pid
rc=0; stall_wait "$pid" || rc=$?
ok $rc "detect blocks on the stalled reader"
kill -9 "$pid"
wait "$pid" 2>/dev/null || true
stall_drain | whole_lines >"$T/got1"
ok "$([ -s "$T/st" ] && echo 0 || echo 1)" "a checkpoint was written before SIGKILL"
ls "$T" | grep '\.tmp\.' >"$T/tmps" || true
is "$(lines "$T/tmps")" 0 "no temporary state file is left"
covered=$(jq -rs '[.[1:][] | .last_end] | max / 1000 | todate' "$T/st")
diag "checkpoint covers windows to $covered; $(wc -c <"$T/got1") bytes delivered"

# The upstream resends everything (at least once); what the checkpoint
# covers is skipped.
run detect --tee --state "$T/st" --state-every 1 "$T/w2"
is_rc 0 "the restart exits 0"
has "$ERR" 'not newer than the last of (its|their) series skipped' "the replayed windows are skipped"
sig "$T/w1.out" "$T/got1" "$OUT" | sort -u >"$T/both"
sort -u "$T/all" >"$T/want"
same "$T/both" "$T/want" "delivered before the kill + after the restart = the uninterrupted signals"
comm -23 "$T/want" "$T/both" >"$T/lost"
is "$(lines "$T/lost")" 0 "no signal lost"

# Saved after every window while it is looked at: each look finds a whole
# file, as many series as its header says.
detect --state "$T/st2" --state-every 1 "$T/w" >/dev/null 2>&1 &
pid=$!
_fault_pids=$pid
looks=0 torn=0
while kill -0 "$pid" 2>/dev/null && [ $looks -lt 200 ]; do
	[ -f "$T/st2" ] || continue
	# A copy that raced a rename (cp sees the file replaced) is retried.
	cp "$T/st2" "$T/snap" 2>/dev/null || continue
	looks=$((looks + 1))
	jq -es '(.[0].series + 1) == length' "$T/snap" >/dev/null 2>&1 || torn=$((torn + 1))
done
wait "$pid" || true
diag "$looks looks at a state saved after every window"
is "$torn" 0 "no look finds a state file half-written"

# State files cut short: refused, naming the file, never a fresh start.
run detect --state "$T/st" </dev/null
is_rc 0 "the whole state loads"
head -n 3 "$T/st" >"$T/cut-lines"
run detect --state "$T/cut-lines" </dev/null
is_rc 1 "a state cut at a line end: exit 1"
has "$ERR" "^detect: $T/cut-lines: cut short: [0-9]+ series expected, 2 read\$" "... says so"
head -c 3000 "$T/st" >"$T/cut-mid"
run detect --state "$T/cut-mid" </dev/null
is_rc 1 "a state cut in a line: exit 1"
has "$ERR" "^detect: $T/cut-mid:[0-9]+: " "... names the file and line"
: >"$T/cut-empty"
run detect --state "$T/cut-empty" </dev/null
is_rc 1 "an empty state: exit 1"
has "$ERR" "^detect: $T/cut-empty: empty" "... says it is empty"
done_testing
