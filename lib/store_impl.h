/*
 * store_impl.h - what the storage backends share with store.c; not for
 * tools.  A backend is a table of operations.  Each returns 0, -1 for a
 * failure that retrying cannot cure (the message set with
 * sb_store_seterr()), or SB_STORE_TRANSIENT when the connection failed:
 * store.c then disconnects, waits, reconnects and runs the operation
 * again, so every operation must be safe to run twice.
 */
#ifndef SB_STORE_IMPL_H
#define SB_STORE_IMPL_H

#include <stdint.h>

#include "buf.h"
#include "store.h"

#define SB_STORE_TRANSIENT	(-2)
#define SB_STORE_PAGE		2000	/* rows per query page */

/* Where a query stands: after (t, seq); ties = rows already seen at t. */
struct sb_store_cursor {
	int		 started;
	int64_t		 t;
	uint64_t	 seq;
	uint64_t	 ties;
};

/* One page of query results, owned by store.c and reused. */
struct sb_store_row {
	int64_t		 t;
	uint64_t	 seq;
	size_t		 off, len;	/* the line in page->lines */
};

struct sb_store_page {
	struct sb_buf	 lines;
	struct sb_store_row *row;
	size_t		 n, cap;
};

void	 sb_store_page_add(struct sb_store_page *, int64_t t, uint64_t seq,
	    const char *line, size_t len);

struct sb_store_ops {
	const char	*name;
	int	(*connect)(struct sb_store *);	/* and check or create the schema */
	void	(*disconnect)(struct sb_store *);
	void	(*destroy)(struct sb_store *);
	/* Sets *skipped to the items not stored: already there. */
	int	(*put)(struct sb_store *, const struct sb_store_batch *,
		    uint64_t *skipped);
	/* At most max rows after the cursor, appended to page. */
	int	(*page)(struct sb_store *, const struct sb_store_query *,
		    const struct sb_store_cursor *, size_t max,
		    struct sb_store_page *);
	int	(*prune)(struct sb_store *, int64_t cutoff, uint64_t *removed);
	int	(*stats)(struct sb_store *, struct sb_store_stats *);
	int	(*state_get)(struct sb_store *, const char *, struct sb_buf *);
	int	(*state_put)(struct sb_store *, const char *, const void *,
		    size_t);
	int	(*state_delete)(struct sb_store *, const char *);
	/* Appends each matching key, NUL-terminated, to keys. */
	int	(*state_keys)(struct sb_store *, const char *prefix,
		    struct sb_buf *keys, size_t *n);
};

struct sb_store {
	const struct sb_store_ops *ops;
	void		*be;		/* the backend's own state */
	struct sb_store_config cfg;	/* strings are copies, owned */
	int		 connected;
	int		 schema_found;
	int		 schema_now;
	int64_t		 retry_for;
	int		 attempt;	/* 0 on an operation's first try */
	int		 transient;	/* the last failure was the connection */
	uint64_t	 skipped;	/* by puts, for sb_store_skipped() */
	uint64_t	 migrate_removed; /* duplicates the migration dropped */
	char		*secret;	/* masked in every message */
	char		 err[1024];
	char		 desc[512];
	struct sb_store_page page;
};

extern const struct sb_store_ops sb_store_memory_ops;
extern const struct sb_store_ops sb_store_sqlite_ops;
extern const struct sb_store_ops sb_store_redis_ops;
extern const struct sb_store_ops sb_store_pg_ops;

/* Sets the error message, masking the secret; returns rc. */
int	 sb_store_seterr(struct sb_store *, int rc, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
void	 sb_store_notice(struct sb_store *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* Keeps a type's counters in a stats array sorted by type. */
struct sb_store_typestat *sb_store_stats_type(struct sb_store_stats *,
	    const char *type, size_t len);
/*
 * Sets first[i] to 1 if item i is the first copy of its line in the
 * batch (by digest), 0 for a later copy; first holds b->n bytes.
 */
void	 sb_store_batch_firsts(const struct sb_store_batch *,
	    unsigned char *first);
/* Milliseconds to sleep and a monotonic clock, for backoff only. */
void	 sb_store_sleep(int64_t ms);

#endif
