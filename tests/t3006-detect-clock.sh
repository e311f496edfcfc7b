#!/bin/sh
# t3006-detect-clock: one window with a wrong clock (fed to detect
# directly, not through aggregate's own gate) must not move detect's
# clock: --max-ahead, lib/gate.
. "$(dirname "$0")/lib.sh"

inject --start 2026-11-26T00:00:00Z --hours 3 --seed 5 --scenario step \
    --degrade-at 2h | aggregate >"$T/win.jsonl"
n=$(lines "$T/win.jsonl")
half=$((n / 2))
{ head -n "$half" "$T/win.jsonl"
  head -n 1 "$T/win.jsonl" | jq -c '.start = "2099-01-01T00:00:00.000Z" | .end = "2099-01-01T00:01:00.000Z"'
  tail -n +"$((half + 1))" "$T/win.jsonl"; } >"$T/bad.jsonl"
run detect "$T/win.jsonl"
cp "$OUT" "$T/good.out"
has "$T/good.out" '"type":"signal"' "the step makes signals"
run detect "$T/bad.jsonl"
is_rc 0 "a window from 2099 in the middle: exit 0"
same "$OUT" "$T/good.out" "signals and watermarks as without it"
has "$ERR" "bad\\.jsonl:$((half + 1)): window time 2099-01-01T00:01:00\\.000Z is more than 1h ahead of the stream" \
    "the window is a bad line, at its own line"
has "$ERR" '^detect: 1 window refused: more than 1h ahead of the stream \(--max-ahead\)$' "and counted"
run detect --max-ahead 0 "$T/bad.jsonl"
has "$OUT" '"at":"2099-01-01T00:01:00.000Z"' "--max-ahead 0: the window moves detect's watermark to 2099"
# An hourly series with missing rows (NAB has such): each gap puts the
# next windows more than an hour ahead, and they go on from there.
awk 'BEGIN { for (h = 0; h < 200; h++) { if (h % 37 == 5 || h % 37 == 6) continue
	printf "{\"type\":\"window\",\"key\":\"s\",\"start\":\"%s\",\"width_s\":3600,\"value\":%d}\n",
	    strftime("%Y-%m-%dT%H:%M:%SZ", 1400000000 + h * 3600, 1), 100 + (h % 24) * 3 } }' >"$T/hourly.jsonl"
run detect --metric value --max-ahead 0 "$T/hourly.jsonl"
cp "$OUT" "$T/hourly.nogate"
run detect --metric value "$T/hourly.jsonl"
is "$(cat "$ERR")" "" "an hourly series with missing rows: nothing refused"
same "$OUT" "$T/hourly.nogate" "the same output as without the gate"
run detect --max-ahead 2x "$T/win.jsonl"
is_rc 2 "--max-ahead 2x: usage error"
done_testing
