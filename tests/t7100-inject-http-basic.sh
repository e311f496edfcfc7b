#!/bin/sh
# t7100-inject-http-basic: inject --url sends the scenario's events to
# ingestd over HTTP in batches, in (compressed) real time; it honours 503
# and Retry-After and exits 1 when the server refuses everything.
. "$(dirname "$0")/lib.sh"
. "$FIX/ingestd-lib.sh"

S=2026-11-26T14:00:00Z

# The same events as the file mode writes, all of them, in order.
inject --start $S --duration 1 --rate 100 --seed 5 >"$T/file.jsonl"
start_ingestd -o "$T/raw.jsonl"
t0=$(date +%s)
run inject --url "$URL" --start $S --duration 1 --rate 100 --seed 5 --speed 30 --batch 50
t1=$(date +%s)
is_rc 0 "inject --url: exit 0"
same "$T/raw.jsonl" "$T/file.jsonl" "ingestd wrote exactly the events of the file mode"
n=$(lines "$T/file.jsonl")
has "$ERR" "^inject: $n events in [0-9]+ requests: $n accepted, 0 rejected, 0 failed\$" "a summary on stderr"
hasnt "$ERR" $(printf '\r') "no progress line when stderr is not a tty"
ok "$([ $((t1 - t0)) -ge 1 ] && [ $((t1 - t0)) -le 10 ] && echo 0 || echo 1)" \
    "a minute at --speed 30 takes about 2 s ($((t1 - t0)) s)"
req=$(sed -n 's/^inject: [0-9]* events in \([0-9]*\) requests.*/\1/p' "$ERR")
ok "$([ "$req" -ge $((n / 50)) ] && echo 0 || echo 1)" "--batch 50: at least $((n / 50)) requests ($req)"

# --events caps the run; the default URL path is /ingest, also with "/".
: >"$T/raw.jsonl"
run inject --url "$URL/" --start $S --events 10 --speed 1000
is_rc 0 "--events 10 to URL/: exit 0"
is "$(lines "$T/raw.jsonl")" 10 "10 events sent"
stop_ingestd

# Refused everything: a token is required and inject has none.
INGEST_TOKEN=tok start_ingestd -o "$T/auth.jsonl"
run inject --url "$URL" --start $S --events 20 --speed 1000
is_rc 1 "all refused (401): exit 1"
has "$ERR" "^inject: $URL/ingest: 401: missing or wrong bearer token\$" "says why"
INGEST_TOKEN=tok run inject --url "$URL" --start $S --events 20 --speed 1000
is_rc 0 "INGEST_TOKEN is sent as the bearer token"
is "$(lines "$T/auth.jsonl")" 20 "and the events are written"
stop_ingestd

# 503 with Retry-After: a writer stuck on a FIFO nobody reads fills the
# queue; once it is read again, the retried batches get through.
mkfifo "$T/fifo"
exec 3<>"$T/fifo"
start_ingestd -o - --queue-size 16k >"$T/fifo"
inject --url "http://127.0.0.1:$PORT" --start $S --events 2000 --speed 1000 --batch 50 \
    2>"$T/inject.err" &
INJ=$!
sleep 2
cat "$T/fifo" >"$T/fifo.jsonl" 3>&- &
CATPID=$!
RC=0
wait $INJ || RC=$?
is_rc 0 "inject behind a full queue: exit 0"
stop_ingestd
exec 3>&-
wait $CATPID || true
is "$(lines "$T/fifo.jsonl")" 2000 "every event arrived, none twice"
has "$T/inject.err" '^inject: 2000 events in 40 requests: 2000 accepted, 0 rejected, 0 failed$' "nothing failed"
inject --start $S --events 2000 >"$T/want.jsonl"
same "$T/fifo.jsonl" "$T/want.jsonl" "the same events, in order"

# Nobody listening: exit 1, quickly.
run inject --url "http://127.0.0.1:$PORT" --start $S --events 20 --speed 1000
is_rc 1 "no server: exit 1"
has "$ERR" "Couldn't connect to server; stopping\$" "and says so"

# 429 with Retry-After as an HTTP-date 2 s on: the retry waits for it.
mkdir "$T/recv"
perl "$TOP/tests/receiver/receiver.pl" "$T/recv" &
RPID=$!
wait_for 10 test -s "$T/recv/port"
printf '429 date 2\n200\n' >"$T/recv/plan"
run inject --url "http://127.0.0.1:$(cat "$T/recv/port")" --start $S --events 5 --speed 1000
is_rc 0 "429 then 200: exit 0"
is "$(lines "$T/recv/log")" 2 "sent twice"
gap=$(awk 'NR == 2 { print ($2 - t >= 0.9 && $2 - t < 3) } { t = $2 }' "$T/recv/log")
is "$gap" 1 "Retry-After as an HTTP-date honoured: 1 to 2 s between attempts"
kill "$RPID"

# Usage errors of the HTTP options.
run inject --url "$URL" -o "$T/x"
is_rc 2 "--url and -o: usage error"
run inject --batch 5
is_rc 2 "--batch without --url: usage error"
run inject --url "$URL" --rate 5 --rate-scale 2
is_rc 2 "--rate and --rate-scale: usage error"
run inject --url "$URL" --duration 0
is_rc 2 "--duration 0: usage error"
done_testing
