#!/bin/sh
# correlate --state: open incidents and live evidence survive a restart,
# written atomically; a corrupt state file is an error.
. "$(dirname "$0")/lib.sh"

sig() {	# sig METRIC DETECTOR HH:MM VALUE BASELINE
	printf '{"type":"signal","key":"checkout GET /a","at":"2026-11-26T%s:00.000Z","metric":"%s","detector":"%s","value":%s,"baseline":%s,"since":"2026-11-26T14:00:00.000Z"}\n' "$3" "$1" "$2" "$4" "$5"
}
{
	sig latency_p95 cusum 14:10 200 100
	sig error_rate binomial 14:11 0.01 0.002
	sig latency_p95 cusum 14:13 350 100
	printf '{"type":"window","key":"x","end":"2026-11-26T14:30:00.000Z"}\n'
} >"$T/all"
head -n 2 "$T/all" >"$T/part1"
tail -n +3 "$T/all" >"$T/part2"

correlate --no-forward "$T/all" >"$T/whole"
run correlate --no-forward --state "$T/st" "$T/part1"
is_rc 0 "first run exits 0"
is "$(jq -r .state "$OUT")" firing "first run fires"
ok "$([ -s "$T/st" ] && echo 0 || echo 1)" "the state file is written"
is "$(ls "$T" | grep -c 'st\.tmp' || true)" 0 "no temporary file is left behind"
cp "$OUT" "$T/out1"
run correlate --no-forward --state "$T/st" "$T/part2"
is_rc 0 "second run exits 0"
cat "$T/out1" "$OUT" >"$T/joined"
same "$T/joined" "$T/whole" "two runs with --state equal one run"
is "$(jq -r .id "$T/joined" | sort -u | wc -l | tr -d ' ')" 1 "the id survives the restart"

# A restart in the middle of the evidence still fires.
head -n 1 "$T/all" >"$T/p1"
sed -n 2p "$T/all" >"$T/p2"
rm -f "$T/st2"
correlate --state "$T/st2" "$T/p1" >/dev/null
run correlate --state "$T/st2" "$T/p2"
is "$(jq -r .state "$OUT")" firing "live evidence survives a restart"

# Nothing open, nothing lost: state after resolution holds no open incident.
is "$(grep -c '"open":true' "$T/st" || true)" 0 "after the resolve nothing is open"

# Every signal of an incident cleared: it resolves once the instant is
# over, and a signal of that instant keeps it open.  A run that ends
# there resolves it (the input is over), so two runs with --state write
# what one does.  A checkpoint between two signals of one instant saves
# it unresolved, with the time its signals cleared, and the worker that
# resumes from that checkpoint goes on as the run did.
vsig() {	# HH:MM DETECTOR [cleared]
	printf '{"type":"signal","key":"svc GET /t","at":"2026-11-26T%s:00Z","metric":"value","detector":"%s","direction":"up","value":9,"baseline":1,"width_s":300%s}\n' \
	    "$1" "$2" "${3:+,\"state\":\"cleared\"}"
}
ck() { printf '{"type":"checkpoint","stream":"ev:0","id":"1-1","seq":1%s}\n' "${1:-}"; }
{ vsig 10:00 cusum; vsig 10:05 cusum; vsig 10:10 cusum cleared; } >"$T/c1"
{ vsig 10:10 novel; vsig 10:15 novel cleared; } >"$T/c2"
rm -f "$T/cst"
run correlate --min-signals 1 --no-forward --state "$T/cst" "$T/c1"
is "$(jq -r '"\(.state) \(.at[11:16])"' "$OUT" | tr '\n' ,)" "firing 10:00,resolved 10:10," \
    "a run that ends in the instant its incident's last signal cleared resolves it"
rm -f "$T/cst" "$T"/cst.*
{ cat "$T/c1"; ck; cat "$T/c2"; } | correlate --min-signals 1 --no-forward --state "$T/cst" >"$T/cfull"
is "$(jq -r 'select(.type == "alert") | "\(.state) \(.at[11:16])"' "$T/cfull" | tr '\n' ,)" \
    "firing 10:00,resolved 10:15," "one run: the signal of that instant keeps it open, one page"
is "$(jq -r 'select(.type == "incident") | "\(.open) \(.cleared_at)"' "$T"/cst.ck1)" \
    "true 2026-11-26T10:10:00.000Z" "the checkpoint saves it open, with when its signals cleared"
{ ck ',"resume":true'; cat "$T/c2"; } | run correlate --min-signals 1 --no-forward --state "$T/cst"
is_rc 0 "a resume from that checkpoint exits 0"
awk 'f; /"checkpoint"/ { f = 1 }' "$T/cfull" >"$T/cafter"
tail -n +2 "$OUT" >"$T/cagain"
same "$T/cagain" "$T/cafter" "and goes on as the run did: the signal of the instant keeps it open"
{ ck ',"resume":true'; vsig 10:20 novel; } | run correlate --min-signals 1 --no-forward --state "$T/cst"
is "$(jq -r 'select(.type == "alert") | "\(.state) \(.at[11:16])"' "$OUT" | tr '\n' ,)" \
    "resolved 10:10,firing 10:20," "a later signal instead resolves it at the clearing first"
# The generation file without its checkpoint line is a --state file.
sed '1d; s/"cleared_at":"[^"]*"/"cleared_at":"soon"/' "$T/cst.ck1" >"$T/cbad"
run correlate --min-signals 1 --state "$T/cbad" "$T/c2"
is_rc 1 "a state whose cleared_at is not a time exits 1"
has "$ERR" "cleared_at" "and says which member"

printf 'garbage\n' >"$T/corrupt"
run correlate --state "$T/corrupt" "$T/part1"
is_rc 1 "a corrupt state file exits 1"
has "$ERR" "corrupt:1: invalid JSON" "and names the line"
printf '{"type":"correlate_state","version":2}\n' >"$T/v2"
run correlate --state "$T/v2" "$T/part1"
is_rc 1 "an unknown state version exits 1"
run correlate --state /nonexistent/dir/st "$T/part1"
is_rc 1 "an unwritable state file exits 1"
# The stage after correlate is gone when it ends: open incidents are
# saved all the same.
rm -f "$T/gone.state"
correlate --state "$T/gone.state" "$T/part1" | true
ok "$([ -s "$T/gone.state" ] && echo 0 || echo 1)" "the state is saved though nobody reads the output"
done_testing
