/*
 * store.c - the storage interface of store.h: configuration, batches,
 * what a record's type, key and time are, retrying with backoff, query
 * paging and the state area's front; the backends are store_*.c.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "blake2b.h"
#include "clock.h"
#include "event.h"
#include "num.h"
#include "record.h"
#include "sig.h"
#include "store.h"
#include "store_impl.h"
#include "timefmt.h"

void
sb_store_config_env(struct sb_store_config *c)
{
	const char *s;

	memset(c, 0, sizeof *c);
	c->backend = (s = getenv("STORAGE_BACKEND")) && *s ? s :
	    SB_STORE_BACKEND_DEFAULT;
	c->sqlite_path = (s = getenv("SQLITE_DB_PATH")) && *s ? s :
	    SB_STORE_SQLITE_DEFAULT;
	c->redis_url = (s = getenv("REDIS_URL")) && *s ? s :
	    SB_STORE_REDIS_URL_DEFAULT;
	c->redis_prefix = (s = getenv("REDIS_KEY_PREFIX")) != NULL ? s :
	    SB_STORE_PREFIX_DEFAULT;
	c->pg_conninfo = getenv("TIMESCALE_CONNECTION_STRING");
	c->max_records = SB_STORE_MAX_RECORDS_DEFAULT;
	c->retry_for = SB_STORE_RETRY_FOR_DEFAULT;
}

static char *
dup_or_null(const char *s)
{
	return s != NULL ? sb_xstrdup(s) : NULL;
}

/* --- messages ------------------------------------------------------- */

void
sb_store_mask(char *s, size_t size, const char *secret)
{
	size_t sl, o = 0;
	const char *r = s;
	char *out;

	if (secret == NULL || (sl = strlen(secret)) == 0 || size == 0)
		return;
	if (strstr(s, secret) == NULL)
		return;
	out = sb_xmalloc(size);
	while (*r != '\0' && o + 1 < size) {
		if (strncmp(r, secret, sl) == 0) {
			for (int i = 0; i < 3 && o + 1 < size; i++)
				out[o++] = '*';
			r += sl;
		} else {
			out[o++] = *r++;
		}
	}
	out[o] = '\0';
	memcpy(s, out, o + 1);
	free(out);
}

int
sb_store_seterr(struct sb_store *st, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(st->err, sizeof st->err, fmt, ap);
	va_end(ap);
	/* Messages end at the line: libpq's carry a newline. */
	st->err[strcspn(st->err, "\n")] = '\0';
	sb_store_mask(st->err, sizeof st->err, st->secret);
	return rc;
}

void
sb_store_notice(struct sb_store *st, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (st->cfg.notice == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	msg[strcspn(msg, "\n")] = '\0';
	sb_store_mask(msg, sizeof msg, st->secret);
	st->cfg.notice(st->cfg.notice_arg, msg);
}

const char *
sb_store_error(const struct sb_store *st)
{
	return st->err;
}

const char *
sb_store_describe(const struct sb_store *st)
{
	return st->desc;
}

const char *
sb_store_backend(const struct sb_store *st)
{
	return st->ops->name;
}

void
sb_store_schema(const struct sb_store *st, int *found, int *now)
{
	*found = st->schema_found;
	*now = st->schema_now;
}

void
sb_store_set_retry(struct sb_store *st, int64_t ms)
{
	st->retry_for = ms;
}

uint64_t
sb_store_migrate_removed(const struct sb_store *st)
{
	return st->migrate_removed;
}

uint64_t
sb_store_skipped(const struct sb_store *st)
{
	return st->skipped;
}

void
sb_store_sleep(int64_t ms)
{
	struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR &&
	    !sb_stop_requested())
		;
}

/* --- retrying -------------------------------------------------------- */

typedef int	(*op_fn)(struct sb_store *, void *);

/*
 * Runs op, reconnecting first if needed.  A transient failure is retried
 * with exponential backoff until retry_for has passed: the waits are the
 * backend's problem, not the caller's.
 */
static int
with_retry(struct sb_store *st, op_fn op, void *arg)
{
	int64_t start = 0, delay = 100, waited = 0;
	int rc, told = 0;

	for (st->attempt = 0;; st->attempt++) {
		rc = st->connected ? 0 : st->ops->connect(st);
		if (rc == 0) {
			st->connected = 1;
			rc = op(st, arg);
		}
		if (rc != SB_STORE_TRANSIENT)
			break;
		st->ops->disconnect(st);
		st->connected = 0;
		if (start == 0)
			start = sb_monotonic_ms();
		waited = sb_monotonic_ms() - start;
		if (waited >= st->retry_for || sb_stop_requested())
			break;
		if (!told) {
			char d[32];
			sb_duration_format(st->retry_for, d, sizeof d);
			sb_store_notice(st, "%s; retrying for up to %s",
			    st->err, d);
			told = 1;
		}
		sb_store_sleep(delay < st->retry_for - waited ? delay :
		    st->retry_for - waited);
		delay = delay * 2 > 2000 ? 2000 : delay * 2;
	}
	st->transient = rc == SB_STORE_TRANSIENT;
	if (told && rc == 0)
		sb_store_notice(st, "%s: back after %.1fs", st->desc,
		    (double)(sb_monotonic_ms() - start) / 1000);
	return rc == 0 ? 0 : -1;
}

static int
op_connect(struct sb_store *st, void *arg)
{
	return 0;
}

struct sb_store *
sb_store_open(const struct sb_store_config *cfg, char *err, size_t errsz)
{
	static const struct sb_store_ops *const all[] = {
		&sb_store_memory_ops, &sb_store_sqlite_ops,
		&sb_store_redis_ops, &sb_store_pg_ops
	};
	const struct sb_store_ops *ops = NULL;
	struct sb_store *st;
	const char *name = cfg->backend != NULL ? cfg->backend : "sqlite";

	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
		if (strcmp(name, all[i]->name) == 0)
			ops = all[i];
	if (ops == NULL) {
		snprintf(err, errsz, "unknown storage backend '%s' (memory, "
		    "sqlite, redis, timescale)", name);
		return NULL;
	}
	if (ops == &sb_store_pg_ops && (cfg->pg_conninfo == NULL ||
	    *cfg->pg_conninfo == '\0')) {
		snprintf(err, errsz, "timescale: TIMESCALE_CONNECTION_STRING "
		    "is not set");
		return NULL;
	}
	st = sb_xcalloc(1, sizeof *st);
	st->ops = ops;
	st->cfg = *cfg;
	st->cfg.backend = ops->name;
	st->cfg.sqlite_path = dup_or_null(cfg->sqlite_path ? cfg->sqlite_path :
	    SB_STORE_SQLITE_DEFAULT);
	st->cfg.redis_url = dup_or_null(cfg->redis_url ? cfg->redis_url :
	    SB_STORE_REDIS_URL_DEFAULT);
	st->cfg.redis_prefix = dup_or_null(cfg->redis_prefix ?
	    cfg->redis_prefix : SB_STORE_PREFIX_DEFAULT);
	st->cfg.pg_conninfo = dup_or_null(cfg->pg_conninfo);
	if (st->cfg.max_records == 0)
		st->cfg.max_records = SB_STORE_MAX_RECORDS_DEFAULT;
	st->retry_for = cfg->retry_for;
	snprintf(st->desc, sizeof st->desc, "%s", ops->name);
	if (with_retry(st, op_connect, NULL) == -1 &&
	    !(cfg->lazy && st->transient)) {
		snprintf(err, errsz, "%s", st->err);
		sb_store_close(st);
		return NULL;
	}
	return st;
}

void
sb_store_close(struct sb_store *st)
{
	if (st == NULL)
		return;
	if (st->connected)
		st->ops->disconnect(st);
	st->ops->destroy(st);
	free((char *)st->cfg.sqlite_path);
	free((char *)st->cfg.redis_url);
	free((char *)st->cfg.redis_prefix);
	free((char *)st->cfg.pg_conninfo);
	free(st->secret);
	sb_buf_free(&st->page.lines);
	free(st->page.row);
	free(st);
}

/* --- batches --------------------------------------------------------- */

void
sb_store_batch_init(struct sb_store_batch *b)
{
	memset(b, 0, sizeof *b);
}

void
sb_store_batch_free(struct sb_store_batch *b)
{
	sb_buf_free(&b->data);
	free(b->item);
	memset(b, 0, sizeof *b);
}

void
sb_store_batch_reset(struct sb_store_batch *b)
{
	sb_buf_reset(&b->data);
	b->n = 0;
}

static size_t
add_str(struct sb_buf *d, const char *s, size_t n)
{
	size_t off = d->len;

	sb_buf_add(d, s, n);
	sb_buf_putc(d, '\0');
	return off;
}

void
sb_store_batch_add(struct sb_store_batch *b, const char *type,
    size_t type_len, const char *key, size_t key_len, int64_t time,
    const char *line, size_t line_len)
{
	struct sb_store_item *it;

	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 256;
		b->item = sb_xrealloc(b->item, b->cap * sizeof *b->item);
	}
	it = &b->item[b->n++];
	it->type = add_str(&b->data, type, type_len);
	it->type_len = type_len;
	it->key = add_str(&b->data, key, key_len);
	it->key_len = key_len;
	it->line = add_str(&b->data, line, line_len);
	it->line_len = line_len;
	it->time = time;
	sb_store_digest(line, line_len, it->digest);
}

struct dref {
	const unsigned char *d;
	size_t		 i;
};

static int
cmp_dref(const void *x, const void *y)
{
	const struct dref *a = x, *b = y;
	int c = memcmp(a->d, b->d, SB_STORE_DIGEST);

	if (c != 0)
		return c;
	return (a->i > b->i) - (a->i < b->i);
}

void
sb_store_batch_firsts(const struct sb_store_batch *b, unsigned char *first)
{
	struct dref *dr = sb_xmalloc((b->n ? b->n : 1) * sizeof *dr);

	for (size_t i = 0; i < b->n; i++) {
		dr[i].d = b->item[i].digest;
		dr[i].i = i;
	}
	qsort(dr, b->n, sizeof *dr, cmp_dref);
	for (size_t i = 0; i < b->n; i++)
		first[dr[i].i] = i == 0 || memcmp(dr[i].d, dr[i - 1].d,
		    SB_STORE_DIGEST) != 0;
	free(dr);
}

void
sb_store_digest(const char *line, size_t len,
    unsigned char out[SB_STORE_DIGEST])
{
	sb_blake2b(line, len, out, SB_STORE_DIGEST);
}

/* A type name is a word, so that it can be part of a Redis key. */
static int
type_ok(const char *s, size_t n)
{
	if (n == 0 || n > SB_STORE_TYPE_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "0123456789_.-", s[i]) == NULL || s[i] == '\0')
			return 0;
	return 1;
}

/* A time member: an RFC 3339 string, or an epoch number (or a string of one). */
static int
time_of(const struct sb_json *js, size_t t, int64_t *ms)
{
	const struct sb_jtok *k = &js->tok[t];
	const char *errstr;
	char tmp[64];
	double v;

	if (k->type == SB_JNUMBER)
		return sb_json_number(js, t, &v) == 0 &&
		    sb_time_from_epoch(v, ms) == 0 ? 0 : -1;
	if (k->type != SB_JSTRING || k->escaped)
		return -1;
	if (sb_time_parse(js->src + k->start, k->end - k->start, ms) == 0)
		return 0;
	if (k->end - k->start == 0 || k->end - k->start >= sizeof tmp ||
	    strspn(js->src + k->start, "0123456789+-.eE") < k->end - k->start)
		return -1;
	memcpy(tmp, js->src + k->start, k->end - k->start);
	tmp[k->end - k->start] = '\0';
	return sb_parse_double(tmp, -HUGE_VAL, HUGE_VAL, &v, &errstr) == 0 &&
	    sb_time_from_epoch(v, ms) == 0 ? 0 : -1;
}

/* v[0..n-1]: the names event.c gives a member, then NULL. */
static void
event_names(const char *(*name)(int), const char **v, size_t n)
{
	size_t i = 0;

	while (i + 1 < n && (v[i] = name((int)i)) != NULL)
		i++;
	v[i] = NULL;
}

int
sb_store_batch_add_json(struct sb_store_batch *b, const struct sb_json *js,
    const char *line, size_t len, char *err, size_t errsz)
{
	static const char *const key_only[] = { "key", NULL };
	const char *ev_key[8], *time_type = NULL, *name;
	const char *const *keys = ev_key;
	struct sb_buf type = SB_BUF_INIT, key = SB_BUF_INIT;
	const char *tname = "event";
	long t, m = -1;
	int64_t ms;
	int rc = -1;

	event_names(sb_event_endpoint_name, ev_key, 8);
	if (js->ntok == 0 || js->tok[0].type != SB_JOBJECT) {
		snprintf(err, errsz, "not a JSON object");
		return -1;
	}
	if ((t = js->type) >= 0) {
		if (sb_json_str(js, (size_t)t, &type) == -1 ||
		    !type_ok(type.s, type.len)) {
			snprintf(err, errsz, "'type' is not a record type "
			    "name (letters, digits, '_', '.', '-')");
			goto out;
		}
		tname = time_type = type.s;
		keys = key_only;
	}
	/* The record's reader names its time members (lib/record.h). */
	for (int i = 0; m < 0 &&
	    (name = sb_record_time_name(time_type, i)) != NULL; i++)
		m = sb_json_member(js, 0, name);
	if (m < 0) {
		snprintf(err, errsz, "missing '%s'",
		    sb_record_time_name(time_type, 0));
		goto out;
	}
	if (time_of(js, (size_t)m, &ms) == -1) {
		snprintf(err, errsz, "'%.*s' is not an RFC 3339 time or epoch "
		    "number", (int)(js->tok[m - 1].end - js->tok[m - 1].start),
		    js->src + js->tok[m - 1].start);
		goto out;
	}
	for (int i = 0; keys[i] != NULL; i++) {
		long k = sb_json_member(js, 0, keys[i]);
		if (k < 0)
			continue;
		if (sb_json_str(js, (size_t)k, &key) == -1) {
			snprintf(err, errsz, "'%s' is not a string", keys[i]);
			goto out;
		}
		/* The bounds every reader applies (lib/event.h). */
		if (key.len > (keys == key_only ? SB_KEY_MAX : SB_ENDPOINT_MAX)) {
			snprintf(err, errsz, "'%s' is longer than %d bytes",
			    keys[i], keys == key_only ? SB_KEY_MAX :
			    SB_ENDPOINT_MAX);
			goto out;
		}
		break;
	}
	sb_store_batch_add(b, tname, strlen(tname), key.len ? key.s : "",
	    key.len, ms, line, len);
	rc = 0;
out:
	sb_buf_free(&type);
	sb_buf_free(&key);
	return rc;
}

/* --- operations ------------------------------------------------------ */

struct put_args {
	const struct sb_store_batch *b;
	uint64_t skipped;
};

static int
op_put(struct sb_store *st, void *arg)
{
	struct put_args *a = arg;

	a->skipped = 0;
	return st->ops->put(st, a->b, &a->skipped);
}

int
sb_store_put(struct sb_store *st, const struct sb_store_batch *b)
{
	struct put_args a = { b, 0 };

	if (b->n == 0)
		return 0;
	if (with_retry(st, op_put, &a) == -1)
		return -1;
	/* After a retry, what the lost attempt stored counts as skipped. */
	st->skipped += a.skipped;
	return 0;
}

void
sb_store_query_init(struct sb_store_query *q, const char *type)
{
	memset(q, 0, sizeof *q);
	q->type = type;
	q->since = INT64_MIN;
	q->until = INT64_MAX;
}

void
sb_store_page_add(struct sb_store_page *p, int64_t t, uint64_t seq,
    const char *line, size_t len)
{
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 256;
		p->row = sb_xrealloc(p->row, p->cap * sizeof *p->row);
	}
	p->row[p->n].t = t;
	p->row[p->n].seq = seq;
	p->row[p->n].off = p->lines.len;
	p->row[p->n].len = len;
	p->n++;
	sb_buf_add(&p->lines, line, len);
}

struct page_args {
	const struct sb_store_query *q;
	const struct sb_store_cursor *c;
	size_t max;
};

static int
op_page(struct sb_store *st, void *arg)
{
	struct page_args *a = arg;

	/* A page is all or nothing, so a retried page emits nothing twice. */
	st->page.n = 0;
	sb_buf_reset(&st->page.lines);
	return st->ops->page(st, a->q, a->c, a->max, &st->page);
}

int
sb_store_query(struct sb_store *st, const struct sb_store_query *q,
    sb_store_emit emit, void *arg)
{
	struct sb_store_cursor c = { 0, 0, 0, 0 };
	struct page_args a = { q, &c, 0 };
	uint64_t done = 0;

	if (q->type == NULL || !type_ok(q->type, strlen(q->type)))
		return sb_store_seterr(st, -1, "'%s' is not a record type name",
		    q->type ? q->type : "");
	if (q->since >= q->until)
		return 0;
	for (;;) {
		a.max = SB_STORE_PAGE;
		if (q->limit > 0 && q->limit - done < a.max)
			a.max = (size_t)(q->limit - done);
		if (with_retry(st, op_page, &a) == -1)
			return -1;
		for (size_t i = 0; i < st->page.n; i++) {
			const struct sb_store_row *r = &st->page.row[i];
			if (c.started && r->t == c.t)
				c.ties++;
			else
				c.ties = 1;
			c.started = 1;
			c.t = r->t;
			c.seq = r->seq;
			if (emit(arg, st->page.lines.s + r->off, r->len) != 0)
				return 0;
			done++;
		}
		if (st->page.n < a.max || (q->limit > 0 && done >= q->limit))
			return 0;
	}
}

struct prune_args {
	int64_t cutoff;
	uint64_t *removed;
};

static int
op_prune(struct sb_store *st, void *arg)
{
	struct prune_args *a = arg;

	*a->removed = 0;
	return st->ops->prune(st, a->cutoff, a->removed);
}

int
sb_store_prune(struct sb_store *st, int64_t cutoff, uint64_t *removed)
{
	struct prune_args a = { cutoff, removed };

	return with_retry(st, op_prune, &a);
}

struct sb_store_typestat *
sb_store_stats_type(struct sb_store_stats *s, const char *type, size_t len)
{
	size_t i;

	if (len > SB_STORE_TYPE_MAX)
		len = SB_STORE_TYPE_MAX;
	for (i = 0; i < s->ntypes; i++) {
		int c = strncmp(s->types[i].type, type, len);
		if (c == 0 && s->types[i].type[len] == '\0')
			return &s->types[i];
		if (c > 0 || (c == 0 && s->types[i].type[len] != '\0'))
			break;
	}
	s->types = sb_xrealloc(s->types, (s->ntypes + 1) * sizeof *s->types);
	memmove(&s->types[i + 1], &s->types[i], (s->ntypes - i) *
	    sizeof *s->types);
	s->ntypes++;
	memset(&s->types[i], 0, sizeof s->types[i]);
	memcpy(s->types[i].type, type, len);
	s->types[i].first = INT64_MAX;
	s->types[i].last = INT64_MIN;
	return &s->types[i];
}

static int
op_stats(struct sb_store *st, void *arg)
{
	struct sb_store_stats *s = arg;

	sb_store_stats_free(s);
	s->size_bytes = -1;
	return st->ops->stats(st, s);
}

int
sb_store_stats(struct sb_store *st, struct sb_store_stats *s)
{
	memset(s, 0, sizeof *s);
	return with_retry(st, op_stats, s);
}

void
sb_store_stats_free(struct sb_store_stats *s)
{
	free(s->types);
	memset(s, 0, sizeof *s);
}

/* --- the state area -------------------------------------------------- */

struct state_args {
	const char *key;
	const void *val;
	size_t len;
	struct sb_buf *out;
	size_t n;
	int found;
};

static int
op_state_get(struct sb_store *st, void *arg)
{
	struct state_args *a = arg;
	int rc;

	sb_buf_reset(a->out);
	rc = st->ops->state_get(st, a->key, a->out);
	if (rc >= 0) {
		a->found = rc;
		rc = 0;
	}
	return rc;
}

int
sb_store_state_get(struct sb_store *st, const char *key, struct sb_buf *val)
{
	struct state_args a = { key, NULL, 0, val, 0, 0 };

	if (with_retry(st, op_state_get, &a) == -1)
		return -1;
	if (val->s == NULL)
		sb_buf_grow(val, 1);
	val->s[val->len] = '\0';
	return a.found;
}

static int
op_state_put(struct sb_store *st, void *arg)
{
	struct state_args *a = arg;

	return st->ops->state_put(st, a->key, a->val, a->len);
}

int
sb_store_state_put(struct sb_store *st, const char *key, const void *val,
    size_t len)
{
	struct state_args a = { key, val, len, NULL, 0, 0 };

	return with_retry(st, op_state_put, &a);
}

static int
op_state_delete(struct sb_store *st, void *arg)
{
	struct state_args *a = arg;

	return st->ops->state_delete(st, a->key);
}

int
sb_store_state_delete(struct sb_store *st, const char *key)
{
	struct state_args a = { key, NULL, 0, NULL, 0, 0 };

	return with_retry(st, op_state_delete, &a);
}

static int
op_state_keys(struct sb_store *st, void *arg)
{
	struct state_args *a = arg;

	sb_buf_reset(a->out);
	a->n = 0;
	return st->ops->state_keys(st, a->key, a->out, &a->n);
}

static int
cmp_str(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

int
sb_store_state_keys(struct sb_store *st, const char *prefix,
    int (*fn)(void *, const char *), void *arg)
{
	struct sb_buf keys = SB_BUF_INIT;
	struct state_args a = { prefix ? prefix : "", NULL, 0, &keys, 0, 0 };
	char **v;
	size_t off = 0;

	if (with_retry(st, op_state_keys, &a) == -1) {
		sb_buf_free(&keys);
		return -1;
	}
	/* Collected first, so fn may use the store itself. */
	v = sb_xcalloc(a.n + 1, sizeof *v);
	for (size_t i = 0; i < a.n; i++) {
		v[i] = keys.s + off;
		off += strlen(v[i]) + 1;
	}
	qsort(v, a.n, sizeof *v, cmp_str);
	for (size_t i = 0; i < a.n; i++)
		if (fn(arg, v[i]) != 0)
			break;
	free(v);
	sb_buf_free(&keys);
	return 0;
}

/* --- Redis URLs ------------------------------------------------------ */

void
sb_redis_url_free(struct sb_redis_url *u)
{
	free(u->host);
	free(u->user);
	free(u->password);
	memset(u, 0, sizeof *u);
}

static char *
dupn(const char *s, size_t n)
{
	char *p = sb_xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

int
sb_redis_url_parse(const char *url, struct sb_redis_url *u, char *err,
    size_t errsz)
{
	const char *p, *at, *end, *colon;
	const char *errstr;
	long long n;
	char tmp[32];

	memset(u, 0, sizeof *u);
	u->port = 6379;
	if (strncmp(url, "redis://", 8) != 0) {
		snprintf(err, errsz, "REDIS_URL does not start with redis://");
		return -1;
	}
	p = url + 8;
	end = p + strcspn(p, "/?#");
	at = NULL;
	for (const char *q = p; q < end; q++)
		if (*q == '@')
			at = q;
	if (at != NULL) {
		colon = memchr(p, ':', (size_t)(at - p));
		if (colon != NULL) {
			if (colon > p)
				u->user = dupn(p, (size_t)(colon - p));
			u->password = dupn(colon + 1, (size_t)(at - colon - 1));
		} else if (at > p) {
			u->password = dupn(p, (size_t)(at - p));
		}
		p = at + 1;
	}
	colon = memchr(p, ':', (size_t)(end - p));
	u->host = dupn(p, (size_t)((colon ? colon : end) - p));
	if (*u->host == '\0') {
		free(u->host);
		u->host = sb_xstrdup("localhost");
	}
	if (colon != NULL) {
		if ((size_t)(end - colon - 1) >= sizeof tmp)
			goto bad_port;
		memcpy(tmp, colon + 1, (size_t)(end - colon - 1));
		tmp[end - colon - 1] = '\0';
		if (sb_parse_ll(tmp, 1, 65535, &n, &errstr) == -1)
			goto bad_port;
		u->port = (int)n;
	}
	if (*end == '/' && end[1] != '\0') {
		if (sb_parse_ll(end + 1, 0, 1000000, &n, &errstr) == -1) {
			snprintf(err, errsz, "REDIS_URL: database '%s' is %s",
			    end + 1, errstr);
			sb_redis_url_free(u);
			return -1;
		}
		u->db = (int)n;
	} else if (*end != '\0' && strcmp(end, "/") != 0) {
		snprintf(err, errsz, "REDIS_URL: cannot read '%s'", end);
		sb_redis_url_free(u);
		return -1;
	}
	return 0;
bad_port:
	snprintf(err, errsz, "REDIS_URL: the port is not a number in 1..65535");
	sb_redis_url_free(u);
	return -1;
}
