/*
 * buf.c - growable buffers and the JSON writer; see buf.h.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "timefmt.h"

static void
sb_oom(size_t n)
{
	fprintf(stderr, "out of memory (%zu bytes)\n", n);
	abort();
}

void *
sb_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		sb_oom(n);
	return p;
}

void *
sb_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL)
		sb_oom(n * size);
	return p;
}

void *
sb_xrealloc(void *old, size_t n)
{
	void *p = realloc(old, n ? n : 1);

	if (p == NULL)
		sb_oom(n);
	return p;
}

char *
sb_xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(sb_xmalloc(n), s, n);
}

void
sb_buf_init(struct sb_buf *b)
{
	b->s = NULL;
	b->len = b->cap = 0;
}

void
sb_buf_free(struct sb_buf *b)
{
	free(b->s);
	sb_buf_init(b);
}

void
sb_buf_reset(struct sb_buf *b)
{
	b->len = 0;
	if (b->s != NULL)
		b->s[0] = '\0';
}

void
sb_buf_grow(struct sb_buf *b, size_t extra)
{
	size_t need = b->len + extra + 1;

	if (need <= b->cap)
		return;
	if (need < b->len)
		sb_oom(SIZE_MAX);
	size_t cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = cap * 2 > cap ? cap * 2 : need;
	b->s = sb_xrealloc(b->s, cap);
	b->cap = cap;
}

void
sb_buf_add(struct sb_buf *b, const void *p, size_t n)
{
	sb_buf_grow(b, n);
	memcpy(b->s + b->len, p, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void
sb_buf_puts(struct sb_buf *b, const char *s)
{
	sb_buf_add(b, s, strlen(s));
}

void
sb_buf_putc(struct sb_buf *b, int c)
{
	sb_buf_grow(b, 1);
	b->s[b->len++] = (char)c;
	b->s[b->len] = '\0';
}

void
sb_buf_printf(struct sb_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	sb_buf_grow(b, 64);
	va_start(ap, fmt);
	n = vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= b->cap - b->len) {
		sb_buf_grow(b, (size_t)n);
		va_start(ap, fmt);
		vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
	}
	b->len += (size_t)n;
}

void
sb_buf_json_str(struct sb_buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, run = 0;

	sb_buf_grow(b, n + 2);
	b->s[b->len++] = '"';
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		const char *esc = NULL;

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		sb_buf_add(b, s + run, i - run);
		run = i + 1;
		switch (c) {
		case '"':	esc = "\\\""; break;
		case '\\':	esc = "\\\\"; break;
		case '\n':	esc = "\\n"; break;
		case '\r':	esc = "\\r"; break;
		case '\t':	esc = "\\t"; break;
		case '\b':	esc = "\\b"; break;
		case '\f':	esc = "\\f"; break;
		}
		if (esc != NULL) {
			sb_buf_puts(b, esc);
		} else {
			char u[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
			sb_buf_add(b, u, 6);
		}
	}
	sb_buf_add(b, s + run, n - run);
	sb_buf_putc(b, '"');
}

static void
json_num(struct sb_buf *b, double v, int digits)
{
	char tmp[40];
	int n;

	if (!isfinite(v)) {
		sb_buf_add(b, "null", 4);
		return;
	}
	if (v == 0)
		v = 0;		/* no "-0" */
	/*
	 * An integer below 2^53 (counts, zeros: 94% of detect's state) is
	 * its digits, as %g writes it up to 1e6 and %.17g up to 1e17; glibc
	 * formats every double in multiple precision, ten times slower.
	 */
	if (fabs(v) < (digits > 6 ? 9007199254740992.0 : 1e6) &&
	    v == (double)(int64_t)v) {
		sb_buf_json_int(b, (int64_t)v);
		return;
	}
	n = snprintf(tmp, sizeof tmp, "%.*g", digits, v);
	sb_buf_add(b, tmp, (size_t)n);
}

void
sb_buf_json_num(struct sb_buf *b, double v)
{
	json_num(b, v, 6);
}

void
sb_buf_json_num_exact(struct sb_buf *b, double v)
{
	json_num(b, v, 17);
}

void
sb_buf_json_int(struct sb_buf *b, int64_t v)
{
	char tmp[24], *p = tmp + sizeof tmp;
	uint64_t u = v < 0 ? -(uint64_t)v : (uint64_t)v;

	do
		*--p = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	if (v < 0)
		*--p = '-';
	sb_buf_add(b, p, (size_t)(tmp + sizeof tmp - p));
}

void
sb_buf_json_time(struct sb_buf *b, int64_t ms)
{
	char t[SB_TIME_LEN];

	sb_buf_putc(b, '"');
	sb_buf_add(b, sb_time_format(ms, t), SB_TIME_LEN - 1);
	sb_buf_putc(b, '"');
}
