/*
 * det_slo.c - slo_burn: multi-window SLO burn rates of a series, for
 * --slo.  A detector of the series, not of a metric (detector.h): it
 * runs after the metrics' detectors, over the count and the errors or
 * the slow requests together, and keeps its state in the series line's
 * "slo" section.
 */
#include <stdio.h>
#include <stdlib.h>

#include "detector.h"

#define SLO_STRIDE(nslo)	(2 + (nslo))

/*
 * Per SLO a detector and the pair it reports, and a ring of
 * slo_cap() windows, newest at head, each SLO_STRIDE(nslo) doubles:
 * start (ms), count, then the bad requests of each SLO.  All zero in a
 * new series: the ring is empty.
 */
struct slo_state {
	struct det	 det[MODEL_MAX_SLO];
	int		 pair[MODEL_MAX_SLO];
	int		 head, n;
	double		 ring[];
};

/* Windows of the ring: the longest pair's long window, and one. */
static int
slo_cap(const struct model_config *c, int64_t width)
{
	int64_t longest = 0;

	for (int p = 0; p < c->npair; p++)
		if (c->pair[p].long_ms > longest)
			longest = c->pair[p].long_ms;
	return (int)((longest + width - 1) / width) + 1;
}

static size_t
slo_size(const struct model_config *c, int64_t width)
{
	if (c->nslo == 0)
		return 0;
	return sizeof(struct slo_state) + (size_t)slo_cap(c, width) *
	    SLO_STRIDE(c->nslo) * sizeof(double);
}

/*
 * Multi-window SLO burn rates (detect.1, --slo): the window goes into the
 * ring, then for every SLO and window pair
 *	burn = (bad / requests over the window) / (1 - objective)
 * over the long and the short window.  A pair is tested once the
 * series' history covers its long window and each of its windows holds
 * at least 1 / (factor (1 - objective)) requests; it fires when both
 * burns are >= its factor.  The SLO's detector reports the firing pair
 * of the highest factor, or, when none fires, the pair it reported last.
 */
static void
slo_update(const struct dctx *x, void *state)
{
	const struct model_config *c = x->c;
	const struct series *s = x->s;
	const struct obs *o = x->o;
	struct slo_state *ss = state;
	int stride = SLO_STRIDE(c->nslo), cap = slo_cap(c, s->width);
	int64_t at = o->start + o->width;
	double nl[MODEL_MAX_PAIRS] = { 0 }, ns[MODEL_MAX_PAIRS] = { 0 };
	double bl[MODEL_MAX_SLO][MODEL_MAX_PAIRS] = { { 0 } };
	double bs[MODEL_MAX_SLO][MODEL_MAX_PAIRS] = { { 0 } };
	double *e;

	if (!o->has_count)
		return;
	ss->head = (ss->head + 1) % cap;
	e = ss->ring + (size_t)ss->head * stride;
	e[0] = (double)o->start;
	e[1] = (double)o->count;
	for (int k = 0; k < c->nslo; k++)
		e[2 + k] = c->slo[k].kind == SLO_AVAILABILITY ?
		    (double)o->errors : o->slow;
	if (ss->n < cap)
		ss->n++;
	/* Newest first: the ring is in time order. */
	for (int j = 0; j < ss->n; j++) {
		int idx = ((ss->head - j) % cap + cap) % cap;
		const double *r = ss->ring + (size_t)idx * stride;
		int any = 0;

		for (int p = 0; p < c->npair; p++) {
			if (r[0] < (double)(at - c->pair[p].long_ms))
				continue;
			any = 1;
			nl[p] += r[1];
			for (int k = 0; k < c->nslo; k++)
				bl[k][p] += r[2 + k];
			if (r[0] < (double)(at - c->pair[p].short_ms))
				continue;
			ns[p] += r[1];
			for (int k = 0; k < c->nslo; k++)
				bs[k][p] += r[2 + k];
		}
		if (!any)
			break;
	}
	for (int k = 0; k < c->nslo; k++) {
		struct det *d = &ss->det[k];
		double budget = 1 - c->slo[k].objective, err_l[MODEL_MAX_PAIRS];
		int best = -1, st, p;

		for (p = 0; p < c->npair; p++) {
			const struct slo_pair *pr = &c->pair[p];
			double need = 1 / (pr->factor * budget);

			err_l[p] = nl[p] > 0 ? bl[k][p] / nl[p] : 0;
			bl[k][p] = err_l[p] / budget;
			bs[k][p] = ns[p] > 0 ? bs[k][p] / ns[p] / budget : 0;
			if ((double)(at - (int64_t)s->first) < (double)pr->long_ms ||
			    nl[p] < need || ns[p] < need)
				continue;
			if (bl[k][p] >= pr->factor && bs[k][p] >= pr->factor &&
			    (best < 0 || pr->factor > c->pair[best].factor))
				best = p;
		}
		st = det_step(c, d, best >= 0, best >= 0, best >= 0 ?
		    at - c->pair[best].short_ms : 0);
		if (best >= 0)
			ss->pair[k] = best;
		if (st) {
			struct signal *g;
			double r;

			p = ss->pair[k];
			r = err_l[p];
			g = sig_new(x, SB_FAM_SLO, 0, st, d->since);
			g->slo = k + 1;
			g->value = bl[k][p];
			g->baseline = 1;
			g->spread = nl[p] > 0 ?
			    sqrt(r * (1 - r) / nl[p]) / budget : 0;
			g->score = fmin(bl[k][p], bs[k][p]);
			g->count = nl[p];
			g->burn_short = bs[k][p];
			g->window_long_s = (double)c->pair[p].long_ms / 1000;
			g->window_short_s = (double)c->pair[p].short_ms / 1000;
			g->objective = c->slo[k].objective;
			g->factor = c->pair[p].factor;
		}
	}
}

static const char *
slo_name(const struct slo_def *d)
{
	return d->kind == SLO_LATENCY ? "latency" : "availability";
}

/*
 * {"cap":C,"head":H,"n":N,"availability":{"up":{..},"pair":P},
 * "ring":[...]}: each SLO by its SLI, the ring as numbers, window by
 * window, from the start of the array.
 */
static void
slo_save(struct sb_buf *b, const struct model_config *c,
    const struct series *s, const void *st)
{
	const struct slo_state *ss = st;
	int cap = slo_cap(c, s->width);
	size_t nr = (size_t)cap * SLO_STRIDE(c->nslo);

	sb_buf_printf(b, "{\"cap\":%d,\"head\":%d,\"n\":%d", cap,
	    ss->head, ss->n);
	for (int k = 0; k < c->nslo; k++) {
		sb_buf_printf(b, ",\"%s\":{", slo_name(&c->slo[k]));
		if (dm_put(b, "up", det_members, 6, &ss->det[k]))
			sb_buf_putc(b, ',');
		sb_buf_printf(b, "\"pair\":%d}", ss->pair[k]);
	}
	sb_buf_puts(b, ",\"ring\":[");
	for (size_t i = 0; i < nr; i++) {
		if (i > 0)
			sb_buf_putc(b, ',');
		sb_buf_json_num_exact(b, ss->ring[i]);
	}
	sb_buf_puts(b, "]}");
}

/*
 * Version 3: restores the state at token obj when it fits this run's
 * SLOs and pairs (1); 0 when it does not: the burn rates then start from
 * an empty history.  -1 with why for a malformed one.
 */
static int
slo_load_v3(const struct sb_json *js, size_t obj,
    const struct model_config *c, int cap, struct slo_state *ss, char *why,
    size_t whysz)
{
	size_t nr = (size_t)cap * SLO_STRIDE(c->nslo), e;
	int64_t fcap, head, n, pair[MODEL_MAX_SLO];
	long t, sec[MODEL_MAX_SLO];

	if (js->tok[obj].type != SB_JOBJECT ||
	    (t = sb_json_member(js, obj, "cap")) < 0 ||
	    sb_json_int(js, (size_t)t, &fcap) == -1 ||
	    (t = sb_json_member(js, obj, "head")) < 0 ||
	    sb_json_int(js, (size_t)t, &head) == -1 ||
	    (t = sb_json_member(js, obj, "n")) < 0 ||
	    sb_json_int(js, (size_t)t, &n) == -1 ||
	    (t = sb_json_member(js, obj, "ring")) < 0 ||
	    js->tok[t].type != SB_JARRAY) {
		snprintf(why, whysz, "'slo' is not an SLO state");
		return -1;
	}
	e = (size_t)t + 1;
	if (fcap != cap || head < 0 || head >= cap || n < 0 || n > cap ||
	    js->tok[obj].size != (size_t)c->nslo + 4 || js->tok[t].size != nr)
		return 0;
	for (int k = 0; k < c->nslo; k++) {
		long p;
		sec[k] = sb_json_member(js, obj, slo_name(&c->slo[k]));
		if (sec[k] < 0 || js->tok[sec[k]].type != SB_JOBJECT ||
		    (p = sb_json_member(js, (size_t)sec[k], "pair")) < 0 ||
		    sb_json_int(js, (size_t)p, &pair[k]) == -1 ||
		    pair[k] < 0 || pair[k] >= c->npair)
			return 0;
	}
	for (size_t i = 0; i < nr; i++, e = js->tok[e].skip)
		if (sb_json_number(js, e, &ss->ring[i]) == -1) {
			snprintf(why, whysz, "'slo' 'ring' is not numbers");
			return -1;
		}
	for (int k = 0; k < c->nslo; k++) {
		long p = sb_json_member(js, (size_t)sec[k], "up");
		ss->pair[k] = (int)pair[k];
		memset(&ss->det[k], 0, sizeof ss->det[k]);
		if (p >= 0 && dm_get(js, (size_t)p, "up", det_members, 6,
		    &ss->det[k], why, whysz) == -1)
			return -1;
	}
	ss->head = (int)head;
	ss->n = (int)n;
	return 1;
}

/*
 * Version 1 and 2: per SLO its detector's 8 numbers and the pair, then
 * cap, head and n, then the ring.  0 when it does not fit.
 */
static int
slo_legacy(const struct model_config *c, int cap, struct slo_state *ss,
    const double *in, size_t n)
{
	size_t base = (size_t)c->nslo * 9, nr = (size_t)cap *
	    SLO_STRIDE(c->nslo);

	if (n != base + 3 + nr || in[base] != cap || in[base + 1] < 0 ||
	    in[base + 1] >= cap || in[base + 2] < 0 || in[base + 2] > cap)
		return 0;
	for (int i = 0; i < c->nslo; i++)
		if (in[i * 9 + 8] < 0 || in[i * 9 + 8] >= c->npair)
			return 0;
	for (int i = 0; i < c->nslo; i++) {
		det_legacy(&ss->det[i], in + i * 9);
		ss->pair[i] = (int)in[i * 9 + 8];
	}
	ss->head = (int)in[base + 1];
	ss->n = (int)in[base + 2];
	memcpy(ss->ring, in + base + 3, nr * sizeof(double));
	return 1;
}

/*
 * Version 3 as slo_load_v3(); versions 1 and 2 an array of numbers, any
 * that is not, or does not fit, starting afresh.
 */
static int
slo_load(const struct sb_json *js, size_t t, int version,
    const struct model_config *c, const struct series *s, void *st,
    char *why, size_t whysz)
{
	int cap = slo_cap(c, s->width), rc = 0;
	size_t ns, e = t + 1, k;
	double *sv;

	if (version >= 3)
		return slo_load_v3(js, t, c, cap, st, why, whysz);
	if (js->tok[t].type != SB_JARRAY)
		return 0;
	ns = js->tok[t].size;
	sv = sb_xcalloc(ns + 1, sizeof *sv);
	for (k = 0; k < ns; k++, e = js->tok[e].skip)
		if (sb_json_number(js, e, &sv[k]) == -1)
			break;
	if (k == ns)
		rc = slo_legacy(c, cap, st, sv, ns);
	free(sv);
	return rc;
}

const struct detector slo_detector = {
	.name = "slo",
	.update = slo_update,
	.series_size = slo_size,
	.save = slo_save,
	.load = slo_load,
};
