/*
 * incident.c - correlate's engine; see incident.h and correlate(1).
 *
 * Evidence is kept per key: the latest signal of each (metric, detector)
 * pair.  A signal is live while its "at" lies within --within of the
 * clock, the newest event time seen.  Incidents are kept per group: the
 * service when known (and grouping is on), else the key.
 */
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "strtab.h"
#include "incident.h"
#include "timefmt.h"

struct sigset {
	struct sb_signal	*v;
	size_t		 n, cap;
};

struct keyev {
	char		*key;
	char		*group;
	char		*service;
	struct sigset	 sigs;
};

/*
 * The peak of one (key, metric, direction) over an incident: the signal
 * that moved furthest, when the metric was first flagged, and its value
 * in the newest window of the key the incident saw.
 */
struct peak {
	struct sb_signal sig;		/* the furthest signal */
	int64_t		 first_at, last_at;
	double		 last_value;
};

struct incident {
	char		 id[9];
	char		*group;
	char		*service;
	char		**keys;
	size_t		 nkeys;
	int64_t		 started, last_support, resolved_at;
	int64_t		 support_width;	/* ms: the window of the last support */
	int64_t		 cleared_at;	/* clearing: when its last signal cleared */
	int		 open, severity, reopened;
	int		 clearing;	/* every signal cleared: resolves once
					   the instant is over (inc_clear()) */
	struct sigset	 sigs;
	struct peak	*peaks;		/* sorted by key, metric, direction */
	size_t		 npeaks;
};

struct corr {
	struct corr_config cfg;
	int64_t		 clock;
	struct keyev	*kev;
	size_t		 nkev, kevcap;
	struct sb_strtab *kidx;		/* key: its index in kev, plus one */
	struct incident	**inc;
	size_t		 ninc, inccap;
	struct corr_stats st;
};

void
incident_id(const char *key, int64_t started, char out[9])
{
	char t[SB_TIME_LEN];
	uint32_t h;

	h = sb_fnv1a32_str(SB_FNV32_INIT, key);
	h = sb_fnv1a32(h, "", 1);	/* the NUL between the two */
	h = sb_fnv1a32_str(h, sb_time_format(started, t));
	snprintf(out, 9, "%08x", h);
}

/* "s:checkout" or "k:GET /a": a service and a key never collide. */
static char *
group_of(const struct corr *c, const char *key, const char *service)
{
	struct sb_buf b = SB_BUF_INIT;

	if (c->cfg.group && service != NULL)
		sb_buf_printf(&b, "s:%s", service);
	else
		sb_buf_printf(&b, "k:%s", key);
	return b.s;
}

/* Orders a set by key, metric, detector: the order of "signals". */
static int
sig_cmp(const struct sb_signal *a, const struct sb_signal *b)
{
	int d;

	if ((d = strcmp(a->key, b->key)) != 0)
		return d;
	if ((d = strcmp(a->metric, b->metric)) != 0)
		return d;
	return strcmp(a->detector, b->detector);
}

/* Keeps the latest signal per (key, metric, detector), sorted. */
static void
set_put(struct sigset *set, const struct sb_signal *s)
{
	size_t i;
	int d = 1;

	for (i = 0; i < set->n; i++)
		if ((d = sig_cmp(&set->v[i], s)) >= 0)
			break;
	if (i < set->n && d == 0) {
		if (s->at < set->v[i].at)
			return;		/* an older, late signal */
		sb_signal_free(&set->v[i]);
		sb_signal_copy(&set->v[i], s);
		return;
	}
	if (set->n == set->cap) {
		set->cap = set->cap ? set->cap * 2 : 2;
		set->v = sb_xrealloc(set->v, set->cap * sizeof *set->v);
	}
	memmove(&set->v[i + 1], &set->v[i], (set->n - i) * sizeof *set->v);
	sb_signal_copy(&set->v[i], s);
	set->n++;
}

static void
set_del(struct sigset *set, size_t i)
{
	sb_signal_free(&set->v[i]);
	memmove(&set->v[i], &set->v[i + 1], (set->n - i - 1) * sizeof *set->v);
	set->n--;
}

static void
set_free(struct sigset *set)
{
	for (size_t i = 0; i < set->n; i++)
		sb_signal_free(&set->v[i]);
	free(set->v);
	memset(set, 0, sizeof *set);
}

/*
 * How far a signal moved: its value over its reference (the expectation
 * of a traffic signal, else the baseline), or the value itself for an
 * error rate (as its severity level goes) and without a reference.
 */
static double
reach(const struct sb_signal *s)
{
	int traffic = s->family == SB_FAM_TRAFFIC ||
	    sb_metric_class(s->metric) == SB_MC_TRAFFIC;
	double ref = 0;

	if (!traffic && sb_metric_class(s->metric) == SB_MC_ERRORS)
		return s->value;
	if (traffic && (s->has & SB_SIG_EXPECTED))
		ref = s->expected;
	else if (s->has & SB_SIG_BASELINE)
		ref = s->baseline;
	return ref > 0 ? s->value / ref : s->value;
}

/*
 * The value of metric in the window of s: its context's, else its own
 * when it is a signal of that metric.  0 when s has none.
 */
static int
window_value(const struct sb_signal *s, const char *metric, double *v)
{
	for (int k = 0; k < SB_CX_N; k++)
		if ((s->ctx.has & (1u << k)) &&
		    strcmp(sb_cx_name(k), metric) == 0) {
			*v = s->ctx.value[k];
			return 1;
		}
	if (strcmp(s->metric, metric) == 0) {
		*v = s->value;
		return 1;
	}
	return 0;
}

static int
peak_cmp(const struct peak *p, const char *key, const char *metric, int dir)
{
	int d;

	if ((d = strcmp(p->sig.key, key)) != 0)
		return d;
	if ((d = strcmp(p->sig.metric, metric)) != 0)
		return d;
	return p->sig.dir - dir;
}

/* Any signal of a key of inc, cleared and benign ones included. */
static void
peak_last(struct incident *inc, const struct sb_signal *s)
{
	double v;

	for (size_t i = 0; i < inc->npeaks; i++) {
		struct peak *p = &inc->peaks[i];
		if (strcmp(p->sig.key, s->key) == 0 && s->at >= p->last_at &&
		    window_value(s, p->sig.metric, &v)) {
			p->last_at = s->at;
			p->last_value = v;
		}
	}
}

/* A supporting signal of inc: its metric's peak may move. */
static void
peak_note(struct incident *inc, const struct sb_signal *s)
{
	struct peak *p;
	size_t i;
	int d = 1;

	for (i = 0; i < inc->npeaks; i++)
		if ((d = peak_cmp(&inc->peaks[i], s->key, s->metric, s->dir)) >= 0)
			break;
	if (i < inc->npeaks && d == 0) {
		p = &inc->peaks[i];
		if (s->dir < 0 ? reach(s) < reach(&p->sig) :
		    reach(s) > reach(&p->sig)) {
			sb_signal_free(&p->sig);
			sb_signal_copy(&p->sig, s);
		}
		if (s->at < p->first_at)
			p->first_at = s->at;
	} else {
		inc->peaks = sb_xrealloc(inc->peaks,
		    (inc->npeaks + 1) * sizeof *inc->peaks);
		memmove(&inc->peaks[i + 1], &inc->peaks[i],
		    (inc->npeaks - i) * sizeof *inc->peaks);
		inc->npeaks++;
		p = &inc->peaks[i];
		memset(p, 0, sizeof *p);
		sb_signal_copy(&p->sig, s);
		p->first_at = s->at;
		p->last_at = INT64_MIN;
	}
	peak_last(inc, s);
}

/*
 * One member of "peaks"; exact numbers for the state, 6 digits (as
 * detect writes them) in alerts.
 */
static void
peak_json(struct sb_buf *b, const struct peak *p, int exact)
{
	void (*num)(struct sb_buf *, double) = exact ? sb_buf_json_num_exact :
	    sb_buf_json_num;
	const struct sb_signal *s = &p->sig;

	sb_buf_puts(b, "{\"key\":");
	sb_buf_json_str(b, s->key, strlen(s->key));
	sb_buf_puts(b, ",\"metric\":");
	sb_buf_json_str(b, s->metric, strlen(s->metric));
	sb_buf_puts(b, ",\"detector\":");
	sb_buf_json_str(b, s->detector, strlen(s->detector));
	if (s->dir != 0)
		sb_buf_puts(b, s->dir < 0 ? ",\"direction\":\"down\"" :
		    ",\"direction\":\"up\"");
	sb_buf_puts(b, ",\"at\":");
	sb_buf_json_time(b, s->at);
	sb_buf_puts(b, ",\"value\":");
	num(b, s->value);
	if (s->has & SB_SIG_BASELINE) {
		sb_buf_puts(b, ",\"baseline\":");
		num(b, s->baseline);
	}
	if ((s->has & SB_SIG_EXPECTED) &&
	    (s->family == SB_FAM_TRAFFIC ||
	    sb_metric_class(s->metric) == SB_MC_TRAFFIC)) {
		sb_buf_puts(b, ",\"expected\":");
		num(b, s->expected);
	}
	/* The status codes of an error peak's window: its failure mode. */
	if (s->ctx.ncodes > 0 && sb_metric_class(s->metric) == SB_MC_ERRORS) {
		sb_buf_puts(b, ",\"context\":{\"codes\":{");
		for (int k = 0; k < s->ctx.ncodes; k++) {
			sb_buf_printf(b, "%s\"%d\":", k ? "," : "", s->ctx.code[k]);
			num(b, s->ctx.ncode[k]);
		}
		sb_buf_puts(b, "}}");
	}
	sb_buf_puts(b, ",\"first_at\":");
	sb_buf_json_time(b, p->first_at);
	sb_buf_puts(b, ",\"last_at\":");
	sb_buf_json_time(b, p->last_at);
	sb_buf_puts(b, ",\"last_value\":");
	num(b, p->last_value);
	sb_buf_putc(b, '}');
}

static void
peaks_json(struct sb_buf *b, const struct incident *inc, int exact)
{
	sb_buf_puts(b, ",\"peaks\":[");
	for (size_t i = 0; i < inc->npeaks; i++) {
		if (i > 0)
			sb_buf_putc(b, ',');
		peak_json(b, &inc->peaks[i], exact);
	}
	sb_buf_putc(b, ']');
}

static int
is_live(const struct corr *c, const struct sb_signal *s)
{
	return s->at >= c->clock - c->cfg.within;
}

/*
 * A traffic surge is load, not a degradation: a burst that the service
 * absorbs is no incident, so a surge is never evidence.  It stays in an
 * incident as context (its severity and peak).
 */
static int
surge(const struct sb_signal *s)
{
	return s->dir > 0 && (sb_metric_class(s->metric) == SB_MC_TRAFFIC ||
	    s->family == SB_FAM_TRAFFIC);
}

/*
 * Independent evidence: the number of distinct (metric, detector family)
 * pairs among the live signals of key in set (all keys if key is NULL).
 * Two signals are independent when either member differs.
 */
static int
independent(const struct corr *c, const struct sigset *set, const char *key,
    int live_only)
{
	int n = 0;

	for (size_t i = 0; i < set->n; i++) {
		const struct sb_signal *s = &set->v[i];
		size_t j;

		if ((key != NULL && strcmp(s->key, key) != 0) ||
		    (live_only && !is_live(c, s)) || surge(s))
			continue;
		for (j = 0; j < i; j++) {
			const struct sb_signal *o = &set->v[j];
			if ((key == NULL || strcmp(o->key, key) == 0) &&
			    (!live_only || is_live(c, o)) && !surge(o) &&
			    strcmp(o->key, s->key) == 0 &&
			    strcmp(o->metric, s->metric) == 0 &&
			    o->family == s->family &&
			    (s->family != SB_FAM_OTHER ||
			    strcmp(o->detector, s->detector) == 0))
				break;
		}
		if (j == i)
			n++;
	}
	return n;
}

/*
 * The solo rules of correlate(1): an error rate of 50% or more over enough
 * requests, an SLO burn rate at which half the requests or more fail the
 * SLO, or traffic under 20% of an expectation of enough requests for
 * 3 windows or more, unless --no-solo; any score of --solo-score or more
 * with --solo.
 */
static int
overwhelming(const struct corr *c, const struct sb_signal *s)
{
	enum sb_metric_class mc = sb_metric_class(s->metric);
	double ref;

	if (c->cfg.solo > 1 && (s->has & SB_SIG_SCORE) &&
	    s->score >= c->cfg.solo_score)
		return 1;
	if (mc == SB_MC_ERRORS && s->dir > 0 && s->value >= 0.5 &&
	    s->family != SB_FAM_SLO)
		return (s->has & SB_SIG_COUNT) ? s->count >= c->cfg.solo_min_count :
		    (s->has & SB_SIG_WINDOWS) && s->windows >= 3;
	/*
	 * An SLO burning so fast that most requests fail it: an endpoint
	 * broken from its first minute, whose baselines learned the
	 * failure as normal, has nothing else to agree.
	 */
	if (s->family == SB_FAM_SLO && s->dir > 0 &&
	    (s->has & SB_SIG_BURN) && (s->has & SB_SIG_OBJECTIVE) &&
	    s->objective < 1 && s->burn_rate * (1 - s->objective) >= 0.5)
		return (s->has & SB_SIG_COUNT) ? s->count >= c->cfg.solo_min_count :
		    (s->has & SB_SIG_WINDOWS) && s->windows >= 3;
	if ((mc == SB_MC_TRAFFIC || s->family == SB_FAM_TRAFFIC) && s->dir < 0) {
		ref = (s->has & SB_SIG_EXPECTED) ? s->expected :
		    (s->has & SB_SIG_BASELINE) ? s->baseline : 0;
		return ref >= c->cfg.solo_min_count && s->value < 0.2 * ref &&
		    (!(s->has & SB_SIG_WINDOWS) || s->windows >= 3);
	}
	return 0;
}

static int
qualifies(const struct corr *c, const struct keyev *k)
{
	if (independent(c, &k->sigs, NULL, 1) >= c->cfg.min_signals)
		return 1;
	if (c->cfg.solo)
		for (size_t i = 0; i < k->sigs.n; i++)
			if (is_live(c, &k->sigs.v[i]) &&
			    overwhelming(c, &k->sigs.v[i]))
				return 1;
	return 0;
}

/*
 * Severity: the highest magnitude level of the incident's signals, one
 * step higher (at most critical) when it spans 3 or more endpoints or one
 * endpoint has 3 or more independent signals.
 */
static int
severity(const struct corr *c, const struct incident *inc)
{
	int lv = SB_LV_INFO, broad = inc->nkeys >= 3;

	for (size_t i = 0; i < inc->sigs.n; i++) {
		int l = (int)sb_signal_level(&inc->sigs.v[i]);
		if (l > lv)
			lv = l;
	}
	for (size_t k = 0; k < inc->nkeys && !broad; k++)
		broad = independent(c, &inc->sigs, inc->keys[k], 0) >= 3;
	if (broad && lv < SB_LV_CRITICAL)
		lv++;
	return lv;
}

static void
emit(struct corr *c, const struct incident *inc, const char *state,
    struct sb_buf *out)
{
	sb_buf_puts(out, "{\"type\":\"alert\",\"id\":\"");
	sb_buf_puts(out, inc->id);
	sb_buf_puts(out, "\",\"state\":\"");
	sb_buf_puts(out, state);
	sb_buf_puts(out, "\",\"severity\":\"");
	sb_buf_puts(out, sb_level_name(inc->severity));
	sb_buf_puts(out, "\",\"key\":");
	sb_buf_json_str(out, inc->keys[0], strlen(inc->keys[0]));
	if (inc->service != NULL) {
		sb_buf_puts(out, ",\"service\":");
		sb_buf_json_str(out, inc->service, strlen(inc->service));
	}
	sb_buf_puts(out, ",\"keys\":[");
	for (size_t i = 0; i < inc->nkeys; i++) {
		if (i > 0)
			sb_buf_putc(out, ',');
		sb_buf_json_str(out, inc->keys[i], strlen(inc->keys[i]));
	}
	sb_buf_puts(out, "],\"started\":");
	sb_buf_json_time(out, inc->started);
	sb_buf_puts(out, ",\"at\":");
	sb_buf_json_time(out, inc->open ? c->clock : inc->resolved_at);
	if (!inc->open) {
		sb_buf_puts(out, ",\"resolved_at\":");
		sb_buf_json_time(out, inc->resolved_at);
	}
	if (inc->reopened > 0) {
		sb_buf_puts(out, ",\"reopened\":");
		sb_buf_json_int(out, inc->reopened);
	}
	sb_buf_puts(out, ",\"signals\":[");
	for (size_t i = 0; i < inc->sigs.n; i++) {
		if (i > 0)
			sb_buf_putc(out, ',');
		sb_buf_add(out, inc->sigs.v[i].raw, inc->sigs.v[i].rawlen);
	}
	sb_buf_putc(out, ']');
	peaks_json(out, inc, 0);
	sb_buf_puts(out, "}\n");
}

struct corr *
corr_new(const struct corr_config *cfg)
{
	struct corr *c = sb_xcalloc(1, sizeof *c);

	c->kidx = sb_strtab_new();
	c->cfg = *cfg;
	c->clock = INT64_MIN / 2;
	return c;
}

static void
incident_free(struct incident *inc)
{
	for (size_t i = 0; i < inc->nkeys; i++)
		free(inc->keys[i]);
	free(inc->keys);
	free(inc->group);
	free(inc->service);
	set_free(&inc->sigs);
	for (size_t i = 0; i < inc->npeaks; i++)
		sb_signal_free(&inc->peaks[i].sig);
	free(inc->peaks);
	free(inc);
}

static void
kev_free(struct keyev *k)
{
	free(k->key);
	free(k->group);
	free(k->service);
	set_free(&k->sigs);
}

void
corr_free(struct corr *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->nkev; i++)
		kev_free(&c->kev[i]);
	free(c->kev);
	sb_strtab_free(c->kidx);
	for (size_t i = 0; i < c->ninc; i++)
		incident_free(c->inc[i]);
	free(c->inc);
	free(c);
}

int64_t
corr_clock(const struct corr *c)
{
	return c->clock;
}

size_t
corr_open(const struct corr *c)
{
	size_t n = 0;

	for (size_t i = 0; i < c->ninc; i++)
		n += c->inc[i]->open;
	return n;
}

const struct corr_stats *
corr_stats(const struct corr *c)
{
	return &c->st;
}

/*
 * Keys are found through a hash table, so that a flood of new keys costs
 * one lookup each, whatever the number held.
 */
static struct keyev *
kev_find(struct corr *c, const char *key)
{
	void **v = sb_strtab_get(c->kidx, key);

	return v != NULL ? &c->kev[(uintptr_t)*v - 1] : NULL;
}

/* The evidence of s's key; NULL when it is new and --max-keys are held. */
static struct keyev *
kev_get(struct corr *c, const struct sb_signal *s)
{
	struct keyev *k = kev_find(c, s->key);

	if (k != NULL)
		return k;
	if (c->nkev >= c->cfg.max_keys)
		return NULL;
	if (c->nkev == c->kevcap) {
		c->kevcap = c->kevcap ? c->kevcap * 2 : 16;
		c->kev = sb_xrealloc(c->kev, c->kevcap * sizeof *c->kev);
	}
	k = &c->kev[c->nkev++];
	memset(k, 0, sizeof *k);
	k->key = sb_xstrdup(s->key);
	k->service = s->service != NULL ? sb_xstrdup(s->service) : NULL;
	k->group = group_of(c, s->key, s->service);
	*sb_strtab_put(c->kidx, k->key) = (void *)(uintptr_t)c->nkev;
	return k;
}

static struct incident *
inc_add(struct corr *c)
{
	struct incident *inc = sb_xcalloc(1, sizeof *inc);

	if (c->ninc == c->inccap) {
		c->inccap = c->inccap ? c->inccap * 2 : 8;
		c->inc = sb_xrealloc(c->inc, c->inccap * sizeof *c->inc);
	}
	c->inc[c->ninc++] = inc;
	return inc;
}

static int
inc_has_key(const struct incident *inc, const char *key)
{
	for (size_t i = 0; i < inc->nkeys; i++)
		if (strcmp(inc->keys[i], key) == 0)
			return 1;
	return 0;
}

static void
inc_add_key(struct incident *inc, const char *key)
{
	if (inc_has_key(inc, key))
		return;
	inc->keys = sb_xrealloc(inc->keys, (inc->nkeys + 1) * sizeof *inc->keys);
	inc->keys[inc->nkeys++] = sb_xstrdup(key);
}

/* A supporting signal: the incident stays open from its time on. */
static void
support(struct incident *inc, const struct sb_signal *s)
{
	if (s->at < inc->last_support)
		return;
	inc->last_support = s->at;
	inc->support_width = (int64_t)(s->width_s * 1000);
}

/*
 * How long an incident stays open without support: --resolve-after, but
 * at least two windows of the last supporting signal, as an active
 * detector writes one signal a window; with windows wider than half of
 * --resolve-after (5m ones under the default 10m) every incident would
 * otherwise resolve and reopen between two of them.
 */
static int64_t
quiet_for(const struct corr *c, const struct incident *inc)
{
	int64_t two = 2 * inc->support_width;

	return two > c->cfg.resolve_after ? two : c->cfg.resolve_after;
}

/* Adds the live signals of k to inc, and moves its last support. */
static void
inc_take(struct corr *c, struct incident *inc, const struct keyev *k)
{
	/* One incident spans at most --max-keys keys. */
	if (inc->nkeys >= c->cfg.max_keys && !inc_has_key(inc, k->key)) {
		c->st.over_keys++;
		return;
	}
	inc_add_key(inc, k->key);
	for (size_t i = 0; i < k->sigs.n; i++) {
		const struct sb_signal *s = &k->sigs.v[i];
		if (!is_live(c, s))
			continue;
		set_put(&inc->sigs, s);
		peak_note(inc, s);
		support(inc, s);
	}
}

static struct incident *
inc_by_key(struct corr *c, const char *key)
{
	for (size_t i = 0; i < c->ninc; i++)
		if (c->inc[i]->open && inc_has_key(c->inc[i], key))
			return c->inc[i];
	return NULL;
}

/* The open incident of a group, or else its latest resolved one. */
static struct incident *
inc_by_group(struct corr *c, const char *group, int open)
{
	struct incident *best = NULL;

	for (size_t i = 0; i < c->ninc; i++) {
		struct incident *inc = c->inc[i];
		if (inc->open != open || strcmp(inc->group, group) != 0)
			continue;
		if (best == NULL || inc->resolved_at > best->resolved_at)
			best = inc;
	}
	return best;
}

static int
cmp_resolved(const void *x, const void *y)
{
	const struct incident *a = *(struct incident *const *)x;
	const struct incident *b = *(struct incident *const *)y;

	if (a->resolved_at != b->resolved_at)
		return a->resolved_at < b->resolved_at ? -1 : 1;
	return strcmp(a->id, b->id);
}

/* Whether every signal of inc has been cleared. */
static int
all_cleared(const struct incident *inc)
{
	for (size_t i = 0; i < inc->sigs.n; i++)
		if (!inc->sigs.v[i].cleared)
			return 0;
	return inc->sigs.n > 0;
}

/*
 * Resolves the open incidents that the clock makes due.  One whose
 * signals have all cleared (inc_clear()) resolves at the time of the last
 * clearing once that instant is over, that is once settle (the latest
 * time whose records have all been read) has reached it; a signal of the
 * same instant that supports it again keeps it open.  Any other resolves
 * when quiet for its quiet period at the clock.  The quiet must have been
 * seen: one that keep (a supporting signal at the clock, or NULL)
 * supports stays open when the clock was still within its period before
 * this signal (prev).  So a signal two windows after the last, with a
 * window missing between them, keeps it open at the very end of the
 * period, and so does the next signal of a series whose windows come
 * hours apart (a gap in the data, road sensors, an endpoint called a few
 * times a day): the stream said nothing in between, not that the trouble
 * had stopped.
 */
static void
resolve_due(struct corr *c, int64_t prev, int64_t settle,
    const struct sb_signal *keep, struct sb_buf *out)
{
	struct incident **done = NULL;
	size_t n = 0;

	for (size_t i = 0; i < c->ninc; i++) {
		struct incident *inc = c->inc[i];
		int64_t quiet = quiet_for(c, inc);
		int64_t idle = c->clock - inc->last_support;

		if (!inc->open)
			continue;
		if (inc->clearing && !all_cleared(inc))
			inc->clearing = 0;	/* supported again */
		if (inc->clearing) {
			if (inc->cleared_at > settle)
				continue;
			inc->resolved_at = inc->cleared_at;
		} else if (idle < quiet || (keep != NULL &&
		    prev < inc->last_support + quiet &&
		    inc_has_key(inc, keep->key))) {
			continue;
		} else {
			inc->resolved_at = inc->last_support + quiet;
		}
		inc->open = inc->clearing = 0;
		done = sb_xrealloc(done, (n + 1) * sizeof *done);
		done[n++] = inc;
	}
	if (n > 1)
		qsort(done, n, sizeof *done, cmp_resolved);
	for (size_t i = 0; i < n; i++) {
		emit(c, done[i], "resolved", out);
		c->st.resolved++;
	}
	free(done);
}

/*
 * A detector of one of inc's keys has cleared: its signal no longer
 * supports the incident (the record keeps it, as it was).  Once every
 * signal of the incident has been cleared, nothing supports it any more:
 * it resolves at the time of the last clearing, instead of
 * --resolve-after from its last support, but only once every record of
 * that instant has been read (resolve_due()).  A detector may take over
 * in the window in which another clears (a burst's CUSUM clears as the
 * mean of the last windows becomes unusual): that is the same trouble,
 * and the order in which one window's signals come must not resolve it
 * and fire it again at the same time.
 */
static void
inc_clear(struct incident *inc, const struct sb_signal *s)
{
	for (size_t i = 0; i < inc->sigs.n; i++) {
		struct sb_signal *v = &inc->sigs.v[i];
		if (strcmp(v->key, s->key) == 0 &&
		    strcmp(v->metric, s->metric) == 0 &&
		    strcmp(v->detector, s->detector) == 0 && v->at <= s->at)
			v->cleared = 1;
	}
	if (all_cleared(inc)) {
		inc->clearing = 1;
		inc->cleared_at = s->at;
	}
}

/* Forgets what can no longer matter: stale evidence, old resolutions. */
static void
prune(struct corr *c)
{
	size_t j = 0;

	for (size_t i = 0; i < c->nkev; i++) {
		struct keyev *k = &c->kev[i];
		for (size_t s = k->sigs.n; s-- > 0; )
			if (!is_live(c, &k->sigs.v[s]))
				set_del(&k->sigs, s);
		if (k->sigs.n == 0) {
			sb_strtab_del(c->kidx, k->key);
			kev_free(k);
			continue;
		}
		if (j != i)
			*sb_strtab_get(c->kidx, k->key) = (void *)(uintptr_t)(j + 1);
		c->kev[j++] = *k;
	}
	c->nkev = j;
	j = 0;
	for (size_t i = 0; i < c->ninc; i++) {
		struct incident *inc = c->inc[i];
		if (!inc->open && c->clock - inc->resolved_at > c->cfg.reopen)
			incident_free(inc);
		else
			c->inc[j++] = inc;
	}
	c->ninc = j;
}

/*
 * Moves the clock to t, if later, and writes the resolves now due:
 * settle is the latest time whose records have all been read (t - 1
 * for a signal or a window; t for a watermark, which says that every
 * signal up to t is out).  A record at the clock settles only a
 * watermark's instant.
 */
static void
advance(struct corr *c, int64_t t, int64_t settle,
    const struct sb_signal *keep, struct sb_buf *out)
{
	int64_t prev = c->clock;

	if (t <= c->clock) {
		if (settle >= c->clock)
			resolve_due(c, prev, settle, NULL, out);
		return;
	}
	c->clock = t;
	resolve_due(c, prev, settle, keep, out);
	prune(c);
}

void
corr_advance(struct corr *c, int64_t t, int watermark, struct sb_buf *out)
{
	advance(c, t, watermark ? t : t - 1, NULL, out);
}

void
corr_finish(struct corr *c, struct sb_buf *out)
{
	resolve_due(c, c->clock, INT64_MAX, NULL, out);
}

/*
 * Makes room for a new incident: forgets the resolved one resolved
 * longest ago (it could only have been reopened).  0 when every one is
 * open.
 */
static int
inc_forget_oldest(struct corr *c)
{
	size_t old = c->ninc;

	for (size_t i = 0; i < c->ninc; i++)
		if (!c->inc[i]->open && (old == c->ninc ||
		    c->inc[i]->resolved_at < c->inc[old]->resolved_at))
			old = i;
	if (old == c->ninc)
		return 0;
	incident_free(c->inc[old]);
	memmove(&c->inc[old], &c->inc[old + 1],
	    (c->ninc - old - 1) * sizeof *c->inc);
	c->ninc--;
	return 1;
}

static int
strcmp_ptr(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

/* A key qualified and has no open incident: join, reopen, or fire. */
static void
fire(struct corr *c, struct keyev *k, struct sb_buf *out)
{
	struct incident *inc;
	int sev;

	if ((inc = inc_by_group(c, k->group, 1)) != NULL) {
		inc_take(c, inc, k);
		if ((sev = severity(c, inc)) > inc->severity)
			inc->severity = sev;
		emit(c, inc, "updated", out);
		c->st.updated++;
		return;
	}
	inc = inc_by_group(c, k->group, 0);
	if (inc != NULL && c->cfg.reopen > 0 &&
	    c->clock - inc->resolved_at <= c->cfg.reopen) {
		inc->open = 1;
		inc->reopened++;
		inc->resolved_at = 0;
		inc_take(c, inc, k);
		inc->severity = severity(c, inc);
		emit(c, inc, "firing", out);
		c->st.reopened++;
		return;
	}
	if (c->ninc >= c->cfg.max_keys && !inc_forget_oldest(c)) {
		c->st.over_incidents++;
		return;
	}
	inc = inc_add(c);
	inc->open = 1;
	inc->group = sb_xstrdup(k->group);
	inc->service = k->service != NULL ? sb_xstrdup(k->service) : NULL;
	inc->started = INT64_MAX;
	for (size_t i = 0; i < k->sigs.n; i++)
		if (is_live(c, &k->sigs.v[i]) && k->sigs.v[i].since < inc->started)
			inc->started = k->sigs.v[i].since;
	inc->last_support = INT64_MIN / 2;
	inc_take(c, inc, k);
	/* Endpoints of the service that qualify at this moment fire with it. */
	for (size_t i = 0; i < c->nkev; i++) {
		struct keyev *o = &c->kev[i];
		if (o != k && strcmp(o->group, k->group) == 0 && qualifies(c, o))
			inc_take(c, inc, o);
	}
	if (inc->nkeys > 2)
		qsort(inc->keys + 1, inc->nkeys - 1, sizeof *inc->keys,
		    strcmp_ptr);
	incident_id(inc->keys[0], inc->started, inc->id);
	inc->severity = severity(c, inc);
	emit(c, inc, "firing", out);
	c->st.fired++;
}

int
corr_signal(struct corr *c, const struct sb_signal *s, struct sb_buf *out)
{
	struct incident *inc;
	struct keyev *k;
	int sev;

	c->st.signals++;
	advance(c, s->at, s->at - 1, s->cleared || sb_signal_benign(s) ? NULL :
	    s, out);
	if (s->cleared) {
		c->st.cleared++;
		if ((k = kev_find(c, s->key)) != NULL)
			for (size_t i = 0; i < k->sigs.n; i++)
				if (strcmp(k->sigs.v[i].metric, s->metric) == 0 &&
				    strcmp(k->sigs.v[i].detector, s->detector) == 0) {
					set_del(&k->sigs, i);
					break;
				}
		if ((inc = inc_by_key(c, s->key)) != NULL) {
			peak_last(inc, s);
			inc_clear(inc, s);
		}
		return 0;
	}
	if (sb_signal_benign(s)) {
		c->st.benign++;
		if ((inc = inc_by_key(c, s->key)) != NULL)
			peak_last(inc, s);
		return 0;
	}
	/*
	 * Memory grows with the keys, never past --max-keys: the signal of
	 * a new key beyond it is skipped before anything else is looked at.
	 */
	if ((k = kev_get(c, s)) == NULL)
		return c->st.over_keys++ == 0;
	set_put(&k->sigs, s);
	if ((inc = inc_by_key(c, s->key)) != NULL) {
		/* Any signal of its endpoints keeps an open incident open. */
		set_put(&inc->sigs, s);
		peak_note(inc, s);
		support(inc, s);
		if ((sev = severity(c, inc)) > inc->severity) {
			inc->severity = sev;
			emit(c, inc, "updated", out);
			c->st.updated++;
		}
		return 0;
	}
	if (is_live(c, s) && qualifies(c, k))
		fire(c, k, out);
	return 0;
}

/* State: a header, the live evidence as signal lines, the incidents. */
void
corr_save(const struct corr *c, struct sb_buf *b)
{
	size_t nrec = c->ninc;

	/* "records" counts the lines after it: a file cut short is told. */
	for (size_t i = 0; i < c->nkev; i++)
		nrec += c->kev[i].sigs.n;
	sb_buf_puts(b, "{\"type\":\"correlate_state\",\"version\":1,\"clock\":");
	if (c->clock > INT64_MIN / 2)
		sb_buf_json_time(b, c->clock);
	else
		sb_buf_puts(b, "null");
	sb_buf_printf(b, ",\"records\":%zu}\n", nrec);
	for (size_t i = 0; i < c->nkev; i++)
		for (size_t j = 0; j < c->kev[i].sigs.n; j++) {
			sb_buf_add(b, c->kev[i].sigs.v[j].raw,
			    c->kev[i].sigs.v[j].rawlen);
			sb_buf_putc(b, '\n');
		}
	for (size_t i = 0; i < c->ninc; i++) {
		const struct incident *inc = c->inc[i];
		sb_buf_puts(b, "{\"type\":\"incident\",\"id\":\"");
		sb_buf_puts(b, inc->id);
		sb_buf_printf(b, "\",\"open\":%s,\"severity\":\"%s\",\"group\":",
		    inc->open ? "true" : "false", sb_level_name(inc->severity));
		sb_buf_json_str(b, inc->group, strlen(inc->group));
		if (inc->service != NULL) {
			sb_buf_puts(b, ",\"service\":");
			sb_buf_json_str(b, inc->service, strlen(inc->service));
		}
		sb_buf_puts(b, ",\"keys\":[");
		for (size_t k = 0; k < inc->nkeys; k++) {
			if (k > 0)
				sb_buf_putc(b, ',');
			sb_buf_json_str(b, inc->keys[k], strlen(inc->keys[k]));
		}
		sb_buf_puts(b, "],\"started\":");
		sb_buf_json_time(b, inc->started);
		sb_buf_puts(b, ",\"last_support\":");
		sb_buf_json_time(b, inc->last_support);
		sb_buf_printf(b, ",\"support_width_s\":%.17g",
		    (double)inc->support_width / 1000);
		if (!inc->open) {
			sb_buf_puts(b, ",\"resolved_at\":");
			sb_buf_json_time(b, inc->resolved_at);
		} else if (inc->clearing && all_cleared(inc)) {
			sb_buf_puts(b, ",\"cleared_at\":");
			sb_buf_json_time(b, inc->cleared_at);
		}
		sb_buf_printf(b, ",\"reopened\":%d", inc->reopened);
		for (size_t k = 0, m = 0; k < inc->sigs.n; k++)
			if (inc->sigs.v[k].cleared)
				sb_buf_printf(b, "%s%zu", m++ ? "," :
				    ",\"cleared\":[", k);
		for (size_t k = 0; k < inc->sigs.n; k++)
			if (inc->sigs.v[k].cleared) {
				sb_buf_putc(b, ']');
				break;
			}
		sb_buf_puts(b, ",\"signals\":[");
		for (size_t k = 0; k < inc->sigs.n; k++) {
			if (k > 0)
				sb_buf_putc(b, ',');
			sb_buf_add(b, inc->sigs.v[k].raw, inc->sigs.v[k].rawlen);
		}
		sb_buf_putc(b, ']');
		peaks_json(b, inc, 1);
		sb_buf_puts(b, "}\n");
	}
}

/* The "peaks" of a saved incident, as peak_json() wrote them. */
static int
load_peaks(struct incident *inc, const struct sb_json *js, size_t t,
    char *why, size_t whysz)
{
	if (js->tok[t].type != SB_JARRAY) {
		snprintf(why, whysz, "incident 'peaks' is not an array");
		return -1;
	}
	for (size_t i = t + 1; i < js->tok[t].skip; i = js->tok[i].skip) {
		struct peak p;
		char w[120];

		memset(&p, 0, sizeof p);
		if (sb_signal_read(&p.sig, js, i, w, sizeof w) == -1) {
			snprintf(why, whysz, "incident peak: %s", w);
			return -1;
		}
		if (sb_json_get_time(js, i, "first_at", &p.first_at) != 1 ||
		    sb_json_get_time(js, i, "last_at", &p.last_at) != 1 ||
		    sb_json_get_num(js, i, "last_value", &p.last_value) != 1) {
			sb_signal_free(&p.sig);
			snprintf(why, whysz, "incident peak without 'first_at', "
			    "'last_at' or 'last_value'");
			return -1;
		}
		inc->peaks = sb_xrealloc(inc->peaks,
		    (inc->npeaks + 1) * sizeof *inc->peaks);
		inc->peaks[inc->npeaks++] = p;
	}
	return 0;
}

static int
load_incident(struct corr *c, const struct sb_json *js, char *why,
    size_t whysz)
{
	struct incident *inc = sb_xcalloc(1, sizeof *inc);
	char *id = NULL, *sev = NULL;
	long t, keys, sigs;
	int64_t n;
	double wd;
	struct sb_signal s;

	t = sb_json_member(js, 0, "open");
	keys = sb_json_member(js, 0, "keys");
	sigs = sb_json_member(js, 0, "signals");
	if (sb_json_get_str(js, 0, "id", &id) != 1 || strlen(id) != 8 ||
	    sb_json_get_str(js, 0, "severity", &sev) != 1 ||
	    (inc->severity = sb_level_parse(sev)) < 0 ||
	    sb_json_get_str(js, 0, "group", &inc->group) != 1 ||
	    sb_json_get_str(js, 0, "service", &inc->service) == -1 ||
	    t < 0 || (js->tok[t].type != SB_JTRUE &&
	    js->tok[t].type != SB_JFALSE) ||
	    sb_json_get_time(js, 0, "started", &inc->started) != 1 ||
	    sb_json_get_time(js, 0, "last_support", &inc->last_support) != 1 ||
	    keys < 0 || js->tok[keys].type != SB_JARRAY ||
	    js->tok[keys].size == 0 ||
	    sigs < 0 || js->tok[sigs].type != SB_JARRAY) {
		snprintf(why, whysz, "incident with missing or bad members");
		goto bad;
	}
	memcpy(inc->id, id, 9);
	inc->open = js->tok[t].type == SB_JTRUE;
	if (!inc->open &&
	    sb_json_get_time(js, 0, "resolved_at", &inc->resolved_at) != 1) {
		snprintf(why, whysz, "resolved incident without 'resolved_at'");
		goto bad;
	}
	if ((t = sb_json_member(js, 0, "reopened")) >= 0 &&
	    sb_json_int(js, (size_t)t, &n) == 0 && n >= 0 && n < 1000000)
		inc->reopened = (int)n;
	/* Open, every signal cleared in the instant the state was saved. */
	switch (inc->open ? sb_json_get_time(js, 0, "cleared_at",
	    &inc->cleared_at) : 0) {
	case 1:
		inc->clearing = 1;
		break;
	case -1:
		snprintf(why, whysz, "incident 'cleared_at' is not a time");
		goto bad;
	}
	/* Absent from the state of older versions: --resolve-after alone. */
	if (sb_json_get_num(js, 0, "support_width_s", &wd) == 1 && wd > 0 &&
	    wd < 1e9)
		inc->support_width = (int64_t)(wd * 1000);
	for (size_t i = (size_t)keys + 1; i < js->tok[keys].skip;
	    i = js->tok[i].skip) {
		struct sb_buf b = SB_BUF_INIT;
		if (sb_json_str(js, i, &b) == -1) {
			snprintf(why, whysz, "incident key is not a string");
			goto bad;
		}
		sb_buf_putc(&b, '\0');
		inc_add_key(inc, b.s);
		sb_buf_free(&b);
	}
	for (size_t i = (size_t)sigs + 1; i < js->tok[sigs].skip;
	    i = js->tok[i].skip) {
		char w[120];
		if (sb_signal_read(&s, js, i, w, sizeof w) == -1) {
			snprintf(why, whysz, "incident signal: %s", w);
			goto bad;
		}
		set_put(&inc->sigs, &s);
		sb_signal_free(&s);
	}
	if ((t = sb_json_member(js, 0, "peaks")) >= 0 &&
	    load_peaks(inc, js, (size_t)t, why, whysz) == -1)
		goto bad;
	if ((t = sb_json_member(js, 0, "cleared")) >= 0 &&
	    js->tok[t].type == SB_JARRAY)
		for (size_t i = (size_t)t + 1; i < js->tok[t].skip;
		    i = js->tok[i].skip)
			if (sb_json_int(js, i, &n) == 0 && n >= 0 &&
			    (size_t)n < inc->sigs.n)
				inc->sigs.v[n].cleared = 1;
	free(id);
	free(sev);
	if (c->ninc == c->inccap) {
		c->inccap = c->inccap ? c->inccap * 2 : 8;
		c->inc = sb_xrealloc(c->inc, c->inccap * sizeof *c->inc);
	}
	c->inc[c->ninc++] = inc;
	return 0;
bad:
	free(id);
	free(sev);
	incident_free(inc);
	return -1;
}

int
corr_load_line(struct corr *c, const struct sb_json *js, char *why,
    size_t whysz)
{
	struct sb_signal s;
	struct keyev *k;
	long t = js->type;
	int64_t clock;

	if (js->tok[0].type != SB_JOBJECT || t < 0) {
		snprintf(why, whysz, "not a state record");
		return -1;
	}
	if (sb_json_streq(js, (size_t)t, "correlate_state")) {
		t = sb_json_member(js, 0, "version");
		if (t < 0 || !(js->tok[t].type == SB_JNUMBER &&
		    js->src[js->tok[t].start] == '1' &&
		    js->tok[t].end == js->tok[t].start + 1)) {
			snprintf(why, whysz, "state version is not 1");
			return -1;
		}
		if (sb_json_get_time(js, 0, "clock", &clock) == 1)
			c->clock = clock;
		return 0;
	}
	if (sb_json_streq(js, (size_t)t, "signal")) {
		if (sb_signal_read(&s, js, 0, why, whysz) == -1)
			return -1;
		/* A state saved under a larger --max-keys: the first ones. */
		if ((k = kev_get(c, &s)) != NULL)
			set_put(&k->sigs, &s);
		else
			c->st.over_keys++;
		sb_signal_free(&s);
		return 0;
	}
	if (sb_json_streq(js, (size_t)t, "incident"))
		return load_incident(c, js, why, whysz);
	snprintf(why, whysz, "not a state record");
	return -1;
}
