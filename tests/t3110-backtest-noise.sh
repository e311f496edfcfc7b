#!/bin/sh
# backtest: 'none' with all noise, 7 simulated days (the issue's span), 12
# endpoints including the report export at one request every two minutes:
# zero false alerts and zero alerts on noise episodes, with default flags.
# About 16 s plain and 70 s under AddressSanitizer on two cores;
# SB_NOISE_HOURS shortens it for quick runs.
. "$(dirname "$0")/lib.sh"

HOURS=${SB_NOISE_HOURS:-168}
inject --scenario none --seed 301 --hours "$HOURS" --start 2026-11-20T00:00:00Z --truth - |
    run "$TOP/scripts/backtest" --json
is_rc 0 "backtest of $HOURS hours of noise exits 0"
is "$(jq -r '.overall.days * 24 | round' "$OUT")" "$HOURS" "the span is $HOURS hours"
is "$(jq -r '.runs[0].scenario' "$OUT")" none "the run is scenario none"
n=$(jq -r '.runs[0].noise_episodes' "$OUT")
ok "$([ "$n" -ge "$((HOURS / 24 * 4))" ] && echo 0 || echo 1)" "noise episodes in the truth ($n)"
is "$(jq -r '[.runs[0].false_alerts[] | "\(.key) \(.at)"] | join(", ")' "$OUT")" "" "no false alert"
is "$(jq -r '[.runs[0].noise_alerts[] | "\(.key) \(.at) \(.noise | join("+"))"] | join(", ")' "$OUT")" "" \
    "no alert on a noise episode"
is "$(jq -r '.overall | "\(.false_per_day) \(.noise_per_day)"' "$OUT")" "0 0" "0 false and 0 noise alerts a day"
done_testing
