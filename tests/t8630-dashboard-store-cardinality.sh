#!/bin/sh
# t8630-dashboard-store-cardinality: a million distinct keys in the store.
# store put and store query stream them in bounded memory; the
# dashboard's overview holds at most --max-endpoints keys (1000), says
# how much it left out, and its memory and page stay small.
. "$(dirname "$0")/lib.sh"
# Under AddressSanitizer, its quarantine of freed memory (256 MB by
# default) would be counted in the peak RSS: 8 MB of it at most here.
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=8
export ASAN_OPTIONS
. "$FIX/dashboard-lib.sh"
dash_trap

# rss CMD...: runs CMD (stdout in $OUT), its peak RSS in KB in $RSS.
rss() {
	RC=0
	/usr/bin/time -f '%M' -o "$T/rss" "$@" >"$OUT" 2>"$ERR" || RC=$?
	RSS=$(tail -n 1 "$T/rss")
}

awk 'BEGIN { for (i = 0; i < 1000000; i++)
	printf "{\"type\":\"window\",\"key\":\"GET /k%d\",\"method\":\"GET\",\"endpoint\":\"/k%d\",\"start\":\"2026-11-26T00:%02d:00.000Z\",\"end\":\"2026-11-26T00:%02d:00.000Z\",\"width_s\":60,\"count\":10,\"errors\":0,\"error_rate\":0,\"latency_ms\":{\"p50\":1,\"p95\":1,\"p99\":1}}\n", i, i, (i / 20000) % 50, (i / 20000) % 50 + 1 }' >"$T/w.jsonl"
rss store put -b sqlite --sqlite-path "$T/db" "$T/w.jsonl"
is_rc 0 "store put: a million distinct keys stored"
diag "store put: peak RSS $RSS KB"
ok "$([ "$RSS" -lt 100000 ] && echo 0 || echo 1)" "store put: peak RSS $RSS KB under 100 MB"
rss store query -b sqlite --sqlite-path "$T/db" --type window
is_rc 0 "store query: exit 0"
is "$(lines "$OUT")" 1000000 "store query: every record"
diag "store query: peak RSS $RSS KB"
ok "$([ "$RSS" -lt 64000 ] && echo 0 || echo 1)" "store query streams: peak RSS $RSS KB under 64 MB"

dash_start -b sqlite --sqlite-path "$T/db"
STATUS=$(curl -s -o "$OUT" -w '%{http_code}' "$DASH_URL/")
is "$STATUS" 200 "overview: 200"
has "$OUT" 'More keys than --max-endpoints 1000: [0-9]+ windows of further keys are not shown' "overview: says what it left out"
size=$(wc -c <"$OUT" | tr -d ' ')
ok "$([ "$size" -lt 2000000 ] && echo 0 || echo 1)" "overview: a page of $size bytes, under 2 MB"
STATUS=$(curl -s -o "$OUT" -w '%{http_code}' "$DASH_URL/api/endpoints")
is "$STATUS" 200 "api/endpoints: 200"
is "$(jq '.endpoints | length' "$OUT")" 1000 "api/endpoints: 1000 keys"
ok "$([ "$(jq .not_shown "$OUT")" -gt 0 ] && echo 0 || echo 1)" "api/endpoints: not_shown $(jq .not_shown "$OUT")"
curl -s -o "$OUT" "$DASH_URL/metrics"
ok "$(awk '$1 == "slowburn_over_limit_total{tool=\"dashboard\",limit=\"max-endpoints\"}" && $2 > 0 { f = 1 } END { exit !f }' "$OUT" && echo 0 || echo 1)" \
    "/metrics: slowburn_over_limit_total counts the windows not shown"
hwm=$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\).*/\1/p' "/proc/$DASH_PID/status")
diag "dashboard: peak RSS $hwm KB"
ok "$([ "$hwm" -lt 100000 ] && echo 0 || echo 1)" "dashboard: peak RSS $hwm KB under 100 MB"
dash_stop

dash_start -b sqlite --sqlite-path "$T/db" --max-endpoints 10
curl -s -o "$OUT" "$DASH_URL/api/endpoints"
is "$(jq '.endpoints | length' "$OUT")" 10 "--max-endpoints 10: 10 keys"
curl -s -o "$OUT" "$DASH_URL/api/endpoints?filter=k999"
is "$(jq -r '[.endpoints[].key] | sort | join(",")' "$OUT")" "GET /k999" "the filter finds a key beyond the first 10"
dash_stop
run dashboard --max-endpoints 0
is_rc 2 "--max-endpoints 0: usage error"
done_testing
