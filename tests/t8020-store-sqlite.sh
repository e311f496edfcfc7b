#!/bin/sh
# store, sqlite: a reader running while a writer writes sees a growing,
# ordered prefix and no error; the WAL stays bounded; the dashboard's
# queries use indexes; an old schema is refused until `store migrate`;
# a file that cannot be opened is a clear error.
. "$(dirname "$0")/lib.sh"
STORAGE_BACKEND=sqlite
SQLITE_DB_PATH=$T/db/alerts.db
export STORAGE_BACKEND SQLITE_DB_PATH

awk 'BEGIN { for (i = 0; i < 20000; i++)
	printf "{\"type\":\"window\",\"key\":\"GET /k%d\",\"start\":%d,\"i\":%d}\n", i % 10, 1795701600 + int(i / 10) * 60, i }' >"$T/w.jsonl"

split -l 500 "$T/w.jsonl" "$T/chunk."
for f in "$T"/chunk.*; do cat "$f"; sleep 0.03; done | store put --batch 200 2>"$T/put.err" &
pid=$!
# Readers start once the writer has made the database (two processes
# creating one file at the same instant is not what this tests).
i=0
until [ -s "$SQLITE_DB_PATH" ] && store stats >/dev/null 2>&1; do
	i=$((i + 1)); [ $i -lt 100 ] || break; sleep 0.1
done
prev=0; bad=0; reads=0
while kill -0 $pid 2>/dev/null; do
	store query --type window >"$T/r" 2>>"$T/read.err" || bad=1
	n=$(lines "$T/r")
	[ "$n" -ge "$prev" ] || bad=1
	head -n "$n" "$T/w.jsonl" | cmp -s - "$T/r" || bad=1
	prev=$n; reads=$((reads + 1))
done
rc=0; wait $pid || rc=$?
is "$rc" 0 "the writer exits 0 with readers running"
ok "$bad" "each of $reads concurrent reads is an ordered prefix of the input"
ok "$([ -s "$T/read.err" ] && echo 1 || echo 0)" "no reader saw an error (busy, locked)"
[ ! -s "$T/read.err" ] || head -3 "$T/read.err" | diag_stream
run store query --type window
same "$OUT" "$T/w.jsonl" "all 20000 records, in order"
wal=$(stat -c %s "$SQLITE_DB_PATH-wal" 2>/dev/null || echo 0)
ok "$([ "$wal" -lt 67108864 ] && echo 0 || echo 1)" "the WAL stays bounded ($wal bytes)"
ok "$([ -d "$T/db" ] && echo 0 || echo 1)" "the parent directory of the file is made"

# The dashboard's three queries are index searches, with no sort step.
plan() { sqlite3 "$SQLITE_DB_PATH" "EXPLAIN QUERY PLAN $1"; }
plan "SELECT line FROM records WHERE type = 'alert' AND t >= 0 AND t < 9 ORDER BY t, id" >"$T/p1"
has "$T/p1" "USING INDEX records_type_t" "alerts by time use (type, t)"
hasnt "$T/p1" "TEMP B-TREE" "and need no sort"
plan "SELECT line FROM records WHERE type = 'window' AND key = 'GET /k1' AND t >= 0 AND t < 9 ORDER BY t, id" >"$T/p2"
has "$T/p2" "USING INDEX records_type_key_t" "one key's series uses (type, key, t)"
hasnt "$T/p2" "TEMP B-TREE" "and needs no sort"
plan "SELECT key, max(t) FROM records WHERE type = 'window' GROUP BY key" >"$T/p3"
has "$T/p3" "USING COVERING INDEX records_type_key_t" "latest window per key reads the index only"
run sqlite3 "$SQLITE_DB_PATH" "PRAGMA journal_mode"
is "$(cat "$OUT")" wal "the database is in WAL mode"

# A version 1 file is refused until it is migrated; nothing is lost.
rm -rf "$T/old.db"
sqlite3 "$T/old.db" "CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE records (id INTEGER PRIMARY KEY, type TEXT NOT NULL, key TEXT NOT NULL, t INTEGER NOT NULL, line TEXT NOT NULL);
CREATE INDEX records_type_t ON records (type, t);
CREATE TABLE state (key TEXT PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID;
INSERT INTO meta VALUES ('schema_version', '1');
INSERT INTO records (type, key, t, line) VALUES ('window', 'a', 0, '{\"type\":\"window\",\"key\":\"a\",\"start\":0}');"
run store query --type window --sqlite-path "$T/old.db"
is_rc 1 "an older schema is refused"
has "$ERR" "schema version 1 is older than 3: run 'store migrate'" "with what to do"
run store migrate --sqlite-path "$T/old.db"
is_rc 0 "migrate exits 0"
is "$(cat "$OUT")" "sqlite $T/old.db: schema version 1 migrated to 3" "migrate says what it did"
run store query --type window --sqlite-path "$T/old.db"
is "$(cat "$OUT")" '{"type":"window","key":"a","start":0}' "the records survive the migration"
run store migrate --sqlite-path "$T/old.db"
is "$(cat "$OUT")" "sqlite $T/old.db: schema version 3, up to date" "migrating again changes nothing"
sqlite3 "$T/old.db" "UPDATE meta SET value = '9' WHERE name = 'schema_version'"
run store stats --sqlite-path "$T/old.db"
is_rc 1 "a newer schema is refused"
has "$ERR" "schema version 9 is newer than this program's 3" "and named"

# A path that cannot be a database.
run store put --sqlite-path "$T" </dev/null
is_rc 1 "a directory is not a database"
has "$ERR" "^store: sqlite $T: unable to open database file" "and the message names it"
# Watermarks are clock ticks for the stages after store, not data: not
# stored, passed on in order by --tee, and a lone one is passed on at
# once in a live pipe, not held until more input comes.
SQLITE_DB_PATH=$T/wm.db
printf '%s\n' '{"type":"watermark","at":"2026-11-26T00:01:00Z"}' \
    '{"type":"alert","key":"k","state":"firing","at":"2026-11-26T00:01:00Z"}' \
    '{"type":"watermark","at":"2026-11-26T00:02:00Z"}' >"$T/wm.jsonl"
run store put --tee "$T/wm.jsonl"
is_rc 0 "watermarks: put exits 0"
is "$(jq -r .type "$OUT" | tr '\n' ' ')" "watermark alert watermark " "--tee passes them on, in order"
run store stats
is "$(jq -c '.types | keys' "$OUT")" '["alert"]' "only the alert is stored"
rm -f "$T/wmfifo"; mkfifo "$T/wmfifo"
store put --tee <"$T/wmfifo" >"$T/wmout" 2>"$T/wmerr" &
pid=$!
exec 3>"$T/wmfifo"
printf '%s\n' '{"type":"watermark","at":"2026-11-26T00:03:00Z"}' >&3
i=0
until [ -s "$T/wmout" ] || [ $i -ge 50 ]; do sleep 0.1; i=$((i + 1)); done
is "$(cat "$T/wmout")" '{"type":"watermark","at":"2026-11-26T00:03:00Z"}' "a lone watermark is passed on while the input stays open"
exec 3>&-
wait $pid
ok $? "put exits 0 at the end of its input"
done_testing
