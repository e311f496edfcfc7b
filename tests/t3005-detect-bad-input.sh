#!/bin/sh
# detect: every kind of bad window is reported with its line number,
# counted and skipped; other records and good windows go on as usual.
. "$(dirname "$0")/lib.sh"

win() {	# win MINUTE [EXTRA-MEMBERS]: one valid window at 14:MINUTE
	printf '{"type":"window","key":"GET /a","start":"2026-11-26T14:%02d:00Z","width_s":60,"count":100,"errors":0,"latency_ms":{"p50":10,"p95":20,"p99":30}%s}\n' "$1" "${2:-}"
}

{
	win 1
	printf '{"type":"window","key":"GET /a","start":"2026-11-26T14:02:00Z","wid\n'	# 2 truncated
	printf '{"type":"window","start":"2026-11-26T14:03:00Z","width_s":60,"count":1,"errors":0,"latency_ms":null}\n'	# 3 no key
	printf '{"type":"window","key":7,"start":"2026-11-26T14:04:00Z","width_s":60,"count":1,"errors":0,"latency_ms":null}\n'	# 4 key type
	win 5
	printf '{"type":"window","key":"GET /a","width_s":60,"count":1,"errors":0,"latency_ms":null}\n'	# 6 no start
	printf '{"type":"window","key":"GET /a","start":"yesterday","width_s":60,"count":1,"errors":0,"latency_ms":null}\n'	# 7 bad start
	printf '{"type":"window","key":"GET /a","start":"2026-11-26T14:08:00Z","count":1,"errors":0,"latency_ms":null}\n'	# 8 no width
	printf '{"type":"window","key":"GET /a","start":"2026-11-26T14:09:00Z","width_s":-60,"count":1,"errors":0,"latency_ms":null}\n'	# 9 negative width
	printf '{"type":"window","key":"GET /a","start":"2026-11-26T14:10:00Z","width_s":60,"count":1.5,"errors":0,"latency_ms":null}\n'	# 10 fractional count
	printf '{"type":"window","key":"GET /a","start":"2026-11-26T14:11:00Z","width_s":60,"count":5,"errors":9,"latency_ms":null}\n'	# 11 errors > count
	printf '{"type":"window","key":"GET /a","start":"2026-11-26T14:12:00Z","width_s":60,"count":5,"latency_ms":null}\n'	# 12 no errors
	printf '{"type":"window","key":"GET /a","start":"2026-11-26T14:13:00Z","width_s":60,"count":100,"errors":0,"latency_ms":{"p50":"x","p95":20,"p99":30}}\n'	# 13 p50 type
	printf '{"type":"window","key":"GET /a","start":"2026-11-26T14:14:00Z","width_s":60,"count":100,"errors":0,"latency_ms":{"p50":10,"p99":30}}\n'	# 14 no p95
	printf '{"type":"window","key":"GET /a","start":"2026-11-26T14:15:00Z","width_s":60,"count":100,"errors":0,"latency_ms":{"p50":10,"p95":1e999,"p99":30}}\n'	# 15 overflow
	printf '{"type":"window","key":"GET /a","start":"2026-11-26T14:16:00Z","width_s":60,"count":100,"errors":0,"latency_ms":{"p50":-1,"p95":20,"p99":30}}\n'	# 16 negative
	printf '{"type":"window","key":"GET /a","start":"2026-11-26T14:17:00Z","width_s":60,"count":100,"errors":0,"latency_ms":{"p50":NaN,"p95":20,"p99":30}}\n'	# 17 NaN
	printf '[1,2]\n'	# 18 not an object
	printf '{"type":"window","key":"/\377","start":"2026-11-26T14:19:00Z","width_s":60}\n'	# 19 invalid UTF-8
	printf '{"type":"window","key":"GET /a","start":"2026-11-26T14:20:00Z","width_s":60,"count":100,"errors":0,"latency_ms":7}\n'	# 20 latency not object
	printf '\n'	# 21 blank: skipped silently
	printf '{"type":"note","n":22}\n'	# 22 forwarded
	win 23 ',"latency_ms":{"p50":1e300,"p95":1e300,"p99":1e300}'	# 23 huge but finite: good
	printf '{"type":"window","key":"GET /a","start":"2026-11-26T14:24:00Z","width_s":60,"count":0,"errors":0,"latency_ms":null}\n'	# 24 empty: good
	printf '{"type":"window","key":"GET /a","start":"2026-11-26T14:25:00Z","end":"2026-11-26T14:25:00Z","count":0,"errors":0,"latency_ms":null}\n'	# 25 end = start
	win 26
	printf '{"type":"window","key":"GET /a","start":"2026-11-26T14:27:00Z","width_s":60,"count":1'	# 27 truncated at EOF
} >"$T/bad.jsonl"

run detect --warmup 1 "$T/bad.jsonl"
is_rc 0 "bad lines do not make detect fail"
for n in 2 3 4 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 25 27; do
	has "$ERR" "^detect: $T/bad.jsonl:$n: " "line $n is reported with its number"
done
hasnt "$ERR" ":(1|5|21|22|23|24|26): " "good, blank and forwarded lines are not reported"
has "$ERR" ":3: missing 'key'" "a missing key is named"
has "$ERR" ":4: 'key' is not a string" "a key of the wrong type is named"
has "$ERR" ":7: 'start' is not an RFC 3339 time" "a bad start is named"
has "$ERR" ":8: missing 'width_s' and 'end'" "a window without a width is named"
has "$ERR" ":10: 'count' is not a non-negative integer" "a fractional count is named"
has "$ERR" ":11: 'errors' is not an integer in 0\.\.count" "errors above count are named"
has "$ERR" ":13: 'latency_ms.p50' is not a number" "a string latency is named"
has "$ERR" ":14: missing 'latency_ms.p95'" "a missing percentile is named"
has "$ERR" ":15: 'latency_ms.p95' is out of range" "1e999 is out of range"
has "$ERR" ":16: 'latency_ms.p50' is negative" "a negative latency is named"
has "$ERR" ":17: invalid JSON" "NaN is not JSON"
has "$ERR" ":18: not a JSON object" "an array is not a record"
has "$ERR" ":19: invalid JSON: .*UTF-8" "invalid UTF-8 is named"
has "$ERR" "^detect: 20 bad lines skipped of 27 read$" "the summary counts them"
is "$(grep -v '"type":"watermark"' "$OUT")" '{"type":"note","n":22}' "the other record is forwarded, and nothing else but watermarks is written"

# "codes" goes into the signals' context, so a bad one is a bad window.
win 1 ',"codes":{"503":2}' >"$T/c.jsonl"
win 2 ',"codes":{"x":1}' >>"$T/c.jsonl"
win 3 ',"codes":[503]' >>"$T/c.jsonl"
win 4 ',"codes":{"503":-1}' >>"$T/c.jsonl"
win 5 ',"codes":{"503":"two"}' >>"$T/c.jsonl"
win 6 ',"codes":{"\\u0035\\u0030\\u0033":1}' >>"$T/c.jsonl"
win 7 ',"codes":null' >>"$T/c.jsonl"
run detect "$T/c.jsonl"
is_rc 0 "bad codes: exit 0"
for n in 2 3 4 5 6; do
	has "$ERR" ":$n: 'codes' is not an object of status codes and counts" "bad codes on line $n are named"
done
hasnt "$ERR" ":(1|7): " "good codes and null are accepted"

# --metric makes its path required in every window.
win 1 >"$T/m.jsonl"
win 2 ',"value":"high"' >>"$T/m.jsonl"
win 3 ',"value":null' >>"$T/m.jsonl"
run detect --metric value "$T/m.jsonl"
is_rc 0 "--metric: bad values are skipped"
has "$ERR" ":1: missing 'value'" "a missing --metric path is named"
has "$ERR" ":2: 'value' is not a number" "a non-number --metric value is named"
hasnt "$ERR" ":3: " "null is no observation, not an error"

# --strict: the first bad line is fatal, what came before is written.
run detect --strict "$T/bad.jsonl"
is_rc 1 "--strict exits 1 on the first bad line"
has "$ERR" "bad.jsonl:2: " "and names it"
hasnt "$ERR" "bad.jsonl:3: " "and reads no further"

# Rate limiting: 1000 bad lines print a bounded number of reports.
yes '{"type":"window"}' | head -n 1000 >"$T/many.jsonl"
run detect "$T/many.jsonl"
is_rc 1 "1000 bad windows and not one usable: exit 1"
n=$(wc -l <"$ERR")
ok "$([ "$n" -le 30 ] && echo 0 || echo 1)" "reports are rate-limited ($n lines)"
has "$ERR" "^detect: 1000 bad lines skipped of 1000 read$" "but all are counted"
done_testing
