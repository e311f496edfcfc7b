/*
 * store_pg.c - the timescale backend: PostgreSQL through libpq, with
 * TimescaleDB hypertables when the extension is available.
 *
 *	sb_meta (name text PRIMARY KEY, value text)
 *	    schema_version, and layout: "partitioned" or "hypertable"
 *	sb_records (t timestamptz, id bigint DEFAULT nextval(...),
 *	    type text, key text, line text, digest bytea)
 *	    indexes (type, t, id), (type, key, t, id), UNIQUE (t, digest)
 *	sb_state (key text PRIMARY KEY, value bytea)
 *
 * When pg_available_extensions lists timescaledb (and CREATE EXTENSION
 * works), sb_records is a hypertable with one-day chunks and retention is
 * drop_chunks().  Otherwise it is partitioned by range of t, one
 * partition sb_records_pYYYYMMDD per UTC day, created before the first
 * record of that day is written and two days ahead of the newest, plus a
 * default partition for anything else; retention detaches and drops
 * whole partitions and deletes the rest.  Statements are prepared on
 * every connect, so a reconnect re-prepares them.
 *
 * A batch is one transaction: its times and digests are copied into the
 * session's temporary table sb_in and looked up in sb_records, and only
 * the records not found (nor earlier in the batch) are copied in.  The
 * unique index on (t, digest) is the guard: if another writer commits a
 * record in between, the COPY fails on it, and the batch is checked
 * again.  (INSERT ... ON CONFLICT DO NOTHING needs no retry, but inserts
 * a row at a time: it made a put three times slower than COPY.)  The
 * unique index holds t because an index of a partitioned table (or a
 * hypertable) must hold the partitioning column; the digest depends on
 * the time anyway.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "store.h"
#include "store_impl.h"
#include "timefmt.h"

#define SCHEMA_NOW	3
#define MIGRATE_PAGE	"10000"
#define DAY_MS		86400000LL
#define AHEAD_DAYS	2
#define LOCK_ID		"7236001"
/* Query bounds are clamped to what timestamptz arithmetic takes. */
#define MS_MIN		(-100000000000000LL)
#define MS_MAX		260000000000000LL
#define TS(p)		"(timestamptz 'epoch' + " p "::bigint * interval '1 millisecond')"

/*
 * Migration 3 starts here and goes on in migrate_digests(): PostgreSQL
 * has no BLAKE2b, so the digests are computed here and copied back.
 */
#define MIGRATE_3 \
	"ALTER TABLE sb_records ADD COLUMN digest bytea;" \
	"CREATE TEMP TABLE sb_digests (id bigint, digest bytea) ON COMMIT DROP;" \
	"DECLARE sb_lines NO SCROLL CURSOR FOR SELECT id, line FROM sb_records"
#define COUNT_DUPLICATES \
	"INSERT INTO sb_meta VALUES ('duplicates', '%llu') ON CONFLICT (name) " \
	"DO UPDATE SET value = (sb_meta.value::bigint + " \
	"excluded.value::bigint)::text"
#define SB_IN \
	"CREATE TEMP TABLE IF NOT EXISTS sb_in (n int NOT NULL, " \
	"t timestamptz NOT NULL, digest bytea NOT NULL) ON COMMIT DELETE ROWS"
/* One index probe a record: LATERAL ... LIMIT 1 cannot become a hash join. */
#define STORED \
	"SELECT i.n FROM sb_in i CROSS JOIN LATERAL (SELECT 1 FROM sb_records r " \
	"WHERE r.t = i.t AND r.digest = i.digest LIMIT 1) x"
#define PUT_TRIES	20	/* COPYs a put tries before backing off */

static const char *const migrations_part[SCHEMA_NOW + 1] = {
	NULL,
	"CREATE SEQUENCE sb_records_id_seq;"
	"CREATE TABLE sb_records (t timestamptz NOT NULL, "
	"    id bigint NOT NULL DEFAULT nextval('sb_records_id_seq'), "
	"    type text NOT NULL, key text NOT NULL, line text NOT NULL) "
	"    PARTITION BY RANGE (t);"
	"CREATE TABLE sb_records_default PARTITION OF sb_records DEFAULT;"
	"CREATE INDEX sb_records_type_t ON sb_records (type, t, id);"
	"CREATE TABLE sb_state (key text PRIMARY KEY, value bytea NOT NULL);"
	"INSERT INTO sb_meta VALUES ('layout', 'partitioned');",
	"CREATE INDEX sb_records_type_key_t ON sb_records (type, key, t, id);",
	MIGRATE_3
};

static const char *const migrations_hyper[SCHEMA_NOW + 1] = {
	NULL,
	"CREATE SEQUENCE sb_records_id_seq;"
	"CREATE TABLE sb_records (t timestamptz NOT NULL, "
	"    id bigint NOT NULL DEFAULT nextval('sb_records_id_seq'), "
	"    type text NOT NULL, key text NOT NULL, line text NOT NULL);"
	"SELECT create_hypertable('sb_records', 't', "
	"    chunk_time_interval => interval '1 day');"
	"CREATE INDEX sb_records_type_t ON sb_records (type, t, id);"
	"CREATE TABLE sb_state (key text PRIMARY KEY, value bytea NOT NULL);"
	"INSERT INTO sb_meta VALUES ('layout', 'hypertable');",
	"CREATE INDEX sb_records_type_key_t ON sb_records (type, key, t, id);",
	MIGRATE_3
};

enum { P_PAGE, P_PAGE_KEY, P_GET, P_PUT, P_DEL, P_KEYS, P_N };

static const char *const prepared[P_N][2] = {
	{ "sb_page", "SELECT id, (extract(epoch FROM t) * 1000)::bigint, line "
	    "FROM sb_records WHERE type = $1 AND (t, id) > (" TS("$2") ", $3) "
	    "AND t < " TS("$4") " ORDER BY t, id LIMIT $5" },
	{ "sb_page_key", "SELECT id, (extract(epoch FROM t) * 1000)::bigint, "
	    "line FROM sb_records WHERE type = $1 AND key = $6 "
	    "AND (t, id) > (" TS("$2") ", $3) AND t < " TS("$4") " "
	    "ORDER BY t, id LIMIT $5" },
	{ "sb_get", "SELECT value FROM sb_state WHERE key = $1" },
	{ "sb_put", "INSERT INTO sb_state (key, value) VALUES ($1, $2) "
	    "ON CONFLICT (key) DO UPDATE SET value = excluded.value" },
	{ "sb_del", "DELETE FROM sb_state WHERE key = $1" },
	{ "sb_keys", "SELECT key FROM sb_state WHERE starts_with(key, $1)" },
};

struct pg {
	PGconn		*c;
	int		 hyper;		/* layout: hypertable */
	int		 have_in;	/* sb_in exists in this session */
	char		 state[6];	/* SQLSTATE of the last failure */
	int64_t		*days;		/* partitions known to exist, sorted */
	size_t		 ndays, capdays;
	struct sb_buf	 copy;
};

static int
transient_state(const char *code)
{
	if (code == NULL)
		return 0;
	return strncmp(code, "08", 2) == 0 || strcmp(code, "57P01") == 0 ||
	    strcmp(code, "57P02") == 0 || strcmp(code, "57P03") == 0 ||
	    strcmp(code, "40001") == 0 || strcmp(code, "40P01") == 0 ||
	    strcmp(code, "26000") == 0;
}

/* Sets the error from res (or the connection) and frees res. */
static int
pgfail(struct sb_store *st, PGresult *res, const char *what)
{
	struct pg *p = st->be;
	const char *code = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) :
	    NULL;
	const char *msg = res && *PQresultErrorMessage(res) ?
	    PQresultErrorMessage(res) : PQerrorMessage(p->c);
	int rc = PQstatus(p->c) == CONNECTION_BAD || transient_state(code) ?
	    SB_STORE_TRANSIENT : -1;

	snprintf(p->state, sizeof p->state, "%s", code ? code : "");

	rc = sb_store_seterr(st, rc, "%s: %s: %s", st->desc, what,
	    *msg ? msg : "connection lost");
	PQclear(res);
	return rc;
}

/* Runs one statement (or several, without parameters). */
static int
exec(struct sb_store *st, const char *sql, const char *what)
{
	struct pg *p = st->be;
	PGresult *res = PQexec(p->c, sql);
	ExecStatusType s = PQresultStatus(res);

	if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK)
		return pgfail(st, res, what);
	PQclear(res);
	return 0;
}

static PGresult *
query(struct sb_store *st, const char *sql, const char *what, int *rc)
{
	struct pg *p = st->be;
	PGresult *res = PQexec(p->c, sql);

	*rc = 0;
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		*rc = pgfail(st, res, what);
		return NULL;
	}
	return res;
}

static void
quiet(void *arg, const char *msg)
{
}

/* "YYYY-MM-DD HH:MM:SS.mmm+00", with BC for years before 1. */
static char *
pgtime(int64_t ms, char *out, size_t n)
{
	int64_t day = sb_floor_div(ms, DAY_MS), rem = ms - day * DAY_MS, y;
	unsigned mo, d;

	sb_civil_from_days(day, &y, &mo, &d);
	snprintf(out, n, "%04lld-%02u-%02u %02d:%02d:%02d.%03d+00%s",
	    (long long)(y > 0 ? y : 1 - y), mo, d, (int)(rem / 3600000),
	    (int)(rem / 60000 % 60), (int)(rem / 1000 % 60), (int)(rem % 1000),
	    y > 0 ? "" : " BC");
	return out;
}

/* --- connecting ------------------------------------------------------ */

static void
describe(struct sb_store *st)
{
	PQconninfoOption *opts, *o;
	char *err = NULL;
	size_t len;

	len = (size_t)snprintf(st->desc, sizeof st->desc, "timescale");
	if ((opts = PQconninfoParse(st->cfg.pg_conninfo, &err)) == NULL) {
		PQfreemem(err);
		return;
	}
	for (o = opts; o->keyword != NULL; o++) {
		if (o->val == NULL || *o->val == '\0')
			continue;
		if (strcmp(o->keyword, "password") == 0) {
			free(st->secret);
			st->secret = sb_xstrdup(o->val);
			continue;
		}
		if (strcmp(o->keyword, "host") != 0 &&
		    strcmp(o->keyword, "port") != 0 &&
		    strcmp(o->keyword, "dbname") != 0 &&
		    strcmp(o->keyword, "user") != 0)
			continue;
		if (len < sizeof st->desc)
			len += (size_t)snprintf(st->desc + len,
			    sizeof st->desc - len, " %s=%s", o->keyword, o->val);
	}
	PQconninfoFree(opts);
}

static int
day_known(struct pg *p, int64_t day, size_t *at)
{
	size_t lo = 0, hi = p->ndays;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (p->days[mid] == day)
			return 1;
		if (p->days[mid] < day)
			lo = mid + 1;
		else
			hi = mid;
	}
	*at = lo;
	return 0;
}

static void
day_add(struct pg *p, int64_t day)
{
	size_t at;

	if (day_known(p, day, &at))
		return;
	if (p->ndays == p->capdays) {
		p->capdays = p->capdays ? p->capdays * 2 : 64;
		p->days = sb_xrealloc(p->days, p->capdays * sizeof *p->days);
	}
	memmove(&p->days[at + 1], &p->days[at], (p->ndays - at) *
	    sizeof *p->days);
	p->days[at] = day;
	p->ndays++;
}

static int64_t
day_of_name(const char *name)
{
	long long v;
	int64_t y;
	unsigned m, d;

	if (strncmp(name, "sb_records_p", 12) != 0 ||
	    sscanf(name + 12, "%8lld", &v) != 1 || strlen(name + 12) != 8)
		return INT64_MIN;
	y = v / 10000;
	m = (unsigned)(v / 100 % 100);
	d = (unsigned)(v % 100);
	return sb_days_from_civil(y, m, d);
}

static int
load_partitions(struct sb_store *st)
{
	struct pg *p = st->be;
	PGresult *res;
	int rc;

	p->ndays = 0;
	res = query(st, "SELECT c.relname FROM pg_inherits i JOIN pg_class c "
	    "ON c.oid = i.inhrelid WHERE i.inhparent = 'sb_records'::regclass",
	    "listing partitions", &rc);
	if (res == NULL)
		return rc;
	for (int i = 0; i < PQntuples(res); i++) {
		int64_t day = day_of_name(PQgetvalue(res, i, 0));
		if (day != INT64_MIN)
			day_add(p, day);
	}
	PQclear(res);
	return 0;
}

/* COPY text format of a bytea: \\x and hex digits. */
static void
copy_digest(struct sb_buf *b, const unsigned char *d)
{
	static const char hex[] = "0123456789abcdef";

	sb_buf_puts(b, "\\\\x");
	for (int i = 0; i < SB_STORE_DIGEST; i++) {
		sb_buf_putc(b, hex[d[i] >> 4]);
		sb_buf_putc(b, hex[d[i] & 15]);
	}
}

/* Sends buf as the data of the COPY that sql starts. */
static int
copy_in(struct sb_store *st, const char *sql, const struct sb_buf *buf)
{
	struct pg *p = st->be;
	PGresult *res;
	int rc = 0;

	res = PQexec(p->c, sql);
	if (PQresultStatus(res) != PGRES_COPY_IN)
		return pgfail(st, res, "COPY");
	PQclear(res);
	if (PQputCopyData(p->c, buf->s ? buf->s : "", (int)buf->len) != 1 ||
	    PQputCopyEnd(p->c, NULL) != 1)
		return pgfail(st, NULL, "COPY");
	while ((res = PQgetResult(p->c)) != NULL) {
		if (PQresultStatus(res) != PGRES_COMMAND_OK && rc == 0) {
			rc = pgfail(st, res, "COPY");
			continue;
		}
		PQclear(res);
	}
	if (rc == 0 && PQstatus(p->c) == CONNECTION_BAD)
		rc = pgfail(st, NULL, "COPY");
	return rc;
}

/*
 * Migration 3, after MIGRATE_3 and in its transaction: the digest of
 * every line, then the copies of a record removed (the one put first
 * stays) and the unique index made.
 */
static int
migrate_digests(struct sb_store *st)
{
	struct pg *p = st->be;
	unsigned char d[SB_STORE_DIGEST];
	PGresult *res;
	char sql[256];
	int rc;

	for (;;) {
		if ((res = query(st, "FETCH " MIGRATE_PAGE " FROM sb_lines",
		    "migrating", &rc)) == NULL)
			return rc;
		if (PQntuples(res) == 0) {
			PQclear(res);
			break;
		}
		sb_buf_reset(&p->copy);
		for (int i = 0; i < PQntuples(res); i++) {
			sb_store_digest(PQgetvalue(res, i, 1),
			    (size_t)PQgetlength(res, i, 1), d);
			sb_buf_puts(&p->copy, PQgetvalue(res, i, 0));
			sb_buf_putc(&p->copy, '\t');
			copy_digest(&p->copy, d);
			sb_buf_putc(&p->copy, '\n');
		}
		PQclear(res);
		if ((rc = copy_in(st, "COPY sb_digests FROM STDIN",
		    &p->copy)) != 0)
			return rc;
	}
	if ((rc = exec(st, "CLOSE sb_lines; UPDATE sb_records r SET digest = "
	    "d.digest FROM sb_digests d WHERE r.id = d.id", "migrating")) != 0)
		return rc;
	res = PQexec(p->c, "DELETE FROM sb_records r USING sb_records f "
	    "WHERE r.t = f.t AND r.digest = f.digest AND r.id > f.id");
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		return pgfail(st, res, "migrating");
	st->migrate_removed = strtoull(PQcmdTuples(res), NULL, 10);
	PQclear(res);
	if ((rc = exec(st, "ALTER TABLE sb_records ALTER COLUMN digest "
	    "SET NOT NULL; CREATE UNIQUE INDEX sb_records_t_digest ON "
	    "sb_records (t, digest)", "migrating")) != 0)
		return rc;
	if (st->migrate_removed == 0)
		return 0;
	snprintf(sql, sizeof sql, COUNT_DUPLICATES,
	    (unsigned long long)st->migrate_removed);
	return exec(st, sql, "migrating");
}

static int
schema(struct sb_store *st)
{
	struct pg *p = st->be;
	const char *const *mig;
	PGresult *res;
	char sql[160];
	int rc, v = 0;

	if ((rc = exec(st, "BEGIN; SELECT pg_advisory_xact_lock(" LOCK_ID ")",
	    "locking the schema")) != 0)
		return rc;
	if ((res = query(st, "SELECT to_regclass('sb_meta') IS NOT NULL",
	    "reading the schema", &rc)) == NULL)
		goto rollback;
	int have = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	PQclear(res);
	if (have) {
		if ((res = query(st, "SELECT name, value FROM sb_meta",
		    "reading the schema", &rc)) == NULL)
			goto rollback;
		for (int i = 0; i < PQntuples(res); i++) {
			if (strcmp(PQgetvalue(res, i, 0), "schema_version") == 0)
				v = atoi(PQgetvalue(res, i, 1));
			if (strcmp(PQgetvalue(res, i, 0), "layout") == 0)
				p->hyper = strcmp(PQgetvalue(res, i, 1),
				    "hypertable") == 0;
		}
		PQclear(res);
	}
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
	if (v == 0) {
		if ((rc = exec(st, "CREATE TABLE sb_meta (name text PRIMARY KEY, "
		    "value text NOT NULL)", "creating the schema")) != 0)
			goto rollback;
		/* TimescaleDB when the server has it and it loads. */
		if ((res = query(st, "SELECT count(*) FROM pg_available_extensions "
		    "WHERE name = 'timescaledb'", "creating the schema",
		    &rc)) == NULL)
			goto rollback;
		p->hyper = strcmp(PQgetvalue(res, 0, 0), "1") == 0;
		PQclear(res);
		if (p->hyper && (exec(st, "SAVEPOINT ext", "") != 0 ||
		    exec(st, "CREATE EXTENSION IF NOT EXISTS timescaledb",
		    "") != 0)) {
			p->hyper = 0;
			if ((rc = exec(st, "ROLLBACK TO SAVEPOINT ext",
			    "creating the schema")) != 0)
				goto rollback;
		}
	}
	mig = p->hyper ? migrations_hyper : migrations_part;
	for (int i = v + 1; i <= SCHEMA_NOW; i++) {
		if ((rc = exec(st, mig[i], "migrating the schema")) != 0)
			goto rollback;
		if (i == 3 && (rc = migrate_digests(st)) != 0)
			goto rollback;
	}
	snprintf(sql, sizeof sql, "INSERT INTO sb_meta VALUES ('schema_version',"
	    " '%d') ON CONFLICT (name) DO UPDATE SET value = excluded.value",
	    SCHEMA_NOW);
	if (v != SCHEMA_NOW && (rc = exec(st, sql, "migrating the schema")) != 0)
		goto rollback;
	return exec(st, "COMMIT", "creating the schema");
rollback:
	PQclear(PQexec(p->c, "ROLLBACK"));
	return rc;
}

static int
pg_connect(struct sb_store *st)
{
	struct pg *p = st->be;
	int rc;

	if (p == NULL) {
		st->be = p = sb_xcalloc(1, sizeof *p);
		describe(st);
	}
	p->c = PQconnectdb(st->cfg.pg_conninfo);
	if (p->c == NULL)
		return sb_store_seterr(st, -1, "%s: out of memory", st->desc);
	if (PQstatus(p->c) != CONNECTION_OK)
		return sb_store_seterr(st, SB_STORE_TRANSIENT, "%s: connect: %s",
		    st->desc, PQerrorMessage(p->c));
	PQsetNoticeProcessor(p->c, quiet, NULL);
	/*
	 * Pages must be ordered index scans merged across partitions: with
	 * fresh partitions and no statistics yet the planner would rather
	 * sort every remaining row of each page, quadratic in the result.
	 */
	if ((rc = exec(st, "SET TimeZone = 'UTC'; SET client_min_messages = "
	    "warning; SET enable_bitmapscan = off; SET enable_sort = off",
	    "setting up the session")) != 0 ||
	    (rc = schema(st)) != 0)
		return rc;
	if (!p->hyper && (rc = load_partitions(st)) != 0)
		return rc;
	p->have_in = 0;
	for (int i = 0; i < P_N; i++) {
		PGresult *res = PQprepare(p->c, prepared[i][0], prepared[i][1],
		    0, NULL);
		if (PQresultStatus(res) != PGRES_COMMAND_OK)
			return pgfail(st, res, "preparing statements");
		PQclear(res);
	}
	return 0;
}

static void
pg_disconnect(struct sb_store *st)
{
	struct pg *p = st->be;

	if (p != NULL && p->c != NULL) {
		PQfinish(p->c);
		p->c = NULL;
	}
}

static void
pg_destroy(struct sb_store *st)
{
	struct pg *p = st->be;

	if (p == NULL)
		return;
	pg_disconnect(st);
	free(p->days);
	sb_buf_free(&p->copy);
	free(p);
}

/* --- partitions ------------------------------------------------------ */

static void
part_name(int64_t day, char *out, size_t n)
{
	int64_t y;
	unsigned m, d;

	sb_civil_from_days(day, &y, &m, &d);
	snprintf(out, n, "sb_records_p%04lld%02u%02u", (long long)y, m, d);
}

/*
 * Creates the partition of one day.  If the default partition already
 * holds rows of that day (written by someone else), they are moved into
 * the new partition in the same transaction.
 */
static int
make_partition(struct sb_store *st, int64_t day)
{
	struct pg *p = st->be;
	char name[40], from[48], to[48], sql[1024];
	PGresult *res;
	const char *code;
	int rc;

	part_name(day, name, sizeof name);
	pgtime(day * DAY_MS, from, sizeof from);
	pgtime((day + 1) * DAY_MS, to, sizeof to);
	snprintf(sql, sizeof sql, "CREATE TABLE IF NOT EXISTS %s PARTITION OF "
	    "sb_records FOR VALUES FROM ('%s') TO ('%s')", name, from, to);
	res = PQexec(p->c, sql);
	if (PQresultStatus(res) == PGRES_COMMAND_OK) {
		PQclear(res);
		day_add(p, day);
		return 0;
	}
	code = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	if (code != NULL && (strcmp(code, "42P07") == 0 ||
	    strcmp(code, "23505") == 0)) {	/* another writer made it */
		PQclear(res);
		day_add(p, day);
		return 0;
	}
	if (code == NULL || strcmp(code, "23514") != 0)
		return pgfail(st, res, "creating a partition");
	PQclear(res);
	snprintf(sql, sizeof sql,
	    "BEGIN; LOCK TABLE sb_records_default;"
	    "CREATE TABLE %s (LIKE sb_records INCLUDING DEFAULTS);"
	    "WITH moved AS (DELETE FROM sb_records_default WHERE t >= '%s' "
	    "    AND t < '%s' RETURNING *) INSERT INTO %s SELECT * FROM moved;"
	    "ALTER TABLE sb_records ATTACH PARTITION %s FOR VALUES "
	    "    FROM ('%s') TO ('%s'); COMMIT",
	    name, from, to, name, name, from, to);
	if ((rc = exec(st, sql, "moving rows out of the default partition")) != 0) {
		PQclear(PQexec(p->c, "ROLLBACK"));
		return rc;
	}
	day_add(p, day);
	return 0;
}

static int
ensure_partitions(struct sb_store *st, const struct sb_store_batch *b)
{
	struct pg *p = st->be;
	int64_t newest = INT64_MIN;
	size_t at;
	int rc;

	for (size_t i = 0; i < b->n; i++) {
		int64_t day = sb_floor_div(b->item[i].time, DAY_MS);
		if (day > newest)
			newest = day;
		if (!day_known(p, day, &at) && (rc = make_partition(st, day)) != 0)
			return rc;
	}
	for (int64_t d = newest + 1; d <= newest + AHEAD_DAYS; d++)
		if (!day_known(p, d, &at) && (rc = make_partition(st, d)) != 0)
			return rc;
	return 0;
}

/* --- records --------------------------------------------------------- */

/* COPY text format: backslash, tab, newline and carriage return escaped. */
static void
copy_field(struct sb_buf *b, const char *s, size_t n)
{
	size_t i, run = 0;

	for (i = 0; i < n; i++) {
		const char *e = NULL;
		switch (s[i]) {
		case '\\': e = "\\\\"; break;
		case '\t': e = "\\t"; break;
		case '\n': e = "\\n"; break;
		case '\r': e = "\\r"; break;
		default: continue;
		}
		sb_buf_add(b, s + run, i - run);
		sb_buf_puts(b, e);
		run = i + 1;
	}
	sb_buf_add(b, s + run, n - run);
}

/* Marks in stored the items of the batch that sb_records holds. */
static int
find_stored(struct sb_store *st, const struct sb_store_batch *b,
    unsigned char *stored)
{
	struct pg *p = st->be;
	PGresult *res;
	char t[48];
	int rc;

	sb_buf_reset(&p->copy);
	for (size_t i = 0; i < b->n; i++) {
		sb_buf_printf(&p->copy, "%zu\t%s\t", i,
		    pgtime(b->item[i].time, t, sizeof t));
		copy_digest(&p->copy, b->item[i].digest);
		sb_buf_putc(&p->copy, '\n');
	}
	if ((rc = copy_in(st, "COPY sb_in FROM STDIN", &p->copy)) != 0)
		return rc;
	if ((res = query(st, STORED, "put", &rc)) == NULL)
		return rc;
	memset(stored, 0, b->n);
	for (int i = 0; i < PQntuples(res); i++) {
		size_t n = strtoull(PQgetvalue(res, i, 0), NULL, 10);
		if (n < b->n)
			stored[n] = 1;
	}
	PQclear(res);
	return 0;
}

/* Copies the new records (isnew) into sb_records, in put order. */
static int
copy_new(struct sb_store *st, const struct sb_store_batch *b,
    const unsigned char *isnew)
{
	struct pg *p = st->be;
	char t[48];

	sb_buf_reset(&p->copy);
	for (size_t i = 0; i < b->n; i++) {
		const struct sb_store_item *it = &b->item[i];
		if (!isnew[i])
			continue;
		sb_buf_puts(&p->copy, pgtime(it->time, t, sizeof t));
		sb_buf_putc(&p->copy, '\t');
		copy_field(&p->copy, sb_store_str(b, it->type), it->type_len);
		sb_buf_putc(&p->copy, '\t');
		copy_field(&p->copy, sb_store_str(b, it->key), it->key_len);
		sb_buf_putc(&p->copy, '\t');
		copy_field(&p->copy, sb_store_str(b, it->line), it->line_len);
		sb_buf_putc(&p->copy, '\t');
		copy_digest(&p->copy, it->digest);
		sb_buf_putc(&p->copy, '\n');
	}
	if (p->copy.len == 0)
		return 0;
	return copy_in(st, "COPY sb_records (t, type, key, line, digest) "
	    "FROM STDIN", &p->copy);
}

static int
pg_put(struct sb_store *st, const struct sb_store_batch *b, uint64_t *skipped)
{
	struct pg *p = st->be;
	unsigned char *first, *isnew;
	char sql[256];
	int rc = 0, done = 0;

	if (!p->hyper && (rc = ensure_partitions(st, b)) != 0)
		return rc;
	/* Made by the first put of a session: readers write no catalog. */
	if (!p->have_in && (rc = exec(st, SB_IN, "creating the batch table")) != 0)
		return rc;
	p->have_in = 1;
	first = sb_xmalloc(b->n);
	isnew = sb_xmalloc(b->n);
	sb_store_batch_firsts(b, first);
	for (int tries = 0; !done && tries < PUT_TRIES; tries++) {
		if ((rc = exec(st, "BEGIN", "put")) != 0)
			break;
		/* isnew holds "stored" first, then what its name says. */
		if ((rc = find_stored(st, b, isnew)) != 0)
			goto rollback;
		*skipped = 0;
		for (size_t i = 0; i < b->n; i++) {
			isnew[i] = first[i] && !isnew[i];
			*skipped += !isnew[i];
		}
		if ((rc = copy_new(st, b, isnew)) != 0) {
			/* Another writer committed one of them meanwhile. */
			if (strcmp(p->state, "23505") == 0)
				rc = 0;
			goto rollback;
		}
		snprintf(sql, sizeof sql, COUNT_DUPLICATES,
		    (unsigned long long)*skipped);
		if (*skipped > 0 && (rc = exec(st, sql, "put")) != 0)
			goto rollback;
		if ((rc = exec(st, "COMMIT", "put")) != 0)
			break;
		done = 1;
		continue;
rollback:
		if (PQstatus(p->c) == CONNECTION_OK)
			PQclear(PQexec(p->c, "ROLLBACK"));
		if (rc != 0)
			break;
	}
	free(first);
	free(isnew);
	if (rc == 0 && !done)
		rc = sb_store_seterr(st, SB_STORE_TRANSIENT, "%s: put: other "
		    "writers stored the same records %d times running",
		    st->desc, PUT_TRIES);
	return rc;
}

static int64_t
clamp(int64_t v)
{
	return v < MS_MIN ? MS_MIN : v > MS_MAX ? MS_MAX : v;
}

static int
pg_page(struct sb_store *st, const struct sb_store_query *q,
    const struct sb_store_cursor *c, size_t max, struct sb_store_page *pg)
{
	struct pg *p = st->be;
	char from[32], seq[32], until[32], lim[32], *key = NULL;
	const char *v[6];
	PGresult *res;

	/* (t, id) > (since, 0) is t >= since: ids start at 1. */
	snprintf(from, sizeof from, "%lld", (long long)clamp(c->started ?
	    c->t : q->since));
	snprintf(seq, sizeof seq, "%llu",
	    (unsigned long long)(c->started ? c->seq : 0));
	snprintf(until, sizeof until, "%lld", (long long)clamp(q->until));
	snprintf(lim, sizeof lim, "%zu", max);
	v[0] = q->type;
	v[1] = from;
	v[2] = seq;
	v[3] = until;
	v[4] = lim;
	if (q->key != NULL) {
		key = sb_xmalloc(q->key_len + 1);
		memcpy(key, q->key, q->key_len);
		key[q->key_len] = '\0';
		v[5] = key;
	}
	res = PQexecPrepared(p->c, q->key ? "sb_page_key" : "sb_page",
	    q->key ? 6 : 5, v, NULL, NULL, 0);
	free(key);
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		return pgfail(st, res, "query");
	for (int i = 0; i < PQntuples(res); i++)
		sb_store_page_add(pg, strtoll(PQgetvalue(res, i, 1), NULL, 10),
		    strtoull(PQgetvalue(res, i, 0), NULL, 10),
		    PQgetvalue(res, i, 2), (size_t)PQgetlength(res, i, 2));
	PQclear(res);
	return 0;
}

static int
count_rows(struct sb_store *st, const char *sql, uint64_t *n)
{
	PGresult *res;
	int rc;

	if ((res = query(st, sql, "prune", &rc)) == NULL)
		return rc;
	*n += strtoull(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return 0;
}

static int
pg_prune(struct sb_store *st, int64_t cutoff, uint64_t *removed)
{
	struct pg *p = st->be;
	char sql[512], t[48];
	PGresult *res;
	int rc;

	pgtime(clamp(cutoff), t, sizeof t);
	if (p->hyper) {
		snprintf(sql, sizeof sql, "SELECT count(*) FROM sb_records WHERE "
		    "t < '%s'", t);
		if ((rc = count_rows(st, sql, removed)) != 0)
			return rc;
		snprintf(sql, sizeof sql, "SELECT drop_chunks('sb_records', "
		    "older_than => timestamptz '%s'); DELETE FROM sb_records "
		    "WHERE t < '%s'", t, t);
		return exec(st, sql, "prune");
	}
	if ((rc = load_partitions(st)) != 0)
		return rc;
	/* Whole days before the cutoff: detach and drop, no row by row. */
	for (size_t i = 0; i < p->ndays; i++) {
		char name[40];
		if ((p->days[i] + 1) * DAY_MS > cutoff)
			break;
		part_name(p->days[i], name, sizeof name);
		snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", name);
		if ((rc = count_rows(st, sql, removed)) != 0)
			return rc;
		snprintf(sql, sizeof sql, "ALTER TABLE sb_records DETACH "
		    "PARTITION %s; DROP TABLE %s", name, name);
		if ((rc = exec(st, sql, "prune")) != 0)
			return rc;
	}
	snprintf(sql, sizeof sql, "DELETE FROM sb_records WHERE t < '%s'", t);
	res = PQexec(p->c, sql);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		return pgfail(st, res, "prune");
	*removed += strtoull(PQcmdTuples(res), NULL, 10);
	PQclear(res);
	return load_partitions(st);
}

static int
pg_stats(struct sb_store *st, struct sb_store_stats *s)
{
	struct pg *p = st->be;
	PGresult *res;
	int rc;

	if ((res = query(st, "SELECT type, count(*), "
	    "(extract(epoch FROM min(t)) * 1000)::bigint, "
	    "(extract(epoch FROM max(t)) * 1000)::bigint "
	    "FROM sb_records GROUP BY type", "stats", &rc)) == NULL)
		return rc;
	for (int i = 0; i < PQntuples(res); i++) {
		struct sb_store_typestat *ts = sb_store_stats_type(s,
		    PQgetvalue(res, i, 0), (size_t)PQgetlength(res, i, 0));
		ts->count = strtoull(PQgetvalue(res, i, 1), NULL, 10);
		ts->first = strtoll(PQgetvalue(res, i, 2), NULL, 10);
		ts->last = strtoll(PQgetvalue(res, i, 3), NULL, 10);
	}
	PQclear(res);
	if ((res = query(st, p->hyper ?
	    "SELECT (SELECT count(*) FROM sb_state), hypertable_size('sb_records')" :
	    "SELECT (SELECT count(*) FROM sb_state), coalesce((SELECT "
	    "sum(pg_total_relation_size(inhrelid)) FROM pg_inherits WHERE "
	    "inhparent = 'sb_records'::regclass), 0)", "stats", &rc)) == NULL)
		return rc;
	s->state_keys = strtoull(PQgetvalue(res, 0, 0), NULL, 10);
	s->size_bytes = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
	PQclear(res);
	if ((res = query(st, "SELECT value FROM sb_meta WHERE name = "
	    "'duplicates'", "stats", &rc)) == NULL)
		return rc;
	if (PQntuples(res) == 1)
		s->duplicates = strtoull(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return 0;
}

/* --- the state area -------------------------------------------------- */

static int
pg_state_get(struct sb_store *st, const char *key, struct sb_buf *val)
{
	struct pg *p = st->be;
	PGresult *res;
	int found = 0;

	res = PQexecPrepared(p->c, "sb_get", 1, &key, NULL, NULL, 1);
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		return pgfail(st, res, "state get");
	if (PQntuples(res) == 1) {
		sb_buf_add(val, PQgetvalue(res, 0, 0),
		    (size_t)PQgetlength(res, 0, 0));
		found = 1;
	}
	PQclear(res);
	return found;
}

static int
pg_state_put(struct sb_store *st, const char *key, const void *val,
    size_t len)
{
	struct pg *p = st->be;
	const char *v[2] = { key, len ? val : "" };
	int l[2] = { 0, (int)len }, f[2] = { 0, 1 };
	PGresult *res;

	res = PQexecPrepared(p->c, "sb_put", 2, v, l, f, 0);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		return pgfail(st, res, "state put");
	PQclear(res);
	return 0;
}

static int
pg_state_delete(struct sb_store *st, const char *key)
{
	struct pg *p = st->be;
	PGresult *res;

	res = PQexecPrepared(p->c, "sb_del", 1, &key, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		return pgfail(st, res, "state delete");
	PQclear(res);
	return 0;
}

static int
pg_state_keys(struct sb_store *st, const char *prefix, struct sb_buf *keys,
    size_t *n)
{
	struct pg *p = st->be;
	PGresult *res;

	res = PQexecPrepared(p->c, "sb_keys", 1, &prefix, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		return pgfail(st, res, "state keys");
	for (int i = 0; i < PQntuples(res); i++) {
		sb_buf_add(keys, PQgetvalue(res, i, 0),
		    (size_t)PQgetlength(res, i, 0) + 1);
		(*n)++;
	}
	PQclear(res);
	return 0;
}

const struct sb_store_ops sb_store_pg_ops = {
	"timescale", pg_connect, pg_disconnect, pg_destroy, pg_put,
	pg_page, pg_prune, pg_stats, pg_state_get, pg_state_put,
	pg_state_delete, pg_state_keys
};
