/*
 * store_redis.c - the Redis backend (hiredis 0.14).
 *
 * Keys, each under the configured prefix P:
 *
 *	P meta			hash: schema_version
 *	P seq			counter: the last sequence number handed out
 *	P types			set of the record types stored
 *	P r:TYPE		hash: member -> the record's line, verbatim
 *	P t:TYPE		sorted set: member scored by time (ms)
 *	P k:TYPE:KEY		sorted set: the same, for one series key
 *	P keys:TYPE		set of the series keys of TYPE
 *	P state			hash: state key -> value
 *
 * A member is the record's sequence number as 16 hex digits, so members
 * are unique, and members of equal score, which Redis orders by bytes,
 * come back in insertion order.  A time range is ZRANGEBYSCORE on t:TYPE
 * or k:TYPE:KEY, then HMGET of the lines.  A batch is one pipelined
 * MULTI ... EXEC of variadic HSET, ZADD and SADD commands, atomic; a
 * retried batch reuses its sequence numbers, so writing it twice changes
 * nothing.  Retention is ZRANGEBYSCORE/HDEL/ZREMRANGEBYSCORE below the
 * cutoff.  After a reconnect AUTH and SELECT are sent again.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include <hiredis/hiredis.h>

#include "store.h"
#include "store_impl.h"

#define SCHEMA_NOW	1
#define MEMBER_LEN	16

struct rds {
	redisContext	*c;
	struct sb_redis_url url;
	int		 parsed;
	uint64_t	 base;		/* first sequence number of the batch */
	struct sb_buf	 key, key2, scratch;
	const char	**argv;
	size_t		*argl;
	size_t		 argc, argcap;
};

/* --- commands -------------------------------------------------------- */

static void
args_reset(struct rds *r)
{
	r->argc = 0;
}

static void
arg(struct rds *r, const char *s, size_t n)
{
	if (r->argc == r->argcap) {
		r->argcap = r->argcap ? r->argcap * 2 : 64;
		r->argv = sb_xrealloc(r->argv, r->argcap * sizeof *r->argv);
		r->argl = sb_xrealloc(r->argl, r->argcap * sizeof *r->argl);
	}
	r->argv[r->argc] = s;
	r->argl[r->argc++] = n;
}

static void
args(struct rds *r, const char *s)
{
	arg(r, s, strlen(s));
}

/* Builds P + part + [type [":" key]] into b. */
static const char *
rkey(struct sb_store *st, struct sb_buf *b, const char *part,
    const char *type, const char *key, size_t key_len)
{
	sb_buf_reset(b);
	sb_buf_puts(b, st->cfg.redis_prefix);
	sb_buf_puts(b, part);
	if (type != NULL)
		sb_buf_puts(b, type);
	if (key != NULL) {
		sb_buf_putc(b, ':');
		sb_buf_add(b, key, key_len);
	}
	if (b->s == NULL)
		sb_buf_grow(b, 1);
	b->s[b->len] = '\0';
	return b->s;
}

static int
transient_reply(const redisReply *rep)
{
	static const char *const codes[] = { "LOADING", "BUSY", "TRYAGAIN",
	    "MASTERDOWN", "CLUSTERDOWN", "MISCONF", NULL };

	for (int i = 0; codes[i] != NULL; i++)
		if (strncmp(rep->str, codes[i], strlen(codes[i])) == 0)
			return 1;
	return 0;
}

static int
conn_err(struct sb_store *st, const char *what)
{
	struct rds *r = st->be;

	return sb_store_seterr(st, SB_STORE_TRANSIENT, "%s: %s: %s", st->desc,
	    what, r->c && r->c->errstr[0] ? r->c->errstr : "connection lost");
}

/* Checks a reply; frees it and sets the error unless it is usable. */
static int
check(struct sb_store *st, redisReply *rep, const char *what)
{
	int rc;

	if (rep == NULL)
		return conn_err(st, what);
	if (rep->type != REDIS_REPLY_ERROR)
		return 0;
	rc = sb_store_seterr(st, transient_reply(rep) ? SB_STORE_TRANSIENT :
	    -1, "%s: %s: %s", st->desc, what, rep->str);
	freeReplyObject(rep);
	return rc;
}

/* Sends the built command and waits for its reply. */
static int
run(struct sb_store *st, const char *what, redisReply **out)
{
	struct rds *r = st->be;
	redisReply *rep;
	int rc;

	rep = redisCommandArgv(r->c, (int)r->argc, r->argv, r->argl);
	if ((rc = check(st, rep, what)) != 0)
		return rc;
	if (out != NULL)
		*out = rep;
	else
		freeReplyObject(rep);
	return 0;
}

static int
append(struct sb_store *st, const char *what)
{
	struct rds *r = st->be;

	if (redisAppendCommandArgv(r->c, (int)r->argc, r->argv, r->argl) !=
	    REDIS_OK)
		return conn_err(st, what);
	return 0;
}

/* Reads n pipelined replies; the first failure decides. */
static int
replies(struct sb_store *st, size_t n, const char *what)
{
	struct rds *r = st->be;
	int rc = 0;

	for (size_t i = 0; i < n; i++) {
		void *v = NULL;
		if (redisGetReply(r->c, &v) != REDIS_OK)
			return conn_err(st, what);
		int c = check(st, v, what);
		if (c != 0) {
			rc = rc ? rc : c;
			continue;
		}
		/* EXEC returns the replies of the queued commands. */
		redisReply *rep = v;
		if (rep->type == REDIS_REPLY_ARRAY)
			for (size_t j = 0; j < rep->elements; j++)
				if (rep->element[j]->type == REDIS_REPLY_ERROR &&
				    rc == 0)
					rc = sb_store_seterr(st, -1, "%s: %s: %s",
					    st->desc, what, rep->element[j]->str);
		freeReplyObject(rep);
	}
	return rc;
}

/* --- connecting ------------------------------------------------------ */

static void
describe(struct sb_store *st)
{
	struct rds *r = st->be;

	snprintf(st->desc, sizeof st->desc, "redis redis://%s%s%s%s:%d/%d",
	    r->url.user ? r->url.user : "", r->url.password ? ":***" : "",
	    r->url.user || r->url.password ? "@" : "", r->url.host,
	    r->url.port, r->url.db);
}

static int
rds_schema(struct sb_store *st)
{
	struct rds *r = st->be;
	redisReply *rep;
	char v[16];
	int rc;

	args_reset(r);
	args(r, "HGET");
	args(r, rkey(st, &r->key, "meta", NULL, NULL, 0));
	args(r, "schema_version");
	if ((rc = run(st, "reading the schema version", &rep)) != 0)
		return rc;
	st->schema_found = rep->type == REDIS_REPLY_STRING ? atoi(rep->str) : 0;
	freeReplyObject(rep);
	st->schema_now = SCHEMA_NOW;
	if (st->schema_found > SCHEMA_NOW)
		return sb_store_seterr(st, -1, "%s: schema version %d is newer "
		    "than this program's %d", st->desc, st->schema_found,
		    SCHEMA_NOW);
	if (st->schema_found == SCHEMA_NOW)
		return 0;
	snprintf(v, sizeof v, "%d", SCHEMA_NOW);
	args_reset(r);
	args(r, "HSET");
	args(r, r->key.s);
	args(r, "schema_version");
	args(r, v);
	return run(st, "writing the schema version", NULL);
}

static int
rds_connect(struct sb_store *st)
{
	struct rds *r = st->be;
	struct timeval tv = { 2, 0 }, rw = { 30, 0 };
	char err[256], db[16];
	int rc;

	if (r == NULL)
		st->be = r = sb_xcalloc(1, sizeof *r);
	if (!r->parsed) {
		if (sb_redis_url_parse(st->cfg.redis_url, &r->url, err,
		    sizeof err) == -1)
			return sb_store_seterr(st, -1, "redis: %s", err);
		r->parsed = 1;
		if (r->url.password != NULL)
			st->secret = sb_xstrdup(r->url.password);
		describe(st);
	}
	r->c = redisConnectWithTimeout(r->url.host, r->url.port, tv);
	if (r->c == NULL || r->c->err)
		return conn_err(st, "connect");
	redisSetTimeout(r->c, rw);
	if (r->url.password != NULL) {
		args_reset(r);
		args(r, "AUTH");
		if (r->url.user != NULL)
			args(r, r->url.user);
		args(r, r->url.password);
		if ((rc = run(st, "AUTH", NULL)) != 0)
			return rc;
	}
	if (r->url.db != 0) {
		snprintf(db, sizeof db, "%d", r->url.db);
		args_reset(r);
		args(r, "SELECT");
		args(r, db);
		if ((rc = run(st, "SELECT", NULL)) != 0)
			return rc;
	}
	return rds_schema(st);
}

static void
rds_disconnect(struct sb_store *st)
{
	struct rds *r = st->be;

	if (r != NULL && r->c != NULL) {
		redisFree(r->c);
		r->c = NULL;
	}
}

static void
rds_destroy(struct sb_store *st)
{
	struct rds *r = st->be;

	if (r == NULL)
		return;
	rds_disconnect(st);
	sb_redis_url_free(&r->url);
	sb_buf_free(&r->key);
	sb_buf_free(&r->key2);
	sb_buf_free(&r->scratch);
	free(r->argv);
	free(r->argl);
	free(r);
}

/* --- records --------------------------------------------------------- */

struct ref {
	const char	*type;
	const char	*key;
	size_t		 key_len;
	size_t		 i;
};

static int
cmp_ref(const void *x, const void *y)
{
	const struct ref *a = x, *b = y;
	size_t n = a->key_len < b->key_len ? a->key_len : b->key_len;
	int c;

	if ((c = strcmp(a->type, b->type)) != 0)
		return c;
	if ((c = memcmp(a->key, b->key, n)) != 0)
		return c;
	if (a->key_len != b->key_len)
		return a->key_len < b->key_len ? -1 : 1;
	return (a->i > b->i) - (a->i < b->i);
}

static int
rds_put(struct sb_store *st, const struct sb_store_batch *b)
{
	struct rds *r = st->be;
	struct ref *ref;
	char *mem, *score;
	size_t cmds = 0, i, j, k;
	redisReply *rep;
	int rc;

	/* A retry reuses the numbers: HSET and ZADD then overwrite. */
	if (st->attempt == 0 || r->base == 0) {
		char n[32];
		snprintf(n, sizeof n, "%zu", b->n);
		args_reset(r);
		args(r, "INCRBY");
		args(r, rkey(st, &r->key, "seq", NULL, NULL, 0));
		args(r, n);
		if ((rc = run(st, "INCRBY", &rep)) != 0)
			return rc;
		r->base = (uint64_t)rep->integer - b->n + 1;
		freeReplyObject(rep);
	}
	sb_buf_reset(&r->scratch);
	sb_buf_grow(&r->scratch, b->n * 48);
	mem = r->scratch.s;
	score = mem + b->n * (MEMBER_LEN + 1);
	ref = sb_xmalloc(b->n * sizeof *ref);
	for (i = 0; i < b->n; i++) {
		snprintf(mem + i * (MEMBER_LEN + 1), MEMBER_LEN + 1, "%016llx",
		    (unsigned long long)(r->base + i));
		snprintf(score + i * 24, 24, "%lld", (long long)b->item[i].time);
		ref[i].type = sb_store_str(b, b->item[i].type);
		ref[i].key = sb_store_str(b, b->item[i].key);
		ref[i].key_len = b->item[i].key_len;
		ref[i].i = i;
	}
	qsort(ref, b->n, sizeof *ref, cmp_ref);

	args_reset(r);
	args(r, "MULTI");
	rc = append(st, "MULTI");
	cmds++;
	for (i = 0; i < b->n && rc == 0; i = j) {	/* one type */
		const char *type = ref[i].type;
		for (j = i; j < b->n && strcmp(ref[j].type, type) == 0; j++)
			;
		args_reset(r);
		args(r, "HSET");
		args(r, rkey(st, &r->key, "r:", type, NULL, 0));
		for (k = i; k < j; k++) {
			const struct sb_store_item *it = &b->item[ref[k].i];
			arg(r, mem + ref[k].i * (MEMBER_LEN + 1), MEMBER_LEN);
			arg(r, sb_store_str(b, it->line), it->line_len);
		}
		if ((rc = append(st, "HSET")) != 0)
			break;
		args_reset(r);
		args(r, "ZADD");
		args(r, rkey(st, &r->key, "t:", type, NULL, 0));
		for (k = i; k < j; k++) {
			args(r, score + ref[k].i * 24);
			arg(r, mem + ref[k].i * (MEMBER_LEN + 1), MEMBER_LEN);
		}
		if ((rc = append(st, "ZADD")) != 0)
			break;
		args_reset(r);
		args(r, "SADD");
		args(r, rkey(st, &r->key, "types", NULL, NULL, 0));
		args(r, type);
		if ((rc = append(st, "SADD")) != 0)
			break;
		cmds += 3;
		for (size_t g = i, h; g < j && rc == 0; g = h) {	/* one key */
			for (h = g; h < j && ref[h].key_len == ref[g].key_len &&
			    memcmp(ref[h].key, ref[g].key, ref[g].key_len) == 0;
			    h++)
				;
			args_reset(r);
			args(r, "ZADD");
			args(r, rkey(st, &r->key, "k:", type, ref[g].key,
			    ref[g].key_len));
			for (k = g; k < h; k++) {
				args(r, score + ref[k].i * 24);
				arg(r, mem + ref[k].i * (MEMBER_LEN + 1),
				    MEMBER_LEN);
			}
			if ((rc = append(st, "ZADD")) != 0)
				break;
			args_reset(r);
			args(r, "SADD");
			args(r, rkey(st, &r->key2, "keys:", type, NULL, 0));
			arg(r, ref[g].key, ref[g].key_len);
			if ((rc = append(st, "SADD")) != 0)
				break;
			cmds += 2;
		}
	}
	free(ref);
	if (rc == 0) {
		args_reset(r);
		args(r, "EXEC");
		if ((rc = append(st, "EXEC")) == 0)
			rc = replies(st, cmds + 1, "put");
	}
	if (rc == 0)
		r->base = 0;
	return rc;
}

static int
rds_page(struct sb_store *st, const struct sb_store_query *q,
    const struct sb_store_cursor *c, size_t max, struct sb_store_page *p)
{
	struct rds *r = st->be;
	char min[32], maxs[32], off[32], cnt[32];
	redisReply *ids, *lines;
	int rc;

	if (c->started)
		snprintf(min, sizeof min, "%lld", (long long)c->t);
	else if (q->since == INT64_MIN)
		snprintf(min, sizeof min, "-inf");
	else
		snprintf(min, sizeof min, "%lld", (long long)q->since);
	if (q->until == INT64_MAX)
		snprintf(maxs, sizeof maxs, "+inf");
	else
		snprintf(maxs, sizeof maxs, "(%lld", (long long)q->until);
	snprintf(off, sizeof off, "%llu",
	    (unsigned long long)(c->started ? c->ties : 0));
	snprintf(cnt, sizeof cnt, "%zu", max);
	args_reset(r);
	args(r, "ZRANGEBYSCORE");
	args(r, q->key != NULL ? rkey(st, &r->key, "k:", q->type, q->key,
	    q->key_len) : rkey(st, &r->key, "t:", q->type, NULL, 0));
	args(r, min);
	args(r, maxs);
	args(r, "WITHSCORES");
	args(r, "LIMIT");
	args(r, off);
	args(r, cnt);
	if ((rc = run(st, "query", &ids)) != 0)
		return rc;
	if (ids->type != REDIS_REPLY_ARRAY || ids->elements == 0) {
		freeReplyObject(ids);
		return 0;
	}
	args_reset(r);
	args(r, "HMGET");
	args(r, rkey(st, &r->key, "r:", q->type, NULL, 0));
	for (size_t i = 0; i + 1 < ids->elements; i += 2)
		arg(r, ids->element[i]->str, ids->element[i]->len);
	if ((rc = run(st, "query", &lines)) != 0) {
		freeReplyObject(ids);
		return rc;
	}
	for (size_t i = 0; i + 1 < ids->elements &&
	    i / 2 < lines->elements; i += 2) {
		redisReply *l = lines->element[i / 2];
		if (l->type != REDIS_REPLY_STRING)
			continue;	/* pruned meanwhile */
		sb_store_page_add(p, strtoll(ids->element[i + 1]->str, NULL, 10),
		    strtoull(ids->element[i]->str, NULL, 16), l->str, l->len);
	}
	freeReplyObject(ids);
	freeReplyObject(lines);
	return 0;
}

/* SMEMBERS of P + part + type into rep. */
static int
members(struct sb_store *st, const char *part, const char *type,
    redisReply **rep)
{
	struct rds *r = st->be;

	args_reset(r);
	args(r, "SMEMBERS");
	args(r, rkey(st, &r->key2, part, type, NULL, 0));
	return run(st, "SMEMBERS", rep);
}

static int
prune_type(struct sb_store *st, const char *type, int64_t cutoff,
    uint64_t *removed)
{
	struct rds *r = st->be;
	char max[32];
	redisReply *ids, *keys, *rep;
	int rc;

	snprintf(max, sizeof max, "(%lld", (long long)cutoff);
	for (;;) {
		args_reset(r);
		args(r, "ZRANGEBYSCORE");
		args(r, rkey(st, &r->key, "t:", type, NULL, 0));
		args(r, "-inf");
		args(r, max);
		args(r, "LIMIT");
		args(r, "0");
		args(r, "5000");
		if ((rc = run(st, "prune", &ids)) != 0)
			return rc;
		if (ids->type != REDIS_REPLY_ARRAY || ids->elements == 0) {
			freeReplyObject(ids);
			break;
		}
		args_reset(r);
		args(r, "MULTI");
		rc = append(st, "MULTI");
		args_reset(r);
		args(r, "HDEL");
		args(r, rkey(st, &r->key, "r:", type, NULL, 0));
		for (size_t i = 0; i < ids->elements; i++)
			arg(r, ids->element[i]->str, ids->element[i]->len);
		if (rc == 0)
			rc = append(st, "HDEL");
		args_reset(r);
		args(r, "ZREM");
		args(r, rkey(st, &r->key, "t:", type, NULL, 0));
		for (size_t i = 0; i < ids->elements; i++)
			arg(r, ids->element[i]->str, ids->element[i]->len);
		if (rc == 0)
			rc = append(st, "ZREM");
		args_reset(r);
		args(r, "EXEC");
		if (rc == 0 && (rc = append(st, "EXEC")) == 0)
			rc = replies(st, 4, "prune");
		*removed += rc == 0 ? ids->elements : 0;
		freeReplyObject(ids);
		if (rc != 0)
			return rc;
	}
	if ((rc = members(st, "keys:", type, &keys)) != 0)
		return rc;
	for (size_t i = 0; i < keys->elements && rc == 0; i++) {
		redisReply *k = keys->element[i];
		args_reset(r);
		args(r, "ZREMRANGEBYSCORE");
		args(r, rkey(st, &r->key, "k:", type, k->str, k->len));
		args(r, "-inf");
		args(r, max);
		if ((rc = run(st, "prune", NULL)) != 0)
			break;
		args_reset(r);
		args(r, "EXISTS");
		args(r, r->key.s);
		if ((rc = run(st, "prune", &rep)) != 0)
			break;
		if (rep->integer == 0) {
			args_reset(r);
			args(r, "SREM");
			args(r, rkey(st, &r->key2, "keys:", type, NULL, 0));
			arg(r, k->str, k->len);
			rc = run(st, "prune", NULL);
		}
		freeReplyObject(rep);
	}
	freeReplyObject(keys);
	return rc;
}

static int
rds_prune(struct sb_store *st, int64_t cutoff, uint64_t *removed)
{
	redisReply *types;
	int rc;

	if ((rc = members(st, "types", NULL, &types)) != 0)
		return rc;
	for (size_t i = 0; i < types->elements && rc == 0; i++)
		rc = prune_type(st, types->element[i]->str, cutoff, removed);
	freeReplyObject(types);
	return rc;
}

static int
zend(struct sb_store *st, const char *type, const char *idx, int64_t *t)
{
	struct rds *r = st->be;
	redisReply *rep;
	int rc;

	args_reset(r);
	args(r, "ZRANGE");
	args(r, rkey(st, &r->key, "t:", type, NULL, 0));
	args(r, idx);
	args(r, idx);
	args(r, "WITHSCORES");
	if ((rc = run(st, "stats", &rep)) != 0)
		return rc;
	if (rep->elements == 2)
		*t = strtoll(rep->element[1]->str, NULL, 10);
	freeReplyObject(rep);
	return 0;
}

static int
rds_stats(struct sb_store *st, struct sb_store_stats *s)
{
	struct rds *r = st->be;
	redisReply *types, *rep;
	const char *m;
	int rc;

	if ((rc = members(st, "types", NULL, &types)) != 0)
		return rc;
	for (size_t i = 0; i < types->elements && rc == 0; i++) {
		const char *type = types->element[i]->str;
		struct sb_store_typestat *ts = sb_store_stats_type(s, type,
		    strlen(type));
		args_reset(r);
		args(r, "ZCARD");
		args(r, rkey(st, &r->key, "t:", type, NULL, 0));
		if ((rc = run(st, "stats", &rep)) != 0)
			break;
		ts->count = (uint64_t)rep->integer;
		freeReplyObject(rep);
		if ((rc = zend(st, type, "0", &ts->first)) != 0 ||
		    (rc = zend(st, type, "-1", &ts->last)) != 0)
			break;
	}
	freeReplyObject(types);
	if (rc != 0)
		return rc;
	args_reset(r);
	args(r, "HLEN");
	args(r, rkey(st, &r->key, "state", NULL, NULL, 0));
	if ((rc = run(st, "stats", &rep)) != 0)
		return rc;
	s->state_keys = (uint64_t)rep->integer;
	freeReplyObject(rep);
	/* The server's memory: Redis cannot cheaply size one prefix. */
	args_reset(r);
	args(r, "INFO");
	args(r, "memory");
	if ((rc = run(st, "stats", &rep)) != 0)
		return rc;
	if (rep->type == REDIS_REPLY_STRING &&
	    (m = strstr(rep->str, "used_memory:")) != NULL)
		s->size_bytes = strtoll(m + 12, NULL, 10);
	freeReplyObject(rep);
	return 0;
}

/* --- the state area -------------------------------------------------- */

static int
state_cmd(struct sb_store *st, const char *cmd, const char *key)
{
	struct rds *r = st->be;

	args_reset(r);
	args(r, cmd);
	args(r, rkey(st, &r->key, "state", NULL, NULL, 0));
	if (key != NULL)
		args(r, key);
	return 0;
}

static int
rds_state_get(struct sb_store *st, const char *key, struct sb_buf *val)
{
	redisReply *rep;
	int rc, found = 0;

	state_cmd(st, "HGET", key);
	if ((rc = run(st, "state get", &rep)) != 0)
		return rc;
	if (rep->type == REDIS_REPLY_STRING) {
		sb_buf_add(val, rep->str, rep->len);
		found = 1;
	}
	freeReplyObject(rep);
	return found;
}

static int
rds_state_put(struct sb_store *st, const char *key, const void *val,
    size_t len)
{
	state_cmd(st, "HSET", key);
	arg(st->be, len ? val : "", len);
	return run(st, "state put", NULL);
}

static int
rds_state_delete(struct sb_store *st, const char *key)
{
	state_cmd(st, "HDEL", key);
	return run(st, "state delete", NULL);
}

static int
rds_state_keys(struct sb_store *st, const char *prefix, struct sb_buf *keys,
    size_t *n)
{
	redisReply *rep;
	size_t pl = strlen(prefix);
	int rc;

	state_cmd(st, "HKEYS", NULL);
	if ((rc = run(st, "state keys", &rep)) != 0)
		return rc;
	for (size_t i = 0; i < rep->elements; i++) {
		redisReply *k = rep->element[i];
		if (k->len < pl || memcmp(k->str, prefix, pl) != 0 ||
		    memchr(k->str, '\0', k->len) != NULL)
			continue;
		sb_buf_add(keys, k->str, k->len + 1);
		(*n)++;
	}
	freeReplyObject(rep);
	return 0;
}

const struct sb_store_ops sb_store_redis_ops = {
	"redis", rds_connect, rds_disconnect, rds_destroy, rds_put,
	rds_page, rds_prune, rds_stats, rds_state_get, rds_state_put,
	rds_state_delete, rds_state_keys
};
