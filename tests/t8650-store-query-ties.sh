#!/bin/sh
# t8650-store-query-ties: a query pages through its records in time
# order; a page costs the same however many records share one time, so a
# million windows of one minute (a million keys) come back in linear
# time, in put order, in bounded memory (SQLite).
. "$(dirname "$0")/lib.sh"
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=8
export ASAN_OPTIONS

awk 'BEGIN { for (i = 0; i < 1000000; i++)
	printf "{\"type\":\"window\",\"key\":\"GET /k%d\",\"start\":\"2026-11-26T00:00:00.000Z\",\"width_s\":60,\"count\":10,\"errors\":0,\"latency_ms\":{\"p50\":1,\"p95\":1,\"p99\":1}}\n", i }' >"$T/w.jsonl"
run store put -b sqlite --sqlite-path "$T/db" "$T/w.jsonl"
is_rc 0 "a million windows of one minute stored"
RC=0
timeout 300 /usr/bin/time -f '%M %e' -o "$T/rss" store query -b sqlite \
    --sqlite-path "$T/db" --type window >"$OUT" 2>"$ERR" || RC=$?
is_rc 0 "store query: exit 0"
same "$OUT" "$T/w.jsonl" "every record, in put order"
tail -n 1 "$T/rss" >"$T/rss1"
read -r rss secs <"$T/rss1"
diag "store query: peak RSS $rss KB, $secs s"
ok "$(awk -v s="$secs" 'BEGIN { exit !(s < 30) }' && echo 0 || echo 1)" "in linear time: $secs s (scanning the ties at each page took over a minute)"
ok "$([ "$rss" -lt 64000 ] && echo 0 || echo 1)" "peak RSS $rss KB under 64 MB"
# The cursor resumes inside the tie and at the times after it.
printf '{"type":"window","key":"GET /k%s","start":"2026-11-26T00:01:00.000Z","width_s":60,"count":1,"errors":0,"latency_ms":{"p50":1,"p95":1,"p99":1}}\n' a b >"$T/w2.jsonl"
run store put -b sqlite --sqlite-path "$T/db" "$T/w2.jsonl"
run store query -b sqlite --sqlite-path "$T/db" --type window --since 2026-11-26T00:00:00Z
is "$(lines "$OUT")" 1000002 "the later minute follows the tie"
is "$(tail -n 2 "$OUT" | jq -r .key | tr '\n' ' ')" "GET /ka GET /kb " "in put order"
run store query -b sqlite --sqlite-path "$T/db" --type window --key "GET /k999999"
is "$(jq -r .key "$OUT")" "GET /k999999" "by key, within the tie"
run store query -b sqlite --sqlite-path "$T/db" --type window --since 2026-11-26T00:01:00Z --limit 1
is "$(jq -r .key "$OUT")" "GET /ka" "--since after the tie, --limit 1"
done_testing
