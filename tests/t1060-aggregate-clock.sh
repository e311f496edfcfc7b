#!/bin/sh
# t1060-aggregate-clock: one event with a wrong clock must not move the
# watermark (--max-ahead, lib/gate).  The issue's case: a stream, one
# event stamped 2099, then the rest of the stream.
. "$(dirname "$0")/lib.sh"

ev() {	# ev TIME [ENDPOINT]: one event line
	printf '{"timestamp":"%s","endpoint":"%s","status_code":200,"latency_ms":10}\n' \
	    "$1" "${2:-/a}"
}

inject --start 2026-11-26T00:00:00Z --hours 1 --seed 3 >"$T/ev.jsonl"
n=$(lines "$T/ev.jsonl")
{ head -n 1000 "$T/ev.jsonl"; ev 2099-01-01T00:00:00Z /x; tail -n +1001 "$T/ev.jsonl"; } >"$T/bad.jsonl"
run aggregate "$T/ev.jsonl"
cp "$OUT" "$T/good.out"
run aggregate "$T/bad.jsonl"
is_rc 0 "a stream with one event from 2099 exits 0"
same "$OUT" "$T/good.out" "its windows are those of the stream without it"
has "$ERR" "^aggregate: $T/bad\\.jsonl:1001: event time 2099-01-01T00:00:00\\.000Z is more than 1h ahead of the stream \\(at 2026-11-26T00:0[0-9]:[0-9.]*Z\\) and what came next did not follow: a wrong clock \\(--max-ahead\\)\$" \
    "the event is a bad line, at its own line, saying why"
has "$ERR" '^aggregate: 1 event refused: more than 1h ahead of the stream \(--max-ahead\)$' "and counted"
hasnt "$ERR" "late" "no event is late"
run aggregate --max-ahead 0 "$T/bad.jsonl"
is_rc 0 "--max-ahead 0: no gate"
has "$ERR" "late events counted as 'late'" "and then the rest of the stream is late: the bug this guards against"
is "$(jq -s 'map(.count) | add' "$T/good.out")" "$n" "every event of the stream is counted once"

# The first event is the wrong one.
{ ev 2099-01-01T00:00:00Z; ev 2026-11-26T10:00:01Z; ev 2026-11-26T10:01:02Z; } >"$T/first.jsonl"
run aggregate "$T/first.jsonl"
is_rc 0 "a wrong clock first: exit 0"
has "$ERR" "first\\.jsonl:1: event time 2099" "the first event is refused"
is "$(jq -s 'map(.count) | add' "$OUT")" 2 "the two others are counted"
hasnt "$ERR" late "none late"

# A quiet spell in a replay: the stream jumps 3 hours, and stays there.
{ ev 2026-11-26T10:00:00Z; ev 2026-11-26T10:00:30Z; ev 2026-11-26T13:00:00Z
  ev 2026-11-26T13:00:10Z; ev 2026-11-26T13:00:20Z; ev 2026-11-26T13:01:00Z; } >"$T/gap.jsonl"
run aggregate --expire 1m --max-ahead 0 "$T/gap.jsonl"
cp "$OUT" "$T/gap.nogate"
run aggregate --expire 1m "$T/gap.jsonl"
is_rc 0 "a 3-hour gap: exit 0"
same "$OUT" "$T/gap.nogate" "the same windows as with no gate"
is "$(cat "$ERR")" "" "nothing refused, nothing said"
is "$(jq -s 'map(.count) | add' "$OUT")" 6 "all 6 events counted"
is "$(jq -r 'select(.count > 0) | "\(.start) \(.count)"' "$OUT" | tr '\n' ' ')" \
    "2026-11-26T10:00:00.000Z 2 2026-11-26T13:00:00.000Z 3 2026-11-26T13:01:00.000Z 1 " \
    "in their windows, in order"

# Ahead, then back: the stream carries on where it was.
{ ev 2026-11-26T10:00:00Z; ev 2026-11-26T10:00:10Z; ev 2026-11-26T14:00:00Z
  ev 2026-11-26T14:00:01Z; ev 2026-11-26T10:00:20Z; ev 2026-11-26T10:00:30Z; } >"$T/back.jsonl"
run aggregate "$T/back.jsonl"
is_rc 0 "two events ahead, then the stream again: exit 0"
has "$ERR" 'back\.jsonl:3: event time 2026-11-26T14:00:00\.000Z is more than 1h ahead' "the first is refused"
has "$ERR" 'back\.jsonl:4: event time 2026-11-26T14:00:01\.000Z' "the second too, each at its line"
is "$(jq -s 'map(.count) | add' "$OUT")" 4 "the 4 others are counted"
hasnt "$ERR" late "none late"

# Held at the end of input: refused, unless they are the whole stream.
{ ev 2026-11-26T10:00:00Z; ev 2026-11-26T10:00:10Z; ev 2026-11-26T18:00:00Z; } >"$T/end.jsonl"
run aggregate "$T/end.jsonl"
has "$ERR" 'end\.jsonl:3: event time 2026-11-26T18:00:00\.000Z' "an event ahead at the end is refused"
is "$(jq -s 'map(.count) | add' "$OUT")" 2 "the others counted"
ev 2026-11-26T18:00:00Z >"$T/one.jsonl"
run aggregate "$T/one.jsonl"
is "$(cat "$ERR")" "" "a lone event is the whole stream"
is "$(jq -s 'map(.count) | add' "$OUT")" 1 "and is counted"

# Three in a row that agree are the stream moving on.
{ ev 2026-11-26T10:00:00Z; ev 2026-11-26T15:00:00Z; ev 2026-11-26T15:00:01Z
  ev 2026-11-26T15:00:02Z; ev 2026-11-26T15:00:03Z; } >"$T/three.jsonl"
run aggregate "$T/three.jsonl"
is "$(cat "$ERR")" "" "three agreeing events ahead: nothing refused"
is "$(jq -s 'map(.count) | add' "$OUT")" 5 "all counted"

# Undated events take the stream's time; one right after the first.
{ ev 2026-11-26T10:00:00Z; printf '{"endpoint":"/u","status_code":200,"latency_ms":1}\n'
  ev 2026-11-26T10:00:10Z; } >"$T/undated.jsonl"
run aggregate "$T/undated.jsonl"
is "$(cat "$ERR")" "" "an undated event after the first: no complaint"
is "$(jq -s 'map(.count) | add' "$OUT")" 3 "all 3 counted"

# --strict makes a refusal fatal; bad option values are usage errors.
run aggregate --strict "$T/back.jsonl"
is_rc 1 "--strict: a refused event exits 1"
run aggregate --max-ahead soon "$T/one.jsonl"
is_rc 2 "--max-ahead soon: usage error"
run aggregate --max-ahead 30m "$T/back.jsonl"
is "$(jq -s 'map(.count) | add' "$OUT")" 4 "--max-ahead 30m applies"
done_testing
