#!/bin/sh
# t3007-detect-max-series: detect's memory grows with its series, never
# past --max-series: windows of series beyond it are skipped, said once
# and counted, whatever their number.
. "$(dirname "$0")/lib.sh"

inject --start 2026-11-26T00:00:00Z --hours 2 --seed 3 --scenario step \
    --degrade-at 90m | aggregate >"$T/w.jsonl"
nkeys=$(jq -r .key "$T/w.jsonl" | sort -u | wc -l | tr -d ' ')
first5=$(jq -r .key "$T/w.jsonl" | awk '!seen[$0]++' | head -n 5 | sort)
run detect --max-series 5 --tee "$T/w.jsonl"
is_rc 0 "--max-series 5 on $nkeys series: exit 0"
has "$ERR" "more than 5 series \\(--max-series\\): windows of new series are skipped\$" "said once, at the first"
is "$(grep -c 'more than 5 series' "$ERR")" 1 "only once"
skipped=$(jq -s --arg k "$first5" '[.[] | select(.type == "window" and (.key as $x | ($k | split("\n") | index($x)) == null))] | length' "$OUT")
has "$ERR" "^detect: $skipped windows of series beyond --max-series 5 skipped\$" "the summary counts the $skipped windows skipped"
is "$(jq -r 'select(.type == "signal") | .key' "$OUT" | sort -u | grep -cvxF "$first5" || true)" 0 \
    "signals only for the first 5 series"
run detect --max-series 0 "$T/w.jsonl"
is_rc 2 "--max-series 0: usage error"

# A million distinct keys, one window each: memory stays bounded.
awk 'BEGIN { for (i = 0; i < 1000000; i++)
	printf "{\"type\":\"window\",\"key\":\"k%d\",\"start\":\"2026-11-26T00:00:00Z\",\"width_s\":60,\"count\":1,\"errors\":0,\"latency_ms\":{\"p50\":1,\"p95\":1,\"p99\":1}}\n", i }' >"$T/many.jsonl"
RC=0
/usr/bin/time -f '%M' -o "$T/rss" detect --max-series 1000 "$T/many.jsonl" >/dev/null 2>"$ERR" || RC=$?
is_rc 0 "a million distinct keys: exit 0"
has "$ERR" '^detect: 999000 windows of series beyond --max-series 1000 skipped$' "all but 1000 skipped"
ok "$([ "$(cat "$T/rss")" -lt 200000 ] && echo 0 || echo 1)" "peak RSS $(cat "$T/rss") KB stays under 200 MB"
done_testing
