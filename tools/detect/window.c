/*
 * window.c - a window record read (lib/winrec) into what detect watches:
 * its key, times, counts and the --metric paths.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect.h"

void
path_split(struct path *p, const char *s)
{
	char *q;

	memset(p, 0, sizeof *p);
	p->copy = sb_xstrdup(s);
	for (q = p->copy; p->nseg < PATH_MAX_SEGS; ) {
		p->seg[p->nseg++] = q;
		if ((q = strchr(q, '.')) == NULL)
			break;
		*q++ = '\0';
	}
	p->wm = sb_window_member(p->seg[0]);
}

void
path_free(struct path *p)
{
	free(p->copy);
}

/*
 * What detect(1), INPUT, accepts: the strict reading of lib/winrec with
 * the leniencies detect has always had.
 */
#define DETECT_WINDOW	(SB_WIN_EPOCH | SB_WIN_END | SB_WIN_SPARSE | \
	SB_WIN_LOOSE_LABELS | SB_WIN_ANY_CODES)

enum { P_FOUND, P_MISSING, P_NULL, P_NOTOBJ };

/* Walks a dotted path from the record's top object. */
static int
path_find(const struct run *r, const struct path *p, long *tok)
{
	const struct sb_json *js = &r->js;
	size_t obj = 0;

	for (int i = 0; i < p->nseg; i++) {
		long t;

		if (i == 0 && p->wm >= 0)
			t = r->rec.tok[p->wm];
		else
			t = sb_json_member(js, obj, p->seg[i]);
		if (t < 0)
			return P_MISSING;
		if (js->tok[t].type == SB_JNULL)
			return P_NULL;
		if (i == p->nseg - 1) {
			*tok = t;
			return P_FOUND;
		}
		if (js->tok[t].type != SB_JOBJECT)
			return P_NOTOBJ;
		obj = (size_t)t;
	}
	return P_MISSING;
}

static int
read_metric(struct run *r, struct window *w, int i, char *why, size_t whysz)
{
	const struct metric_def *def = &r->opt->model.metric[i];
	struct obs *o = &w->obs;
	long t = -1;
	double v;

	switch (path_find(r, &r->opt->paths[i], &t)) {
	case P_NULL:
		return 0;
	case P_MISSING:
		if (def->user || o->has_count) {
			snprintf(why, whysz, "missing '%s'", def->path);
			return -1;
		}
		return 0;
	case P_NOTOBJ:
		snprintf(why, whysz, "'%s' is not a number", def->path);
		return -1;
	}
	if (r->js.tok[t].type != SB_JNUMBER) {
		snprintf(why, whysz, "'%s' is not a number", def->path);
		return -1;
	}
	if (sb_json_number(&r->js, (size_t)t, &v) == -1) {
		snprintf(why, whysz, "'%s' is out of range", def->path);
		return -1;
	}
	if (def->kind == MK_LOG && v < 0) {
		snprintf(why, whysz, "'%s' is negative", def->path);
		return -1;
	}
	/* A window of few requests is weak evidence of its latency. */
	if (def->kind == MK_LOG && o->has_count &&
	    o->count < r->opt->model.min_count)
		return 0;
	o->x[i] = v;
	o->has[i] = 1;
	return 0;
}

/*
 * --slo latency: the requests of the window slower than t ms.  From the
 * sketch when the window has one (the buckets whose representative value
 * is above t), else from p50, p95 and p99 (slo_slow_share()).
 */
static int
read_slow(struct run *r, struct window *w, double t, char *why, size_t whysz)
{
	const struct sb_json *js = &r->js;
	struct obs *o = &w->obs;
	double p[3];
	long k = r->rec.tok[SB_WM_SKETCH], lat = r->rec.tok[SB_WM_LATENCY];
	static const char *const pname[3] = { "p50", "p95", "p99" };

	o->slow = 0;
	if (o->count == 0)
		return 0;
	if (k >= 0 && js->tok[k].type == SB_JOBJECT) {
		const double gamma = (1 + SB_SKETCH_ALPHA) / (1 - SB_SKETCH_ALPHA);
		struct sb_sketch *sk = &r->sketch;
		char e[160];
		double slow = 0;

		if (sb_sketch_read(sk, js, (size_t)k, e, sizeof e) == -1) {
			snprintf(why, whysz, "%s", e);
			return -1;
		}
		for (uint32_t b = 0; b < sk->nbins; b++)
			if (2 * pow(gamma, (double)(sk->lo + (int32_t)b)) /
			    (gamma + 1) > t)
				slow += (double)sk->bins[b];
		if (sk->count > 0)
			o->slow = slow / (double)sk->count * (double)o->count;
		return 0;
	}
	if (lat < 0 || js->tok[lat].type != SB_JOBJECT)
		return 0;	/* null: no latency to judge */
	for (int i = 0; i < 3; i++) {
		long m = sb_json_member(js, (size_t)lat, pname[i]);
		if (m < 0 || sb_json_number(js, (size_t)m, &p[i]) == -1 ||
		    p[i] < 0) {
			snprintf(why, whysz, "--slo latency: 'latency_ms.%s' "
			    "is not a number >= 0", pname[i]);
			return -1;
		}
	}
	o->slow = slo_slow_share(p[0], p[1], p[2], t) * (double)o->count;
	return 0;
}

/* --slo latency: the slow requests of each latency objective. */
static int
read_slo_latency(struct run *r, struct window *w, char *why, size_t whysz)
{
	for (int i = 0; i < r->opt->model.nslo && w->obs.has_count; i++)
		if (r->opt->model.slo[i].kind == SLO_LATENCY &&
		    read_slow(r, w, r->opt->model.slo[i].threshold, why,
		    whysz) == -1)
			return -1;
	return 0;
}

int
window_read(struct run *r, struct window *w, char *why, size_t whysz)
{
	const struct sb_json *js = &r->js;
	struct obs *o = &w->obs;
	struct sb_window *rec = &r->rec;

	memset(o->has, 0, sizeof o->has);
	if (sb_window_check(rec, js, DETECT_WINDOW, why, whysz) == -1) {
		/*
		 * detect has always read --slo latency's sketch before
		 * "codes": a window bad in both is named by the sketch.
		 */
		if (rec->bad == SB_WM_CODES) {
			o->count = rec->count;
			o->has_count = (rec->has & SB_WH_COUNT) != 0;
			(void)read_slo_latency(r, w, why, whysz);
		}
		return -1;
	}
	sb_buf_reset(&r->key);
	sb_json_str(js, (size_t)rec->key, &r->key);
	sb_buf_putc(&r->key, '\0');
	r->key.len--;
	w->key_tok = rec->key;
	o->start = rec->start;
	o->width = w->width = rec->width;
	o->has_count = (rec->has & SB_WH_COUNT) != 0;
	o->count = rec->count;
	o->errors = rec->errors;
	if (read_slo_latency(r, w, why, whysz) == -1)
		return -1;
	w->service_tok = rec->service;
	w->method_tok = rec->method;
	w->endpoint_tok = rec->endpoint;
	/* Copied into the signals' context: downstream readers trust it. */
	w->codes_tok = rec->codes;

	for (int i = 0; i < r->opt->model.nmetric; i++) {
		switch (r->opt->model.metric[i].kind) {
		case MK_COUNT:
			o->x[i] = (double)o->count;
			o->has[i] = (unsigned char)o->has_count;
			break;
		case MK_ERRORS:
			o->has[i] = (unsigned char)o->has_count;
			break;
		default:
			if (read_metric(r, w, i, why, whysz) == -1)
				return -1;
		}
	}
	return 0;
}
