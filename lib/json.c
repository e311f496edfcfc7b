/*
 * json.c - a strict, validating JSON tokenizer; see json.h.
 *
 * The parser is one loop over the buffer with three states: expecting a
 * value, expecting a key, and having just finished a value.  It keeps no
 * stack of its own: while a container is open, its token's skip field
 * holds the index of the enclosing container, and closing the container
 * replaces that with the real skip.  Depth is bounded by a counter, so
 * deep input costs neither C stack nor memory beyond the tokens.
 *
 * What is accepted mirrors jansson 2.14 (src/load.c and src/utf.c), quirks
 * included; the comments below name each place where that matters.
 */
#include <float.h>
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "timefmt.h"

#define NONE	((size_t)-1)

void
sb_json_init(struct sb_json *js)
{
	memset(js, 0, sizeof *js);
	js->type = js->key = -1;
}

void
sb_json_free(struct sb_json *js)
{
	free(js->tok);
	sb_json_init(js);
}

static int
fail(struct sb_json *js, const unsigned char *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4), cold));

static int
fail(struct sb_json *js, const unsigned char *at, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(js->err, sizeof js->err, fmt, ap);
	va_end(ap);
	js->errpos = (size_t)(at - (const unsigned char *)js->src);
	js->ntok = 0;
	js->type = js->key = -1;
	return -1;
}

/* "unexpected character 'x'", with unprintable bytes shown in hex. */
static int
fail_unexpected(struct sb_json *js, const unsigned char *at)
{
	if (*at > ' ' && *at < 0x7f)
		return fail(js, at, "unexpected character '%c'", *at);
	return fail(js, at, "unexpected byte 0x%02x", *at);
}

/*
 * The token array only grows until it fits the largest record, so the
 * growth is kept out of line.  Returns the new array.
 */
static struct sb_jtok * __attribute__((noinline, cold))
grow_tokens(struct sb_json *js)
{
	js->cap = js->cap ? js->cap * 2 : 32;
	js->tok = sb_xrealloc(js->tok, js->cap * sizeof *js->tok);
	return js->tok;
}

static inline void
token_init(struct sb_jtok *t, int type, size_t start, size_t skip)
{
	t->type = (unsigned char)type;
	t->escaped = 0;
	t->start = start;
	t->size = 0;
	t->skip = skip;
}

/*
 * The first byte at or after p that is not whitespace, or end.  Records
 * are mostly written without any, so that case comes first: every byte
 * of whitespace is at most ' '.
 */
static inline const unsigned char *
skip_space(const unsigned char *p, const unsigned char *end)
{
	if (p < end && *p > ' ')
		return p;
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The value of the four hex digits at p, or -1; p has at least 4 bytes. */
static long
hex4(const unsigned char *p)
{
	long v = 0;

	for (int i = 0; i < 4; i++) {
		int d = hexval(p[i]);
		if (d < 0)
			return -1;
		v = v << 4 | d;
	}
	return v;
}

/*
 * Length of the well-formed UTF-8 sequence at p, or 0.  Overlong forms,
 * UTF-16 surrogates and code points above U+10FFFF are rejected, as in
 * jansson's utf8_check_full(); the tighter ranges of the second byte
 * (Unicode 15, table 3-7) are the same rules stated per lead byte.
 */
static size_t
utf8_len(const unsigned char *p, const unsigned char *end)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n, i;

	if (*p < 0xc2)
		return 0;
	if (*p < 0xe0)
		n = 2;
	else if (*p < 0xf0) {
		n = 3;
		if (*p == 0xe0)
			lo = 0xa0;
		else if (*p == 0xed)
			hi = 0x9f;
	} else if (*p < 0xf5) {
		n = 4;
		if (*p == 0xf0)
			lo = 0x90;
		else if (*p == 0xf4)
			hi = 0x8f;
	} else
		return 0;
	if ((size_t)(end - p) < n || p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

/*
 * Checks the escape at *pp (the backslash) of the string opened at quote
 * and moves *pp past it.
 */
static int
scan_escape(struct sb_json *js, const unsigned char **pp,
    const unsigned char *quote, const unsigned char *end)
{
	const unsigned char *p = *pp;
	long cp, lo;

	if (end - p < 2)
		return fail(js, quote, "unterminated string");
	switch (p[1]) {
	case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r':
	case 't':
		*pp = p + 2;
		return 0;
	case 'u':
		break;
	default:
		if (p[1] > ' ' && p[1] < 0x7f)
			return fail(js, p, "invalid escape '\\%c'", p[1]);
		return fail(js, p, "invalid escape");
	}
	if (end - p < 6)
		return fail(js, quote, "unterminated string");
	if ((cp = hex4(p + 2)) < 0)
		return fail(js, p, "invalid \\u escape");
	/* jansson refuses NUL without JSON_ALLOW_NUL, in keys and values. */
	if (cp == 0)
		return fail(js, p, "\\u0000 is not allowed");
	if (cp >= 0xdc00 && cp <= 0xdfff)
		return fail(js, p, "unpaired surrogate in \\u escape");
	if (cp < 0xd800 || cp > 0xdbff) {
		*pp = p + 6;
		return 0;
	}
	if (end - p < 12 || p[6] != '\\' || p[7] != 'u')
		return fail(js, p, "unpaired surrogate in \\u escape");
	if ((lo = hex4(p + 8)) < 0)
		return fail(js, p + 6, "invalid \\u escape");
	if (lo < 0xdc00 || lo > 0xdfff)
		return fail(js, p, "unpaired surrogate in \\u escape");
	*pp = p + 12;
	return 0;
}

/*
 * Skips the bytes of a string that need no attention.  Eight at a time
 * first: the usual bit trick finds whether a word holds a byte below 0x20,
 * a quote, a backslash or a byte with the top bit set.  A borrow can only
 * flag a byte above a real hit, so the lowest flag is exact: on a
 * little-endian machine, where the first byte is the lowest, it is the
 * byte to stop at.  Elsewhere the byte loop that follows finds it.
 */
static inline const unsigned char *
skip_plain(const unsigned char *p, const unsigned char *end)
{
	const uint64_t ones = 0x0101010101010101u, high = ones << 7;
	uint64_t x, hit;

	while (end - p >= 8) {
		memcpy(&x, p, 8);
		hit = ((x - ones * 0x20) | ((x ^ ones * '"') - ones) |
		    ((x ^ ones * '\\') - ones) | x) & high;
		if (hit) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
			return p + (__builtin_ctzll(hit) >> 3);
#else
			break;
#endif
		}
		p += 8;
	}
	while (p < end && *p >= 0x20 && *p < 0x80 && *p != '"' && *p != '\\')
		p++;
	return p;
}

/*
 * The rest of string token t, opened at quote, from p, where
 * skip_plain() stopped short of the closing quote: the closing quote,
 * or NULL after fail().
 */
static const unsigned char * __attribute__((noinline))
string_end_slow(struct sb_json *js, struct sb_jtok *t,
    const unsigned char *quote, const unsigned char *p,
    const unsigned char *end)
{
	size_t n;

	for (;;) {
		if (p == end) {
			fail(js, quote, "unterminated string");
			return NULL;
		}
		if (*p == '"')
			return p;
		if (*p == '\\') {
			t->escaped = 1;
			if (scan_escape(js, &p, quote, end) == -1)
				return NULL;
		} else if (*p < 0x20) {
			fail(js, p, "control character 0x%02x in string", *p);
			return NULL;
		} else {
			if ((n = utf8_len(p, end)) == 0) {
				fail(js, p, "invalid UTF-8 in string");
				return NULL;
			}
			p += n;
		}
		p = skip_plain(p, end);
	}
}

/*
 * The closing quote of string token t, opened at quote, or NULL after
 * fail().  Most strings are plain ASCII: those are done here, inline,
 * and only one with an escape, a control byte or UTF-8 in it, or
 * without an end, takes the call.  A record has some thirty strings,
 * keys included.
 */
static inline const unsigned char *
string_end(struct sb_json *js, struct sb_jtok *t, const unsigned char *quote,
    const unsigned char *end)
{
	const unsigned char *p = skip_plain(quote + 1, end);

	if (p < end && *p == '"')
		return p;
	return string_end_slow(js, t, quote, p, end);
}

static int
isdigit_c(int c)
{
	return c >= '0' && c <= '9';
}

/*
 * The end of the number starting at p, or NULL: RFC 8259's grammar, which
 * is also jansson's (no leading zeros, "1.", ".5" or "+1").
 */
static const unsigned char *
scan_number(const unsigned char *p, const unsigned char *end)
{
	if (p < end && *p == '-')
		p++;
	if (p == end || !isdigit_c(*p))
		return NULL;
	if (*p++ == '0') {
		if (p < end && isdigit_c(*p))
			return NULL;
	} else {
		while (p < end && isdigit_c(*p))
			p++;
	}
	if (p < end && *p == '.') {
		if (++p == end || !isdigit_c(*p))
			return NULL;
		while (p < end && isdigit_c(*p))
			p++;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		if (++p < end && (*p == '+' || *p == '-'))
			p++;
		if (p == end || !isdigit_c(*p))
			return NULL;
		while (p < end && isdigit_c(*p))
			p++;
	}
	return p;
}

/* Whether the bytes at p, before end, begin with the n bytes of lit. */
static inline int
spells(const unsigned char *p, const unsigned char *end, const char *lit,
    size_t n)
{
	return (size_t)(end - p) >= n && memcmp(p, lit, n) == 0;
}

static int streq_escaped(const struct sb_json *, size_t, const char *, size_t);

/* Key token t (k is its token) of the top-level object: "type" or "key"? */
static inline void
envelope(struct sb_json *js, const struct sb_jtok *k, size_t t)
{
	const char *p = js->src + k->start;
	size_t n = k->end - k->start;

	if (k->escaped) {	/* rare: the general comparison */
		if (streq_escaped(js, t, "type", 4))
			js->type = (long)t + 1;
		else if (streq_escaped(js, t, "key", 3))
			js->key = (long)t + 1;
	} else if (n == 4 && memcmp(p, "type", 4) == 0) {
		js->type = (long)t + 1;
	} else if (n == 3 && memcmp(p, "key", 3) == 0) {
		js->key = (long)t + 1;
	}
}

/*
 * The tokens go into tok[0..ntok), local copies of js->tok and js->ntok
 * until the end: a token's type and escaped fields are unsigned char,
 * which may alias anything, so anything the loop kept in *js would be
 * read again from memory after every token.
 */
int
sb_json_parse(struct sb_json *js, const char *buf, size_t len)
{
	const unsigned char *base = (const unsigned char *)buf;
	const unsigned char *p = base, *end = base + len, *q;
	struct sb_jtok *tok = js->tok, *t;
	size_t ntok = 0, cap = js->cap, cur = NONE, depth = 0, parent;
	int inobj = 0;		/* cur is an object, not an array */

	js->src = buf;
	js->len = len;
	js->ntok = 0;
	js->err[0] = '\0';
	js->errpos = 0;
	js->type = js->key = -1;

value:
	p = skip_space(p, end);
	if (p == end)
		return fail(js, p, cur == NONE ? "empty input" :
		    "truncated input");
	/* jansson counts every value, scalars too, against its limit. */
	if (depth >= SB_JSON_MAX_DEPTH)
		return fail(js, p, "nesting too deep");
	if (ntok == cap) {
		tok = grow_tokens(js);
		cap = js->cap;
	}
	t = &tok[ntok];
	switch (*p) {
	case '{':
	case '[':
		/* While open, skip holds the parent. */
		inobj = *p == '{';
		token_init(t, inobj ? SB_JOBJECT : SB_JARRAY,
		    (size_t)(p - base), cur);
		cur = ntok++;
		depth++;
		p = skip_space(p + 1, end);
		if (p < end && *p == (inobj ? '}' : ']'))
			goto close;
		if (inobj)
			goto key;
		tok[cur].size++;
		goto value;
	case '"':
		token_init(t, SB_JSTRING, (size_t)(p - base) + 1, ntok + 1);
		if ((q = string_end(js, t, p, end)) == NULL)
			return -1;
		t->end = (size_t)(q - base);
		p = q + 1;
		break;
	case '-': case '0': case '1': case '2': case '3': case '4':
	case '5': case '6': case '7': case '8': case '9':
		if ((q = scan_number(p, end)) == NULL)
			return fail(js, p, "invalid number");
		token_init(t, SB_JNUMBER, (size_t)(p - base), ntok + 1);
		t->end = (size_t)(q - base);
		p = q;
		break;
	case 't':
		if (!spells(p, end, "true", 4))
			return fail(js, p, "invalid literal");
		token_init(t, SB_JTRUE, (size_t)(p - base), ntok + 1);
		t->end = (size_t)(p - base) + 4;
		p += 4;
		break;
	case 'f':
		if (!spells(p, end, "false", 5))
			return fail(js, p, "invalid literal");
		token_init(t, SB_JFALSE, (size_t)(p - base), ntok + 1);
		t->end = (size_t)(p - base) + 5;
		p += 5;
		break;
	case 'n':
		if (!spells(p, end, "null", 4))
			return fail(js, p, "invalid literal");
		token_init(t, SB_JNULL, (size_t)(p - base), ntok + 1);
		t->end = (size_t)(p - base) + 4;
		p += 4;
		break;
	default:
		return fail_unexpected(js, p);
	}
	ntok++;

next:
	if (cur == NONE)
		goto done;
	p = skip_space(p, end);
	if (p == end)
		return fail(js, p, "truncated input");
	if (*p == ',') {
		p++;
		if (inobj)
			goto key;
		tok[cur].size++;
		goto value;
	}
	if (*p != (inobj ? '}' : ']'))
		return fail(js, p, inobj ?
		    "expected ',' or '}' after object member" :
		    "expected ',' or ']' after array element");

close:
	/* p is at the closing bracket or brace of cur. */
	tok[cur].end = (size_t)(p - base) + 1;
	parent = tok[cur].skip;
	tok[cur].skip = ntok;
	cur = parent;
	inobj = cur != NONE && tok[cur].type == SB_JOBJECT;
	depth--;
	p++;
	goto next;

key:
	p = skip_space(p, end);
	if (p == end)
		return fail(js, p, "truncated input");
	if (*p != '"')
		return fail(js, p, "expected string key");
	tok[cur].size++;
	if (ntok == cap) {
		tok = grow_tokens(js);
		cap = js->cap;
	}
	t = &tok[ntok];
	token_init(t, SB_JSTRING, (size_t)(p - base) + 1, ntok + 1);
	if ((q = string_end(js, t, p, end)) == NULL)
		return -1;
	t->end = (size_t)(q - base);
	if (depth == 1)
		envelope(js, t, ntok);
	ntok++;
	p = skip_space(q + 1, end);
	if (p == end)
		return fail(js, p, "truncated input");
	if (*p != ':')
		return fail(js, p, "expected ':' after key");
	p++;
	goto value;

done:
	p = skip_space(p, end);
	if (p != end)
		return fail(js, p, "trailing garbage");
	js->ntok = ntok;
	return 0;
}

/*
 * Decodes the escape at p (the backslash) of a token that parsed, so it
 * is well formed, into u; returns the byte after it.
 */
static const char *
unescape(const char *p, char u[4], size_t *n)
{
	const unsigned char *q = (const unsigned char *)p;
	long cp;

	*n = 1;
	switch (q[1]) {
	case 'b':	u[0] = '\b'; return p + 2;
	case 'f':	u[0] = '\f'; return p + 2;
	case 'n':	u[0] = '\n'; return p + 2;
	case 'r':	u[0] = '\r'; return p + 2;
	case 't':	u[0] = '\t'; return p + 2;
	case 'u':	break;
	default:	u[0] = p[1]; return p + 2;
	}
	cp = hex4(q + 2);
	p += 6;
	if (cp >= 0xd800 && cp <= 0xdbff) {
		cp = 0x10000 + ((cp - 0xd800) << 10) + (hex4(q + 8) - 0xdc00);
		p += 6;
	}
	if (cp < 0x80) {
		u[0] = (char)cp;
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | cp >> 6);
		u[1] = (char)(0x80 | (cp & 0x3f));
		*n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | cp >> 12);
		u[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		*n = 3;
	} else {
		u[0] = (char)(0xf0 | cp >> 18);
		u[1] = (char)(0x80 | (cp >> 12 & 0x3f));
		u[2] = (char)(0x80 | (cp >> 6 & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		*n = 4;
	}
	return p;
}

static int
is_string(const struct sb_json *js, size_t t)
{
	return t < js->ntok && js->tok[t].type == SB_JSTRING;
}

/* Whether string token t, which holds escapes, unescapes to s[0..n). */
static int __attribute__((noinline))
streq_escaped(const struct sb_json *js, size_t t, const char *s, size_t n)
{
	const char *p = js->src + js->tok[t].start;
	const char *end = js->src + js->tok[t].end;
	const char *se = s + n;
	char u[4];
	size_t un;

	while (p < end) {
		if (*p != '\\') {
			if (s == se || *s++ != *p++)
				return 0;
			continue;
		}
		p = unescape(p, u, &un);
		if ((size_t)(se - s) < un || memcmp(s, u, un) != 0)
			return 0;
		s += un;
	}
	return s == se;
}

/*
 * Whether string token t unescapes to the n bytes at s.  Inline, as
 * lookups compare every key of an object and keys are a few bytes: a
 * plain loop is cheaper here than a call, to memcmp() or to this.
 */
static inline int
streq_n(const struct sb_json *js, size_t t, const char *s, size_t n)
{
	const struct sb_jtok *k = &js->tok[t];
	const char *p = js->src + k->start;

	if (k->escaped)
		return streq_escaped(js, t, s, n);
	if (k->end - k->start != n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (p[i] != s[i])
			return 0;
	return 1;
}

int
sb_json_streq(const struct sb_json *js, size_t t, const char *s)
{
	return is_string(js, t) && streq_n(js, t, s, strlen(s));
}

int
sb_json_str(const struct sb_json *js, size_t t, struct sb_buf *out)
{
	const char *p, *end, *run;
	char u[4];
	size_t un;

	if (!is_string(js, t))
		return -1;
	p = run = js->src + js->tok[t].start;
	end = js->src + js->tok[t].end;
	if (!js->tok[t].escaped) {
		sb_buf_add(out, p, (size_t)(end - p));
		return 0;
	}
	while ((p = memchr(p, '\\', (size_t)(end - p))) != NULL) {
		sb_buf_add(out, run, (size_t)(p - run));
		p = run = unescape(p, u, &un);
		sb_buf_add(out, u, un);
	}
	sb_buf_add(out, run, (size_t)(end - run));
	return 0;
}

static long
member_n(const struct sb_json *js, size_t obj, const char *key, size_t n)
{
	size_t k, m;
	long found = -1;

	if (obj >= js->ntok || js->tok[obj].type != SB_JOBJECT)
		return -1;
	k = obj + 1;
	for (m = 0; m < js->tok[obj].size; m++) {
		/* Keep going: a repeated key's last value wins, as in jansson. */
		if (streq_n(js, k, key, n))
			found = (long)(k + 1);
		k = js->tok[k + 1].skip;
	}
	return found;
}

long
sb_json_member(const struct sb_json *js, size_t obj, const char *key)
{
	return member_n(js, obj, key, strlen(key));
}

/* Each dot-separated part of path is one key; a key with a dot is unreachable. */
long
sb_json_path(const struct sb_json *js, size_t obj, const char *path)
{
	const char *dot;
	long t;

	while ((dot = strchr(path, '.')) != NULL) {
		if ((t = member_n(js, obj, path, (size_t)(dot - path))) < 0)
			return -1;
		obj = (size_t)t;
		path = dot + 1;
	}
	return member_n(js, obj, path, strlen(path));
}

/*
 * Clinger's fast path (PLDI 1990): when the digits make an integer of at
 * most 2^53 and the power of ten is at most 10^22, both are exact doubles
 * and one IEEE multiplication or division rounds correctly, so the result
 * is strtod()'s at a tenth of the cost.  Latencies and status codes take
 * this path.  With excess precision (x87, FLT_EVAL_METHOD 2) the single
 * rounding is not guaranteed, so there it is never taken.
 */
static int
number_fast(const char *p, const char *end, double *out)
{
	static const double pow10[] = {
		1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
		1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21,
		1e22,
	};
	const char *dot = NULL;
	uint64_t m = 0;
	long e = 0, frac;
	int ndig = 0, neg = 0, eneg = 0;
	double v;

	if (FLT_EVAL_METHOD != 0)
		return -1;
	if (*p == '-') {
		neg = 1;
		p++;
	}
	for (; p < end && (isdigit_c(*p) || *p == '.'); p++) {
		if (*p == '.')
			dot = p;
		else if (++ndig > 19)
			return -1;
		else
			m = m * 10 + (uint64_t)(*p - '0');
	}
	frac = dot != NULL ? (long)(p - dot - 1) : 0;
	if (p < end) {
		if (*++p == '-' || *p == '+')
			eneg = *p++ == '-';
		if (end - p > 2)
			return -1;
		for (; p < end; p++)
			e = e * 10 + (*p - '0');
	}
	e = (eneg ? -e : e) - frac;
	if (m > (uint64_t)1 << 53 || e < -22 || e > 22)
		return -1;
	v = e < 0 ? (double)m / pow10[-e] : (double)m * pow10[e];
	*out = neg ? -v : v;
	return 0;
}

int
sb_json_number(const struct sb_json *js, size_t t, double *out)
{
	char small[64], *s = small, *dp;
	const char *radix;
	size_t n;
	double v;

	if (t >= js->ntok || js->tok[t].type != SB_JNUMBER)
		return -1;
	if (number_fast(js->src + js->tok[t].start, js->src + js->tok[t].end,
	    out) == 0)
		return 0;
	/* The token is not NUL-terminated; long ones go to the heap. */
	n = js->tok[t].end - js->tok[t].start;
	if (n >= sizeof small)
		s = sb_xmalloc(n + 1);
	memcpy(s, js->src + js->tok[t].start, n);
	s[n] = '\0';
	/*
	 * strtod() follows LC_NUMERIC; a tool that called setlocale() with
	 * a comma locale would otherwise read "812.4" as 812, silently.
	 */
	radix = localeconv()->decimal_point;
	if ((dp = memchr(s, '.', n)) != NULL && radix[0] != '.' &&
	    radix[0] != '\0' && radix[1] == '\0')
		*dp = radix[0];
	v = strtod(s, NULL);
	if (s != small)
		free(s);
	if (!isfinite(v))
		return -1;
	*out = v;
	return 0;
}

/*
 * Integral means the decimal as written, not its nearest double: 200.0
 * and 2e2 are 200, 9007199254740993.0 is exactly that, 1e-400 is not an
 * integer although it reads as 0.0.  The value is digits * 10^scale; the
 * exponent stops growing past 2^59, far beyond the length of any token
 * that fits in memory, so that scale cannot overflow.
 */
int
sb_json_int(const struct sb_json *js, size_t t, int64_t *out)
{
	const char *p, *end, *dig, *dend, *q;
	int64_t exp = 0, scale;
	uint64_t mag = 0, limit;
	size_t nfrac = 0;
	int neg, eneg = 0;

	if (t >= js->ntok || js->tok[t].type != SB_JNUMBER)
		return -1;
	p = js->src + js->tok[t].start;
	end = js->src + js->tok[t].end;
	if ((neg = *p == '-'))
		p++;
	dig = p;
	while (p < end && *p != 'e' && *p != 'E')
		p++;
	dend = p;
	if ((q = memchr(dig, '.', (size_t)(dend - dig))) != NULL)
		nfrac = (size_t)(dend - q - 1);
	if (p < end) {
		if (*++p == '-' || *p == '+')
			eneg = *p++ == '-';
		for (; p < end; p++)
			if (exp < (int64_t)1 << 59)
				exp = exp * 10 + (*p - '0');
	}
	scale = (eneg ? -exp : exp) - (int64_t)nfrac;

	/* Trailing zeros move into the scale; leading ones are skipped. */
	while (dend > dig && (dend[-1] == '0' || dend[-1] == '.')) {
		if (*--dend == '0')
			scale++;
	}
	while (dig < dend && (*dig == '0' || *dig == '.'))
		dig++;
	if (dig == dend) {
		*out = 0;
		return 0;
	}
	if (scale < 0)
		return -1;

	limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (; dig < dend; dig++) {
		if (*dig == '.')
			continue;
		if (mag > (limit - (uint64_t)(*dig - '0')) / 10)
			return -1;
		mag = mag * 10 + (uint64_t)(*dig - '0');
	}
	for (; scale > 0; scale--) {
		if (mag > limit / 10)
			return -1;
		mag *= 10;
	}
	*out = neg ? -(int64_t)(mag - 1) - 1 : (int64_t)mag;
	return 0;
}

void
sb_json_span(const struct sb_json *js, size_t t, size_t *a, size_t *b)
{
	*a = js->tok[t].start;
	*b = js->tok[t].end;
	if (js->tok[t].type == SB_JSTRING) {
		(*a)--;
		(*b)++;
	}
}

int
sb_json_get_str(const struct sb_json *js, size_t obj, const char *name,
    char **out)
{
	struct sb_buf b = SB_BUF_INIT;
	long t = sb_json_member(js, obj, name);

	*out = NULL;
	if (t < 0)
		return 0;
	if (js->tok[t].type != SB_JSTRING)
		return -1;
	sb_json_str(js, (size_t)t, &b);
	sb_buf_putc(&b, '\0');
	*out = b.s;
	return 1;
}

int
sb_json_get_time(const struct sb_json *js, size_t obj, const char *name,
    int64_t *out)
{
	struct sb_buf b = SB_BUF_INIT;
	long t = sb_json_member(js, obj, name);
	double v;
	int rc;

	if (t < 0)
		return 0;
	if (js->tok[t].type == SB_JNUMBER)
		return sb_json_number(js, (size_t)t, &v) == 0 &&
		    sb_time_from_epoch(v, out) == 0 ? 1 : -1;
	if (js->tok[t].type != SB_JSTRING)
		return -1;
	sb_json_str(js, (size_t)t, &b);
	rc = b.len > 0 && sb_time_parse(b.s, b.len, out) == 0 ? 1 : -1;
	sb_buf_free(&b);
	return rc;
}

int
sb_json_get_num(const struct sb_json *js, size_t obj, const char *name,
    double *out)
{
	long t = sb_json_member(js, obj, name);

	if (t < 0 || js->tok[t].type == SB_JNULL)
		return 0;
	return sb_json_number(js, (size_t)t, out) == 0 ? 1 : -1;
}

int
sb_utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;

	while (p < end) {
		size_t k = 1;
		if (*p >= 0x80 && (k = utf8_len(p, end)) == 0)
			return 0;
		p += k;
	}
	return 1;
}
