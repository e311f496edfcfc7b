/*
 * store.h - the one storage interface, and its four backends.
 *
 * A store keeps records (the exact JSON line, returned byte for byte) with
 * three things taken from them: the type ("event" for a line without a
 * "type" member), the series key and the record's own time.  It answers
 * queries by type, key and time range, in time order and, for equal
 * times, in the order the records were put; it prunes by age; and it
 * holds a small key-value state area for tools that must survive a
 * restart (detector baselines, open incidents, delivery state).
 *
 * Putting is idempotent.  A record is identified by its line: the same
 * bytes put again, in a later batch, in the same batch, by a retry or a
 * replayed spool, are kept once (the first copy, where it was first put)
 * and counted as skipped.  Lines that differ in any byte are different
 * records, even when they describe the same thing (an alert's id, key
 * and time alike, its text not): the store never chooses between them.
 * The identity is the 16-byte BLAKE2b digest of the line (sb_store_digest),
 * unique per record time on every backend; store(1) says how.
 *
 *	struct sb_store_config cfg;
 *	struct sb_store *st;
 *	struct sb_store_batch b;
 *	char err[256];
 *
 *	sb_store_config_env(&cfg);		(STORAGE_BACKEND and friends)
 *	if ((st = sb_store_open(&cfg, err, sizeof err)) == NULL)
 *		errx(1, "%s", err);
 *	sb_store_batch_init(&b);
 *	if (sb_store_batch_add_json(&b, &js, line, len, err, sizeof err) == -1)
 *		... a bad line, err says why ...
 *	if (sb_store_put(st, &b) == -1)
 *		errx(1, "%s", sb_store_error(st));
 *	sb_store_batch_free(&b);
 *	sb_store_close(st);
 *
 * Backends, chosen by cfg.backend: "memory" (this process only: nothing
 * survives it), "sqlite", "redis", "timescale" (PostgreSQL, with
 * TimescaleDB hypertables when the extension is available and native
 * range partitioning when it is not).  store(1) documents the schemas and
 * what survives a crash, a restart and a power loss with each.
 *
 * Errors.  Every function that can fail returns -1 and leaves a message
 * in sb_store_error(); no function prints or exits.  A connection that
 * fails is reopened: the operation is retried with exponential backoff
 * (100 ms doubling to 2 s) for up to cfg.retry_for milliseconds, telling
 * cfg.notice (if set) once when it starts waiting and once when the
 * backend is back.  Passwords from URLs and connection strings never
 * appear in any message or description.
 *
 * Ownership.  The store owns itself and its connection; sb_store_close()
 * releases both.  A batch owns copies of everything added to it.  Strings
 * passed in (config, keys, values) are borrowed for the call only, except
 * the config strings, which must outlive sb_store_open() only.  Query
 * lines and state values handed to callbacks or buffers are the callee's
 * to copy: a line passed to an emit callback is valid during the call.
 * A struct sb_store is not thread-safe: one per thread.
 */
#ifndef SB_STORE_H
#define SB_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "json.h"

#define SB_STORE_TYPE_MAX	64	/* bytes in a type name */
#define SB_STORE_DIGEST		16	/* bytes of a record's identity */

struct sb_store;

struct sb_store_config {
	const char	*backend;	/* memory, sqlite, redis, timescale */
	const char	*sqlite_path;
	const char	*redis_url;
	const char	*redis_prefix;
	const char	*pg_conninfo;	/* libpq key=value string or URI */
	size_t		 max_records;	/* memory: oldest dropped beyond it */
	int64_t		 retry_for;	/* ms of retrying a failed connection */
	int		 migrate;	/* open: upgrade an older schema */
	int		 lazy;		/* open: an unreachable backend is not
					   an error; connect on first use */
	void		(*notice)(void *arg, const char *msg);
	void		*notice_arg;
};

/* The defaults, written here only (lib/rstream.c's Redis URL too). */
#define SB_STORE_BACKEND_DEFAULT	"sqlite"
#define SB_STORE_SQLITE_DEFAULT		"data/alerts.db"
#define SB_STORE_REDIS_URL_DEFAULT	"redis://localhost:6379/0"
#define SB_STORE_PREFIX_DEFAULT		"alerts:"
#define SB_STORE_MAX_RECORDS_DEFAULT	1000000
#define SB_STORE_RETRY_FOR_DEFAULT	30000

/*
 * Defaults and the environment (store(1), ENVIRONMENT): STORAGE_BACKEND
 * (sqlite), SQLITE_DB_PATH (data/alerts.db), REDIS_URL
 * (redis://localhost:6379/0), REDIS_KEY_PREFIX (alerts:),
 * TIMESCALE_CONNECTION_STRING; max_records 1000000, retry_for 30 s.  The
 * strings point into the environment.
 */
void	 sb_store_config_env(struct sb_store_config *);

/*
 * The options that override them, the same in store(1) and dashboard(1):
 * -b (--backend), and these codes for sb_getopt's longopts, all given to
 * sb_arg_store() (lib/arg.h).
 */
#define SB_OPT_STORE_SQLITE	0x5301	/* --sqlite-path */
#define SB_OPT_STORE_REDIS	0x5302	/* --redis-url */
#define SB_OPT_STORE_PREFIX	0x5303	/* --redis-prefix */
#define SB_OPT_STORE_PG		0x5304	/* --timescale */

/*
 * Connects, and creates the schema if there is none.  An older schema is
 * refused unless cfg->migrate is set, and then upgraded.  NULL with a
 * message in err on failure.
 */
struct sb_store	*sb_store_open(const struct sb_store_config *, char *err,
		    size_t errsz);
void		 sb_store_close(struct sb_store *);
const char	*sb_store_error(const struct sb_store *);
/* "sqlite data/alerts.db", "redis redis://:***@host:6379/0 prefix alerts:" */
const char	*sb_store_describe(const struct sb_store *);
const char	*sb_store_backend(const struct sb_store *);
/* The schema version found at open (0: created then) and the current one. */
void		 sb_store_schema(const struct sb_store *, int *found, int *now);
/* Later operations retry for this long (ms); 0: one attempt. */
void		 sb_store_set_retry(struct sb_store *, int64_t ms);
/* Copies of a record that opening with cfg->migrate removed (store(1)). */
uint64_t	 sb_store_migrate_removed(const struct sb_store *);
/* Records that this handle's puts found already stored, and skipped. */
uint64_t	 sb_store_skipped(const struct sb_store *);

/* A batch of records to put; it owns copies of their strings. */
struct sb_store_item {
	size_t		 type, type_len;	/* offsets into data */
	size_t		 key, key_len;
	size_t		 line, line_len;
	int64_t		 time;			/* ms since the epoch */
	unsigned char	 digest[SB_STORE_DIGEST];	/* of the line */
};

struct sb_store_batch {
	struct sb_buf		 data;		/* each string NUL-terminated */
	struct sb_store_item	*item;
	size_t			 n;
	size_t			 cap;
};

void	 sb_store_batch_init(struct sb_store_batch *);
void	 sb_store_batch_free(struct sb_store_batch *);
void	 sb_store_batch_reset(struct sb_store_batch *);
void	 sb_store_batch_add(struct sb_store_batch *, const char *type,
	    size_t type_len, const char *key, size_t key_len, int64_t time,
	    const char *line, size_t line_len);
/*
 * Adds one parsed record (js holds line, an object): its type, its key
 * (the "key" member; for an event the endpoint) and its time (an event's
 * "timestamp" or alias, a window's "start", a signal's "at", an alert's
 * "at" or else "started", truth and noise "start"; other types "at",
 * "start", "timestamp" or "time").  0, or -1 with a message for
 * "FILE:LINE: %s" in err and nothing added.
 */
int	 sb_store_batch_add_json(struct sb_store_batch *,
	    const struct sb_json *js, const char *line, size_t len,
	    char *err, size_t errsz);

static inline const char *
sb_store_str(const struct sb_store_batch *b, size_t off)
{
	return b->data.s + off;
}

/*
 * The identity of a record: the BLAKE2b digest of its line, 16 bytes.
 * sb_store_batch_add computes it for every item.
 */
void	 sb_store_digest(const char *line, size_t len,
	    unsigned char out[SB_STORE_DIGEST]);

/*
 * All of the batch in one transaction (or Lua script), or none.  Items
 * whose line is already stored, or came earlier in the batch, are not
 * stored again; sb_store_skipped() counts them.
 */
int	 sb_store_put(struct sb_store *, const struct sb_store_batch *);

struct sb_store_query {
	const char	*type;		/* required */
	const char	*key;		/* NULL: every key */
	size_t		 key_len;
	int64_t		 since;		/* inclusive; INT64_MIN: no bound */
	int64_t		 until;		/* exclusive; INT64_MAX: no bound */
	uint64_t	 limit;		/* 0: no limit */
};

/* Called for each record in order; a nonzero return stops the query. */
typedef int	(*sb_store_emit)(void *arg, const char *line, size_t len);

void	 sb_store_query_init(struct sb_store_query *, const char *type);
/*
 * Streams the matching records to emit in time order, ties in put order.
 * Rows are fetched in pages, each its own short read, so a slow consumer
 * never pins a snapshot; a record put during the query may or may not be
 * seen.  0 (also when emit stopped it), -1 on error.
 */
int	 sb_store_query(struct sb_store *, const struct sb_store_query *,
	    sb_store_emit emit, void *arg);

/* Deletes every record older than cutoff (ms); *removed counts them. */
int	 sb_store_prune(struct sb_store *, int64_t cutoff, uint64_t *removed);

struct sb_store_typestat {
	char		 type[SB_STORE_TYPE_MAX + 1];
	uint64_t	 count;
	int64_t		 first, last;	/* ms */
};

/* Owned by the caller; sb_store_stats_free() releases the array. */
struct sb_store_stats {
	struct sb_store_typestat *types;	/* sorted by type */
	size_t		 ntypes;
	uint64_t	 state_keys;
	int64_t		 size_bytes;	/* -1: unknown */
	uint64_t	 dropped;	/* memory: records dropped over max */
	uint64_t	 duplicates;	/* records put that were already
					   stored, and copies migrate removed */
};

int	 sb_store_stats(struct sb_store *, struct sb_store_stats *);
void	 sb_store_stats_free(struct sb_store_stats *);

/*
 * The state area: values of any bytes under string keys.  Each put,
 * replace or delete of one key is atomic: a reader sees the old value or
 * the new one, never a mix, whatever crashes.  Keys are conventionally
 * "TOOL/NAME" (detect/baselines, correlate/incidents, alert/delivery/ID).
 *
 * sb_store_state_get: 1 and the value in *val (replacing its contents),
 * 0 when the key is absent, -1 on error.
 * sb_store_state_delete: 0 also when the key was absent.
 * sb_store_state_keys: calls fn with each key that starts with prefix,
 * in byte order; a nonzero return stops.
 */
int	 sb_store_state_get(struct sb_store *, const char *key,
	    struct sb_buf *val);
int	 sb_store_state_put(struct sb_store *, const char *key,
	    const void *val, size_t len);
int	 sb_store_state_delete(struct sb_store *, const char *key);
int	 sb_store_state_keys(struct sb_store *, const char *prefix,
	    int (*fn)(void *arg, const char *key), void *arg);

/* Helpers shared with the tools and tests. */

/*
 * Parses redis://[[user]:password@]host[:port][/db] (hiredis 0.14 cannot).
 * The strings are copies owned by the caller (free()); 0 or -1 with err.
 */
struct sb_redis_url {
	char	*host;
	int	 port;
	char	*user;		/* NULL unless given */
	char	*password;	/* NULL unless given */
	int	 db;
};
int	 sb_redis_url_parse(const char *url, struct sb_redis_url *,
	    char *err, size_t errsz);
void	 sb_redis_url_free(struct sb_redis_url *);

/* Replaces every occurrence of secret in s (in place) by "***". */
void	 sb_store_mask(char *s, size_t size, const char *secret);

#endif
