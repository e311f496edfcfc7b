#!/bin/sh
# detect --state: a run restarted from its state file writes exactly the
# signals an uninterrupted run writes after the restart point, even when
# the first run was killed with SIGKILL; bad state files are refused.
. "$(dirname "$0")/lib.sh"

inject --scenario recovery --seed 5 --hours 2 --degrade-at 40m --start 2026-11-26T10:00:00Z |
    aggregate >"$T/w"
total=$(lines "$T/w")
half=$((total / 2))
head -n "$half" "$T/w" >"$T/w1"
tail -n +"$((half + 1))" "$T/w" >"$T/w2"

run detect --no-forward --no-watermark "$T/w"
cp "$OUT" "$T/all"
ok "$([ -s "$T/all" ] && echo 0 || echo 1)" "the uninterrupted run signals ($(lines "$T/all") lines)"

# A clean stop saves the state; the second half continues exactly.
run detect --no-forward --no-watermark --state "$T/s1" "$T/w1"
is_rc 0 "first half with --state"
cp "$OUT" "$T/part1"
run detect --no-forward --no-watermark --state "$T/s1" "$T/w2"
is_rc 0 "second half restored from --state"
cat "$T/part1" "$OUT" >"$T/joined"
same "$T/joined" "$T/all" "two halves with --state equal one run"
has "$T/s1" '^\{"type":"detect-state","version":3,' "the state file names its format"

# Without the state, the second half would learn anew and differ.
run detect --no-forward --no-watermark "$T/w2"
if cmp -s "$OUT" "$T/joined"; then ok 1 "a run without --state differs"; else ok 0 "a run without --state differs"; fi

# SIGKILL halfway: the last checkpoint survives; a restart on the whole
# input skips what the checkpoint covers and writes the same signals as
# the uninterrupted run from there on.
mkfifo "$T/fifo"
detect --no-forward --no-watermark --state "$T/s2" --state-every 100 <"$T/fifo" >"$T/killed" 2>"$T/killed.err" &
pid=$!
exec 3>"$T/fifo"
cat "$T/w1" >&3
i=0
while [ ! -f "$T/s2" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
sleep 1
kill -KILL "$pid"
wait "$pid" 2>/dev/null || true
exec 3>&-
ok "$([ -f "$T/s2" ] && echo 0 || echo 1)" "a checkpoint was written before SIGKILL"
ok "$([ ! -f "$T/s2.tmp" ] && echo 0 || echo 1)" "no temporary file is left behind"
run detect --no-forward --no-watermark --state "$T/s2" "$T/w"
is_rc 0 "restart after SIGKILL exits 0"
has "$ERR" "windows? not newer than the last of (its|their) series skipped" "the replayed windows are skipped and counted"
n=$(lines "$OUT")
ok "$([ "$n" -gt 0 ] && [ "$n" -lt "$(lines "$T/all")" ] && echo 0 || echo 1)" \
    "the restart writes the later signals only ($n lines)"
tail -n "$n" "$T/all" >"$T/tail"
same "$OUT" "$T/tail" "they equal the uninterrupted run's from the restart point on"

# Bad and foreign state files: a clear error and exit 1.
printf 'garbage\n' >"$T/bad1"
printf '{"type":"aggregate-state","version":1}\n' >"$T/bad2"
: >"$T/bad3"
head -c 300 "$T/s1" >"$T/bad4"
sed '1s/"version":3/"version":99/' "$T/s1" >"$T/bad5"
sed '2s/"m":\[{"base":{"glob":\[/"m":[{"base":{"glob":["x",/' "$T/s1" >"$T/bad6"
# Version 2 with the members of version 3, and version 2 with the
# numbers of 1.
sed '1s/"version":3/"version":2/' "$T/s1" >"$T/bad7"
sed '1s/"version":1/"version":2/' "$FIX/detect-state-v1.json" >"$T/bad8"
for f in bad1 bad2 bad3 bad4 bad5 bad6 bad7 bad8; do
	run detect --state "$T/$f" "$T/w2"
	is_rc 1 "state file $f is refused"
	has "$ERR" "^detect: $T/$f(:[0-9]+)?: .*(not a detect state file|not a valid series)" "and $f is named"
	is "$(lines "$OUT")" 0 "nothing is written with state file $f"
done
run detect --state "$T/no-such-dir/state" "$T/w1"
is_rc 1 "an unwritable state file exits 1"
has "$ERR" "no-such-dir/state" "and is named"
# --slo: the burn-rate windows are part of the state, so a restart
# continues the burn rates exactly.
inject --scenario error-creep --seed 7 --hours 2.5 --degrade-at 1h --start 2026-11-26T11:00:00Z |
    aggregate >"$T/ec"
n=$(lines "$T/ec")
head -n $((n * 6 / 10)) "$T/ec" >"$T/ec1"
tail -n +$((n * 6 / 10 + 1)) "$T/ec" >"$T/ec2"
detect --no-forward --no-watermark --slo availability=99.9 "$T/ec" >"$T/ec.all"
has "$T/ec.all" '"metric":"slo_availability"' "--slo: the uninterrupted run has SLO signals"
detect --no-forward --no-watermark --slo availability=99.9 --state "$T/s-slo" "$T/ec1" >"$T/ec.p1"
detect --no-forward --no-watermark --slo availability=99.9 --state "$T/s-slo" "$T/ec2" >"$T/ec.p2"
cat "$T/ec.p1" "$T/ec.p2" >"$T/ec.joined"
same "$T/ec.joined" "$T/ec.all" "--slo: two halves with --state equal one run"
detect --no-forward --no-watermark --slo availability=99.9 "$T/ec2" >"$T/ec.fresh"
if cmp -s "$T/ec.fresh" "$T/ec.p2"; then ok 1 "--slo: without the state the burn rates start empty"; else ok 0 "--slo: without the state the burn rates start empty"; fi
# A state file of version 1 (written by the detect of before the novelty
# detector, from the first hour of the same windows) still loads: the
# baselines it learned go on, and the signals of the second hour are
# those that version wrote from it (keys, detectors, times, baselines;
# the CUSUM scores may differ, as the tails learn anew).
cp "$FIX/detect-state-v1.json" "$T/v1"
run detect --no-forward --no-watermark --state "$T/v1" "$T/w2"
is_rc 0 "a version 1 state file loads"
is "$(cat "$ERR")" "" "without a word on stderr"
jq -c '[.key,.metric,.detector,.direction,.at,.baseline,.since,.state]' "$OUT" >"$T/v1.got"
same "$T/v1.got" "$FIX/detect-state-v1.expected" "the second hour goes on from the learned baselines"
has "$T/v1" '^\{"type":"detect-state","version":3,' "and is saved as version 3"
# The stage after detect is gone when detect ends (a whole pipe stopped,
# or a consumer that exited): the baselines are saved all the same.
rm -f "$T/gone.state"
detect --state "$T/gone.state" "$FIX/detect-step.jsonl" | true
ok "$([ -s "$T/gone.state" ] && echo 0 || echo 1)" "the state is saved though nobody reads the output"
# The default --state-every is paced by the cost of a save: a backfill
# of 5,000 series (200,000 windows) saves a few times, where an explicit
# --state-every 10000 saves every 10,000 windows; the output and the
# state at exit are the same.
awk 'BEGIN { for (m = 0; m < 40; m++) for (i = 0; i < 5000; i++)
	printf "{\"type\":\"window\",\"key\":\"GET /p%d\",\"start\":\"2026-11-26T%02d:%02d:00.000Z\",\"width_s\":60,\"count\":%d,\"errors\":0,\"latency_ms\":{\"p50\":%d,\"p95\":%d,\"p99\":%d}}\n",
	    i, int(m / 60), m % 60, 50 + (i * 7 + m * 13) % 20, 20 + (i + m) % 5, 50 + (i + m) % 9, 80 + (i * m) % 17 }' >"$T/pace.w"
saves() { sed -n 's/^slowburn_state_saves_total{tool="detect"} //p' "$1"; }
detect --no-forward --state "$T/pace.every" --state-every 10000 \
    --metrics-file "$T/pace.every.prom" "$T/pace.w" >"$T/pace.every.out"
detect --no-forward --state "$T/pace.def" --metrics-file "$T/pace.def.prom" \
    "$T/pace.w" >"$T/pace.def.out"
is "$(saves "$T/pace.every.prom")" 21 "--state-every 10000: 20 saves and one at exit"
n=$(saves "$T/pace.def.prom")
ok "$([ -n "$n" ] && [ "$n" -ge 1 ] && [ "$n" -le 10 ] && echo 0 || echo 1)" \
    "the default, paced by the saves' cost: $n saves, at most 10 of 21"
same "$T/pace.def.out" "$T/pace.every.out" "paced or not, the same signals"
same "$T/pace.def" "$T/pace.every" "and the same state at exit"
done_testing
