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
#include <stdio.h>
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
	int		 loaded;	/* agg_load(): the engine line came */
	size_t		 load_want;	/* and the series it announced */
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

/*
 * The state of the engine (window.h, agg_save); the file around it is
 * aggstate.c's.
 */

void
agg_counts_write(const struct window_rec *w, struct sb_buf *out)
{
	sb_buf_puts(out, ",\"count\":");
	sb_buf_json_int(out, (int64_t)w->count);
	sb_buf_puts(out, ",\"errors\":");
	sb_buf_json_int(out, (int64_t)w->errors);
	sb_buf_puts(out, ",\"client_errors\":");
	sb_buf_json_int(out, (int64_t)w->client_errors);
	sb_buf_puts(out, ",\"late\":");
	sb_buf_json_int(out, (int64_t)w->late);
	sb_buf_puts(out, ",\"bytes_n\":");
	sb_buf_json_int(out, (int64_t)w->bytes_n);
	sb_buf_puts(out, ",\"bytes_sum\":");
	sb_buf_json_num_exact(out, w->bytes_sum);
	if (w->codes != NULL && w->codes->len > 0) {
		sb_buf_puts(out, ",\"codes\":[");
		for (int i = 0; i < w->codes->len; i++) {
			sb_buf_printf(out, "%s[%d,", i ? "," : "",
			    w->codes->code[i]);
			sb_buf_json_int(out, (int64_t)w->codes->n[i]);
			sb_buf_putc(out, ']');
		}
		sb_buf_putc(out, ']');
	}
	if (w->count > 0) {
		sb_buf_puts(out, ",\"sketch\":");
		sb_sketch_write(w->sk, out);
	}
}

/* A non-negative integer member; -1 if absent or not one. */
static int
get_u64(const struct sb_json *js, size_t obj, const char *name, uint64_t *v)
{
	long t = sb_json_member(js, obj, name);
	int64_t x;

	if (t < 0 || sb_json_int(js, (size_t)t, &x) == -1 || x < 0)
		return -1;
	*v = (uint64_t)x;
	return 0;
}

static int
get_i64(const struct sb_json *js, size_t obj, const char *name, int64_t *v)
{
	long t = sb_json_member(js, obj, name);

	if (t < 0 || sb_json_int(js, (size_t)t, v) == -1)
		return -1;
	return 0;
}

/* Times in ms far enough from the ends of int64 that sums cannot overflow. */
#define TIME_MAX	(INT64_C(1) << 53)

static int
get_time(const struct sb_json *js, size_t obj, const char *name, int64_t *v)
{
	if (get_i64(js, obj, name, v) == -1 || *v < -TIME_MAX || *v > TIME_MAX)
		return -1;
	return 0;
}

/* "codes":[[code,n],...], ascending as agg_codes_add() keeps them. */
static int
read_codes(struct agg_codes *c, const struct sb_json *js, size_t t,
    uint64_t most)
{
	uint64_t total = 0;
	size_t e = t + 1;

	if (js->tok[t].type != SB_JARRAY || js->tok[t].size > AGG_MAX_CODES)
		return -1;
	for (size_t i = 0; i < js->tok[t].size; i++, e = js->tok[e].skip) {
		int64_t code, n;

		if (js->tok[e].type != SB_JARRAY || js->tok[e].size != 2 ||
		    sb_json_int(js, e + 1, &code) == -1 ||
		    sb_json_int(js, js->tok[e + 1].skip, &n) == -1 ||
		    code < 400 || code > 599 || n < 1 ||
		    (c->len > 0 && code <= c->code[c->len - 1]) ||
		    (uint64_t)n > most - total)
			return -1;
		total += (uint64_t)n;
		agg_codes_add(c, (int)code, (uint64_t)n);
	}
	return 0;
}

int
agg_counts_read(struct agg_counts *c, const struct sb_json *js, size_t obj,
    char *err, size_t errsz)
{
	static const char *const name[] = {
		"count", "errors", "client_errors", "late", "bytes_n"
	};
	uint64_t *dst[] = {
		&c->count, &c->errors, &c->client_errors, &c->late, &c->bytes_n
	};
	long t;

	memset(c, 0, sizeof *c);
	sb_sketch_init(&c->sk);
	for (size_t i = 0; i < sizeof name / sizeof name[0]; i++)
		if (get_u64(js, obj, name[i], dst[i]) == -1) {
			snprintf(err, errsz, "'%s' is not a count", name[i]);
			return -1;
		}
	if ((t = sb_json_member(js, obj, "bytes_sum")) < 0 ||
	    sb_json_number(js, (size_t)t, &c->bytes_sum) == -1 ||
	    c->bytes_sum < 0) {
		snprintf(err, errsz, "'bytes_sum' is not a number of bytes");
		return -1;
	}
	if (c->errors > c->count || c->client_errors > c->count - c->errors ||
	    c->bytes_n > c->count) {
		snprintf(err, errsz, "'errors', 'client_errors' or 'bytes_n' "
		    "exceed 'count'");
		return -1;
	}
	if ((t = sb_json_member(js, obj, "codes")) >= 0 &&
	    read_codes(&c->codes, js, (size_t)t,
	    c->errors + c->client_errors) == -1) {
		snprintf(err, errsz, "'codes' is not a list of [code, count] "
		    "in ascending order within 'errors' and 'client_errors'");
		return -1;
	}
	if ((t = sb_json_member(js, obj, "sketch")) >= 0 &&
	    sb_sketch_read(&c->sk, js, (size_t)t, err, errsz) == -1) {
		sb_sketch_free(&c->sk);
		return -1;
	}
	if (c->sk.count != c->count) {
		snprintf(err, errsz, "'sketch' counts %llu events, 'count' is "
		    "%llu", (unsigned long long)c->sk.count,
		    (unsigned long long)c->count);
		sb_sketch_free(&c->sk);
		return -1;
	}
	return 0;
}

static void
put_member_str(struct sb_buf *out, const char *name, const char *s)
{
	sb_buf_printf(out, ",\"%s\":", name);
	sb_buf_json_str(out, s, strlen(s));
}

static void
series_save(const struct agg *a, const struct series *s, struct sb_buf *out)
{
	int first = 1;

	sb_buf_puts(out, "{\"type\":\"series\"");
	put_member_str(out, "key", s->key);
	put_member_str(out, "service", s->service);
	put_member_str(out, "method", s->method);
	put_member_str(out, "endpoint", s->endpoint);
	sb_buf_puts(out, ",\"first_seen\":");
	sb_buf_json_int(out, s->first_seen);
	sb_buf_puts(out, ",\"last_seen\":");
	sb_buf_json_int(out, s->last_seen);
	if (s == a->other)
		sb_buf_puts(out, ",\"other\":true");
	sb_buf_puts(out, ",\"windows\":[");
	for (int w = 0; w < a->cfg.nwidths; w++)
		for (int k = 0; k < a->nslots[w]; k++) {
			const struct acc *c = &s->acc[a->slot0[w] + k];
			struct window_rec r = {
				.count = c->count, .errors = c->errors,
				.client_errors = c->client_errors,
				.late = c->late, .bytes_n = c->bytes_n,
				.bytes_sum = c->bytes_sum, .codes = &c->codes,
				.sk = &c->sk,
			};

			if (c->start == EMPTY)
				continue;
			sb_buf_puts(out, first ? "{" : ",{");
			first = 0;
			sb_buf_puts(out, "\"width_ms\":");
			sb_buf_json_int(out, a->cfg.widths[w]);
			sb_buf_puts(out, ",\"start_ms\":");
			sb_buf_json_int(out, c->start);
			agg_counts_write(&r, out);
			sb_buf_putc(out, '}');
		}
	sb_buf_puts(out, "]}\n");
}

void
agg_save(const struct agg *a, struct sb_buf *out)
{
	sb_buf_puts(out, "{\"type\":\"engine\",\"windows_ms\":[");
	for (int w = 0; w < a->cfg.nwidths; w++) {
		if (w > 0)
			sb_buf_putc(out, ',');
		sb_buf_json_int(out, a->cfg.widths[w]);
	}
	sb_buf_puts(out, "],\"lateness_ms\":");
	sb_buf_json_int(out, a->cfg.lateness);
	sb_buf_puts(out, ",\"expire_ms\":");
	sb_buf_json_int(out, a->cfg.expire);
	sb_buf_puts(out, ",\"max_keys\":");
	sb_buf_json_int(out, (int64_t)a->cfg.max_keys);
	sb_buf_printf(out, ",\"normalize\":%s",
	    a->cfg.normalize ? "true" : "false");
	if (a->started) {
		sb_buf_puts(out, ",\"newest\":");
		sb_buf_json_int(out, a->newest);
		sb_buf_puts(out, ",\"open\":[");
		for (int w = 0; w < a->cfg.nwidths; w++) {
			if (w > 0)
				sb_buf_putc(out, ',');
			sb_buf_json_int(out, a->open[w]);
		}
		sb_buf_putc(out, ']');
	}
	sb_buf_printf(out, ",\"series\":%zu}\n", a->nseries);
	for (size_t i = 0; i < a->nseries; i++)
		series_save(a, a->sorted[i], out);
}

/* "--windows 1m,5m" of a configuration, for messages. */
static void
widths_format(const int64_t *widths, int n, char *out, size_t outsz)
{
	size_t len = 0;

	out[0] = '\0';
	for (int w = 0; w < n && len + 1 < outsz; w++) {
		char d[32];
		sb_duration_format(widths[w], d, sizeof d);
		len += (size_t)snprintf(out + len, outsz - len, "%s%s",
		    w ? "," : "", d);
	}
}

/* One option of the state against this run's; -1 with err if they differ. */
static int
same_option(const struct sb_json *js, const char *member, const char *option,
    int64_t ours, char *err, size_t errsz)
{
	char a[32], b[32];
	int64_t v;

	if (get_i64(js, 0, member, &v) == -1) {
		snprintf(err, errsz, "'%s' is not an integer", member);
		return -1;
	}
	if (v == ours)
		return 0;
	if (strcmp(option, "--max-keys") == 0) {
		snprintf(a, sizeof a, "%lld", (long long)v);
		snprintf(b, sizeof b, "%lld", (long long)ours);
	} else {
		sb_duration_format(v, a, sizeof a);
		sb_duration_format(ours, b, sizeof b);
	}
	snprintf(err, errsz, "the state was saved with %s %s, this run has "
	    "%s: run with the options that saved it", option, a, b);
	return -1;
}

static int
load_engine(struct agg *a, const struct sb_json *js, char *err, size_t errsz)
{
	int64_t widths[AGG_MAX_WIDTHS], v;
	char ws[200], ours[200];
	long t, n;
	size_t e;
	int nw;

	t = sb_json_member(js, 0, "windows_ms");
	if (t < 0 || js->tok[t].type != SB_JARRAY || js->tok[t].size < 1 ||
	    js->tok[t].size > AGG_MAX_WIDTHS) {
		snprintf(err, errsz, "'windows_ms' is not a list of widths");
		return -1;
	}
	nw = (int)js->tok[t].size;
	e = (size_t)t + 1;
	for (int w = 0; w < nw; w++, e = js->tok[e].skip)
		if (sb_json_int(js, e, &widths[w]) == -1 || widths[w] < 1000) {
			snprintf(err, errsz, "'windows_ms' is not a list of "
			    "widths");
			return -1;
		}
	if (nw != a->cfg.nwidths ||
	    memcmp(widths, a->cfg.widths, (size_t)nw * sizeof *widths) != 0) {
		widths_format(widths, nw, ws, sizeof ws);
		widths_format(a->cfg.widths, a->cfg.nwidths, ours, sizeof ours);
		snprintf(err, errsz, "the state was saved with --windows %s, "
		    "this run has %s: run with the options that saved it",
		    ws, ours);
		return -1;
	}
	if (same_option(js, "lateness_ms", "--lateness", a->cfg.lateness, err,
	    errsz) == -1 ||
	    same_option(js, "expire_ms", "--expire", a->cfg.expire, err,
	    errsz) == -1 ||
	    same_option(js, "max_keys", "--max-keys", (int64_t)a->cfg.max_keys,
	    err, errsz) == -1)
		return -1;
	t = sb_json_member(js, 0, "normalize");
	if (t < 0 || (js->tok[t].type != SB_JTRUE &&
	    js->tok[t].type != SB_JFALSE)) {
		snprintf(err, errsz, "'normalize' is not true or false");
		return -1;
	}
	if ((js->tok[t].type == SB_JTRUE) != (a->cfg.normalize != 0)) {
		snprintf(err, errsz, "the state was saved %s --no-normalize, "
		    "this run %s: run with the options that saved it",
		    a->cfg.normalize ? "with" : "without",
		    a->cfg.normalize ? "without" : "with");
		return -1;
	}
	if (sb_json_member(js, 0, "newest") >= 0) {
		if (get_time(js, 0, "newest", &a->newest) == -1) {
			snprintf(err, errsz, "'newest' is not a time in ms");
			return -1;
		}
		t = sb_json_member(js, 0, "open");
		if (t < 0 || js->tok[t].type != SB_JARRAY ||
		    js->tok[t].size != (size_t)nw) {
			snprintf(err, errsz, "'open' is not a start per width");
			return -1;
		}
		e = (size_t)t + 1;
		for (int w = 0; w < nw; w++, e = js->tok[e].skip)
			if (sb_json_int(js, e, &a->open[w]) == -1 ||
			    a->open[w] < -TIME_MAX || a->open[w] > TIME_MAX ||
			    sb_floor_div(a->open[w], widths[w]) * widths[w] !=
			    a->open[w]) {
				snprintf(err, errsz, "'open' is not a start per "
				    "width");
				return -1;
			}
		a->started = 1;
	}
	n = sb_json_member(js, 0, "series");
	if (n < 0 || sb_json_int(js, (size_t)n, &v) == -1 || v < 0 ||
	    (uint64_t)v > a->cfg.max_keys + 1 || (v > 0 && !a->started)) {
		snprintf(err, errsz, "'series' is not a number of series");
		return -1;
	}
	a->load_want = (size_t)v;
	a->loaded = 1;
	return 0;
}

/* One open window of a series being loaded, object token t. */
static int
load_window(struct agg *a, struct series *s, const struct sb_json *js,
    size_t t, char *err, size_t errsz)
{
	struct agg_counts k;
	int64_t width, start;
	struct acc *c;
	int w;

	if (js->tok[t].type != SB_JOBJECT ||
	    get_i64(js, t, "width_ms", &width) == -1 ||
	    get_time(js, t, "start_ms", &start) == -1) {
		snprintf(err, errsz, "a window has no 'width_ms' or 'start_ms'");
		return -1;
	}
	for (w = 0; w < a->cfg.nwidths && a->cfg.widths[w] != width; w++)
		continue;
	if (w == a->cfg.nwidths || sb_floor_div(start, width) * width != start ||
	    start < a->open[w] ||
	    (start - a->open[w]) / width >= a->nslots[w]) {
		snprintf(err, errsz, "a window of %lldms at %lld is not one "
		    "that can be open", (long long)width, (long long)start);
		return -1;
	}
	c = slot(a, s, w, start);
	if (c->start != EMPTY) {
		snprintf(err, errsz, "the window of %lldms at %lld is given "
		    "twice", (long long)width, (long long)start);
		return -1;
	}
	if (agg_counts_read(&k, js, t, err, errsz) == -1)
		return -1;
	c->start = start;
	c->count = k.count;
	c->errors = k.errors;
	c->client_errors = k.client_errors;
	c->late = k.late;
	c->bytes_n = k.bytes_n;
	c->bytes_sum = k.bytes_sum;
	c->codes = k.codes;
	sb_sketch_free(&c->sk);
	c->sk = k.sk;
	return 0;
}

/* key, service, method, endpoint: NUL-separated in b; -1 if one is bad. */
static int
load_names(const struct sb_json *js, struct sb_buf *b, const char **part)
{
	static const char *const name[] = {
		"key", "service", "method", "endpoint"
	};
	size_t at[4];

	sb_buf_reset(b);
	for (int i = 0; i < 4; i++) {
		long t = sb_json_member(js, 0, name[i]);
		size_t from = b->len;

		if (t < 0 || sb_json_str(js, (size_t)t, b) == -1 ||
		    memchr(b->s + from, '\0', b->len - from) != NULL)
			return -1;
		at[i] = from;
		sb_buf_putc(b, '\0');
	}
	for (int i = 0; i < 4; i++)
		part[i] = b->s + at[i];
	return *part[0] != '\0' ? 0 : -1;
}

static int
load_series(struct agg *a, const struct sb_json *js, char *err, size_t errsz)
{
	struct sb_buf names = SB_BUF_INIT;
	const char *part[4];
	int64_t first, last;
	struct series *s;
	int other, rc = -1;
	long t;

	if (a->nseries == a->load_want) {
		snprintf(err, errsz, "more series than the 'engine' line says");
		goto done;
	}
	if (load_names(js, &names, part) == -1 ||
	    get_time(js, 0, "first_seen", &first) == -1 ||
	    get_time(js, 0, "last_seen", &last) == -1 || first > last) {
		snprintf(err, errsz, "bad key, service, method, endpoint, "
		    "first_seen or last_seen");
		goto done;
	}
	t = sb_json_member(js, 0, "other");
	other = t >= 0 && js->tok[t].type == SB_JTRUE;
	if (other && (a->other != NULL || strcmp(part[0], AGG_OTHER_KEY) != 0)) {
		snprintf(err, errsz, "a second '%s' series", AGG_OTHER_KEY);
		goto done;
	}
	if (!other && a->nseries - (a->other != NULL) == a->cfg.max_keys) {
		snprintf(err, errsz, "more series than --max-keys %zu",
		    a->cfg.max_keys);
		goto done;
	}
	if (a->nseries > 0 &&
	    strcmp(a->sorted[a->nseries - 1]->key, part[0]) >= 0) {
		snprintf(err, errsz, "series not in key order, or one twice");
		goto done;
	}
	t = sb_json_member(js, 0, "windows");
	if (t < 0 || js->tok[t].type != SB_JARRAY) {
		snprintf(err, errsz, "'windows' is not a list");
		goto done;
	}
	s = series_new(a, part[0], part[1], part[2], part[3], first);
	s->last_seen = last;
	if (other)
		a->other = s;
	rc = 0;
	for (size_t i = 0, e = (size_t)t + 1; i < js->tok[t].size;
	    i++, e = js->tok[e].skip)
		if ((rc = load_window(a, s, js, e, err, errsz)) == -1)
			break;
done:
	sb_buf_free(&names);
	return rc;
}

int
agg_load(struct agg *a, const struct sb_json *js, char *err, size_t errsz)
{
	long t = js->type;

	if (t >= 0 && sb_json_streq(js, (size_t)t, "engine")) {
		if (a->loaded) {
			snprintf(err, errsz, "a second 'engine' line");
			return -1;
		}
		return load_engine(a, js, err, errsz);
	}
	if (t >= 0 && sb_json_streq(js, (size_t)t, "series")) {
		if (!a->loaded) {
			snprintf(err, errsz, "a series before the 'engine' line");
			return -1;
		}
		return load_series(a, js, err, errsz);
	}
	snprintf(err, errsz, "not an 'engine' or 'series' line");
	return -1;
}

int
agg_load_end(const struct agg *a, char *err, size_t errsz)
{
	if (!a->loaded) {
		snprintf(err, errsz, "no 'engine' line");
		return -1;
	}
	if (a->nseries != a->load_want) {
		snprintf(err, errsz, "cut short: %zu series expected, %zu read",
		    a->load_want, a->nseries);
		return -1;
	}
	return 0;
}
