/*
 * data.c - bounded reads of windows and alerts, and the health score.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alertrec.h"
#include "buf.h"
#include "data.h"
#include "json.h"
#include "strtab.h"
#include "winrec.h"

/* One window record, as much of it as the dashboard uses. */
struct win {
	struct sb_buf	 key;
	struct dash_point p;
	int64_t		 end;
};

/* Member name of object t (a window's latency_ms), or NaN. */
static double
num_or_nan(const struct sb_json *js, long t, const char *name)
{
	long m = t >= 0 ? sb_json_member(js, (size_t)t, name) : -1;
	double v;

	if (m < 0 || sb_json_number(js, (size_t)m, &v) == -1)
		return NAN;
	return v;
}

/*
 * What dashboard(1) lists: the lenient reading of lib/winrec (only key
 * and start must be right), of windows of one minute and with a count.
 */
#define DASH_WINDOW	(SB_WIN_LISTING | SB_WIN_EPOCH)

/* 0, or -1 for a line that is not a usable one-minute window. */
static int
win_parse(struct sb_json *js, const char *line, size_t len, struct win *w)
{
	struct sb_window r;
	char why[64];

	if (sb_json_parse(js, line, len) == -1 ||
	    sb_window_read(&r, js, 0, DASH_WINDOW, why, sizeof why) == -1)
		return -1;
	w->p.t = r.start;
	if ((r.has & SB_WH_WIDTH) && r.width_s * 1000 != DASH_WIDTH_MS)
		return -1;
	w->end = (r.has & SB_WH_END) ? r.end : w->p.t + DASH_WIDTH_MS;
	sb_buf_reset(&w->key);
	sb_json_str(js, (size_t)r.key, &w->key);
	if (w->key.s == NULL)
		sb_buf_puts(&w->key, "");
	if (!(r.has & SB_WH_COUNT))
		return -1;
	w->p.count = r.fcount;
	w->p.errors = (r.has & SB_WH_ERRORS) ? r.ferrors : 0;
	w->p.p50 = num_or_nan(js, r.tok[SB_WM_LATENCY], "p50");
	w->p.p95 = num_or_nan(js, r.tok[SB_WM_LATENCY], "p95");
	w->p.p99 = num_or_nan(js, r.tok[SB_WM_LATENCY], "p99");
	w->p.nwin = 1;
	return 0;
}

/*
 * Merging windows into a point: counts add up, latencies are averaged
 * weighted by request count (a window of 2 requests must not weigh as
 * much as one of 2000), so p sums are kept as p * count until
 * point_finish().
 */
static void
point_add(struct dash_point *a, const struct dash_point *w)
{
	double wt = w->count > 0 ? w->count : 0;

	if (a->nwin == 0) {
		a->p50 = a->p95 = a->p99 = 0;
	}
	a->count += w->count;
	a->errors += w->errors;
	if (wt > 0 && !isnan(w->p95) && !isnan(w->p50) && !isnan(w->p99)) {
		a->p50 += w->p50 * wt;
		a->p95 += w->p95 * wt;
		a->p99 += w->p99 * wt;
		a->lat_w += wt;
	}
	a->nwin += w->nwin;
}

static void
point_finish(struct dash_point *a)
{
	if (a->lat_w > 0) {
		a->p50 /= a->lat_w;
		a->p95 /= a->lat_w;
		a->p99 /= a->lat_w;
	} else
		a->p50 = a->p95 = a->p99 = NAN;
}

double
dash_median(double *v, size_t n)
{
	size_t i, j;
	double x;

	if (n == 0)
		return NAN;
	for (i = 1; i < n; i++) {	/* insertion sort: n is at most 60-ish */
		x = v[i];
		for (j = i; j > 0 && v[j - 1] > x; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The series' points as buckets [since + i*step, ...). */
static void
series_init(struct dash_series *s, const char *key, int64_t since,
    int64_t until, int64_t step)
{
	size_t nb;

	memset(s, 0, sizeof *s);
	s->key = sb_xstrdup(key);
	s->step = step;
	nb = (size_t)((until - since + step - 1) / step);
	if (nb == 0)
		nb = 1;
	s->pt = sb_xcalloc(nb, sizeof *s->pt);
	s->cap = nb;
	for (size_t i = 0; i < nb; i++)
		s->pt[i].t = since + (int64_t)i * step;
}

static void
series_add(struct dash_series *s, int64_t since, const struct dash_point *p)
{
	int64_t i;

	if (p->t < since)
		return;
	i = (p->t - since) / s->step;
	if (i < 0 || (size_t)i >= s->cap)
		return;
	point_add(&s->pt[i], p);
}

/* Keeps the buckets that hold a window, in time order. */
static void
series_compact(struct dash_series *s)
{
	size_t i, n = 0;

	for (i = 0; i < s->cap; i++) {
		if (s->pt[i].nwin == 0)
			continue;
		point_finish(&s->pt[i]);
		s->pt[n++] = s->pt[i];
	}
	s->n = n;
}

void
dash_series_free(struct dash_series *s)
{
	free(s->key);
	free(s->pt);
	memset(s, 0, sizeof *s);
}

static int64_t
step_for(int64_t since, int64_t until, int64_t npoints)
{
	int64_t step = (until - since + npoints - 1) / npoints;

	/* Whole minutes, so that a point is a whole number of windows. */
	step = (step + DASH_WIDTH_MS - 1) / DASH_WIDTH_MS * DASH_WIDTH_MS;
	return step < DASH_WIDTH_MS ? DASH_WIDTH_MS : step;
}

struct series_ctx {
	struct dash_series *s;
	struct sb_json	 js;
	struct win	 w;
	int64_t		 since;
	uint64_t	 rows;
};

static int
series_row(void *arg, const char *line, size_t len)
{
	struct series_ctx *c = arg;

	c->rows++;
	memset(&c->w.p, 0, sizeof c->w.p);
	if (win_parse(&c->js, line, len, &c->w) == 0)
		series_add(c->s, c->since, &c->w.p);
	return 0;
}

/*
 * A range of up to DASH_SERIES_MAX_READ windows is read whole; a larger
 * one is sampled: each of DASH_SERIES_POINTS buckets reads its first
 * DASH_SERIES_MAX_READ / DASH_SERIES_POINTS windows.
 */
int
dash_series_load(struct sb_store *st, const char *key, int64_t since,
    int64_t until, struct dash_series *s)
{
	struct series_ctx c;
	struct sb_store_query q;
	int64_t step = step_for(since, until, DASH_SERIES_POINTS);
	int rc = 0;

	series_init(s, key, since, until, step);
	memset(&c, 0, sizeof c);
	c.s = s;
	c.since = since;
	sb_json_init(&c.js);
	sb_store_query_init(&q, "window");
	q.key = key;
	q.key_len = strlen(key);
	if ((until - since) / DASH_WIDTH_MS <= DASH_SERIES_MAX_READ) {
		q.since = since;
		q.until = until;
		q.limit = DASH_SERIES_MAX_READ;
		rc = sb_store_query(st, &q, series_row, &c);
	} else {
		s->sampled = 1;
		q.limit = DASH_SERIES_MAX_READ / DASH_SERIES_POINTS;
		for (size_t i = 0; i < s->cap && rc == 0; i++) {
			q.since = s->pt[i].t;
			q.until = q.since + step < until ? q.since + step : until;
			rc = sb_store_query(st, &q, series_row, &c);
		}
	}
	s->rows = c.rows;
	series_compact(s);
	sb_json_free(&c.js);
	sb_buf_free(&c.w.key);
	return rc;
}

static int
stop_first(void *arg, const char *line, size_t len)
{
	*(int *)arg = 1;
	return 1;
}

int
dash_key_exists(struct sb_store *st, const char *key)
{
	struct sb_store_query q;
	int found = 0;

	sb_store_query_init(&q, "window");
	q.key = key;
	q.key_len = strlen(key);
	q.limit = 1;
	if (sb_store_query(st, &q, stop_first, &found) == -1)
		return -1;
	return found;
}

/* The newest window end among the windows at or after q->since. */
struct latest_ctx {
	struct sb_json	 js;
	struct win	 w;
	int		 found;
	int64_t		 end;
};

static int
latest_row(void *arg, const char *line, size_t len)
{
	struct latest_ctx *c = arg;

	c->found = 1;
	if (win_parse(&c->js, line, len, &c->w) == 0 && c->w.end > c->end)
		c->end = c->w.end;
	else if (c->end == INT64_MIN &&
	    sb_json_get_time(&c->js, 0, "start", &c->w.p.t) == 1)
		c->end = c->w.p.t + DASH_WIDTH_MS;
	return 0;
}

/* 1 if a window starts at or after t, 0 if none, -1 on error. */
static int
any_since(struct sb_store *st, int64_t t)
{
	struct sb_store_query q;
	int found = 0;

	sb_store_query_init(&q, "window");
	q.since = t;
	q.limit = 1;
	if (sb_store_query(st, &q, stop_first, &found) == -1)
		return -1;
	return found;
}

int
dash_latest(struct sb_store *st, int64_t *ms)
{
	struct sb_store_query q;
	struct latest_ctx c;
	int64_t lo, hi, step = 3600000;
	int rc;

	memset(&c, 0, sizeof c);
	sb_json_init(&c.js);
	c.end = INT64_MIN;
	sb_store_query_init(&q, "window");
	q.limit = 1;
	rc = sb_store_query(st, &q, latest_row, &c);
	if (rc == -1 || !c.found) {
		sb_json_free(&c.js);
		sb_buf_free(&c.w.key);
		return rc == -1 ? -1 : 1;
	}
	/* Some window starts at or after lo, none at or after hi. */
	lo = c.w.p.t;
	for (;;) {
		if (lo > INT64_MAX / 4 - step) {
			hi = INT64_MAX / 4;
			break;
		}
		hi = lo + step;
		if ((rc = any_since(st, hi)) == -1)
			goto out;
		if (rc == 0)
			break;
		lo = hi;
		step *= 2;
	}
	while (hi - lo > 1000) {
		int64_t mid = lo + (hi - lo) / 2;

		if ((rc = any_since(st, mid)) == -1)
			goto out;
		if (rc)
			lo = mid;
		else
			hi = mid;
	}
	q.since = lo;
	q.until = hi;
	q.limit = 100000;
	c.found = 0;
	rc = sb_store_query(st, &q, latest_row, &c);
	*ms = c.end;
out:
	sb_json_free(&c.js);
	sb_buf_free(&c.w.key);
	return rc == -1 ? -1 : 0;
}

/* Alerts. */

int
dash_incident_has_key(const struct dash_incident *in, const char *key)
{
	if (in->key != NULL && strcmp(in->key, key) == 0)
		return 1;
	for (size_t i = 0; i < in->nkeys; i++)
		if (strcmp(in->keys[i], key) == 0)
			return 1;
	return 0;
}

static void
incident_clear(struct dash_incident *in)
{
	for (size_t i = 0; i < in->nkeys; i++)
		free(in->keys[i]);
	free(in->keys);
	free(in->key);
	free(in->line);
	in->keys = NULL;
	in->nkeys = 0;
	in->key = NULL;
	in->line = NULL;
}

struct alerts_ctx {
	struct dash_alerts *a;
	struct sb_json	 js;
	uint64_t	 rows;
};

static int64_t
time_or_min(const struct sb_alert *r, unsigned bit, int64_t t)
{
	return (r->has & bit) ? t : INT64_MIN;
}

/* Takes the members of the record r (its text line) into in. */
static void
incident_update(struct dash_incident *in, struct sb_alert *r,
    const char *line, size_t len)
{
	int64_t at = time_or_min(r, SB_AL_AT, r->at);

	if (in->line != NULL && at != INT64_MIN && at < in->at)
		return;		/* an older record after a newer one */
	incident_clear(in);
	in->line = sb_xmalloc(len + 1);
	memcpy(in->line, line, len);
	in->line[len] = '\0';
	in->len = len;
	in->at = at;
	if (in->first_at == INT64_MIN || (at != INT64_MIN && at < in->first_at))
		in->first_at = at;
	in->started = time_or_min(r, SB_AL_STARTED, r->started);
	in->resolved_at = time_or_min(r, SB_AL_RESOLVED, r->resolved);
	in->key = r->key;
	r->key = NULL;
	in->state[0] = '\0';
	if (r->state != NULL)
		snprintf(in->state, sizeof in->state, "%s", r->state);
	in->severity = sb_level_parse(r->severity);
	in->active = strcmp(in->state, "resolved") != 0;
	in->keys = r->keys;
	in->nkeys = r->nkeys;
	r->keys = NULL;
	r->nkeys = 0;
}

static int
alerts_row(void *arg, const char *line, size_t len)
{
	struct alerts_ctx *c = arg;
	struct dash_alerts *a = c->a;
	struct dash_incident *in = NULL;
	struct sb_alert r;
	char why[64];
	size_t i;

	c->rows++;
	if (sb_json_parse(&c->js, line, len) == -1 ||
	    sb_alert_read(&r, &c->js, 0, SB_ALERT_LENIENT | SB_ALERT_LOOSE,
	    why, sizeof why) == -1)
		return 0;
	if (r.id == NULL || !(r.has & SB_AL_AT)) {
		sb_alert_free(&r);
		return 0;
	}
	/* Newest incidents are the likeliest to be updated: search back. */
	for (i = a->n; i > 0; i--)
		if (strcmp(a->inc[i - 1].id, r.id) == 0) {
			in = &a->inc[i - 1];
			break;
		}
	if (in == NULL) {
		if (a->n == a->cap) {
			a->cap = a->cap ? a->cap * 2 : 16;
			a->inc = sb_xrealloc(a->inc, a->cap * sizeof *a->inc);
		}
		in = &a->inc[a->n++];
		memset(in, 0, sizeof *in);
		snprintf(in->id, sizeof in->id, "%s", r.id);
		in->first_at = INT64_MIN;
	}
	incident_update(in, &r, line, len);
	sb_alert_free(&r);
	return 0;
}

static int
keep(const struct dash_incident *in, const struct dash_alert_filter *f)
{
	if (f == NULL)
		return 1;
	if (f->key != NULL && !dash_incident_has_key(in, f->key))
		return 0;
	if (f->severity != SB_LV_NONE && in->severity != f->severity)
		return 0;
	if (f->state != NULL) {
		if (strcmp(f->state, "active") == 0)
			return in->active;
		return strcmp(f->state, in->state) == 0;
	}
	return 1;
}

static int
newest_first(const void *x, const void *y)
{
	const struct dash_incident *a = x, *b = y;

	if (a->at != b->at)
		return a->at < b->at ? 1 : -1;
	return strcmp(a->id, b->id);
}

int
dash_alerts_load(struct sb_store *st, int64_t since, int64_t until,
    const struct dash_alert_filter *f, struct dash_alerts *a)
{
	struct alerts_ctx c;
	struct sb_store_query q;
	size_t i, n = 0;
	int rc;

	memset(a, 0, sizeof *a);
	memset(&c, 0, sizeof c);
	c.a = a;
	sb_json_init(&c.js);
	sb_store_query_init(&q, "alert");
	q.since = since;
	q.until = until;
	q.limit = DASH_ALERT_ROWS;
	rc = sb_store_query(st, &q, alerts_row, &c);
	a->rows = c.rows;
	for (i = 0; i < a->n; i++) {
		if (keep(&a->inc[i], f))
			a->inc[n++] = a->inc[i];
		else
			incident_clear(&a->inc[i]);
	}
	a->n = n;
	if (a->n > 1)
		qsort(a->inc, a->n, sizeof *a->inc, newest_first);
	sb_json_free(&c.js);
	return rc;
}

void
dash_alerts_free(struct dash_alerts *a)
{
	for (size_t i = 0; i < a->n; i++)
		incident_clear(&a->inc[i]);
	free(a->inc);
	memset(a, 0, sizeof *a);
}

/* The overview. */

static double
clamp01(double x)
{
	return x < 0 ? 0 : x > 1 ? 1 : x;
}

/* The formula is documented in dashboard.1, HEALTH SCORE. */
void
dash_health(struct dash_row *r)
{
	static const double alert_pen[] = { 0, 5, 12, 20 };	/* by level + 1 */

	r->pen_latency = r->pen_errors = r->pen_traffic = 0;
	r->pen_alert = alert_pen[r->alert + 1];
	if (isnan(r->rate)) {
		r->health = NAN;
		return;
	}
	if (!isnan(r->p95) && !isnan(r->base_p95) && r->base_p95 > 0)
		r->pen_latency = 35 * clamp01((r->p95 / r->base_p95 - 1) / 2);
	if (!isnan(r->err))
		r->pen_errors = 30 * clamp01(r->err / 0.10);
	if (!isnan(r->base_rate) && r->base_rate > 0)
		r->pen_traffic = 15 * clamp01((0.9 - r->rate / r->base_rate) / 0.8);
	r->health = round(100 - r->pen_latency - r->pen_errors -
	    r->pen_traffic - r->pen_alert);
	if (r->health < 0)
		r->health = 0;
}

/* The row of key, added if there is room; m maps keys to row index + 1. */
static struct dash_row *
row_get(struct dash_overview *o, struct sb_strtab *m, const char *key,
    int64_t since, int64_t until, int64_t step)
{
	void **v = sb_strtab_get(m, key);

	if (v != NULL)
		return &o->row[(uintptr_t)*v - 1];
	if (o->n >= o->max_rows)
		return NULL;
	if (o->n == o->cap) {
		o->cap = o->cap ? o->cap * 2 : 64;
		o->row = sb_xrealloc(o->row, o->cap * sizeof *o->row);
	}
	memset(&o->row[o->n], 0, sizeof o->row[o->n]);
	o->row[o->n].alert = SB_LV_NONE;
	series_init(&o->row[o->n].s, key, since, until, step);
	*sb_strtab_put(m, key) = (void *)(uintptr_t)++o->n;
	return &o->row[o->n - 1];
}

struct overview_ctx {
	struct dash_overview *o;
	struct sb_strtab *map;		/* key: its row index, plus one */
	struct sb_json	 js;
	struct win	 w;
	const char	*filter;
	int64_t		 since, until, step;
	int		 recent;	/* reading the recent query */
	struct dash_point *now;		/* per row, recent sums */
	size_t		 nnow;
};

static int
overview_row(void *arg, const char *line, size_t len)
{
	struct overview_ctx *c = arg;
	struct dash_row *r;
	size_t i;

	c->o->rows++;
	memset(&c->w.p, 0, sizeof c->w.p);
	if (win_parse(&c->js, line, len, &c->w) == -1)
		return 0;
	if (c->filter != NULL && strstr(c->w.key.s, c->filter) == NULL)
		return 0;
	r = row_get(c->o, c->map, c->w.key.s, c->since, c->until, c->step);
	if (r == NULL) {
		c->o->not_shown++;
		return 0;
	}
	if (!c->recent) {
		series_add(&r->s, c->since, &c->w.p);
		return 0;
	}
	i = (size_t)(r - c->o->row);
	if (i >= c->nnow) {
		size_t n = c->o->cap;

		c->now = sb_xrealloc(c->now, n * sizeof *c->now);
		memset(c->now + c->nnow, 0, (n - c->nnow) * sizeof *c->now);
		c->nnow = n;
	}
	point_add(&c->now[i], &c->w.p);
	return 0;
}

/* Baselines: medians of the sparkline points before the recent part. */
static void
row_baseline(struct dash_row *r, int64_t recent_from)
{
	double *v = sb_xcalloc(r->s.n + 1, sizeof *v);
	size_t i, n;

	for (i = n = 0; i < r->s.n; i++)
		if (r->s.pt[i].t + r->s.step <= recent_from &&
		    !isnan(r->s.pt[i].p95))
			v[n++] = r->s.pt[i].p95;
	r->base_p95 = dash_median(v, n);
	for (i = n = 0; i < r->s.n; i++)
		if (r->s.pt[i].t + r->s.step <= recent_from)
			v[n++] = r->s.pt[i].count / r->s.pt[i].nwin;
	r->base_rate = dash_median(v, n);
	for (i = n = 0; i < r->s.n; i++)
		if (r->s.pt[i].t + r->s.step <= recent_from &&
		    r->s.pt[i].count > 0)
			v[n++] = r->s.pt[i].errors / r->s.pt[i].count;
	r->base_err = dash_median(v, n);
	free(v);
}

static int
worst_first(const void *x, const void *y)
{
	const struct dash_row *a = x, *b = y;
	int ha = !isnan(a->health), hb = !isnan(b->health);

	if (a->alert != b->alert)
		return b->alert - a->alert;
	if (ha != hb)
		return hb - ha;
	if (ha && a->health != b->health)
		return a->health < b->health ? -1 : 1;
	return strcmp(a->s.key, b->s.key);
}

/*
 * Each sparkline point is one query reading at most
 * DASH_OVERVIEW_BUCKET_ROWS windows, the first of its bucket: every key
 * of a small range, a sample of a large one.  The recent part, read
 * whole up to DASH_RECENT_ROWS, gives the current values.
 */
int
dash_overview_load(struct sb_store *st, int64_t since, int64_t until,
    const char *filter, size_t max_rows, struct dash_overview *o)
{
	struct overview_ctx c;
	struct sb_store_query q;
	int64_t recent_from = until - DASH_RECENT_MS;
	int rc = 0;

	memset(o, 0, sizeof *o);
	memset(&c, 0, sizeof c);
	o->max_rows = max_rows;
	c.o = o;
	c.map = sb_strtab_new();
	c.filter = filter != NULL && *filter != '\0' ? filter : NULL;
	c.since = since;
	c.until = until;
	c.step = step_for(since, until, DASH_OVERVIEW_BUCKETS);
	sb_json_init(&c.js);
	if (recent_from < since)
		recent_from = since;

	if (dash_alerts_load(st, until - DASH_ALERT_LOOKBACK, until, NULL,
	    &o->alerts) == -1)
		rc = -1;
	sb_store_query_init(&q, "window");
	q.limit = DASH_OVERVIEW_BUCKET_ROWS;
	for (int64_t b = since; b < until && rc == 0; b += c.step) {
		q.since = b;
		q.until = b + c.step < until ? b + c.step : until;
		uint64_t before = o->rows;

		rc = sb_store_query(st, &q, overview_row, &c);
		if (o->rows - before >= q.limit)
			o->sampled = 1;
	}
	c.recent = 1;
	q.since = recent_from;
	q.until = until;
	q.limit = DASH_RECENT_ROWS;
	if (rc == 0)
		rc = sb_store_query(st, &q, overview_row, &c);

	for (size_t i = 0; i < o->n; i++) {
		struct dash_row *r = &o->row[i];

		series_compact(&r->s);
		row_baseline(r, recent_from);
		r->rate = r->p95 = r->err = NAN;
		if (i < c.nnow && c.now[i].nwin > 0) {
			point_finish(&c.now[i]);
			r->rate = c.now[i].count / c.now[i].nwin;
			r->p95 = c.now[i].p95;
			r->err = c.now[i].count > 0 ?
			    c.now[i].errors / c.now[i].count : 0;
		}
		for (size_t k = 0; k < o->alerts.n; k++) {
			const struct dash_incident *in = &o->alerts.inc[k];

			if (in->active && in->severity > r->alert &&
			    dash_incident_has_key(in, r->s.key))
				r->alert = in->severity;
		}
		dash_health(r);
	}
	if (o->n > 1)
		qsort(o->row, o->n, sizeof *o->row, worst_first);
	free(c.now);
	sb_strtab_free(c.map);
	sb_json_free(&c.js);
	sb_buf_free(&c.w.key);
	return rc;
}

void
dash_overview_free(struct dash_overview *o)
{
	for (size_t i = 0; i < o->n; i++)
		dash_series_free(&o->row[i].s);
	free(o->row);
	dash_alerts_free(&o->alerts);
	memset(o, 0, sizeof *o);
}

static int
signal_row(void *arg, const char *line, size_t len)
{
	struct sb_buf *b = arg;

	sb_buf_add(b, line, len);
	sb_buf_putc(b, '\n');
	return 0;
}

int
dash_signals_load(struct sb_store *st, const char *key, int64_t since,
    int64_t until, struct sb_buf *lines)
{
	struct sb_store_query q;

	sb_store_query_init(&q, "signal");
	q.key = key;
	q.key_len = strlen(key);
	q.since = since;
	q.until = until;
	q.limit = DASH_SIGNAL_ROWS;
	return sb_store_query(st, &q, signal_row, lines);
}
