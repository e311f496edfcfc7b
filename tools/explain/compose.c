/*
 * compose.c - explain's reasoning over the signals of one alert; the
 * patterns are documented in explain(1), INSIGHTS.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alertrec.h"
#include "compose.h"
#include "sigrec.h"
#include "timefmt.h"

enum tclass { TC_LATENCY, TC_ERRORS, TC_TRAFFIC_DOWN, TC_TRAFFIC_UP, TC_SLO,
	TC_OTHER };
static const char *const tclass_name[] = { "latency", "errors",
	"traffic_down", "traffic_up", "slo", "other" };

static enum tclass
tclass(const struct sb_signal *s)
{
	if (s->family == SB_FAM_SLO)
		return TC_SLO;
	if (s->family == SB_FAM_TRAFFIC || sb_metric_class(s->metric) == SB_MC_TRAFFIC)
		return s->dir < 0 ? TC_TRAFFIC_DOWN : TC_TRAFFIC_UP;
	switch (sb_metric_class(s->metric)) {
	case SB_MC_LATENCY:
		return TC_LATENCY;
	case SB_MC_ERRORS:
		return TC_ERRORS;
	default:
		return TC_OTHER;
	}
}

/* "peaks": signal objects with first_at, last_at and last_value. */
static int
read_peaks(struct alert_in *a, const struct sb_json *js, size_t t, char *why,
    size_t whysz)
{
	if (js->tok[t].type != SB_JARRAY) {
		snprintf(why, whysz, "'peaks' is not an array");
		return -1;
	}
	a->peaks = sb_xcalloc(js->tok[t].size + 1, sizeof *a->peaks);
	for (size_t i = t + 1; i < js->tok[t].skip; i = js->tok[i].skip) {
		struct peak_in *p = &a->peaks[a->npeaks];
		char w[120];
		int rc;

		if (sb_signal_read(&p->sig, js, i, w, sizeof w) == -1) {
			snprintf(why, whysz, "peaks[%zu]: %s", a->npeaks, w);
			return -1;
		}
		a->npeaks++;
		p->first_at = p->last_at = INT64_MIN;
		if (sb_json_get_time(js, i, "first_at", &p->first_at) == -1 ||
		    (rc = sb_json_get_time(js, i, "last_at", &p->last_at)) == -1 ||
		    sb_json_get_num(js, i, "last_value", &p->last_value) ==
		    -1 || (rc == 1 && sb_json_member(js, i, "last_value") < 0)) {
			snprintf(why, whysz, "peaks[%zu]: 'first_at', 'last_at' "
			    "or 'last_value' is missing or ill-typed",
			    a->npeaks - 1);
			return -1;
		}
	}
	return 0;
}

int
alert_read(struct alert_in *a, const struct sb_json *js, char *why,
    size_t whysz)
{
	struct sb_alert r;
	long t;

	memset(a, 0, sizeof *a);
	a->started = a->at = a->resolved_at = INT64_MIN;
	if (sb_alert_read(&r, js, 0, 0, why, whysz) == -1)
		return -1;
	a->id = r.id;
	a->state = r.state;
	a->severity = r.severity;
	a->key = r.key;
	a->service = r.service;
	a->keys = r.keys;
	a->nkeys = r.nkeys;
	if (r.has & SB_AL_STARTED)
		a->started = r.started;
	if (r.has & SB_AL_AT)
		a->at = r.at;
	if (r.has & SB_AL_RESOLVED)
		a->resolved_at = r.resolved;
	r.id = r.state = r.severity = r.key = r.service = NULL;
	r.keys = NULL;
	r.nkeys = 0;
	sb_alert_free(&r);
	if (a->nkeys == 0) {
		a->keys = sb_xmalloc(sizeof *a->keys);
		a->keys[a->nkeys++] = sb_xstrdup(a->key);
	}
	t = sb_json_member(js, 0, "signals");
	if (t < 0 || js->tok[t].type != SB_JARRAY) {
		snprintf(why, whysz, t < 0 ? "missing 'signals'" :
		    "'signals' is not an array");
		return -1;
	}
	a->sigs = sb_xcalloc(js->tok[t].size + 1, sizeof *a->sigs);
	for (size_t i = (size_t)t + 1; i < js->tok[t].skip;
	    i = js->tok[i].skip) {
		char w[120];
		if (sb_signal_read(&a->sigs[a->nsigs], js, i, w, sizeof w) == -1) {
			snprintf(why, whysz, "signals[%zu]: %s", a->nsigs, w);
			return -1;
		}
		a->nsigs++;
	}
	t = sb_json_member(js, 0, "peaks");
	if (t >= 0 && read_peaks(a, js, (size_t)t, why, whysz) == -1)
		return -1;
	if (a->started == INT64_MIN)
		for (size_t i = 0; i < a->nsigs; i++)
			if (a->started == INT64_MIN || a->sigs[i].since < a->started)
				a->started = a->sigs[i].since;
	return 0;
}

void
alert_free(struct alert_in *a)
{
	free(a->id);
	free(a->state);
	free(a->severity);
	free(a->key);
	free(a->service);
	for (size_t i = 0; i < a->nkeys; i++)
		free(a->keys[i]);
	free(a->keys);
	for (size_t i = 0; i < a->nsigs; i++)
		sb_signal_free(&a->sigs[i]);
	free(a->sigs);
	for (size_t i = 0; i < a->npeaks; i++)
		sb_signal_free(&a->peaks[i].sig);
	free(a->peaks);
	memset(a, 0, sizeof *a);
}

struct ctx {
	const struct alert_in	*a;
	const struct tmpl_set	*t;
	const struct sb_signal	*s;	/* the signal at hand, or the primary */
	const struct sb_signal	*cs;	/* the one whose context is quoted */
	const char		*headline;
	int64_t			 last;	/* newest signal time */
	int64_t			 since[TC_OTHER + 1];	/* earliest per class */
	double			 n5xx[100];	/* the error signals' windows */
	double			 total5xx;
	int			 top;		/* the most frequent 5xx, or 0 */
	int			 nested;	/* in {top_code_meaning} */
	const struct peak_in	*p;	/* in peak.*, the peak at hand */
	int64_t			 creep;		/* ms a drift built up, or -1 */
};

static void
put_hhmm(struct sb_buf *out, int64_t t)
{
	char buf[SB_TIME_LEN];

	sb_time_format(t, buf);
	sb_buf_add(out, buf + 11, 5);
}

static void
put_duration(struct sb_buf *out, int64_t ms)
{
	int64_t m = ms / 60000;

	if (m < 1)
		sb_buf_puts(out, "under a minute");
	else if (m < 120)
		sb_buf_printf(out, "%lld minute%s", (long long)m,
		    m == 1 ? "" : "s");
	else if (m % 60 == 0)
		sb_buf_printf(out, "%lld hours", (long long)(m / 60));
	else
		sb_buf_printf(out, "%lld hours %lld minutes",
		    (long long)(m / 60), (long long)(m % 60));
}

static void
put_pct(struct sb_buf *out, double frac)
{
	double p = frac * 100;

	sb_buf_printf(out, fabs(p) >= 0.1 || p == 0 ? "%.1f%%" : "%.2f%%", p);
}

/*
 * A share of a whole in whole percent, never rounded to 100% when a part
 * is missing nor to 0% when there is some.
 */
static void
put_share(struct sb_buf *out, double part, double whole)
{
	double p = 100 * part / whole;

	if (part < whole && p >= 99.5)
		sb_buf_puts(out, "99%");
	else if (part > 0 && p < 0.5)
		sb_buf_puts(out, "<1%");
	else
		sb_buf_printf(out, "%.0f%%", p);
}

static void
put_ms(struct sb_buf *out, double v)
{
	sb_buf_printf(out, fabs(v) >= 10 ? "%.0f ms" : "%.1f ms", v);
}

/* Requests a minute, with a digit more when there are few. */
static void
put_rate(struct sb_buf *out, double per_min)
{
	sb_buf_printf(out, per_min >= 10 ? "%.0f requests/min" :
	    per_min >= 1 ? "%.1f requests/min" : "%.2f requests/min", per_min);
}

/* A value in the unit of the signal's metric. */
static void
put_value(struct sb_buf *out, const struct sb_signal *s, double v)
{
	switch (tclass(s)) {
	case TC_LATENCY:
		put_ms(out, v);
		break;
	case TC_ERRORS:
	case TC_SLO:
		put_pct(out, v);
		break;
	case TC_TRAFFIC_DOWN:
	case TC_TRAFFIC_UP:
		sb_buf_printf(out, "%.0f requests", v);
		break;
	case TC_OTHER:
		sb_buf_printf(out, "%g", v);
		break;
	}
}

static const char *
metric_name(const char *m)
{
	static const struct { const char *m, *name; } tab[] = {
		{ "latency_p50", "median latency" },
		{ "latency_p90", "p90 latency" },
		{ "latency_p95", "p95 latency" },
		{ "latency_p99", "p99 latency" },
		{ "latency_mean", "mean latency" },
		{ "latency_max", "maximum latency" },
		{ "error_rate", "error rate" },
		{ "count", "traffic" },
	};

	for (size_t i = 0; i < sizeof tab / sizeof tab[0]; i++)
		if (strcmp(m, tab[i].m) == 0)
			return tab[i].name;
	return m;
}

static int
put_str(struct sb_buf *out, const char *s)
{
	if (s == NULL)
		return -1;
	sb_buf_puts(out, s);
	return 0;
}

static int
put_time_or(struct sb_buf *out, int64_t t)
{
	if (t == INT64_MIN)
		return -1;
	put_hhmm(out, t);
	return 0;
}

/* Placeholders of the signal at hand; 1 when name is not one of them. */
static int
lookup_signal(const struct sb_signal *s, const char *n, struct sb_buf *out)
{
	double r;

	if (strcmp(n, "key") == 0)
		return put_str(out, s->key);
	if (strcmp(n, "method") == 0)
		return put_str(out, s->method);
	if (strcmp(n, "endpoint") == 0)
		return put_str(out, s->endpoint);
	if (strcmp(n, "metric") == 0)
		return put_str(out, s->metric);
	if (strcmp(n, "metric_name") == 0)
		return put_str(out, metric_name(s->metric));
	if (strcmp(n, "detector") == 0)
		return put_str(out, s->detector);
	if (strcmp(n, "direction_word") == 0)
		return put_str(out, s->dir < 0 ? "down" : "up");
	if (strcmp(n, "direction_verb") == 0)
		return put_str(out, s->dir < 0 ? "fell" : "rose");
	if (strcmp(n, "value") == 0) {
		put_value(out, s, s->value);
		return 0;
	}
	if (strcmp(n, "baseline") == 0) {
		if ((tclass(s) == TC_TRAFFIC_DOWN || tclass(s) == TC_TRAFFIC_UP) &&
		    (s->has & SB_SIG_EXPECTED))
			put_value(out, s, s->expected);
		else if (s->has & SB_SIG_BASELINE)
			put_value(out, s, s->baseline);
		else
			return -1;
		return 0;
	}
	if (strcmp(n, "ratio") == 0 || strcmp(n, "expected_pct") == 0) {
		if ((r = sb_signal_ratio(s)) <= 0 && !(r == 0 && s->value == 0 &&
		    (s->has & (SB_SIG_BASELINE | SB_SIG_EXPECTED))))
			return -1;
		if (n[0] == 'r')
			sb_buf_printf(out, "%.1fx", r);
		else
			sb_buf_printf(out, r >= 0.1 || r == 0 ? "%.0f%%" :
			    "%.1f%%", r * 100);
		return 0;
	}
	if (strcmp(n, "since_hhmm") == 0)
		return put_time_or(out, s->since);
	if (strcmp(n, "at_hhmm") == 0)
		return put_time_or(out, s->at);
	if (strcmp(n, "duration") == 0) {
		put_duration(out, s->at - s->since);
		return 0;
	}
	if (strcmp(n, "score") == 0) {
		if (!(s->has & SB_SIG_SCORE))
			return -1;
		sb_buf_printf(out, "%.1f", s->score);
		return 0;
	}
	if (strcmp(n, "windows") == 0) {
		if (!(s->has & SB_SIG_WINDOWS))
			return -1;
		sb_buf_printf(out, "%lld", (long long)s->windows);
		return 0;
	}
	if (strcmp(n, "burn_rate") == 0) {
		sb_buf_printf(out, "%.1f", (s->has & SB_SIG_BURN) ? s->burn_rate :
		    s->value);
		return 0;
	}
	if (strcmp(n, "p_value") == 0) {
		if (!(s->has & SB_SIG_PVALUE))
			return -1;
		sb_buf_printf(out, "%.2g", s->p_value);
		return 0;
	}
	return 1;
}

/*
 * {error_rate_now}, {p95_usual} and the like: the window of the signal
 * whose context is quoted.  -1 when it lacks the number.
 */
static int
lookup_context(const struct sb_signal *cs, const char *n, struct sb_buf *out)
{
	static const struct { const char *name; int cx, base; } tab[] = {
		{ "traffic_now", SB_CX_COUNT, 0 },
		{ "traffic_usual", SB_CX_COUNT, 1 },
		{ "error_rate_now", SB_CX_ERROR_RATE, 0 },
		{ "error_rate_usual", SB_CX_ERROR_RATE, 1 },
		{ "p50_now", SB_CX_P50, 0 }, { "p50_usual", SB_CX_P50, 1 },
		{ "p95_now", SB_CX_P95, 0 }, { "p95_usual", SB_CX_P95, 1 },
		{ "p99_now", SB_CX_P99, 0 }, { "p99_usual", SB_CX_P99, 1 },
	};
	size_t i;
	double v;
	int k;

	for (i = 0; i < sizeof tab / sizeof tab[0]; i++)
		if (strcmp(n, tab[i].name) == 0)
			break;
	if (i == sizeof tab / sizeof tab[0])
		return 1;
	k = tab[i].cx;
	if (cs == NULL || !((tab[i].base ? cs->ctx.has_base : cs->ctx.has) &
	    (1u << k)))
		return -1;
	v = tab[i].base ? cs->ctx.baseline[k] : cs->ctx.value[k];
	if (k == SB_CX_COUNT)
		put_rate(out, v * 60 / cs->width_s);
	else if (k == SB_CX_ERROR_RATE)
		put_pct(out, v);
	else
		put_ms(out, v);
	return 0;
}

/*
 * "503 (85%), 500 (9%) and 504 (6%)": the 5xx mix, largest first; from
 * the fifth code on, the fourth and later are summed as "other codes".
 */
static void
put_codes(struct sb_buf *out, const struct ctx *c)
{
	int order[100], n = 0, shown;
	double rest = 0;

	for (int i = 0; i < 100; i++)
		if (c->n5xx[i] > 0) {
			int j = n++;
			for (; j > 0 && c->n5xx[order[j - 1]] < c->n5xx[i]; j--)
				order[j] = order[j - 1];
			order[j] = i;
		}
	shown = n > 4 ? 3 : n;
	for (int i = shown; i < n; i++)
		rest += c->n5xx[order[i]];
	for (int i = 0; i < shown; i++) {
		if (i > 0)
			sb_buf_puts(out, i + 1 == shown && rest == 0 ? " and " : ", ");
		sb_buf_printf(out, "%d (", 500 + order[i]);
		put_share(out, c->n5xx[order[i]], c->total5xx);
		sb_buf_putc(out, ')');
	}
	if (rest > 0) {
		sb_buf_puts(out, " and other codes (");
		put_share(out, rest, c->total5xx);
		sb_buf_putc(out, ')');
	}
}

/*
 * {last_value}, {last_ratio}, {last_pct}, {last_at_hhmm}: the peak's
 * metric in the newest window the incident saw, against the peak's
 * reference (the expectation of traffic, else the baseline).
 */
static int
lookup_last(const struct peak_in *p, const char *n, struct sb_buf *out)
{
	const struct sb_signal *s;
	double ref = 0, r;

	if (p == NULL || p->last_at == INT64_MIN)
		return -1;
	s = &p->sig;
	if (strcmp(n, "value") == 0) {
		put_value(out, s, p->last_value);
		return 0;
	}
	if (strcmp(n, "at_hhmm") == 0)
		return put_time_or(out, p->last_at);
	if ((tclass(s) == TC_TRAFFIC_DOWN || tclass(s) == TC_TRAFFIC_UP) &&
	    (s->has & SB_SIG_EXPECTED))
		ref = s->expected;
	else if (s->has & SB_SIG_BASELINE)
		ref = s->baseline;
	if (!(ref > 0))
		return -1;
	r = p->last_value / ref;
	if (strcmp(n, "ratio") == 0)
		sb_buf_printf(out, "%.1fx", r);
	else
		sb_buf_printf(out, r >= 0.1 || r == 0 ? "%.0f%%" : "%.1f%%",
		    r * 100);
	return 0;
}

static void expand_named(const struct tmpl_set *, const char *, struct ctx *,
    struct sb_buf *);

static int
lookup(void *vctx, const char *n, struct sb_buf *out)
{
	struct ctx *c = vctx;
	const struct alert_in *a = c->a;
	int rc;

	if (strcmp(n, "service") == 0)
		return put_str(out, a->service != NULL ? a->service :
		    c->s != NULL ? c->s->service : NULL);
	if (c->s != NULL && (rc = lookup_signal(c->s, n, out)) != 1)
		return rc;
	if ((rc = lookup_context(c->cs, n, out)) != 1)
		return rc;
	if (strcmp(n, "error_codes") == 0) {
		if (c->total5xx <= 0)
			return -1;
		put_codes(out, c);
		return 0;
	}
	if (strcmp(n, "top_code") == 0 || strcmp(n, "top_code_pct") == 0 ||
	    strcmp(n, "top_code_meaning") == 0) {
		char name[16];
		if (c->top == 0)
			return -1;
		if (n[8] == '\0')
			sb_buf_printf(out, "%d", c->top);
		else if (n[9] == 'p')
			put_share(out, c->n5xx[c->top - 500], c->total5xx);
		else {
			if (c->nested)
				return -1;	/* a code.NNN that quotes itself */
			snprintf(name, sizeof name, "code.%d", c->top);
			if (tmpl_find(c->t, name, -1) < 0)
				snprintf(name, sizeof name, "code.other");
			c->nested = 1;
			expand_named(c->t, name, c, out);
			c->nested = 0;
		}
		return 0;
	}
	if (strcmp(n, "key") == 0)
		return put_str(out, a->key);
	if (strcmp(n, "id") == 0)
		return put_str(out, a->id);
	if (strcmp(n, "state") == 0)
		return put_str(out, a->state);
	if (strcmp(n, "severity") == 0)
		return put_str(out, a->severity != NULL ? a->severity : "info");
	if (strcmp(n, "severity_uc") == 0) {
		const char *p = a->severity != NULL ? a->severity : "info";
		for (; *p != '\0'; p++)
			sb_buf_putc(out, *p >= 'a' && *p <= 'z' ? *p - 32 : *p);
		return 0;
	}
	if (strcmp(n, "subject") == 0) {
		if (a->nkeys >= 2 && a->service != NULL)
			sb_buf_printf(out, "%s (%zu endpoints)", a->service,
			    a->nkeys);
		else
			sb_buf_puts(out, a->key);
		return 0;
	}
	if (strcmp(n, "headline") == 0)
		return put_str(out, c->headline);
	if (strcmp(n, "keys_count") == 0) {
		sb_buf_printf(out, "%zu", a->nkeys);
		return 0;
	}
	if (strcmp(n, "keys") == 0) {
		for (size_t i = 0; i < a->nkeys; i++)
			sb_buf_printf(out, "%s%s", i ? ", " : "", a->keys[i]);
		return 0;
	}
	if (strcmp(n, "signals_count") == 0) {
		sb_buf_printf(out, "%zu", a->nsigs);
		return 0;
	}
	if (strcmp(n, "started_hhmm") == 0)
		return put_time_or(out, a->started);
	if (strcmp(n, "resolved_hhmm") == 0)
		return put_time_or(out, a->resolved_at);
	if (strcmp(n, "last_hhmm") == 0)
		return put_time_or(out, c->last);
	if (strcmp(n, "incident_duration") == 0) {
		int64_t end = a->resolved_at != INT64_MIN ? a->resolved_at : a->at;
		if (end == INT64_MIN || a->started == INT64_MIN)
			return -1;
		put_duration(out, end - a->started);
		return 0;
	}
	if (strcmp(n, "latency_since_hhmm") == 0)
		return put_time_or(out, c->since[TC_LATENCY]);
	if (strcmp(n, "traffic_since_hhmm") == 0)
		return put_time_or(out, c->since[TC_TRAFFIC_UP] != INT64_MIN ?
		    c->since[TC_TRAFFIC_UP] : c->since[TC_TRAFFIC_DOWN]);
	if (strcmp(n, "errors_since_hhmm") == 0)
		return put_time_or(out, c->since[TC_ERRORS]);
	if (strncmp(n, "last_", 5) == 0 && strcmp(n, "last_hhmm") != 0)
		return lookup_last(c->p, n + 5, out);
	if (strcmp(n, "creep_duration") == 0) {
		if (c->creep < 0)
			return -1;
		put_duration(out, c->creep);
		return 0;
	}
	if (strcmp(n, "error_rate_pct") == 0) {
		for (size_t i = 0; i < a->nsigs; i++)
			if (tclass(&a->sigs[i]) == TC_ERRORS) {
				put_pct(out, a->sigs[i].value);
				return 0;
			}
		return -1;
	}
	return -1;
}

/* Better evidence first: higher level, then higher score, then order. */
static int
better(const struct sb_signal *x, const struct sb_signal *y)
{
	int lx = (int)sb_signal_level(x), ly = (int)sb_signal_level(y);
	double sx = (x->has & SB_SIG_SCORE) ? x->score : 0;
	double sy = (y->has & SB_SIG_SCORE) ? y->score : 0;

	if (sb_signal_benign(x) != sb_signal_benign(y))
		return sb_signal_benign(y);
	if (lx != ly)
		return lx > ly;
	return sx > sy;
}

static void
expand_named(const struct tmpl_set *t, const char *name, struct ctx *c,
    struct sb_buf *out)
{
	long i = tmpl_find(t, name, -1);

	if (i >= 0)
		tmpl_expand(t->v[i].text, lookup, c, out);
}

static void
put_json_text(struct sb_buf *out, const char *member, const struct sb_buf *b)
{
	sb_buf_printf(out, ",\"%s\":", member);
	sb_buf_json_str(out, b->len ? b->s : "", b->len);
}

static int
same_metric(const struct sb_signal *o, const struct sb_signal *s)
{
	return strcmp(o->key, s->key) == 0 && strcmp(o->metric, s->metric) == 0 &&
	    tclass(o) == tclass(s) && !sb_signal_benign(o);
}

/* The newest signal of key with a context, or NULL. */
static const struct sb_signal *
key_context(const struct alert_in *a, const char *key)
{
	const struct sb_signal *best = NULL;

	for (size_t i = 0; i < a->nsigs; i++)
		if (a->sigs[i].ctx.has != 0 && strcmp(a->sigs[i].key, key) == 0 &&
		    (best == NULL || a->sigs[i].at >= best->at))
			best = &a->sigs[i];
	return best;
}

/* Both the window's value and the baseline of context metric k. */
static int
ctx_has(const struct sb_signal *cs, int k)
{
	return cs != NULL && (cs->ctx.has & cs->ctx.has_base & (1u << k)) &&
	    cs->ctx.baseline[k] > 0;
}

static double
ctx_ratio(const struct sb_signal *cs, int k)
{
	return cs->ctx.value[k] / cs->ctx.baseline[k];
}

/*
 * The bands of explain(1), CONTEXT WORDS: an error rate v is normal
 * within a quarter of its usual rate b or 0.1 point of it, whichever is
 * wider, bounds included; 1 above that, -1 below.
 */
static int
errors_band(double v, double b)
{
	/* The bound itself is in the band, whatever the rounding of v - b. */
	double tol = (0.25 * b > 0.001 ? 0.25 * b : 0.001) * (1 + 1e-9);

	return v - b > tol ? 1 : b - v > tol ? -1 : 0;
}

/* Traffic within 0.75..1.33 of usual, p95 within 0.8..1.25. */
static int
traffic_band(double r)
{
	return r > 1.0 / 0.75 ? 1 : r < 0.75 ? -1 : 0;
}

static int
latency_band(double r)
{
	return r > 1.25 ? 1 : r < 0.8 ? -1 : 0;
}

/*
 * The clause on an error rate that no detector flagged: above its usual
 * level by more than twice and 0.1 point (not enough evidence to signal,
 * as on few requests), above or below its normal band, within it, or
 * without numbers.
 */
static const char *
ctx_errors(const struct sb_signal *cs)
{
	double v, b;

	if (!ctx_has(cs, SB_CX_ERROR_RATE))
		return "ctx.errors_plain";
	v = cs->ctx.value[SB_CX_ERROR_RATE];
	b = cs->ctx.baseline[SB_CX_ERROR_RATE];
	if (v > 2 * b && v - b >= 0.001)
		return "ctx.errors_high";
	switch (errors_band(v, b)) {
	case 1:
		return "ctx.errors_higher";
	case -1:
		return "ctx.errors_lower";
	default:
		return "ctx.errors_normal";
	}
}

static const char *
ctx_latency(const struct sb_signal *cs)
{
	switch (latency_band(ctx_ratio(cs, SB_CX_P95))) {
	case 1:
		return "ctx.latency_high";
	case -1:
		return "ctx.latency_lower";
	default:
		return "ctx.latency_normal";
	}
}

/* Traffic no detector flagged: within 0.75..1.33 of usual is normal. */
static const char *
ctx_traffic(const struct sb_signal *cs)
{
	if (!ctx_has(cs, SB_CX_COUNT))
		return "ctx.traffic_plain";
	switch (traffic_band(ctx_ratio(cs, SB_CX_COUNT))) {
	case 1:
		return "ctx.traffic_high";
	case -1:
		return "ctx.traffic_low";
	default:
		return "ctx.traffic_normal";
	}
}

/*
 * The 5xx status codes of the windows of the alert's error signals
 * (each window once, though several signals may quote it).
 */
static void
gather_codes(const struct sb_signal *const *v, size_t n, struct ctx *c)
{
	for (size_t i = 0; i < n; i++) {
		const struct sb_signal *s = v[i];
		size_t j;
		if (sb_signal_benign(s) || (tclass(s) != TC_ERRORS &&
		    strcmp(s->metric, "slo_availability") != 0))
			continue;
		for (j = 0; j < i; j++)
			if (v[j]->at == s->at && strcmp(v[j]->key, s->key) == 0 &&
			    v[j]->ctx.ncodes > 0)
				break;
		if (j < i)
			continue;
		for (int k = 0; k < s->ctx.ncodes; k++)
			if (s->ctx.code[k] >= 500 && s->ctx.code[k] <= 599) {
				c->n5xx[s->ctx.code[k] - 500] += s->ctx.ncode[k];
				c->total5xx += s->ctx.ncode[k];
			}
	}
	for (int i = 0; i < 100; i++)
		if (c->n5xx[i] > 0 && (c->top == 0 || c->n5xx[i] > c->n5xx[c->top - 500]))
			c->top = 500 + i;
}

/* One clause per metric of each key, then what did not move. */
static void
explanation(const struct alert_in *a, const struct tmpl_set *t,
    struct ctx *c, struct sb_buf *out)
{
	char name[32];

	for (size_t k = 0; k < a->nkeys; k++) {
		int have[TC_OTHER + 1] = { 0 }, any = 0;
		size_t start = out->len;
		for (int cls = TC_LATENCY; cls <= TC_OTHER; cls++) {
			for (size_t i = 0; i < a->nsigs; i++) {
				const struct sb_signal *s = &a->sigs[i], *best = s;
				if (strcmp(s->key, a->keys[k]) != 0 ||
				    (int)tclass(s) != cls || sb_signal_benign(s))
					continue;
				/* One clause per metric: the strongest signal. */
				size_t j;
				for (j = 0; j < i; j++)
					if (same_metric(&a->sigs[j], s))
						break;
				if (j < i)
					continue;	/* done at j */
				for (j = i + 1; j < a->nsigs; j++)
					if (same_metric(&a->sigs[j], s) &&
					    better(&a->sigs[j], best))
						best = &a->sigs[j];
				if (out->len > start)
					sb_buf_puts(out, "; ");
				snprintf(name, sizeof name, "line.%s",
				    tclass_name[cls]);
				c->s = best;
				expand_named(t, name, c, out);
				have[cls] = any = 1;
			}
		}
		if (!any)
			continue;
		c->s = NULL;
		c->cs = key_context(a, a->keys[k]);
		if (!have[TC_ERRORS] && !have[TC_SLO]) {
			sb_buf_puts(out, "; ");
			expand_named(t, ctx_errors(c->cs), c, out);
		}
		if (!have[TC_TRAFFIC_DOWN] && !have[TC_TRAFFIC_UP]) {
			sb_buf_puts(out, "; ");
			expand_named(t, ctx_traffic(c->cs), c, out);
		}
		if (!have[TC_LATENCY] && ctx_has(c->cs, SB_CX_P95)) {
			sb_buf_puts(out, "; ");
			expand_named(t, ctx_latency(c->cs), c, out);
		}
		c->cs = NULL;
		sb_buf_puts(out, k + 1 < a->nkeys ? ". " : ".");
	}
}

/*
 * A resolved alert's clauses: for each key, one per metric that moved,
 * at its peak, in the order of explanation().
 */
static void
explanation_peaks(const struct alert_in *a, const struct tmpl_set *t,
    struct ctx *c, struct sb_buf *out)
{
	char name[32];

	for (size_t k = 0; k < a->nkeys; k++) {
		size_t start = out->len;
		for (int cls = TC_LATENCY; cls <= TC_OTHER; cls++)
			for (size_t i = 0; i < a->npeaks; i++) {
				const struct peak_in *p = &a->peaks[i];
				if (strcmp(p->sig.key, a->keys[k]) != 0 ||
				    (int)tclass(&p->sig) != cls ||
				    sb_signal_benign(&p->sig))
					continue;
				if (out->len > start)
					sb_buf_puts(out, "; ");
				snprintf(name, sizeof name, "peak.%s",
				    tclass_name[cls]);
				c->s = &p->sig;
				c->p = p;
				expand_named(t, name, c, out);
			}
		c->p = NULL;
		if (out->len > start)
			sb_buf_puts(out, k + 1 < a->nkeys ? ". " : ".");
	}
}

/*
 * The strongest of v (better()), and the strongest of another kind; the
 * headline names them.
 */
static void
pick_head(const struct sb_signal *const *v, size_t n,
    const struct sb_signal **primary, const struct sb_signal **second)
{
	*primary = *second = NULL;
	for (size_t i = 0; i < n; i++)
		if (!sb_signal_benign(v[i]) &&
		    (*primary == NULL || better(v[i], *primary)))
			*primary = v[i];
	if (*primary == NULL && n > 0)
		*primary = v[0];
	for (size_t i = 0; *primary != NULL && i < n; i++)
		if (!sb_signal_benign(v[i]) && tclass(v[i]) != tclass(*primary) &&
		    (*second == NULL || better(v[i], *second)))
			*second = v[i];
}

/*
 * What the numbers say beside the signals, for the insights (explain(1),
 * INSIGHTS): "rose" from the context clauses the explanation quotes (the
 * newest context of each key), "held" only when no quoted context is
 * above its band and no context of any signal of the alert shows a rise
 * (for the error rate, by 2 requests or more).
 */
struct facts {
	int	 lat_quoted, err_quoted, down_quoted;	/* a quoted rise, fall */
	int	 lat_ctx, main_ctx, err_ctx, traffic_ctx;	/* any context off */
};

/*
 * A window whose error rate is above its band, by 2 requests or more and
 * 3 standard deviations of a Poisson count: one error among a hundred
 * requests, or three where 0.6 are usual, is noise, not a rise.
 */
static int
errors_rose(const struct sb_signal *cs)
{
	double v, b, n;

	if (!(cs->ctx.has & cs->ctx.has_base & (1u << SB_CX_ERROR_RATE)))
		return 0;
	v = cs->ctx.value[SB_CX_ERROR_RATE];
	b = cs->ctx.baseline[SB_CX_ERROR_RATE];
	if (errors_band(v, b) <= 0)
		return 0;
	if (!(cs->ctx.has & (1u << SB_CX_COUNT)))
		return 1;
	n = cs->ctx.value[SB_CX_COUNT];
	return (v - b) * n >= 2 && (v - b) * n >= 3 * sqrt(b * n);
}

static void
context_facts(const struct alert_in *a, int resolved, struct facts *f)
{
	memset(f, 0, sizeof *f);
	for (size_t i = 0; i < a->nsigs; i++) {
		const struct sb_signal *cs = &a->sigs[i];
		if (ctx_has(cs, SB_CX_P95) &&
		    latency_band(ctx_ratio(cs, SB_CX_P95)) > 0)
			f->lat_ctx = f->main_ctx = 1;
		if (ctx_has(cs, SB_CX_P50) &&
		    latency_band(ctx_ratio(cs, SB_CX_P50)) > 0)
			f->lat_ctx = f->main_ctx = 1;
		if (errors_rose(cs))
			f->err_ctx = 1;
		if (ctx_has(cs, SB_CX_COUNT) &&
		    traffic_band(ctx_ratio(cs, SB_CX_COUNT)) != 0)
			f->traffic_ctx = 1;
	}
	/* A resolved alert with peaks quotes no context clause. */
	for (size_t k = 0; k < a->nkeys && !resolved; k++) {
		const struct sb_signal *cs = key_context(a, a->keys[k]);
		const char *e;
		if (cs == NULL)
			continue;
		if (ctx_has(cs, SB_CX_P95) &&
		    latency_band(ctx_ratio(cs, SB_CX_P95)) > 0)
			f->lat_quoted = 1;
		e = ctx_errors(cs);
		if (strcmp(e, "ctx.errors_high") == 0)
			f->err_quoted = 1;
		if (strcmp(e, "ctx.errors_high") == 0 ||
		    strcmp(e, "ctx.errors_higher") == 0)
			f->err_ctx = 1;
		if (ctx_has(cs, SB_CX_COUNT) &&
		    traffic_band(ctx_ratio(cs, SB_CX_COUNT)) < 0)
			f->down_quoted = 1;
	}
}

/*
 * How long the slowest drift built up before its metric was first
 * flagged (the peak's first_at, else the signal's at), when 30 minutes
 * or more; -1 otherwise.
 */
static int64_t
creep_ms(const struct alert_in *a)
{
	int64_t best = -1;

	for (size_t i = 0; i < a->nsigs; i++) {
		const struct sb_signal *s = &a->sigs[i];
		int64_t flagged = s->at, d;
		if (sb_signal_benign(s) || s->family != SB_FAM_DRIFT)
			continue;
		for (size_t j = 0; j < a->npeaks; j++) {
			const struct peak_in *p = &a->peaks[j];
			if (strcmp(p->sig.key, s->key) == 0 &&
			    strcmp(p->sig.metric, s->metric) == 0 &&
			    p->sig.dir == s->dir && p->first_at != INT64_MIN)
				flagged = p->first_at;
		}
		d = flagged - s->since;
		if (d >= 30 * 60000 && d > best)
			best = d;
	}
	return best;
}

void
compose(const struct alert_in *a, const struct tmpl_set *t,
    struct sb_buf *out)
{
	/* In the order their insights are written. */
	enum { P_SERVICE_WIDE, P_LATENCY_ERRORS, P_CLIENTS_GIVING_UP, P_LOAD,
	    P_TRAFFIC_DROP, P_ERRORS_ONLY, P_CODES, P_LATENCY_ONLY,
	    P_TAIL_ONLY, P_SLO, P_SLOW_CREEP, NPAT };
	static const char *const patterns[NPAT] = { "service_wide",
	    "latency_errors", "clients_giving_up", "load", "traffic_drop",
	    "errors_only", "codes", "latency_only", "tail_only", "slo",
	    "slow_creep" };
	struct sb_buf head = SB_BUF_INIT, b = SB_BUF_INIT, item = SB_BUF_INIT;
	struct ctx c;
	struct facts f;
	const struct sb_signal *primary = NULL, *second = NULL, *hp, *hs;
	const struct sb_signal **v;
	size_t nv;
	int on[NPAT] = { 0 }, resolved, n, lat = 0, tail = 1, main_lat = 0;
	char name[40];

	memset(&c, 0, sizeof c);
	c.a = a;
	c.t = t;
	c.last = INT64_MIN;
	for (int i = 0; i <= TC_OTHER; i++)
		c.since[i] = INT64_MIN;
	for (size_t i = 0; i < a->nsigs; i++) {
		const struct sb_signal *s = &a->sigs[i];
		int cls = (int)tclass(s);
		if (s->at > c.last)
			c.last = s->at;
		if (sb_signal_benign(s))
			continue;
		if (c.since[cls] == INT64_MIN || s->since < c.since[cls])
			c.since[cls] = s->since;
		if (cls == TC_LATENCY) {
			lat = 1;
			if (strcmp(s->metric, "latency_p99") != 0 &&
			    strcmp(s->metric, "latency_max") != 0)
				tail = 0, main_lat = 1;
		}
	}
	c.creep = creep_ms(a);
	on[P_SLOW_CREEP] = c.creep >= 0;
	resolved = a->state != NULL && strcmp(a->state, "resolved") == 0;

	/*
	 * The headline: the strongest signal, and the strongest of another
	 * kind; for a resolved alert with peaks, the strongest peaks.
	 */
	v = sb_xcalloc(a->nsigs + a->npeaks + 1, sizeof *v);
	for (size_t i = 0; i < a->nsigs; i++)
		v[i] = &a->sigs[i];
	pick_head(v, a->nsigs, &primary, &second);
	hp = primary;
	hs = second;
	nv = a->nsigs;
	if (resolved && a->npeaks > 0) {
		for (size_t i = 0; i < a->npeaks; i++)
			v[i] = &a->peaks[i].sig;
		nv = a->npeaks;
		pick_head(v, nv, &hp, &hs);
	}
	c.s = hp;
	if (hp != NULL) {
		snprintf(name, sizeof name, "head.%s", tclass_name[tclass(hp)]);
		expand_named(t, name, &c, &head);
	}
	if (hs != NULL) {
		c.s = hs;
		sb_buf_puts(&head, " and ");
		snprintf(name, sizeof name, "head.%s", tclass_name[tclass(hs)]);
		expand_named(t, name, &c, &head);
	}
	sb_buf_putc(&head, '\0');
	c.headline = head.s;

	int err = c.since[TC_ERRORS] != INT64_MIN;
	int down = c.since[TC_TRAFFIC_DOWN] != INT64_MIN;
	int up = c.since[TC_TRAFFIC_UP] != INT64_MIN;
	context_facts(a, resolved && a->npeaks > 0, &f);
	/* Claims of a rise need a signal or a quoted context; "held" none. */
	int latq = lat || f.lat_quoted, errq = err || f.err_quoted;
	int downq = down || f.down_quoted;
	int lat_held = !lat && !f.lat_ctx, err_held = !err && !f.err_ctx;
	int traffic_held = !down && !up && !f.traffic_ctx;
	tail = tail && !main_lat && !f.main_ctx;
	/* The codes of the error windows, of the peaks once resolved. */
	gather_codes(v, nv, &c);
	free(v);
	on[P_SERVICE_WIDE] = a->nkeys >= 2;
	on[P_LATENCY_ERRORS] = latq && errq;
	on[P_CLIENTS_GIVING_UP] = downq && errq;
	on[P_LOAD] = up && lat && c.since[TC_TRAFFIC_UP] <= c.since[TC_LATENCY];
	on[P_TRAFFIC_DROP] = down && err_held;
	on[P_ERRORS_ONLY] = err && lat_held && !downq;
	on[P_CODES] = c.top != 0;
	on[P_LATENCY_ONLY] = lat && !tail && err_held && traffic_held;
	on[P_TAIL_ONLY] = lat && tail;
	on[P_SLO] = c.since[TC_SLO] != INT64_MIN;

	c.s = primary;
	snprintf(name, sizeof name, "summary.%s", resolved ? "resolved" :
	    a->state != NULL && strcmp(a->state, "updated") == 0 ? "updated" :
	    "firing");
	expand_named(t, name, &c, &b);
	put_json_text(out, "summary", &b);

	sb_buf_reset(&b);
	if (resolved) {
		c.s = primary;
		expand_named(t, "explain.resolved", &c, &b);
		sb_buf_putc(&b, ' ');
	}
	if (resolved && a->npeaks > 0)
		explanation_peaks(a, t, &c, &b);
	else
		explanation(a, t, &c, &b);
	put_json_text(out, "explanation", &b);

	c.s = primary;
	sb_buf_puts(out, ",\"insights\":[");
	n = 0;
	for (int p = 0; p < NPAT; p++) {
		if (!on[p])
			continue;
		if (p == P_CODES)	/* one code only, mostly, or a mix */
			snprintf(name, sizeof name, "insight.codes_%s",
			    c.n5xx[c.top - 500] >= c.total5xx ? "all" :
			    c.n5xx[c.top - 500] >= 0.6 * c.total5xx ? "one" :
			    "mixed");
		else
			snprintf(name, sizeof name, "insight.%s", patterns[p]);
		sb_buf_reset(&item);
		expand_named(t, name, &c, &item);
		if (item.len == 0)
			continue;
		if (n++ > 0)
			sb_buf_putc(out, ',');
		sb_buf_json_str(out, item.s, item.len);
	}
	sb_buf_puts(out, "],\"recommendations\":[");
	n = 0;
	/* Recommendations in pattern order, each text once. */
	struct sb_buf seen = SB_BUF_INIT;
	sb_buf_puts(&seen, "\n");
	for (int p = -1; p <= NPAT; p++) {
		const char *rn;
		if (p == -1)
			rn = resolved ? "rec.resolved" : NULL;
		else if (p == NPAT)
			rn = n == 0 ? "rec.default" : NULL;
		else if (on[p]) {
			snprintf(name, sizeof name, "rec.%s", patterns[p]);
			rn = name;
		} else
			rn = NULL;
		if (rn == NULL)
			continue;
		for (long i = tmpl_find(t, rn, -1); i >= 0;
		    i = tmpl_find(t, rn, i)) {
			sb_buf_reset(&item);
			sb_buf_putc(&item, '\n');
			tmpl_expand(t->v[i].text, lookup, &c, &item);
			sb_buf_putc(&item, '\n');
			if (item.len <= 2 || strstr(seen.s, item.s) != NULL)
				continue;
			seen.len--;	/* one newline between entries */
			sb_buf_puts(&seen, item.s);
			if (n++ > 0)
				sb_buf_putc(out, ',');
			sb_buf_json_str(out, item.s + 1, item.len - 2);
		}
	}
	sb_buf_puts(out, "]");
	sb_buf_free(&seen);
	sb_buf_free(&head);
	sb_buf_free(&b);
	sb_buf_free(&item);
}
