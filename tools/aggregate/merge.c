/*
 * merge.c - aggregate --merge; see merge.h.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "merge.h"
#include "sketch.h"
#include "timefmt.h"
#include "window.h"

struct part {
	char		*key;		/* key, service, method, endpoint */
	char		*service;
	char		*method;
	char		*endpoint;
	int64_t		 start;
	int64_t		 width;
	uint64_t	 count;
	uint64_t	 errors;
	uint64_t	 client_errors;
	uint64_t	 late;
	uint64_t	 bytes_n;
	double		 bytes_sum;
	int		 partial;
	struct agg_codes codes;
	struct sb_sketch sk;
};

struct merge {
	struct part	*parts;
	size_t		 n;
	size_t		 cap;
	struct sb_buf	 tmp;
};

struct merge *
merge_new(void)
{
	return sb_xcalloc(1, sizeof(struct merge));
}

void
merge_free(struct merge *m)
{
	if (m == NULL)
		return;
	for (size_t i = 0; i < m->n; i++) {
		free(m->parts[i].key);
		sb_sketch_free(&m->parts[i].sk);
	}
	free(m->parts);
	sb_buf_free(&m->tmp);
	free(m);
}

static int
get_count(const struct sb_json *js, const char *name, int required,
    uint64_t *out, char *err, size_t errsz)
{
	long t = sb_json_member(js, 0, name);
	int64_t v;

	*out = 0;
	if (t < 0 && !required)
		return 0;
	if (t < 0) {
		snprintf(err, errsz, "missing '%s'", name);
		return -1;
	}
	if (sb_json_int(js, (size_t)t, &v) == -1 || v < 0) {
		snprintf(err, errsz, "'%s' is not a count", name);
		return -1;
	}
	*out = (uint64_t)v;
	return 0;
}

/* "codes":{"503":12,...}: optional; must agree with errors and client_errors. */
static int
get_codes(const struct sb_json *js, struct part *p, char *err, size_t errsz)
{
	long t = sb_json_member(js, 0, "codes");
	uint64_t sum[2] = { 0, 0 };
	int64_t v;
	int code;

	if (t < 0 || js->tok[t].type == SB_JNULL)
		return 0;
	if (js->tok[t].type != SB_JOBJECT) {
		snprintf(err, errsz, "'codes' is not an object");
		return -1;
	}
	for (size_t k = (size_t)t + 1; k < js->tok[t].skip;
	    k = js->tok[k + 1].skip) {
		const struct sb_jtok *name = &js->tok[k];
		if ((code = sb_status_name(js, k)) < 400) {
			snprintf(err, errsz, "'codes' holds '%.*s', not a "
			    "status code in 400..599", (int)(name->end -
			    name->start > 20 ? 20 : name->end - name->start),
			    js->src + name->start);
			return -1;
		}
		if (sb_json_int(js, k + 1, &v) == -1 || v < 0) {
			snprintf(err, errsz, "'codes.%d' is not a count", code);
			return -1;
		}
		sum[code >= 500] += (uint64_t)v;
		agg_codes_add(&p->codes, code, (uint64_t)v);
	}
	if (sum[1] > p->errors || sum[0] > p->client_errors) {
		snprintf(err, errsz, "'codes' count more than 'errors' or "
		    "'client_errors'");
		return -1;
	}
	return 0;
}

/* Appends string member name (or "") and a NUL to m->tmp. */
static int
get_str(struct merge *m, const struct sb_json *js, const char *name,
    int required, char *err, size_t errsz)
{
	long t = sb_json_member(js, 0, name);

	if (t >= 0 && js->tok[t].type == SB_JSTRING) {
		sb_json_str(js, (size_t)t, &m->tmp);
	} else if (t >= 0 || required) {
		snprintf(err, errsz, t < 0 ? "missing '%s'" :
		    "'%s' is not a string", name);
		return -1;
	}
	sb_buf_putc(&m->tmp, '\0');
	return 0;
}

int
merge_add(struct merge *m, const struct sb_json *js, char *err, size_t errsz)
{
	struct part p;
	long t;
	double v;

	memset(&p, 0, sizeof p);
	sb_buf_reset(&m->tmp);
	if (get_str(m, js, "key", 1, err, errsz) == -1 ||
	    get_str(m, js, "service", 0, err, errsz) == -1 ||
	    get_str(m, js, "method", 0, err, errsz) == -1 ||
	    get_str(m, js, "endpoint", 0, err, errsz) == -1)
		return -1;
	t = sb_json_member(js, 0, "start");
	if (t < 0 || js->tok[t].type != SB_JSTRING || js->tok[t].escaped ||
	    sb_time_parse(js->src + js->tok[t].start,
	    js->tok[t].end - js->tok[t].start, &p.start) == -1) {
		snprintf(err, errsz, "'start' is not an RFC 3339 time");
		return -1;
	}
	t = sb_json_member(js, 0, "width_s");
	if (t < 0 || sb_json_number(js, (size_t)t, &v) == -1 || v < 0.001 ||
	    v > 86400 * 366) {
		snprintf(err, errsz, "'width_s' is not a width in seconds");
		return -1;
	}
	p.width = llround(v * 1000);
	if (get_count(js, "count", 1, &p.count, err, errsz) == -1 ||
	    get_count(js, "errors", 1, &p.errors, err, errsz) == -1 ||
	    get_count(js, "client_errors", 1, &p.client_errors, err, errsz) == -1 ||
	    get_count(js, "late", 0, &p.late, err, errsz) == -1)
		return -1;
	if (p.errors + p.client_errors > p.count) {
		snprintf(err, errsz, "'errors' and 'client_errors' exceed 'count'");
		return -1;
	}
	if (get_count(js, "bytes_n", 0, &p.bytes_n, err, errsz) == -1 ||
	    get_codes(js, &p, err, errsz) == -1)
		return -1;
	t = sb_json_member(js, 0, "bytes_sum");
	if (t >= 0 && (sb_json_number(js, (size_t)t, &p.bytes_sum) == -1 ||
	    p.bytes_sum < 0)) {
		snprintf(err, errsz, "'bytes_sum' is not a number >= 0");
		return -1;
	}
	if (p.bytes_n > p.count) {
		snprintf(err, errsz, "'bytes_n' exceeds 'count'");
		return -1;
	}
	t = sb_json_member(js, 0, "partial");
	p.partial = t >= 0 && js->tok[t].type == SB_JTRUE;
	sb_sketch_init(&p.sk);
	if (p.count > 0) {
		t = sb_json_member(js, 0, "sketch");
		if (t < 0) {
			snprintf(err, errsz, "window has no 'sketch' (run aggregate "
			    "with --emit-sketch)");
			return -1;
		}
		if (sb_sketch_read(&p.sk, js, (size_t)t, err, errsz) == -1)
			return -1;
		if (p.sk.count != p.count) {
			snprintf(err, errsz, "'sketch' counts %llu events, "
			    "'count' is %llu", (unsigned long long)p.sk.count,
			    (unsigned long long)p.count);
			sb_sketch_free(&p.sk);
			return -1;
		}
	}
	p.key = memcpy(sb_xmalloc(m->tmp.len), m->tmp.s, m->tmp.len);
	p.service = p.key + strlen(p.key) + 1;
	p.method = p.service + strlen(p.service) + 1;
	p.endpoint = p.method + strlen(p.method) + 1;
	if (*p.endpoint == '\0')
		p.endpoint = p.key;
	if (m->n == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 256;
		m->parts = sb_xrealloc(m->parts, m->cap * sizeof *m->parts);
	}
	m->parts[m->n++] = p;
	return 0;
}

static int
part_cmp(const void *x, const void *y)
{
	const struct part *a = x, *b = y;
	int64_t ea = a->start + a->width, eb = b->start + b->width;

	if (ea != eb)
		return ea < eb ? -1 : 1;
	if (a->width != b->width)
		return a->width < b->width ? -1 : 1;
	return strcmp(a->key, b->key);
}

void
merge_finish(struct merge *m, int with_sketch, struct sb_buf *out)
{
	size_t i = 0;

	/* Equal end and width mean equal start: runs are one window each. */
	qsort(m->parts, m->n, sizeof *m->parts, part_cmp);
	while (i < m->n) {
		struct part *a = &m->parts[i];
		size_t j = i + 1;

		for (; j < m->n && part_cmp(a, &m->parts[j]) == 0; j++) {
			struct part *b = &m->parts[j];
			a->count += b->count;
			a->errors += b->errors;
			a->client_errors += b->client_errors;
			a->late += b->late;
			a->bytes_n += b->bytes_n;
			a->bytes_sum += b->bytes_sum;
			a->partial |= b->partial;
			for (int k = 0; k < b->codes.len; k++)
				agg_codes_add(&a->codes, b->codes.code[k],
				    b->codes.n[k]);
			sb_sketch_merge(&a->sk, &b->sk);
		}
		struct window_rec r = {
			.key = a->key, .service = a->service, .method = a->method,
			.endpoint = a->endpoint, .start = a->start,
			.width = a->width, .count = a->count, .errors = a->errors,
			.client_errors = a->client_errors, .late = a->late,
			.bytes_n = a->bytes_n, .bytes_sum = a->bytes_sum,
			.codes = &a->codes, .sk = &a->sk, .partial = a->partial,
		};
		window_write(&r, with_sketch, out);
		i = j;
	}
}
