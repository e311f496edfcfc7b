#!/bin/sh
# aggregate: every kind of bad line is reported with its line number,
# counted and skipped, and the good lines around it are still counted.
. "$(dirname "$0")/lib.sh"

good() {	# good SECOND: one valid event at 14:00:SECOND
	printf '{"timestamp":"2026-11-26T14:00:%02dZ","endpoint":"/a","status_code":200,"latency_ms":10}\n' "$1"
}

{
	good 1
	printf '{"timestamp":"2026-11-26T14:00:02Z","endpoint":"/a","status_code":200,"lat\n'	# 2 truncated
	printf '{"timestamp":"2026-11-26T14:00:03Z","endpoint":"/a","status_code":"ok","latency_ms":10}\n'	# 3 wrong type
	printf '{"timestamp":"2026-11-26T14:00:04Z","endpoint":"/\377\376","status_code":200,"latency_ms":10}\n'	# 4 invalid UTF-8
	good 5
	printf '{"timestamp":"2026-11-26T14:00:06Z","endpoint":"/a","status_code":200,"latency_ms":NaN}\n'	# 6 NaN
	printf '{"timestamp":"2026-11-26T14:00:07Z","endpoint":"/a","status_code":200,"latency_ms":-3}\n'	# 7 negative
	printf '{"timestamp":"2026-11-26T14:00:08Z","status_code":200,"latency_ms":10}\n'	# 8 no endpoint
	printf '{"timestamp":"2026-11-26T14:00:09Z","endpoint":"/a","latency_ms":10}\n'	# 9 no status
	printf '{"timestamp":"2026-11-26T14:00:10Z","endpoint":"/a","status_code":200}\n'	# 10 no latency
	printf '{"timestamp":"2026-11-26T14:00:11Z","endpoint":"/a","status_code":200,"latency_ms":1e999}\n'	# 11 overflow
	printf '{"timestamp":"2026-11-26T14:00:12Z","endpoint":"/a","status_code":700,"latency_ms":10}\n'	# 12 status range
	printf '[1,2,3]\n'	# 13 not an object
	printf '{"timestamp":"yesterday","endpoint":"/a","status_code":200,"latency_ms":10}\n'	# 14 bad time
	printf '{"timestamp":"2026-11-26T14:00:15Z","endpoint":42,"status_code":200,"latency_ms":10}\n'	# 15 endpoint type
	printf '{"timestamp":"2026-11-26T14:00:16Z","endpoint":"/a","status_code":200,"latency_ms":10} x\n'	# 16 trailing garbage
	printf '{"timestamp":"2026-11-26T14:00:17Z","endpoint":"/a","status_code":200.5,"latency_ms":10}\n'	# 17 fractional status
	printf '{"timestamp":"2026-11-26T14:00:18Z","endpoint":"/a","status_code":200,"latency_ms":true}\n'	# 18 bool
	printf '{"timestamp":"2026-11-26T14:00:19Z","endpoint":"/a\\u0000b","status_code":200,"latency_ms":10}\n'	# 19 NUL escape
	printf '\n'	# 20 blank: skipped silently
	good 21
	printf '{"timestamp":"2026-11-26T14:00:22Z","endpoint":"/a","status_code":200,"latency_ms":1e300}\r\n'	# 22 huge but finite, CRLF: good
	printf '{"timestamp":"2026-11-26T14:00:23Z","endpoint":"/a","status_code":200,"latency_ms":10'	# 23 truncated at EOF
} >"$T/bad.jsonl"

run aggregate "$T/bad.jsonl"
is_rc 0 "bad lines do not make aggregate fail"
is "$(jq -s '[.[] | .count] | add' "$OUT")" 4 "the 4 good events are counted"
is "$(jq -r '.latency_ms.max' "$OUT")" 1e+300 "a huge finite latency is kept exactly as the max"
for n in 2 3 4 6 7 8 9 10 11 12 13 14 15 16 17 18 19 23; do
	has "$ERR" "^aggregate: $T/bad.jsonl:$n: " "line $n is reported with its number"
done
hasnt "$ERR" ":(1|5|20|21|22): " "good and blank lines are not reported"
has "$ERR" ":3: 'status_code' is not an integer in 100\.\.599" "wrong type names the member"
has "$ERR" ":4: invalid JSON: .*UTF-8" "invalid UTF-8 is named"
has "$ERR" ":7: 'latency_ms' is negative" "negative latency is named"
has "$ERR" ":8: missing 'endpoint'" "a missing member is named"
has "$ERR" ":11: 'latency_ms' is out of range" "1e999 is out of range"
has "$ERR" ":13: not a JSON object" "a JSON array is not an event"
has "$ERR" ":14: 'timestamp' is not an RFC 3339 time" "a bad time is named"
has "$ERR" "^aggregate: 18 bad lines skipped of 23 read$" "the summary counts them"

# A 10 MB line is skipped without holding it, the rest is processed.
{
	good 1
	head -c 10000000 /dev/zero | tr '\0' 'x' | sed 's/^/{"endpoint":"/'
	echo '"}'
	good 2
} >"$T/long.jsonl"
run aggregate "$T/long.jsonl"
is_rc 0 "a 10 MB line does not stop aggregate"
is "$(jq -s '[.[] | .count] | add' "$OUT")" 2 "the events around it are counted"
has "$ERR" ":2: line is longer than the limit of 1048576 bytes" "it is reported as too long"
run aggregate --max-line 4096 "$T/long.jsonl"
has "$ERR" ":2: line is longer than the limit of 4096 bytes" "--max-line sets the limit"

# --strict: the first bad line is fatal, and what came before is kept.
run aggregate --strict "$T/bad.jsonl"
is_rc 1 "--strict exits 1 on the first bad line"
has "$ERR" "bad.jsonl:2: " "and names it"
hasnt "$ERR" "bad.jsonl:3: " "and reads no further"
is "$(jq -s '[.[] | .count] | add' "$OUT")" 1 "the event before it is still written"

# Rate limiting: 1000 bad lines print a bounded number of reports, but all
# are counted.
yes 'garbage' | head -n 1000 >"$T/many.jsonl"
run aggregate "$T/many.jsonl"
is_rc 1 "1000 bad lines and not one usable: exit 1"
lines_err=$(wc -l <"$ERR")
ok "$([ "$lines_err" -le 30 ] && echo 0 || echo 1)" "reports are rate-limited ($lines_err lines)"
has "$ERR" "^aggregate: 1000 bad lines skipped of 1000 read$" "but all are counted"
done_testing
