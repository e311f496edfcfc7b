#!/bin/sh
# t7070-ingestd-clock: events dated too far past the server's clock are
# refused at the door (--max-ahead), so that one client with a wrong clock
# cannot move the event time of the pipe behind ingestd.
. "$(dirname "$0")/lib.sh"
. "$FIX/ingestd-lib.sh"

now=$(date +%s)
at() { date -u -d "@$((now + $1))" +%Y-%m-%dT%H:%M:%SZ; }
evt() { printf '{"timestamp":"%s","endpoint":"/a","status_code":200,"latency_ms":1}\n' "$1"; }

run ingestd -n
has "$OUT" '^max-ahead 5m$' "-n: the default --max-ahead is 5m"
run ingestd -n --max-ahead 0
has "$OUT" '^max-ahead none$' "-n: --max-ahead 0 is none"
run ingestd -n --max-ahead later
is_rc 2 "--max-ahead later: usage error"

start_ingestd -o "$T/raw.jsonl"
{ evt 2099-01-01T00:00:00Z; evt "$(at 240)"; evt "$(at 420)"; evt "$(at -86400)"
  printf '{"ts":%s000,"endpoint":"/b","status_code":200,"latency_ms":1}\n' "$((now + 7200))"; } >"$T/body"
post "$T/body"
is "$CODE" 200 "a body with good and wrongly dated events: 200"
is "$(jq -c '[.accepted, .rejected]' "$OUT")" '[2,3]' "2 accepted, 3 refused"
is "$(jq -r '.errors[0].error' "$OUT")" \
    "event time 2099-01-01T00:00:00.000Z is more than 5m ahead of the server's clock (--max-ahead)" \
    "the message says what and why"
is "$(jq -c '[.errors[].index]' "$OUT")" '[0,2,4]' "2099, +7 min and +2 h (epoch ms, alias ts) are refused"
is "$(lines "$T/raw.jsonl")" 2 "+4 min and a day ago are written"
is "$(metric ingestd_events_ahead_total)" 3 "and counted in ingestd_events_ahead_total"
stop_ingestd

start_ingestd -o "$T/raw0.jsonl" --max-ahead 0
evt 2099-01-01T00:00:00Z >"$T/one"
post "$T/one"
is "$CODE" 200 "--max-ahead 0: any date is taken"
stop_ingestd
done_testing
