#!/bin/sh
# store migrate from the schemas before records had an identity (SQLite
# and PostgreSQL version 2, Redis version 1), on stores that hold copies
# of records put twice: the old schema is refused until migrated; migrate
# keeps the copy put first, removes the others (across Redis's pages,
# PostgreSQL's partitions and its default partition), says how many and
# counts them; afterwards the store is idempotent like a new one.  The
# digest is BLAKE2b-128 of the line, as b2sum(1) computes it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/servers.sh"
servers_trap

# 1200 windows, a minute apart from 10:00 (so past midnight), then all of
# them again, then the first 100 a third time, then an alert twice: in
# put order, as TSV: sequence number, ms, type, key, line.
awk 'BEGIN {
	t0 = 1795687200000	# 2026-11-26T10:00:00Z
	for (i = 0; i < 1200; i++) {
		t[i] = sprintf("%.0f", t0 + i * 60000); k[i] = "k" (i % 3)
		l[i] = sprintf("{\"type\":\"window\",\"key\":\"%s\",\"start\":%s,\"i\":%d}", k[i], t[i], i)
	}
	for (i = 0; i < 1200; i++) print ++n "\t" t[i] "\twindow\t" k[i] "\t" l[i]
	for (i = 0; i < 1200; i++) print ++n "\t" t[i] "\twindow\t" k[i] "\t" l[i]
	for (i = 0; i < 100; i++) print ++n "\t" t[i] "\twindow\t" k[i] "\t" l[i]
	a = "{\"type\":\"alert\",\"id\":\"3b2ec0fe\",\"key\":\"k0\",\"at\":\"2026-11-26T11:00:00.000Z\"}"
	print ++n "\t1795690800000\talert\tk0\t" a
	print ++n "\t1795690800000\talert\tk0\t" a
}' >"$T/old.tsv"
cut -f5 "$T/old.tsv" | sed -n '1,1200p' >"$T/windows"
awk -F'\t' 'NR <= 1200 && $4 == "k1" { print $5 }' "$T/old.tsv" >"$T/k1"
cut -f5 "$T/old.tsv" | tail -n 1 >"$T/alert"
REMOVED=1301

after_migrate() {	# after_migrate BE VERSION: the store as if each record was put once
	run store query --type window
	same "$OUT" "$T/windows" "$1: every window once, in order"
	run store query --type window --key k1
	same "$OUT" "$T/k1" "$1: one series, each window once"
	run store query --type alert
	same "$OUT" "$T/alert" "$1: the alert once"
	run store stats
	is "$(jq -c '[.schema_version, .types.window.count, .duplicates]' "$OUT")" \
	    "[$2,1200,$REMOVED]" "$1: stats: the new schema, the windows, the removed copies"
	run store put "$T/windows" "$T/alert"
	is_rc 0 "$1: putting the records again exits 0"
	has "$ERR" "^store: 1201 records were already stored, not stored again$" "$1: and stores nothing: it is idempotent now"
	run store query --type window
	same "$OUT" "$T/windows" "$1: still every window once"
	run store migrate
	has "$OUT" "schema version $2, up to date$" "$1: migrating again changes nothing"
}

# --- sqlite, version 2 ------------------------------------------------
backend_env sqlite
{
	cat <<'EOF'
BEGIN;
CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE records (id INTEGER PRIMARY KEY, type TEXT NOT NULL, key TEXT NOT NULL, t INTEGER NOT NULL, line TEXT NOT NULL);
CREATE INDEX records_type_t ON records (type, t);
CREATE TABLE state (key TEXT PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID;
CREATE INDEX records_type_key_t ON records (type, key, t);
INSERT INTO meta VALUES ('schema_version', '2');
EOF
	awk -F'\t' '{ printf "INSERT INTO records (type, key, t, line) VALUES (\047%s\047, \047%s\047, %s, \047%s\047);\n", $3, $4, $2, $5 }' "$T/old.tsv"
	echo 'COMMIT;'
} | sqlite3 "$SQLITE_DB_PATH"
run store query --type window
is_rc 1 "sqlite: a version 2 store is refused"
has "$ERR" "schema version 2 is older than 3: run 'store migrate'" "sqlite: with what to do"
run store migrate
is_rc 0 "sqlite: migrate exits 0"
is "$(cat "$OUT")" "sqlite $SQLITE_DB_PATH: schema version 2 migrated to 3, $REMOVED duplicate records removed" \
    "sqlite: migrate says how many copies it removed"
is "$(sqlite3 "$SQLITE_DB_PATH" "SELECT min(id) FROM records WHERE type = 'alert'")" 2501 \
    "sqlite: the copy put first is the one kept"
is "$(sqlite3 "$SQLITE_DB_PATH" "SELECT lower(hex(digest)) FROM records WHERE type = 'alert'")" \
    "$(printf '%s' "$(cat "$T/alert")" | b2sum -l 128 | cut -d' ' -f1)" \
    "sqlite: the digest is BLAKE2b-128 of the line, as b2sum computes it"
after_migrate sqlite 3

# --- redis, version 1 -------------------------------------------------
if have_redis; then
	redis_start
	backend_env redis
	P=$REDIS_KEY_PREFIX
	# The version 1 layout, in the protocol itself (the lines hold quotes).
	awk -F'\t' -v p="$P" '
	function cmd(n, a,   s, i) {
		s = "*" n "\r\n"
		for (i = 1; i <= n; i++) s = s "$" length(a[i]) "\r\n" a[i] "\r\n"
		printf "%s", s
	}
	{
		m = sprintf("%016x", $1)
		a[1] = "HSET"; a[2] = p "r:" $3; a[3] = m; a[4] = $5; cmd(4, a)
		a[1] = "ZADD"; a[2] = p "t:" $3; a[3] = $2; a[4] = m; cmd(4, a)
		a[1] = "ZADD"; a[2] = p "k:" $3 ":" $4; a[3] = $2; a[4] = m; cmd(4, a)
		a[1] = "SADD"; a[2] = p "keys:" $3; a[3] = $4; cmd(3, a)
		a[1] = "SADD"; a[2] = p "types"; a[3] = $3; cmd(3, a)
		last = $1
	}
	END {
		a[1] = "SET"; a[2] = p "seq"; a[3] = last; cmd(3, a)
		a[1] = "HSET"; a[2] = p "meta"; a[3] = "schema_version"; a[4] = "1"; cmd(4, a)
		# A migration cut short before: its digests are rebuilt.
		a[1] = "ZADD"; a[2] = p "d:window"; a[3] = "0"; a[4] = "stale"; cmd(4, a)
	}' "$T/old.tsv" >"$T/old.resp"
	redis-cli -p "$REDIS_PORT" --pipe <"$T/old.resp" >/dev/null
	run store query --type window
	is_rc 1 "redis: a version 1 store is refused"
	has "$ERR" "schema version 1 is older than 2: run 'store migrate'" "redis: with what to do"
	run store migrate
	is_rc 0 "redis: migrate exits 0"
	has "$OUT" "^redis redis://127.0.0.1:$REDIS_PORT/0: schema version 1 migrated to 2, $REMOVED duplicate records removed$" \
	    "redis: migrate says how many copies it removed"
	is "$(redis-cli -p "$REDIS_PORT" zcard "${P}d:window")" 1200 "redis: one digest a window, the stale one gone"
	is "$(redis-cli -p "$REDIS_PORT" hlen "${P}r:window") $(redis-cli -p "$REDIS_PORT" zcard "${P}k:window:k1")" \
	    "1200 400" "redis: the copies' lines and series members are gone"
	is "$(redis-cli -p "$REDIS_PORT" hexists "${P}r:alert" 00000000000009c5)" 1 \
	    "redis: the copy put first is the one kept"
	after_migrate redis 2
	# Retention keeps the digests in step.
	run store prune --older-than 0s --now 2100-01-01
	is "$(redis-cli -p "$REDIS_PORT" exists "${P}d:window")" 0 "redis: prune removes the digests too"
	run store put "$T/windows"
	is "$(lines "$ERR")" 0 "redis: pruned records are stored again"
fi

# --- timescale (PostgreSQL), version 2 --------------------------------
if have_pg; then
	pg_start
	backend_env timescale
	psql_q "CREATE TABLE sb_meta (name text PRIMARY KEY, value text NOT NULL);
	CREATE SEQUENCE sb_records_id_seq;
	CREATE TABLE sb_records (t timestamptz NOT NULL,
	    id bigint NOT NULL DEFAULT nextval('sb_records_id_seq'),
	    type text NOT NULL, key text NOT NULL, line text NOT NULL) PARTITION BY RANGE (t);
	CREATE TABLE sb_records_default PARTITION OF sb_records DEFAULT;
	CREATE INDEX sb_records_type_t ON sb_records (type, t, id);
	CREATE TABLE sb_state (key text PRIMARY KEY, value bytea NOT NULL);
	INSERT INTO sb_meta VALUES ('layout', 'partitioned');
	CREATE INDEX sb_records_type_key_t ON sb_records (type, key, t, id);
	INSERT INTO sb_meta VALUES ('schema_version', '2');
	CREATE TABLE sb_records_p20261126 PARTITION OF sb_records
	    FOR VALUES FROM ('2026-11-26 00:00:00+00') TO ('2026-11-27 00:00:00+00');" >/dev/null
	# The rows past midnight go to the default partition.
	psql_q "CREATE TABLE stage (id bigint, ms bigint, type text, key text, line text)"
	psql_q "\\copy stage FROM '$T/old.tsv'"
	psql_q "INSERT INTO sb_records (t, id, type, key, line) SELECT
	    timestamptz 'epoch' + ms * interval '1 millisecond', id, type, key, line
	    FROM stage ORDER BY id; DROP TABLE stage;
	    SELECT setval('sb_records_id_seq', 2502)" >/dev/null
	is "$(psql_q "SELECT count(*) FROM sb_records_default")" 720 "timescale: copies in the default partition too"
	run store query --type window
	is_rc 1 "timescale: a version 2 store is refused"
	has "$ERR" "schema version 2 is older than 3: run 'store migrate'" "timescale: with what to do"
	run store migrate
	is_rc 0 "timescale: migrate exits 0"
	has "$OUT" ": schema version 2 migrated to 3, $REMOVED duplicate records removed$" \
	    "timescale: migrate says how many copies it removed"
	is "$(psql_q "SELECT min(id) FROM sb_records WHERE type = 'alert'")" 2501 \
	    "timescale: the copy put first is the one kept"
	is "$(psql_q "SELECT encode(digest, 'hex') FROM sb_records WHERE type = 'alert'")" \
	    "$(printf '%s' "$(cat "$T/alert")" | b2sum -l 128 | cut -d' ' -f1)" \
	    "timescale: the digest is BLAKE2b-128 of the line"
	after_migrate timescale 3
	# The put above made the partition of the 27th out of the default
	# one, moving its rows; each is still there once.
	is "$(psql_q "SELECT count(*) FROM sb_records_p20261127") $(psql_q "SELECT count(*) FROM sb_records_default")" \
	    "360 0" "timescale: the rows of a new day's partition moved out of the default"
	is "$(psql_q "SELECT count(*) FROM pg_indexes WHERE tablename = 'sb_records_p20261127' AND indexdef LIKE 'CREATE UNIQUE INDEX%(t, digest)'")" 1 \
	    "timescale: and the new partition has the unique index"
fi
done_testing
