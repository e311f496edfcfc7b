#!/bin/sh
# t8610-correlate-max-keys: correlate's memory grows with its keys, never
# past --max-keys: signals of new keys beyond it are skipped, said once
# and counted, and a million distinct keys cost neither memory nor
# quadratic time.
. "$(dirname "$0")/lib.sh"
# Under AddressSanitizer, its quarantine of freed memory (256 MB by
# default) would be counted in the peak RSS: 8 MB of it at most here.
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=8
export ASAN_OPTIONS

# sig N KEY-PREFIX DETECTOR: N signals of N keys, at one time.
sig() {
	awk -v n="$1" -v p="$2" -v d="$3" 'BEGIN { for (i = 0; i < n; i++)
		printf "{\"type\":\"signal\",\"key\":\"GET /%s%d\",\"at\":\"2026-11-26T00:10:00Z\",\"metric\":\"%s\",\"detector\":\"%s\",\"direction\":\"up\",\"value\":300,\"baseline\":100,\"score\":5}\n", p, i, d == "cusum" ? "latency_p95" : "error_rate", d }'
}

# Two independent signals on each of 8 keys: 8 alerts; with --max-keys 5
# only the first 5 keys fire, and the rest is said and counted.
{ sig 8 k cusum; sig 8 k binomial; } >"$T/two.jsonl"
run correlate --no-forward "$T/two.jsonl"
is_rc 0 "8 keys: exit 0"
is "$(jq -r 'select(.state == "firing") | .key' "$OUT" | sort -u | wc -l | tr -d ' ')" 8 "8 keys fire"
run correlate --no-forward --max-keys 5 "$T/two.jsonl"
is_rc 0 "--max-keys 5: exit 0"
is "$(jq -r 'select(.state == "firing") | .key' "$OUT" | sort | tr '\n' ' ')" \
    "GET /k0 GET /k1 GET /k2 GET /k3 GET /k4 " "only the first 5 keys fire"
has "$ERR" "two.jsonl:6: more than 5 keys \\(--max-keys\\): signals of new keys are skipped\$" "said at the first"
is "$(grep -c 'more than 5 keys' "$ERR")" 1 "and only once"
has "$ERR" "^correlate: 6 signals of keys beyond --max-keys 5 skipped\$" "the summary counts the 6"
run correlate --max-keys 0 "$T/two.jsonl"
is_rc 2 "--max-keys 0: usage error"

# Incidents are held up to --max-keys too: with all 3 open, the 4th key's
# alert is not raised, and says so.
{ sig 4 i cusum; sig 4 i binomial; } >"$T/inc.jsonl"
run correlate --no-forward --max-keys 3 --no-group "$T/inc.jsonl"
is "$(jq -r 'select(.state == "firing") | .key' "$OUT" | wc -l | tr -d ' ')" 3 "3 incidents at most"

# Metrics: the count is slowburn_over_limit_total.
run correlate --no-forward --max-keys 5 --metrics-file "$T/c.prom" "$T/two.jsonl"
has "$T/c.prom" '^slowburn_over_limit_total\{tool="correlate",limit="max-keys"\} 6$' "the metric counts them"

# A million distinct keys: bounded memory, linear time.
sig 1000000 m cusum >"$T/many.jsonl"
RC=0
timeout 300 /usr/bin/time -f '%M %e' -o "$T/rss" correlate --no-forward \
    "$T/many.jsonl" >"$OUT" 2>"$ERR" || RC=$?
is_rc 0 "a million distinct keys: exit 0"
has "$ERR" '^correlate: 990000 signals of keys beyond --max-keys 10000 skipped$' "all but the default 10000 skipped"
read -r rss secs <"$T/rss"
diag "peak RSS $rss KB, $secs s"
ok "$([ "$rss" -lt 100000 ] && echo 0 || echo 1)" "peak RSS $rss KB stays under 100 MB"
done_testing
