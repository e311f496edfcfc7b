/*
 * window.c - reading the members of a window record that detect watches.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect.h"
#include "event.h"
#include "timefmt.h"

#define WEEK_MS	(7 * 86400000LL)

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
	p->latency = strcmp(p->seg[0], "latency_ms") == 0;
}

void
path_free(struct path *p)
{
	free(p->copy);
}

static const char *const member_name[M_NMEMBERS] = {
	"type", "key", "start", "end", "width_s", "count", "errors",
	"service", "method", "endpoint", "latency_ms", "sketch", "codes"
};

/*
 * The member a plain (unescaped) key names, or -1.  Every record has a
 * dozen keys, so the candidate is picked by length and first byte and
 * only that one name is compared.
 */
static int
member_of(const char *s, size_t len)
{
	int j;

	switch (len) {
	case 3:
		j = s[0] == 'k' ? M_KEY : M_END;
		break;
	case 4:
		j = M_TYPE;
		break;
	case 5:
		j = s[0] == 's' ? M_START : s[1] == 'o' && s[2] == 'd' ?
		    M_CODES : M_COUNT;
		break;
	case 6:
		j = s[0] == 'e' ? M_ERRORS : s[0] == 'm' ? M_METHOD : M_SKETCH;
		break;
	case 7:
		j = s[0] == 'w' ? M_WIDTH : M_SERVICE;
		break;
	case 8:
		j = M_ENDPOINT;
		break;
	case 10:
		j = M_LATENCY;
		break;
	default:
		return -1;
	}
	for (size_t i = 0; i < len; i++)	/* short: no memcmp() call */
		if (s[i] != member_name[j][i])
			return -1;
	return j;
}

void
scan_members(struct run *r)
{
	const struct sb_json *js = &r->js;
	size_t k = 1;

	for (int i = 0; i < M_NMEMBERS; i++)
		r->top[i] = -1;
	for (size_t i = 0; i < js->tok[0].size; i++) {
		const struct sb_jtok *t = &js->tok[k];
		size_t v = k + 1;
		int j;

		if (t->escaped) {
			for (j = 0; j < M_NMEMBERS; j++)
				if (sb_json_streq(js, k, member_name[j]))
					r->top[j] = (long)v;
		} else if ((j = member_of(js->src + t->start,
		    t->end - t->start)) >= 0)
			r->top[j] = (long)v;
		k = js->tok[v].skip;
	}
}

enum { P_FOUND, P_MISSING, P_NULL, P_NOTOBJ };

/* Walks a dotted path from the record's top object. */
static int
path_find(const struct run *r, const struct path *p, long *tok)
{
	const struct sb_json *js = &r->js;
	size_t obj = 0;

	for (int i = 0; i < p->nseg; i++) {
		long t;

		if (i == 0 && p->latency)
			t = r->top[M_LATENCY];
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
read_time(const struct sb_json *js, long t, int64_t *ms)
{
	const struct sb_jtok *k = &js->tok[t];
	double v;

	if (k->type == SB_JSTRING && !k->escaped)
		return sb_time_parse(js->src + k->start, k->end - k->start, ms);
	if (k->type == SB_JNUMBER && sb_json_number(js, (size_t)t, &v) == 0)
		return sb_time_from_epoch(v, ms);
	return -1;
}

static long
string_member(const struct sb_json *js, long t)
{
	return t >= 0 && js->tok[t].type == SB_JSTRING ? t : -1;
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
	long k = r->top[M_SKETCH], lat = r->top[M_LATENCY];
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

int
window_read(struct run *r, struct window *w, char *why, size_t whysz)
{
	const struct sb_json *js = &r->js;
	struct obs *o = &w->obs;
	int64_t end;
	double v;
	long t;

	memset(o->has, 0, sizeof o->has);
	o->has_count = 0;
	o->count = o->errors = 0;

	if ((t = r->top[M_KEY]) < 0) {
		snprintf(why, whysz, "missing 'key'");
		return -1;
	}
	sb_buf_reset(&r->key);
	if (js->tok[t].type != SB_JSTRING ||
	    sb_json_str(js, (size_t)t, &r->key) == -1) {
		snprintf(why, whysz, "'key' is not a string");
		return -1;
	}
	sb_buf_putc(&r->key, '\0');
	r->key.len--;
	w->key_tok = t;

	if ((t = r->top[M_START]) < 0) {
		snprintf(why, whysz, "missing 'start'");
		return -1;
	}
	if (read_time(js, t, &o->start) == -1) {
		snprintf(why, whysz, "'start' is not an RFC 3339 time");
		return -1;
	}
	if ((t = r->top[M_WIDTH]) >= 0) {
		if (sb_json_number(js, (size_t)t, &v) == -1 || !(v >= 0.001) ||
		    v > WEEK_MS / 1000) {
			snprintf(why, whysz, "'width_s' is not a number of "
			    "seconds in 0.001..604800");
			return -1;
		}
		w->width = llround(v * 1000);
	} else if ((t = r->top[M_END]) >= 0) {
		if (read_time(js, t, &end) == -1) {
			snprintf(why, whysz, "'end' is not an RFC 3339 time");
			return -1;
		}
		if (end <= o->start || end - o->start > WEEK_MS) {
			snprintf(why, whysz, "'end' is not within a week "
			    "after 'start'");
			return -1;
		}
		w->width = end - o->start;
	} else {
		snprintf(why, whysz, "missing 'width_s' and 'end'");
		return -1;
	}
	o->width = w->width;

	if ((t = r->top[M_COUNT]) >= 0) {
		if (sb_json_int(js, (size_t)t, &o->count) == -1 ||
		    o->count < 0) {
			snprintf(why, whysz, "'count' is not a non-negative "
			    "integer");
			return -1;
		}
		o->has_count = 1;
		if ((t = r->top[M_ERRORS]) < 0) {
			snprintf(why, whysz, "missing 'errors'");
			return -1;
		}
		if (sb_json_int(js, (size_t)t, &o->errors) == -1 ||
		    o->errors < 0 || o->errors > o->count) {
			snprintf(why, whysz, "'errors' is not an integer in "
			    "0..count");
			return -1;
		}
	}
	for (int i = 0; i < r->opt->model.nslo && o->has_count; i++)
		if (r->opt->model.slo[i].kind == SLO_LATENCY &&
		    read_slow(r, w, r->opt->model.slo[i].threshold, why,
		    whysz) == -1)
			return -1;
	w->service_tok = string_member(js, r->top[M_SERVICE]);
	w->method_tok = string_member(js, r->top[M_METHOD]);
	w->endpoint_tok = string_member(js, r->top[M_ENDPOINT]);
	/* Copied into the signals' context: downstream readers trust it. */
	w->codes_tok = -1;
	if ((t = r->top[M_CODES]) >= 0 && js->tok[t].type != SB_JNULL) {
		if (js->tok[t].type != SB_JOBJECT)
			goto bad_codes;
		for (size_t k = (size_t)t + 1; k < js->tok[t].skip;
		    k = js->tok[k + 1].skip)
			/* A JSON number without a minus: a count (no strtod). */
			if (sb_status_name(js, k) == -1 ||
			    js->tok[k + 1].type != SB_JNUMBER ||
			    js->src[js->tok[k + 1].start] == '-')
				goto bad_codes;
		w->codes_tok = t;
	}

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
bad_codes:
	snprintf(why, whysz, "'codes' is not an object of status codes and "
	    "counts");
	return -1;
}
