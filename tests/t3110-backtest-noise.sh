#!/bin/sh
# backtest: 'none' with all noise, 7 simulated days (the issue's span), 12
# endpoints including the report export at one request every two minutes:
# zero false alerts and zero alerts on noise episodes, with default flags.
# About 16 s plain and 70 s under AddressSanitizer on two cores;
# SB_NOISE_HOURS shortens it for quick runs.  Then the two days of seed 3
# in which a deploy once pushed p95 and p99 CUSUMs over (detect.1, NOTES).
. "$(dirname "$0")/lib.sh"

HOURS=${SB_NOISE_HOURS:-168}
# "| run" runs in a subshell: its status comes back through a file (a
# week of events is 3.7 GB, too much to write first).
inject --scenario none --seed 301 --hours "$HOURS" --start 2026-11-20T00:00:00Z --truth - |
    { run "$TOP/scripts/backtest" --json; echo "$RC" >"$T/rc"; }
RC=$(cat "$T/rc")
is_rc 0 "backtest of $HOURS hours of noise exits 0"
is "$(jq -r '.overall.days * 24 | round' "$OUT")" "$HOURS" "the span is $HOURS hours"
is "$(jq -r '.runs[0].scenario' "$OUT")" none "the run is scenario none"
n=$(jq -r '.runs[0].noise_episodes' "$OUT")
ok "$([ "$n" -ge "$((HOURS / 24 * 4))" ] && echo 0 || echo 1)" "noise episodes in the truth ($n)"
is "$(jq -r '[.runs[0].false_alerts[] | "\(.key) \(.at)"] | join(", ")' "$OUT")" "" "no false alert"
is "$(jq -r '[.runs[0].noise_alerts[] | "\(.key) \(.at) \(.noise | join("+"))"] | join(", ")' "$OUT")" "" \
    "no alert on a noise episode"
is "$(jq -r '.overall | "\(.false_per_day) \(.noise_per_day)"' "$OUT")" "0 0" "0 false and 0 noise alerts a day"
# Seed 3's second day: a deploy on top of a run of slightly slow minutes
# fired the p95 and p99 CUSUMs of catalog GET /api/products/{id} at 20:28
# before --cusum-clip 3 and --learn-hold.
# The first 48 hours of its 7 days (noise is drawn for the whole span):
inject --scenario none --seed 3 --hours 168 --start 2026-11-20T00:00:00Z --truth - |
    awk 'index($0, "{\"timestamp\":\"2026-11-22") == 1 { exit } { print }' >"$T/seed3"
run "$TOP/scripts/backtest" --json "$T/seed3"
is_rc 0 "seed 3, 48 hours: exit 0"
is "$(jq -r '.overall.days * 24 | round' "$OUT")" 48 "seed 3: 48 hours"
is "$(jq -r '[.runs[0].false_alerts[], .runs[0].noise_alerts[] | "\(.key) \(.at)"] | join(", ")' "$OUT")" "" \
    "seed 3, 48 hours: no false alert and none on a noise episode"
done_testing
