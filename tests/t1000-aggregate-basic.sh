#!/bin/sh
# aggregate: window records from events, aliases, normalisation, forwarding.
. "$(dirname "$0")/lib.sh"

fixture agg-basic aggregate
fixture agg-basic-5m aggregate --window 5m --no-normalize

# The same input twice gives byte-identical output.
aggregate "$FIX/agg-basic.jsonl" >"$T/a" 2>/dev/null
aggregate <"$FIX/agg-basic.jsonl" >"$T/b" 2>/dev/null
same "$T/a" "$T/b" "file operand and stdin give identical output"

# Several operands are one stream, in order.
head -n 4 "$FIX/agg-basic.jsonl" >"$T/part1"
tail -n +5 "$FIX/agg-basic.jsonl" >"$T/part2"
run aggregate "$T/part1" - <"$T/part2"
is_rc 0 "two operands, one from stdin"
same "$OUT" "$T/a" "two operands give the output of their concatenation"

# Non-events are forwarded in order, or dropped with --no-forward.
run_in "$FIX/agg-basic.jsonl" aggregate
is "$(grep -c '"type":"note"' "$OUT")" 1 "a typed record is forwarded once"
is "$(head -n 1 "$OUT")" '{"type":"note","text":"forwarded unchanged, in order"}' \
    "forwarded record is byte-identical and comes before later windows"
run_in "$FIX/agg-basic.jsonl" aggregate --no-forward
is "$(grep -c '"type":"note"' "$OUT" || true)" 0 "--no-forward drops it"

# Every output line is a valid JSON object (jq parses them all).
run_in "$FIX/agg-basic.jsonl" aggregate
jq -e -c 'type == "object"' "$OUT" >/dev/null
ok $? "every output line parses as a JSON object"
is "$(jq -r 'select(.type == "window") | .key' "$OUT" | sort -u | tr '\n' '|')" \
    '/api/users/{id}/prefs|/blob/{id}|checkout GET /api/orders/{id}|checkout POST /api/orders|' \
    "keys are normalised, method upper-cased, service prefixed"

# Counts add up: every event is in exactly one window.
is "$(jq -s '[.[] | select(.type == "window") | .count] | add' "$OUT")" 8 \
    "the 8 events are all counted once"

# Multiple widths: every width sees every event.
run_in "$FIX/agg-basic.jsonl" aggregate --windows 1m,5m,15m
is_rc 0 "--windows 1m,5m,15m"
is "$(jq -s -c '[.[] | select(.type == "window")] | group_by(.width_s) | map([.[0].width_s, (map(.count) | add)])' "$OUT")" \
    '[[60,8],[300,8],[900,8]]' "each width counts all 8 events"
is "$(jq -r 'select(.type == "window") | .end' "$OUT" | sort -c && echo sorted)" "sorted" \
    "windows come out in end-time order"

# Usage errors exit 2 with a message.
for bad in "--window 7s" "--window 0" "--window abc" "--windows 1m,1m" \
    "--max-keys 0" "--lateness 2d" "--idle-flush 0" "--bogus" "-w 1m,5m"; do
	# shellcheck disable=SC2086
	run aggregate $bad </dev/null
	is_rc 2 "usage error: aggregate $bad"
	has "$ERR" "^(aggregate: |usage: )" "usage error message for $bad"
done
run aggregate -h
is_rc 0 "-h exits 0"
has "$OUT" "^usage: aggregate" "-h prints the usage on stdout"

# A file that cannot be opened: exit 1, the other operands still read.
run aggregate "$T/nonexistent" "$FIX/agg-basic.jsonl"
is_rc 1 "a missing operand exits 1"
has "$ERR" "aggregate: .*nonexistent: No such file" "and says which"
is "$(jq -s '[.[] | select(.type == "window") | .count] | add' "$OUT")" 8 \
    "the readable operand is still aggregated"
# The sample in examples/ (inject's format and the original clients' forms).
run aggregate "$TOP/examples/raw_logs.sample.jsonl"
is_rc 0 "examples/raw_logs.sample.jsonl aggregates"
is "$(wc -c <"$ERR" | tr -d ' ')" 0 "without a complaint"
is "$(jq -s '[.[] | .count] | add' "$OUT")" "$(wc -l <"$TOP/examples/raw_logs.sample.jsonl" | tr -d ' ')" \
    "every line of it is counted"
done_testing
