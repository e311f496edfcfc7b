/*
 * compose.c - explain's reasoning over the signals of one alert; the
 * patterns are documented in explain(1), INSIGHTS.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "compose.h"
#include "json.h"
#include "sigrec.h"
#include "templates.h"
#include "timefmt.h"

enum tclass { TC_LATENCY, TC_ERRORS, TC_TRAFFIC_DOWN, TC_TRAFFIC_UP, TC_SLO,
	TC_OTHER };
static const char *const tclass_name[] = { "latency", "errors",
	"traffic_down", "traffic_up", "slo", "other" };

static enum tclass
tclass(const struct sb_signal *s)
{
	const char *fam = sb_detector_family(s->detector);

	if (strcmp(fam, "slo") == 0)
		return TC_SLO;
	if (strcmp(fam, "traffic") == 0 || sb_metric_class(s->metric) == SB_MC_TRAFFIC)
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

int
alert_read(struct alert_in *a, const struct sb_json *js, char *why,
    size_t whysz)
{
	long t;
	int rc;

	memset(a, 0, sizeof *a);
	a->started = a->at = a->resolved_at = INT64_MIN;
	if (sb_json_get_str(js, 0, "key", &a->key) != 1) {
		snprintf(why, whysz, "missing 'key' or not a string");
		return -1;
	}
	if (sb_json_get_str(js, 0, "state", &a->state) != 1) {
		snprintf(why, whysz, "missing 'state' or not a string");
		return -1;
	}
	if (sb_json_get_str(js, 0, "id", &a->id) == -1 ||
	    sb_json_get_str(js, 0, "severity", &a->severity) == -1 ||
	    sb_json_get_str(js, 0, "service", &a->service) == -1) {
		snprintf(why, whysz, "'id', 'severity' or 'service' is not a "
		    "string");
		return -1;
	}
	if ((rc = sb_json_get_time(js, 0, "started", &a->started)) == -1 ||
	    sb_json_get_time(js, 0, "at", &a->at) == -1 ||
	    sb_json_get_time(js, 0, "resolved_at", &a->resolved_at) == -1) {
		snprintf(why, whysz, "'started', 'at' or 'resolved_at' is not "
		    "an RFC 3339 time");
		return -1;
	}
	t = sb_json_member(js, 0, "keys");
	if (t >= 0 && js->tok[t].type != SB_JARRAY) {
		snprintf(why, whysz, "'keys' is not an array");
		return -1;
	}
	if (t >= 0)
		for (size_t i = (size_t)t + 1; i < js->tok[t].skip;
		    i = js->tok[i].skip) {
			struct sb_buf b = SB_BUF_INIT;
			if (sb_json_str(js, i, &b) == -1) {
				snprintf(why, whysz, "'keys' holds a non-string");
				return -1;
			}
			sb_buf_putc(&b, '\0');
			a->keys = sb_xrealloc(a->keys,
			    (a->nkeys + 1) * sizeof *a->keys);
			a->keys[a->nkeys++] = b.s;
		}
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
	memset(a, 0, sizeof *a);
}

struct ctx {
	const struct alert_in	*a;
	const struct sb_signal	*s;	/* the signal at hand, or the primary */
	const char		*headline;
	int64_t			 last;	/* newest signal time */
	int64_t			 since[TC_OTHER + 1];	/* earliest per class */
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

/* A value in the unit of the signal's metric. */
static void
put_value(struct sb_buf *out, const struct sb_signal *s, double v)
{
	switch (tclass(s)) {
	case TC_LATENCY:
		sb_buf_printf(out, fabs(v) >= 10 ? "%.0f ms" : "%.1f ms", v);
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
		if (!have[TC_ERRORS] && !have[TC_SLO]) {
			sb_buf_puts(out, "; ");
			expand_named(t, "ctx.errors_normal", c, out);
		}
		if (!have[TC_TRAFFIC_DOWN] && !have[TC_TRAFFIC_UP]) {
			sb_buf_puts(out, "; ");
			expand_named(t, "ctx.traffic_normal", c, out);
		}
		sb_buf_puts(out, k + 1 < a->nkeys ? ". " : ".");
	}
}

void
compose(const struct alert_in *a, const struct tmpl_set *t,
    struct sb_buf *out)
{
	static const char *const patterns[] = { "service_wide",
	    "latency_errors", "clients_giving_up", "load", "traffic_drop",
	    "errors_only", "latency_only", "tail_only", "slo", "slow_creep" };
	enum { NPAT = sizeof patterns / sizeof patterns[0] };
	struct sb_buf head = SB_BUF_INIT, b = SB_BUF_INIT, item = SB_BUF_INIT;
	struct ctx c = { a, NULL, NULL, INT64_MIN, { 0 } };
	const struct sb_signal *primary = NULL, *second = NULL;
	int on[NPAT] = { 0 }, resolved, n, lat = 0, tail = 1;
	char name[40];

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
		if (primary == NULL || better(s, primary))
			primary = s;
		if (cls == TC_LATENCY) {
			lat = 1;
			if (strcmp(s->metric, "latency_p99") != 0 &&
			    strcmp(s->metric, "latency_max") != 0)
				tail = 0;
		}
		if (strcmp(sb_detector_family(s->detector), "drift") == 0 &&
		    s->at - s->since >= 30 * 60000)
			on[9] = 1;
	}
	if (primary == NULL && a->nsigs > 0)
		primary = &a->sigs[0];
	for (size_t i = 0; primary != NULL && i < a->nsigs; i++) {
		const struct sb_signal *s = &a->sigs[i];
		if (!sb_signal_benign(s) && tclass(s) != tclass(primary) &&
		    (second == NULL || better(s, second)))
			second = s;
	}

	/* The headline: the strongest signal, and the strongest of another kind. */
	c.s = primary;
	if (primary != NULL) {
		snprintf(name, sizeof name, "head.%s", tclass_name[tclass(primary)]);
		expand_named(t, name, &c, &head);
	}
	if (second != NULL) {
		c.s = second;
		sb_buf_puts(&head, " and ");
		snprintf(name, sizeof name, "head.%s", tclass_name[tclass(second)]);
		expand_named(t, name, &c, &head);
	}
	sb_buf_putc(&head, '\0');
	c.headline = head.s;

	int err = c.since[TC_ERRORS] != INT64_MIN;
	int down = c.since[TC_TRAFFIC_DOWN] != INT64_MIN;
	int up = c.since[TC_TRAFFIC_UP] != INT64_MIN;
	on[0] = a->nkeys >= 2;
	on[1] = lat && err;
	on[2] = down && err;
	on[3] = up && lat && c.since[TC_TRAFFIC_UP] <= c.since[TC_LATENCY];
	on[4] = down && !err;
	on[5] = err && !lat && !down;
	on[6] = lat && !err && !up && !down && !tail;
	on[7] = lat && tail;
	on[8] = c.since[TC_SLO] != INT64_MIN;

	resolved = a->state != NULL && strcmp(a->state, "resolved") == 0;
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
	explanation(a, t, &c, &b);
	put_json_text(out, "explanation", &b);

	c.s = primary;
	sb_buf_puts(out, ",\"insights\":[");
	n = 0;
	for (int p = 0; p < NPAT; p++) {
		if (!on[p])
			continue;
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
