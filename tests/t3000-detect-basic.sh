#!/bin/sh
# detect: forwarding, --tee, --no-forward, --metric, a fixture with a
# step and its clearing, determinism, usage errors.
. "$(dirname "$0")/lib.sh"

fixture detect-step detect --no-watermark

run_in "$FIX/detect-step.jsonl" detect --no-watermark --metric value --metric latency_ms.p90
is_rc 0 "--metric exits 0"
same "$OUT" "$FIX/detect-step-metric.expected" "--metric value and latency_ms.p90"
has "$OUT" '"metric":"value","detector":"level","direction":"up"' "a plain value gets a level signal"
hasnt "$OUT" '"metric":"value","detector":"(binomial|traffic)"' "and only the generic detectors"

# Forwarding: everything but windows, unchanged and in order.
run_in "$FIX/detect-step.jsonl" detect --no-watermark
grep -v '"type":"signal"' "$OUT" >"$T/fwd"
grep -v '"type":"window"' "$FIX/detect-step.jsonl" >"$T/fwd.want"
same "$T/fwd" "$T/fwd.want" "non-window records are forwarded unchanged and in order"
hasnt "$OUT" '"type":"window"' "windows are consumed"

run_in "$FIX/detect-step.jsonl" detect --no-forward --no-watermark
is_rc 0 "--no-forward exits 0"
is "$(grep -vc '"type":"signal"' "$OUT" || true)" 0 "--no-forward drops other records"

run_in "$FIX/detect-step.jsonl" detect --tee
is "$(grep -c '"type":"window"' "$OUT")" 50 "--tee forwards the 50 windows"
# With --tee every signal follows the window that caused it.
awk '/"type":"window"/ { s = $0; sub(/.*"start":/, "", s); sub(/,.*/, "", s); w = s + 60 }
    /"type":"signal"/ { a = $0; sub(/.*"at":"/, "", a); sub(/".*/, "", a);
	cmd = "date -u -d " a " +%s"; cmd | getline e; close(cmd); if (e != w) bad++ }
    END { exit bad > 0 }' "$OUT"
ok $? "--tee writes a window before the signals it causes"

# Determinism: the same input gives the same bytes.
inject --scenario step --seed 4 --hours 1.5 --start 2026-11-26T10:00:00Z |
    aggregate >"$T/step.win"
detect "$T/step.win" >"$T/a"
detect <"$T/step.win" >"$T/b"
same "$T/a" "$T/b" "same windows, byte-identical signals"
has "$T/a" '"key":"users GET /api/users/\{id\}".*"metric":"latency_p50","detector":"level"' \
    "the injected step is found"

# Signal records carry the members slowburn-records(5) gives them.
first=$(grep -m1 '"type":"signal"' "$T/a")
for m in type key service method endpoint at metric detector direction value \
    baseline spread score since windows; do
	echo "$first" | grep -q "\"$m\":" ; ok $? "signals have '$m'"
done

# Usage errors exit 2 with the usage on stderr; -h exits 0 on stdout.
for bad in "--bogus" "--level-window 5/3" "--level-window x" "--warmup 0" \
    "--level-z -1" "--metric .a" "--metric a..b" "--err-trim 16" \
    "--err-windows 17" "--learn-rate 2" "--traffic-p nope" "--learn-hold 0" \
    "--learn-hold 1.5" "--err-cusum-ratio 1" "--err-cusum-clip 0"; do
	run detect $bad </dev/null
	is_rc 2 "usage error: $bad"
done
run detect --bogus </dev/null
has "$ERR" "^usage: detect" "the usage goes to stderr"
run detect -h
is_rc 0 "-h exits 0"
has "$OUT" "^usage: detect" "-h prints the usage on stdout"
run detect "$T/does-not-exist"
is_rc 1 "a missing file exits 1"
has "$ERR" "does-not-exist" "and is named"
# Watermarks: one per window end, after the signals of the windows that
# end then, so correlate's clock moves on when no signal comes.
run_in "$FIX/detect-step.jsonl" detect
is "$(grep -c '"type":"watermark"' "$OUT")" \
    "$(jq -r 'select(.type == "window") | .start + .width_s' "$FIX/detect-step.jsonl" | sort -u | wc -l | tr -d ' ')" \
    "one watermark per distinct window end"
is "$(jq -r 'select(.type == "watermark") | .at' "$OUT" | sort -c && echo sorted)" sorted \
    "watermarks never go back"
awk -F'"at":"' '/"type":"watermark"/ { split($2, a, "\""); wm = a[1] }
    /"type":"signal"/ { split($2, a, "\""); if (a[1] <= wm) bad++ }
    END { exit bad > 0 }' "$OUT"
ok $? "no signal comes after a watermark at or past its own time"
grep -v '"type":"watermark"' "$OUT" >"$T/nowm"
run_in "$FIX/detect-step.jsonl" detect --no-watermark
same "$OUT" "$T/nowm" "--no-watermark writes the same without them"
# --slo: burn rates on a hand-made fixture.  16 one-minute windows of 100
# requests; windows 7 to 12 have 22 errors, and p50/p95/p99 100/200/300 ms
# from window 7 on (50/100/200 before).  With the pair 10/10m/2m and 99%
# (budget 0.01): at 00:11 the long window (windows 2-11) has 110 errors of
# 1000, burn 11; the short one (10-11) 44 of 200, burn 22: it fires.
slo="--slo availability=99 --slo latency=200ms@99 --slo-pair 10/10m/2m"
run detect --no-watermark $slo "$FIX/detect-slo.jsonl"
is_rc 0 "--slo exits 0"
jq -r 'select(.type == "signal") | [.at[11:16], .metric, .detector, .value,
    .burn_rate, .burn_rate_short, .score, .since[11:16], .window_long_s,
    .window_short_s, .objective, .factor, .state // "-"] | @tsv' "$OUT" >"$T/slo"
cat >"$T/slo.want" <<'EOF2'
00:11	slo_availability	slo_burn	11	11	22	11	00:09	600	120	0.99	10	-
00:12	slo_availability	slo_burn	13.2	13.2	22	13.2	00:09	600	120	0.99	10	-
00:13	slo_availability	slo_burn	13.2	13.2	11	11	00:09	600	120	0.99	10	-
00:14	slo_availability	slo_burn	13.2	13.2	0	0	00:09	600	120	0.99	10	-
00:15	slo_availability	slo_burn	13.2	13.2	0	0	00:09	600	120	0.99	10	-
00:16	slo_availability	slo_burn	13.2	13.2	0	0	00:09	600	120	0.99	10	cleared
EOF2
same "$T/slo" "$T/slo.want" "--slo availability: burn rates 11/22 at 00:11, cleared 3 windows after the short burn falls below 10"
hasnt "$OUT" '"detector":"(level|cusum|binomial|traffic)"' "the fixture is too short for the baseline detectors"
# Latency: 200 ms is p99 of the early windows (1% slower) and p95 of the
# later ones (5%).  At 00:12, windows 3-12: (4 x 1% + 6 x 5%) / 10 = 3.4%,
# burn 3.4; windows 11-12: burn 5.  00:11 has 3.0 (5 and 5): not above 3.2.
run detect --no-watermark --slo latency=200ms@99 --slo-pair 3.2/10m/2m "$FIX/detect-slo.jsonl"
is "$(jq -r 'select(.type == "signal") | "\(.at[11:16]) \(.metric) \(.value) \(.burn_rate_short)"' "$OUT" | xargs)" \
    "00:12 slo_latency 3.4 5 00:13 slo_latency 3.8 5 00:14 slo_latency 4.2 5 00:15 slo_latency 4.6 5 00:16 slo_latency 5 5" \
    "--slo latency from p50/p95/p99: burn 3.4 rising to 5"
# From a sketch: 100 values of 10 ms and 4 of 500 ms with latency=100ms@99:
# 4/104 slow, burn 3.84615 in both windows.
sk='"sketch":{"alpha":0.005,"count":104,"sum":3000,"min":10,"max":500,"zero":0,"lo":231,"bins":[100'
i=232; while [ $i -lt 622 ]; do sk="$sk,0"; i=$((i + 1)); done
sk="$sk,4]}"
for m in 0 1 2 3 4 5; do
	printf '{"type":"window","key":"k","start":%d,"width_s":60,"count":104,"errors":0,"latency_ms":{"p50":10,"p95":10,"p99":500},%s}\n' \
	    $((1795651200 + m * 60)) "$sk"
done >"$T/sketch.jsonl"
run detect --no-watermark --slo latency=100ms@99 --slo-pair 2/4m/2m "$T/sketch.jsonl"
is "$(jq -r 'select(.type == "signal") | "\(.at[11:16]) \(.value) \(.burn_rate_short)"' "$OUT" | xargs)" \
    "00:04 3.84615 3.84615 00:05 3.84615 3.84615 00:06 3.84615 3.84615" \
    "--slo latency from the window's sketch: 4 of 104 requests above 100 ms"

run detect --no-watermark "$FIX/detect-slo.jsonl"
hasnt "$OUT" '"slo_' "no SLO signal without --slo"
# One bad request cannot fire a pair: windows need 1/(factor (1 - objective)) requests.
jq -c '.count = 4 | .errors = (if .errors > 0 then 1 else 0 end)' "$FIX/detect-slo.jsonl" >"$T/slo-few"
run detect --no-watermark --slo availability=99 --slo-pair 10/10m/2m "$T/slo-few"
hasnt "$OUT" '"slo_' "too few requests in the windows: no SLO signal"

for bad in "availability" "availability=100" "availability=0" "availability=abc" \
    "availability=99.9x" "latency=300@99" "latency=300ms" "latency=0ms@99" \
    "latency=300ms@100" "errors=99" "=99"; do
	run detect --slo "$bad" </dev/null
	is_rc 2 "--slo $bad: usage error"
	has "$ERR" "^detect: --slo: " "--slo $bad: says why"
done
run detect --slo availability=99 --slo availability=99.9 </dev/null
is_rc 2 "--slo: a second availability SLO is an error"
for bad in "14.4/5m/1h" "14.4/1h" "x/1h/5m" "0/1h/5m" "14.4/1h/0s" "14.4/8d/1h"; do
	run detect --slo-pair "$bad" </dev/null
	is_rc 2 "--slo-pair $bad: usage error"
	has "$ERR" "^detect: --slo-pair: " "--slo-pair $bad: says why"
done
# Every signal carries its window's context: the values are the window's,
# the codes copied, the baselines those the signal itself quotes.
inject --scenario recovery --seed 3 --hours 3 --start 2026-11-26T10:00:00Z --degrade-at 2h |
    aggregate >"$T/ctxw"
run detect --no-watermark "$T/ctxw"
jq -c 'select(.type == "signal")' "$OUT" >"$T/ctxs"
ok "$(test "$(lines "$T/ctxs")" -gt 10; echo $?)" "the recovery scenario gives signals ($(lines "$T/ctxs"))"
is "$(jq -c 'select(.context == null)' "$T/ctxs" | lines /dev/stdin)" 0 "every signal has a context"
bad=$(jq -n -r --slurpfile w "$T/ctxw" --slurpfile s "$T/ctxs" '
    ($w | map({key: "\(.key) \(.end)", value: .}) | from_entries) as $win |
    [$s[] | . as $g | $win["\($g.key) \($g.at)"] as $x |
     select($x == null
       or $g.context.count.value != $x.count
       or ($g.context.error_rate.value - ($x.errors / $x.count) | fabs) > 1e-6
       or (($x.count >= 10) and $g.context.latency_p95.value != $x.latency_ms.p95)
       or $g.context.codes != $x.codes)] | length')
is "$bad" 0 "context values and codes are those of the signal's window"
is "$(jq -r 'select(.metric == "latency_p50" and .detector == "level") |
    . as $g | (($g.context.latency_p50.baseline - $g.baseline) | fabs) < 1e-3 * $g.baseline' "$T/ctxs" | sort -u)" true \
    "the context's baseline is the one the level detector compares against"
is "$(jq -r 'select(.detector == "binomial") | . as $g | (($g.context.error_rate.baseline - $g.baseline) | fabs) < 1e-9' "$T/ctxs" | sort -u)" true \
    "the error-rate baseline is the binomial test's"
is "$(jq -c 'select(.metric == "error_rate" and .at <= "2026-11-26T12:30" and .context.codes["503"] > 10)' "$T/ctxs" | lines /dev/stdin)" "$(jq -c 'select(.metric == "error_rate" and .at <= "2026-11-26T12:30")' "$T/ctxs" | lines /dev/stdin)" \
    "the recovery's 503s are in the context of every error signal's window"
# A --metric series has its own member; no baseline while it warms up.
{
	printf '{"type":"window","key":"k","start":"2026-11-26T00:%02d:00Z","width_s":60,"v":%s,"w":null}\n' \
	    0 10 1 10 2 10 3 10
	printf '{"type":"window","key":"k","start":"2026-11-26T00:%02d:00Z","width_s":60,"v":500,"w":%s}\n' \
	    4 1 5 2
} >"$T/ctxm"
run detect --no-watermark --metric v --metric w --warmup 3 --level-window 1/1 "$T/ctxm"
is "$(jq -c .context "$OUT")" '{"v":{"value":500,"baseline":10},"w":{"value":1}}
{"v":{"value":500,"baseline":10},"w":{"value":2}}' "--metric paths in the context, a warming one without baseline"
# --learn-hold: a latency stops learning while its CUSUM up builds up,
# so a creep is found against the level before it; 1 turns that off.
# 180 windows of log-normal noise (5%, a fixed generator), the last 120
# creeping up by 0.25% a window.
awk 'BEGIN { x = 12345
	for (i = 0; i < 180; i++) {
		z = 0
		for (k = 0; k < 12; k++) { x = (x * 1103515245 + 12345) % 2147483648; z += x / 2147483648 }
		v = 100 * exp(0.05 * (z - 6)) * (i < 60 ? 1 : 1 + 0.0025 * (i - 60))
		printf "{\"type\":\"window\",\"key\":\"k\",\"start\":\"2026-11-26T%02d:%02d:00Z\",\"width_s\":60,\"latency_ms\":{\"p90\":%.3f}}\n", int(i / 60), i % 60, v
	} }' >"$T/creep"
first_cusum() { jq -r 'select(.detector == "cusum") | .at[11:16]' "$OUT" | head -n 1; }
run detect --no-watermark --metric latency_ms.p90 "$T/creep"
held=$(first_cusum)
held_base=$(jq -r 'select(.detector == "cusum") | .baseline' "$OUT" | head -n 1)
run detect --no-watermark --metric latency_ms.p90 --learn-hold 1 "$T/creep"
is_rc 0 "--learn-hold 1 exits 0"
free=$(first_cusum)
free_base=$(jq -r 'select(.detector == "cusum") | .baseline' "$OUT" | head -n 1)
ok "$([ -n "$held" ] && { [ -z "$free" ] || [ "$held" \< "$free" ]; } && echo 0 || echo 1)" \
    "the creep is found sooner with the hold ($held) than without ($free)"
ok "$(awk -v a="$held_base" -v b="$free_base" 'BEGIN { exit !(b == "" || a < b) }'; echo $?)" \
    "against a baseline that did not learn it ($held_base, without: $free_base)"
done_testing
