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
 *	P d:TYPE		sorted set: each line's 16-byte digest, by time
 *	P state			hash: state key -> value
 *
 * A member is the record's sequence number as 16 hex digits, so members
 * are unique, and members of equal score, which Redis orders by bytes,
 * come back in insertion order.  A time range is ZRANGEBYSCORE on t:TYPE
 * or k:TYPE:KEY, then HMGET of the lines.
 *
 * A batch is checked, then written, optimistically: WATCH of the batch's
 * d:TYPE keys and ZMSCORE of its digests say which records are new (a
 * copy within the batch is not), then one MULTI ... EXEC of variadic
 * HSET, ZADD and SADD commands writes only those, with their digests.
 * If another client changed a d:TYPE in between, EXEC does nothing and
 * the check is made again, so two writers never both store a record.  A
 * retried batch finds its digests there and stores nothing twice.  (A
 * Lua script would need no retry, but handing every line to Lua doubled
 * the server's time per record.)  Retention is
 * ZRANGEBYSCORE/HDEL/ZREMRANGEBYSCORE below the cutoff, d:TYPE's too.
 * After a reconnect AUTH and SELECT are sent again.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hiredis/hiredis.h>

#include "redis.h"
#include "store.h"
#include "store_impl.h"

#define SCHEMA_NOW	2
#define MEMBER_LEN	16
#define MIGRATE_PAGE	1000
#define WATCH_TRIES	20	/* EXECs a put tries before backing off */

struct rds {
	redisContext	*c;
	struct sb_redis_url url;
	int		 parsed;
	uint64_t	 base;		/* first sequence number of the batch */
	struct sb_buf	 key, key2, scratch;
	struct sb_redis_cmd cmd;	/* the command being built */
};

/* --- commands -------------------------------------------------------- */

static void
args_reset(struct rds *r)
{
	sb_redis_cmd_reset(&r->cmd);
}

static void
arg(struct rds *r, const char *s, size_t n)
{
	sb_redis_cmd_arg(&r->cmd, s, n);
}

static void
args(struct rds *r, const char *s)
{
	sb_redis_cmd_arg(&r->cmd, s, strlen(s));
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
	rc = sb_store_seterr(st, sb_redis_transient(rep) ? SB_STORE_TRANSIENT :
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

	rep = redisCommandArgv(r->c, (int)r->cmd.argc, r->cmd.argv, r->cmd.argl);
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

	if (redisAppendCommandArgv(r->c, (int)r->cmd.argc, r->cmd.argv, r->cmd.argl) !=
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

/*
 * Removes the records of members[0..n) of type: their lines, their places
 * in t:TYPE and in their series (keys[i], key_len[i]), in one MULTI.
 */
static int
remove_records(struct sb_store *st, const char *type, char **mem,
    struct sb_store_batch *keys, size_t n)
{
	struct rds *r = st->be;
	size_t cmds = 0;
	int rc;

	args_reset(r);
	args(r, "MULTI");
	rc = append(st, "MULTI");
	for (int part = 0; part < 2 && rc == 0; part++, cmds++) {
		args_reset(r);
		args(r, part == 0 ? "HDEL" : "ZREM");
		args(r, rkey(st, &r->key, part == 0 ? "r:" : "t:", type, NULL,
		    0));
		for (size_t i = 0; i < n; i++)
			arg(r, mem[i], MEMBER_LEN);
		rc = append(st, part == 0 ? "HDEL" : "ZREM");
	}
	for (size_t i = 0; i < n && rc == 0; i++, cmds++) {
		const struct sb_store_item *it = &keys->item[i];
		args_reset(r);
		args(r, "ZREM");
		args(r, rkey(st, &r->key, "k:", type, sb_store_str(keys,
		    it->key), it->key_len));
		arg(r, mem[i], MEMBER_LEN);
		rc = append(st, "ZREM");
	}
	args_reset(r);
	args(r, "EXEC");
	if (rc == 0 && (rc = append(st, "EXEC")) == 0)
		rc = replies(st, cmds + 2, "migrating");
	return rc;
}

/*
 * Migration 2: d:TYPE from the lines, in put order, so that the first
 * copy of a record is the one kept and later copies are removed.  Redis
 * has no transaction that can read, so this is made safe to run again:
 * d:TYPE is rebuilt from scratch, and the version is written last.
 */
static int
migrate_type(struct sb_store *st, const char *type, struct sb_json *js)
{
	struct rds *r = st->be;
	struct sb_store_batch keys;
	redisReply *ids = NULL, *lines = NULL;
	char from[32], to[32], err[160], *dup[MIGRATE_PAGE];
	uint64_t start = 0;
	size_t ndup, n;
	int rc;

	args_reset(r);
	args(r, "DEL");
	args(r, rkey(st, &r->key, "d:", type, NULL, 0));
	if ((rc = run(st, "migrating", NULL)) != 0)
		return rc;
	sb_store_batch_init(&keys);
	for (;;) {
		snprintf(from, sizeof from, "%llu", (unsigned long long)start);
		snprintf(to, sizeof to, "%llu", (unsigned long long)(start +
		    MIGRATE_PAGE - 1));
		args_reset(r);
		args(r, "ZRANGE");
		args(r, rkey(st, &r->key, "t:", type, NULL, 0));
		args(r, from);
		args(r, to);
		args(r, "WITHSCORES");
		if ((rc = run(st, "migrating", &ids)) != 0)
			break;
		if ((n = ids->elements / 2) == 0)
			break;
		args_reset(r);
		args(r, "HMGET");
		args(r, rkey(st, &r->key, "r:", type, NULL, 0));
		for (size_t i = 0; i < n; i++)
			arg(r, ids->element[2 * i]->str, ids->element[2 * i]->len);
		if ((rc = run(st, "migrating", &lines)) != 0)
			break;
		/* One ZADD NX a record, pipelined: its reply says if it is new. */
		for (size_t i = 0; i < n && rc == 0; i++) {
			redisReply *l = lines->element[i];
			unsigned char d[SB_STORE_DIGEST];
			sb_store_digest(l->type == REDIS_REPLY_STRING ? l->str : "",
			    l->type == REDIS_REPLY_STRING ? l->len : 0, d);
			args_reset(r);
			args(r, "ZADD");
			args(r, rkey(st, &r->key, "d:", type, NULL, 0));
			args(r, "NX");
			arg(r, ids->element[2 * i + 1]->str,
			    ids->element[2 * i + 1]->len);
			arg(r, (const char *)d, sizeof d);
			rc = append(st, "migrating");
		}
		sb_store_batch_reset(&keys);
		ndup = 0;
		for (size_t i = 0; i < n && rc == 0; i++) {
			redisReply *a = NULL;
			redisReply *l = lines->element[i];
			if (redisGetReply(r->c, (void **)&a) != REDIS_OK) {
				rc = conn_err(st, "migrating");
				break;
			}
			if ((rc = check(st, a, "migrating")) != 0)
				break;
			if (a->type == REDIS_REPLY_INTEGER && a->integer == 0 &&
			    l->type == REDIS_REPLY_STRING &&
			    ids->element[2 * i]->len == MEMBER_LEN &&
			    sb_json_parse(js, l->str, l->len) == 0 &&
			    sb_store_batch_add_json(&keys, js, l->str, l->len,
			    err, sizeof err) == 0)
				dup[ndup++] = ids->element[2 * i]->str;
			freeReplyObject(a);
		}
		if (rc == 0 && ndup > 0)
			rc = remove_records(st, type, dup, &keys, ndup);
		freeReplyObject(ids);
		freeReplyObject(lines);
		ids = lines = NULL;
		if (rc != 0)
			break;
		st->migrate_removed += ndup;
		/* The removed were in this page: the next starts that much sooner. */
		start += n - ndup;
	}
	if (ids != NULL)
		freeReplyObject(ids);
	sb_store_batch_free(&keys);
	return rc;
}

static int
migrate_digests(struct sb_store *st)
{
	struct rds *r = st->be;
	redisReply *types;
	struct sb_json js;
	char n[32];
	int rc;

	st->migrate_removed = 0;
	if ((rc = members(st, "types", NULL, &types)) != 0)
		return rc;
	sb_json_init(&js);
	for (size_t i = 0; i < types->elements && rc == 0; i++)
		rc = migrate_type(st, types->element[i]->str, &js);
	sb_json_free(&js);
	freeReplyObject(types);
	if (rc != 0 || st->migrate_removed == 0)
		return rc;
	snprintf(n, sizeof n, "%llu", (unsigned long long)st->migrate_removed);
	args_reset(r);
	args(r, "HINCRBY");
	args(r, rkey(st, &r->key, "meta", NULL, NULL, 0));
	args(r, "duplicates");
	args(r, n);
	return run(st, "migrating", NULL);
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
	if (st->schema_found > 0 && !st->cfg.migrate)
		return sb_store_seterr(st, -1, "%s: schema version %d is older "
		    "than %d: run 'store migrate'", st->desc, st->schema_found,
		    SCHEMA_NOW);
	if (st->schema_found > 0 && (rc = migrate_digests(st)) != 0)
		return rc;
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
	char err[256];
	int transient;

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
	r->c = sb_redis_connect(&r->url, 30000, err, sizeof err, &transient);
	if (r->c == NULL)
		return sb_store_seterr(st, transient ? SB_STORE_TRANSIENT : -1,
		    "%s: %s", st->desc, err);
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
	sb_redis_cmd_free(&r->cmd);
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

/*
 * WATCHes the d:TYPE keys of the batch and marks in isnew the records
 * that are neither stored already nor a copy of one earlier in the
 * batch (first, from sb_store_batch_firsts).  ref is sorted by type.
 */
static int
find_new(struct sb_store *st, const struct sb_store_batch *b,
    const struct ref *ref, const unsigned char *first, unsigned char *isnew)
{
	struct rds *r = st->be;
	size_t i, j, nd = 0, ntypes = 0;
	int rc;

	/* The d:TYPE names, NUL-terminated in key2, then the arguments. */
	sb_buf_reset(&r->key2);
	for (i = 0; i < b->n; i = j) {
		for (j = i; j < b->n && strcmp(ref[j].type, ref[i].type) == 0; j++)
			;
		rkey(st, &r->key, "d:", ref[i].type, NULL, 0);
		sb_buf_add(&r->key2, r->key.s, r->key.len + 1);
		ntypes++;
	}
	args_reset(r);
	args(r, "WATCH");
	for (size_t off = 0, t = 0; t < ntypes; t++) {
		args(r, r->key2.s + off);
		off += strlen(r->key2.s + off) + 1;
	}
	if ((rc = append(st, "WATCH")) != 0)
		return rc;
	for (i = 0, nd = 0; i < b->n; i = j) {
		for (j = i; j < b->n && strcmp(ref[j].type, ref[i].type) == 0; j++)
			;
		args_reset(r);
		args(r, "ZMSCORE");
		args(r, r->key2.s + nd);
		nd += strlen(r->key2.s + nd) + 1;
		for (size_t k = i; k < j; k++)
			arg(r, (const char *)b->item[ref[k].i].digest,
			    SB_STORE_DIGEST);
		if ((rc = append(st, "ZMSCORE")) != 0)
			return rc;
	}
	if ((rc = replies(st, 1, "WATCH")) != 0)
		return rc;
	for (i = 0; i < b->n && rc == 0; i = j) {
		redisReply *rep = NULL;
		for (j = i; j < b->n && strcmp(ref[j].type, ref[i].type) == 0; j++)
			;
		if (redisGetReply(r->c, (void **)&rep) != REDIS_OK) {
			rc = conn_err(st, "ZMSCORE");
			break;
		}
		if ((rc = check(st, rep, "ZMSCORE")) != 0)
			break;
		if (rep->type != REDIS_REPLY_ARRAY || rep->elements != j - i)
			rc = sb_store_seterr(st, -1, "%s: ZMSCORE: unexpected "
			    "reply (Redis 6.2 or later is needed)", st->desc);
		for (size_t k = i; k < j && rc == 0; k++)
			isnew[ref[k].i] = first[ref[k].i] &&
			    rep->element[k - i]->type == REDIS_REPLY_NIL;
		freeReplyObject(rep);
	}
	return rc;
}

/*
 * Queues, after MULTI, the writes of the new records of the batch and
 * the count of the others; *cmds counts the commands queued.
 */
static int
queue_writes(struct sb_store *st, const struct sb_store_batch *b,
    const struct ref *ref, const unsigned char *isnew, const char *mem,
    const char *score, uint64_t skipped, size_t *cmds)
{
	struct rds *r = st->be;
	size_t i, j, k, nnew;
	int rc = 0;

	for (i = 0; i < b->n && rc == 0; i = j) {	/* one type */
		const char *type = ref[i].type;
		for (j = i, nnew = 0; j < b->n && strcmp(ref[j].type, type) == 0;
		    j++)
			nnew += isnew[ref[j].i];
		if (nnew == 0)
			continue;
		for (int part = 0; part < 3 && rc == 0; part++) {
			args_reset(r);
			args(r, part == 0 ? "HSET" : "ZADD");
			args(r, rkey(st, &r->key, part == 0 ? "r:" : part == 1 ?
			    "t:" : "d:", type, NULL, 0));
			for (k = i; k < j; k++) {
				const struct sb_store_item *it = &b->item[ref[k].i];
				if (!isnew[ref[k].i])
					continue;
				if (part > 0)
					args(r, score + ref[k].i * 24);
				if (part < 2)
					arg(r, mem + ref[k].i * (MEMBER_LEN + 1),
					    MEMBER_LEN);
				if (part == 0)
					arg(r, sb_store_str(b, it->line),
					    it->line_len);
				else if (part == 2)
					arg(r, (const char *)it->digest,
					    SB_STORE_DIGEST);
			}
			rc = append(st, part == 0 ? "HSET" : "ZADD");
			(*cmds)++;
		}
		args_reset(r);
		args(r, "SADD");
		args(r, rkey(st, &r->key, "types", NULL, NULL, 0));
		args(r, type);
		if (rc == 0 && (rc = append(st, "SADD")) == 0)
			(*cmds)++;
		for (size_t g = i, h; g < j && rc == 0; g = h) {	/* one key */
			for (h = g, nnew = 0; h < j && ref[h].key_len ==
			    ref[g].key_len && memcmp(ref[h].key, ref[g].key,
			    ref[g].key_len) == 0; h++)
				nnew += isnew[ref[h].i];
			if (nnew == 0)
				continue;
			args_reset(r);
			args(r, "ZADD");
			args(r, rkey(st, &r->key, "k:", type, ref[g].key,
			    ref[g].key_len));
			for (k = g; k < h; k++) {
				if (!isnew[ref[k].i])
					continue;
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
			*cmds += 2;
		}
	}
	if (rc == 0 && skipped > 0) {
		char n[32];
		snprintf(n, sizeof n, "%llu", (unsigned long long)skipped);
		args_reset(r);
		args(r, "HINCRBY");
		args(r, rkey(st, &r->key, "meta", NULL, NULL, 0));
		args(r, "duplicates");
		args(r, n);
		if ((rc = append(st, "HINCRBY")) == 0)
			(*cmds)++;
	}
	return rc;
}

/* Reads the replies of MULTI, cmds QUEUED and EXEC; *done = 0 if aborted. */
static int
exec_replies(struct sb_store *st, size_t cmds, int *done)
{
	struct rds *r = st->be;
	redisReply *rep = NULL;
	int rc;

	*done = 0;
	if ((rc = replies(st, cmds + 1, "put")) != 0)
		return rc;
	if (redisGetReply(r->c, (void **)&rep) != REDIS_OK)
		return conn_err(st, "put");
	if ((rc = check(st, rep, "put")) != 0)
		return rc;
	if (rep->type == REDIS_REPLY_ARRAY) {
		*done = 1;
		for (size_t i = 0; i < rep->elements && rc == 0; i++)
			if (rep->element[i]->type == REDIS_REPLY_ERROR)
				rc = sb_store_seterr(st, -1, "%s: put: %s",
				    st->desc, rep->element[i]->str);
	}
	freeReplyObject(rep);
	return rc;
}

static int
rds_put(struct sb_store *st, const struct sb_store_batch *b,
    uint64_t *skipped)
{
	struct rds *r = st->be;
	struct ref *ref;
	unsigned char *isnew, *first;
	char *mem, *score;
	size_t i, cmds;
	redisReply *rep;
	int rc, done = 0;

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
	isnew = sb_xmalloc(b->n);
	first = sb_xmalloc(b->n);
	sb_store_batch_firsts(b, first);
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

	for (int tries = 0; !done && tries < WATCH_TRIES; tries++) {
		if ((rc = find_new(st, b, ref, first, isnew)) != 0)
			break;
		*skipped = 0;
		for (i = 0; i < b->n; i++)
			*skipped += !isnew[i];
		cmds = 0;
		args_reset(r);
		args(r, "MULTI");
		if ((rc = append(st, "MULTI")) != 0 ||
		    (rc = queue_writes(st, b, ref, isnew, mem, score, *skipped,
		    &cmds)) != 0)
			break;
		args_reset(r);
		args(r, "EXEC");
		if ((rc = append(st, "EXEC")) != 0 ||
		    (rc = exec_replies(st, cmds, &done)) != 0)
			break;
	}
	free(ref);
	free(isnew);
	free(first);
	if (rc == 0 && !done)
		rc = sb_store_seterr(st, SB_STORE_TRANSIENT, "%s: put: other "
		    "writers changed the same types %d times running", st->desc,
		    WATCH_TRIES);
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
	/*
	 * The digests last: a prune cut short leaves some of the pruned,
	 * not records without theirs; the next prune removes them.
	 */
	args_reset(r);
	args(r, "ZREMRANGEBYSCORE");
	args(r, rkey(st, &r->key, "d:", type, NULL, 0));
	args(r, "-inf");
	args(r, max);
	if ((rc = run(st, "prune", NULL)) != 0)
		return rc;
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
	args_reset(r);
	args(r, "HGET");
	args(r, rkey(st, &r->key, "meta", NULL, NULL, 0));
	args(r, "duplicates");
	if ((rc = run(st, "stats", &rep)) != 0)
		return rc;
	if (rep->type == REDIS_REPLY_STRING)
		s->duplicates = strtoull(rep->str, NULL, 10);
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
