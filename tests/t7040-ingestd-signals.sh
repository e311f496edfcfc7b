#!/bin/sh
# t7040-ingestd-signals: SIGHUP reopens the output (logrotate) without
# losing or tearing a line under load; SIGTERM stops accepting, finishes
# the requests in flight and exits 0.
. "$(dirname "$0")/lib.sh"
. "$FIX/ingestd-lib.sh"

# acked DIR: the endpoints of every event acknowledged (200), sorted.
acked() {
	cat "$1"/*.log | awk '$2 == 200 { print $1 }' | while read -r b; do
		for i in 0 1 2 3 4 5 6 7 8 9; do echo "/load/$b/$i"; done
	done | sort
}

# --- SIGHUP under load -----------------------------------------------------

mkdir "$T/load"
start_ingestd -o "$T/raw.jsonl"
LOADERS=""
for w in 1 2 3 4; do
	sh "$FIX/ingestd-load.sh" $w "$URL" "$T/load" &
	LOADERS="$LOADERS $!"
done
sleep 0.5
for n in 1 2 3; do
	mv "$T/raw.jsonl" "$T/raw.jsonl.$n"
	kill -HUP "$IPID"
	sleep 0.4
done
touch "$T/load/stop"
for p in $LOADERS; do wait "$p"; done
stop_ingestd
is_rc 0 "SIGTERM after three rotations: exit 0"
for n in 1 2 3; do
	ok "$([ -s "$T/raw.jsonl.$n" ] && echo 0 || echo 1)" "rotated file $n has events"
done
ok "$([ -s "$T/raw.jsonl" ] && echo 0 || echo 1)" "the reopened file has events"
cat "$T"/raw.jsonl* >"$T/all.jsonl"
ok "$(all_json "$T/all.jsonl" && echo 0 || echo 1)" "no line is torn"
n=$(acked "$T/load" | wc -l)
ok "$([ "$n" -ge 10 ] && echo 0 || echo 1)" "the load was real ($n events acknowledged)"
acked "$T/load" >"$T/want"
jq -r .endpoint "$T/all.jsonl" | sort >"$T/got"
same "$T/got" "$T/want" "every acknowledged event is in exactly one file, once"
hasnt "$IERR" 'reopened' "reopening is quiet without -v"

# --- SIGTERM drains --------------------------------------------------------

start_ingestd -o "$T/drain.jsonl" -v
for j in $(seq 100); do event "slow-$j"; done >"$T/slow"
# About 2 s to send at 4 KiB/s: SIGTERM comes in the middle of it.
curl -sS -o "$T/slow.out" -w '%{http_code}' --limit-rate 4k --max-time 30 \
    --data-binary @"$T/slow" "$URL/ingest" >"$T/slow.code" 2>/dev/null &
CURL=$!
sleep 0.7
kill -TERM "$IPID"
sleep 0.3
CODE=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 \
    --data-binary @"$T/slow" "$URL/ingest" 2>/dev/null) || true
is "$CODE" 000 "after SIGTERM, new connections are refused"
wait "$CURL" || true
is "$(cat "$T/slow.code")" 200 "the request in flight is finished: 200"
stop_ingestd
is_rc 0 "SIGTERM: exit 0"
is "$(lines "$T/drain.jsonl")" 100 "its 100 events are written"
has "$IERR" '^ingestd: stopping: finishing the requests in flight$' "the stop is logged"
has "$IERR" '^ingestd: stopped$' "and its end"
done_testing
