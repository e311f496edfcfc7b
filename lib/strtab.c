/*
 * strtab.c - strings to values, chained hashing; see strtab.h.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "hash.h"
#include "strtab.h"

struct entry {
	struct entry	*next;
	void		*value;
	uint64_t	 hash;
	char		 name[];
};

struct sb_strtab {
	struct entry	**bucket;
	size_t		  nbucket;	/* a power of two */
	size_t		  n;
};

/* FNV-1a, 64 bits. */
static uint64_t
hash_of(const char *s)
{
	return sb_fnv1a64_str(SB_FNV64_INIT, s);
}

struct sb_strtab *
sb_strtab_new(void)
{
	struct sb_strtab *t = sb_xcalloc(1, sizeof *t);

	t->nbucket = 64;
	t->bucket = sb_xcalloc(t->nbucket, sizeof *t->bucket);
	return t;
}

void
sb_strtab_free(struct sb_strtab *t)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < t->nbucket; i++) {
		struct entry *e = t->bucket[i], *next;
		for (; e != NULL; e = next) {
			next = e->next;
			free(e);
		}
	}
	free(t->bucket);
	free(t);
}

static struct entry **
slot_of(const struct sb_strtab *t, const char *name, uint64_t h)
{
	struct entry **pp = &t->bucket[h & (t->nbucket - 1)];

	for (; *pp != NULL; pp = &(*pp)->next)
		if ((*pp)->hash == h && strcmp((*pp)->name, name) == 0)
			break;
	return pp;
}

void **
sb_strtab_get(const struct sb_strtab *t, const char *name)
{
	struct entry *e = *slot_of(t, name, hash_of(name));

	return e != NULL ? &e->value : NULL;
}

/* Twice the buckets once there are more names than buckets. */
static void
grow(struct sb_strtab *t)
{
	size_t nb = t->nbucket * 2;
	struct entry **b = sb_xcalloc(nb, sizeof *b);

	for (size_t i = 0; i < t->nbucket; i++) {
		struct entry *e = t->bucket[i], *next;
		for (; e != NULL; e = next) {
			next = e->next;
			e->next = b[e->hash & (nb - 1)];
			b[e->hash & (nb - 1)] = e;
		}
	}
	free(t->bucket);
	t->bucket = b;
	t->nbucket = nb;
}

void **
sb_strtab_put(struct sb_strtab *t, const char *name)
{
	uint64_t h = hash_of(name);
	struct entry **pp = slot_of(t, name, h), *e;
	size_t len;

	if (*pp != NULL)
		return &(*pp)->value;
	len = strlen(name);
	e = sb_xmalloc(sizeof *e + len + 1);
	memcpy(e->name, name, len + 1);
	e->hash = h;
	e->value = NULL;
	e->next = NULL;
	*pp = e;
	if (++t->n > t->nbucket)
		grow(t);
	return &e->value;
}

int
sb_strtab_del(struct sb_strtab *t, const char *name)
{
	struct entry **pp = slot_of(t, name, hash_of(name)), *e = *pp;

	if (e == NULL)
		return 0;
	*pp = e->next;
	free(e);
	t->n--;
	return 1;
}

size_t
sb_strtab_count(const struct sb_strtab *t)
{
	return t->n;
}
