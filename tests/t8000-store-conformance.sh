#!/bin/sh
# store: one conformance suite, run against all four backends, each on a
# server of its own started fresh: the library suite (tests/unit/
# test_store.c) and then the store tool: round trip of every record type,
# byte for byte, time-range and key queries, order, limit, prune, stats,
# injection strings, bad lines.  Memory's documented difference: nothing
# survives the process.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/servers.sh"
servers_trap

cat >"$T/all.jsonl" <<'EOF'
{"type":"window","key":"GET /a","start":"2026-11-26T14:02:00.000Z","count":1}
{"type":"window","key":"GET /b","start":"2026-11-26T14:01:00.000Z","count":2}
{"timestamp":"2026-11-26T14:03:07.125Z","endpoint":"/api/orders/1","status_code":503,"latency_ms":812.4}
{"type":"window","key":"GET /a","start":"2026-11-26T14:02:00.000Z","count":3}
{"type":"signal","key":"GET /a","at":"2026-11-26T14:21:00.000Z","metric":"latency_p95"}
{"type":"alert","id":"9f","key":"GET /a","started":"2026-11-26T14:06:00.000Z","at":"2026-11-26T14:21:00.000Z"}
{"type":"truth","key":"GET /a","start":"2026-11-26T14:00:00.000Z","end":null}
{"type":"noise","kind":"burst","key":"GET /b","start":"2026-11-26T14:10:00.000Z"}
{"type":"window","key":"k'; DROP TABLE records; --\r\n*1\r\n$8\r\nFLUSHALL\r\n\"q\"","start":"2026-11-26T14:00:00.000Z","v":"x\ty\\z \u00e9 \"\r\n'); DELETE FROM sb_state; --"}
{"type":"alert","id":"9f","key":"GET /a","started":"2026-11-26T14:06:00.000Z"}
{"ts":1795701787125,"path":"/x","status":200,"latency":1}
{"type":"window","key":"GET /a","start":"2026-11-26T14:05:00.000Z","count":4}
EOF
pick() {	# pick N...: those lines of all.jsonl, in that order
	for _l; do sed -n "${_l}p" "$T/all.jsonl"; done
}
EVIL=$(printf 'k'"'"'; DROP TABLE records; --\r\n*1\r\n$8\r\nFLUSHALL\r\n"q"')

for be in memory sqlite redis timescale; do
	case $be in
	redis) have_redis || { ok 0 "# SKIP redis: no redis-server"; continue; }
		rm -rf "$T/redis"; redis_start ;;
	timescale) have_pg || { ok 0 "# SKIP timescale: no PostgreSQL"; continue; }
		rm -rf "$T/pg"; pg_start ;;
	esac
	backend_env "$be"

	run "$SB_UNIT/test_store"
	is_rc 0 "$be: library conformance suite ($(grep -c '^ok' "$OUT") checks)"
	grep -A2 '^not ok' "$OUT" | head -20 | diag_stream

	# The tool's part starts on an empty store of the same backend.
	case $be in
	sqlite) SQLITE_DB_PATH=$T/tool.db ;;
	redis) REDIS_KEY_PREFIX="sbtool:" ;;
	timescale) psql_q "CREATE DATABASE tool"
		TIMESCALE_CONNECTION_STRING="host=$PG_DIR port=5432 dbname=tool user=postgres" ;;
	esac

	if [ "$be" = memory ]; then
		run store put "$T/all.jsonl"
		is_rc 0 "memory: put exits 0"
		run store query --type window
		is_rc 0 "memory: query exits 0"
		is "$(lines "$OUT")" 0 "memory: nothing survives the process (by design)"
		run_in "$T/all.jsonl" store put --tee
		same "$OUT" "$T/all.jsonl" "memory: put --tee passes every record on"
		continue
	fi

	run store init
	is_rc 0 "$be: init exits 0"
	has "$OUT" "schema version [0-9]+( created|, up to date)" "$be: init names the schema version"
	run_in "$T/all.jsonl" store put
	is_rc 0 "$be: put exits 0"
	is "$(lines "$OUT")" 0 "$be: put without --tee writes nothing"

	for spec in "window 9 2 1 4 12" "event 3 11" "alert 10 6" "signal 5" \
	    "truth 7" "noise 8"; do
		set -- $spec
		type=$1; shift
		pick "$@" >"$T/want"
		run store query --type "$type"
		is_rc 0 "$be: query --type $type exits 0"
		same "$OUT" "$T/want" "$be: every $type comes back verbatim, in time order, ties in put order"
	done
	pick 1 4 12 >"$T/want"
	run store query --type window --key "GET /a"
	same "$OUT" "$T/want" "$be: --key selects one series"
	pick 9 >"$T/want"
	run store query --type window --key "$EVIL"
	same "$OUT" "$T/want" "$be: an injection key matches verbatim"
	pick 2 1 4 >"$T/want"
	run store query --type window --since 2026-11-26T14:01 --until 2026-11-26T14:05
	same "$OUT" "$T/want" "$be: --since inclusive, --until exclusive"
	pick 9 2 >"$T/want"
	run store query --type window --limit 2
	same "$OUT" "$T/want" "$be: --limit"
	run store query --type nosuch
	is "$RC:$(lines "$OUT")" "0:0" "$be: an unknown type is empty, not an error"

	run store stats
	is_rc 0 "$be: stats exits 0"
	is "$(jq -c '[.types.window.count, .types.event.count, .types.alert.first, .types.signal.last]' "$OUT")" \
	    '[5,2,"2026-11-26T14:06:00.000Z","2026-11-26T14:21:00.000Z"]' "$be: stats counts and spans"

	# Relative to the newest record (14:21), not to the clock.
	run store prune --older-than 10m
	is_rc 0 "$be: prune exits 0"
	is "$(cat "$OUT")" "pruned 10 records older than 2026-11-26T14:11:00.000Z" "$be: prune counts what it removed"
	pick 10 6 >"$T/want"
	run store query --type alert
	is "$(lines "$OUT")" 1 "$be: prune removes the older alert"
	run store query --type window
	is "$(lines "$OUT")" 0 "$be: and every window"
	run store prune --older-than 1h --now 2026-11-26T15:21:30Z
	is "$(cat "$OUT")" "pruned 2 records older than 2026-11-26T14:21:30.000Z" "$be: --now sets the reference time"

	# Bad lines: reported with their place, counted, skipped.
	printf '%s\n' '{"type":"window","key":"a","start":"2026-11-26T15:00:00Z"}' 'nope' \
	    '{"type":"window","key":"a"}' '{"type":"window","key":"a","start":"soon"}' \
	    '{"type":"a b","at":"2026-11-26T15:00:00Z"}' '{"type":"window","key":7,"start":"2026-11-26T15:00:00Z"}' \
	    >"$T/bad.jsonl"
	run store put "$T/bad.jsonl"
	is_rc 0 "$be: bad lines do not fail put"
	has "$ERR" "^store: $T/bad.jsonl:2: invalid JSON" "$be: invalid JSON is reported with its line"
	has "$ERR" ":3: missing 'start'$" "$be: a window without its time"
	has "$ERR" ":4: 'start' is not an RFC 3339 time or epoch number$" "$be: a bad time"
	has "$ERR" ":5: 'type' is not a record type name" "$be: a bad type name"
	has "$ERR" ":6: 'key' is not a string$" "$be: a key that is not a string"
	has "$ERR" "^store: 5 bad lines skipped of 6 read$" "$be: the summary"
	run store query --type window
	is "$(lines "$OUT")" 1 "$be: the good line is stored"
	run store put --strict "$T/bad.jsonl"
	is_rc 1 "$be: --strict makes the first bad line fatal"
	hasnt "$ERR" "bad.jsonl:3:" "$be: --strict reads no further"
done

# Usage.
run store -h
is_rc 0 "-h exits 0"
has "$OUT" "^usage: store put" "-h prints the usage on stdout"
run store
is_rc 2 "no command is a usage error"
run store frobnicate
is_rc 2 "an unknown command is a usage error"
run store query
is_rc 2 "query without --type is a usage error"
has "$ERR" "query: --type is required" "and says so"
run store prune
is_rc 2 "prune without --older-than is a usage error"
run store query --type window --since yesterday
is_rc 2 "a bad time is a usage error"
run store put -b mongodb
is_rc 2 "an unknown backend is a usage error"
done_testing
