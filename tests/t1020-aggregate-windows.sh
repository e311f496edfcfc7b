#!/bin/sh
# aggregate: watermark, lateness, late events, silence, expiry, key cap.
. "$(dirname "$0")/lib.sh"

ev() {	# ev TIME [ENDPOINT] [STATUS] [LATENCY]
	printf '{"timestamp":"2026-11-26T%sZ","endpoint":"%s","status_code":%s,"latency_ms":%s}\n' \
	    "$1" "${2:-/a}" "${3:-200}" "${4:-10}"
}

# Out of order within the lateness: counted in the right window.
{ ev 14:00:58; ev 14:01:02; ev 14:00:59; ev 14:01:30; } >"$T/ooo.jsonl"
run aggregate "$T/ooo.jsonl"
is "$(jq -c '[.start[11:16], .count]' "$OUT" | tr -d '\n')" '["14:00",2]["14:01",2]' \
    "an event 3s behind (lateness 5s) still lands in its window"
run aggregate --lateness 0 "$T/ooo.jsonl"
is "$(jq -c '[.start[11:16], .count, .late]' "$OUT" | tr -d '\n')" '["14:00",1,null]["14:01",2,1]' \
    "with --lateness 0 it is late, counted in 'late' of the open window"
has "$ERR" "ooo.jsonl:3: event at 2026-11-26T14:00:59.000Z came after its window closed" \
    "the late event is reported with its line"
has "$ERR" "^aggregate: 1 late event counted as 'late'" "and summarised"

# A window closes when the watermark passes its end, not before.
{ ev 14:00:10; ev 14:01:04; } >"$T/wm.jsonl"
mkfifo "$T/fifo"
( cat "$T/wm.jsonl"; sleep 2; ev 14:01:06 ) >"$T/fifo" &
aggregate <"$T/fifo" >"$T/live" 2>/dev/null &
apid=$!
sleep 1
is "$(wc -l <"$T/live" | tr -d ' ')" 0 "14:01:04 does not close 14:00 (lateness 5s)"
sleep 2
is "$(head -n 1 "$T/live" | jq -c '[.start[11:16], .count]')" '["14:00",1]' \
    "14:01:06 closes it, and the record is flushed at once"
wait $apid
is "$(wc -l <"$T/live" | tr -d ' ')" 2 "the open window is written at end of input"
is "$(tail -n 1 "$T/live" | jq -c '[.count, .partial]')" '[2,true]' "marked partial"

# Silence: zero-count windows while the key is recent, none after --expire.
{ ev 14:00:10 /a; ev 14:00:20 /b; ev 14:04:10 /b; } >"$T/quiet.jsonl"
run aggregate "$T/quiet.jsonl"
is "$(jq -r 'select(.endpoint == "/a") | "\(.start[11:16])=\(.count)"' "$OUT" | tr '\n' ' ')" \
    "14:00=1 14:01=0 14:02=0 14:03=0 14:04=0 " "a silent key gets zero-count windows"
is "$(jq -c 'select(.count == 0) | [.latency_ms, .bytes_mean, .error_rate]' "$OUT" | sort -u)" \
    '[null,null,0]' "empty windows have null latency and bytes"
run aggregate --expire 2m "$T/quiet.jsonl"
is "$(jq -r 'select(.endpoint == "/a") | "\(.start[11:16])=\(.count)"' "$OUT" | tr '\n' ' ')" \
    "14:00=1 14:01=0 14:02=0 " "--expire 2m: no window starts 2m or more after its last event"
is "$(jq -r 'select(.endpoint == "/b") | .start[11:16]' "$OUT" | tr '\n' ' ')" \
    "14:00 14:01 14:02 14:04 " "and /b skips the window after its own expiry"

# A jump far ahead in time (no --max-ahead gate, which would refuse it)
# does not write a window for every minute between.
{ ev 14:00:10; printf '{"timestamp":"2036-11-26T14:00:00Z","endpoint":"/a","status_code":200,"latency_ms":1}\n'; } >"$T/jump.jsonl"
run aggregate --max-ahead 0 "$T/jump.jsonl"
is_rc 0 "a ten-year jump"
ok "$([ "$(wc -l <"$OUT")" -le 400 ] && echo 0 || echo 1)" \
    "writes at most --expire worth of windows ($(wc -l <"$OUT" | tr -d ' '))"

# The key cap: new keys beyond --max-keys go to (other), and it is said.
for i in 1 2 3 4 5; do ev 14:00:1$i "/k$i"; done >"$T/keys.jsonl"
run aggregate --max-keys 3 "$T/keys.jsonl"
is "$(jq -r '.key' "$OUT" | tr '\n' ' ')" "(other) /k1 /k2 /k3 " \
    "three keys and (other)"
is "$(jq -r 'select(.key == "(other)") | .count' "$OUT")" 2 "(other) counts the two extra events"
has "$ERR" "keys.jsonl:4: more than 3 keys: this and further new keys are counted as '\(other\)'" \
    "the first overflow is reported where it happens"
has "$ERR" "^aggregate: 2 events of keys beyond --max-keys 3 counted as '\(other\)'" \
    "and summarised"

# 4xx and 5xx are counted apart; error_rate is 5xx / count.
{ ev 14:00:01 /e 200; ev 14:00:02 /e 404; ev 14:00:03 /e 429; ev 14:00:04 /e 503; } >"$T/err.jsonl"
run aggregate "$T/err.jsonl"
is "$(jq -c '[.count, .errors, .client_errors, .error_rate]' "$OUT")" '[4,1,2,0.25]' \
    "errors are 5xx, client_errors 4xx"

# --emit-sketch adds a sketch whose count matches.
run aggregate --emit-sketch "$T/err.jsonl"
is "$(jq -c '[.sketch.count, .sketch.alpha, (.sketch.bins | add) + .sketch.zero]' "$OUT")" '[4,0.005,4]' \
    "the sketch carries every event"

# Timestamps in every accepted form land in the same window.
{
	printf '{"timestamp":"2026-11-26T15:00:01+01:00","endpoint":"/t","status_code":200,"latency_ms":1}\n'
	printf '{"timestamp":"2026-11-26 14:00:02.5","endpoint":"/t","status_code":200,"latency_ms":1}\n'
	printf '{"timestamp":1795701603,"endpoint":"/t","status_code":200,"latency_ms":1}\n'
	printf '{"timestamp":1795701604500,"endpoint":"/t","status_code":200,"latency_ms":1}\n'
	printf '{"timestamp":"1795701605","endpoint":"/t","status_code":200,"latency_ms":1}\n'
	printf '{"endpoint":"/t","status_code":200,"latency_ms":1}\n'
} >"$T/times.jsonl"
run aggregate "$T/times.jsonl"
is "$(jq -c '[.start, .count]' "$OUT")" '["2026-11-26T14:00:00.000Z",6]' \
    "offsets, spaces, epoch s and ms, numeric strings and undated events agree"
done_testing
