#!/bin/sh
# correlate: every kind of bad line is reported with its line number,
# counted and skipped; the good signals around it still fire.
. "$(dirname "$0")/lib.sh"

S='{"type":"signal","key":"GET /a","metric":"latency_p95","detector":"cusum","value":200,"baseline":100'
{
	printf '%s,"at":"2026-11-26T14:10:00Z"}\n' "$S"				# 1 good
	printf '%s,"at":"2026-11-26T14:10:00Z"\n' "$S"				# 2 truncated
	printf '{"type":"signal","key":"GET /a","at":"2026-11-26T14:10:00Z","metric":"error_rate","detector":"binomial","value":"high"}\n'	# 3 wrong type
	printf '{"type":"signal","key":"GET /\377","at":"2026-11-26T14:10:00Z","metric":"m","detector":"d","value":1}\n'	# 4 invalid UTF-8
	printf '{"type":"signal","key":"GET /a","at":"2026-11-26T14:10:00Z","metric":"m","detector":"d","value":1e999}\n'	# 5 huge
	printf '{"type":"signal","at":"2026-11-26T14:10:00Z","metric":"m","detector":"d","value":1}\n'	# 6 no key
	printf '{"type":"signal","key":"GET /a","metric":"m","detector":"d","value":1}\n'	# 7 no at
	printf '{"type":"signal","key":"GET /a","at":"noon","metric":"m","detector":"d","value":1}\n'	# 8 bad time
	printf '{"type":"signal","key":"GET /a","at":"2026-11-26T14:10:00Z","detector":"d","value":1}\n'	# 9 no metric
	printf '{"type":"signal","key":"GET /a","at":"2026-11-26T14:10:00Z","metric":"m","value":1}\n'	# 10 no detector
	printf '{"type":"signal","key":"GET /a","at":"2026-11-26T14:10:00Z","metric":"m","detector":"d"}\n'	# 11 no value
	printf '{"type":"signal","key":"GET /a","at":"2026-11-26T14:10:00Z","metric":"m","detector":"d","value":1,"direction":"sideways"}\n'	# 12 direction
	printf '[1,2]\n'							# 13 not an object
	printf '{"type":7}\n'							# 14 type not a string
	printf '{"type":"signal","key":"","at":"2026-11-26T14:10:00Z","metric":"m","detector":"d","value":1}\n'	# 15 empty key
	printf '{"type":"signal","key":"GET /a","at":"2026-11-26T14:10:00Z","metric":"m","detector":"d","value":1,"windows":-3}\n'	# 16 windows
	printf '{"type":"signal","key":"GET /a","at":"2026-11-26T14:10:00Z","metric":"m","detector":"d","value":1,"score":[]}\n'	# 17 score type
	printf '{"type":"note","text":"forwarded"}\n'				# 18 other record: good
	printf '{"type":"signal","key":"GET /a","metric":"error_rate","detector":"binomial","value":1e300,"baseline":0.002,"at":"2026-11-26T14:11:00Z"}\r\n'	# 19 huge finite, CRLF: good
	printf '%s,"at":"2026-11-26T14:12:00Z"' "$S"				# 20 truncated at EOF
} >"$T/bad.jsonl"

run correlate "$T/bad.jsonl"
is_rc 0 "bad lines do not make correlate fail"
is "$(jq -r 'select(.type=="alert") | .state + " " + .severity' "$OUT")" "firing critical" "the good signals still fire"
is "$(jq -c 'select(.type=="note")' "$OUT")" '{"type":"note","text":"forwarded"}' "other records are forwarded"
for n in 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 20; do
	has "$ERR" "^correlate: $T/bad.jsonl:$n: " "line $n is reported with its number"
done
hasnt "$ERR" ":(1|18|19): " "good lines are not reported"
has "$ERR" ":3: 'value' is not a finite number" "wrong type names the member"
has "$ERR" ":4: invalid JSON: .*UTF-8" "invalid UTF-8 is named"
has "$ERR" ":5: 'value' is not a finite number" "1e999 is out of range"
has "$ERR" ":6: missing 'key'" "a missing key is named"
has "$ERR" ":7: missing 'at'" "a missing time is named"
has "$ERR" ":8: 'at' is not an RFC 3339 time" "a bad time is named"
has "$ERR" ":12: 'direction' is not \"up\" or \"down\"" "a bad direction is named"
has "$ERR" ":13: not a JSON object" "an array is not a record"
has "$ERR" "^correlate: 17 bad lines skipped of 20 read$" "the summary counts them"

run correlate --strict "$T/bad.jsonl"
is_rc 1 "--strict exits 1 on the first bad line"
has "$ERR" "bad.jsonl:2: " "and names it"
hasnt "$ERR" "bad.jsonl:3: " "and reads no further"

yes garbage | head -n 500 >"$T/many"
run correlate "$T/many"
is_rc 1 "500 bad lines and not one usable: exit 1"
ok "$([ "$(lines "$ERR")" -le 30 ] && echo 0 || echo 1)" "reports are rate-limited"
has "$ERR" "^correlate: 500 bad lines skipped of 500 read$" "but all are counted"
done_testing
