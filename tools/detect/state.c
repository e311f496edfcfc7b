/*
 * state.c - --state: the baselines and detector states of every series,
 * saved as JSON lines and restored at start (detect.1, STATE).
 *
 * The first line is a header naming the format and the metrics by path;
 * each further line is one series, its metrics in the header's order,
 * each metric its baselines and a section per detector with named
 * members (detector.h):
 *
 *	{"type":"detect-state","version":3,"series":12,
 *	 "metrics":["count",...]}
 *	{"key":"GET /a","width_ms":60000,"seen":..,"first":..,"last_end":..,
 *	 "m":[{"base":{"glob":[mu,d,n],"prof":[[mu,d,n],...],
 *	       "shift":[since,res,n]},
 *	       "traffic":{"up":{"hist":3}},...},...],"slo":{...}}
 *
 * where "slo" is the section of a detector of the series (detector.h),
 * written and read by the detector itself.
 *
 * A member, section or baseline that is zero, as in a new series, is
 * left out, and what a file leaves out starts from zero: a detector the
 * file does not know starts afresh, while a section or member this
 * detect does not know refuses the file, naming it.  Numbers are written
 * so that they read back to the same double, so a restored run continues
 * exactly as the saved one would have.  "series" counts the lines that
 * follow, so that a file cut short at the end of a line is refused.
 * Metrics are matched by path; one the file lacks starts from zero.
 * Versions 1 and 2, arrays of numbers by position, still load.  The file
 * is replaced atomically (sb_file_replace: a synced temporary, renamed).
 */
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "detector.h"
#include "json.h"
#include "reader.h"
#include "state.h"
#include "table.h"

#define STATE_VERSION	3

static int
base_zero(const struct base *b)
{
	return b->mu == 0 && b->d == 0 && b->n == 0;
}

static void
put_base(struct sb_buf *b, const struct base *bs)
{
	dm_put_numbers(b, &bs->mu, 3);
}

/* ,"NAME":[[mu,d,n],...]: n baselines. */
static void
put_bases(struct sb_buf *b, const char *name, const struct base *bs, int n)
{
	sb_buf_printf(b, ",\"%s\":[", name);
	for (int h = 0; h < n; h++) {
		if (h > 0)
			sb_buf_putc(b, ',');
		put_base(b, &bs[h]);
	}
	sb_buf_putc(b, ']');
}

/* {"base":{...},"level":{...},...}: one metric. */
static void
save_metric(struct sb_buf *b, struct mstate *m)
{
	int prof = 0;

	sb_buf_puts(b, "{\"base\":{\"glob\":");
	put_base(b, &m->glob);
	if (!base_zero(&m->aux)) {
		sb_buf_puts(b, ",\"aux\":");
		put_base(b, &m->aux);
	}
	for (int h = 0; h < MODEL_HOURS; h++)
		prof |= !base_zero(&m->prof[h]);
	if (prof)
		put_bases(b, "prof", m->prof, MODEL_HOURS);
	if (m->week != NULL) {
		prof = !base_zero(&m->week->err);
		for (int h = 0; h < MODEL_WEEK; h++)
			prof |= !base_zero(&m->week->prof[h]);
		if (prof) {
			put_bases(b, "week", m->week->prof, MODEL_WEEK);
			sb_buf_puts(b, ",\"week_err\":");
			put_base(b, &m->week->err);
		}
		if (!base_zero(&m->week->shape)) {
			sb_buf_puts(b, ",\"shape\":");
			put_base(b, &m->week->shape);
		}
	}
	if (m->shift.n > 0) {
		sb_buf_puts(b, ",\"shift\":");
		dm_put_numbers(b, &m->shift.since, 3);
	}
	sb_buf_putc(b, '}');
	for (int k = 0; k < ndetectors; k++) {
		const struct detector *d = detectors[k];
		size_t mark = b->len;
		if (!(m->dmask & 1u << k))
			continue;
		sb_buf_putc(b, ',');
		if (!dm_put(b, d->name, d->members, d->nmembers,
		    dstate(m, k)))
			b->len = mark;
	}
	sb_buf_putc(b, '}');
}

int
state_save(struct sb_state *st, const struct model_config *c,
    const struct table *t)
{
	struct sb_buf b = SB_BUF_INIT;
	int rc = 0;

	sb_buf_printf(&b, "{\"type\":\"detect-state\",\"version\":%d,"
	    "\"series\":%zu,\"metrics\":[", STATE_VERSION, t->nlist);
	for (int i = 0; i < c->nmetric; i++) {
		if (i > 0)
			sb_buf_putc(&b, ',');
		sb_buf_json_str(&b, c->metric[i].path,
		    strlen(c->metric[i].path));
	}
	sb_buf_puts(&b, "]}\n");
	for (size_t k = 0; k < t->nlist; k++) {
		const struct series *s = t->list[k];
		sb_buf_puts(&b, "{\"key\":");
		sb_buf_json_str(&b, s->key, strlen(s->key));
		sb_buf_printf(&b, ",\"width_ms\":%lld,\"seen\":",
		    (long long)s->width);
		sb_buf_json_num_exact(&b, s->seen);
		sb_buf_puts(&b, ",\"first\":");
		sb_buf_json_num_exact(&b, s->first);
		sb_buf_puts(&b, ",\"last_end\":");
		sb_buf_json_num_exact(&b, s->last_end);
		sb_buf_puts(&b, ",\"m\":[");
		for (int i = 0; i < c->nmetric; i++) {
			if (i > 0)
				sb_buf_putc(&b, ',');
			save_metric(&b, series_metric(s, i));
		}
		sb_buf_putc(&b, ']');
		for (uint32_t d = detectors_series; d && s->sstate; d &= d - 1) {
			int j = detector_first(d);
			if (s->sstate[j] == NULL)
				continue;
			sb_buf_printf(&b, ",\"%s\":", detectors[j]->name);
			detectors[j]->save(&b, c, s, s->sstate[j]);
		}
		sb_buf_puts(&b, "}\n");
	}
	if (sb_state_save(st, b.s, b.len) == -1) {
		warnx("%s", sb_state_error(st));
		rc = -1;
	}
	sb_buf_free(&b);
	return rc;
}

/* What the header says. */
struct header {
	int		 version;
	int		 map[MODEL_MAX_METRICS];	/* file metric to ours, -1 */
	int		 nfile;
	size_t		 fields;	/* versions 1 and 2: numbers a metric */
	double		 nseries;	/* -1 when not given */
};

/*
 * Versions 1 and 2: per metric the baselines (glob, aux, 24 profile
 * hours: mu, d, n each), then the detectors of slots 0 and 1 (up and
 * down each) and the error ring (errors and count, newest first, then
 * the count filled); version 2 added slot 2, the tails (up, down) and
 * the novelty records.  A detector takes its slots (legacy()); what a
 * version lacks stays zero.
 */
#define NDET		8
#define MSTATE_V1	(3 * (2 + MODEL_HOURS) + 4 * NDET + 2 * MODEL_RING + 1)
#define MSTATE_V2	(MSTATE_V1 + 2 * NDET + 2 * 4 + 8)

static void
load_legacy(const struct model_config *c, int i, struct mstate *m,
    const double *v, size_t nf)
{
	struct legacy_state l;
	double re[MODEL_RING], rn[MODEL_RING];
	struct base *bases[2 + MODEL_HOURS];
	size_t k = 0;

	memset(&l, 0, sizeof l);
	bases[0] = &m->glob;
	bases[1] = &m->aux;
	for (int h = 0; h < MODEL_HOURS; h++)
		bases[2 + h] = &m->prof[h];
	for (int b = 0; b < 2 + MODEL_HOURS; b++) {
		bases[b]->mu = v[k++];
		bases[b]->d = v[k++];
		bases[b]->n = v[k++];
	}
	for (int s = 0; s < 6; s++) {
		if (s == 4) {
			for (int r = 0; r < MODEL_RING; r++) {
				re[r] = v[k++];
				rn[r] = v[k++];
			}
			l.ring_bits = v[k++];
			if (nf == MSTATE_V1)
				break;	/* slot 2 came with version 2 */
		}
		l.det[s / 2][s % 2] = v + k;
		k += NDET;
	}
	l.ring_e = re;
	l.ring_n = rn;
	if (nf == MSTATE_V2) {
		l.tail[0] = v + k;
		l.tail[1] = v + k + 4;
		l.nov = v + k + 8;
	}
	for (int d = 0; d < ndetectors; d++)
		if ((m->dmask & 1u << d) && detectors[d]->legacy != NULL)
			detectors[d]->legacy(&c->metric[i], dstate(m, d), &l);
}

/* Reads a number member; -1 if absent or not a finite number. */
static int
num_member(const struct sb_json *js, const char *name, double *v)
{
	long t = sb_json_member(js, 0, name);

	return t < 0 ? -1 : sb_json_number(js, (size_t)t, v);
}

static int
load_header(const struct sb_json *js, const struct model_config *c,
    struct header *h, char *why, size_t whysz)
{
	double v;
	long t;

	t = js->type;
	if (t < 0 || !sb_json_streq(js, (size_t)t, "detect-state")) {
		snprintf(why, whysz, "not a detect state file");
		return -1;
	}
	if (num_member(js, "version", &v) == -1 || (v != STATE_VERSION &&
	    v != 2 && v != 1)) {
		snprintf(why, whysz, "not a detect state file of a version "
		    "this detect reads (1 to %d)", STATE_VERSION);
		return -1;
	}
	h->version = (int)v;
	if (h->version < 3) {
		h->fields = h->version == 1 ? MSTATE_V1 : MSTATE_V2;
		if (num_member(js, "fields", &v) == -1 ||
		    v != (double)h->fields) {
			snprintf(why, whysz, "not a detect state file of "
			    "version %d: not %zu numbers a metric",
			    h->version, h->fields);
			return -1;
		}
	}
	h->nseries = -1;
	if (sb_json_member(js, 0, "series") >= 0 &&
	    (num_member(js, "series", &h->nseries) == -1 || h->nseries < 0)) {
		snprintf(why, whysz, "not a detect state file: bad 'series'");
		return -1;
	}
	t = sb_json_member(js, 0, "metrics");
	if (t < 0 || js->tok[t].type != SB_JARRAY ||
	    js->tok[t].size > MODEL_MAX_METRICS) {
		snprintf(why, whysz, "not a detect state file: bad 'metrics'");
		return -1;
	}
	h->nfile = (int)js->tok[t].size;
	for (size_t k = (size_t)t + 1, i = 0; i < js->tok[t].size;
	    i++, k = js->tok[k].skip) {
		h->map[i] = -1;
		if (js->tok[k].type != SB_JSTRING) {
			snprintf(why, whysz, "not a detect state file: bad "
			    "'metrics'");
			return -1;
		}
		for (int j = 0; j < c->nmetric; j++)
			if (sb_json_streq(js, k, c->metric[j].path))
				h->map[i] = j;
	}
	return 0;
}

/* n baselines [[mu,d,n],...] at token t; -1 if it is not that. */
static int
get_bases(const struct sb_json *js, size_t t, struct base *bs, int n)
{
	size_t e = t + 1;

	if (js->tok[t].type != SB_JARRAY || js->tok[t].size != (size_t)n)
		return -1;
	for (int h = 0; h < n; h++, e = js->tok[e].skip)
		if (dm_get_numbers(js, e, &bs[h].mu, 3) == -1)
			return -1;
	return 0;
}

/* One metric of version 3 at token t. */
static int
load_metric(const struct sb_json *js, size_t t, const struct model_config *c,
    int i, struct mstate *m, char *why, size_t whysz)
{
	const char *path = c->metric[i].path;
	size_t k = t + 1;

	if (js->tok[t].type != SB_JOBJECT) {
		snprintf(why, whysz, "metric '%s' is not an object", path);
		return -1;
	}
	for (size_t j = 0; j < js->tok[t].size; j++, k = js->tok[k + 1].skip) {
		size_t v = k + 1;
		int d;

		if (sb_json_streq(js, k, "base")) {
			long g = js->tok[v].type == SB_JOBJECT ?
			    sb_json_member(js, v, "glob") : -1;
			long a = sb_json_member(js, v, "aux");
			long p = sb_json_member(js, v, "prof");
			long w = sb_json_member(js, v, "week");
			long we = sb_json_member(js, v, "week_err");
			long sp = sb_json_member(js, v, "shape");
			long sh = sb_json_member(js, v, "shift");

			if (g < 0 || js->tok[v].size != 1u + (a >= 0) +
			    (p >= 0) + (w >= 0) + (we >= 0) + (sp >= 0) +
			    (sh >= 0) ||
			    (sh >= 0 && (c->metric[i].kind == MK_ERRORS ||
			    dm_get_numbers(js, (size_t)sh, &m->shift.since,
			    3) == -1 || m->shift.n < 1)) ||
			    (w >= 0) != (we >= 0) ||
			    (w >= 0 && m->week == NULL) ||
			    (sp >= 0 && (m->week == NULL ||
			    dm_get_numbers(js, (size_t)sp, &m->week->shape.mu,
			    3) == -1)) ||
			    dm_get_numbers(js, (size_t)g, &m->glob.mu, 3) == -1 ||
			    (a >= 0 && dm_get_numbers(js, (size_t)a, &m->aux.mu,
			    3) == -1) ||
			    (we >= 0 && dm_get_numbers(js, (size_t)we,
			    &m->week->err.mu, 3) == -1)) {
				snprintf(why, whysz, "the baselines of metric "
				    "'%s' are not glob, aux, prof, shift (not "
				    "for errors), and for a value week, "
				    "week_err and shape", path);
				return -1;
			}
			if ((p >= 0 && get_bases(js, (size_t)p, m->prof,
			    MODEL_HOURS) == -1) || (w >= 0 &&
			    get_bases(js, (size_t)w, m->week->prof,
			    MODEL_WEEK) == -1)) {
				snprintf(why, whysz, "the profile of metric "
				    "'%s' is not %d or %d baselines of numbers",
				    path, MODEL_HOURS, MODEL_WEEK);
				return -1;
			}
			continue;
		}
		for (d = 0; d < ndetectors; d++)
			if (sb_json_streq(js, k, detectors[d]->name))
				break;
		if (d == ndetectors || !(m->dmask & 1u << d)) {
			snprintf(why, whysz, "metric '%s' has the state of a "
			    "detector '%.*s' that this detect does not run on "
			    "it", path, (int)(js->tok[k].end - js->tok[k].start),
			    js->src + js->tok[k].start);
			return -1;
		}
		if (dm_get(js, v, detectors[d]->name, detectors[d]->members,
		    detectors[d]->nmembers, dstate(m, d), why, whysz) == -1)
			return -1;
	}
	return 0;
}

/* One metric of version 1 or 2 at token t. */
static int
load_metric_v2(const struct sb_json *js, size_t t,
    const struct model_config *c, int i, struct mstate *m, size_t nf,
    double *v)
{
	size_t e = t + 1;

	if (js->tok[t].type != SB_JARRAY || js->tok[t].size != nf)
		return -1;
	for (size_t f = 0; f < nf; f++, e = js->tok[e].skip)
		if (sb_json_number(js, e, &v[f]) == -1)
			return -1;
	if (m != NULL)
		load_legacy(c, i, m, v, nf);
	return 0;
}

static int
load_series(const struct sb_json *js, const struct model_config *c,
    const struct header *h, struct table *tab, double *v, char *why,
    size_t whysz)
{
	struct sb_buf key = SB_BUF_INIT;
	struct series *s;
	double width, seen, first, last;
	size_t k;
	long t, m;
	int i;

	snprintf(why, whysz, "bad key, width_ms, seen, first, last_end or m");
	t = js->key;
	if (t < 0 || sb_json_str(js, (size_t)t, &key) == -1)
		goto bad;
	sb_buf_putc(&key, '\0');
	if (num_member(js, "width_ms", &width) == -1 || width < 1 ||
	    num_member(js, "seen", &seen) == -1 ||
	    num_member(js, "first", &first) == -1 ||
	    num_member(js, "last_end", &last) == -1)
		goto bad;
	m = sb_json_member(js, 0, "m");
	if (m < 0 || js->tok[m].type != SB_JARRAY ||
	    js->tok[m].size != (size_t)h->nfile)
		goto bad;
	if (table_find(tab, key.s, key.len - 1, (int64_t)width) != NULL) {
		snprintf(why, whysz, "a second series of the same key and "
		    "width");
		goto bad;
	}
	s = series_new(c, key.s, key.len - 1, (int64_t)width);
	s->seen = seen;
	s->first = first;
	s->last_end = last;
	table_add(tab, s);
	for (k = (size_t)m + 1, i = 0; i < h->nfile;
	    i++, k = js->tok[k].skip) {
		int j = h->map[i];
		struct mstate *ms = j >= 0 ? series_metric(s, j) : NULL;

		if (h->version < 3) {
			if (load_metric_v2(js, k, c, j, ms, h->fields, v) == -1) {
				snprintf(why, whysz, "a metric is not %zu "
				    "numbers", h->fields);
				goto bad;
			}
		} else if (ms != NULL &&
		    load_metric(js, k, c, j, ms, why, whysz) == -1)
			goto bad;
	}
	/*
	 * The series' detectors (--slo), each from its section when that fits
	 * this run's options; otherwise it starts from zero.
	 */
	for (uint32_t d = detectors_series; d && s->sstate; d &= d - 1) {
		const struct detector *det = detectors[detector_first(d)];
		void *st = s->sstate[detector_first(d)];
		if (st != NULL && (m = sb_json_member(js, 0, det->name)) >= 0 &&
		    det->load(js, (size_t)m, h->version, c, s, st, why,
		    whysz) == -1)
			goto bad;
	}
	sb_buf_free(&key);
	return 0;
bad:
	sb_buf_free(&key);
	return -1;
}

int
state_load(struct sb_state *st, const struct model_config *c, struct table *t)
{
	struct sb_buf blob = SB_BUF_INIT;
	struct sb_reader in;
	struct sb_json js;
	struct header h;
	char *line, why[300];
	size_t n;
	int rc;
	double *v;

	if ((rc = sb_state_load(st, &blob)) != 1) {
		if (rc == -1)
			warnx("%s", sb_state_error(st));
		sb_buf_free(&blob);
		return rc;	/* 0: the first run makes it */
	}
	rc = 0;
	memset(&h, 0, sizeof h);
	h.nseries = -1;
	v = sb_xcalloc(MSTATE_V2, sizeof *v);
	sb_reader_open_mem(&in, sb_state_name(st), blob.s, blob.len);
	in.max_line = blob.len + 1;
	sb_json_init(&js);
	while (sb_reader_next(&in, &line, &n, -1) == SB_READ_LINE) {
		if (sb_json_parse(&js, line, n) == -1 ||
		    js.tok[0].type != SB_JOBJECT) {
			warnx("%s:%llu: not a detect state file (invalid JSON)",
			    in.name, (unsigned long long)in.lineno);
			rc = -1;
			break;
		}
		if (in.lineno == 1 ?
		    load_header(&js, c, &h, why, sizeof why) == -1 :
		    load_series(&js, c, &h, t, v, why, sizeof why) == -1) {
			if (in.lineno == 1)
				warnx("%s:1: %s", in.name, why);
			else
				warnx("%s:%llu: not a valid series of a detect "
				    "state file: %s", in.name,
				    (unsigned long long)in.lineno, why);
			rc = -1;
			break;
		}
	}
	if (rc == 0 && in.lineno == 0) {
		warnx("%s: empty, not a detect state file", in.name);
		rc = -1;
	} else if (rc == 0 && h.nseries >= 0 &&
	    h.nseries != (double)(in.lineno - 1)) {
		warnx("%s: cut short: %.0f series expected, %llu read",
		    in.name, h.nseries, (unsigned long long)(in.lineno - 1));
		rc = -1;
	}
	sb_reader_close(&in);
	free(v);
	sb_json_free(&js);
	sb_buf_free(&blob);
	return rc;
}
