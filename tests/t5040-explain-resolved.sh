#!/bin/sh
# correlate keeps each metric's peak over an incident ("peaks"), and
# explain says of a resolved alert how bad it got, how long it lasted and
# where it ended; the words for context numbers follow their bands, and
# an insight is written only when no signal or context contradicts it.
. "$(dirname "$0")/lib.sh"

K='payments POST /api/payments'
# sig HH:MM METRIC DETECTOR VALUE BASELINE [STATE [CONTEXT]]
sig() {
	printf '{"type":"signal","key":"%s","at":"2026-11-26T%s:00Z","metric":"%s","detector":"%s","direction":"up","value":%s,"baseline":%s,"since":"2026-11-26T12:00:00Z"%s%s}\n' \
	    "$K" "$1" "$2" "$3" "$4" "$5" "${6:+,\"state\":\"$6\"}" \
	    "${7:+,\"context\":$7}"
}
ctx() {	# ctx P50 P95 ERROR_RATE COUNT [CODES]
	printf '{"count":{"value":%s,"baseline":500},"error_rate":{"value":%s,"baseline":0.002},"latency_p50":{"value":%s,"baseline":240},"latency_p95":{"value":%s,"baseline":450}%s}' \
	    "$4" "$3" "$1" "$2" "${5:+,\"codes\":$5}"
}
{
	sig 12:02 latency_p50 level 480 240 '' "$(ctx 480 900 0.002 500)"
	sig 12:02 latency_p95 level 900 450 '' "$(ctx 480 900 0.002 500)"
	sig 12:03 error_rate cusum 0.03 0.002 '' "$(ctx 470 880 0.03 500 '{"503":15}')"
	sig 12:20 latency_p50 level 530 240 '' "$(ctx 530 950 0.05 500 '{"503":24,"504":1}')"
	sig 12:20 error_rate cusum 0.05 0.002 '' "$(ctx 530 950 0.05 500 '{"503":24,"504":1}')"
	sig 12:31 latency_p50 level 250 240 '' "$(ctx 250 460 0.002 500 '{"500":1}')"
	sig 12:31 latency_p95 level 460 450 '' "$(ctx 250 460 0.002 500 '{"500":1}')"
	sig 12:31 error_rate cusum 0.002 0.002 '' "$(ctx 250 460 0.002 500 '{"500":1}')"
	sig 12:32 latency_p50 level 245 240 cleared "$(ctx 245 455 0 480)"
	sig 12:32 latency_p95 level 455 450 cleared "$(ctx 245 455 0 480)"
	sig 12:32 error_rate cusum 0 0.002 cleared "$(ctx 245 455 0 480)"
} >"$T/sig"

run correlate --no-forward --resolve-after 30m "$T/sig"
is_rc 0 "correlate exits 0"
is "$(jq -r .state "$OUT" | xargs)" "firing updated resolved" "the incident fires, is updated and resolves"
is "$(jq -c '[.peaks[] | .metric] ' "$OUT" | head -n 1)" '["latency_p50","latency_p95"]' \
    "a firing record carries the peaks of its metrics"
jq -c 'select(.state == "resolved") | .peaks[]' "$OUT" >"$T/peaks"
is "$(jq -c '[.metric, .value, .at[11:16], .first_at[11:16], .last_value, .last_at[11:16]]' "$T/peaks" | xargs)" \
    '[error_rate,0.05,12:20,12:03,0,12:32] [latency_p50,530,12:20,12:02,245,12:32] [latency_p95,900,12:02,12:02,455,12:32]' \
    "the peak is the furthest signal; the last value comes from the clearing signals' window"
is "$(jq -c '.context' "$T/peaks" | head -n 1)" '{"codes":{"503":24,"504":1}}' \
    "an error peak keeps its window's status codes"
is "$(jq -c 'select(.state == "resolved") | [.signals[] | .value]' "$OUT")" '[0.002,250,460]' \
    "the signals stay the latest ones, as before"
cp "$OUT" "$T/alerts"

# --state keeps the peaks across a restart.
head -n 4 "$T/sig" >"$T/p1"
tail -n +5 "$T/sig" >"$T/p2"
correlate --no-forward --resolve-after 30m --state "$T/st" "$T/p1" >"$T/o1"
run correlate --no-forward --resolve-after 30m --state "$T/st" "$T/p2"
cat "$T/o1" "$OUT" >"$T/joined"
same "$T/joined" "$T/alerts" "two runs with --state write the same peaks as one"

run explain "$T/alerts"
is_rc 0 "explain exits 0"
jq -r 'select(.state == "resolved") | .summary, .explanation, .insights[]' "$OUT" >"$T/res"
is "$(sed -n 1p "$T/res")" \
    "Resolved: $K is back to normal after 32 minutes (was critical: error rate 5.0% and median latency 2.2x)" \
    "the resolved headline names the peaks"
is "$(sed -n 2p "$T/res")" \
    "No supporting signal since 12:31; the incident lasted 32 minutes, from 12:00 to 12:32. What it was: median latency of $K peaked at 530 ms against 240 ms usually (2.2x) at 12:20, and was 245 ms (1.0x) at 12:32; p95 latency of $K peaked at 900 ms against 450 ms usually (2.0x) at 12:02, and was 455 ms (1.0x) at 12:32; error rate of $K peaked at 5.0% against 0.2% usually at 12:20, and was 0.0% at 12:32." \
    "each metric's peak, its duration, and where it ended"
has "$T/res" '^The server errors are mostly 503 \(96% of them\)' "the codes are the peak window's, not the last window's"
hasnt "$T/res" 'all 500' "the one 500 of the recovered window does not stand for the incident"

# Without peaks (an older correlate), a resolved alert is explained from
# its signals as before.
jq -c 'select(.state == "resolved") | del(.peaks)' "$T/alerts" >"$T/old"
run explain "$T/old"
has "$OUT" 'median latency of [^;]* rose from 240 ms to 250 ms' "no peaks: the signals' words"

# A single code is "all", never "mostly ... (100% of them)"; a share just
# short of the whole is never rounded to 100%.
al() {	# al CONTEXT: a firing alert with one error signal
	printf '{"type":"alert","id":"a1","state":"firing","key":"%s","signals":[%s]}\n' "$K" \
	    "$(sig 12:10 error_rate cusum 0.03 0.002 '' "$1")"
}
al "$(ctx 240 450 0.03 500 '{"503":15}')" >"$T/one"
run explain "$T/one"
has "$OUT" 'The server errors are all 503: Service Unavailable' "one code: all"
hasnt "$OUT" 'mostly 503 \(100% of them\)' "not 'mostly (100%)'"
al "$(ctx 240 450 0.03 500 '{"503":999,"500":1}')" >"$T/most"
run explain "$T/most"
has "$OUT" 'mostly 503 \(99% of them\)' "999 of 1000 is 99%, not 100%"

# Context words follow the bands: 0.0% against 0.3% is lower, not unchanged.
lat_al() {	# lat_al CONTEXT: a firing latency alert
	printf '{"type":"alert","id":"a1","state":"firing","key":"%s","signals":[%s]}\n' "$K" \
	    "$(sig 12:10 latency_p95 level 900 450 '' "$1")"
}
C0='{"count":{"value":500,"baseline":500},"error_rate":{"value":0,"baseline":0.003},"latency_p95":{"value":900,"baseline":450}}'
lat_al "$C0" >"$T/low"
run explain "$T/low"
has "$OUT" 'error rate is 0\.0%, lower than its usual 0\.3%' "below the band: lower"
hasnt "$OUT" 'unchanged' "never 'unchanged' against different numbers"
C1='{"count":{"value":500,"baseline":500},"error_rate":{"value":0.0033,"baseline":0.003},"latency_p95":{"value":900,"baseline":450}}'
lat_al "$C1" >"$T/norm"
run explain "$T/norm"
has "$OUT" 'error rate is normal at 0\.3% \(usually 0\.3%\)' "within the band: normal"
has "$OUT" 'Latency rose while errors and traffic held' "and the latency-only insight"
C2='{"count":{"value":500,"baseline":500},"error_rate":{"value":0.009,"baseline":0.006},"latency_p95":{"value":900,"baseline":450}}'
lat_al "$C2" >"$T/higher"
run explain "$T/higher"
has "$OUT" 'error rate is 0\.9% against 0\.6% usually, slightly higher' "above the band, under twice: slightly higher"
hasnt "$OUT" 'errors and traffic held' "so errors did not hold"

# "Errors rose while latency held" is not said when the quoted p95 rose;
# the numbers make it latency and errors together.
C3='{"count":{"value":500,"baseline":500},"error_rate":{"value":0.03,"baseline":0.002},"latency_p95":{"value":339,"baseline":25}}'
al "$C3" >"$T/p95"
run explain "$T/p95"
has "$OUT" 'p95 latency is 339 ms against 25 ms usually' "the p95 clause"
hasnt "$OUT" 'latency held' "no 'latency held' beside it"
has "$OUT" 'Latency and errors rose together' "latency and errors together instead"

# A context of any signal, not only the quoted one, can forbid "held".
printf '{"type":"alert","id":"a1","state":"firing","key":"%s","signals":[%s,%s]}\n' "$K" \
    "$(sig 12:09 latency_p95 level 900 450 '' '{"count":{"value":500,"baseline":500},"error_rate":{"value":0.05,"baseline":0.002}}')" \
    "$(sig 12:10 latency_p50 level 480 240 '' '{"count":{"value":500,"baseline":500},"error_rate":{"value":0.002,"baseline":0.002}}')" >"$T/older"
run explain "$T/older"
hasnt "$OUT" 'errors and traffic held' "an older window with 25 errors in 500 is not 'errors held'"
# One error in a hundred requests is noise, not a rise.
printf '{"type":"alert","id":"a1","state":"firing","key":"%s","signals":[%s,%s]}\n' "$K" \
    "$(sig 12:09 latency_p95 level 900 450 '' '{"count":{"value":100,"baseline":100},"error_rate":{"value":0.01,"baseline":0.002}}')" \
    "$(sig 12:10 latency_p50 level 480 240 '' '{"count":{"value":100,"baseline":100},"error_rate":{"value":0.002,"baseline":0.002}}')" >"$T/noise"
run explain "$T/noise"
has "$OUT" 'errors and traffic held' "one error in 100 requests still holds"

# Only the tail moved: not when the context shows the median 1.6x.
printf '{"type":"alert","id":"a1","state":"firing","key":"%s","signals":[%s]}\n' "$K" \
    "$(sig 12:10 latency_p99 level 1800 600 '' '{"count":{"value":500,"baseline":500},"error_rate":{"value":0.002,"baseline":0.002},"latency_p50":{"value":390,"baseline":240},"latency_p95":{"value":460,"baseline":450}}')" >"$T/tail"
run explain "$T/tail"
hasnt "$OUT" 'median held' "no 'median held' when the median is 1.6x"

# A slow creep is judged when the metric was first flagged: a drift 60
# minutes old at the resolve, flagged 2 minutes after it began, is no creep.
printf '{"type":"alert","id":"a1","state":"resolved","key":"%s","started":"2026-11-26T12:00:00Z","resolved_at":"2026-11-26T13:10:00Z","signals":[%s],"peaks":[{"key":"%s","metric":"latency_p50","detector":"cusum","direction":"up","at":"2026-11-26T12:05:00Z","value":480,"baseline":240,"first_at":"%s","last_at":"2026-11-26T13:00:00Z","last_value":245}]}\n' \
    "$K" "$(sig 13:00 latency_p50 cusum 245 240)" "$K" 2026-11-26T12:02:00Z >"$T/creep"
run explain "$T/creep"
hasnt "$OUT" 'crept in slowly' "a step flagged at once is no creep, however long it lasted"
sed 's/"first_at":"2026-11-26T12:02:00Z"/"first_at":"2026-11-26T12:45:00Z"/' "$T/creep" >"$T/creep2"
run explain "$T/creep2"
has "$OUT" 'crept in slowly over 45 minutes' "flagged 45 minutes after it began: a creep of 45 minutes"

# Bad peaks are reported like any bad member.
printf '{"type":"alert","key":"%s","state":"resolved","signals":[],"peaks":{}}\n' "$K" >"$T/bad"
printf '{"type":"alert","key":"%s","state":"resolved","signals":[],"peaks":[{"key":"a","metric":"m","detector":"d","at":"2026-11-26T12:00:00Z","value":1,"last_at":"2026-11-26T12:00:00Z"}]}\n' "$K" >>"$T/bad"
cat "$T/creep" >>"$T/bad"
run explain "$T/bad"
is_rc 0 "bad peaks do not make explain fail"
is "$(lines "$OUT")" 1 "the good alert after them is explained"
has "$ERR" ":1: 'peaks' is not an array" "peaks that are not an array"
has "$ERR" ":2: peaks\[0\]: 'first_at', 'last_at' or 'last_value'" "a peak with last_at and no last_value"
done_testing
