#!/bin/sh
# t8620-alert-max-alerts: alert holds at most --max-alerts open alerts:
# new ones beyond go to no sink, said once and counted, and a million
# distinct alerts cost neither memory nor quadratic time.  A silences
# location holds at most 1000.
. "$(dirname "$0")/lib.sh"
# Under AddressSanitizer, its quarantine of freed memory (256 MB by
# default) would be counted in the peak RSS: 8 MB of it at most here.
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=8
export ASAN_OPTIONS
cd "$T"

# al N [STATE]: N alerts of N keys.
al() {
	awk -v n="$1" -v st="${2:-firing}" 'BEGIN { for (i = 0; i < n; i++)
		printf "{\"type\":\"alert\",\"id\":\"%08x\",\"state\":\"%s\",\"severity\":\"warning\",\"key\":\"GET /k%d\",\"service\":\"s%d\",\"started\":\"2026-11-26T00:00:00.000Z\",\"at\":\"2026-11-26T00:10:00.000Z\",\"signals\":[]}\n", i, st, i, i }'
}

# The resolves come last first: those of k7, k6, k5 while 5 are held.
{ al 8; al 8 resolved | tac; } >"$T/eight.jsonl"
run alert --format json --silences "$T/sil.jsonl" "$T/eight.jsonl"
is_rc 0 "8 alerts: exit 0"
is "$(lines "$OUT")" 16 "8 firing and 8 resolved delivered"
run alert --format json --silences "$T/sil.jsonl" --max-alerts 5 "$T/eight.jsonl"
is_rc 0 "--max-alerts 5: exit 0"
is "$(jq -r '.state + " " + .key' "$OUT" | tr '\n' ',')" \
    "firing GET /k0,firing GET /k1,firing GET /k2,firing GET /k3,firing GET /k4,resolved GET /k4,resolved GET /k3,resolved GET /k2,resolved GET /k1,resolved GET /k0," \
    "only the first 5, and the resolves of those"
has "$ERR" "eight.jsonl:6: more than 5 open alerts \\(--max-alerts\\): new alerts go to no sink\$" "said at the first"
is "$(grep -c 'more than 5 open alerts' "$ERR")" 1 "and only once"
has "$ERR" "^alert: 6 alert records beyond --max-alerts 5 went to no sink\$" "the 6 counted at exit"
run alert --format json --max-alerts 0 "$T/eight.jsonl"
is_rc 2 "--max-alerts 0: usage error"

# Once some resolve, there is room again.
{ al 5; al 5 resolved; al 8; } >"$T/again.jsonl"
run alert --format json --silences "$T/sil.jsonl" --max-alerts 5 "$T/again.jsonl"
is "$(jq -r 'select(.state == "firing") | .key' "$OUT" | wc -l | tr -d ' ')" 10 \
    "after 5 resolves, 5 more fire"

run alert --format json --silences "$T/sil.jsonl" --max-alerts 5 \
    --metrics-file "$T/a.prom" "$T/eight.jsonl"
has "$T/a.prom" '^slowburn_over_limit_total\{tool="alert",limit="max-alerts"\} 6$' "the metric counts them"

# A million distinct alerts: bounded memory, linear time.
al 1000000 >"$T/many.jsonl"
RC=0
timeout 300 /usr/bin/time -f '%M %e' -o "$T/rss" alert --format json \
    --silences "$T/sil.jsonl" "$T/many.jsonl" >"$OUT" 2>"$ERR" || RC=$?
is_rc 0 "a million distinct alerts: exit 0"
has "$ERR" '^alert: 990000 alert records beyond --max-alerts 10000 went to no sink$' "all but the default 10000 go to no sink"
is "$(lines "$OUT")" 10000 "10000 delivered"
read -r rss secs <"$T/rss"
diag "peak RSS $rss KB, $secs s"
ok "$([ "$rss" -lt 100000 ] && echo 0 || echo 1)" "peak RSS $rss KB stays under 100 MB"

# Silences: at most 1000 in a location.
i=0
while [ "$i" -lt 1000 ]; do
	printf '{"id":"%08x","matchers":["key=x%d"],"starts":"2026-01-01T00:00:00.000Z","ends":"2099-01-01T00:00:00.000Z","created":"2026-01-01T00:00:00.000Z","created_by":"","comment":""}\n' "$i" "$i"
	i=$((i + 1))
done >"$T/full.jsonl"
cp "$T/full.jsonl" "$T/full0.jsonl"
run alert silence add --silences "$T/full.jsonl" --match key=y --for 1h
is_rc 1 "silence add: the 1001st fails"
has "$ERR" '^alert: silence add: 1000 silences in place: expire some first$' "and says why"
same "$T/full.jsonl" "$T/full0.jsonl" "the location is unchanged"
# One of them ended: it is forgotten, and the new one fits.
sed '1s/2099-01-01/2001-01-01/' "$T/full0.jsonl" >"$T/full.jsonl"
run alert silence add --silences "$T/full.jsonl" --match key=y --for 1h
is_rc 0 "silence add: room made by forgetting the ended one"
is "$(lines "$T/full.jsonl")" 1000 "still 1000"
hasnt "$T/full.jsonl" '"id":"00000000"' "the ended one is gone"
# A running alert reads the first 1000 of more, and says so.
printf '{"id":"ffffffff","matchers":["key=GET /k0"],"starts":"2026-01-01T00:00:00.000Z","ends":"2099-01-01T00:00:00.000Z","created":"2026-01-01T00:00:00.000Z","created_by":"","comment":""}\n' >>"$T/full0.jsonl"
run alert --format json --silences "$T/full0.jsonl" "$T/eight.jsonl"
has "$ERR" "full0.jsonl: more than 1000 silences: the rest are ignored\$" "alert: more than 1000 silences said"
is "$(lines "$OUT")" 16 "the 1001st silence (of GET /k0) is not applied"
done_testing
