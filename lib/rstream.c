/*
 * rstream.c - shard streams on Redis (see rstream.h).
 *
 * Commands are built as argument vectors (binary-safe lines).  Adds are
 * pipelined per server and their replies read by sb_rstream_flush(); a
 * connection that breaks is dropped, the call returns
 * SB_RSTREAM_TRANSIENT, and the next command reconnects.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "endpoint.h"
#include "event.h"
#include "hash.h"
#include "redis.h"
#include "rstream.h"

#define DUP_ERR	"ERR The ID specified in XADD is equal or smaller"

struct server {
	struct sb_redis_url url;
	redisContext	*c;
	size_t		 queued;	/* pipelined commands awaiting replies */
	char		 desc[256];
};

struct sb_rstream {
	struct server	*srv;
	size_t		 nsrv;
	unsigned	 n;
	char		*prefix;
	char		*group;
	uint64_t	 cap;
	uint64_t	 dups;
	struct sb_event	 ev;
	struct sb_buf	 key, name, norm;
	struct sb_redis_cmd cmd;	/* the command being built */
	char		 err[1024];
	char		 desc[512];
};

void
sb_rstream_config_env(struct sb_rstream_config *cfg)
{
	const char *s;

	memset(cfg, 0, sizeof *cfg);
	cfg->urls = getenv("SB_SHARDS");
	if (cfg->urls == NULL || *cfg->urls == '\0')
		cfg->urls = getenv("REDIS_URL");
	if (cfg->urls == NULL || *cfg->urls == '\0')
		cfg->urls = SB_STORE_REDIS_URL_DEFAULT;
	if ((s = getenv("SB_STREAMS")) != NULL)
		cfg->streams = (unsigned)strtoul(s, NULL, 10);
	cfg->prefix = "slowburn:";
	cfg->group = "slowburn";
	cfg->cap = 1000000;
}

static int
seterr(struct sb_rstream *rs, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
seterr(struct sb_rstream *rs, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(rs->err, sizeof rs->err, fmt, ap);
	va_end(ap);
	for (size_t i = 0; i < rs->nsrv; i++)
		if (rs->srv[i].url.password != NULL)
			sb_store_mask(rs->err, sizeof rs->err,
			    rs->srv[i].url.password);
	return rc;
}

static struct server *
server_of(struct sb_rstream *rs, unsigned shard)
{
	return &rs->srv[shard % rs->nsrv];
}

static void
drop(struct server *s)
{
	if (s->c != NULL)
		redisFree(s->c);
	s->c = NULL;
	s->queued = 0;
}

static int
conn(struct sb_rstream *rs, struct server *s)
{
	char err[256];
	int transient;

	if (s->c != NULL)
		return 0;
	s->c = sb_redis_connect(&s->url, 30000, err, sizeof err, &transient);
	if (s->c == NULL)
		return seterr(rs, transient ? SB_RSTREAM_TRANSIENT : -1,
		    "redis %s: %s", s->desc, err);
	return 0;
}

static int
lost(struct sb_rstream *rs, struct server *s, const char *what)
{
	seterr(rs, 0, "redis %s: %s: %s", s->desc, what,
	    s->c != NULL && s->c->errstr[0] ? s->c->errstr : "connection lost");
	drop(s);
	return SB_RSTREAM_TRANSIENT;
}

struct sb_rstream *
sb_rstream_open(const struct sb_rstream_config *cfg, char *err, size_t errsz)
{
	struct sb_rstream *rs = sb_xcalloc(1, sizeof *rs);
	const char *p = cfg->urls, *comma;
	char one[1024], why[256];
	int rc = 0;

	while (*p != '\0') {
		size_t n;

		comma = strchr(p, ',');
		n = comma != NULL ? (size_t)(comma - p) : strlen(p);
		if (n == 0 || n >= sizeof one) {
			snprintf(err, errsz, "'%s': an empty or too long URL in "
			    "the list", cfg->urls);
			goto fail;
		}
		memcpy(one, p, n);
		one[n] = '\0';
		rs->srv = sb_xrealloc(rs->srv, (rs->nsrv + 1) * sizeof *rs->srv);
		struct server *s = &rs->srv[rs->nsrv];
		memset(s, 0, sizeof *s);
		if (sb_redis_url_parse(one, &s->url, why, sizeof why) == -1) {
			snprintf(err, errsz, "redis: %s", why);
			goto fail;
		}
		rs->nsrv++;
		snprintf(s->desc, sizeof s->desc, "redis://%s%s%s:%d/%d",
		    s->url.password ? ":***" : "", s->url.password ? "@" : "",
		    s->url.host, s->url.port, s->url.db);
		p += n;
		if (*p == ',')
			p++;
	}
	if (rs->nsrv == 0) {
		snprintf(err, errsz, "no Redis URL given");
		goto fail;
	}
	rs->n = cfg->streams ? cfg->streams : (unsigned)rs->nsrv;
	if (rs->n < rs->nsrv) {
		snprintf(err, errsz, "%u streams on %zu servers: at least one "
		    "stream a server", rs->n, rs->nsrv);
		goto fail;
	}
	rs->prefix = sb_xstrdup(cfg->prefix ? cfg->prefix : "slowburn:");
	rs->group = sb_xstrdup(cfg->group ? cfg->group : "slowburn");
	rs->cap = cfg->cap;
	sb_event_init(&rs->ev);
	for (size_t i = 0; i < rs->nsrv && rc == 0; i++)
		rc = conn(rs, &rs->srv[i]);
	if (rc != 0) {
		snprintf(err, errsz, "%s", rs->err);
		sb_rstream_close(rs);
		return NULL;
	}
	return rs;
fail:
	sb_rstream_close(rs);
	return NULL;
}

void
sb_rstream_close(struct sb_rstream *rs)
{
	if (rs == NULL)
		return;
	for (size_t i = 0; i < rs->nsrv; i++) {
		drop(&rs->srv[i]);
		sb_redis_url_free(&rs->srv[i].url);
	}
	free(rs->srv);
	free(rs->prefix);
	free(rs->group);
	if (rs->prefix != NULL)
		sb_event_free(&rs->ev);
	sb_buf_free(&rs->key);
	sb_buf_free(&rs->name);
	sb_buf_free(&rs->norm);
	sb_redis_cmd_free(&rs->cmd);
	free(rs);
}

const char *
sb_rstream_error(const struct sb_rstream *rs)
{
	return rs->err;
}

unsigned
sb_rstream_count(const struct sb_rstream *rs)
{
	return rs->n;
}

/* PREFIX KIND ":" shard, NUL-terminated in rs->key. */
static const char *
skey(struct sb_rstream *rs, const char *kind, unsigned shard)
{
	sb_buf_reset(&rs->key);
	sb_buf_printf(&rs->key, "%s%s:%u", rs->prefix, kind, shard);
	return rs->key.s;
}

const char *
sb_rstream_describe(struct sb_rstream *rs, const char *kind, unsigned shard)
{
	snprintf(rs->desc, sizeof rs->desc, "%s %s",
	    server_of(rs, shard)->desc, skey(rs, kind, shard));
	return rs->desc;
}

/* --- routing ----------------------------------------------------------- */

unsigned
sb_rstream_shard_of(const struct sb_rstream *rs, const char *name,
    size_t len)
{
	uint32_t h = sb_fnv1a32(SB_FNV32_INIT, name, len);

	/*
	 * MurmurHash3's finalizer: FNV-1a leaves the low bits of names that
	 * end alike ("/{id}") alike, and the shard is taken from them.
	 */
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h % rs->n;
}

unsigned
sb_rstream_shard(const struct sb_rstream *crs, const struct sb_json *js,
    int by_key)
{
	struct sb_rstream *rs = (struct sb_rstream *)crs;
	char why[160];
	long t;

	sb_buf_reset(&rs->name);
	/* The service, when there is one, is all it takes. */
	t = sb_json_member(js, 0, "service");
	if (!by_key && t >= 0 && sb_json_str(js, (size_t)t, &rs->name) == 0 &&
	    rs->name.len > 0)
		return sb_rstream_shard_of(rs, rs->name.s, rs->name.len);
	sb_buf_reset(&rs->name);
	if (sb_is_event(js, 0)) {
		if (sb_event_read(&rs->ev, js, 0, why, sizeof why) == -1)
			return 0;
		sb_buf_reset(&rs->norm);
		sb_endpoint_normalize(rs->ev.endpoint.s, rs->ev.endpoint.len,
		    &rs->norm);
		sb_buf_putc(&rs->norm, '\0');
		sb_series_key(by_key && rs->ev.service.len ? rs->ev.service.s :
		    NULL, rs->ev.method.len ? rs->ev.method.s : NULL,
		    rs->norm.s, &rs->name);
	} else {
		t = js->key;
		if (t < 0 || sb_json_str(js, (size_t)t, &rs->name) != 0)
			return SB_RSTREAM_ALL;
	}
	return sb_rstream_shard_of(rs, rs->name.s ? rs->name.s : "",
	    rs->name.len);
}

/* --- commands ---------------------------------------------------------- */

static void
args_reset(struct sb_rstream *rs)
{
	sb_redis_cmd_reset(&rs->cmd);
}

static void
arg(struct sb_rstream *rs, const char *s, size_t n)
{
	sb_redis_cmd_arg(&rs->cmd, s, n);
}

static void
args(struct sb_rstream *rs, const char *s)
{
	sb_redis_cmd_arg(&rs->cmd, s, strlen(s));
}

/* Runs the built command on s; its reply in *out (freeReplyObject). */
static int
run(struct sb_rstream *rs, struct server *s, const char *what,
    redisReply **out)
{
	redisReply *rep;
	int rc;

	if ((rc = conn(rs, s)) != 0)
		return rc;
	if (s->queued > 0 && (rc = sb_rstream_flush(rs)) != 0)
		return rc;
	rep = redisCommandArgv(s->c, (int)rs->cmd.argc, rs->cmd.argv, rs->cmd.argl);
	if (rep == NULL)
		return lost(rs, s, what);
	if (rep->type == REDIS_REPLY_ERROR) {
		rc = seterr(rs, sb_redis_transient(rep) ? SB_RSTREAM_TRANSIENT :
		    -1, "redis %s: %s: %s", s->desc, what, rep->str);
		freeReplyObject(rep);
		return rc;
	}
	*out = rep;
	return 0;
}

int
sb_rstream_add(struct sb_rstream *rs, const char *kind, unsigned shard,
    const char *id, const char *line, size_t len)
{
	struct server *s = server_of(rs, shard);
	int rc;

	if ((rc = conn(rs, s)) != 0)
		return rc;
	args_reset(rs);
	args(rs, "XADD");
	args(rs, skey(rs, kind, shard));
	args(rs, id != NULL ? id : "*");
	if (line != NULL) {
		args(rs, "l");
		arg(rs, line, len);
	} else {
		args(rs, "end");
		args(rs, "");
	}
	if (redisAppendCommandArgv(s->c, (int)rs->cmd.argc, rs->cmd.argv, rs->cmd.argl) !=
	    REDIS_OK)
		return lost(rs, s, "XADD");
	s->queued++;
	return 0;
}

int
sb_rstream_flush(struct sb_rstream *rs)
{
	int rc = 0;

	for (size_t i = 0; i < rs->nsrv; i++) {
		struct server *s = &rs->srv[i];
		while (s->queued > 0) {
			void *v = NULL;
			if (redisGetReply(s->c, &v) != REDIS_OK) {
				rc = lost(rs, s, "XADD");
				break;
			}
			s->queued--;
			redisReply *rep = v;
			if (rep->type == REDIS_REPLY_ERROR) {
				if (strncmp(rep->str, DUP_ERR,
				    strlen(DUP_ERR)) == 0)
					rs->dups++;
				else if (rc == 0)
					rc = seterr(rs, sb_redis_transient(rep) ?
					    SB_RSTREAM_TRANSIENT : -1,
					    "redis %s: XADD: %s", s->desc,
					    rep->str);
			}
			freeReplyObject(rep);
		}
	}
	return rc;
}

uint64_t
sb_rstream_duplicates(const struct sb_rstream *rs)
{
	return rs->dups;
}

/* --- state of a stream ------------------------------------------------- */

static const redisReply *
field(const redisReply *map, const char *name)
{
	if (map == NULL || map->type != REDIS_REPLY_ARRAY)
		return NULL;
	for (size_t i = 0; i + 1 < map->elements; i += 2)
		if (map->element[i]->type == REDIS_REPLY_STRING &&
		    strcmp(map->element[i]->str, name) == 0)
			return map->element[i + 1];
	return NULL;
}

static uint64_t
int_field(const redisReply *map, const char *name, int *found)
{
	const redisReply *f = field(map, name);

	if (f != NULL && f->type == REDIS_REPLY_INTEGER) {
		if (found != NULL)
			*found = 1;
		return f->integer < 0 ? 0 : (uint64_t)f->integer;
	}
	if (found != NULL)
		*found = 0;
	return 0;
}

static void
str_field(const redisReply *map, const char *name, char *out)
{
	const redisReply *f = field(map, name);

	out[0] = '\0';
	if (f != NULL && f->type == REDIS_REPLY_STRING &&
	    f->len < SB_RSTREAM_ID_MAX)
		memcpy(out, f->str, f->len + 1);
}

static int64_t
id_ms(const char *id)
{
	return strtoll(id, NULL, 10);
}

int
sb_rstream_idcmp(const char *a, const char *b)
{
	unsigned long long am, as = 0, bm, bs = 0;
	const char *d;

	am = strtoull(a, NULL, 10);
	bm = strtoull(b, NULL, 10);
	if ((d = strchr(a, '-')) != NULL)
		as = strtoull(d + 1, NULL, 10);
	if ((d = strchr(b, '-')) != NULL)
		bs = strtoull(d + 1, NULL, 10);
	if (am != bm)
		return am < bm ? -1 : 1;
	return (as > bs) - (as < bs);
}

int
sb_rstream_stat(struct sb_rstream *rs, const char *kind, unsigned shard,
    struct sb_rstream_stat *st)
{
	struct server *s = server_of(rs, shard);
	redisReply *rep;
	int rc, found;

	memset(st, 0, sizeof *st);
	args_reset(rs);
	args(rs, "XLEN");
	args(rs, skey(rs, kind, shard));
	if ((rc = run(rs, s, "XLEN", &rep)) != 0)
		return rc;
	st->length = rep->type == REDIS_REPLY_INTEGER ? (uint64_t)rep->integer :
	    0;
	freeReplyObject(rep);
	st->backlog = st->length;
	if (st->length == 0)
		return 0;
	args_reset(rs);
	args(rs, "XINFO");
	args(rs, "STREAM");
	args(rs, skey(rs, kind, shard));
	if ((rc = run(rs, s, "XINFO STREAM", &rep)) != 0)
		return rc;
	str_field(rep, "last-generated-id", st->last_id);
	freeReplyObject(rep);
	args_reset(rs);
	args(rs, "XINFO");
	args(rs, "GROUPS");
	args(rs, skey(rs, kind, shard));
	if ((rc = run(rs, s, "XINFO GROUPS", &rep)) != 0)
		return rc;
	for (size_t i = 0; i < rep->elements; i++) {
		const redisReply *g = rep->element[i];
		const redisReply *name = field(g, "name");
		if (name == NULL || name->type != REDIS_REPLY_STRING ||
		    strcmp(name->str, rs->group) != 0)
			continue;
		st->has_group = 1;
		st->pending = int_field(g, "pending", NULL);
		str_field(g, "last-delivered-id", st->read_id);
		st->backlog = int_field(g, "lag", &found);
		if (!found) {
			/* The lag is unknown after deletions: count it. */
			uint64_t read = int_field(g, "entries-read", &found);
			st->backlog = found && read < st->length ?
			    st->length - read : 0;
		}
	}
	freeReplyObject(rep);
	if (st->has_group && st->backlog > 0)
		st->lag_ms = id_ms(st->last_id) - id_ms(st->read_id);
	return 0;
}

int
sb_rstream_backlog(struct sb_rstream *rs, const char *kind, unsigned shard,
    uint64_t *n)
{
	struct server *s = server_of(rs, shard);
	struct sb_rstream_stat st;
	redisReply *rep;
	int rc, found = 0;

	/* One round trip in the common case: the group's lag. */
	*n = 0;
	args_reset(rs);
	args(rs, "XINFO");
	args(rs, "GROUPS");
	args(rs, skey(rs, kind, shard));
	rc = run(rs, s, "XINFO GROUPS", &rep);
	if (rc == -1 && strstr(rs->err, "no such key") != NULL)
		return 0;
	if (rc != 0)
		return rc;
	for (size_t i = 0; i < rep->elements && !found; i++) {
		const redisReply *g = rep->element[i];
		const redisReply *name = field(g, "name");
		if (name != NULL && name->type == REDIS_REPLY_STRING &&
		    strcmp(name->str, rs->group) == 0)
			*n = int_field(g, "lag", &found);
	}
	freeReplyObject(rep);
	if (found)
		return 0;
	/* No group yet, or a lag Redis cannot tell: count. */
	if ((rc = sb_rstream_stat(rs, kind, shard, &st)) != 0)
		return rc;
	*n = st.backlog;
	return 0;
}

static int	entries(const redisReply *, sb_rstream_emit, void *, size_t *,
		    char *);

struct one {
	struct sb_buf	*lines;
	int		 found;
};

static int
one_entry(void *arg, const char *id, const char *line, size_t len)
{
	struct one *o = arg;

	(void)id;
	if (line != NULL)
		sb_buf_add(o->lines, line, len);
	o->found = 1;
	return 1;
}

int
sb_rstream_entry(struct sb_rstream *rs, const char *kind, unsigned shard,
    const char *id, struct sb_buf *lines)
{
	struct server *s = server_of(rs, shard);
	struct one o = { lines, 0 };
	redisReply *rep;
	size_t n = 0;
	int rc;

	sb_buf_reset(lines);
	args_reset(rs);
	args(rs, "XREVRANGE");
	args(rs, skey(rs, kind, shard));
	args(rs, id);
	args(rs, "-");
	args(rs, "COUNT");
	args(rs, "1");
	if ((rc = run(rs, s, "XREVRANGE", &rep)) != 0)
		return rc;
	entries(rep, one_entry, &o, &n, NULL);
	freeReplyObject(rep);
	return o.found;
}

int
sb_rstream_group(struct sb_rstream *rs, const char *kind, unsigned shard)
{
	struct server *s = server_of(rs, shard);
	redisReply *rep;
	int rc;

	args_reset(rs);
	args(rs, "XGROUP");
	args(rs, "CREATE");
	args(rs, skey(rs, kind, shard));
	args(rs, rs->group);
	args(rs, "0");
	args(rs, "MKSTREAM");
	rc = run(rs, s, "XGROUP CREATE", &rep);
	if (rc != 0 && strstr(rs->err, "BUSYGROUP") != NULL)
		return 0;
	if (rc != 0)
		return rc;
	freeReplyObject(rep);
	return 0;
}

/* --- reading ----------------------------------------------------------- */

/*
 * Passes the entries of an XRANGE-shaped reply (an array of [id,
 * [field, value...]]) to emit.  An entry that was deleted (nil fields)
 * is skipped.
 */
static int
entries(const redisReply *list, sb_rstream_emit emit, void *arg, size_t *n,
    char *last)
{
	if (list == NULL || list->type != REDIS_REPLY_ARRAY)
		return 0;
	for (size_t i = 0; i < list->elements; i++) {
		const redisReply *e = list->element[i];
		const redisReply *id, *f;
		if (e->type != REDIS_REPLY_ARRAY || e->elements < 2)
			continue;
		id = e->element[0];
		f = e->element[1];
		if (id->type != REDIS_REPLY_STRING ||
		    id->len >= SB_RSTREAM_ID_MAX)
			continue;
		if (last != NULL)
			memcpy(last, id->str, id->len + 1);
		if (f->type != REDIS_REPLY_ARRAY)
			continue;
		const redisReply *l = field(f, "l");
		(*n)++;
		int stop;
		if (l != NULL && l->type == REDIS_REPLY_STRING)
			stop = emit(arg, id->str, l->str, l->len);
		else
			stop = emit(arg, id->str, NULL, 0);
		if (stop)
			return 1;
	}
	return 0;
}

int
sb_rstream_range(struct sb_rstream *rs, const char *kind, unsigned shard,
    const char *after, const char *upto, size_t count, sb_rstream_emit emit,
    void *arg, size_t *n, char *after_out)
{
	struct server *s = server_of(rs, shard);
	redisReply *rep;
	char from[SB_RSTREAM_ID_MAX + 1], cnt[24];
	int rc;

	*n = 0;
	if (strcmp(after, "-") == 0)
		snprintf(from, sizeof from, "-");
	else
		snprintf(from, sizeof from, "(%s", after);
	snprintf(cnt, sizeof cnt, "%zu", count);
	args_reset(rs);
	args(rs, "XRANGE");
	args(rs, skey(rs, kind, shard));
	args(rs, from);
	args(rs, upto);
	args(rs, "COUNT");
	args(rs, cnt);
	if ((rc = run(rs, s, "XRANGE", &rep)) != 0)
		return rc;
	entries(rep, emit, arg, n, after_out);
	freeReplyObject(rep);
	return 0;
}

int
sb_rstream_read(struct sb_rstream *rs, const char *kind, unsigned shard,
    const char *consumer, const char *id, size_t count, int64_t block_ms,
    sb_rstream_emit emit, void *arg, size_t *n, char *last_id)
{
	struct server *s = server_of(rs, shard);
	redisReply *rep;
	char cnt[24], blk[24];
	int rc;

	*n = 0;
	snprintf(cnt, sizeof cnt, "%zu", count);
	snprintf(blk, sizeof blk, "%lld", (long long)block_ms);
	args_reset(rs);
	args(rs, "XREADGROUP");
	args(rs, "GROUP");
	args(rs, rs->group);
	args(rs, consumer);
	args(rs, "COUNT");
	args(rs, cnt);
	if (block_ms >= 0) {
		args(rs, "BLOCK");
		args(rs, blk);
	}
	args(rs, "STREAMS");
	args(rs, skey(rs, kind, shard));
	args(rs, id);
	if ((rc = run(rs, s, "XREADGROUP", &rep)) != 0)
		return rc;
	/* [[stream, entries]], or nil when the block timed out. */
	if (rep->type == REDIS_REPLY_ARRAY && rep->elements == 1 &&
	    rep->element[0]->type == REDIS_REPLY_ARRAY &&
	    rep->element[0]->elements == 2)
		entries(rep->element[0]->element[1], emit, arg, n, last_id);
	freeReplyObject(rep);
	return 0;
}

int
sb_rstream_claim(struct sb_rstream *rs, const char *kind, unsigned shard,
    const char *consumer, int64_t min_idle_ms, sb_rstream_emit emit,
    void *arg, size_t *n)
{
	struct server *s = server_of(rs, shard);
	char start[SB_RSTREAM_ID_MAX] = "0-0", idle[24];
	int rc;

	*n = 0;
	snprintf(idle, sizeof idle, "%lld", (long long)min_idle_ms);
	for (;;) {
		redisReply *rep;
		args_reset(rs);
		args(rs, "XAUTOCLAIM");
		args(rs, skey(rs, kind, shard));
		args(rs, rs->group);
		args(rs, consumer);
		args(rs, idle);
		args(rs, start);
		args(rs, "COUNT");
		args(rs, "1000");
		if ((rc = run(rs, s, "XAUTOCLAIM", &rep)) != 0)
			return rc;
		/* [next start, entries, deleted ids] */
		if (rep->type != REDIS_REPLY_ARRAY || rep->elements < 2 ||
		    rep->element[0]->type != REDIS_REPLY_STRING ||
		    rep->element[0]->len >= sizeof start) {
			freeReplyObject(rep);
			return 0;
		}
		entries(rep->element[1], emit, arg, n, NULL);
		memcpy(start, rep->element[0]->str, rep->element[0]->len + 1);
		freeReplyObject(rep);
		if (strcmp(start, "0-0") == 0)
			return 0;
	}
}

int
sb_rstream_ack(struct sb_rstream *rs, const char *kind, unsigned shard,
    const char *const *ids, size_t n)
{
	struct server *s = server_of(rs, shard);
	redisReply *rep;
	int rc;

	if (n == 0)
		return 0;
	args_reset(rs);
	args(rs, "XACK");
	args(rs, skey(rs, kind, shard));
	args(rs, rs->group);
	for (size_t i = 0; i < n; i++)
		args(rs, ids[i]);
	if ((rc = run(rs, s, "XACK", &rep)) != 0)
		return rc;
	freeReplyObject(rep);
	return 0;
}

/* --- checkpoints --------------------------------------------------------- */

int
sb_rstream_commit(struct sb_rstream *rs, unsigned shard,
    const struct sb_rstream_ckpt *ck, uint64_t *trimmed)
{
	struct server *s = server_of(rs, shard);
	redisReply *rep;
	char seq[24], lines[24];
	int rc;

	snprintf(seq, sizeof seq, "%llu", (unsigned long long)ck->seq);
	snprintf(lines, sizeof lines, "%llu", (unsigned long long)ck->lines);
	args_reset(rs);
	args(rs, "HSET");
	args(rs, skey(rs, "ckpt", shard));
	args(rs, "seq");
	args(rs, seq);
	args(rs, "id");
	args(rs, ck->id);
	args(rs, "lines");
	args(rs, lines);
	if ((rc = run(rs, s, "HSET", &rep)) != 0)
		return rc;
	freeReplyObject(rep);
	args_reset(rs);
	args(rs, "XTRIM");
	args(rs, skey(rs, "ev", shard));
	args(rs, "MINID");
	args(rs, ck->id);
	if ((rc = run(rs, s, "XTRIM", &rep)) != 0)
		return rc;
	*trimmed = rep->type == REDIS_REPLY_INTEGER && rep->integer > 0 ?
	    (uint64_t)rep->integer : 0;
	freeReplyObject(rep);
	return 0;
}

int
sb_rstream_committed(struct sb_rstream *rs, unsigned shard,
    struct sb_rstream_ckpt *ck)
{
	struct server *s = server_of(rs, shard);
	redisReply *rep;
	const redisReply *f;
	int rc, found = 0;

	memset(ck, 0, sizeof *ck);
	args_reset(rs);
	args(rs, "HGETALL");
	args(rs, skey(rs, "ckpt", shard));
	if ((rc = run(rs, s, "HGETALL", &rep)) != 0)
		return rc;
	if ((f = field(rep, "seq")) != NULL && f->type == REDIS_REPLY_STRING)
		ck->seq = strtoull(f->str, NULL, 10), found++;
	if ((f = field(rep, "lines")) != NULL && f->type == REDIS_REPLY_STRING)
		ck->lines = strtoull(f->str, NULL, 10), found++;
	if ((f = field(rep, "id")) != NULL && f->type == REDIS_REPLY_STRING &&
	    f->len < SB_RSTREAM_ID_MAX)
		memcpy(ck->id, f->str, f->len + 1), found++;
	freeReplyObject(rep);
	if (found == 0)
		return 0;
	if (found != 3)
		return seterr(rs, -1, "redis %s: %s: not a checkpoint "
		    "commit (seq, id and lines)", s->desc,
		    skey(rs, "ckpt", shard));
	return 1;
}
