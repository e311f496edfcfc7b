/*
 * window.c - the windowing engine; see window.h.
 *
 * Each series (key) keeps, per width, a small ring of accumulators: one
 * for each window that can still receive events.  An event is at most
 * `lateness` older than the newest one, and every window ending at or
 * before newest - lateness is closed, so the open windows of a width w
 * span at most lateness / w + 2 slots.  Closing is global: all series
 * emit their record for the same window at the same moment, in key
 * order, which keeps the output deterministic.
 */
#include <stdlib.h>
#include <string.h>

#include "endpoint.h"
#include "strtab.h"
#include "timefmt.h"
#include "window.h"

#define EMPTY	INT64_MIN

struct acc {
	int64_t		 start;		/* EMPTY when unused */
	uint64_t	 count;
	uint64_t	 errors;	/* 5xx */
	uint64_t	 client_errors;	/* 4xx */
	uint64_t	 late;
	uint64_t	 bytes_n;
	double		 bytes_sum;
	struct agg_codes codes;
	struct sb_sketch sk;
};

struct series {
	char		*key;
	char		*service;	/* "" when unknown */
	char		*method;
	char		*endpoint;
	int64_t		 first_seen;
	int64_t		 last_seen;
	struct acc	*acc;		/* agg->nacc accumulators */
};

struct agg {
	struct agg_config cfg;
	int		 nslots[AGG_MAX_WIDTHS];
	int		 slot0[AGG_MAX_WIDTHS];	/* first acc of each width */
	int		 nacc;
	int64_t		 open[AGG_MAX_WIDTHS];	/* oldest open window start */
	int		 started;
	int64_t		 newest;
	struct series	**sorted;		/* by key, (other) included */
	size_t		 nseries;
	struct sb_strtab *table;		/* key: its series */
	struct series	*other;
	int		 warned_other;
	struct sb_buf	 key;
	struct sb_buf	 norm;
	struct agg_stats stats;
};

struct agg *
agg_new(const struct agg_config *cfg)
{
	struct agg *a = sb_xcalloc(1, sizeof *a);

	a->cfg = *cfg;
	for (int w = 0; w < cfg->nwidths; w++) {
		a->nslots[w] = (int)(cfg->lateness / cfg->widths[w]) + 2;
		a->slot0[w] = a->nacc;
		a->nacc += a->nslots[w];
	}
	a->table = sb_strtab_new();
	a->sorted = sb_xcalloc(cfg->max_keys + 1, sizeof *a->sorted);
	a->newest = INT64_MIN;
	return a;
}

static void
series_free(struct agg *a, struct series *s)
{
	for (int i = 0; i < a->nacc; i++)
		sb_sketch_free(&s->acc[i].sk);
	free(s->acc);
	free(s->key);
	free(s);
}

void
agg_free(struct agg *a)
{
	if (a == NULL)
		return;
	for (size_t i = 0; i < a->nseries; i++)
		series_free(a, a->sorted[i]);
	free(a->sorted);
	sb_strtab_free(a->table);
	sb_buf_free(&a->key);
	sb_buf_free(&a->norm);
	free(a);
}

int64_t
agg_newest(const struct agg *a)
{
	return a->newest;
}

const struct agg_stats *
agg_stats(const struct agg *a)
{
	return &a->stats;
}

static struct series *
lookup(const struct agg *a, const char *key)
{
	void **v = sb_strtab_get(a->table, key);

	return v != NULL ? *v : NULL;
}

/* One allocation holds the key and its parts, each NUL-terminated. */
static struct series *
series_new(struct agg *a, const char *key, const char *service,
    const char *method, const char *endpoint, int64_t t)
{
	struct series *s = sb_xcalloc(1, sizeof *s);
	size_t lk = strlen(key) + 1, ls = strlen(service) + 1,
	    lm = strlen(method) + 1, le = strlen(endpoint) + 1;
	size_t lo = 0, hi = a->nseries;

	s->key = sb_xmalloc(lk + ls + lm + le);
	s->service = s->key + lk;
	s->method = s->service + ls;
	s->endpoint = s->method + lm;
	memcpy(s->key, key, lk);
	memcpy(s->service, service, ls);
	memcpy(s->method, method, lm);
	memcpy(s->endpoint, endpoint, le);
	for (char *p = s->method; *p != '\0'; p++)
		if (*p >= 'a' && *p <= 'z')
			*p -= 32;
	s->first_seen = s->last_seen = t;
	s->acc = sb_xcalloc((size_t)a->nacc, sizeof *s->acc);
	for (int i = 0; i < a->nacc; i++) {
		s->acc[i].start = EMPTY;
		sb_sketch_init(&s->acc[i].sk);
	}
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (strcmp(a->sorted[mid]->key, key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	memmove(a->sorted + lo + 1, a->sorted + lo,
	    (a->nseries - lo) * sizeof *a->sorted);
	a->sorted[lo] = s;
	a->nseries++;
	*sb_strtab_put(a->table, s->key) = s;
	a->stats.keys = a->nseries;
	return s;
}

static struct acc *
slot(const struct agg *a, const struct series *s, int w, int64_t start)
{
	int64_t idx = sb_floor_div(start, a->cfg.widths[w]);
	int64_t k = idx % a->nslots[w];

	if (k < 0)
		k += a->nslots[w];
	return &s->acc[a->slot0[w] + k];
}

static void
acc_reset(struct acc *c)
{
	c->start = EMPTY;
	c->count = c->errors = c->client_errors = c->late = c->bytes_n = 0;
	c->bytes_sum = 0;
	c->codes.len = 0;
	sb_sketch_reset(&c->sk);
}

void
agg_codes_add(struct agg_codes *c, int code, uint64_t n)
{
	int i;

	for (i = 0; i < c->len; i++)
		if (c->code[i] == code) {
			c->n[i] += n;
			return;
		}
	if (c->len == AGG_MAX_CODES)
		return;
	/* Kept in ascending order: the record lists them so. */
	for (i = c->len; i > 0 && c->code[i - 1] > code; i--) {
		c->code[i] = c->code[i - 1];
		c->n[i] = c->n[i - 1];
	}
	c->code[i] = (uint16_t)code;
	c->n[i] = n;
	c->len++;
}

void
window_write(const struct window_rec *w, int with_sketch, struct sb_buf *out)
{
	uint64_t n = w->count;

	sb_buf_puts(out, "{\"type\":\"window\",\"key\":");
	sb_buf_json_str(out, w->key, strlen(w->key));
	if (*w->service != '\0') {
		sb_buf_puts(out, ",\"service\":");
		sb_buf_json_str(out, w->service, strlen(w->service));
	}
	if (*w->method != '\0') {
		sb_buf_puts(out, ",\"method\":");
		sb_buf_json_str(out, w->method, strlen(w->method));
	}
	sb_buf_puts(out, ",\"endpoint\":");
	sb_buf_json_str(out, w->endpoint, strlen(w->endpoint));
	sb_buf_puts(out, ",\"start\":");
	sb_buf_json_time(out, w->start);
	sb_buf_puts(out, ",\"end\":");
	sb_buf_json_time(out, w->start + w->width);
	sb_buf_puts(out, ",\"width_s\":");
	if (w->width % 1000 == 0)
		sb_buf_json_int(out, w->width / 1000);
	else
		sb_buf_json_num(out, (double)w->width / 1000);
	sb_buf_puts(out, ",\"count\":");
	sb_buf_json_int(out, (int64_t)n);
	sb_buf_puts(out, ",\"errors\":");
	sb_buf_json_int(out, (int64_t)w->errors);
	sb_buf_puts(out, ",\"client_errors\":");
	sb_buf_json_int(out, (int64_t)w->client_errors);
	sb_buf_puts(out, ",\"error_rate\":");
	if (n > 0)
		sb_buf_json_num(out, (double)w->errors / (double)n);
	else
		sb_buf_puts(out, "0");
	if (w->codes != NULL && w->codes->len > 0) {
		for (int i = 0; i < w->codes->len; i++) {
			sb_buf_printf(out, "%s\"%d\":", i ? "," : ",\"codes\":{",
			    w->codes->code[i]);
			sb_buf_json_int(out, (int64_t)w->codes->n[i]);
		}
		sb_buf_putc(out, '}');
	}
	if (n > 0) {
		const struct sb_sketch *k = w->sk;
		sb_buf_puts(out, ",\"latency_ms\":{\"mean\":");
		sb_buf_json_num(out, k->sum / (double)k->count);
		sb_buf_puts(out, ",\"p50\":");
		sb_buf_json_num(out, sb_sketch_quantile(k, 0.50));
		sb_buf_puts(out, ",\"p90\":");
		sb_buf_json_num(out, sb_sketch_quantile(k, 0.90));
		sb_buf_puts(out, ",\"p95\":");
		sb_buf_json_num(out, sb_sketch_quantile(k, 0.95));
		sb_buf_puts(out, ",\"p99\":");
		sb_buf_json_num(out, sb_sketch_quantile(k, 0.99));
		sb_buf_puts(out, ",\"max\":");
		sb_buf_json_num(out, k->max);
		sb_buf_puts(out, "},\"bytes_mean\":");
		if (w->bytes_n > 0)
			sb_buf_json_num(out, w->bytes_sum / (double)w->bytes_n);
		else
			sb_buf_puts(out, "null");
	} else {
		sb_buf_puts(out, ",\"latency_ms\":null,\"bytes_mean\":null");
	}
	if (w->late > 0) {
		sb_buf_puts(out, ",\"late\":");
		sb_buf_json_int(out, (int64_t)w->late);
	}
	if (w->partial)
		sb_buf_puts(out, ",\"partial\":true");
	if (with_sketch && n > 0) {
		/* bytes_mean has 6 digits; a merge needs the exact parts. */
		sb_buf_puts(out, ",\"bytes_n\":");
		sb_buf_json_int(out, (int64_t)w->bytes_n);
		sb_buf_puts(out, ",\"bytes_sum\":");
		sb_buf_json_num_exact(out, w->bytes_sum);
		sb_buf_puts(out, ",\"sketch\":");
		sb_sketch_write(w->sk, out);
	}
	sb_buf_puts(out, "}\n");
}

static void
emit(struct agg *a, const struct series *s, int w, int64_t start,
    const struct acc *c, int partial, struct sb_buf *out)
{
	struct window_rec r = {
		.key = s->key, .service = s->service, .method = s->method,
		.endpoint = s->endpoint, .start = start,
		.width = a->cfg.widths[w], .partial = partial,
	};

	if (c != NULL) {
		r.count = c->count;
		r.errors = c->errors;
		r.client_errors = c->client_errors;
		r.late = c->late;
		r.bytes_n = c->bytes_n;
		r.bytes_sum = c->bytes_sum;
		r.codes = &c->codes;
		r.sk = &c->sk;
	}
	window_write(&r, a->cfg.emit_sketch, out);
	a->stats.windows++;
}

/*
 * Emits window [start, start + width) of width w for every series: its
 * data, or a zero-count window when the key was seen before the window
 * and not longer than `expire` ago (silence is a signal).
 */
static void
close_window(struct agg *a, int w, int64_t start, int partial,
    struct sb_buf *out)
{
	for (size_t i = 0; i < a->nseries; i++) {
		struct series *s = a->sorted[i];
		struct acc *c = slot(a, s, w, start);

		if (c->start == start) {
			emit(a, s, w, start, c, partial, out);
			acc_reset(c);
		} else if (s->first_seen < start &&
		    start - s->last_seen < a->cfg.expire) {
			emit(a, s, w, start, NULL, partial, out);
		}
	}
}

/* Forgets the series that every width has closed past and that expired. */
static void
expire_series(struct agg *a)
{
	int64_t oldest = INT64_MAX;
	size_t kept = 0;

	for (int w = 0; w < a->cfg.nwidths; w++)
		if (a->open[w] < oldest)
			oldest = a->open[w];
	for (size_t i = 0; i < a->nseries; i++) {
		struct series *s = a->sorted[i];
		if (oldest - s->last_seen >= a->cfg.expire && oldest > s->last_seen) {
			if (s == a->other)
				a->other = NULL;
			sb_strtab_del(a->table, s->key);
			series_free(a, s);
		} else {
			a->sorted[kept++] = s;
		}
	}
	if (kept == a->nseries)
		return;
	a->nseries = kept;
	a->stats.keys = kept;
}

/*
 * Closes, in end-time order, every window that ends at or before
 * watermark; with `until` set (end of input), every window that starts at
 * or before it instead, as partial windows.
 */
static void
close_until(struct agg *a, int64_t watermark, int final, struct sb_buf *out)
{
	int closed = 0;

	if (!a->started)
		return;
	for (;;) {
		int best = -1;
		int64_t best_end = INT64_MAX;

		for (int w = 0; w < a->cfg.nwidths; w++) {
			int64_t end = a->open[w] + a->cfg.widths[w];
			int due = final ? a->open[w] <= watermark :
			    end <= watermark;
			if (due && end < best_end) {
				best = w;
				best_end = end;
			}
		}
		if (best < 0)
			break;
		/* Nothing left to say before the watermark: skip the gap. */
		if (!final && a->open[best] - a->newest >= a->cfg.expire) {
			int64_t width = a->cfg.widths[best];
			a->open[best] = sb_floor_div(watermark, width) * width;
			continue;
		}
		close_window(a, best, a->open[best], final, out);
		a->open[best] += a->cfg.widths[best];
		closed = 1;
	}
	if (closed)
		expire_series(a);
}

void
agg_advance(struct agg *a, int64_t watermark, struct sb_buf *out)
{
	close_until(a, watermark, 0, out);
}

void
agg_finish(struct agg *a, struct sb_buf *out)
{
	close_until(a, a->newest, 1, out);
}

static struct series *
series_for(struct agg *a, const struct sb_event *ev, int64_t t, int *first_other)
{
	const char *endpoint = ev->endpoint.s;
	struct series *s;

	if (a->cfg.normalize) {
		sb_buf_reset(&a->norm);
		sb_endpoint_normalize(ev->endpoint.s, ev->endpoint.len, &a->norm);
		endpoint = a->norm.s != NULL ? a->norm.s : "";
	}
	sb_buf_reset(&a->key);
	sb_series_key(ev->service.s, ev->method.s, endpoint, &a->key);
	if ((s = lookup(a, a->key.s != NULL ? a->key.s : "")) != NULL)
		return s;
	if (a->nseries - (a->other != NULL) < a->cfg.max_keys)
		return series_new(a, a->key.s, ev->service.s ? ev->service.s : "",
		    ev->method.s ? ev->method.s : "", endpoint, t);
	if (a->other == NULL) {
		a->other = series_new(a, AGG_OTHER_KEY, "", "", AGG_OTHER_KEY,
		    t);
	}
	if (!a->warned_other) {
		a->warned_other = 1;
		*first_other = 1;
	}
	a->stats.other++;
	return a->other;
}

enum agg_result
agg_add(struct agg *a, const struct sb_event *ev, struct sb_buf *out)
{
	int64_t t = ev->time;
	int late = 0, first_other = 0;
	struct series *s;

	if (!a->started) {
		for (int w = 0; w < a->cfg.nwidths; w++) {
			int64_t width = a->cfg.widths[w];
			a->open[w] = sb_floor_div(t - a->cfg.lateness, width) * width;
		}
		a->started = 1;
		a->newest = t;
	}
	if (t > a->newest) {
		close_until(a, t - a->cfg.lateness, 0, out);
		a->newest = t;
	}
	s = series_for(a, ev, t, &first_other);
	if (t > s->last_seen)
		s->last_seen = t;
	if (t < s->first_seen)
		s->first_seen = t;
	for (int w = 0; w < a->cfg.nwidths; w++) {
		int64_t width = a->cfg.widths[w];
		int64_t start = sb_floor_div(t, width) * width;
		struct acc *c;

		if (start < a->open[w]) {
			/* Its window is gone: count it where it is seen. */
			c = slot(a, s, w, a->open[w]);
			c->start = a->open[w];
			c->late++;
			late = 1;
			continue;
		}
		c = slot(a, s, w, start);
		c->start = start;
		c->count++;
		if (ev->status >= 400) {
			if (ev->status >= 500)
				c->errors++;
			else
				c->client_errors++;
			agg_codes_add(&c->codes, ev->status, 1);
		}
		if (ev->has_bytes) {
			c->bytes_n++;
			c->bytes_sum += ev->bytes;
		}
		sb_sketch_add(&c->sk, ev->latency_ms);
	}
	a->stats.events++;
	if (late) {
		a->stats.late++;
		return AGG_LATE;
	}
	return first_other ? AGG_FIRST_OTHER : AGG_ADDED;
}
