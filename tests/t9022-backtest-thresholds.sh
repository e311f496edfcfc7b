#!/bin/sh
# backtest for cron: --min-recall, --max-ttd and --max-false make a missed
# score exit 1 with one FAIL line each on stderr; --quiet prints nothing
# else.  Checked per scenario and, with several, overall.
. "$(dirname "$0")/lib.sh"
B=$TOP/scripts/backtest

inject --scenario recovery --seed 1 --hours 2 --degrade-at 1h \
    --start 2026-11-26T11:00:00Z --truth "$T/rec.truth" -o "$T/rec.ev"
run "$B" --json --truth "$T/rec.truth" "$T/rec.ev"
is_rc 0 "no threshold: exit 0"
ttd=$(jq -r '.overall.ttd_median_s' "$OUT")
is "$(jq -r '.overall | "\(.recall) \(.false_alerts)"' "$OUT")" "1 0" "the run detects its one degradation, no false alert"
cp "$OUT" "$T/plain.json"

# Met: exit 0, the usual output; with -q, nothing at all.
run "$B" --min-recall 1 --max-ttd "$ttd" --max-false 0 --truth "$T/rec.truth" "$T/rec.ev"
is_rc 0 "every threshold met: exit 0"
has "$OUT" '^recovery +1 ' "met: the table as usual"
is "$(cat "$ERR")" "" "met: nothing on stderr"
run "$B" -q --min-recall 1.0 --max-ttd "$ttd" --max-false 0 --truth "$T/rec.truth" "$T/rec.ev"
is_rc 0 "-q, met: exit 0"
is "$(cat "$OUT" "$ERR")" "" "-q, met: no output at all"
run "$B" --json --quiet --min-recall 1 --truth "$T/rec.truth" "$T/rec.ev"
is "$(cat "$OUT")" "" "--quiet wins over --json"

# Missed, each threshold on its own.
run "$B" -q --max-ttd "$((ttd - 1))" --truth "$T/rec.truth" "$T/rec.ev"
is_rc 1 "--max-ttd under the median: exit 1"
is "$(cat "$OUT")" "" "-q: nothing on stdout"
has "$ERR" "^backtest: FAIL recovery: median time to detect [0-9.]+m over --max-ttd $((ttd - 1))$" \
    "--max-ttd: the miss named"
run "$B" -q --min-recall 1 --detect-flags '--warmup 5000' --truth "$T/rec.truth" "$T/rec.ev"
is_rc 1 "nothing detected, --min-recall 1: exit 1"
has "$ERR" '^backtest: FAIL recovery: recall 0 \(0/1\) under --min-recall 1$' "--min-recall: the miss named"
run "$B" -q --min-recall 0 --detect-flags '--warmup 5000' --truth "$T/rec.truth" "$T/rec.ev"
is_rc 0 "--min-recall 0 always holds"

# A false alert: the recovery alert scored against truth for another key.
sed 's/payments POST \/api\/payments/users GET \/api\/users\/{id}/; s/"service":"payments"/"service":"users"/' \
    "$T/rec.truth" >"$T/other.truth"
run "$B" --max-false 0 --truth "$T/other.truth" "$T/rec.ev"
is_rc 1 "--max-false 0 with a false alert: exit 1"
has "$OUT" '^recovery ' "without -q the table still comes"
has "$ERR" '^backtest: FAIL recovery: 1 false alert over --max-false 0$' "--max-false: the miss named"
run "$B" -q --max-false 1 --truth "$T/other.truth" "$T/rec.ev"
is_rc 0 "--max-false 1 with one false alert: exit 0"

# Nothing to measure overall fails: a backtest that lost its truth.
run "$B" -q --min-recall 1 --max-ttd 1h "$T/rec.ev"
is_rc 1 "no truth: exit 1"
has "$ERR" '^backtest: FAIL none: no degradation in the truth to measure recall on \(--min-recall 1\)$' \
    "no truth: recall cannot be measured"
has "$ERR" '^backtest: FAIL none: nothing detected, no time to detect \(--max-ttd 1h\)$' \
    "no truth: time to detect cannot be measured"

# Several scenarios: each line, then overall; a scenario with nothing to
# measure is skipped.
inject --scenario step --seed 9 --hours 2 --degrade-at 1h \
    --start 2026-11-26T11:00:00Z --truth "$T/step.truth" -o "$T/step.ev"
inject --seed 4 --hours 1 --start 2026-11-26T11:00:00Z -o "$T/quiet.ev"
run "$B" -q --each --jobs 2 --min-recall 1 --max-ttd 10m \
    --truth "$T/rec.truth" --truth "$T/step.truth" --truth /dev/null \
    "$T/rec.ev" "$T/step.ev" "$T/quiet.ev"
is_rc 0 "--each, three runs, met: exit 0"
is "$(cat "$OUT" "$ERR")" "" "--each, met: no output, the truthless run skipped"
run "$B" -q --each --min-recall 1 --truth "$T/rec.truth" --truth "$T/step.truth" \
    --detect-flags '--warmup 5000' "$T/rec.ev" "$T/step.ev"
is_rc 1 "--each, both missed: exit 1"
is "$(cut -d: -f2,3 "$ERR" | tr '\n' ';')" \
    " FAIL recovery: recall 0 (0/1) under --min-recall 1; FAIL step: recall 0 (0/1) under --min-recall 1; FAIL overall: recall 0 (0/2) under --min-recall 1;" \
    "--each: one line per scenario, then overall"

# A stage failure still exits 1, and is not hidden by -q.
run "$B" -q --min-recall 0 "$T/missing.ev"
is_rc 1 "-q, unreadable events: exit 1"
has "$ERR" 'backtest: run 1: aggregate exited with status 1' "-q: the failing stage still named"

# Usage.
for bad in "--min-recall 2" "--min-recall x" "--min-recall -0.5" "--max-ttd soon" "--max-false -1" "--max-false x"; do
	# shellcheck disable=SC2086
	run "$B" $bad "$T/rec.ev"
	is_rc 2 "$bad: usage error"
done
run "$B" -h
has "$OUT" '\[--min-recall fraction\] \[--max-ttd duration\]' "-h shows the thresholds"
has "$OUT" '^usage: backtest \[-hq\]' "-h shows -q"
run "$B" --min-recall=1 --max-ttd="$ttd" --max-false=0 -q --truth "$T/rec.truth" "$T/rec.ev"
is_rc 0 "--option=value forms"
done_testing
