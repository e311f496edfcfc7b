/*
 * test_json.c - the JSON tokenizer against its contract and against
 * jansson, which it must agree with on every input (json.h).
 *
 * Hand-written cases pin down each rule and each error message; then a
 * seeded generator produces random documents and mutations of them, and
 * every one is parsed by both sb_json_parse() and json_loadb(): the two
 * must accept and reject the same inputs and, when they accept, agree on
 * every value.  Numbers jansson refuses as out of range are replaced by
 * 0e000... of the same length and the input parsed again, since range is
 * the one thing json.h leaves to the caller.
 */
#include <ctype.h>
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../tap.h"
#include "json.h"

#define S(lit)	lit, sizeof(lit) - 1

/*
 * Hand-written cases.  err is NULL for input that must parse, else the
 * start of the expected message; pos is the expected errpos.  range marks
 * input jansson refuses only because a number is out of its range.
 */
struct hand {
	const char	*in;
	size_t		 len;
	const char	*err;
	size_t		 pos;
	int		 range;
};

static const struct hand hand[] = {
	/* Scalars and containers. */
	{ S("0"), NULL, 0, 0 },
	{ S("-0"), NULL, 0, 0 },
	{ S("-0.0"), NULL, 0, 0 },
	{ S("123"), NULL, 0, 0 },
	{ S("-1.5e10"), NULL, 0, 0 },
	{ S("1E+5"), NULL, 0, 0 },
	{ S("1e-5"), NULL, 0, 0 },
	{ S("1e-400"), NULL, 0, 0 },
	{ S("1e400"), NULL, 0, 1 },
	{ S("-1e400"), NULL, 0, 1 },
	{ S("99999999999999999999"), NULL, 0, 1 },
	{ S("-9223372036854775809"), NULL, 0, 1 },
	{ S("[9223372036854775808]"), NULL, 0, 1 },
	{ S("true"), NULL, 0, 0 },
	{ S("false"), NULL, 0, 0 },
	{ S("null"), NULL, 0, 0 },
	{ S("\"\""), NULL, 0, 0 },
	{ S("[]"), NULL, 0, 0 },
	{ S("{}"), NULL, 0, 0 },
	{ S(" \t\r\n[ 1 ,\t2 ]\r\n"), NULL, 0, 0 },
	{ S("{\"a\":1,\"a\":2}"), NULL, 0, 0 },
	{ S("[[[]],{\"\":{}}]"), NULL, 0, 0 },
	/* Strings. */
	{ S("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\""), NULL, 0, 0 },
	{ S("\"\\u00e9\\u00E9\""), NULL, 0, 0 },
	{ S("\"\\uD834\\uDD1E\""), NULL, 0, 0 },
	{ S("\"\\udbff\\udfff\""), NULL, 0, 0 },
	{ S("\"\xc3\xa9\""), NULL, 0, 0 },
	{ S("\"\xc2\x80\xdf\xbf\""), NULL, 0, 0 },
	{ S("\"\xe0\xa0\x80\xed\x9f\xbf\xee\x80\x80\xef\xbf\xbf\""), NULL, 0, 0 },
	{ S("\"\xf0\x90\x80\x80\xf4\x8f\xbf\xbf\""), NULL, 0, 0 },
	{ S("\"\x7f\""), NULL, 0, 0 },
	{ S("\"a\"\0"), "trailing garbage", 3, 0 },
	{ S("[]\0"), "trailing garbage", 2, 0 },
	{ S("[\0]"), "unexpected byte 0x00", 1, 0 },
	{ S("1 \0"), "trailing garbage", 2, 0 },
	/* Structure. */
	{ S(""), "empty input", 0, 0 },
	{ S(" \n "), "empty input", 3, 0 },
	{ S("\xef\xbb\xbf{}"), "unexpected byte 0xef", 0, 0 },
	{ S("\f1"), "unexpected byte 0x0c", 0, 0 },
	{ S("\v1"), "unexpected byte 0x0b", 0, 0 },
	{ S("1 2"), "trailing garbage", 2, 0 },
	{ S("{} x"), "trailing garbage", 3, 0 },
	{ S("["), "truncated input", 1, 0 },
	{ S("[1,"), "truncated input", 3, 0 },
	{ S("[1"), "truncated input", 2, 0 },
	{ S("{\"a\""), "truncated input", 4, 0 },
	{ S("{\"a\":"), "truncated input", 5, 0 },
	{ S("{\"a\":1"), "truncated input", 6, 0 },
	{ S("[1,]"), "unexpected character ']'", 3, 0 },
	{ S("[,1]"), "unexpected character ','", 1, 0 },
	{ S("[1 2]"), "expected ',' or ']'", 3, 0 },
	{ S("[1:2]"), "expected ',' or ']'", 2, 0 },
	{ S("{\"a\":1]"), "expected ',' or '}'", 6, 0 },
	{ S("{\"a\" 1}"), "expected ':' after key", 5, 0 },
	{ S("{1:2}"), "expected string key", 1, 0 },
	{ S("{\"a\":1,}"), "expected string key", 7, 0 },
	{ S("{,}"), "expected string key", 1, 0 },
	{ S("]"), "unexpected character ']'", 0, 0 },
	{ S("'a'"), "unexpected character '''", 0, 0 },
	{ S("\xc3\xa9"), "unexpected byte 0xc3", 0, 0 },
	/* Literals. */
	{ S("tru"), "invalid literal", 0, 0 },
	{ S("[nul]"), "invalid literal", 1, 0 },
	{ S("True"), "unexpected character 'T'", 0, 0 },
	{ S("truex"), "trailing garbage", 4, 0 },
	{ S("[falsey]"), "expected ',' or ']'", 6, 0 },
	{ S("NaN"), "unexpected character 'N'", 0, 0 },
	/* Numbers. */
	{ S("01"), "invalid number", 0, 0 },
	{ S("[-01]"), "invalid number", 1, 0 },
	{ S("00"), "invalid number", 0, 0 },
	{ S("1."), "invalid number", 0, 0 },
	{ S("1.e5"), "invalid number", 0, 0 },
	{ S(".5"), "unexpected character '.'", 0, 0 },
	{ S("+1"), "unexpected character '+'", 0, 0 },
	{ S("-"), "invalid number", 0, 0 },
	{ S("-a"), "invalid number", 0, 0 },
	{ S("- 1"), "invalid number", 0, 0 },
	{ S("1e"), "invalid number", 0, 0 },
	{ S("1e+"), "invalid number", 0, 0 },
	{ S("1E-x"), "invalid number", 0, 0 },
	{ S("-Infinity"), "invalid number", 0, 0 },
	{ S("0x10"), "trailing garbage", 1, 0 },
	{ S("1.5.3"), "trailing garbage", 3, 0 },
	/* Strings. */
	{ S("\"abc"), "unterminated string", 0, 0 },
	{ S("[\"a\\"), "unterminated string", 1, 0 },
	{ S("\"\\u12"), "unterminated string", 0, 0 },
	{ S("\"\\x\""), "invalid escape '\\x'", 1, 0 },
	{ S("\"\\U0041\""), "invalid escape '\\U'", 1, 0 },
	{ S("\"\\\x01\""), "invalid escape", 1, 0 },
	{ S("\"\\u12g4\""), "invalid \\u escape", 1, 0 },
	{ S("\"\\u0000\""), "\\u0000 is not allowed", 1, 0 },
	{ S("{\"\\u0000\":1}"), "\\u0000 is not allowed", 2, 0 },
	{ S("\"\\ud800\""), "unpaired surrogate", 1, 0 },
	{ S("\"\\udc00\\ud800\""), "unpaired surrogate", 1, 0 },
	{ S("\"\\ud800\\u0041\""), "unpaired surrogate", 1, 0 },
	{ S("\"\\ud800\\ud800\""), "unpaired surrogate", 1, 0 },
	{ S("\"\\ud800\\n\""), "unpaired surrogate", 1, 0 },
	{ S("\"\\ud800\\uzzzz\""), "invalid \\u escape", 7, 0 },
	{ S("\"a\x01\""), "control character 0x01 in string", 2, 0 },
	{ S("\"\t\""), "control character 0x09 in string", 1, 0 },
	{ S("\"\n\""), "control character 0x0a in string", 1, 0 },
	{ S("\"a\0b\""), "control character 0x00 in string", 2, 0 },
	{ S("\"\x80\""), "invalid UTF-8 in string", 1, 0 },
	{ S("\"\xc0\x80\""), "invalid UTF-8 in string", 1, 0 },
	{ S("\"\xc1\xbf\""), "invalid UTF-8 in string", 1, 0 },
	{ S("\"\xe0\x80\x80\""), "invalid UTF-8 in string", 1, 0 },
	{ S("\"\xe0\x9f\xbf\""), "invalid UTF-8 in string", 1, 0 },
	{ S("\"\xed\xa0\x80\""), "invalid UTF-8 in string", 1, 0 },
	{ S("\"\xed\xbf\xbf\""), "invalid UTF-8 in string", 1, 0 },
	{ S("\"\xf0\x8f\xbf\xbf\""), "invalid UTF-8 in string", 1, 0 },
	{ S("\"\xf4\x90\x80\x80\""), "invalid UTF-8 in string", 1, 0 },
	{ S("\"\xf5\x80\x80\x80\""), "invalid UTF-8 in string", 1, 0 },
	{ S("\"\xff\""), "invalid UTF-8 in string", 1, 0 },
	{ S("\"ab\xe2\x82\""), "invalid UTF-8 in string", 3, 0 },
	{ S("\"\xc3\xa9\xe2\x82"), "invalid UTF-8 in string", 3, 0 },
	{ S("\"\xf0\x9f\x98"), "invalid UTF-8 in string", 1, 0 },
	{ S("\"\xc3\x28\""), "invalid UTF-8 in string", 1, 0 },
};

enum verdict { REJECT, ACCEPT, RANGE };

/* What jansson makes of the input: RANGE is a number out of its range. */
static enum verdict
jansson(const char *in, size_t len)
{
	json_error_t e;
	json_t *j = json_loadb(in, len, JSON_DECODE_ANY, &e);

	if (j != NULL) {
		json_decref(j);
		return ACCEPT;
	}
	return json_error_code(&e) == json_error_numeric_overflow ? RANGE :
	    REJECT;
}

/*
 * The one deliberate difference in what parses: jansson reads a byte past
 * a number or literal and puts it back, and a NUL put back is lost, so it
 * accepts "1\0" and "[true\0]".  That is a bug of its look-ahead; we
 * reject the NUL like any other stray byte.
 */
static const struct hand nul_quirk[] = {
	{ S("1\0"), "trailing garbage", 1, 0 },
	{ S("[true\0]"), "expected ',' or ']' after array element", 5, 0 },
	{ S("[1\0,2]"), "expected ',' or ']' after array element", 2, 0 },
	{ S("{\"a\":null\0 }"), "expected ',' or '}' after object member", 9, 0 },
};

/* in[len - 1] is a NUL right after a number or literal: jansson's bug. */
static int
nul_after_scalar(const char *in, size_t len)
{
	unsigned char c = len >= 2 ? (unsigned char)in[len - 2] : 0;

	return len >= 2 && in[len - 1] == '\0' &&
	    (isdigit(c) || c == 'e' || c == 'l');
}

static void
test_nul_quirk(void)
{
	struct sb_json js;
	size_t i;

	sb_json_init(&js);
	for (i = 0; i < sizeof nul_quirk / sizeof nul_quirk[0]; i++) {
		const struct hand *h = &nul_quirk[i];
		int rc = sb_json_parse(&js, h->in, h->len);

		ok(jansson(h->in, h->len) == ACCEPT,
		    "NUL case %zu: jansson accepts it (its look-ahead bug)", i);
		ok(rc == -1 && strcmp(js.err, h->err) == 0 && js.errpos == h->pos,
		    "NUL case %zu: we reject it: %s at %zu", i, js.err, js.errpos);
	}
	sb_json_free(&js);
}

static void
test_hand(void)
{
	struct sb_json js;
	size_t i;

	sb_json_init(&js);
	for (i = 0; i < sizeof hand / sizeof hand[0]; i++) {
		const struct hand *h = &hand[i];
		int rc = sb_json_parse(&js, h->in, h->len);

		ok(jansson(h->in, h->len) == (h->err ? REJECT : h->range ? RANGE :
		    ACCEPT), "case %zu: jansson %s", i, h->err ? "rejects" :
		    h->range ? "finds a number out of range" : "accepts");
		if (h->err == NULL) {
			if (!ok(rc == 0, "case %zu: accepted", i))
				printf("#   %s at byte %zu\n", js.err, js.errpos);
			continue;
		}
		if (!ok(rc == -1 && strncmp(js.err, h->err, strlen(h->err)) == 0 &&
		    js.errpos == h->pos && js.ntok == 0,
		    "case %zu: %s at byte %zu", i, h->err, h->pos))
			printf("#   got rc %d, '%s' at byte %zu\n", rc, js.err,
			    js.errpos);
	}
	sb_json_free(&js);
}

/* n containers opened and closed, around inner. */
static void
nest(struct sb_buf *b, size_t n, const char *inner, int objects)
{
	size_t i;

	sb_buf_reset(b);
	for (i = 0; i < n; i++)
		sb_buf_puts(b, objects && i % 2 ? "{\"k\":" : "[");
	sb_buf_puts(b, inner);
	for (i = n; i-- > 0; )
		sb_buf_puts(b, objects && i % 2 ? "}" : "]");
}

static void
test_depth(void)
{
	static const struct {
		size_t		 n;
		const char	*inner;
		int		 objects;
		int		 good;
	} d[] = {
		{ 2048, "", 0, 1 }, { 2049, "", 0, 0 },
		{ 2047, "1", 0, 1 }, { 2048, "1", 0, 0 },
		{ 2047, "{}", 1, 1 }, { 2048, "{}", 1, 0 },
		{ 2047, "\"x\"", 1, 1 }, { 2048, "null", 1, 0 },
		{ 100000, "", 0, 0 },
	};
	struct sb_json js;
	struct sb_buf b = SB_BUF_INIT;
	size_t i;

	sb_json_init(&js);
	for (i = 0; i < sizeof d / sizeof d[0]; i++) {
		nest(&b, d[i].n, d[i].inner, d[i].objects);
		ok((sb_json_parse(&js, b.s, b.len) == 0) == d[i].good &&
		    jansson(b.s, b.len) == (d[i].good ? ACCEPT : REJECT),
		    "depth %zu around '%s' %s", d[i].n, d[i].inner,
		    d[i].good ? "accepted" : "rejected");
		if (!d[i].good)
			ok(strcmp(js.err, "nesting too deep") == 0 &&
			    js.errpos == (d[i].objects ? 2048 / 2 * 6 : 2048),
			    "depth %zu: '%s' at byte %zu", d[i].n, js.err,
			    js.errpos);
	}
	nest(&b, 2048, "", 0);
	sb_json_parse(&js, b.s, b.len);
	ok(js.ntok == 2048 && js.tok[0].skip == 2048 &&
	    js.tok[2047].skip == 2048 && js.tok[2047].size == 0 &&
	    js.tok[0].size == 1 && js.tok[0].end == b.len,
	    "2048 nested arrays tokenized");
	sb_buf_free(&b);
	sb_json_free(&js);
}

static void
test_layout(void)
{
	static const char in[] = "{\"a\":[1,{\"b\":null}], \"c\":\"x\\ty\"}";
	static const struct {
		int	 type;
		size_t	 size, skip;
		int	 escaped;
		const char *text;
	} want[] = {
		{ SB_JOBJECT, 2, 9, 0, in }, { SB_JSTRING, 0, 2, 0, "a" },
		{ SB_JARRAY, 2, 7, 0, "[1,{\"b\":null}]" },
		{ SB_JNUMBER, 0, 4, 0, "1" }, { SB_JOBJECT, 1, 7, 0, "{\"b\":null}" },
		{ SB_JSTRING, 0, 6, 0, "b" }, { SB_JNULL, 0, 7, 0, "null" },
		{ SB_JSTRING, 0, 8, 0, "c" }, { SB_JSTRING, 0, 9, 1, "x\\ty" },
	};
	struct sb_json js;
	size_t i;

	sb_json_init(&js);
	ok(sb_json_parse(&js, in, sizeof in - 1) == 0 && js.ntok == 9 &&
	    js.src == in && js.len == sizeof in - 1, "layout: 9 tokens");
	for (i = 0; i < js.ntok && i < 9; i++) {
		const struct sb_jtok *t = &js.tok[i];
		size_t n = strlen(want[i].text);

		ok(t->type == want[i].type && t->size == want[i].size &&
		    t->skip == want[i].skip && t->escaped == want[i].escaped &&
		    t->end - t->start == n &&
		    memcmp(in + t->start, want[i].text, n) == 0,
		    "layout: token %zu is '%s'", i, want[i].text);
	}
	/* A failed parse leaves no tokens to misread. */
	ok(sb_json_parse(&js, S("[1,2")) == -1 && js.ntok == 0,
	    "failed parse leaves no tokens");
	sb_json_free(&js);
}

static void
test_lookup(void)
{
	static const char in[] =
	    "{\"l\\u0061tency_ms\":{\"p95\":12.5,\"p95\":13.5},\"latency_ms\":"
	    "{\"p95\":14.5,\"p\\u0039\\u0035\":15.5},\"a\\\"b\":1,\"a\\\\b\":2,"
	    "\"\\u00e9\":3,\"\\ud83d\\ude00\":4,\"\":5,\"a.b\":6,\"x\":[1],"
	    "\"s\":\"\\/\\ud83d\\ude00\\u00e9\\n\\\"\"}";
	struct sb_json js;
	struct sb_buf b = SB_BUF_INIT;
	double v;
	long t, u;

	sb_json_init(&js);
	ok(sb_json_parse(&js, in, sizeof in - 1) == 0, "lookup document parses");
	t = sb_json_member(&js, 0, "latency_ms");
	ok(t > 0 && js.tok[t].type == SB_JOBJECT &&
	    js.src[js.tok[t - 1].start] == 'l' &&
	    js.src[js.tok[t - 1].start + 1] == 'a',
	    "escaped duplicate key: the last one wins");
	t = sb_json_member(&js, 0, "l\\u0061tency_ms");
	ok(t == -1, "keys compare unescaped, not as written");
	t = sb_json_member(&js, 0, "latency_ms");
	u = sb_json_path(&js, 0, "latency_ms.p95");
	ok(u > 0 && sb_json_number(&js, (size_t)u, &v) == 0 && v == 15.5,
	    "path through escaped keys finds the last p95");
	ok(sb_json_member(&js, (size_t)t, "p95") == u, "member == path");
	ok(sb_json_member(&js, 0, "a\"b") > 0 &&
	    sb_json_member(&js, 0, "a\\b") > 0 &&
	    sb_json_member(&js, 0, "a\\\"b") == -1, "escaped quote and backslash");
	t = sb_json_member(&js, 0, "\xc3\xa9");
	ok(t > 0 && sb_json_number(&js, (size_t)t, &v) == 0 && v == 3,
	    "\\u00e9 key equals raw UTF-8");
	t = sb_json_member(&js, 0, "\xf0\x9f\x98\x80");
	ok(t > 0 && sb_json_number(&js, (size_t)t, &v) == 0 && v == 4,
	    "surrogate pair key equals raw UTF-8");
	t = sb_json_member(&js, 0, "");
	ok(t > 0 && sb_json_number(&js, (size_t)t, &v) == 0 && v == 5,
	    "empty key");
	ok(sb_json_member(&js, 0, "a.b") > 0 && sb_json_path(&js, 0, "a.b") == -1,
	    "a dotted key is a member but not a path");
	ok(sb_json_member(&js, 0, "latency") == -1 &&
	    sb_json_member(&js, 0, "latency_ms_") == -1 &&
	    sb_json_member(&js, 0, "\xc3") == -1, "prefixes do not match");
	ok(sb_json_path(&js, 0, "x.0") == -1 && sb_json_path(&js, 0, "nope.p95") == -1 &&
	    sb_json_path(&js, 0, "latency_ms.") == -1, "bad paths");
	t = sb_json_member(&js, 0, "x");
	ok(sb_json_member(&js, (size_t)t, "1") == -1 &&
	    sb_json_member(&js, 9999, "x") == -1, "member of a non-object");

	t = sb_json_member(&js, 0, "s");
	sb_buf_puts(&b, "pre:");
	ok(sb_json_str(&js, (size_t)t, &b) == 0 &&
	    strcmp(b.s, "pre:/\xf0\x9f\x98\x80\xc3\xa9\n\"") == 0,
	    "str unescapes and appends");
	ok(sb_json_streq(&js, (size_t)t, "/\xf0\x9f\x98\x80\xc3\xa9\n\""),
	    "streq on escaped string");
	ok(!sb_json_streq(&js, (size_t)t, "/\xf0\x9f\x98\x80\xc3\xa9\n") &&
	    !sb_json_streq(&js, (size_t)t, "/\xf0\x9f\x98\x80\xc3\xa9\n\"x") &&
	    !sb_json_streq(&js, (size_t)t, ""), "streq rejects near misses");
	ok(sb_json_str(&js, 0, &b) == -1 && !sb_json_streq(&js, 0, "") &&
	    sb_json_str(&js, 9999, &b) == -1 && !sb_json_streq(&js, 9999, ""),
	    "str and streq refuse non-strings");
	ok(sb_json_parse(&js, S("\"plain\"")) == 0 &&
	    sb_json_streq(&js, 0, "plain") && !sb_json_streq(&js, 0, "plai") &&
	    !sb_json_streq(&js, 0, "plainer"), "streq on a plain string");
	sb_buf_free(&b);
	sb_json_free(&js);
}

static void
test_numbers(void)
{
	static const struct {
		const char	*in;
		int		 dok;
		double		 d;
		int		 iok;
		int64_t		 i;
	} n[] = {
		{ "200", 0, 200, 0, 200 },
		{ "200.0", 0, 200, 0, 200 },
		{ "2e2", 0, 200, 0, 200 },
		{ "2.00E+2", 0, 200, 0, 200 },
		{ "200.5", 0, 200.5, -1, 0 },
		{ "1e30", 0, 1e30, -1, 0 },
		{ "812.4", 0, 812.4, -1, 0 },
		{ "-0", 0, -0.0, 0, 0 },
		{ "0.0e-7", 0, 0, 0, 0 },
		{ "0e99999999999999999999", 0, 0, 0, 0 },
		{ "1e-400", 0, 0, -1, 0 },
		{ "1e400", -1, 0, -1, 0 },
		{ "-1e400", -1, 0, -1, 0 },
		{ "4.9e-324", 0, 4.9e-324, -1, 0 },
		{ "1.7976931348623157e308", 0, 1.7976931348623157e308, -1, 0 },
		{ "1e18", 0, 1e18, 0, 1000000000000000000 },
		{ "1e19", 0, 1e19, -1, 0 },
		{ "-1e18", 0, -1e18, 0, -1000000000000000000 },
		{ "9223372036854775807", 0, 9223372036854775807.0, 0, INT64_MAX },
		{ "-9223372036854775808", 0, -9223372036854775808.0, 0, INT64_MIN },
		{ "9223372036854775808", 0, 9223372036854775808.0, -1, 0 },
		{ "-9223372036854775809", 0, -9223372036854775808.0, -1, 0 },
		{ "92233720368547758070e-1", 0, 9223372036854775807.0, 0,
		    INT64_MAX },
		{ "922337203685477580.8e1", 0, 9223372036854775808.0, -1, 0 },
		{ "9007199254740993", 0, 9007199254740992.0, 0,
		    9007199254740993 },
		{ "9007199254740993.0", 0, 9007199254740992.0, 0,
		    9007199254740993 },
		{ "12300e-2", 0, 123, 0, 123 },
		{ "12345e-2", 0, 123.45, -1, 0 },
		{ "0.05e2", 0, 5, 0, 5 },
		{ "1.5e1", 0, 15, 0, 15 },
		{ "100000000000000000000e-2", 0, 1e18, 0, 1000000000000000000 },
		{ "1.00000000000000000001", 0, 1, -1, 0 },
		{ "0.1", 0, 0.1, -1, 0 },
		{ "123456789012345678901234567890", 0,
		    123456789012345678901234567890.0, -1, 0 },
		/* Longer than sb_json_number()'s stack buffer. */
		{ "3.14159265358979323846264338327950288419716939937510582097494459"
		    "2307816406286208998628034825342117067982148086513282306647", 0,
		    3.14159265358979323846, -1, 0 },
	};
	struct sb_json js;
	struct sb_buf b = SB_BUF_INIT;
	size_t i;
	double d;
	int64_t v;

	sb_json_init(&js);
	for (i = 0; i < sizeof n / sizeof n[0]; i++) {
		int dr, ir;

		if (!ok(sb_json_parse(&js, n[i].in, strlen(n[i].in)) == 0,
		    "'%.30s' parses", n[i].in))
			continue;
		d = -12345;
		v = -12345;
		dr = sb_json_number(&js, 0, &d);
		ir = sb_json_int(&js, 0, &v);
		if (!ok(dr == n[i].dok && (dr == -1 || (d == n[i].d &&
		    signbit(d) == signbit(n[i].d))), "number '%.30s' is %s%g",
		    n[i].in, n[i].dok ? "no " : "", n[i].d))
			printf("#   got %d %.17g\n", dr, d);
		if (!ok(ir == n[i].iok && (ir == -1 || v == n[i].i),
		    "int '%.30s' is %s%" PRId64, n[i].in, n[i].iok ? "no " : "",
		    n[i].i))
			printf("#   got %d %" PRId64 "\n", ir, v);
	}
	/* Long tokens, built: a digit, zeros, an exponent. */
	for (i = 0; i < 3; i++) {
		static const struct { const char *head, *tail; size_t zeros;
		    double d; int iok; int64_t v; } l[] = {
			{ "0.", "1e-3", 100, 1e-104, -1, 0 },
			{ "7", "e-64", 70, 7e6, 0, 7000000 },
			{ "-1", ".000e-70", 74, -1e4, 0, -10000 },
		};
		sb_buf_reset(&b);
		sb_buf_puts(&b, l[i].head);
		for (size_t z = 0; z < l[i].zeros; z++)
			sb_buf_putc(&b, '0');
		sb_buf_puts(&b, l[i].tail);
		ok(sb_json_parse(&js, b.s, b.len) == 0 &&
		    sb_json_number(&js, 0, &d) == 0 && d == l[i].d &&
		    sb_json_int(&js, 0, &v) == l[i].iok &&
		    (l[i].iok == -1 || v == l[i].v),
		    "%zu-byte number is %g", b.len, l[i].d);
	}
	ok(sb_json_parse(&js, S("[\"1\",true,null]")) == 0 &&
	    sb_json_number(&js, 0, &d) == -1 && sb_json_number(&js, 1, &d) == -1 &&
	    sb_json_int(&js, 1, &v) == -1 && sb_json_number(&js, 2, &d) == -1 &&
	    sb_json_number(&js, 99, &d) == -1 && sb_json_int(&js, 99, &v) == -1,
	    "number and int refuse non-numbers");
	/* A number at the very end of the buffer is not read past. */
	sb_buf_reset(&b);
	sb_buf_puts(&b, "812.4");
	ok(sb_json_parse(&js, b.s, 3) == 0 && sb_json_number(&js, 0, &d) == 0 &&
	    d == 812, "number ends with the buffer");
	sb_buf_free(&b);
	sb_json_free(&js);
}

/*
 * A seeded generator of JSON text, valid by construction; the mutations
 * below break it.
 */
static uint64_t rng = 0x5eedb0a7d1ce5eedu;

static uint64_t
rnd(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15u);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

static size_t
rn(size_t n)
{
	return (size_t)(rnd() % n);
}

static void
gen_space(struct sb_buf *b)
{
	if (rn(4) == 0)
		for (size_t n = 1 + rn(3); n > 0; n--)
			sb_buf_putc(b, " \t\r\n"[rn(4)]);
}

static void
put_utf8(struct sb_buf *b, uint32_t cp)
{
	if (cp < 0x80)
		sb_buf_putc(b, (int)cp);
	else if (cp < 0x800) {
		sb_buf_putc(b, (int)(0xc0 | cp >> 6));
		sb_buf_putc(b, (int)(0x80 | (cp & 0x3f)));
	} else if (cp < 0x10000) {
		sb_buf_putc(b, (int)(0xe0 | cp >> 12));
		sb_buf_putc(b, (int)(0x80 | (cp >> 6 & 0x3f)));
		sb_buf_putc(b, (int)(0x80 | (cp & 0x3f)));
	} else {
		sb_buf_putc(b, (int)(0xf0 | cp >> 18));
		sb_buf_putc(b, (int)(0x80 | (cp >> 12 & 0x3f)));
		sb_buf_putc(b, (int)(0x80 | (cp >> 6 & 0x3f)));
		sb_buf_putc(b, (int)(0x80 | (cp & 0x3f)));
	}
}

static void
put_u(struct sb_buf *b, uint32_t v)
{
	sb_buf_printf(b, rn(2) ? "\\u%04x" : "\\u%04X", (unsigned)v);
}

/* A code point that is not a surrogate, below limit, above floor. */
static uint32_t
gen_cp(uint32_t floor, uint32_t limit)
{
	static const uint32_t edge[] = { 0x7f, 0x80, 0x7ff, 0x800, 0xd7ff,
	    0xe000, 0xfffd, 0xfeff, 0xffff, 0x10000, 0x10ffff };
	uint32_t cp;

	do {
		cp = rn(4) == 0 ? edge[rn(sizeof edge / sizeof edge[0])] :
		    floor + (uint32_t)rn(limit - floor);
	} while (cp < floor || cp >= limit || (cp >= 0xd800 && cp <= 0xdfff));
	return cp;
}

static void
gen_string_body(struct sb_buf *b)
{
	static const char *const simple[] = { "\\\"", "\\\\", "\\/", "\\b",
	    "\\f", "\\n", "\\r", "\\t" };
	size_t n = rn(7), i;
	uint32_t cp;

	while (n-- > 0) {
		switch (rn(10)) {
		case 0: case 1: case 2:
			for (i = 1 + rn(8); i > 0; i--) {
				int c = 0x20 + (int)rn(0x5f);
				sb_buf_putc(b, c == '"' || c == '\\' ? 'q' : c);
			}
			break;
		case 3:
			sb_buf_puts(b, simple[rn(8)]);
			break;
		case 4:
			put_u(b, rn(3) ? gen_cp(1, 0x10000) :
			    (uint32_t)(1 + rn(0x7f)));
			break;
		case 5:
			cp = gen_cp(0x10000, 0x110000) - 0x10000;
			put_u(b, 0xd800 + (cp >> 10));
			put_u(b, 0xdc00 + (cp & 0x3ff));
			break;
		case 6:
			put_utf8(b, gen_cp(0x80, 0x800));
			break;
		case 7:
			put_utf8(b, gen_cp(0x800, 0x10000));
			break;
		case 8:
			put_utf8(b, gen_cp(0x10000, 0x110000));
			break;
		default:
			sb_buf_putc(b, rn(2) ? 0x7f : 'x');
			break;
		}
	}
}

static void
gen_key(struct sb_buf *b)
{
	/* Few distinct keys, several spellings: duplicates are common. */
	static const char *const pool[] = { "a", "b", "\\u0061", "latency_ms",
	    "l\\u0061tency_ms", "\xc3\xa9", "\\u00e9", "\\u00E9",
	    "\xf0\x9f\x98\x80", "\\ud83d\\ude00", "", "a.b", "p95" };

	sb_buf_putc(b, '"');
	if (rn(3))
		sb_buf_puts(b, pool[rn(sizeof pool / sizeof pool[0])]);
	else
		gen_string_body(b);
	sb_buf_putc(b, '"');
}

static void
gen_digits(struct sb_buf *b, size_t n)
{
	while (n-- > 0)
		sb_buf_putc(b, '0' + (int)rn(10));
}

static void
gen_number(struct sb_buf *b)
{
	static const char *const edge[] = { "0", "-0", "-0.0", "9223372036854775807",
	    "-9223372036854775808", "9223372036854775808", "-9223372036854775809",
	    "18446744073709551616", "1e308", "1.7976931348623157e308",
	    "1.7976931348623159e308", "-1e309", "4.9e-324", "2.4e-324",
	    "1e-400", "2.2250738585072011e-308", "9007199254740993",
	    "9007199254740993.0", "0.1", "1e22", "1e23", "123456789012345678e-2",
	    "0.30000000000000004", "5e-324", "9223372036854775807.0",
	    "9223372036854775808.0", "-9223372036854775808.0",
	    "-9223372036854775809e0", "922337203685477580.7e1",
	    "92233720368547758.08e2", "1e18", "1e19", "-1E18", "100e-2",
	    "120e-1" };
	size_t len;

	if (rn(8) == 0) {
		sb_buf_puts(b, edge[rn(sizeof edge / sizeof edge[0])]);
		return;
	}
	if (rn(3) == 0)
		sb_buf_putc(b, '-');
	/* Mostly short, sometimes past int64 and strtod's easy cases. */
	len = rn(4) ? rn(6) : rn(4) ? rn(22) : rn(90);
	if (len == 0 || rn(5) == 0)
		sb_buf_putc(b, '0');
	else {
		sb_buf_putc(b, '1' + (int)rn(9));
		gen_digits(b, len - 1);
	}
	if (rn(2)) {
		sb_buf_putc(b, '.');
		gen_digits(b, 1 + (rn(4) ? rn(4) : rn(80)));
	}
	if (rn(3) == 0) {
		sb_buf_putc(b, rn(2) ? 'e' : 'E');
		if (rn(2))
			sb_buf_putc(b, rn(2) ? '+' : '-');
		gen_digits(b, 1 + (rn(6) ? rn(2) : rn(4) ? rn(4) : rn(25)));
	}
}

static void
gen_value(struct sb_buf *b, int depth, size_t *budget)
{
	size_t n, i;
	int kind = (int)rn(10);

	gen_space(b);
	if (*budget > 0)
		--*budget;
	if (kind < 3 && depth < 10 && *budget > 0) {
		int obj = kind == 0 || (kind == 2 && rn(2));
		sb_buf_putc(b, obj ? '{' : '[');
		n = rn(6);
		for (i = 0; i < n; i++) {
			if (i > 0)
				sb_buf_putc(b, ',');
			if (obj) {
				gen_space(b);
				gen_key(b);
				gen_space(b);
				sb_buf_putc(b, ':');
			}
			gen_value(b, depth + 1, budget);
		}
		gen_space(b);
		sb_buf_putc(b, obj ? '}' : ']');
	} else if (kind < 6) {
		sb_buf_putc(b, '"');
		gen_string_body(b);
		sb_buf_putc(b, '"');
	} else if (kind < 9) {
		gen_number(b);
	} else {
		static const char *const lit[] = { "true", "false", "null" };
		sb_buf_puts(b, lit[rn(3)]);
	}
	gen_space(b);
}

/* Nesting close to the limit, with objects and arrays mixed. */
static void
gen_deep(struct sb_buf *b)
{
	static const char *const inner[] = { "", "1", "[]", "{}", "\"s\"",
	    "[1,2]", "null" };
	size_t n = 2040 + rn(12), i;
	unsigned char *kind = malloc(n);

	for (i = 0; i < n; i++) {
		kind[i] = (unsigned char)rn(3);
		sb_buf_puts(b, kind[i] ? "[" : "{\"k\":");
		gen_space(b);
	}
	sb_buf_puts(b, inner[rn(sizeof inner / sizeof inner[0])]);
	while (n-- > 0)
		sb_buf_puts(b, kind[n] ? "]" : "}");
	free(kind);
}

/* Bytes and sequences that break JSON in interesting ways. */
static const char *const nasty[] = { "\x80", "\xbf", "\xc0\x80",
	"\xc1\xbf", "\xc2", "\xe0\x80\x80", "\xe0\x9f\xbf", "\xed\xa0\x80",
	"\xed\xbf\xbf", "\xef\xbf", "\xf0\x80\x80\x80", "\xf0\x8f\xbf\xbf",
	"\xf4\x90\x80\x80", "\xf5\x80\x80\x80", "\xf0\x9f\x98", "\xfe", "\xff",
	"\xef\xbb\xbf", "\\u0000", "\\ud800", "\\udbff", "\\udc00", "\\u",
	"\\uD83D\\uDE00", "\\x", "\\", "\"", "'", ",", ":", "[", "]", "{", "}",
	"-", ".", "e", "E", "+", "0", "1", "01", " ", "\t", "\n", "\r", "\f",
	"\v", "\x01", "\x1f", "\x7f", "true", "nul", "1e999",
	"99999999999999999999", "\\u00", "\\uZZZZ", "//", "/*" };
#define NNASTY	(sizeof nasty / sizeof nasty[0])

static void
mutate(struct sb_buf *b)
{
	struct sb_buf out = SB_BUF_INIT;
	size_t pos = b->len ? rn(b->len + 1) : 0, n;

	sb_buf_add(&out, b->s, pos);
	switch (rn(6)) {
	case 0:		/* replace a byte */
		sb_buf_putc(&out, (int)rn(256));
		pos += pos < b->len;
		break;
	case 1:		/* delete a few bytes */
		pos += rn(4);
		break;
	case 2:		/* insert a random byte, NUL included */
		sb_buf_putc(&out, rn(4) ? (int)rn(256) : 0);
		break;
	case 3:		/* insert trouble */
		sb_buf_puts(&out, nasty[rn(NNASTY)]);
		if (rn(4) == 0)
			sb_buf_putc(&out, 0);
		break;
	case 4:		/* repeat a slice */
		n = rn(b->len - pos + 1);
		sb_buf_add(&out, b->s + pos, n > 16 ? 16 : n);
		break;
	default:	/* truncate */
		pos = b->len;
		out.len = rn(out.len + 1);
		break;
	}
	if (pos < b->len)
		sb_buf_add(&out, b->s + pos, b->len - pos);
	sb_buf_reset(b);
	sb_buf_add(b, out.s ? out.s : "", out.len);
	sb_buf_free(&out);
}

/*
 * Differential comparison.  On the first disagreement, why says what and
 * the input is dumped.
 */
/* A token of ours and the jansson value it must equal, still to compare. */
struct pair {
	size_t		 t;
	json_t		*j;
};

struct diff {
	struct sb_json	 js;		/* the input as given */
	struct sb_json	 pjs;		/* the input with range errors patched */
	struct sb_buf	 patched;
	unsigned long	 cases, accepted, rejected, patches, nul_quirk;
	int		 failures;
	char		 why[200];
	struct pair	*todo;		/* a stack: depth 2048 must not recurse */
	size_t		 ntodo, captodo;
};

static void
push(struct diff *d, size_t t, json_t *j)
{
	if (d->ntodo == d->captodo) {
		d->captodo = d->captodo ? d->captodo * 2 : 64;
		d->todo = sb_xrealloc(d->todo, d->captodo * sizeof *d->todo);
	}
	d->todo[d->ntodo].t = t;
	d->todo[d->ntodo++].j = j;
}

static int
differ(struct diff *d, size_t t, const char *what)
{
	snprintf(d->why, sizeof d->why, "token %zu: %s", t, what);
	return 0;
}

/* Exact integrality by a second method: normalize to 0.DIGITS x 10^point. */
static int
ref_int(const char *s, size_t n, int64_t *out)
{
	char dig[4096], pad[20];
	size_t nd = 0, i;
	long point = 0, e = 0;
	int neg = 0, seen_dot = 0, eneg = 0;

	if (n > 0 && *s == '-') {
		neg = 1;
		s++, n--;
	}
	for (i = 0; i < n && s[i] != 'e' && s[i] != 'E'; i++) {
		if (s[i] == '.') {
			seen_dot = 1;
		} else if (nd > 0 || s[i] != '0') {
			if (nd == sizeof dig)
				return -2;
			dig[nd++] = s[i];
			point += !seen_dot;
		} else if (seen_dot) {
			point--;
		}
	}
	if (i < n) {
		i++;
		if (s[i] == '+' || s[i] == '-')
			eneg = s[i++] == '-';
		for (; i < n; i++)
			if (e < 1000000000)
				e = e * 10 + (s[i] - '0');
	}
	while (nd > 0 && dig[nd - 1] == '0')
		nd--;
	if (nd == 0) {
		*out = 0;
		return 0;
	}
	point += eneg ? -e : e;
	if (point < (long)nd || point > 19)
		return -1;
	memset(pad, '0', sizeof pad);
	memcpy(pad, dig, nd);
	if (point == 19 && memcmp(pad, neg ? "9223372036854775808" :
	    "9223372036854775807", 19) > 0)
		return -1;
	pad[point] = '\0';
	if (neg && strcmp(pad, "9223372036854775808") == 0)
		*out = INT64_MIN;
	else
		*out = neg ? -strtoll(pad, NULL, 10) : strtoll(pad, NULL, 10);
	return 0;
}

static int
same_number(struct diff *d, const struct sb_json *js, size_t t, json_t *j)
{
	const struct sb_jtok *k = &js->tok[t];
	double v = 0;
	int64_t i = 0, ri = 0;
	int ir, rr;

	if (k->type != SB_JNUMBER)
		return differ(d, t, "not a number");
	if (sb_json_number(js, t, &v) == -1)
		return differ(d, t, "sb_json_number failed");
	ir = sb_json_int(js, t, &i);
	if (json_is_integer(j)) {
		if (ir == -1 || i != json_integer_value(j))
			return differ(d, t, "integer differs");
		if (v != (double)json_integer_value(j))
			return differ(d, t, "integer as double differs");
		return 1;
	}
	if (v != json_real_value(j) ||
	    signbit(v) != signbit(json_real_value(j)))
		return differ(d, t, "real differs");
	rr = ref_int(js->src + k->start, k->end - k->start, &ri);
	if (rr != -2 && (ir != rr || (ir == 0 && i != ri)))
		return differ(d, t, "sb_json_int differs from reference");
	if (ir == 0 && (double)i != v)
		return differ(d, t, "sb_json_int disagrees with the double");
	return 1;
}

static int
same_string(struct diff *d, const struct sb_json *js, size_t t, json_t *j)
{
	struct sb_buf b = SB_BUF_INIT;
	int r = 1;

	if (js->tok[t].type != SB_JSTRING)
		return differ(d, t, "not a string");
	sb_json_str(js, t, &b);
	if (b.len != json_string_length(j) ||
	    memcmp(b.s ? b.s : "", json_string_value(j), b.len) != 0)
		r = differ(d, t, "string bytes differ");
	else if (!sb_json_streq(js, t, b.s ? b.s : ""))
		r = differ(d, t, "streq is false on its own string");
	else if (b.len > 0) {
		b.s[b.len - 1] = '\0';
		if (sb_json_streq(js, t, b.s))
			r = differ(d, t, "streq is true on a prefix");
	}
	sb_buf_free(&b);
	return r;
}

/* The last member of obj whose key unescapes to key, found the slow way. */
static long
last_member(const struct sb_json *js, size_t obj, const struct sb_buf *key)
{
	struct sb_buf b = SB_BUF_INIT;
	size_t k = obj + 1, m;
	long found = -1;

	for (m = 0; m < js->tok[obj].size; m++) {
		sb_buf_reset(&b);
		sb_json_str(js, k, &b);
		if (b.len == key->len && memcmp(b.s ? b.s : "", key->s, b.len) == 0)
			found = (long)k + 1;
		k = js->tok[k + 1].skip;
	}
	sb_buf_free(&b);
	return found;
}

static int
same_object(struct diff *d, const struct sb_json *js, size_t t, json_t *j)
{
	struct sb_buf key = SB_BUF_INIT, path = SB_BUF_INIT;
	size_t k = t + 1, m, distinct = 0;
	int r = 1;

	if (js->tok[t].type != SB_JOBJECT)
		return differ(d, t, "not an object");
	for (m = 0; r && m < js->tok[t].size; m++) {
		size_t v = k + 1;
		long last;
		json_t *jv;

		sb_buf_reset(&key);
		sb_buf_puts(&key, "");
		if (js->tok[k].type != SB_JSTRING)
			return differ(d, k, "key is not a string");
		sb_json_str(js, k, &key);
		last = last_member(js, t, &key);
		if (sb_json_member(js, t, key.s) != last)
			r = differ(d, k, "sb_json_member is not the last match");
		else if (last == (long)v) {
			distinct++;
			jv = json_object_getn(j, key.s, key.len);
			if (jv == NULL)
				r = differ(d, k, "key unknown to jansson");
			else
				push(d, v, jv);
		}
		/* One level of path, when the keys can be written as one. */
		if (r && last == (long)v && js->tok[v].type == SB_JOBJECT &&
		    js->tok[v].size > 0 && strchr(key.s, '.') == NULL) {
			sb_buf_reset(&path);
			sb_buf_printf(&path, "%s.", key.s);
			sb_json_str(js, v + 1, &path);
			if (strchr(path.s + key.len + 1, '.') == NULL &&
			    sb_json_path(js, t, path.s) != sb_json_member(js, v,
			    path.s + key.len + 1))
				r = differ(d, k, "sb_json_path differs");
		}
		k = js->tok[v].skip;
	}
	if (r && k != js->tok[t].skip)
		r = differ(d, t, "object skip is wrong");
	if (r && distinct != json_object_size(j))
		r = differ(d, t, "object size differs");
	sb_buf_free(&key);
	sb_buf_free(&path);
	return r;
}

static int
same_array(struct diff *d, const struct sb_json *js, size_t t, json_t *j)
{
	size_t e = t + 1, i;

	if (js->tok[t].type != SB_JARRAY)
		return differ(d, t, "not an array");
	if (js->tok[t].size != json_array_size(j))
		return differ(d, t, "array size differs");
	for (i = 0; i < js->tok[t].size; i++) {
		push(d, e, json_array_get(j, i));
		e = js->tok[e].skip;
	}
	if (e != js->tok[t].skip)
		return differ(d, t, "array skip is wrong");
	return 1;
}

/* Compares token t with j; a container's children are pushed for later. */
static int
same_node(struct diff *d, const struct sb_json *js, size_t t, json_t *j)
{
	const struct sb_jtok *k = &js->tok[t];

	if (t >= js->ntok || k->start > k->end || k->end > js->len)
		return differ(d, t, "token out of bounds");
	if (k->type != SB_JOBJECT && k->type != SB_JARRAY && k->skip != t + 1)
		return differ(d, t, "scalar skip is wrong");
	switch (json_typeof(j)) {
	case JSON_OBJECT:
		return same_object(d, js, t, j);
	case JSON_ARRAY:
		return same_array(d, js, t, j);
	case JSON_STRING:
		return same_string(d, js, t, j);
	case JSON_INTEGER:
	case JSON_REAL:
		return same_number(d, js, t, j);
	case JSON_TRUE:
		return k->type == SB_JTRUE || differ(d, t, "not true");
	case JSON_FALSE:
		return k->type == SB_JFALSE || differ(d, t, "not false");
	case JSON_NULL:
		return k->type == SB_JNULL || differ(d, t, "not null");
	}
	return differ(d, t, "unknown jansson type");
}

static int
same_tree(struct diff *d, const struct sb_json *js, json_t *j)
{
	d->ntodo = 0;
	push(d, 0, j);
	while (d->ntodo > 0) {
		struct pair p = d->todo[--d->ntodo];
		if (!same_node(d, js, p.t, p.j))
			return 0;
	}
	return 1;
}

/* Whether s[0..n) is a JSON number, by RFC 8259's grammar. */
static int
is_number(const char *s, size_t n)
{
	size_t i = 0;

	if (i < n && s[i] == '-')
		i++;
	if (i == n || s[i] < '0' || s[i] > '9')
		return 0;
	if (s[i] == '0')
		i++;
	else
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
	if (i < n && s[i] == '.') {
		if (++i == n || s[i] < '0' || s[i] > '9')
			return 0;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		if (++i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		if (i == n || s[i] < '0' || s[i] > '9')
			return 0;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
	}
	return i == n;
}

/*
 * Replaces the number jansson found out of range, which ends at end, by
 * 0e000... or -0e000... of the same length.  jansson's token is the
 * longest number ending there: one before it would have absorbed it.
 */
static int
patch_number(struct sb_buf *b, size_t end)
{
	size_t start = end, i, best = end;

	while (start > 0 && strchr("0123456789.eE+-", b->s[start - 1]) != NULL &&
	    b->s[start - 1] != '\0') {
		start--;
		if (is_number(b->s + start, end - start))
			best = start;
	}
	if (best == end || end - best < 3)
		return -1;
	i = best;
	if (b->s[i] == '-')
		i++;
	b->s[i++] = '0';
	b->s[i++] = 'e';
	while (i < end)
		b->s[i++] = '0';
	return 0;
}

static void
dump(const char *in, size_t len)
{
	size_t i;

	printf("#   input (%zu bytes): ", len);
	for (i = 0; i < len && i < 400; i++) {
		unsigned char c = (unsigned char)in[i];
		if (c >= 0x20 && c < 0x7f && c != '\\')
			putchar(c);
		else
			printf("\\x%02x", c);
	}
	printf("%s\n", i < len ? "..." : "");
}

static void
fail_case(struct diff *d, const char *in, size_t len, const char *what)
{
	if (++d->failures > 5)
		return;
	printf("# differential mismatch: %s\n", what);
	dump(in, len);
	printf("#   sb_json: %s at byte %zu\n", d->js.err, d->js.errpos);
}

/* Whether number token t is refused as jansson refuses it: by range. */
static int
out_of_range(const struct sb_json *js, size_t t)
{
	const struct sb_jtok *k = &js->tok[t];
	double v;
	int64_t i;

	if (memchr(js->src + k->start, '.', k->end - k->start) == NULL &&
	    memchr(js->src + k->start, 'e', k->end - k->start) == NULL &&
	    memchr(js->src + k->start, 'E', k->end - k->start) == NULL)
		return sb_json_int(js, t, &i) == -1 &&
		    sb_json_number(js, t, &v) == 0;
	return sb_json_number(js, t, &v) == -1;
}

static void
check_case(struct diff *d, const char *in, size_t len)
{
	json_error_t e;
	json_t *j;
	int ours, tries;
	size_t i;

	d->cases++;
	ours = sb_json_parse(&d->js, in, len) == 0;
	if (!ours && (d->js.err[0] == '\0' || d->js.errpos > len ||
	    d->js.ntok != 0)) {
		fail_case(d, in, len, "error not reported properly");
		return;
	}
	sb_buf_reset(&d->patched);
	sb_buf_add(&d->patched, in, len);
	for (tries = 0; ; tries++) {
		j = json_loadb(d->patched.s, len, JSON_DECODE_ANY, &e);
		if (j != NULL || json_error_code(&e) != json_error_numeric_overflow)
			break;
		if (tries > 100 || patch_number(&d->patched, (size_t)e.position) == -1) {
			fail_case(d, in, len, "cannot patch a number out of range");
			return;
		}
		d->patches++;
	}
	if (!ours && j != NULL && d->js.errpos < len &&
	    in[d->js.errpos] == '\0' && nul_after_scalar(in, d->js.errpos + 1)) {
		d->nul_quirk++;
		json_decref(j);
		return;
	}
	if (ours != (j != NULL)) {
		fail_case(d, in, len, ours ? "jansson rejects, sb_json accepts" :
		    "jansson accepts, sb_json rejects");
		if (ours && d->failures <= 5)
			printf("#   jansson: %s at byte %d\n", e.text, e.position);
		json_decref(j);
		return;
	}
	if (j == NULL) {
		d->rejected++;
		return;
	}
	d->accepted++;
	/*
	 * The patched input must tokenize the same, numbers aside; and
	 * where jansson found a number out of range, ours must say so too:
	 * no int64 for an integer, no finite double for a real.
	 */
	if (sb_json_parse(&d->pjs, d->patched.s, len) == -1 ||
	    d->pjs.ntok != d->js.ntok) {
		fail_case(d, in, len, "patched input tokenizes differently");
		json_decref(j);
		return;
	}
	for (i = 0; i < d->js.ntok; i++) {
		const struct sb_jtok *a = &d->js.tok[i], *b = &d->pjs.tok[i];
		if (a->type != b->type || a->start != b->start ||
		    a->end != b->end || a->size != b->size || a->skip != b->skip) {
			fail_case(d, in, len, "patched input tokenizes differently");
			json_decref(j);
			return;
		}
		if (a->type == SB_JNUMBER && memcmp(in + a->start,
		    d->patched.s + a->start, a->end - a->start) != 0 &&
		    !out_of_range(&d->js, i)) {
			fail_case(d, in, len, "number out of range is not refused");
			json_decref(j);
			return;
		}
	}
	if (d->js.tok[0].skip != d->js.ntok)
		fail_case(d, in, len, "root skip is not ntok");
	else if (!same_tree(d, &d->pjs, j))
		fail_case(d, in, len, d->why);
	json_decref(j);
}

/* Every prefix of in, then a few mutations of it. */
static void
check_family(struct diff *d, struct sb_buf *doc, int prefixes, int mutants)
{
	struct sb_buf m = SB_BUF_INIT;
	size_t n;
	int i;

	check_case(d, doc->s, doc->len);
	if (prefixes)
		for (n = 0; n < doc->len; n++)
			check_case(d, doc->s, n);
	for (i = 0; i < mutants; i++) {
		sb_buf_reset(&m);
		sb_buf_add(&m, doc->s, doc->len);
		for (n = 1 + rn(3); n > 0; n--)
			mutate(&m);
		check_case(d, m.s ? m.s : "", m.len);
	}
	sb_buf_free(&m);
}

static void
test_differential(void)
{
	struct diff d;
	struct sb_buf doc = SB_BUF_INIT;
	clock_t t0 = clock();
	size_t budget;
	int i;

	memset(&d, 0, sizeof d);
	sb_json_init(&d.js);
	sb_json_init(&d.pjs);
	for (i = 0; i < 50000; i++) {
		sb_buf_reset(&doc);
		budget = 4 + rn(40);
		gen_value(&doc, 0, &budget);
		check_family(&d, &doc, i % 500 == 0, 4);
	}
	for (i = 0; i < 60; i++) {
		sb_buf_reset(&doc);
		gen_deep(&doc);
		check_family(&d, &doc, 0, 20);
	}
	printf("# %lu differential cases against jansson %s in %.1f s: "
	    "%lu accepted, %lu rejected, %lu numbers out of jansson's range, "
	    "%lu NULs after a scalar (jansson's look-ahead bug, rejected)\n",
	    d.cases, JANSSON_VERSION, (double)(clock() - t0) / CLOCKS_PER_SEC,
	    d.accepted, d.rejected, d.patches, d.nul_quirk);
	ok(d.failures == 0, "sb_json agrees with jansson on %lu inputs", d.cases);
	ok(d.cases >= 200000 && d.accepted > d.cases / 10 &&
	    d.rejected > d.cases / 10 && d.patches > 100,
	    "the generator covers both outcomes and range errors");
	sb_buf_free(&doc);
	sb_buf_free(&d.patched);
	free(d.todo);
	sb_json_free(&d.js);
	sb_json_free(&d.pjs);
}

/* js.type and js.key: the envelope found by the parse, as member() finds it. */
static void
test_envelope(void)
{
	static const char *const doc[] = {
		"{\"type\":\"window\",\"key\":\"GET /a\",\"x\":1}",
		"{\"key\":\"a\",\"type\":1,\"type\":\"signal\",\"key\":\"b\"}",
		"{\"typ\\u0065\":\"t\",\"k\\u0065y\":\"k\",\"types\":2}",
		"{\"a\":{\"type\":\"inner\",\"key\":\"inner\"}}",
		"[{\"type\":\"in an array\"}]",
		"{\"keys\":[\"a\"],\"typ\":1,\"Type\":2}",
		"{}",
		"\"type\"",
	};
	struct sb_json js;
	int agree = 1;

	sb_json_init(&js);
	for (size_t i = 0; i < sizeof doc / sizeof doc[0]; i++) {
		long t, k;

		if (sb_json_parse(&js, doc[i], strlen(doc[i])) != 0) {
			agree = 0;
			continue;
		}
		t = js.tok[0].type == SB_JOBJECT ?
		    sb_json_member(&js, 0, "type") : -1;
		k = js.tok[0].type == SB_JOBJECT ?
		    sb_json_member(&js, 0, "key") : -1;
		if (js.type != t || js.key != k) {
			printf("# %s: type %ld (member %ld), key %ld (member %ld)\n",
			    doc[i], js.type, t, js.key, k);
			agree = 0;
		}
	}
	ok(agree, "the parse's type and key are sb_json_member()'s, in 8 "
	    "documents");
	sb_json_parse(&js, doc[1], strlen(doc[1]));
	ok(js.type > 0 && sb_json_streq(&js, (size_t)js.type, "signal") &&
	    sb_json_streq(&js, (size_t)js.key, "b"), "the last of a repeat");
	sb_json_parse(&js, doc[2], strlen(doc[2]));
	ok(js.type > 0 && js.key > 0, "escaped names of type and key");
	sb_json_parse(&js, doc[3], strlen(doc[3]));
	ok(js.type == -1 && js.key == -1, "only the top level's");
	ok(sb_json_parse(&js, "{\"type\":", 8) == -1 && js.type == -1,
	    "a failed parse leaves no envelope");
	sb_json_free(&js);
}

int
main(void)
{
	test_hand();
	test_nul_quirk();
	test_depth();
	test_layout();
	test_lookup();
	test_envelope();
	test_numbers();
	test_differential();
	return done_testing();
}
