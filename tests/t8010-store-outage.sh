#!/bin/sh
# store: the network backends (redis, timescale) going away.  A server
# restarted in the middle of a stream loses nothing; a server that is
# down makes put retry, then exit 1 without a spool, or journal to the
# spool and replay it in order when the server is back; passwords never
# appear in a message.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/servers.sh"
servers_trap

window() {	# window N: a window record at minute N after 14:00
	printf '{"type":"window","key":"GET /a","start":"%s","n":%d}\n' \
	    "$(date -u -d "@$((1795701600 + $1 * 60))" +%Y-%m-%dT%H:%M:%S.000Z)" "$1"
}
i=0; while [ $i -lt 300 ]; do window $i; i=$((i + 1)); done >"$T/w.jsonl"
head -n 150 "$T/w.jsonl" >"$T/part1"
tail -n 150 "$T/w.jsonl" >"$T/part2"

count() { store query --type window 2>/dev/null | wc -l | tr -d ' '; }

for be in redis timescale; do
	case $be in
	redis) have_redis || { ok 0 "# SKIP redis: no redis-server"; continue; }
		start=redis_start; stop=redis_stop; restart=redis_restart
		rm -rf "$T/redis" ;;
	timescale) have_pg || { ok 0 "# SKIP timescale: no PostgreSQL"; continue; }
		start=pg_start; stop=pg_stop; restart=pg_restart
		rm -rf "$T/pg" ;;
	esac
	$start
	backend_env "$be"

	# A restart in the middle of a stream: put reconnects, nothing lost.
	rm -f "$T/fifo"; mkfifo "$T/fifo"
	store put <"$T/fifo" 2>"$T/put.err" &
	pid=$!
	exec 3>"$T/fifo"
	cat "$T/part1" >&3
	n=0; while [ "$(count)" -lt 150 ] && [ $n -lt 100 ]; do sleep 0.05; n=$((n + 1)); done
	$restart
	cat "$T/part2" >&3
	exec 3>&-
	rc=0; wait $pid || rc=$?
	is "$rc" 0 "$be: put survives a server restart mid-stream"
	run store query --type window
	same "$OUT" "$T/w.jsonl" "$be: every record once, in order, after the restart"

	# Gone mid-stream, no spool: retries for --retry-for, then exit 1,
	# saying what was not written.
	store prune --older-than 0s --now 2100-01-01 >/dev/null
	rm -f "$T/fifo"; mkfifo "$T/fifo"
	store put --retry-for 1s <"$T/fifo" 2>"$T/put.err" &
	pid=$!
	exec 3>"$T/fifo"
	cat "$T/part1" >&3
	n=0; while [ "$(count)" -lt 150 ] && [ $n -lt 100 ]; do sleep 0.05; n=$((n + 1)); done
	$stop
	cat "$T/part2" >&3
	exec 3>&-
	rc=0; wait $pid || rc=$?
	is "$rc" 1 "$be: put exits 1 when the server goes away for good"
	has "$T/put.err" "retrying for up to 1s" "$be: it says that it retries"
	has "$T/put.err" "150 records not written; stopping" "$be: and what was not written"

	# Down from the start: nothing is read, exit 1.
	run_in "$T/part1" store put --retry-for 300ms
	is_rc 1 "$be: put exits 1 when the server is down"
	has "$ERR" "(refused|failed)" "$be: and says why"
	run store query --type window --retry-for 0
	is_rc 1 "$be: query exits 1 when the server is down"

	# Down, with a spool: accepted, journaled, replayed in order later.
	run_in "$T/part1" store put --spool "$T/spool.$be" --retry-for 500ms --tee
	is_rc 0 "$be: put --spool exits 0 while the server is down"
	same "$OUT" "$T/part1" "$be: --tee passes the spooled records on"
	has "$ERR" "spooling to $T/spool.$be|still waiting|kept in" "$be: it says where the records went"
	is "$(cat "$T/spool.$be"/*.jsonl | wc -l | tr -d ' ')" 150 "$be: the spool holds them"
	$start
	# An empty store, and later input of other records at the same times.
	store prune --older-than 0s --now 2100-01-01 >/dev/null
	sed 's/}$/,"later":1}/' "$T/part1" >"$T/later"
	run_in "$T/later" store put --spool "$T/spool.$be"
	is_rc 0 "$be: put --spool exits 0 when the server is back"
	has "$ERR" "150 spooled records written from" "$be: it says the spool was replayed"
	is "$(ls "$T/spool.$be" | wc -l | tr -d ' ')" 0 "$be: the spool is empty again"
	run store query --type window
	# Ties come in put order: each spooled record before the later one.
	paste -d '\n' "$T/part1" "$T/later" >"$T/want"
	same "$OUT" "$T/want" "$be: the spool was written before the later input"
done

# Passwords never appear, whatever fails.
if have_redis; then
	redis-cli -p "$REDIS_PORT" config set requirepass 'S3cretPw!' >/dev/null
	run store stats --redis-url "redis://:S3cretPw!@127.0.0.1:$REDIS_PORT/0" -b redis
	is_rc 0 "redis: AUTH with the password from the URL"
	has "$OUT" '"where":"redis redis://:\*\*\*@127.0.0.1' "redis: stats masks the password"
	hasnt "$OUT" 'S3cretPw' "redis: and never shows it"
	run store stats --redis-url "redis://:wrongPw99@127.0.0.1:$REDIS_PORT/0" -b redis --retry-for 0
	is_rc 1 "redis: a wrong password fails"
	hasnt "$ERR" 'wrongPw99' "redis: the wrong password is not shown either"
	has "$ERR" 'AUTH' "redis: the message says AUTH failed"
	redis-cli -p "$REDIS_PORT" -a 'S3cretPw!' --no-auth-warning config set requirepass '' >/dev/null
	run store stats --redis-url "redis://127.0.0.1:$REDIS_PORT/3" -b redis
	is "$(jq -r .where "$OUT")" "redis redis://127.0.0.1:$REDIS_PORT/3" "redis: the database number is used"
	redis_stop
	run store put --redis-url "redis://:S3cretPw!@127.0.0.1:$REDIS_PORT/0" -b redis --retry-for 300ms </dev/null
	hasnt "$ERR" 'S3cretPw' "redis: no password when the server is down"
	run store put -b redis --redis-url "http://x" </dev/null
	is_rc 1 "redis: a URL that is not redis:// is refused"
	has "$ERR" "REDIS_URL does not start with redis://" "redis: and says so"
fi
if have_pg; then
	pg_stop
	run store stats -b timescale --retry-for 300ms \
	    --timescale "host=$PG_DIR port=5432 dbname=postgres user=postgres password=Hunter2pg"
	is_rc 1 "timescale: stats exits 1 when the server is down"
	hasnt "$ERR" 'Hunter2pg' "timescale: the password is not shown"
	has "$ERR" "timescale user=postgres dbname=postgres host=$PG_DIR port=5432: connect" "timescale: the message names the server"
	run store stats -b timescale --retry-for 0 \
	    --timescale "postgresql://postgres:Hunter2pg@localhost:1/postgres"
	hasnt "$ERR" 'Hunter2pg' "timescale: nor from a URI"
	unset TIMESCALE_CONNECTION_STRING
	run store stats -b timescale
	is_rc 1 "timescale: no connection string is an error"
	has "$ERR" "TIMESCALE_CONNECTION_STRING is not set" "timescale: and says so"
fi
done_testing
