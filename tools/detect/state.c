/*
 * state.c - --state: the baselines and detector states of every series,
 * saved as JSON lines and restored at start.
 *
 * The first line is a header naming the format, the number of values per
 * metric and the metrics by path; each further line is one series:
 *
 *	{"type":"detect-state","version":1,"fields":125,"series":12,
 *	 "metrics":["count",...]}
 *	{"key":"GET /a","width_ms":60000,"seen":..,"first":..,"last_end":..,
 *	 "m":[[...125 numbers...],...]}
 *
 * Numbers are written so that they read back to the same double, so a
 * restored run continues exactly as the saved one would have.  "series"
 * counts the lines that follow, so that a file cut short at the end of a
 * line is refused, not taken for fewer series (files written before it
 * was added have none and are read as they are).  Metrics
 * are matched by path; one the file lacks starts from zero.  The file is
 * replaced atomically (sb_file_replace: a synced temporary, renamed).
 */
#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "detect.h"
#include "reader.h"
#include "state.h"

/*
 * Version 2 added the novelty detector and the tails; a file of version
 * 1 loads (mstate_load() knows its numbers), so that the baselines
 * learned survive the upgrade.
 */
#define STATE_VERSION	2

int
state_save(struct sb_state *st, const struct model_config *c,
    const struct table *t)
{
	struct sb_buf b = SB_BUF_INIT;
	size_t nf = mstate_count();
	double *v = sb_xcalloc(nf, sizeof *v);
	int rc = 0;

	sb_buf_printf(&b, "{\"type\":\"detect-state\",\"version\":%d,"
	    "\"fields\":%zu,\"series\":%zu,\"metrics\":[", STATE_VERSION, nf,
	    t->nlist);
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
			mstate_save(&s->m[i], v);
			sb_buf_puts(&b, i ? ",[" : "[");
			for (size_t f = 0; f < nf; f++) {
				if (f > 0)
					sb_buf_putc(&b, ',');
				sb_buf_json_num_exact(&b, v[f]);
			}
			sb_buf_putc(&b, ']');
		}
		sb_buf_putc(&b, ']');
		if (c->nslo > 0) {
			size_t ns = slo_state_count(c, s);
			double *sv = sb_xcalloc(ns, sizeof *sv);
			slo_state_save(c, s, sv);
			sb_buf_puts(&b, ",\"slo\":[");
			for (size_t f = 0; f < ns; f++) {
				if (f > 0)
					sb_buf_putc(&b, ',');
				sb_buf_json_num_exact(&b, sv[f]);
			}
			sb_buf_putc(&b, ']');
			free(sv);
		}
		sb_buf_puts(&b, "}\n");
	}
	if (sb_state_save(st, b.s, b.len) == -1) {
		warnx("%s", sb_state_error(st));
		rc = -1;
	}
	free(v);
	sb_buf_free(&b);
	return rc;
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
    int *map, int *nfile, size_t *fields, double *nseries)
{
	size_t nf = mstate_count();
	double v;
	long t;

	t = sb_json_member(js, 0, "type");
	if (t < 0 || !sb_json_streq(js, (size_t)t, "detect-state"))
		return -1;
	if (num_member(js, "version", &v) == -1 ||
	    (v != STATE_VERSION && v != 1))
		return -1;
	if (v == 1)
		nf = mstate_count_v1();
	if (num_member(js, "fields", &v) == -1 || v != (double)nf)
		return -1;
	*fields = nf;
	if (sb_json_member(js, 0, "series") >= 0 &&
	    (num_member(js, "series", nseries) == -1 || *nseries < 0))
		return -1;
	t = sb_json_member(js, 0, "metrics");
	if (t < 0 || js->tok[t].type != SB_JARRAY ||
	    js->tok[t].size > MODEL_MAX_METRICS)
		return -1;
	*nfile = (int)js->tok[t].size;
	for (size_t k = (size_t)t + 1, i = 0; i < js->tok[t].size;
	    i++, k = js->tok[k].skip) {
		map[i] = -1;
		if (js->tok[k].type != SB_JSTRING)
			return -1;
		for (int j = 0; j < c->nmetric; j++)
			if (sb_json_streq(js, k, c->metric[j].path))
				map[i] = j;
	}
	return 0;
}

static int
load_series(const struct sb_json *js, const struct model_config *c,
    const int *map, int nfile, size_t nf, struct table *tab, double *v)
{
	struct sb_buf key = SB_BUF_INIT;
	struct series *s;
	double width, seen, first, last;
	size_t k, i;
	long t, m;

	t = sb_json_member(js, 0, "key");
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
	    js->tok[m].size != (size_t)nfile)
		goto bad;
	if (table_find(tab, key.s, key.len - 1, (int64_t)width) != NULL)
		goto bad;
	s = series_new(c, key.s, key.len - 1, (int64_t)width);
	s->seen = seen;
	s->first = first;
	s->last_end = last;
	table_add(tab, s);
	for (k = (size_t)m + 1, i = 0; i < (size_t)nfile;
	    i++, k = js->tok[k].skip) {
		size_t e = k + 1;
		if (js->tok[k].type != SB_JARRAY || js->tok[k].size != nf)
			goto bad;
		for (size_t f = 0; f < nf; f++, e = js->tok[e].skip)
			if (sb_json_number(js, e, &v[f]) == -1)
				goto bad;
		if (map[i] >= 0)
			mstate_load(&s->m[map[i]], v, nf);
	}
	/*
	 * --slo: restored when the file's SLO state fits this run's SLOs and
	 * pairs; otherwise the burn rates start from an empty history.
	 */
	if (c->nslo > 0 && (m = sb_json_member(js, 0, "slo")) >= 0 &&
	    js->tok[m].type == SB_JARRAY &&
	    js->tok[m].size == slo_state_count(c, s)) {
		size_t ns = js->tok[m].size, e = (size_t)m + 1;
		double *sv = sb_xcalloc(ns, sizeof *sv);
		for (i = 0; i < ns; i++, e = js->tok[e].skip)
			if (sb_json_number(js, e, &sv[i]) == -1)
				break;
		if (i == ns)
			(void)slo_state_load(c, s, sv, ns);
		free(sv);
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
	char *line;
	size_t n;
	int map[MODEL_MAX_METRICS], nfile = 0, rc;
	size_t nf = 0;
	double *v, nseries = -1;

	if ((rc = sb_state_load(st, &blob)) != 1) {
		if (rc == -1)
			warnx("%s", sb_state_error(st));
		sb_buf_free(&blob);
		return rc;	/* 0: the first run makes it */
	}
	rc = 0;
	v = sb_xcalloc(mstate_count(), sizeof *v);
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
		    load_header(&js, c, map, &nfile, &nf, &nseries) == -1 :
		    load_series(&js, c, map, nfile, nf, t, v) == -1) {
			warnx("%s:%llu: %s", in.name,
			    (unsigned long long)in.lineno, in.lineno == 1 ?
			    "not a detect state file of this version" :
			    "not a valid series of a detect state file");
			rc = -1;
			break;
		}
	}
	if (rc == 0 && in.lineno == 0) {
		warnx("%s: empty, not a detect state file", in.name);
		rc = -1;
	} else if (rc == 0 && nseries >= 0 &&
	    nseries != (double)(in.lineno - 1)) {
		warnx("%s: cut short: %.0f series expected, %llu read",
		    in.name, nseries, (unsigned long long)(in.lineno - 1));
		rc = -1;
	}
	sb_reader_close(&in);
	free(v);
	sb_json_free(&js);
	sb_buf_free(&blob);
	return rc;
}
