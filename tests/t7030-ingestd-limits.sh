#!/bin/sh
# t7030-ingestd-limits: back-pressure and abuse: a full queue answers 503
# with Retry-After and loses nothing it acknowledged; connection limits;
# header and idle timeouts (slowloris); 1,000 concurrent connections.
. "$(dirname "$0")/lib.sh"
. "$FIX/ingestd-lib.sh"

# --- a full queue ----------------------------------------------------------
# The output is a FIFO that nobody reads: once its 64 KiB are full the
# writer blocks, requests queue up behind it, and past --queue-size the
# next ones are refused.
mkfifo "$T/fifo"
exec 3<>"$T/fifo"
start_ingestd -o - --queue-size 48k >"$T/fifo"
i=0
CURLS=""
while [ $i -lt 24 ]; do
	i=$((i + 1))
	for j in $(seq 60); do event "$i-$j" ', "pad":"'"$(printf '%0100d' 0)"'"'; done >"$T/b$i"
	curl -sS -o "$T/r$i" -D "$T/h$i" -w '%{http_code}\n' --max-time 60 \
	    --data-binary @"$T/b$i" "$URL/ingest" >"$T/c$i" 2>/dev/null &
	CURLS="$CURLS $!"
	sleep 0.05
done
wait_for 20 sh -c "cat $T/c* | grep -q 503"
ok $? "a full queue answers 503"
n503=$(cat "$T"/c* | grep -c 503)
h=$(grep -l 503 "$T"/c* | head -n 1 | sed 's/c\([0-9]*\)$/h\1/')
has "$h" '^Retry-After: 1' "with Retry-After"
get /healthz
is "$CODE" 200 "a slow writer is still healthy"
ok "$([ "$(metric ingestd_queue_requests)" -ge 1 ] && echo 0 || echo 1)" "ingestd_queue_requests shows the waiting requests"
q=$(metric ingestd_queue_bytes)
ok "$([ "$q" -le 49152 ] && echo 0 || echo 1)" "the queue stays within --queue-size ($q bytes)"

# Now read the FIFO: the waiting requests are written and answered.
cat "$T/fifo" >"$T/out.jsonl" 3>&- &
CATPID=$!
for p in $CURLS; do wait "$p" || true; done
t0=$(date +%s)
stop_ingestd
t1=$(date +%s)
is_rc 0 "SIGTERM after the queue drained: exit 0"
exec 3>&-
wait $CATPID 2>/dev/null || true
n200=$(cat "$T"/c* | grep -c 200)
is "$((n200 + n503))" 24 "every request was answered 200 or 503 ($n200 + $n503)"
want=$(for i in $(seq 24); do grep -q 200 "$T/c$i" && jq -r .endpoint "$T/b$i"; done | sort)
got=$(jq -r .endpoint "$T/out.jsonl" | sort)
ok "$([ "$want" = "$got" ] && echo 0 || echo 1)" "exactly the acknowledged events were written"

# A client that gives up while its events wait for the writer does not
# hold up SIGTERM.
exec 3<>"$T/fifo"
start_ingestd -o - >"$T/fifo"
for j in $(seq 600); do event "fill-$j" ', "pad":"'"$(printf '%0100d' 0)"'"'; done >"$T/fill"
curl -s -o /dev/null --max-time 30 --data-binary @"$T/fill" "$URL/ingest" &
FILL=$!
sleep 0.5
event gone >"$T/gone"
curl -s -o /dev/null --max-time 1 --data-binary @"$T/gone" "$URL/ingest" || true
is "$(metric ingestd_queue_requests)" 2 "the client left; its request still waits, behind the first"
cat "$T/fifo" >"$T/out.jsonl" 3>&- &
CATPID=$!
wait $FILL || true
t0=$(date +%s)
stop_ingestd
t1=$(date +%s)
exec 3>&-
wait $CATPID || true
is_rc 0 "SIGTERM: exit 0"
ok "$([ $((t1 - t0)) -le 3 ] && echo 0 || echo 1)" "at once ($((t1 - t0)) s)"
is "$(tail -n 1 "$T/out.jsonl" | jq -r .endpoint)" /e/gone "the events of the client that left are written"

# --- connection limits -----------------------------------------------------

event 1 >"$T/ev"
start_ingestd -o "$T/raw.jsonl" --max-per-ip 2 --header-timeout 30s
bash -c "exec 4<>/dev/tcp/127.0.0.1/$PORT 5<>/dev/tcp/127.0.0.1/$PORT; sleep 20" &
HOLD=$!
sleep 1	# both connections accepted
post "$T/ev" 2>/dev/null
ok "$([ "$CODE" != 200 ] && echo 0 || echo 1)" "--max-per-ip 2: a third connection is refused"
kill $HOLD 2>/dev/null || true
wait $HOLD 2>/dev/null || true
sleep 0.2
post "$T/ev"
is "$CODE" 200 "and accepted once the others close"
stop_ingestd

# --- slowloris: the header deadline and the idle timeout ---------------------

start_ingestd -o "$T/raw.jsonl" --header-timeout 1s --idle-timeout 30s
t0=$(date +%s)
res=$(timeout 20 bash -c "trap '' PIPE; exec 4<>/dev/tcp/127.0.0.1/$PORT; printf 'POST /ingest HTTP/1.1\r\n' >&4
	for i in 1 2 3 4 5 6 7 8 9 10; do
		printf 'X-Slow-%d: y\r\n' \$i >&4 2>/dev/null || break
		sleep 0.4
	done
	cat <&4; echo closed" 2>/dev/null) || true
t1=$(date +%s)
is "$res" closed "a header trickling in is cut off"
ok "$([ $((t1 - t0)) -le 4 ] && echo 0 || echo 1)" "after --header-timeout 1s ($((t1 - t0)) s)"
post "$T/ev"
is "$CODE" 200 "other requests are served meanwhile"
stop_ingestd

start_ingestd -o "$T/raw.jsonl" --header-timeout 60s --idle-timeout 1s
t0=$(date +%s)
res=$(timeout 20 bash -c "exec 4<>/dev/tcp/127.0.0.1/$PORT; printf 'POST /ingest HTTP/1.1\r\n' >&4; cat <&4; echo closed") || true
t1=$(date +%s)
is "$res" closed "an idle connection is closed"
ok "$([ $((t1 - t0)) -le 4 ] && echo 0 || echo 1)" "after --idle-timeout 1s ($((t1 - t0)) s)"
stop_ingestd

# --- 1,000 concurrent connections --------------------------------------------

start_ingestd -o "$T/many.jsonl" --max-connections 1100 --max-per-ip 1100
res=$(timeout 60 bash "$FIX/ingestd-conns.bash" "$PORT" 1000 "$T/ev") || true
is "$res" "1000 1000" "1,000 connections open at once: 1,000 requests answered 200"
get /healthz
is "$CODE" 200 "ingestd is still healthy"
stop_ingestd
is_rc 0 "and stops cleanly"
is "$(lines "$T/many.jsonl")" 1000 "1,000 events written"

start_ingestd -o "$T/raw.jsonl"
res=$(timeout 60 bash "$FIX/ingestd-conns.bash" "$PORT" 1000 "$T/ev" 2) || true
# At least the 128 of --max-per-ip; more if ingestd had not accepted
# them all in the 2 s pause (the first 128 wait with half a header
# meanwhile, so the rest are refused), never all.
ok "$(set -- $res; [ "$1" -ge 128 ] && [ "$1" -lt 1000 ] && echo 0 || echo 1)" \
    "with the defaults, connections from one address are limited ($res served of 1,000 tried)"
post "$T/ev"
is "$CODE" 200 "and ingestd goes on serving"
stop_ingestd
is_rc 0 "and stops cleanly"
done_testing
