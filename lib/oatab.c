/*
 * oatab.c - open addressing, linear probing; see oatab.h.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "oatab.h"

/* Hash 0 marks an empty slot: an item whose hash is 0 is kept as 1. */
static uint64_t
stored(uint64_t h)
{
	return h != 0 ? h : 1;
}

/*
 * Fibonacci hashing (Knuth 6.4): the top bits of the product depend on
 * every bit of h, where its low bits may not (those of FNV-1a depend only
 * on the low bits of each byte).
 */
static size_t
home(const struct sb_oatab *t, uint64_t h)
{
	return (size_t)((h * 0x9e3779b97f4a7c15ULL) >> (64 - t->bits));
}

static uint64_t *
hash_at(const struct sb_oatab *t, size_t i)
{
	return (uint64_t *)(void *)(t->slot + i * t->stride);
}

static void *
item_at(const struct sb_oatab *t, size_t i)
{
	return t->slot + i * t->stride + sizeof(uint64_t);
}

void
sb_oatab_init(struct sb_oatab *t, size_t size)
{
	memset(t, 0, sizeof *t);
	t->size = size;
	t->stride = sizeof(uint64_t) + ((size + 7) & ~(size_t)7);
}

void
sb_oatab_free(struct sb_oatab *t)
{
	free(t->slot);
	t->slot = NULL;
	t->cap = t->n = 0;
}

void *
sb_oatab_find(const struct sb_oatab *t, uint64_t h, sb_oatab_eq *eq,
    const void *key)
{
	size_t mask = t->cap - 1, i;
	uint64_t hi;

	if (t->n == 0)
		return NULL;
	h = stored(h);
	for (i = home(t, h); (hi = *hash_at(t, i)) != 0; i = (i + 1) & mask) {
		void *it = item_at(t, i);
		if (hi == h && (eq != NULL ? eq(it, key) :
		    memcmp(it, key, t->size) == 0))
			return it;
	}
	return NULL;
}

/* The empty slot where an item of stored hash h goes. */
static size_t
free_slot(const struct sb_oatab *t, uint64_t h)
{
	size_t mask = t->cap - 1, i = home(t, h);

	while (*hash_at(t, i) != 0)
		i = (i + 1) & mask;
	return i;
}

static void
grow(struct sb_oatab *t)
{
	struct sb_oatab old = *t;

	t->cap = old.cap != 0 ? old.cap * 2 : 16;
	t->bits = old.cap != 0 ? old.bits + 1 : 4;
	t->slot = sb_xcalloc(t->cap, t->stride);
	for (size_t i = 0; i < old.cap; i++) {
		uint64_t h = *hash_at(&old, i);
		if (h != 0)
			memcpy(t->slot + free_slot(t, h) * t->stride,
			    old.slot + i * t->stride, t->stride);
	}
	free(old.slot);
}

void *
sb_oatab_add(struct sb_oatab *t, uint64_t h)
{
	size_t i;

	if (2 * (t->n + 1) > t->cap)
		grow(t);
	h = stored(h);
	i = free_slot(t, h);
	*hash_at(t, i) = h;
	t->n++;
	return item_at(t, i);
}

void
sb_oatab_del(struct sb_oatab *t, void *item)
{
	size_t mask = t->cap - 1, i, j;
	uint64_t h;

	i = (size_t)((unsigned char *)item - t->slot) / t->stride;
	t->n--;
	/* Pull back each later item of the run that may no longer be found. */
	for (j = (i + 1) & mask; (h = *hash_at(t, j)) != 0; j = (j + 1) & mask) {
		size_t hj = home(t, h);
		/* Stays if its home lies cyclically in (i, j]. */
		if (i <= j ? (i < hj && hj <= j) : (i < hj || hj <= j))
			continue;
		memcpy(t->slot + i * t->stride, t->slot + j * t->stride,
		    t->stride);
		i = j;
	}
	memset(t->slot + i * t->stride, 0, t->stride);
}
