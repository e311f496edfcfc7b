/*
 * merge.c - aggregate --merge; see merge.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "merge.h"
#include "sketch.h"
#include "window.h"
#include "winrec.h"

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

/* Appends string token t (or "" for -1) and a NUL to m->tmp. */
static void
put_str(struct merge *m, const struct sb_json *js, long t)
{
	if (t >= 0)
		sb_json_str(js, (size_t)t, &m->tmp);
	sb_buf_putc(&m->tmp, '\0');
}

static void
part_add(struct merge *m, const struct part *p)
{
	if (m->n == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 256;
		m->parts = sb_xrealloc(m->parts, m->cap * sizeof *m->parts);
	}
	m->parts[m->n++] = *p;
}

/*
 * What aggregate(1), Merging, accepts: the strict reading of lib/winrec,
 * in --merge's words, with widths up to a year.
 */
#define MERGE_WINDOW	(SB_WIN_YEAR | SB_WIN_MERGE_WORDS)

int
merge_add(struct merge *m, const struct sb_json *js, char *err, size_t errsz)
{
	struct sb_window w;
	struct part p;
	size_t it = 0;
	uint64_t n;
	int code;
	long t;

	if (sb_window_read(&w, js, 0, MERGE_WINDOW, err, errsz) == -1)
		return -1;
	memset(&p, 0, sizeof p);
	p.start = w.start;
	p.width = w.width;
	p.count = (uint64_t)w.count;
	p.errors = (uint64_t)w.errors;
	p.client_errors = (uint64_t)w.client_errors;
	p.late = (uint64_t)w.late;
	p.bytes_n = (uint64_t)w.bytes_n;
	p.bytes_sum = w.bytes_sum;
	p.partial = w.partial;
	while (sb_window_code_next(&w, js, &it, &code, &n) == 1)
		agg_codes_add(&p.codes, code, n);
	sb_sketch_init(&p.sk);
	if (p.count > 0) {
		if ((t = w.tok[SB_WM_SKETCH]) < 0) {
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
	sb_buf_reset(&m->tmp);
	put_str(m, js, w.key);
	put_str(m, js, w.service);
	put_str(m, js, w.method);
	put_str(m, js, w.endpoint);
	p.key = memcpy(sb_xmalloc(m->tmp.len), m->tmp.s, m->tmp.len);
	p.service = p.key + strlen(p.key) + 1;
	p.method = p.service + strlen(p.service) + 1;
	p.endpoint = p.method + strlen(p.method) + 1;
	if (*p.endpoint == '\0')
		p.endpoint = p.key;
	part_add(m, &p);
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
	for (i = 0; i < m->n; i++) {
		free(m->parts[i].key);
		sb_sketch_free(&m->parts[i].sk);
	}
	m->n = 0;
}

void
merge_save(const struct merge *m, struct sb_buf *out)
{
	static const char *const name[] = {
		"key", "service", "method", "endpoint"
	};

	for (size_t i = 0; i < m->n; i++) {
		const struct part *p = &m->parts[i];
		const char *v[] = { p->key, p->service, p->method, p->endpoint };
		struct window_rec r = {
			.count = p->count, .errors = p->errors,
			.client_errors = p->client_errors, .late = p->late,
			.bytes_n = p->bytes_n, .bytes_sum = p->bytes_sum,
			.codes = &p->codes, .sk = &p->sk,
		};

		sb_buf_puts(out, "{\"type\":\"part\"");
		for (int k = 0; k < 4; k++) {
			sb_buf_printf(out, ",\"%s\":", name[k]);
			sb_buf_json_str(out, v[k], strlen(v[k]));
		}
		sb_buf_puts(out, ",\"start_ms\":");
		sb_buf_json_int(out, p->start);
		sb_buf_puts(out, ",\"width_ms\":");
		sb_buf_json_int(out, p->width);
		if (p->partial)
			sb_buf_puts(out, ",\"partial\":true");
		agg_counts_write(&r, out);
		sb_buf_puts(out, "}\n");
	}
}

int
merge_load(struct merge *m, const struct sb_json *js, char *err, size_t errsz)
{
	static const char *const name[] = {
		"key", "service", "method", "endpoint"
	};
	struct agg_counts k;
	struct part p;
	long t;

	memset(&p, 0, sizeof p);
	t = js->type;
	if (t < 0 || !sb_json_streq(js, (size_t)t, "part")) {
		snprintf(err, errsz, "not a 'part' line");
		return -1;
	}
	sb_buf_reset(&m->tmp);
	for (int i = 0; i < 4; i++) {
		size_t from = m->tmp.len;
		if ((t = sb_json_member(js, 0, name[i])) < 0 ||
		    sb_json_str(js, (size_t)t, &m->tmp) == -1 ||
		    memchr(m->tmp.s + from, '\0', m->tmp.len - from) != NULL ||
		    (i == 0 && m->tmp.len == from)) {
			snprintf(err, errsz, "'%s' is not a string", name[i]);
			return -1;
		}
		sb_buf_putc(&m->tmp, '\0');
	}
	if ((t = sb_json_member(js, 0, "start_ms")) < 0 ||
	    sb_json_int(js, (size_t)t, &p.start) == -1 ||
	    p.start < -(INT64_C(1) << 53) || p.start > INT64_C(1) << 53 ||
	    (t = sb_json_member(js, 0, "width_ms")) < 0 ||
	    sb_json_int(js, (size_t)t, &p.width) == -1 || p.width < 1 ||
	    p.width > INT64_C(1) << 53) {
		snprintf(err, errsz, "'start_ms' or 'width_ms' is not a time "
		    "in ms");
		return -1;
	}
	if (agg_counts_read(&k, js, 0, err, errsz) == -1)
		return -1;
	t = sb_json_member(js, 0, "partial");
	p.partial = t >= 0 && js->tok[t].type == SB_JTRUE;
	p.count = k.count;
	p.errors = k.errors;
	p.client_errors = k.client_errors;
	p.late = k.late;
	p.bytes_n = k.bytes_n;
	p.bytes_sum = k.bytes_sum;
	p.codes = k.codes;
	p.sk = k.sk;
	p.key = memcpy(sb_xmalloc(m->tmp.len), m->tmp.s, m->tmp.len);
	p.service = p.key + strlen(p.key) + 1;
	p.method = p.service + strlen(p.service) + 1;
	p.endpoint = p.method + strlen(p.method) + 1;
	part_add(m, &p);
	return 0;
}
