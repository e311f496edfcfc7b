#!/bin/sh
# backtest: options, truth from files or from the stream, the scoring rules
# (false and noise alerts, grace, resolution), the table, exit statuses.
. "$(dirname "$0")/lib.sh"
B=$TOP/scripts/backtest

inject --scenario recovery --seed 1 --hours 2 --degrade-at 1h \
    --start 2026-11-26T11:00:00Z --truth "$T/rec.truth" -o "$T/rec.ev"
run "$B" --json --truth "$T/rec.truth" "$T/rec.ev"
is_rc 0 "--truth file: exit 0"
cp "$OUT" "$T/rec.json"
is "$(jq -r '.runs[0].degradations | length' "$OUT")" 1 "recovery: one degradation for its two truth records"
is "$(jq -r '.runs[0].degradations[0] | "\(.scenario) \(.keys | join(",")) \(.ttd_s > 0 and .ttd_s <= 300)"' "$OUT")" \
    "recovery payments POST /api/payments true" "recovery: detected on its key within 5 minutes"
is "$(jq -r '.runs[0].degradations[0].resolution | "\(.incidents) \(.resolved) \(.delay_s > 0)"' "$OUT")" \
    "1 true true" "recovery: one incident, resolved after the end, within the grace"
is "$(jq -r '.overall | "\(.recall) \(.ending) \(.resolved) \(.false_alerts)"' "$OUT")" "1 1 1 0" "recovery: overall"
is "$(jq -r '.runs[0].days * 24' "$OUT")" 2 "the span is the windows', 2 hours"

# The same truth in the stream gives the same score.
cat "$T/rec.truth" "$T/rec.ev" | run "$B" --json
same "$OUT" "$T/rec.json" "truth in the stream scores as a --truth file"

# A grace shorter than the resolve delay fails the resolution.
d=$(jq -r '.runs[0].degradations[0].resolution.delay_s' "$T/rec.json")
run "$B" --json --grace "$((d - 60))" --truth "$T/rec.truth" "$T/rec.ev"
is "$(jq -r '.runs[0].degradations[0].resolution.resolved' "$OUT")" false "--grace below the delay: not resolved in time"

# Truth for another key: the alert is false; a noise episode on its key
# overlapping it makes it a noise alert instead.
sed 's/payments POST \/api\/payments/users GET \/api\/users\/{id}/; s/"service":"payments"/"service":"users"/' \
    "$T/rec.truth" >"$T/other.truth"
run "$B" --json --truth "$T/other.truth" "$T/rec.ev"
is "$(jq -r '.overall | "\(.detected) \(.false_alerts) \(.noise_alerts)"' "$OUT")" "0 1 0" "alert on an undegraded key: false"
is "$(jq -r '.overall.false_per_day' "$OUT")" 12 "false alerts per simulated day: 1 in 2 hours is 12"
at=$(jq -r '.runs[0].false_alerts[0].at' "$OUT")
printf '{"type":"noise","kind":"gc-pause","key":"payments POST /api/payments","service":"payments","start":"%s","end":"%s"}\n' \
    "$at" "$at" >"$T/noise.truth"
run "$B" --json --truth "$T/other.truth" --truth "$T/noise.truth" "$T/rec.ev"
is "$(jq -r '.overall | "\(.false_alerts) \(.noise_alerts)"' "$OUT")" "0 1" "alert on a noise episode: a noise alert"
is "$(jq -r '.runs[0].noise_alerts[0].noise | join(",")' "$OUT")" gc-pause "noise alert: its kind"

# --each: runs on their own; truth files pair with files in order.
inject --scenario step --seed 9 --hours 2 --degrade-at 1h \
    --start 2026-11-26T11:00:00Z --truth "$T/step.truth" -o "$T/step.ev"
run "$B" --each --jobs 2 --json --truth "$T/rec.truth" --truth "$T/step.truth" "$T/rec.ev" "$T/step.ev"
is_rc 0 "--each: exit 0"
is "$(jq -r '[.scenarios[] | "\(.scenario):\(.detected)/\(.degradations)"] | join(" ")' "$OUT")" \
    "recovery:1/1 step:1/1" "--each: one scenario line each"
is "$(jq -r '.runs | map(.run) | join(",")' "$OUT")" "1,2" "--each: two runs"
run "$B" --each --truth "$T/rec.truth" "$T/rec.ev" "$T/step.ev"
is_rc 2 "--each: truth files must pair with files"

# Flags reach their stage.
run "$B" --json --correlate-flags '--min-signals 10' --truth "$T/rec.truth" "$T/rec.ev"
is "$(jq -r '.overall.recall' "$OUT")" 0 "--correlate-flags: --min-signals 10 misses it"

# The table, for people and cron.
run "$B" --truth "$T/rec.truth" "$T/rec.ev" </dev/null
is_rc 0 "table: exit 0"
has "$OUT" '^scenario +runs +days +recall +ttd_min +size +false +/day +noise +/day +resolved +res_min$' "table: header"
has "$OUT" '^recovery +1 +0\.08 +1/1 ' "table: the scenario line"
has "$OUT" '^overall +1 ' "table: the overall line"
hasnt "$OUT" "$(printf '\033')" "table: no escape sequences"

# Usage and failures.
run "$B" -h
is_rc 0 "-h: exit 0"
has "$OUT" '^usage: backtest ' "-h: usage on stdout"
run "$B" --nope
is_rc 2 "unknown option: exit 2"
has "$ERR" "backtest: unknown option '--nope'" "unknown option: said so"
run "$B" --grace soon "$T/rec.ev"
is_rc 2 "bad --grace: exit 2"
run "$B" --truth "$T/missing" "$T/rec.ev"
is_rc 1 "unreadable truth: exit 1"
run "$B" "$T/missing.ev"
is_rc 1 "unreadable events: exit 1"
has "$ERR" 'backtest: run 1: aggregate exited with status 1' "unreadable events: the stage named"
run "$B" --detect-flags '--warmup x' "$T/rec.ev"
is_rc 1 "bad detect flag: exit 1"
has "$ERR" 'detect exited with status 2' "bad detect flag: the stage named"
done_testing
