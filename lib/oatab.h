/*
 * oatab.h - an open-addressing hash table of fixed-size items, the one
 * of libcommon: detect's series by key and width, the memory store's set
 * of record digests.  Linear probing, at most half full, and removal by
 * backward shift (Knuth 6.4, algorithm R), so no tombstones: a lookup
 * costs the same after a million removals.
 *
 *	struct sb_oatab t;
 *	struct thing **p;
 *
 *	sb_oatab_init(&t, sizeof(struct thing *));
 *	h = sb_fnv1a64_str(SB_FNV64_INIT, name);
 *	if ((p = sb_oatab_find(&t, h, thing_is, name)) == NULL)
 *		*(struct thing **)sb_oatab_add(&t, h) = thing;
 *	sb_oatab_free(&t);
 *
 * The items are copied into the table and owned by it, a size given at
 * sb_oatab_init() each; what they point to is the caller's.  The caller
 * hashes (lib/hash.h), as it alone knows what makes two items equal, and
 * passes the same hash for the same item every time; the table keeps it
 * beside the item, so that it grows without calling back.  A pointer to
 * an item is good until the next add or del, which may move items.
 * There is no iteration: a caller that needs an order keeps it (detect
 * its series in creation order).  Allocation failure is fatal, as
 * everywhere in libcommon (lib/buf.h).
 */
#ifndef SB_OATAB_H
#define SB_OATAB_H

#include <stddef.h>
#include <stdint.h>

struct sb_oatab {
	/*
	 * cap slots of stride bytes: the hash (0: empty), then the item, so
	 * that a probe reads one cache line.
	 */
	unsigned char	*slot;
	size_t		 size;		/* of an item, bytes */
	size_t		 stride;
	size_t		 cap, n;	/* cap: a power of two, or 0 */
	int		 bits;		/* log2(cap) */
};

/*
 * 1 when item (in the table) is the one key stands for; NULL for a table
 * whose items are their own keys, compared as size bytes.
 */
typedef int sb_oatab_eq(const void *item, const void *key);

/* An empty table of items of size bytes; allocates nothing yet. */
void	 sb_oatab_init(struct sb_oatab *, size_t size);
void	 sb_oatab_free(struct sb_oatab *);
/* The item of hash h that eq says is key's, or NULL. */
void	*sb_oatab_find(const struct sb_oatab *, uint64_t h, sb_oatab_eq *eq,
	    const void *key);
/*
 * Room for a new item of hash h, zeroed, for the caller to fill at once.
 * The caller has made sure the item is not there (sb_oatab_find()).
 */
void	*sb_oatab_add(struct sb_oatab *, uint64_t h);
/* Removes the item sb_oatab_find() returned. */
void	 sb_oatab_del(struct sb_oatab *, void *item);

static inline size_t
sb_oatab_count(const struct sb_oatab *t)
{
	return t->n;
}

#endif
