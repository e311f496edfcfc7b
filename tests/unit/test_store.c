/*
 * test_store.c - the storage conformance suite, through lib/store.h.
 *
 * The same checks run against whichever backend STORAGE_BACKEND names,
 * configured by the usual environment; without it, against memory and
 * against SQLite in a temporary file.  t8000-store-conformance.sh runs it
 * once per backend against servers of its own.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "json.h"
#include "store.h"
#include "../tap.h"
#include "timefmt.h"

#define T0	1795701600000LL		/* 2026-11-26T14:00:00Z */

struct collect {
	struct sb_buf	 out;
	size_t		 n;
};

static int
collect(void *arg, const char *line, size_t len)
{
	struct collect *c = arg;

	sb_buf_add(&c->out, line, len);
	sb_buf_putc(&c->out, '\n');
	c->n++;
	return 0;
}

/* Runs a query; the lines joined with newlines, owned by the caller. */
static char *
q(struct sb_store *st, const char *type, const char *key, int64_t since,
    int64_t until, uint64_t limit, size_t *n)
{
	struct sb_store_query qq;
	struct collect c = { SB_BUF_INIT, 0 };

	sb_store_query_init(&qq, type);
	qq.key = key;
	qq.key_len = key ? strlen(key) : 0;
	qq.since = since;
	qq.until = until;
	qq.limit = limit;
	if (sb_store_query(st, &qq, collect, &c) == -1)
		printf("# query: %s\n", sb_store_error(st));
	if (n != NULL)
		*n = c.n;
	sb_buf_putc(&c.out, '\0');
	return c.out.s;
}

static void
add(struct sb_store_batch *b, const char *line)
{
	struct sb_json js;
	char err[160];

	sb_json_init(&js);
	if (sb_json_parse(&js, line, strlen(line)) == -1 ||
	    sb_store_batch_add_json(b, &js, line, strlen(line), err,
	    sizeof err) == -1)
		printf("# bad test record: %s\n", line);
	sb_json_free(&js);
}

static const char *const records[] = {
	/* 0 */ "{\"timestamp\":\"2026-11-26T14:03:07.125Z\",\"endpoint\":\"/api/orders/1\",\"status_code\":503,\"latency_ms\":812.4}",
	/* 1 */ "{\"type\":\"window\",\"key\":\"GET /a\",\"start\":\"2026-11-26T14:02:00.000Z\",\"count\":1}",
	/* 2 */ "{\"type\":\"window\",\"key\":\"GET /b\",\"start\":\"2026-11-26T14:01:00.000Z\",\"count\":2}",
	/* 3 */ "{\"type\":\"window\",\"key\":\"GET /a\",\"start\":\"2026-11-26T14:02:00.000Z\",\"count\":3}",
	/* 4 */ "{\"type\":\"signal\",\"key\":\"GET /a\",\"at\":\"2026-11-26T14:21:00.000Z\",\"metric\":\"latency_p95\"}",
	/* 5 */ "{\"type\":\"alert\",\"id\":\"9f\",\"key\":\"GET /a\",\"started\":\"2026-11-26T14:06:00.000Z\",\"at\":\"2026-11-26T14:21:00.000Z\"}",
	/* 6 */ "{\"type\":\"truth\",\"key\":\"GET /a\",\"start\":\"2026-11-26T14:00:00.000Z\",\"end\":null}",
	/* 7 */ "{\"type\":\"noise\",\"kind\":\"burst\",\"key\":\"GET /b\",\"start\":\"2026-11-26T14:10:00.000Z\"}",
	/* 8 */ "{\"ts\":1795701787125,\"path\":\"/x\",\"status\":200,\"latency\":1}",
	/* 9 */ "{\"type\":\"window\",\"key\":\"k'; DROP TABLE records; --\\r\\n*1\\r\\n$8\\r\\nFLUSHALL\\r\\n\\\"q\\\"\",\"start\":\"2026-11-26T14:00:00.000Z\",\"v\":\"x\\ty\\\\z \\u00e9 \\\"\\r\\n\"}",
	/* 10 */ "{\"type\":\"window\",\"key\":\"\",\"start\":1795701600,\"count\":0}",
	/* 11 */ "{\"type\":\"alert\",\"id\":\"9f\",\"key\":\"GET /a\",\"started\":\"2026-11-26T14:06:00.000Z\"}",
};

static char *
join(const int *idx, size_t n)
{
	struct sb_buf b = SB_BUF_INIT;

	for (size_t i = 0; i < n; i++) {
		sb_buf_puts(&b, records[idx[i]]);
		sb_buf_putc(&b, '\n');
	}
	sb_buf_putc(&b, '\0');
	return b.s;
}

static void
check_query(struct sb_store *st, const char *type, const char *key,
    int64_t since, int64_t until, uint64_t limit, const int *idx, size_t n,
    const char *what)
{
	char *got = q(st, type, key, since, until, limit, NULL);
	char *want = join(idx, n);

	is_str(got, want, "%s", what);
	free(got);
	free(want);
}

static int
key_cb(void *arg, const char *key)
{
	struct sb_buf *b = arg;

	sb_buf_puts(b, key);
	sb_buf_putc(b, '|');
	return 0;
}

static void
records_suite(struct sb_store *st, const char *be)
{
	struct sb_store_batch b;
	struct sb_store_stats s;
	uint64_t removed = 0;
	size_t n;
	char *got;

	sb_store_batch_init(&b);
	for (size_t i = 0; i < sizeof records / sizeof records[0]; i++)
		add(&b, records[i]);
	ok(sb_store_put(st, &b) == 0, "%s: put a batch of every record type", be);

	{ int w[] = { 9, 10, 2, 1, 3 };
	  check_query(st, "window", NULL, INT64_MIN, INT64_MAX, 0, w, 5,
	      "windows in time order, ties in put order, verbatim"); }
	{ int e[] = { 0, 8 };
	  check_query(st, "event", NULL, INT64_MIN, INT64_MAX, 0, e, 2,
	      "events, by 'timestamp' and by its alias 'ts'"); }
	{ int a[] = { 11, 5 };
	  check_query(st, "alert", NULL, INT64_MIN, INT64_MAX, 0, a, 2,
	      "alerts by 'at', else 'started'"); }
	{ int x[] = { 4 };
	  check_query(st, "signal", NULL, INT64_MIN, INT64_MAX, 0, x, 1,
	      "signals"); }
	{ int x[] = { 6 };
	  check_query(st, "truth", NULL, INT64_MIN, INT64_MAX, 0, x, 1, "truth"); }
	{ int x[] = { 7 };
	  check_query(st, "noise", NULL, INT64_MIN, INT64_MAX, 0, x, 1, "noise"); }
	{ int x[] = { 1, 3 };
	  check_query(st, "window", "GET /a", INT64_MIN, INT64_MAX, 0, x, 2,
	      "one key's series"); }
	{ int x[] = { 9 };
	  check_query(st, "window", "k'; DROP TABLE records; --\r\n*1\r\n$8\r\n"
	      "FLUSHALL\r\n\"q\"", INT64_MIN, INT64_MAX, 0, x, 1,
	      "an injection key is stored and matched verbatim"); }
	{ int x[] = { 10 };
	  check_query(st, "window", "", INT64_MIN, INT64_MAX, 0, x, 1,
	      "the empty key is a key"); }
	{ int x[] = { 2, 1 };
	  check_query(st, "window", NULL, T0 + 60000, T0 + 180000, 2, x, 2,
	      "since is inclusive, limit counts"); }
	{ int x[] = { 2 };
	  check_query(st, "window", NULL, T0 + 60000, T0 + 120000, 0, x, 1,
	      "until is exclusive"); }
	got = q(st, "window", "GET /zzz", INT64_MIN, INT64_MAX, 0, &n);
	is_int(n, 0, "an unknown key has no records");
	free(got);
	got = q(st, "nosuchtype", NULL, INT64_MIN, INT64_MAX, 0, &n);
	is_int(n, 0, "an unknown type has no records");
	free(got);

	/* Ties across page boundaries: 4500 records in 3 distinct times. */
	sb_store_batch_reset(&b);
	for (int i = 0; i < 4500; i++) {
		char line[128], tb[SB_TIME_LEN];
		snprintf(line, sizeof line, "{\"type\":\"tie\",\"key\":\"k%d\","
		    "\"at\":\"%s\",\"i\":%d}", i % 7,
		    sb_time_format(T0 + (i / 1500) * 1000, tb), i);
		add(&b, line);
	}
	ok(sb_store_put(st, &b) == 0, "put 4500 records with heavy ties");
	{
		char *all = q(st, "tie", NULL, INT64_MIN, INT64_MAX, 0, &n), *p;
		int in_order = 1, i = 0;
		is_int(n, 4500, "all 4500 come back across pages");
		for (p = all; (p = strstr(p, "\"i\":")) != NULL; p += 4, i++)
			if (atoi(p + 4) != i)
				in_order = 0;
		ok(in_order && i == 4500, "ties across pages keep put order");
		free(all);
		all = q(st, "tie", NULL, INT64_MIN, INT64_MAX, 2001, &n);
		is_int(n, 2001, "a limit just past a page");
		free(all);
		all = q(st, "tie", "k3", T0 + 1000, T0 + 2000, 0, &n);
		is_int(n, 215, "one key in one second");
		free(all);
	}

	ok(sb_store_stats(st, &s) == 0, "stats");
	{
		uint64_t total = 0, windows = 0;
		for (size_t i = 0; i < s.ntypes; i++) {
			total += s.types[i].count;
			if (strcmp(s.types[i].type, "window") == 0)
				windows = s.types[i].count;
		}
		is_int(total, 4512, "stats count every record");
		is_int(windows, 5, "stats count per type");
	}
	sb_store_stats_free(&s);

	/* Before 14:02: the ties, three windows and the truth record. */
	ok(sb_store_prune(st, T0 + 120000, &removed) == 0, "prune");
	is_int(removed, 4500 + 3 + 1, "prune removes what is older");
	{ int x[] = { 1, 3 };
	  check_query(st, "window", NULL, INT64_MIN, INT64_MAX, 0, x, 2,
	      "what is not older stays"); }
	{ int x[] = { 1, 3 };
	  check_query(st, "window", "GET /a", INT64_MIN, INT64_MAX, 0, x, 2,
	      "a key's series is pruned too"); }
	got = q(st, "window", "GET /b", INT64_MIN, INT64_MAX, 0, &n);
	is_int(n, 0, "a pruned key's series is empty");
	free(got);
	removed = 0;
	ok(sb_store_prune(st, T0 + 120000, &removed) == 0 && removed == 0,
	    "pruning again removes nothing");
	sb_store_batch_free(&b);
}

/*
 * Putting is idempotent: a line already stored, or earlier in the same
 * batch, is skipped, the first copy staying where it was put; a line
 * that differs in one byte is another record; a pruned record can be
 * put again.  Times before T0 - 1h, after what records_suite pruned.
 */
static const char *const idem[] = {
	/* 0 */ "{\"type\":\"idem\",\"key\":\"a\",\"at\":\"2026-11-26T13:00:00.000Z\",\"v\":1}",
	/* 1 */ "{\"type\":\"idem\",\"key\":\"b\",\"at\":\"2026-11-26T13:00:00.000Z\",\"v\":2}",
	/* 2 */ "{\"type\":\"idem\",\"key\":\"a\",\"at\":\"2026-11-26T13:00:01.000Z\",\"v\":3}",
	/* 3 */ "{\"type\":\"idem\",\"key\":\"b\",\"at\":\"2026-11-26T13:00:00.000Z\",\"v\":2 }",
};

static char *
idem_join(const int *idx, size_t n)
{
	struct sb_buf b = SB_BUF_INIT;

	for (size_t i = 0; i < n; i++) {
		sb_buf_puts(&b, idem[idx[i]]);
		sb_buf_putc(&b, '\n');
	}
	sb_buf_putc(&b, '\0');
	return b.s;
}

static void
idem_check(struct sb_store *st, const char *key, const int *idx, size_t n,
    const char *what)
{
	char *got = q(st, "idem", key, INT64_MIN, INT64_MAX, 0, NULL);
	char *want = idem_join(idx, n);

	is_str(got, want, "%s", what);
	free(got);
	free(want);
}

static void
idempotent_suite(struct sb_store *st, const char *be)
{
	struct sb_store_batch b;
	struct sb_store_stats s;
	uint64_t skipped = sb_store_skipped(st), removed = 0;
	int once[] = { 0, 1, 2 }, all[] = { 0, 1, 3, 2 }, after[] = { 2 },
	    a[] = { 0, 2 };

	sb_store_batch_init(&b);
	add(&b, idem[0]);
	add(&b, idem[1]);
	add(&b, idem[0]);
	add(&b, idem[2]);
	add(&b, idem[1]);
	ok(sb_store_put(st, &b) == 0, "%s: put a batch holding copies", be);
	is_int(sb_store_skipped(st) - skipped, 2,
	    "the copies within the batch are skipped");
	idem_check(st, NULL, once, 3, "each record once, where it was first put");
	skipped = sb_store_skipped(st);
	ok(sb_store_put(st, &b) == 0, "put the same batch again");
	is_int(sb_store_skipped(st) - skipped, 5, "every record of it is skipped");
	idem_check(st, NULL, once, 3, "the store is as after the first put");
	idem_check(st, "a", a, 2, "a series is as after the first put");

	sb_store_batch_reset(&b);
	add(&b, idem[3]);
	add(&b, idem[0]);
	skipped = sb_store_skipped(st);
	ok(sb_store_put(st, &b) == 0, "put a line that differs in one byte");
	is_int(sb_store_skipped(st) - skipped, 1, "only the copy is skipped");
	idem_check(st, NULL, all, 4, "one byte makes another record");

	ok(sb_store_stats(st, &s) == 0, "stats");
	is_int(s.duplicates, 8, "stats count the records skipped");
	sb_store_stats_free(&s);

	/* A pruned record leaves its identity too: it can be put again. */
	ok(sb_store_prune(st, T0 - 3600000 + 1, &removed) == 0 &&
	    removed == 3, "prune the records of the first second");
	idem_check(st, NULL, after, 1, "they are gone");
	sb_store_batch_reset(&b);
	add(&b, idem[0]);
	skipped = sb_store_skipped(st);
	ok(sb_store_put(st, &b) == 0, "put the pruned record again");
	is_int(sb_store_skipped(st) - skipped, 0, "it is not a duplicate");
	idem_check(st, NULL, a, 2, "it is stored again");
	sb_store_batch_free(&b);
}

/*
 * Memory: the records dropped over max_records leave the digest set, so
 * they can be put again, while those kept are still found; thousands of
 * removals exercise the set's backward shifts.
 */
static void
memory_bound_suite(void)
{
	struct sb_store_config cfg;
	struct sb_store_batch b;
	struct sb_store_stats s;
	struct sb_store *st;
	char err[256], line[128], tb[SB_TIME_LEN];
	uint64_t skipped;
	size_t n;

	sb_store_config_env(&cfg);
	cfg.backend = "memory";
	cfg.max_records = 1000;
	if ((st = sb_store_open(&cfg, err, sizeof err)) == NULL)
		return;
	sb_store_batch_init(&b);
	for (int i = 0; i < 3000; i++) {
		snprintf(line, sizeof line, "{\"type\":\"m\",\"at\":\"%s\","
		    "\"i\":%d}", sb_time_format(T0 + i * 1000LL, tb), i);
		add(&b, line);
	}
	ok(sb_store_put(st, &b) == 0, "memory: put 3000 records over a bound "
	    "of 1000");
	free(q(st, "m", NULL, INT64_MIN, INT64_MAX, 0, &n));
	is_int(n, 1000, "memory: the newest 1000 are kept");
	skipped = sb_store_skipped(st);
	ok(sb_store_put(st, &b) == 0, "memory: put them all again");
	/* The 2000 dropped are stored (and dropped) again, the kept are not. */
	is_int(sb_store_skipped(st) - skipped, 1000,
	    "memory: only the records kept are found again");
	ok(sb_store_stats(st, &s) == 0 && s.dropped == 4000 &&
	    s.duplicates == 1000, "memory: stats count the dropped and the "
	    "duplicates");
	sb_store_stats_free(&s);
	sb_store_batch_free(&b);
	sb_store_close(st);
}

static void
state_suite(struct sb_store *st)
{
	struct sb_buf v = SB_BUF_INIT, keys = SB_BUF_INIT;
	static const char bin[] = "a\0b\r\n*1\r\n$4\r\nPING\r\n'; DROP TABLE state; --";
	const char *evil = "detect/x'; DROP TABLE state; --\r\n\"";

	is_int(sb_store_state_get(st, "detect/baselines", &v), 0,
	    "an absent state key");
	ok(sb_store_state_put(st, "detect/baselines", "v1", 2) == 0, "state put");
	is_int(sb_store_state_get(st, "detect/baselines", &v), 1, "state get");
	ok(v.len == 2 && memcmp(v.s, "v1", 2) == 0, "the value");
	ok(sb_store_state_put(st, "detect/baselines", bin, sizeof bin) == 0,
	    "state replace with binary");
	sb_store_state_get(st, "detect/baselines", &v);
	ok(v.len == sizeof bin && memcmp(v.s, bin, sizeof bin) == 0,
	    "binary values, NUL and CRLF included, come back exactly");
	ok(sb_store_state_put(st, evil, "e", 1) == 0, "an injection key");
	is_int(sb_store_state_get(st, evil, &v), 1, "is found verbatim");
	ok(sb_store_state_put(st, "alert/delivery/9f", "", 0) == 0,
	    "an empty value");
	is_int(sb_store_state_get(st, "alert/delivery/9f", &v), 1,
	    "is present");
	is_int(v.len, 0, "and empty");
	sb_store_state_put(st, "correlate/incidents", "{}", 2);
	sb_store_state_keys(st, "detect/", key_cb, &keys);
	sb_buf_putc(&keys, '\0');
	is_str(keys.s, "detect/baselines|detect/x'; DROP TABLE state; --\r\n\"|",
	    "keys by prefix, in byte order");
	ok(sb_store_state_delete(st, evil) == 0, "state delete");
	is_int(sb_store_state_get(st, evil, &v), 0, "deleted");
	ok(sb_store_state_delete(st, evil) == 0, "deleting an absent key");
	sb_buf_free(&v);
	sb_buf_free(&keys);
}

static void
conformance(const struct sb_store_config *cfg, const char *be)
{
	struct sb_store *st;
	struct sb_buf v = SB_BUF_INIT;
	char err[512], *got;
	int found, now;
	size_t n;

	st = sb_store_open(cfg, err, sizeof err);
	if (!ok(st != NULL, "%s: open", be)) {
		printf("# %s\n", err);
		return;
	}
	sb_store_schema(st, &found, &now);
	is_int(found, 0, "%s: a fresh store gets a new schema", be);
	ok(now >= 1, "schema version %d", now);
	records_suite(st, be);
	state_suite(st);
	idempotent_suite(st, be);
	sb_store_close(st);

	/* A second connection sees it all, except with memory. */
	st = sb_store_open(cfg, err, sizeof err);
	if (!ok(st != NULL, "%s: reopen", be)) {
		printf("# %s\n", err);
		return;
	}
	sb_store_schema(st, &found, &now);
	got = q(st, "window", NULL, INT64_MIN, INT64_MAX, 0, &n);
	if (strcmp(be, "memory") == 0) {
		is_int(n, 0, "memory: nothing survives the store (by design)");
		is_int(sb_store_state_get(st, "detect/baselines", &v), 0,
		    "memory: nor does the state");
	} else {
		is_int(found, now, "%s: the schema is found again", be);
		is_int(n, 2, "%s: the records survive a reopen", be);
		is_int(sb_store_state_get(st, "detect/baselines", &v), 1,
		    "%s: the state survives a reopen", be);
	}
	free(got);
	sb_buf_free(&v);
	sb_store_close(st);
}

int
main(void)
{
	struct sb_store_config cfg;
	char path[256];

	sb_store_config_env(&cfg);
	cfg.retry_for = 2000;
	if (getenv("STORAGE_BACKEND") != NULL) {
		conformance(&cfg, cfg.backend);
		if (strcmp(cfg.backend, "memory") == 0)
			memory_bound_suite();
		return done_testing();
	}
	cfg.backend = "memory";
	conformance(&cfg, "memory");
	memory_bound_suite();
	snprintf(path, sizeof path, "%s/sbstore.%ld.db",
	    getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (long)getpid());
	cfg.backend = "sqlite";
	cfg.sqlite_path = path;
	conformance(&cfg, "sqlite");
	unlink(path);
	strcat(path, "-wal");
	unlink(path);
	path[strlen(path) - 4] = '\0';
	strcat(path, "-shm");
	unlink(path);
	return done_testing();
}
