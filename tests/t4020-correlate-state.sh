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
