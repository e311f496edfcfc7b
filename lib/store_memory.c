/*
 * store_memory.c - the memory backend: records and state in this process,
 * gone when it exits.  Records are kept in one array sorted lazily by
 * (time, sequence); beyond max_records the oldest are dropped and counted.
 * The digests of the records kept are in a hash set, so that a record put
 * again is found in constant time and skipped; a dropped or pruned
 * record leaves the set with it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oatab.h"
#include "store.h"
#include "store_impl.h"

struct mrec {
	int64_t		 t;
	uint64_t	 seq;
	char		*type;
	char		*key;
	size_t		 key_len;
	char		*line;
	size_t		 len;
	unsigned char	 digest[SB_STORE_DIGEST];
};

struct mstate {
	char		*key;
	char		*val;
	size_t		 len;
};

struct mem {
	struct mrec	*rec;
	size_t		 n, cap;
	int		 sorted;
	uint64_t	 seq;
	uint64_t	 dropped;
	struct mstate	*state;		/* sorted by key */
	size_t		 nstate, capstate;
	struct sb_oatab	 digests;	/* of the records in rec (the set) */
	uint64_t	 duplicates;
};

/*
 * The set of digests: a digest is its own key, and already uniformly
 * random, so its first 8 bytes are its hash.
 */
static uint64_t
digest_hash(const unsigned char *d)
{
	uint64_t h;

	memcpy(&h, d, sizeof h);
	return h;
}

/* 1 if d was added, 0 if it was there. */
static int
dset_add(struct sb_oatab *s, const unsigned char *d)
{
	uint64_t h = digest_hash(d);

	if (sb_oatab_find(s, h, NULL, d) != NULL)
		return 0;
	memcpy(sb_oatab_add(s, h), d, SB_STORE_DIGEST);
	return 1;
}

static void
dset_remove(struct sb_oatab *s, const unsigned char *d)
{
	void *it = sb_oatab_find(s, digest_hash(d), NULL, d);

	if (it != NULL)
		sb_oatab_del(s, it);
}

static int
mem_connect(struct sb_store *st)
{
	if (st->be == NULL) {
		struct mem *m = sb_xcalloc(1, sizeof *m);
		m->sorted = 1;
		sb_oatab_init(&m->digests, SB_STORE_DIGEST);
		st->be = m;
		snprintf(st->desc, sizeof st->desc, "memory");
	}
	st->schema_found = 0;	/* always new */
	st->schema_now = 1;
	return 0;
}

static void
mem_disconnect(struct sb_store *st)
{
}

static void
rec_free(struct mrec *r)
{
	free(r->type);
	free(r->key);
	free(r->line);
}

static void
mem_destroy(struct sb_store *st)
{
	struct mem *m = st->be;

	if (m == NULL)
		return;
	for (size_t i = 0; i < m->n; i++)
		rec_free(&m->rec[i]);
	for (size_t i = 0; i < m->nstate; i++) {
		free(m->state[i].key);
		free(m->state[i].val);
	}
	free(m->rec);
	free(m->state);
	sb_oatab_free(&m->digests);
	free(m);
}

static int
cmp_rec(const void *x, const void *y)
{
	const struct mrec *a = x, *b = y;

	if (a->t != b->t)
		return a->t < b->t ? -1 : 1;
	return (a->seq > b->seq) - (a->seq < b->seq);
}

static void
mem_sort(struct mem *m)
{
	if (!m->sorted)
		qsort(m->rec, m->n, sizeof *m->rec, cmp_rec);
	m->sorted = 1;
}

static char *
copy(const char *s, size_t n)
{
	char *p = sb_xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

static int
mem_put(struct sb_store *st, const struct sb_store_batch *b,
    uint64_t *skipped)
{
	struct mem *m = st->be;

	for (size_t i = 0; i < b->n; i++) {
		const struct sb_store_item *it = &b->item[i];
		struct mrec *r;

		if (!dset_add(&m->digests, it->digest)) {
			(*skipped)++;
			continue;
		}
		if (m->n == m->cap) {
			m->cap = m->cap ? m->cap * 2 : 1024;
			m->rec = sb_xrealloc(m->rec, m->cap * sizeof *m->rec);
		}
		r = &m->rec[m->n];
		r->t = it->time;
		r->seq = ++m->seq;
		r->type = copy(sb_store_str(b, it->type), it->type_len);
		r->key = copy(sb_store_str(b, it->key), it->key_len);
		r->key_len = it->key_len;
		r->line = copy(sb_store_str(b, it->line), it->line_len);
		r->len = it->line_len;
		memcpy(r->digest, it->digest, SB_STORE_DIGEST);
		if (m->n > 0 && cmp_rec(&m->rec[m->n - 1], r) > 0)
			m->sorted = 0;
		m->n++;
	}
	if (m->n > st->cfg.max_records) {
		size_t drop = m->n - st->cfg.max_records;
		mem_sort(m);
		for (size_t i = 0; i < drop; i++) {
			dset_remove(&m->digests, m->rec[i].digest);
			rec_free(&m->rec[i]);
		}
		memmove(m->rec, m->rec + drop, (m->n - drop) * sizeof *m->rec);
		m->n -= drop;
		m->dropped += drop;
	}
	m->duplicates += *skipped;
	return 0;
}

static int
mem_page(struct sb_store *st, const struct sb_store_query *q,
    const struct sb_store_cursor *c, size_t max, struct sb_store_page *p)
{
	struct mem *m = st->be;
	size_t lo = 0, hi;
	int64_t from = q->since;

	mem_sort(m);
	if (c->started && c->t > from)
		from = c->t;
	hi = m->n;
	while (lo < hi) {	/* the first record at or after from */
		size_t mid = lo + (hi - lo) / 2;
		if (m->rec[mid].t < from)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < m->n && p->n < max; i++) {
		const struct mrec *r = &m->rec[i];
		if (r->t >= q->until)
			break;
		if (c->started && r->t == c->t && r->seq <= c->seq)
			continue;
		if (strcmp(r->type, q->type) != 0)
			continue;
		if (q->key != NULL && (r->key_len != q->key_len ||
		    memcmp(r->key, q->key, q->key_len) != 0))
			continue;
		sb_store_page_add(p, r->t, r->seq, r->line, r->len);
	}
	return 0;
}

static int
mem_prune(struct sb_store *st, int64_t cutoff, uint64_t *removed)
{
	struct mem *m = st->be;
	size_t keep = 0;

	for (size_t i = 0; i < m->n; i++) {
		if (m->rec[i].t < cutoff) {
			dset_remove(&m->digests, m->rec[i].digest);
			rec_free(&m->rec[i]);
			(*removed)++;
		} else {
			m->rec[keep++] = m->rec[i];
		}
	}
	m->n = keep;
	return 0;
}

static int
mem_stats(struct sb_store *st, struct sb_store_stats *s)
{
	struct mem *m = st->be;
	int64_t size = 0;

	for (size_t i = 0; i < m->n; i++) {
		const struct mrec *r = &m->rec[i];
		struct sb_store_typestat *ts = sb_store_stats_type(s, r->type,
		    strlen(r->type));
		ts->count++;
		if (r->t < ts->first)
			ts->first = r->t;
		if (r->t > ts->last)
			ts->last = r->t;
		size += (int64_t)(r->len + r->key_len + strlen(r->type) +
		    sizeof *r);
	}
	s->state_keys = m->nstate;
	s->size_bytes = size;
	s->dropped = m->dropped;
	s->duplicates = m->duplicates;
	return 0;
}

/* Index of key, or of where it would go with *found = 0. */
static size_t
state_find(const struct mem *m, const char *key, int *found)
{
	size_t lo = 0, hi = m->nstate;

	*found = 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(m->state[mid].key, key);
		if (c == 0) {
			*found = 1;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int
mem_state_get(struct sb_store *st, const char *key, struct sb_buf *val)
{
	struct mem *m = st->be;
	int found;
	size_t i = state_find(m, key, &found);

	if (!found)
		return 0;
	sb_buf_add(val, m->state[i].val, m->state[i].len);
	return 1;
}

static int
mem_state_put(struct sb_store *st, const char *key, const void *val,
    size_t len)
{
	struct mem *m = st->be;
	int found;
	size_t i = state_find(m, key, &found);
	char *v = copy(val, len);

	if (found) {
		free(m->state[i].val);
	} else {
		if (m->nstate == m->capstate) {
			m->capstate = m->capstate ? m->capstate * 2 : 16;
			m->state = sb_xrealloc(m->state, m->capstate *
			    sizeof *m->state);
		}
		memmove(&m->state[i + 1], &m->state[i], (m->nstate - i) *
		    sizeof *m->state);
		m->nstate++;
		m->state[i].key = sb_xstrdup(key);
	}
	m->state[i].val = v;
	m->state[i].len = len;
	return 0;
}

static int
mem_state_delete(struct sb_store *st, const char *key)
{
	struct mem *m = st->be;
	int found;
	size_t i = state_find(m, key, &found);

	if (!found)
		return 0;
	free(m->state[i].key);
	free(m->state[i].val);
	memmove(&m->state[i], &m->state[i + 1], (m->nstate - i - 1) *
	    sizeof *m->state);
	m->nstate--;
	return 0;
}

static int
mem_state_keys(struct sb_store *st, const char *prefix, struct sb_buf *keys,
    size_t *n)
{
	struct mem *m = st->be;
	size_t pl = strlen(prefix);

	for (size_t i = 0; i < m->nstate; i++) {
		if (strncmp(m->state[i].key, prefix, pl) != 0)
			continue;
		sb_buf_add(keys, m->state[i].key, strlen(m->state[i].key) + 1);
		(*n)++;
	}
	return 0;
}

const struct sb_store_ops sb_store_memory_ops = {
	"memory", mem_connect, mem_disconnect, mem_destroy, mem_put,
	mem_page, mem_prune, mem_stats, mem_state_get, mem_state_put,
	mem_state_delete, mem_state_keys
};
