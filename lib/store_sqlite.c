/*
 * store_sqlite.c - the SQLite backend.
 *
 * One file in WAL mode, synchronous=FULL (a commit is on disk before put
 * returns), a busy timeout so that several writers queue instead of
 * failing, one transaction per batch, prepared statements only.  The
 * indexes serve the dashboard: (type, t) for "alerts by time" and every
 * type's time range, (type, key, t) for one key's series and the latest
 * window per key.  Both end in the rowid, so ties come back in insertion
 * order without a sort.
 *
 * Queries read in pages, each page its own short read transaction, and a
 * writer runs a RESTART checkpoint every CHECKPOINT_EVERY commits, so a
 * reader that never stops cannot keep the WAL growing.
 *
 * A record's identity is its digest (store.h), unique with its time in
 * the index records_t_digest: (t, digest) rather than digest alone
 * because the time of a stream mostly grows, so the index is appended
 * to, not written at random pages.  An insert that conflicts is skipped
 * and counted in meta's 'duplicates'.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "file.h"
#include "store.h"
#include "store_impl.h"

#define SCHEMA_NOW		3
#define CHECKPOINT_EVERY	64
#define BUSY_TIMEOUT_MS		10000

/* Migration N takes the schema from version N - 1 to N. */
static const char *const migrations[SCHEMA_NOW + 1] = {
	NULL,
	"CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, "
	"    value TEXT NOT NULL);"
	"CREATE TABLE records (id INTEGER PRIMARY KEY, type TEXT NOT NULL, "
	"    key TEXT NOT NULL, t INTEGER NOT NULL, line TEXT NOT NULL);"
	"CREATE INDEX records_type_t ON records (type, t);"
	"CREATE TABLE state (key TEXT PRIMARY KEY, value BLOB NOT NULL) "
	"    WITHOUT ROWID;",
	"CREATE INDEX records_type_key_t ON records (type, key, t);",
	/* Then migrate_digests(): the digests, duplicates out, the index. */
	"ALTER TABLE records ADD COLUMN digest BLOB;"
	"UPDATE records SET digest = sb_digest(line);"
};

/* Migration 3, after its statements: the first copy of each record stays. */
#define DEDUPLICATE \
	"DELETE FROM records WHERE id NOT IN " \
	"    (SELECT min(id) FROM records GROUP BY t, digest)"
#define UNIQUE_INDEX \
	"CREATE UNIQUE INDEX records_t_digest ON records (t, digest)"
#define COUNT_DUPLICATES \
	"INSERT INTO meta VALUES ('duplicates', ?1) ON CONFLICT (name) " \
	"    DO UPDATE SET value = value + excluded.value"

enum { S_INSERT, S_PAGE, S_PAGE_KEY, S_GET, S_PUT, S_DEL, S_KEYS, S_DUPS,
    S_N };

static const char *const sql[S_N] = {
	"INSERT INTO records (type, key, t, line, digest) "
	"    VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (t, digest) DO NOTHING",
	/*
	 * The rest of the cursor's time, then the times after it: each
	 * half seeks in its index, so a page costs the same however many
	 * records share one time ("t >= ?2 AND (t > ?2 OR id > ?4)" scanned
	 * every earlier tie at each page: a million windows of one minute
	 * took 69 s instead of 2).
	 */
	"SELECT id, t, line FROM records WHERE type = ?1 AND t = ?2 "
	"    AND t < ?3 AND id > ?4 "
	"UNION ALL SELECT id, t, line FROM records WHERE type = ?1 "
	"    AND t > ?2 AND t < ?3 ORDER BY t, id LIMIT ?5",
	"SELECT id, t, line FROM records WHERE type = ?1 AND key = ?6 "
	"    AND t = ?2 AND t < ?3 AND id > ?4 "
	"UNION ALL SELECT id, t, line FROM records WHERE type = ?1 "
	"    AND key = ?6 AND t > ?2 AND t < ?3 ORDER BY t, id LIMIT ?5",
	"SELECT value FROM state WHERE key = ?1",
	"INSERT INTO state (key, value) VALUES (?1, ?2) "
	"    ON CONFLICT (key) DO UPDATE SET value = excluded.value",
	"DELETE FROM state WHERE key = ?1",
	"SELECT key FROM state WHERE key >= ?1 ORDER BY key",
	COUNT_DUPLICATES,
};

struct lite {
	sqlite3		*db;
	sqlite3_stmt	*stmt[S_N];
	unsigned	 commits;
};

static int
fail(struct sb_store *st, const char *what)
{
	struct lite *l = st->be;
	int code = sqlite3_extended_errcode(l->db) & 0xff;

	return sb_store_seterr(st, code == SQLITE_BUSY || code == SQLITE_LOCKED ?
	    SB_STORE_TRANSIENT : -1, "%s: %s: %s", st->desc, what,
	    sqlite3_errmsg(l->db));
}

static int
exec(struct sb_store *st, const char *s)
{
	struct lite *l = st->be;

	if (sqlite3_exec(l->db, s, NULL, NULL, NULL) != SQLITE_OK)
		return fail(st, s);
	return 0;
}

/* sqlite cannot create the directory of a new file; make the last one. */
static int
schema_version(struct sb_store *st, int *v)
{
	struct lite *l = st->be;
	sqlite3_stmt *s;
	int rc;

	*v = 0;
	if (sqlite3_prepare_v2(l->db, "SELECT count(*) FROM sqlite_master "
	    "WHERE type = 'table' AND name = 'meta'", -1, &s, NULL) != SQLITE_OK)
		return fail(st, "reading the schema");
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW && sqlite3_column_int(s, 0) == 1) {
		sqlite3_finalize(s);
		if (sqlite3_prepare_v2(l->db, "SELECT value FROM meta WHERE "
		    "name = 'schema_version'", -1, &s, NULL) != SQLITE_OK)
			return fail(st, "reading the schema version");
		rc = sqlite3_step(s);
		if (rc == SQLITE_ROW)
			*v = sqlite3_column_int(s, 0);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return fail(st, "reading the schema version");
	return 0;
}

/* sb_digest(line): the record's identity, for migration 3. */
static void
digest_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	unsigned char d[SB_STORE_DIGEST];

	sb_store_digest((const char *)sqlite3_value_text(argv[0]),
	    (size_t)sqlite3_value_bytes(argv[0]), d);
	sqlite3_result_blob(ctx, d, sizeof d, SQLITE_TRANSIENT);
}

/*
 * Copies of one record, stored before puts were idempotent, go: the one
 * put first stays, the count of the others is kept with the skipped.
 */
static int
deduplicate(struct sb_store *st)
{
	struct lite *l = st->be;
	sqlite3_stmt *s;
	int rc;

	if ((rc = exec(st, DEDUPLICATE)) != 0)
		return rc;
	st->migrate_removed = (uint64_t)sqlite3_changes(l->db);
	if ((rc = exec(st, UNIQUE_INDEX)) != 0)
		return rc;
	if (st->migrate_removed == 0)
		return 0;
	if (sqlite3_prepare_v2(l->db, COUNT_DUPLICATES, -1, &s, NULL) !=
	    SQLITE_OK)
		return fail(st, "counting duplicates");
	sqlite3_bind_int64(s, 1, (sqlite3_int64)st->migrate_removed);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : fail(st, "counting duplicates");
}

static int
schema(struct sb_store *st)
{
	char set[128];
	int v, rc;

	if ((rc = exec(st, "BEGIN IMMEDIATE")) != 0)
		return rc;
	if ((rc = schema_version(st, &v)) != 0)
		goto rollback;
	st->schema_found = v;
	st->schema_now = SCHEMA_NOW;
	if (v > SCHEMA_NOW) {
		rc = sb_store_seterr(st, -1, "%s: schema version %d is newer "
		    "than this program's %d", st->desc, v, SCHEMA_NOW);
		goto rollback;
	}
	if (v > 0 && v < SCHEMA_NOW && !st->cfg.migrate) {
		rc = sb_store_seterr(st, -1, "%s: schema version %d is older "
		    "than %d: run 'store migrate'", st->desc, v, SCHEMA_NOW);
		goto rollback;
	}
	for (int i = v + 1; i <= SCHEMA_NOW; i++) {
		if ((rc = exec(st, migrations[i])) != 0)
			goto rollback;
		if (i == 3 && (rc = deduplicate(st)) != 0)
			goto rollback;
	}
	snprintf(set, sizeof set, "INSERT OR REPLACE INTO meta VALUES "
	    "('schema_version', '%d')", SCHEMA_NOW);
	if (v != SCHEMA_NOW && (rc = exec(st, set)) != 0)
		goto rollback;
	return exec(st, "COMMIT");
rollback:
	sqlite3_exec(((struct lite *)st->be)->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

static int
lite_connect(struct sb_store *st)
{
	struct lite *l = st->be;
	int rc;

	if (l == NULL)
		st->be = l = sb_xcalloc(1, sizeof *l);
	snprintf(st->desc, sizeof st->desc, "sqlite %s", st->cfg.sqlite_path);
	/* A failure here is reported by sqlite3_open_v2, in its words. */
	(void)sb_file_mkparents(st->cfg.sqlite_path);
	if (sqlite3_open_v2(st->cfg.sqlite_path, &l->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		rc = sb_store_seterr(st, -1, "%s: %s", st->desc,
		    l->db ? sqlite3_errmsg(l->db) : "out of memory");
		return rc;
	}
	sqlite3_busy_timeout(l->db, BUSY_TIMEOUT_MS);
	if (sqlite3_create_function(l->db, "sb_digest", 1, SQLITE_UTF8 |
	    SQLITE_DETERMINISTIC, NULL, digest_fn, NULL, NULL) != SQLITE_OK)
		return fail(st, "sb_digest");
	if ((rc = exec(st, "PRAGMA journal_mode = WAL")) != 0 ||
	    (rc = exec(st, "PRAGMA synchronous = FULL")) != 0 ||
	    (rc = exec(st, "PRAGMA journal_size_limit = 67108864")) != 0 ||
	    (rc = schema(st)) != 0)
		return rc;
	for (int i = 0; i < S_N; i++)
		if (sqlite3_prepare_v3(l->db, sql[i], -1,
		    SQLITE_PREPARE_PERSISTENT, &l->stmt[i], NULL) != SQLITE_OK)
			return fail(st, "preparing statements");
	return 0;
}

static void
lite_disconnect(struct sb_store *st)
{
	struct lite *l = st->be;

	if (l == NULL)
		return;
	for (int i = 0; i < S_N; i++) {
		sqlite3_finalize(l->stmt[i]);
		l->stmt[i] = NULL;
	}
	sqlite3_close(l->db);
	l->db = NULL;
}

static void
lite_destroy(struct sb_store *st)
{
	lite_disconnect(st);
	free(st->be);
}

static int
lite_put(struct sb_store *st, const struct sb_store_batch *b,
    uint64_t *skipped)
{
	struct lite *l = st->be;
	sqlite3_stmt *s = l->stmt[S_INSERT];
	int rc;

	if ((rc = exec(st, "BEGIN IMMEDIATE")) != 0)
		return rc;
	for (size_t i = 0; i < b->n; i++) {
		const struct sb_store_item *it = &b->item[i];
		sqlite3_bind_text(s, 1, sb_store_str(b, it->type),
		    (int)it->type_len, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, sb_store_str(b, it->key),
		    (int)it->key_len, SQLITE_STATIC);
		sqlite3_bind_int64(s, 3, it->time);
		sqlite3_bind_text(s, 4, sb_store_str(b, it->line),
		    (int)it->line_len, SQLITE_STATIC);
		sqlite3_bind_blob(s, 5, it->digest, SB_STORE_DIGEST,
		    SQLITE_STATIC);
		rc = sqlite3_step(s);
		sqlite3_reset(s);
		if (rc != SQLITE_DONE) {
			rc = fail(st, "insert");
			sqlite3_exec(l->db, "ROLLBACK", NULL, NULL, NULL);
			return rc;
		}
		if (sqlite3_changes(l->db) == 0)
			(*skipped)++;
	}
	if (*skipped > 0) {
		s = l->stmt[S_DUPS];
		sqlite3_bind_int64(s, 1, (sqlite3_int64)*skipped);
		rc = sqlite3_step(s);
		sqlite3_reset(s);
		if (rc != SQLITE_DONE) {
			rc = fail(st, "counting duplicates");
			sqlite3_exec(l->db, "ROLLBACK", NULL, NULL, NULL);
			return rc;
		}
	}
	if ((rc = exec(st, "COMMIT")) != 0) {
		sqlite3_exec(l->db, "ROLLBACK", NULL, NULL, NULL);
		return rc;
	}
	/* Best effort: a busy checkpoint is simply tried again later. */
	if (++l->commits % CHECKPOINT_EVERY == 0)
		sqlite3_wal_checkpoint_v2(l->db, NULL,
		    SQLITE_CHECKPOINT_RESTART, NULL, NULL);
	return 0;
}

static int
lite_page(struct sb_store *st, const struct sb_store_query *q,
    const struct sb_store_cursor *c, size_t max, struct sb_store_page *p)
{
	struct lite *l = st->be;
	sqlite3_stmt *s = l->stmt[q->key != NULL ? S_PAGE_KEY : S_PAGE];
	int rc;

	sqlite3_bind_text(s, 1, q->type, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, c->started ? c->t : q->since);
	sqlite3_bind_int64(s, 3, q->until);
	sqlite3_bind_int64(s, 4, c->started ? (sqlite3_int64)c->seq : -1);
	sqlite3_bind_int64(s, 5, (sqlite3_int64)max);
	if (q->key != NULL)
		sqlite3_bind_text(s, 6, q->key, (int)q->key_len, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		sb_store_page_add(p, sqlite3_column_int64(s, 1),
		    (uint64_t)sqlite3_column_int64(s, 0),
		    (const char *)sqlite3_column_text(s, 2),
		    (size_t)sqlite3_column_bytes(s, 2));
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return rc == SQLITE_DONE ? 0 : fail(st, "query");
}

static int
lite_prune(struct sb_store *st, int64_t cutoff, uint64_t *removed)
{
	struct lite *l = st->be;
	sqlite3_stmt *types = NULL, *del = NULL;
	int rc;

	if ((rc = exec(st, "BEGIN IMMEDIATE")) != 0)
		return rc;
	if (sqlite3_prepare_v2(l->db, "SELECT DISTINCT type FROM records", -1,
	    &types, NULL) != SQLITE_OK || sqlite3_prepare_v2(l->db,
	    "DELETE FROM records WHERE type = ?1 AND t < ?2", -1, &del,
	    NULL) != SQLITE_OK) {
		rc = fail(st, "prune");
		goto out;
	}
	/* By type, so that each delete is a range of the (type, t) index. */
	while ((rc = sqlite3_step(types)) == SQLITE_ROW) {
		sqlite3_bind_text(del, 1, (const char *)sqlite3_column_text(types,
		    0), -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(del, 2, cutoff);
		if (sqlite3_step(del) != SQLITE_DONE) {
			rc = fail(st, "prune");
			goto out;
		}
		*removed += (uint64_t)sqlite3_changes(l->db);
		sqlite3_reset(del);
	}
	if (rc != SQLITE_DONE) {
		rc = fail(st, "prune");
		goto out;
	}
	sqlite3_finalize(types);
	sqlite3_finalize(del);
	types = del = NULL;
	if ((rc = exec(st, "COMMIT")) != 0)
		goto out;
	sqlite3_wal_checkpoint_v2(l->db, NULL, SQLITE_CHECKPOINT_TRUNCATE,
	    NULL, NULL);
	return 0;
out:
	sqlite3_finalize(types);
	sqlite3_finalize(del);
	sqlite3_exec(l->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

static int64_t
single(struct sb_store *st, const char *q)
{
	struct lite *l = st->be;
	sqlite3_stmt *s;
	int64_t v = -1;

	if (sqlite3_prepare_v2(l->db, q, -1, &s, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

static int
lite_stats(struct sb_store *st, struct sb_store_stats *out)
{
	struct lite *l = st->be;
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(l->db, "SELECT type, count(*), min(t), max(t) "
	    "FROM records GROUP BY type", -1, &s, NULL) != SQLITE_OK)
		return fail(st, "stats");
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct sb_store_typestat *ts = sb_store_stats_type(out,
		    (const char *)sqlite3_column_text(s, 0),
		    (size_t)sqlite3_column_bytes(s, 0));
		ts->count = (uint64_t)sqlite3_column_int64(s, 1);
		ts->first = sqlite3_column_int64(s, 2);
		ts->last = sqlite3_column_int64(s, 3);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return fail(st, "stats");
	out->state_keys = (uint64_t)single(st, "SELECT count(*) FROM state");
	out->duplicates = (uint64_t)single(st, "SELECT coalesce((SELECT value "
	    "FROM meta WHERE name = 'duplicates'), 0)");
	out->size_bytes = single(st, "SELECT page_count * page_size FROM "
	    "pragma_page_count(), pragma_page_size()");
	return 0;
}

static int
lite_state_get(struct sb_store *st, const char *key, struct sb_buf *val)
{
	struct lite *l = st->be;
	sqlite3_stmt *s = l->stmt[S_GET];
	int rc, found = 0;

	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		/* An empty blob reads as NULL. */
		if (sqlite3_column_bytes(s, 0) > 0)
			sb_buf_add(val, sqlite3_column_blob(s, 0),
			    (size_t)sqlite3_column_bytes(s, 0));
		found = 1;
		rc = SQLITE_DONE;
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? found : fail(st, "state get");
}

static int
lite_state_put(struct sb_store *st, const char *key, const void *val,
    size_t len)
{
	struct lite *l = st->be;
	sqlite3_stmt *s = l->stmt[S_PUT];
	int rc;

	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_blob(s, 2, len ? val : "", (int)len, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : fail(st, "state put");
}

static int
lite_state_delete(struct sb_store *st, const char *key)
{
	struct lite *l = st->be;
	sqlite3_stmt *s = l->stmt[S_DEL];
	int rc;

	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : fail(st, "state delete");
}

static int
lite_state_keys(struct sb_store *st, const char *prefix, struct sb_buf *keys,
    size_t *n)
{
	struct lite *l = st->be;
	sqlite3_stmt *s = l->stmt[S_KEYS];
	size_t pl = strlen(prefix);
	int rc;

	sqlite3_bind_text(s, 1, prefix, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *k = (const char *)sqlite3_column_text(s, 0);
		if (strncmp(k, prefix, pl) != 0) {
			rc = SQLITE_DONE;
			break;
		}
		sb_buf_add(keys, k, strlen(k) + 1);
		(*n)++;
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : fail(st, "state keys");
}

const struct sb_store_ops sb_store_sqlite_ops = {
	"sqlite", lite_connect, lite_disconnect, lite_destroy, lite_put,
	lite_page, lite_prune, lite_stats, lite_state_get, lite_state_put,
	lite_state_delete, lite_state_keys
};
