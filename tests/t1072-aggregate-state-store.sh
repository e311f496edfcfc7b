#!/bin/sh
# aggregate --state store:NAME: the state kept in the storage backend
# (SQLite, then Redis, each a real one) goes on across runs as a file
# does: a stream cut in two gives the windows of one run, and the state
# in the backend is the same bytes as the file.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/servers.sh"
servers_trap

inject --scenario error-creep --seed 9 --hours 0.5 --degrade-at 10m \
    --start 2026-11-26T10:00:00Z >"$T/ev.jsonl"
n=$(lines "$T/ev.jsonl")
head -n $((n / 3)) "$T/ev.jsonl" >"$T/p1"
tail -n +$((n / 3 + 1)) "$T/ev.jsonl" >"$T/p2"
aggregate --windows 1m,5m "$T/ev.jsonl" >"$T/whole"
aggregate --windows 1m,5m --state "$T/file" "$T/p1" >/dev/null

backends=sqlite
have_redis && { redis_start; backends="$backends redis"; }
for b in $backends; do
	backend_env "$b"
	run aggregate --windows 1m,5m --state store:agg "$T/p1"
	is_rc 0 "$b: the first run exits 0"
	cp "$OUT" "$T/o1"
	ok "$([ ! -e "store:agg" ] && echo 0 || echo 1)" "$b: no file is made"
	case $b in
	sqlite)	sqlite3 "$SQLITE_DB_PATH" "SELECT writefile('$T/got', value) FROM state WHERE key = 'agg'" >/dev/null ;;
	redis)	redis-cli -u "$REDIS_URL" --no-raw HGET "${REDIS_KEY_PREFIX}state" agg >/dev/null 2>&1 &&
		redis-cli -u "$REDIS_URL" HGET "${REDIS_KEY_PREFIX}state" agg | head -c -1 >"$T/got" ;;
	esac
	same "$T/got" "$T/file" "$b: the state in the backend is the file's bytes"
	run aggregate --windows 1m,5m --state store:agg --final "$T/p2"
	is_rc 0 "$b: the second run exits 0"
	cat "$T/o1" "$OUT" >"$T/joined"
	same "$T/joined" "$T/whole" "$b: two runs through the backend equal one run"
	run aggregate --windows 1m --state store:agg "$T/p2"
	is_rc 1 "$b: a run with other options refuses the state"
	has "$ERR" "^aggregate: store:agg:3: the state was saved with --windows 1m,5m" \
	    "$b: and names it as store:NAME:LINE"
done
done_testing
