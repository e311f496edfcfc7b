/*
 * rstream.h - shard streams on Redis: the one place where slowburn
 * writes to and reads from Redis Streams (hiredis 0.14, Redis >= 7.0).
 *
 * A set of shards is N streams spread over one or more Redis servers,
 * named by a list of URLs: stream K lives on server K mod (number of
 * servers), under the key PREFIX KIND ":" K, where KIND is "ev" for the
 * events the producers write and "out" for what the workers' pipelines
 * write back.  hiredis 0.14 has no Cluster support, so the client routes:
 * an event goes to the shard sb_rstream_shard() names, a stable FNV-1a
 * hash (with MurmurHash3's finalizer) of its service (or, for an event without one, of its series key
 * with the endpoint normalised), so that every window of a series and
 * every key that correlate(1) groups reach the same worker.
 *
 * Each entry holds one line in the field "l".  An entry with the field
 * "end" instead marks the end of a finished run (store xread --drain).
 *
 *	struct sb_rstream_config cfg = { "redis://a:6379,redis://b:6379",
 *	    4, "slowburn:", "slowburn", 100000 };
 *	struct sb_rstream *rs = sb_rstream_open(&cfg, err, sizeof err);
 *	unsigned k = sb_rstream_shard(rs, &js, line, len);
 *	sb_rstream_add(rs, "ev", k, NULL, line, len);	(pipelined)
 *	if (sb_rstream_flush(rs) == -1)
 *		... sb_rstream_error(rs) ...
 *	sb_rstream_close(rs);
 *
 * Errors: functions return -1 (or SB_RSTREAM_TRANSIENT when the
 * connection failed: the caller may retry, the next call reconnects) and
 * leave a message in sb_rstream_error(); nothing prints or exits.
 * Passwords never appear in messages.  Ownership: the handle owns its
 * connections; strings passed in are borrowed for the call; lines handed
 * to callbacks are valid during the call only.  Not thread-safe: one
 * handle per thread.
 */
#ifndef SB_RSTREAM_H
#define SB_RSTREAM_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "json.h"
#include "store.h"

#define SB_RSTREAM_TRANSIENT	(-2)
#define SB_RSTREAM_ID_MAX	48	/* bytes of an entry id, NUL included */

struct sb_rstream;

struct sb_rstream_config {
	const char	*urls;		/* comma-separated redis:// URLs */
	unsigned	 streams;	/* shards; 0: one per URL */
	const char	*prefix;	/* key prefix, "slowburn:" */
	const char	*group;		/* consumer group, "slowburn" */
	uint64_t	 cap;		/* backlog a shard may hold; 0: none */
};

/* Defaults: SB_SHARDS (else REDIS_URL, else redis://localhost:6379/0),
 * SB_STREAMS, prefix "slowburn:", group "slowburn", cap 1000000. */
void		 sb_rstream_config_env(struct sb_rstream_config *);

/* Parses the URLs and connects to every server; NULL with err. */
struct sb_rstream *sb_rstream_open(const struct sb_rstream_config *,
		    char *err, size_t errsz);
void		 sb_rstream_close(struct sb_rstream *);
const char	*sb_rstream_error(const struct sb_rstream *);
unsigned	 sb_rstream_count(const struct sb_rstream *);
/* "redis://127.0.0.1:6379/0 slowburn:ev:3" (passwords masked) */
const char	*sb_rstream_describe(struct sb_rstream *, const char *kind,
		    unsigned shard);

/*
 * The shard of a record: the hash of its "service", else of its series
 * key (method and normalised endpoint, or its "key" member for a record
 * that is not an event).  js holds line, parsed.  With by_key, the hash
 * of the series key always (the service included, as aggregate(1) names
 * the series).  SB_RSTREAM_ALL for a record that is not an event and has
 * neither (a watermark): every shard needs it.
 */
#define SB_RSTREAM_ALL	(~0u)
unsigned	 sb_rstream_shard(const struct sb_rstream *,
		    const struct sb_json *js, int by_key);
/* The shard of a name (a service or a series key). */
unsigned	 sb_rstream_shard_of(const struct sb_rstream *, const char *name,
		    size_t len);

/*
 * Queues XADD of line to stream KIND:shard, pipelined; id NULL lets the
 * server choose ("*"), else it is the entry's id: an id not above the
 * stream's last is refused by the server, and sb_rstream_flush() counts
 * it as a duplicate instead of failing.  line NULL adds the end marker.
 */
int		 sb_rstream_add(struct sb_rstream *, const char *kind,
		    unsigned shard, const char *id, const char *line,
		    size_t len);
/* Waits for the replies of everything queued; 0 when all were added. */
int		 sb_rstream_flush(struct sb_rstream *);
/* Entries that flushes found already there (ids not above the last). */
uint64_t	 sb_rstream_duplicates(const struct sb_rstream *);

/*
 * The backlog of a shard: the entries of KIND:shard that the group has
 * not read yet (XINFO GROUPS' lag; the stream's length when the group
 * does not exist yet).
 */
int		 sb_rstream_backlog(struct sb_rstream *, const char *kind,
		    unsigned shard, uint64_t *n);

struct sb_rstream_stat {
	uint64_t	 length;	/* entries in the stream */
	uint64_t	 pending;	/* read by the group, not acknowledged */
	uint64_t	 backlog;	/* not read by the group yet */
	int64_t		 lag_ms;	/* newest entry's arrival - newest read */
	int		 has_group;
	char		 last_id[SB_RSTREAM_ID_MAX];	/* newest entry */
	char		 read_id[SB_RSTREAM_ID_MAX];	/* newest read by the group */
};
int		 sb_rstream_stat(struct sb_rstream *, const char *kind,
		    unsigned shard, struct sb_rstream_stat *);

/*
 * The lines of the newest entry of KIND:shard whose id is not above id
 * ("+": the newest of all) into lines, replacing its contents; 1, or 0
 * when there is none.
 */
int		 sb_rstream_entry(struct sb_rstream *, const char *kind,
		    unsigned shard, const char *id, struct sb_buf *lines);

/* Creates the group at the start of KIND:shard (and the stream) unless
 * it exists. */
int		 sb_rstream_group(struct sb_rstream *, const char *kind,
		    unsigned shard);

/*
 * Called with each entry read: its id and its line (line NULL for the
 * end marker).  A nonzero return stops the read after this entry.
 */
typedef int	(*sb_rstream_emit)(void *arg, const char *id, const char *line,
		    size_t len);

/*
 * XRANGE of KIND:shard after id after (exclusive; "-": from the start)
 * up to id upto (inclusive), at most count entries; *n counts them and
 * after_out (SB_RSTREAM_ID_MAX bytes) receives the last id.
 */
int		 sb_rstream_range(struct sb_rstream *, const char *kind,
		    unsigned shard, const char *after, const char *upto,
		    size_t count, sb_rstream_emit, void *arg, size_t *n,
		    char *after_out);
/*
 * XREADGROUP of the group as consumer: id ">" for entries never read,
 * "0" for this consumer's pending ones; blocks up to block_ms (-1: do
 * not block).  *n counts the entries; last_id receives the last id.
 */
int		 sb_rstream_read(struct sb_rstream *, const char *kind,
		    unsigned shard, const char *consumer, const char *id,
		    size_t count, int64_t block_ms, sb_rstream_emit, void *arg,
		    size_t *n, char *last_id);
/*
 * XAUTOCLAIM: makes consumer the owner of entries other consumers read
 * and left unacknowledged for min_idle_ms or more, and passes them to
 * emit (deleted entries are skipped).  *n counts them.
 */
int		 sb_rstream_claim(struct sb_rstream *, const char *kind,
		    unsigned shard, const char *consumer, int64_t min_idle_ms,
		    sb_rstream_emit, void *arg, size_t *n);
/* XACK of ids[0..n). */
int		 sb_rstream_ack(struct sb_rstream *, const char *kind,
		    unsigned shard, const char *const *ids, size_t n);

/*
 * A worker's committed checkpoint of shard stream ev:K (store(1), xread
 * --checkpoint): the checkpoint's seq, the id of the last entry it
 * covers, and how many lines the worker's sink had written by then.
 */
struct sb_rstream_ckpt {
	uint64_t	 seq;
	char		 id[SB_RSTREAM_ID_MAX];
	uint64_t	 lines;
};
/*
 * Stores ck as the commit of shard (the hash PREFIX ckpt:shard), then
 * trims ev:shard of the entries before ck->id: a restart never reads
 * them again.  *trimmed: the entries removed.
 */
int		 sb_rstream_commit(struct sb_rstream *, unsigned shard,
		    const struct sb_rstream_ckpt *ck, uint64_t *trimmed);
/* The commit of shard: 1 and *ck, or 0 when there is none. */
int		 sb_rstream_committed(struct sb_rstream *, unsigned shard,
		    struct sb_rstream_ckpt *ck);

/* Compares two entry ids ("ms-seq"): <0, 0, >0. */
int		 sb_rstream_idcmp(const char *a, const char *b);

#endif
