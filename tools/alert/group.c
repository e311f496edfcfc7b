/*
 * group.c - grouping, group wait, group interval and repeats in event
 * time; see group.h.
 */
#include <err.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "group.h"
#include "json.h"

#define NEVER	INT64_MAX
#define NTOMBS	256	/* alerts remembered as resolved unnotified */

struct member {
	char			*name;		/* the alert id, else its key */
	struct alert_view	 av;		/* of its latest record */
	char			*raw;
	size_t			 rawlen;
	char			*sent_sev;	/* notified firing with it; NULL: not */
	int			 assumed;	/* sent_sev guessed: its resolve came alone */
	int			 news;		/* for the next notification */
};

struct group {
	char		 *label;	/* "service" or "key" */
	char		 *value;
	struct member	 *m;		/* in the order they joined */
	size_t		  n, cap;
	struct spool_item **held;	/* records not yet in a message */
	size_t		  nheld, heldcap;
	int64_t		  first;	/* the first notification is due */
	int		  flushed;	/* ... and was done */
	int64_t		  last_tick;	/* ticks: last_tick + k interval */
	int64_t		  last_sent;	/* -1: never */
	int64_t		  change_at;	/* first news since last_tick */
	uint64_t	  sent_gen;	/* the advance that last sent */
	struct group	 *next;
};

struct grouper {
	struct group_config	 cfg;
	struct spool		*sp;
	group_emit_fn		 emit;
	void			*ctx;
	struct group		*head;	/* in the order they were made */
	int64_t			 clock;
	uint64_t		 gen;	/* advances so far */
	char			*tomb[NTOMBS];	/* resolved, never notified */
	size_t			 ntomb;		/* ring: next slot */
};

void
group_config_init(struct group_config *c)
{
	memset(c, 0, sizeof *c);
	c->group_by = "service";
	c->wait_ms = 30 * 1000;
	c->interval_ms = 5 * 60 * 1000;
	c->repeat_ms = 4 * 3600 * 1000LL;
	c->send_resolved = 1;
}

static int64_t
add_sat(int64_t a, int64_t b)
{
	return b > 0 && a > NEVER - b ? NEVER : a + b;
}

static void
group_of(const struct grouper *gr, const struct alert_view *a,
    const char **label, const char **value)
{
	if (strcmp(gr->cfg.group_by, "service") == 0 && *a->service != '\0') {
		*label = "service";
		*value = a->service;
	} else {
		*label = "key";
		*value = a->key;
	}
}

static const char *
member_name(const struct alert_view *a)
{
	return *a->id != '\0' ? a->id : a->key;
}

static struct group *
group_find(struct grouper *gr, const char *label, const char *value)
{
	for (struct group *g = gr->head; g != NULL; g = g->next)
		if (strcmp(g->label, label) == 0 && strcmp(g->value, value) == 0)
			return g;
	return NULL;
}

static struct group *
group_new(struct grouper *gr, const char *label, const char *value)
{
	struct group *g = sb_xcalloc(1, sizeof *g), **pp;

	g->label = sb_xstrdup(label);
	g->value = sb_xstrdup(value);
	g->first = add_sat(gr->clock, gr->cfg.wait_ms);
	g->last_sent = -1;
	g->change_at = NEVER;
	for (pp = &gr->head; *pp != NULL; pp = &(*pp)->next)
		;
	*pp = g;
	return g;
}

static void
member_free(struct member *m)
{
	free(m->name);
	av_free(&m->av);
	free(m->raw);
	free(m->sent_sev);
}

static struct member *
member_find(struct group *g, const char *name)
{
	for (size_t i = 0; i < g->n; i++)
		if (strcmp(g->m[i].name, name) == 0)
			return &g->m[i];
	return NULL;
}

static struct member *
member_new(struct group *g, const char *name)
{
	struct member *m;

	if (g->n == g->cap) {
		g->cap = g->cap ? g->cap * 2 : 4;
		g->m = sb_xrealloc(g->m, g->cap * sizeof *g->m);
	}
	m = &g->m[g->n++];
	memset(m, 0, sizeof *m);
	m->name = sb_xstrdup(name);
	return m;
}

/* Keeps the order of the others. */
static void
member_remove(struct group *g, struct member *m)
{
	size_t i = (size_t)(m - g->m);

	member_free(m);
	memmove(&g->m[i], &g->m[i + 1], (g->n - i - 1) * sizeof *g->m);
	g->n--;
}

static void
member_set(struct member *m, const struct alert_view *a, const char *raw,
    size_t rawlen)
{
	av_free(&m->av);
	av_copy(&m->av, a);
	free(m->raw);
	m->raw = sb_xmalloc(rawlen + 1);
	memcpy(m->raw, raw, rawlen);
	m->raw[rawlen] = '\0';
	m->rawlen = rawlen;
}

static int
group_dirty(const struct group *g)
{
	for (size_t i = 0; i < g->n; i++)
		if (g->m[i].news)
			return 1;
	return 0;
}

/* Alerts that a notification said were firing, and still are. */
static int
group_firing(const struct group *g)
{
	for (size_t i = 0; i < g->n; i++)
		if (g->m[i].sent_sev != NULL && !av_resolved(&g->m[i].av))
			return 1;
	return 0;
}

/*
 * The ids of alerts that resolved before their firing was notified, so
 * that a second resolve of one is not taken for the resolve of an alert
 * an earlier run notified.
 */
static void
tomb_add(struct grouper *gr, const char *name)
{
	size_t i = gr->ntomb++ % NTOMBS;

	free(gr->tomb[i]);
	gr->tomb[i] = sb_xstrdup(name);
}

static char **
tomb_find(struct grouper *gr, const char *name)
{
	for (size_t i = 0; i < NTOMBS; i++)
		if (gr->tomb[i] != NULL && strcmp(gr->tomb[i], name) == 0)
			return &gr->tomb[i];
	return NULL;
}

/* Removes the group's held records from the spool (inside a batch). */
static void
unhold(struct grouper *gr, struct group *g)
{
	for (size_t i = 0; i < g->nheld; i++)
		spool_remove(gr->sp, g->held[i]);
	g->nheld = 0;
}

static void
group_free(struct group *g)
{
	for (size_t i = 0; i < g->n; i++)
		member_free(&g->m[i]);
	free(g->m);
	free(g->held);
	free(g->label);
	free(g->value);
	free(g);
}

static int
commit(struct grouper *gr)
{
	if (spool_commit(gr->sp) == -1) {
		warnx("spool: %s", spool_error(gr->sp));
		return -1;
	}
	return 0;
}

/* An empty group goes, and its held records with it. */
static int
group_delete(struct grouper *gr, struct group *g)
{
	struct group **pp;

	for (pp = &gr->head; *pp != g; pp = &(*pp)->next)
		;
	*pp = g->next;
	spool_begin(gr->sp);
	unhold(gr, g);
	group_free(g);
	return commit(gr);
}

/*
 * Keeps the record in the spool until the group's next notification:
 * item is the spool's when restoring, else the record is added.
 */
static int
hold(struct grouper *gr, struct group *g, const struct alert_view *a,
    const char *raw, size_t rawlen, struct spool_item *item)
{
	if (item == NULL && (item = spool_put(gr->sp, GROUP_SPOOL_SINK,
	    member_name(a), raw, rawlen)) == NULL) {
		warnx("spool: alert %s not queued: %s", member_name(a),
		    spool_error(gr->sp));
		return -1;
	}
	if (g->nheld == g->heldcap) {
		g->heldcap = g->heldcap ? g->heldcap * 2 : 4;
		g->held = sb_xrealloc(g->held, g->heldcap * sizeof *g->held);
	}
	g->held[g->nheld++] = item;
	return 0;
}

/*
 * The record into its group.  1 when item (restoring) now belongs to a
 * group, 0 when not, -1 when the spool failed.
 */
static int
add_record(struct grouper *gr, const struct alert_view *a, const char *raw,
    size_t rawlen, struct spool_item *item)
{
	const char *label, *value, *name = member_name(a);
	struct group *g;
	struct member *m;

	group_of(gr, a, &label, &value);
	g = group_find(gr, label, value);
	m = g != NULL ? member_find(g, name) : NULL;
	if (av_resolved(a)) {
		/* Unknown: an earlier run notified its firing. */
		int notified = m == NULL ? tomb_find(gr, name) == NULL :
		    m->sent_sev != NULL;

		if (!notified || !gr->cfg.send_resolved) {
			if (m == NULL)
				return 0;
			if (!notified)
				tomb_add(gr, name);
			member_remove(g, m);
			if (g->n == 0)
				return group_delete(gr, g) == -1 ? -1 : 0;
			goto held;	/* so that a restart does not revive it */
		}
		if (g == NULL)
			g = group_new(gr, label, value);
		if (m == NULL) {
			m = member_new(g, name);
			m->sent_sev = sb_xstrdup(a->severity);
			m->assumed = 1;
		}
		member_set(m, a, raw, rawlen);
		m->news = 1;
	} else {
		char **t;

		if (g == NULL)
			g = group_new(gr, label, value);
		if (m == NULL) {
			m = member_new(g, name);
			if ((t = tomb_find(gr, name)) != NULL) {
				free(*t);
				*t = NULL;
			}
		}
		member_set(m, a, raw, rawlen);
		m->news = m->sent_sev == NULL || m->assumed ||
		    strcmp(m->sent_sev, a->severity) != 0;
	}
	if (m->news && g->change_at == NEVER)
		g->change_at = gr->clock;
held:
	/*
	 * Replaying the held records after a crash must give this state
	 * again; when nothing is held and nothing is owed, nothing need be.
	 */
	if (g->nheld == 0 && !group_dirty(g))
		return 0;
	return hold(gr, g, a, raw, rawlen, item) == -1 ? -1 : item != NULL;
}

/* The first tick at or after x (a later one than last_tick). */
static int64_t
tick_at(const struct grouper *gr, const struct group *g, int64_t x)
{
	int64_t iv = gr->cfg.interval_ms, k;

	if (iv == 0)
		return x > g->last_tick ? x : g->last_tick;
	if (x <= g->last_tick)
		return add_sat(g->last_tick, iv);
	k = (x - g->last_tick) / iv + ((x - g->last_tick) % iv != 0);
	if (k > (NEVER - g->last_tick) / iv)
		return NEVER;
	return g->last_tick + k * iv;
}

static int
repeat_due(const struct grouper *gr, const struct group *g, int64_t t)
{
	return g->last_sent >= 0 && g->sent_gen != gr->gen && group_firing(g) &&
	    t >= add_sat(g->last_sent, gr->cfg.repeat_ms);
}

/* When the group is next to be looked at; NEVER if not in this advance. */
static int64_t
due(const struct grouper *gr, const struct group *g)
{
	int64_t d = NEVER, r;

	if (!g->flushed)
		return g->first;
	if (group_dirty(g))
		d = tick_at(gr, g, g->change_at != NEVER ? g->change_at :
		    gr->clock);
	if (g->last_sent >= 0 && g->sent_gen != gr->gen && group_firing(g) &&
	    (r = tick_at(gr, g, add_sat(g->last_sent, gr->cfg.repeat_ms))) < d)
		d = r;
	return d;
}

static void
notify(struct grouper *gr, struct group *g, int repeat)
{
	const struct alert_view **v = sb_xcalloc(g->n, sizeof *v);
	const char **raws = sb_xcalloc(g->n, sizeof *raws);
	size_t *lens = sb_xcalloc(g->n, sizeof *lens);
	unsigned char *news = sb_xcalloc(g->n, 1);
	struct sb_buf ids = SB_BUF_INIT;
	struct notification nt;
	int changed = 0;

	for (size_t i = 0; i < g->n; i++) {
		const struct member *m = &g->m[i];

		v[i] = &m->av;
		raws[i] = m->raw;
		lens[i] = m->rawlen;
		news[i] = m->news || (repeat && !av_resolved(&m->av));
		changed |= m->news;
		if (i > 0)
			sb_buf_putc(&ids, ',');
		sb_buf_puts(&ids, m->name);
	}
	sb_buf_putc(&ids, '\0');
	nt.group_by = gr->cfg.group_by;
	nt.ids = ids.s;
	nt.n = g->n;
	nt.alerts = v;
	nt.raws = raws;
	nt.rawlens = lens;
	nt.news = news;
	nt.repeat = !changed;
	gr->emit(gr->ctx, &nt);
	sb_buf_free(&ids);
	free(v);
	free(raws);
	free(lens);
	free(news);
}

/*
 * The group at its due time t: a notification when something changed
 * or a repeat is due (not at the end of input), then the resolved
 * alerts leave it, and the group when it is empty.
 */
static int
process(struct grouper *gr, struct group *g, int64_t t, int may_repeat)
{
	int repeat = may_repeat && repeat_due(gr, g, t);
	int send = group_dirty(g) || repeat;
	int rc;

	spool_begin(gr->sp);
	if (send && g->n > 0)
		notify(gr, g, repeat);
	for (size_t i = 0; i < g->n; ) {
		struct member *m = &g->m[i];

		if (av_resolved(&m->av)) {
			member_remove(g, m);
			continue;
		}
		if (send) {
			free(m->sent_sev);
			m->sent_sev = sb_xstrdup(m->av.severity);
			m->assumed = 0;
		}
		m->news = 0;
		i++;
	}
	unhold(gr, g);
	rc = commit(gr);
	g->flushed = 1;
	g->last_tick = t;
	g->change_at = NEVER;
	if (send) {
		g->last_sent = t;
		g->sent_gen = gr->gen;
	}
	if (g->n == 0 && group_delete(gr, g) == -1)
		rc = -1;
	return rc;
}

/* Notifies every group due by now, earliest first. */
static int
advance(struct grouper *gr, int64_t now, int at_end)
{
	int rc = 0;

	gr->gen++;
	if (at_end)	/* no repeats: only what is pending goes */
		for (struct group *g = gr->head; g != NULL; g = g->next)
			g->sent_gen = gr->gen;
	for (;;) {
		struct group *best = NULL;
		int64_t bt = NEVER, d;

		for (struct group *g = gr->head; g != NULL; g = g->next)
			if ((d = due(gr, g)) < bt && (at_end || d <= now)) {
				best = g;
				bt = d;
			}
		if (best == NULL)
			break;
		if (process(gr, best, bt, !at_end) == -1)
			rc = -1;
	}
	return rc;
}

struct grouper *
grouper_open(const struct group_config *cfg, struct spool *sp,
    group_emit_fn emit, void *ctx)
{
	struct grouper *gr = sb_xcalloc(1, sizeof *gr);
	struct spool_item *it, *next;
	struct sb_json js;
	size_t n = 0;

	gr->cfg = *cfg;
	gr->sp = sp;
	gr->emit = emit;
	gr->ctx = ctx;
	sb_json_init(&js);
	spool_begin(sp);
	for (it = spool_first(sp, GROUP_SPOOL_SINK); it != NULL; it = next) {
		struct alert_view a;
		int rc = 0;

		next = spool_next(it, GROUP_SPOOL_SINK);
		if (sb_json_parse(&js, it->body, it->len) == -1 ||
		    js.tok[0].type != SB_JOBJECT || av_read(&a, &js) == -1) {
			warnx("spool: a held alert (%s) is not an alert record, "
			    "dropped", it->id);
			spool_remove(sp, it);
			continue;
		}
		if (a.at > gr->clock)
			gr->clock = a.at;
		if ((rc = add_record(gr, &a, it->body, it->len, it)) == 0)
			spool_remove(sp, it);	/* it changed nothing */
		av_free(&a);
		n++;
	}
	commit(gr);
	sb_json_free(&js);
	if (n > 0)
		warnx("%zu alert records from an earlier run wait in their groups",
		    n);
	return gr;
}

void
grouper_close(struct grouper *gr)
{
	struct group *g, *next;

	if (gr == NULL)
		return;
	for (g = gr->head; g != NULL; g = next) {
		next = g->next;
		group_free(g);
	}
	for (size_t i = 0; i < NTOMBS; i++)
		free(gr->tomb[i]);
	free(gr);
}

int
group_clock(struct grouper *gr, int64_t at)
{
	if (at > gr->clock)
		gr->clock = at;
	return advance(gr, gr->clock, 0);
}

int
group_add(struct grouper *gr, const struct alert_view *a, const char *raw,
    size_t rawlen)
{
	if (add_record(gr, a, raw, rawlen, NULL) == -1)
		return -1;
	return advance(gr, gr->clock, 0);
}

int
group_flush_all(struct grouper *gr)
{
	return advance(gr, gr->clock, 1);
}
