#!/bin/sh
# t1130-ingestd-formats: ingestd --format takes request bodies of access
# log lines (one per line, gzip or not) and writes each valid one as a
# JSON event, the event that aggregate --format makes of the same line;
# bad lines are rejected by index, like bad items of a JSON body.  store
# put --format stores the same events.
. "$(dirname "$0")/lib.sh"
. "$FIX/ingestd-lib.sh"

F=$FIX/formats

start_ingestd -o "$T/raw.jsonl" --format apache --service shop
post "$F/apache.log"
is "$CODE" 200 "--format apache: a body of log lines is accepted"
is "$(cat "$OUT")" '{"accepted":6,"rejected":0,"errors":[]}' "all six lines"
gzip -c "$F/envoy.log" >"$T/envoy.gz"
post "$T/envoy.gz" -H 'Content-Encoding: gzip'
is "$CODE" 400 "Envoy lines to an Apache ingestd: 400"
is "$(jq -c '[.accepted, .rejected, .errors[0].index]' "$OUT")" '[0,5,0]' "every line rejected, by index"
has "$OUT" "\"error\":\"no '%t' field\"" "with the reason"
# A bad line in the middle, a CRLF line end and a blank line.
{ sed -n 1p "$F/apache.log"; printf 'garbage\r\n\n'; sed -n 2p "$F/apache.log" | sed 's/$/\r/'; } >"$T/mixed.log"
post "$T/mixed.log"
is "$CODE" 200 "a body with one bad line: 200"
is "$(jq -c '[.accepted, .rejected, .errors[0].index]' "$OUT")" '[2,1,1]' "the bad line is item 1"
stop_ingestd
is_rc 0 "ingestd stops cleanly"

is "$(lines "$T/raw.jsonl")" 8 "eight events written"
head -n 6 "$T/raw.jsonl" >"$T/six.jsonl"
is "$(sed -n 1p "$T/raw.jsonl")" \
    '{"timestamp":"2000-10-10T20:55:36.000Z","service":"shop","method":"GET","endpoint":"/apache_pb.gif","status_code":200,"latency_ms":1.234,"response_size":2326}' \
    "the event line: the documented members, --service, microseconds as ms"
run aggregate "$T/six.jsonl"
cp "$OUT" "$T/via-ingestd"
run aggregate --format apache --service shop "$F/apache.log"
same "$T/via-ingestd" "$OUT" "ingestd's events make the windows aggregate --format makes of the log"

# -n shows the format; a JSON body to a format ingestd is lines too.
run ingestd -n -o "$T/x.jsonl" --format nginx
has "$OUT" "^format nginx\$" "ingestd -n shows the format"
run ingestd -n -o "$T/x.jsonl"
hasnt "$OUT" "^format" "and nothing without one"
start_ingestd -o "$T/raw2.jsonl" --format nginx
post_str '{"timestamp":"2026-11-26T14:03:07Z","endpoint":"/x","status_code":200,"latency_ms":1}'
is "$CODE" 400 "JSON to an nginx ingestd: 400"
has "$OUT" "no '\\\$time_local' field" "read as an nginx line"
stop_ingestd
run ingestd --format iis
is_rc 2 "--format iis: exit 2"
has "$ERR" "^ingestd: --format: 'iis' is not one of json, nginx," "the formats are listed"
run ingestd --service shop
is_rc 2 "--service without --format: exit 2"

# store put --format keeps the events (and --tee passes them on).
run store put -b sqlite --sqlite-path "$T/s.db" --format apache --service shop --tee "$F/apache.log"
is_rc 0 "store put --format apache: exit 0"
same "$OUT" "$T/six.jsonl" "store put --tee passes on the same event lines"
run store query -b sqlite --sqlite-path "$T/s.db" --type event
is "$(lines "$OUT")" 6 "six events stored"
run store put -b sqlite --sqlite-path "$T/s.db" --format alb "$F/apache.log"
is_rc 0 "store put: bad lines are skipped"
has "$ERR" "^store: 6 bad lines skipped of 6 read\$" "and counted"
run store query -b sqlite --sqlite-path "$T/s.db" --type event --format apache
is_rc 2 "--format is for put"

done_testing
