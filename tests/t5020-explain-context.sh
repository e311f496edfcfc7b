#!/bin/sh
# explain: what did not move, with the numbers of the signals' context,
# and the status codes of the errors.
. "$(dirname "$0")/lib.sh"

K='checkout GET /api/orders/{id}'
# sig AT METRIC DETECTOR VALUE BASELINE CONTEXT: one signal record
sig() {
	printf '{"type":"signal","key":"%s","at":"2026-11-26T14:%s:00Z","metric":"%s","detector":"%s","direction":"up","value":%s,"baseline":%s,"since":"2026-11-26T14:06:00Z","width_s":%s,"context":%s}' \
	    "$K" "$1" "$2" "$3" "$4" "$5" "${W:-60}" "$6"
}
# alert SIGNAL...: one firing alert of them
alert() {
	printf '{"type":"alert","id":"a1","state":"firing","severity":"warning","key":"%s","started":"2026-11-26T14:06:00Z","at":"2026-11-26T14:21:00Z","signals":[' "$K"
	_sep=
	for _s in "$@"; do printf '%s%s' "$_sep" "$_s"; _sep=,; done
	printf ']}\n'
}
explanation() { jq -r .explanation "$OUT"; }
insights() { jq -r '.insights[]' "$OUT"; }

# Latency moved; errors and traffic did not, and the numbers say so.
C='{"count":{"value":1234,"baseline":1210},"error_rate":{"value":0.0021,"baseline":0.002},"latency_p95":{"value":290.1,"baseline":121}}'
alert "$(sig 21 latency_p95 cusum 290.1 121 "$C")" >"$T/lat"
run explain "$T/lat"
is_rc 0 "explain exits 0"
is "$(explanation)" "p95 latency of $K rose from 121 ms to 290 ms (2.4x) over 15 minutes, starting about 14:06; error rate is normal at 0.2% (usually 0.2%); traffic is normal at 1234 requests/min (usually 1210 requests/min), so this is not load." \
    "latency alert: error rate and traffic quoted with their numbers, no latency clause"

# The newest signal of the key gives the context; 5-minute windows are
# quoted per minute.
C1='{"count":{"value":100,"baseline":100},"error_rate":{"value":0.5,"baseline":0.002}}'
C2='{"count":{"value":500,"baseline":600},"error_rate":{"value":0.003,"baseline":0.002},"latency_p95":{"value":480,"baseline":481}}'
W=300 alert "$(sig 10 latency_p50 level 200 100 "$C1")" "$(W=300 sig 20 latency_p50 level 210 100 "$C2")" >"$T/newest"
run explain "$T/newest"
has "$OUT" 'error rate is normal at 0\.3% \(usually 0\.2%\); traffic is normal at 100 requests/min \(usually 120 requests/min\)' \
    "the newest signal's window, per minute of a 5-minute window"

# Errors moved: the 5xx codes of their windows, each window once.
CA='{"count":{"value":1000,"baseline":1000},"error_rate":{"value":0.045,"baseline":0.002},"latency_p95":{"value":480,"baseline":481},"codes":{"404":9,"500":5,"503":40}}'
CB='{"count":{"value":1000,"baseline":1000},"error_rate":{"value":0.015,"baseline":0.002},"latency_p95":{"value":482,"baseline":481},"codes":{"502":5,"503":10}}'
alert "$(sig 20 error_rate binomial 0.03 0.002 "$CA")" "$(sig 20 error_rate cusum 0.045 0.002 "$CA")" \
    "$(sig 21 error_rate binomial 0.03 0.002 "$CB")" >"$T/codes"
run explain "$T/codes"
has "$OUT" 'p95 latency is normal at 482 ms \(usually 481 ms\)\.' "errors alert: latency quoted"
hasnt "$OUT" 'error rate is unchanged' "no error-rate context clause when errors moved"
is "$(insights | grep 'server errors')" \
    "The server errors are mostly 503 (83% of them): Service Unavailable, the service or a dependency refuses work (overload, no healthy backend, an open circuit breaker)." \
    "the dominant code, its share over distinct windows (50 of 60), its meaning"

# No code dominates: the mix, largest first, and the tail summed.
CM='{"codes":{"500":40,"502":15,"503":30,"504":15}}'
alert "$(sig 20 error_rate binomial 0.03 0.002 "$CM")" >"$T/mix"
run explain "$T/mix"
is "$(insights | grep 'server errors')" \
    "The server errors are a mix of 500 (40%), 503 (30%), 502 (15%) and 504 (15%): no single failure mode dominates." \
    "a mix is listed as one"
CM5='{"codes":{"500":40,"501":5,"502":15,"503":30,"504":10}}'
alert "$(sig 20 error_rate binomial 0.03 0.002 "$CM5")" >"$T/mix5"
run explain "$T/mix5"
has "$OUT" 'a mix of 500 \(40%\), 503 \(30%\), 502 \(15%\) and other codes \(15%\):' "the fourth and later codes are summed"
CO='{"codes":{"429":50,"507":9,"500":1}}'
alert "$(sig 20 error_rate binomial 0.03 0.002 "$CO")" >"$T/other"
run explain "$T/other"
has "$OUT" 'mostly 507 \(90% of them\): see the error messages' "a code without its own template uses code.other; 4xx are not server errors"

# Latency alerts say nothing of codes.
alert "$(sig 20 latency_p95 level 300 100 "$CA")" >"$T/latcodes"
run explain "$T/latcodes"
hasnt "$OUT" 'server errors' "no codes insight without an error signal"

# Numbers that moved without a signal are not called normal.
CH='{"count":{"value":2000,"baseline":1000},"error_rate":{"value":0.01,"baseline":0.002}}'
alert "$(sig 20 latency_p95 level 300 100 "$CH")" >"$T/high"
run explain "$T/high"
has "$OUT" 'error rate is 1\.0% against 0\.2% usually, not yet a significant rise; traffic is 2000 requests/min against 1000 requests/min usually, so load may play a part' "errors and traffic above usual"
CL='{"count":{"value":70,"baseline":100},"error_rate":{"value":0.003,"baseline":0.002},"latency_p95":{"value":200,"baseline":100}}'
alert "$(sig 20 error_rate binomial 0.03 0.002 "$CL")" >"$T/low"
run explain "$T/low"
has "$OUT" 'traffic is 70 requests/min against 100 requests/min usually; p95 latency is 200 ms against 100 ms usually\.' "traffic below usual, latency above"
CS='{"count":{"value":0.5,"baseline":0.4},"error_rate":{"value":0,"baseline":0.001}}'
alert "$(sig 20 latency_p95 level 300 100 "$CS")" >"$T/sparse"
run explain "$T/sparse"
has "$OUT" 'error rate is normal at 0\.0% \(usually 0\.1%\); traffic is normal at 0\.50 requests/min \(usually 0\.40 requests/min\)' "sparse traffic keeps its digits"

# Without a context (or its baseline), the words without numbers.
CN='{"count":{"value":1234},"error_rate":{"value":0.002}}'
alert "$(sig 20 latency_p95 level 300 100 "$CN")" >"$T/nobase"
run explain "$T/nobase"
has "$OUT" 'error rate is unchanged; traffic is normal, so this is not load\.' "no baseline: the plain clauses"

# Templates: a code's meaning can be replaced, a self-quoting one is cut.
printf 'code.503 = the pool is empty\n' >"$T/t1"
run explain --templates "$T/t1" "$T/codes"
has "$OUT" 'mostly 503 \(83% of them\): the pool is empty\.' "code.NNN overrides the meaning"
printf 'code.503 = again {top_code_meaning}\n' >"$T/t2"
run explain --templates "$T/t2" "$T/codes"
is_rc 0 "a code template quoting itself does not loop"
has "$OUT" 'mostly 503 \(83% of them\): again \?\.' "the nested placeholder has no value"
printf 'ctx.errors_normal = errors steady: {error_rate_now} vs {error_rate_usual}\nctx.traffic_normal = load {traffic_now}\n' >"$T/t3"
run explain --templates "$T/t3" "$T/lat"
has "$OUT" 'errors steady: 0\.2% vs 0\.2%; load 1234 requests/min\.' "context placeholders in user templates"
for bad in 'code.5x3 = x' 'code.9000 = x' 'code.600 = x'; do
	printf '%s\n' "$bad" >"$T/t4"
	run explain --templates "$T/t4" "$T/codes"
	is_rc 1 "template '$bad' is refused"
	has "$ERR" "unknown template" "and named"
done

# Bad contexts are bad signals.
{
	alert "$(sig 20 latency_p95 level 300 100 '"busy"')"
	alert "$(sig 20 latency_p95 level 300 100 '{"count":{"value":"many"}}')"
	alert "$(sig 20 latency_p95 level 300 100 '{"codes":{"abc":1}}')"
	alert "$(sig 20 latency_p95 level 300 100 '{"codes":{"503":-1}}')"
	alert "$(sig 20 latency_p95 level 300 100 '{"codes":[503]}')"
	alert "$(sig 20 latency_p95 level 300 100 "$C")"
} >"$T/bad"
run explain "$T/bad"
is_rc 0 "bad contexts do not make explain fail"
is "$(lines "$OUT")" 1 "the good alert is written"
has "$ERR" ":1: signals\[0\]: 'context' is not an object" "a context that is not an object"
has "$ERR" ":2: signals\[0\]: 'context.count' is not" "a context value that is not a number"
has "$ERR" ":3: signals\[0\]: 'context.codes' holds a name that is not a status code" "a code that is not one"
has "$ERR" ":4: signals\[0\]: 'context.codes.503' is not a count" "a negative count"
has "$ERR" ":5: signals\[0\]: 'context.codes' is not an object" "codes that are not an object"

# The whole chain: detect's context reaches the words.
inject --scenario error-creep --seed 211 --start 2026-11-26T10:00:00Z --hours 4 --degrade-last 1h |
    aggregate | detect | correlate | explain --no-forward >"$T/chain"
jq -c 'select(.state == "firing")' "$T/chain" | head -n 1 >"$OUT"
has "$OUT" 'traffic is normal at [0-9]+ requests/min \(usually [0-9]+ requests/min\)' "the chain quotes traffic"
has "$OUT" 'The server errors are mostly 503' "and the code inject's error-creep adds"
done_testing
