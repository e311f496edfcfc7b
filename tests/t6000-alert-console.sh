#!/bin/sh
# alert: console blocks without colour off a tty, with --color always,
# NO_COLOR, --format json, bare signals, bad input.
. "$(dirname "$0")/lib.sh"

explain "$FIX/explain-patterns.jsonl" >"$T/explained"
run alert "$T/explained"
is_rc 0 "console exits 0"
ESC=$(printf '\033')
hasnt "$OUT" "$ESC" "not a tty: no escape codes"
has "$OUT" '^\[warning\] firing checkout GET /api/orders/\{id\} \(id [0-9a-f]{8}\)$' "a header per alert"
has "$OUT" '^  Insights:$' "insights are shown"
has "$OUT" '^  Recommendations:$' "recommendations are shown"
has "$OUT" '^  endpoints: cart GET /a, cart GET /b$' "grouped endpoints are listed"
is "$(grep -c '^\[' "$OUT")" "$(jq -r 'select(.type == "alert") | .id' "$T/explained" | wc -l | tr -d ' ')" "one block per alert"
ok "$(awk 'length > 78 { bad = 1 } END { print bad + 0 }' "$OUT")" "lines are wrapped at 78 columns"
hasnt "$OUT" forwarded "other records are ignored"
run alert --color always "$T/explained"
has "$OUT" "$ESC\\[1;33m\\[warning\\]" "--color always: severity colour"
has "$OUT" "$ESC\\[1;32m\\[" "--color always: resolved in green"
NO_COLOR=1 run alert --color auto "$T/explained"
hasnt "$OUT" "$ESC" "NO_COLOR: no escape codes"
run alert --color never "$T/explained"
hasnt "$OUT" "$ESC" "--color never"
if command -v script >/dev/null 2>&1; then
	script -qec "alert $T/explained" /dev/null >"$T/tty" 2>&1 || true
	has "$T/tty" "$ESC" "on a terminal: colour by default"
	NO_COLOR=1 script -qec "alert $T/explained" /dev/null >"$T/tty" 2>&1 || true
	hasnt "$T/tty" "$ESC\\[1" "on a terminal with NO_COLOR: no colour"
fi

# Not explained: the evidence is shown.
run alert "$FIX/explain-patterns.jsonl"
has "$OUT" '^  [0-9]{2}:[0-9]{2} signal checkout GET /api/orders/\{id\} latency_p95 up 290.1 \(baseline 121, 2.40x\) by cusum' "an unexplained alert lists its signals"

# Bare signals, right after detect.
printf '%s\n' '{"type":"signal","key":"GET /a","at":"2026-11-26T14:21:00Z","metric":"latency_p95","detector":"cusum","direction":"up","value":290.1,"baseline":121,"score":7.2,"since":"2026-11-26T14:06:00Z"}' \
    '{"type":"window","key":"GET /a","end":"2026-11-26T14:21:00Z"}' >"$T/sig"
run alert "$T/sig"
is "$(cat "$OUT")" "14:21 signal GET /a latency_p95 up 290.1 (baseline 121, 2.40x) by cusum score 7.2 since 14:06" "one line per bare signal"

# JSON for scripts.
run alert --format json "$T/sig" "$T/explained"
is "$(lines "$OUT")" "$(( 1 + $(grep -c '"type":"alert"' "$T/explained") ))" "--format json: one line per signal and alert"
is "$(head -n 1 "$OUT")" "$(head -n 1 "$T/sig")" "records pass through byte for byte"
is "$(grep -c '"window"\|"note"' "$OUT" || true)" 0 "other records are ignored"

# Bad input.
{
	head -n 1 "$T/sig"
	printf 'nope\n'
	printf '{"type":"signal","key":"GET /a"}\n'
	printf '{"type":"alert","state":"firing"}\n'
	printf '{"type":"alert","key":"\377","state":"firing"}\n'
} >"$T/bad"
run alert "$T/bad"
is_rc 0 "bad lines do not make alert fail"
for n in 2 3 4 5; do has "$ERR" "^alert: $T/bad:$n: " "line $n is reported"; done
has "$ERR" "^alert: 4 bad lines skipped of 5 read$" "the summary counts them"
run alert --strict "$T/bad"
is_rc 1 "--strict exits 1"
run alert --color sometimes
is_rc 2 "a bad --color is a usage error"
run alert --format xml
is_rc 2 "a bad --format is a usage error"
run alert -h
is_rc 0 "-h exits 0"
has "$OUT" "^usage: alert" "usage on stdout"
done_testing
