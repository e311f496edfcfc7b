/*
 * logfmt.c - the table of access-log formats and the field scanners they
 * share; see logfmt.h and logfmt_impl.h.
 *
 * The scanners walk the line once, left to right, with no copies and no
 * allocation: a format must not be slower than half the JSON path
 * (scripts/bench measures both on the same requests).
 */
#include <stdio.h>
#include <string.h>

#include "logfmt_impl.h"
#include "timefmt.h"

/* A new format: its file, and a line in each of these two lists. */
extern const struct sb_logfmt sb_logfmt_nginx, sb_logfmt_nginx_json,
    sb_logfmt_apache, sb_logfmt_haproxy, sb_logfmt_envoy, sb_logfmt_alb;

static const struct sb_logfmt *const formats[] = {
	&sb_logfmt_nginx, &sb_logfmt_nginx_json, &sb_logfmt_apache,
	&sb_logfmt_haproxy, &sb_logfmt_envoy, &sb_logfmt_alb,
};
#define NFORMATS	(sizeof formats / sizeof formats[0])

const struct sb_logfmt *
sb_logfmt_find(const char *name, int *known)
{
	*known = 1;
	if (strcmp(name, "json") == 0)
		return NULL;
	for (size_t i = 0; i < NFORMATS; i++)
		if (strcmp(name, formats[i]->name) == 0)
			return formats[i];
	*known = 0;
	return NULL;
}

void
sb_logfmt_names(struct sb_buf *out)
{
	sb_buf_puts(out, "json");
	for (size_t i = 0; i < NFORMATS; i++) {
		sb_buf_puts(out, ", ");
		sb_buf_puts(out, formats[i]->name);
	}
}

static void
skip_blanks(struct lf_cur *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t'))
		c->p++;
}

int
lf_at_end(struct lf_cur *c)
{
	skip_blanks(c);
	return c->p == c->end;
}

int
lf_token(struct lf_cur *c, struct lf_field *f)
{
	const char *a;

	skip_blanks(c);
	a = c->p;
	while (c->p < c->end && *c->p != ' ' && *c->p != '\t')
		c->p++;
	f->s = a;
	f->n = (size_t)(c->p - a);
	return f->n > 0 ? 0 : -1;
}

/* Scans to the byte close, skipping backslash escapes; c->p past it. */
static int
enclosed(struct lf_cur *c, char open, char close, struct lf_field *f)
{
	const char *a;

	skip_blanks(c);
	if (c->p == c->end || *c->p != open)
		return -1;
	a = ++c->p;
	/* Most fields hold no backslash: find the end with memchr(3). */
	const char *q = memchr(a, close, (size_t)(c->end - a));
	if (q != NULL && memchr(a, '\\', (size_t)(q - a)) == NULL) {
		c->p = q;
	} else {
		while (c->p < c->end && *c->p != close) {
			if (*c->p == '\\' && c->p + 1 < c->end)
				c->p++;
			c->p++;
		}
		if (c->p == c->end)
			return -1;
	}
	f->s = a;
	f->n = (size_t)(c->p - a);
	c->p++;
	return 0;
}

int
lf_quoted(struct lf_cur *c, struct lf_field *f)
{
	return enclosed(c, '"', '"', f);
}

int
lf_bracket(struct lf_cur *c, struct lf_field *f)
{
	return enclosed(c, '[', ']', f);
}

int
lf_dash(const struct lf_field *f)
{
	return f->n == 1 && f->s[0] == '-';
}

int
lf_status(const struct lf_field *f)
{
	const char *p = f->s;

	if (f->n != 3 || p[0] < '1' || p[0] > '5' || p[1] < '0' ||
	    p[1] > '9' || p[2] < '0' || p[2] > '9')
		return -1;
	return (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');
}

int
lf_uint(const struct lf_field *f, int64_t *v)
{
	size_t i = 0;

	*v = 0;
	if (f->n > 0 && f->s[0] == '+')
		i++;
	if (i == f->n || f->n - i > 18)
		return -1;
	for (; i < f->n; i++) {
		if (f->s[i] < '0' || f->s[i] > '9')
			return -1;
		*v = *v * 10 + (f->s[i] - '0');
	}
	return 0;
}

int
lf_int(const struct lf_field *f, int64_t *v)
{
	if (f->n == 2 && f->s[0] == '-' && f->s[1] == '1') {
		*v = -1;
		return 0;
	}
	return lf_uint(f, v);
}

int
lf_seconds_us(const struct lf_field *f, int64_t *us)
{
	const char *p = f->s, *end = f->s + f->n;
	int64_t whole = 0, frac = 0;
	int nd = 0, nf = 0;

	for (; p < end && *p >= '0' && *p <= '9'; p++, nd++)
		if (nd < 10)		/* more is refused below, unmultiplied */
			whole = whole * 10 + (*p - '0');
	if (nd == 0 || nd > 9)
		return -1;
	if (p < end && *p == '.') {
		for (p++; p < end && *p >= '0' && *p <= '9'; p++, nf++)
			if (nf < 6)
				frac = frac * 10 + (*p - '0');
		if (nf == 0)
			return -1;
		for (; nf < 6; nf++)
			frac *= 10;
	}
	if (p != end)
		return -1;
	*us = whole * 1000000 + frac;
	return 0;
}

int
lf_upstream_times(const struct lf_field *f, int64_t *us)
{
	const char *p = f->s, *end = f->s + f->n;
	int any = 0;

	*us = 0;
	while (p < end) {
		const char *a = p;
		struct lf_field one;
		int64_t v;

		while (p < end && *p != ',' && *p != ':' && *p != ' ')
			p++;
		one.s = a;
		one.n = (size_t)(p - a);
		if (lf_dash(&one)) {
			/* An upstream that gave no response. */
		} else if (lf_seconds_us(&one, &v) == 0) {
			*us += v;
			any = 1;
		} else {
			return -1;
		}
		/* Separators: ", " between upstreams, " : " across redirects. */
		while (p < end && *p == ' ')
			p++;
		if (p < end && (*p == ',' || *p == ':')) {
			p++;
			while (p < end && *p == ' ')
				p++;
			if (p == end)
				return -1;
		} else if (p < end) {
			return -1;
		}
	}
	return any ? 0 : 1;
}

int
lf_set(struct sb_buf *out, const struct lf_field *f, const char *name,
    size_t max, char *err, size_t errsz)
{
	sb_buf_reset(out);
	if (f->n > max) {
		snprintf(err, errsz, "'%s' is longer than %zu bytes", name, max);
		return -1;
	}
	for (size_t i = 0; i < f->n; i++)
		if ((unsigned char)f->s[i] < 0x20 || f->s[i] == 0x7f) {
			snprintf(err, errsz, "'%s' holds a control character",
			    name);
			return -1;
		}
	if (!sb_utf8_valid(f->s, f->n)) {
		snprintf(err, errsz, "'%s' is not valid UTF-8", name);
		return -1;
	}
	sb_buf_add(out, f->s, f->n);
	return 0;
}

/* The path of an absolute target: "http://h:80/p?q" is "/p?q". */
static void
origin_form(struct lf_field *t)
{
	const char *p = t->s, *end = t->s + t->n;
	size_t skip;

	if (t->n > 7 && memcmp(p, "http://", 7) == 0)
		skip = 7;
	else if (t->n > 8 && memcmp(p, "https://", 8) == 0)
		skip = 8;
	else
		return;
	p += skip;
	while (p < end && *p != '/' && *p != '?')
		p++;
	if (p == end) {
		t->s = "/";
		t->n = 1;
		return;
	}
	t->n = (size_t)(end - p);
	t->s = p;
}

const char *
lf_show(const struct lf_field *f, char out[LF_SHOW])
{
	size_t n = f->n < LF_SHOW - 4 ? f->n : LF_SHOW - 4;

	for (size_t i = 0; i < n; i++)
		out[i] = f->s[i] >= 0x20 && f->s[i] < 0x7f ? f->s[i] : '?';
	if (n < f->n)
		memcpy(out + n, "...", 3), n += 3;
	out[n] = '\0';
	return out;
}

int
lf_request(struct sb_event *ev, const struct lf_field *req, char *err,
    size_t errsz)
{
	struct lf_cur c = { req->s, req->s + req->n };
	struct lf_field method = { "", 0 }, target = { "", 0 }, proto = { "", 0 };
	char show[LF_SHOW];

	if (lf_token(&c, &method) == -1 || lf_token(&c, &target) == -1 ||
	    lf_dash(&method) ||
	    (lf_token(&c, &proto) == 0 && !lf_at_end(&c))) {
		snprintf(err, errsz, "request '%s' is not METHOD PATH "
		    "PROTOCOL", lf_show(req, show));
		return -1;
	}
	origin_form(&target);
	for (size_t i = 0; i < method.n; i++) {
		char ch = method.s[i];
		if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
		    ch == '-' || ch == '_')) {
			snprintf(err, errsz, "request method '%s' is not a "
			    "word", lf_show(&method, show));
			return -1;
		}
	}
	if (lf_set(&ev->method, &method, "method", SB_METHOD_MAX, err,
	    errsz) == -1 ||
	    lf_set(&ev->endpoint, &target, "endpoint", SB_ENDPOINT_MAX, err,
	    errsz) == -1)
		return -1;
	if (ev->endpoint.s[0] == '?') {
		if (ev->endpoint.len == SB_ENDPOINT_MAX) {
			snprintf(err, errsz, "'endpoint' is longer than %d "
			    "bytes", SB_ENDPOINT_MAX);
			return -1;
		}
		/* "http://host?q": the path of an absolute target is "/". */
		sb_buf_grow(&ev->endpoint, 1);
		memmove(ev->endpoint.s + 1, ev->endpoint.s,
		    ev->endpoint.len + 1);
		ev->endpoint.s[0] = '/';
		ev->endpoint.len++;
	}
	return 0;
}

void
lf_set_numbers(struct sb_event *ev, int64_t latency_us, int64_t bytes)
{
	ev->latency_ms = (double)latency_us / 1000.0;
	ev->has_bytes = bytes >= 0;
	ev->bytes = bytes >= 0 ? (double)bytes : 0;
}

int
lf_combined(struct lf_cur *c, struct sb_event *ev, int64_t *bytes,
    const struct lf_combined_names *nm, char *err, size_t errsz)
{
	struct lf_field f;
	char show[LF_SHOW];
	int st;

	if (lf_token(c, &f) == -1 || lf_token(c, &f) == -1 ||
	    lf_token(c, &f) == -1 || lf_bracket(c, &f) == -1) {
		snprintf(err, errsz, "no '%s' field", nm->time);
		return -1;
	}
	if (sb_time_parse_clf(f.s, f.n, &ev->time) == -1) {
		snprintf(err, errsz, "'%s' is not a time like "
		    "[10/Oct/2000:13:55:36 -0700]: '%s'", nm->time,
		    lf_show(&f, show));
		return -1;
	}
	ev->has_time = 1;
	if (lf_quoted(c, &f) == -1) {
		snprintf(err, errsz, "no '%s' field", nm->request);
		return -1;
	}
	if (lf_request(ev, &f, err, errsz) == -1)
		return -1;
	if (lf_token(c, &f) == -1) {
		snprintf(err, errsz, "no '%s' field", nm->status);
		return -1;
	}
	if ((st = lf_status(&f)) == -1) {
		snprintf(err, errsz, "'%s' is not a status in 100..599: '%s'",
		    nm->status, lf_show(&f, show));
		return -1;
	}
	ev->status = st;
	if (lf_token(c, &f) == -1) {
		snprintf(err, errsz, "no '%s' field", nm->bytes);
		return -1;
	}
	*bytes = -1;
	if (!lf_dash(&f) && lf_uint(&f, bytes) == -1) {
		snprintf(err, errsz, "'%s' is not a byte count: '%s'",
		    nm->bytes, lf_show(&f, show));
		return -1;
	}
	if (lf_quoted(c, &f) == -1 || lf_quoted(c, &f) == -1) {
		snprintf(err, errsz, "no quoted referer and user agent after "
		    "'%s'", nm->bytes);
		return -1;
	}
	return 0;
}
