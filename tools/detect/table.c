/*
 * table.c - detect's series by (key, width) on lib/oatab; see table.h.
 * The order of the index never shows: the state file follows list[].
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "hash.h"
#include "table.h"

/* What table_find() looks for. */
struct series_key {
	const char	*key;
	size_t		 n;
	int64_t		 width;
};

/* FNV-1a over the key's bytes, then the width's. */
static uint64_t
series_hash(const char *key, size_t n, int64_t width)
{
	return sb_fnv1a64(sb_fnv1a64(SB_FNV64_INIT, key, n), &width,
	    sizeof width);
}

static int
series_is(const void *item, const void *key)
{
	const struct series *s = *(struct series *const *)item;
	const struct series_key *k = key;

	return s->width == k->width && s->keylen == k->n &&
	    memcmp(s->key, k->key, k->n) == 0;
}

void
table_init(struct table *t)
{
	memset(t, 0, sizeof *t);
	sb_oatab_init(&t->index, sizeof(struct series *));
}

void
table_free(struct table *t)
{
	for (size_t i = 0; i < t->nlist; i++)
		series_free(t->list[i]);
	free(t->list);
	sb_oatab_free(&t->index);
}

struct series *
table_find(const struct table *t, const char *key, size_t n, int64_t width)
{
	struct series_key k = { key, n, width };
	struct series **p = sb_oatab_find(&t->index,
	    series_hash(key, n, width), series_is, &k);

	return p != NULL ? *p : NULL;
}

void
table_add(struct table *t, struct series *s)
{
	*(struct series **)sb_oatab_add(&t->index,
	    series_hash(s->key, s->keylen, s->width)) = s;
	if (t->nlist == t->listcap) {
		t->listcap = t->listcap ? t->listcap * 2 : 64;
		t->list = sb_xrealloc(t->list, t->listcap * sizeof *t->list);
	}
	t->list[t->nlist++] = s;
}
