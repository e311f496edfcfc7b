#!/bin/sh
# store put is idempotent, on every backend: the same file put twice
# leaves what putting it once leaves; copies within one input or one
# batch are stored once, the first where it was put; a line that differs
# in one byte is another record; a spool replayed again after a crash
# (its file written to the backend, not yet deleted) stores nothing
# twice; the README's storage flow run twice shows its alert once.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/servers.sh"
servers_trap

# Two alerts alike in id, key and time but not in text: two records.
cat >"$T/in.jsonl" <<'EOF'
{"type":"window","key":"GET /a","start":"2026-11-26T14:01:00.000Z","count":1}
{"type":"alert","id":"3b2ec0fe","key":"GET /a","state":"firing","at":"2026-11-26T14:02:00.000Z","summary":"p95 3.1x"}
{"type":"window","key":"GET /b","start":"2026-11-26T14:01:00.000Z","count":2}
{"type":"window","key":"GET /a","start":"2026-11-26T14:01:00.000Z","count":1}
{"timestamp":"2026-11-26T14:01:07.125Z","endpoint":"/api/x","status_code":200,"latency_ms":81.2}
{"type":"alert","id":"3b2ec0fe","key":"GET /a","state":"firing","at":"2026-11-26T14:02:00.000Z","summary":"p95 3.2x"}
{"type":"window","key":"GET /a","start":"2026-11-26T14:00:00.000Z","count":5}
{"type":"alert","id":"3b2ec0fe","key":"GET /a","state":"firing","at":"2026-11-26T14:02:00.000Z","summary":"p95 3.1x"}
EOF
# What putting it once must leave: each line once, the first copy's place.
printf '%s\n' 7 1 3 >"$T/want.window"
printf '%s\n' 2 6 >"$T/want.alert"
printf '%s\n' 5 >"$T/want.event"
pick() { while read -r _l; do sed -n "${_l}p" "$T/in.jsonl"; done <"$1"; }
for type in window alert event; do pick "$T/want.$type" >"$T/expect.$type"; done

queries_same() {	# queries_same BE WHAT: every type as putting once leaves it
	for type in window alert event; do
		run store query --type "$type"
		same "$OUT" "$T/expect.$type" "$1: $2: every $type once"
	done
	run store query --type window --key "GET /a"
	sed -n '1,2p' "$T/expect.window" >"$T/want"
	same "$OUT" "$T/want" "$1: $2: one series, each window once"
}

# The memory backend lives in one process: the copies are skipped there.
STORAGE_BACKEND=memory
export STORAGE_BACKEND
cat "$T/in.jsonl" "$T/in.jsonl" >"$T/twice"
run store put --tee --batch 3 "$T/twice"
is_rc 0 "memory: put exits 0"
has "$ERR" "^store: 10 records were already stored, not stored again$" "memory: copies across and within batches are skipped"
same "$OUT" "$T/twice" "memory: --tee still passes every record on"

for be in sqlite redis timescale; do
	case $be in
	redis) have_redis || { ok 0 "# SKIP redis: no redis-server"; continue; }
		redis_start ;;
	timescale) have_pg || { ok 0 "# SKIP timescale: no PostgreSQL"; continue; }
		pg_start ;;
	esac
	backend_env "$be"

	run store put "$T/in.jsonl"
	is_rc 0 "$be: put exits 0"
	has "$ERR" "^store: 2 records were already stored, not stored again$" "$be: copies within one batch are counted"
	queries_same "$be" "put once"

	run store put "$T/in.jsonl"
	is_rc 0 "$be: the same file put again exits 0"
	has "$ERR" "^store: 8 records were already stored, not stored again$" "$be: and says that it stored nothing"
	queries_same "$be" "put twice"

	# One record a batch: the copies are in other batches.
	run store put --batch 1 "$T/in.jsonl"
	is_rc 0 "$be: put --batch 1 exits 0"
	queries_same "$be" "one record a batch"
	run store stats
	is "$(jq .duplicates "$OUT")" 18 "$be: stats count the records skipped"

	# A crash after the spooled batch was written, before its file was
	# deleted: the next put replays the file, and the store has it.
	mkdir -p "$T/spool.$be"
	{ sed -n '1,3p' "$T/in.jsonl"
	  echo '{"type":"window","key":"GET /c","start":"2026-11-26T14:03:00.000Z","count":9}'
	} >"$T/spool.$be/00000000000000000001.jsonl"
	run store put --spool "$T/spool.$be" </dev/null
	is_rc 0 "$be: the replay exits 0"
	has "$ERR" "^store: 3 records were already stored, not stored again$" "$be: the replayed records already stored are skipped"
	run store query --type window
	{ cat "$T/expect.window"
	  echo '{"type":"window","key":"GET /c","start":"2026-11-26T14:03:00.000Z","count":9}'
	} >"$T/want"
	same "$OUT" "$T/want" "$be: the replay adds only the new record"
	run store query --type alert
	same "$OUT" "$T/expect.alert" "$be: and no alert twice"
done

# Two writers putting the same records at once, in small batches: each
# record is stored by one of them, once.
awk 'BEGIN { for (i = 0; i < 3000; i++)
	printf "{\"type\":\"window\",\"key\":\"GET /r%d\",\"start\":%d,\"i\":%d}\n", i % 5, 1795183200 + int(i / 5) * 60, i }' >"$T/race"
for be in sqlite redis timescale; do
	case $be in
	redis) have_redis || { ok 0 "# SKIP redis: no redis-server"; continue; } ;;
	timescale) have_pg || { ok 0 "# SKIP timescale: no PostgreSQL"; continue; } ;;
	esac
	backend_env "$be"
	store put --batch 50 "$T/race" 2>"$T/race.1" & p1=$!
	store put --batch 50 "$T/race" 2>"$T/race.2" & p2=$!
	rc1=0; wait $p1 || rc1=$?
	rc2=0; wait $p2 || rc2=$?
	is "$rc1 $rc2" "0 0" "$be: two writers at once exit 0"
	run store query --type window --since 2026-11-20 --until 2026-11-21
	same "$OUT" "$T/race" "$be: every record once, in order"
	is "$(cat "$T/race.1" "$T/race.2" | sed -n 's/^store: \([0-9]*\) records\{0,1\} w[a-z]* already stored.*/\1/p' | awk '{ s += $1 } END { print s + 0 }')" \
	    3000 "$be: what one stored, the other skipped"
done

# The same crash with a real outage: the batch is spooled while the
# server is down, written when it is back, and its file (saved before
# the replay, as a crash would have left it) is replayed once more.
for be in redis timescale; do
	case $be in
	redis) have_redis || { ok 0 "# SKIP redis: no redis-server"; continue; }
		stop=redis_stop; start=redis_start ;;
	timescale) have_pg || { ok 0 "# SKIP timescale: no PostgreSQL"; continue; }
		stop=pg_stop; start=pg_start ;;
	esac
	backend_env "$be"
	store prune --older-than 0s --now 2100-01-01 >/dev/null
	$stop
	run_in "$T/in.jsonl" store put --spool "$T/out.$be" --retry-for 300ms
	is_rc 0 "$be: down: put --spool exits 0"
	mkdir -p "$T/saved.$be"
	cp "$T/out.$be"/0*.jsonl "$T/saved.$be/"
	$start
	run store put --spool "$T/out.$be" </dev/null
	is_rc 0 "$be: back: the spool is written"
	cp "$T/saved.$be"/0*.jsonl "$T/out.$be/"
	run store put --spool "$T/out.$be" </dev/null
	is_rc 0 "$be: the file left by the crash is replayed"
	has "$ERR" "^store: 8 records were already stored, not stored again$" "$be: all of it already stored"
	is "$(ls "$T/out.$be" | wc -l | tr -d ' ')" 0 "$be: the spool is empty"
	queries_same "$be" "spool replayed twice"
done

# The README's storage flow, run twice: its alert is stored once.
backend_env sqlite
SQLITE_DB_PATH=$T/readme.db
inject --scenario latency-ramp --seed 7 --hours 1.5 --degrade-at 1h \
    --start 2026-11-26T11:00:00Z -o "$T/ev.jsonl"
run "$TOP/scripts/pipeline" --before-alert 'store put --tee' "$T/ev.jsonl"
is_rc 0 "README flow: the first run exits 0"
cp "$OUT" "$T/console"
store query --type alert --since 2026-11-25 | alert >"$T/once"
has "$T/once" "^\[critical\] firing .* \(id [0-9a-f]{8}\)$" "README flow: the stored alert is shown"
run "$TOP/scripts/pipeline" --before-alert 'store put --tee' "$T/ev.jsonl"
is_rc 0 "README flow: the second run exits 0"
same "$OUT" "$T/console" "README flow: and alerts as the first did"
run store query --type alert --since 2026-11-25
is "$(jq -r .id "$OUT" | sort | uniq -d | wc -l | tr -d ' ')" 0 "README flow: no alert id is stored twice"
store query --type alert --since 2026-11-25 | alert >"$T/twice"
same "$T/twice" "$T/once" "README flow: store query | alert shows each alert once"
done_testing
