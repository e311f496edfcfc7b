#!/bin/sh
# explain: golden words for each pattern, members kept, bad input.
. "$(dirname "$0")/lib.sh"

# Latency+errors, tail only, traffic drop, clients giving up, load,
# errors only + SLO, service-wide slow creep; firing, updated, resolved.
fixture explain-patterns explain
run explain "$FIX/explain-patterns.jsonl"
is "$(jq -c 'select(.type == "note")' "$OUT")" '{"type":"note","text":"forwarded"}' "other records are forwarded"
is "$(jq -r 'select(.type == "alert") | .id' "$OUT" | tr '\n' ' ')" \
    "$(jq -r 'select(.type == "alert") | .id' "$FIX/explain-patterns.jsonl" | tr '\n' ' ')" "ids and order are kept"
is "$(jq -c 'select(.type == "alert") | del(.summary, .explanation, .insights, .recommendations)' "$OUT" | md5sum)" \
    "$(jq -c 'select(.type == "alert")' "$FIX/explain-patterns.jsonl" | md5sum)" "every member read is written back unchanged"
has "$OUT" 'p95 latency of checkout GET /api/orders/\{id\} rose from 121 ms to 290 ms \(2\.4x\) over 15 minutes, starting about 14:06' "the words of explain(1)'s example"

# Explaining twice replaces, never duplicates.
explain "$FIX/explain-patterns.jsonl" | explain >"$T/twice"
same "$T/twice" "$FIX/explain-patterns.expected" "explain is idempotent"
run explain --no-forward "$FIX/explain-patterns.jsonl"
is "$(grep -c '"note"' "$OUT" || true)" 0 "--no-forward drops other records"

# Bad input.
{
	head -n 1 "$FIX/explain-patterns.jsonl"
	printf '{"type":"alert","state":"firing","signals":[]}\n'		# 2 no key
	printf '{"type":"alert","key":"k","state":"firing"}\n'		# 3 no signals
	printf '{"type":"alert","key":"k","state":"firing","signals":[{"type":"signal"}]}\n'	# 4 bad signal
	printf '{"type":"alert","key":"k","state":"firing","signals":[],"started":"soon"}\n'	# 5 bad time
	printf '{"type":"alert","key":"\377","state":"firing","signals":[]}\n'	# 6 invalid UTF-8
	printf '{"type":"alert","key":"k","state":"firing","signals":[]'	# 7 truncated
} >"$T/bad"
run explain "$T/bad"
is_rc 0 "bad lines do not make explain fail"
is "$(lines "$OUT")" 1 "the good alert is written"
for n in 2 3 4 5 6 7; do has "$ERR" "^explain: $T/bad:$n: " "line $n is reported"; done
has "$ERR" ":2: missing 'key'" "missing key is named"
has "$ERR" ":4: signals\[0\]: missing 'key'" "a bad signal inside is named with its index"
has "$ERR" "^explain: 6 bad lines skipped of 7 read$" "the summary counts them"
run explain --strict "$T/bad"
is_rc 1 "--strict exits 1"
run explain -h
is_rc 0 "-h exits 0"
has "$OUT" "^usage: explain" "usage on stdout"
run explain --nope
is_rc 2 "unknown option exits 2"
done_testing
