#!/bin/sh
# t7820-ingestd-redis-streams: ingestd --redis-shards answers 200 only
# once Redis has the events: kill -9 of redis-server (appendfsync
# always) under load and a restart keep every acknowledged event.  A
# shard whose stream holds --redis-cap unread entries makes ingestd answer
# 503 with Retry-After, and store xadd wait, until a worker reads.
. "$(dirname "$0")/lib.sh"
. "$FIX/ingestd-lib.sh"
. "$FIX/streams-lib.sh"

command -v redis-server >/dev/null || { echo "1..0 # SKIP no redis-server"; exit 0; }
rs_start 1 always

# --- durability ---------------------------------------------------------
start_ingestd --redis-shards "$RS_URL_1" --redis-streams 2 --redis-prefix a:
event 1 >"$T/one"
post "$T/one"
is "$CODE" 200 "an event is accepted"
mkdir "$T/load"
LOADERS=""
for w in 1 2 3 4; do
	sh "$FIX/ingestd-load.sh" $w "$URL" "$T/load" &
	LOADERS="$LOADERS $!"
done
sleep 1.5
rs_kill 1
sleep 0.5
touch "$T/load/stop"
for p in $LOADERS; do wait "$p"; done
rs_start 1 always

cat "$T"/load/*.log | awk '$2 == 200 { print $1 }' | while read -r b; do
	for i in 0 1 2 3 4 5 6 7 8 9; do echo "/load/$b/$i"; done
done | sort >"$T/acked"
n=$(lines "$T/acked")
ok "$([ "$n" -ge 10 ] && echo 0 || echo 1)" "$n events acknowledged before the kill"
ok "$(cat "$T"/load/*.log | awk '$2 == 503' | grep -q . && echo 0 || echo 1)" \
    "with Redis down, batches are answered 503"
for k in 0 1; do
	store xread --shards "$RS_URL_1" --streams 2 --prefix a: --shard $k --drain
done >"$T/got.jsonl" 2>"$ERR"
jq -r .endpoint "$T/got.jsonl" | grep '^/load/' | sort >"$T/got"
is "$(comm -23 "$T/acked" "$T/got" | wc -l)" 0 \
    "every acknowledged event is in the streams after the restart"
has "$T/got.jsonl" '"/e/1"' "so is the first one"

# ingestd finds Redis again by itself.
code=""
i=0
while [ "$code" != 200 ] && [ $i -lt 50 ]; do
	post "$T/one"
	code=$CODE
	[ "$code" = 200 ] || sleep 0.2
	i=$((i + 1))
done
is "$code" 200 "after the restart ingestd accepts again"
stop_ingestd
is "$RC" 0 "ingestd stops with status 0"

# --- back-pressure ------------------------------------------------------
start_ingestd --redis-shards "$RS_URL_1" --redis-streams 1 --redis-prefix b: \
    --redis-cap 5
for i in 1 2 3 4 5; do
	event "$i" >"$T/ev"
	post "$T/ev"
	[ "$CODE" = 200 ] || break
done
is "$CODE" 200 "five requests fill the stream to its cap"
post "$T/ev"
is "$CODE" 503 "the sixth is refused: the stream is at --redis-cap"
has "$T/headers" '^Retry-After: [0-9]+' "with Retry-After"
has "$OUT" 'redis-cap' "the reply says why"
is "$(metric ingestd_redis_over_cap_total) $(metric ingestd_redis_backlog)" "1 5" \
    "the metrics count the refusal and show the backlog"
store xread --shards "$RS_URL_1" --prefix b: --shard 0 --drain >"$T/b.jsonl" 2>"$ERR"
is "$(lines "$T/b.jsonl")" 5 "a worker reads the five"
post "$T/ev"
is "$CODE" 200 "then ingestd accepts again"
stop_ingestd

# store xadd waits instead: it is a pipe stage, its input waits with it.
printf '%s\n' '{"endpoint":"/a","status_code":200,"latency_ms":1}' \
    '{"endpoint":"/b","status_code":200,"latency_ms":1}' >"$T/two"
store xadd --shards "$RS_URL_1" --prefix c: --cap 2 --chunk 1 --batch 1 "$T/two" "$T/two" \
    2>"$T/xadd.err" &
xp=$!
sleep 1
ok "$(kill -0 $xp 2>/dev/null && echo 0 || echo 1)" "store xadd waits at --cap"
has "$T/xadd.err" 'over --cap 2: waiting' "and says so"
is "$(redis-cli -p "$RS_PORT_1" XLEN c:ev:0)" 2 "with two lines of four in the stream"
store xread --shards "$RS_URL_1" --prefix c: --shard 0 --drain >"$T/c.jsonl" 2>"$ERR"
RC=0
wait $xp || RC=$?
is_rc 0 "store xadd goes on and ends once a worker reads"
store xread --shards "$RS_URL_1" --prefix c: --shard 0 --drain >"$T/c.jsonl" 2>"$ERR"
is "$(grep -c '"/[ab]"' "$T/c.jsonl")" 4 "nothing lost"
done_testing
