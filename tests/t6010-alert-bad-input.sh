#!/bin/sh
# alert: bad lines of every kind are reported with their line numbers,
# counted and skipped; the good records around them are still delivered.
. "$(dirname "$0")/lib.sh"

sig() {	# sig METRIC VALUE: one good signal
	printf '{"type":"signal","key":"svc GET /a","at":"2026-11-26T14:0%s:00Z","metric":"%s","detector":"level","direction":"up","value":%s,"baseline":100}\n' "$1" "$2" "$3"
}

{
	sig 1 latency_p95 250						# 1 good
	printf '{"type":"signal","key":"svc GET /a","at":"2026-11-26T14:02:00Z","detector":"level","value":1}\n'	# 2 no metric
	printf '{"type":"signal","key":"svc GET /a","at":"2026-11-26T14:03:00Z","metric":"latency_p95","detector":"level","value":"fast"}\n'	# 3 wrong type
	printf '{"type":"signal","key":"\377\376","at":"2026-11-26T14:04:00Z","metric":"m","detector":"level","value":1}\n'	# 4 invalid UTF-8
	printf '{"type":"signal","key":"svc GET /a","at":"2026-11-26T14:05:00Z","metric":"m","detector":"level","value":1e999}\n'	# 5 overflow
	printf '{"type":"signal","key":"svc GET /a","at":"yesterday","metric":"m","detector":"level","value":1}\n'	# 6 bad time
	printf '[{"type":"signal"}]\n'					# 7 not an object
	printf '{"type":7}\n'						# 8 type not a string
	sig 9 latency_p99 900						# 9 good
	printf '{"type":"signal","key":"svc GET /a","at":"2026-11-26T14:10:00Z","metric":"m"'	# 10 truncated
} >"$T/bad"

run alert --format json "$T/bad"
is_rc 0 "bad lines do not make alert fail"
is "$(jq -r .metric "$OUT" | tr '\n' ' ')" "latency_p95 latency_p99 " "the two good signals are delivered, in order"
for n in 2 3 4 5 6 7 8 10; do
	has "$ERR" "^alert: $T/bad:$n: " "line $n is reported with its number"
done
hasnt "$ERR" ":(1|9): " "good lines are not reported"
has "$ERR" ":4: invalid JSON: .*UTF-8" "invalid UTF-8 is named"
has "$ERR" ":7: not a JSON object" "an array is named"
has "$ERR" ":8: 'type' is not a string" "a numeric type is named"
has "$ERR" "^alert: 8 bad lines skipped of 10 read$" "the summary counts them"

run alert --color never "$T/bad"
is_rc 0 "the console sink too"
is "$(grep -c 'svc GET /a' "$OUT")" 2 "shows the two good signals"

run alert --strict --format json "$T/bad"
is_rc 1 "--strict exits 1 on the first bad line"
is "$(lines "$OUT")" 1 "after delivering what came before it"

# A 10 MB line is skipped without stopping the rest.
{ sig 1 latency_p95 250; head -c 10000000 /dev/zero | tr '\0' 'x'; echo; sig 3 latency_p99 900; } >"$T/long"
run alert --format json "$T/long"
is_rc 0 "a 10 MB line"
is "$(lines "$OUT")" 2 "the signals around it are delivered"
has "$ERR" ":2: line is longer than the limit" "it is reported as too long"
done_testing
