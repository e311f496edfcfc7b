/*
 * json.h - a strict, validating JSON tokenizer for one record at a time.
 *
 * sb_json_parse() validates a buffer as one JSON value and records a flat,
 * preorder array of tokens that point into the caller's buffer; nothing is
 * copied and nothing is allocated per value.  It accepts exactly what
 * jansson's json_loadb(buf, len, JSON_DECODE_ANY, ...) accepts (RFC 8259
 * with UTF-8 validated and \u0000 refused), with two deliberate
 * differences: numbers are not range-checked (a caller asking for a double
 * gets an error for 1e999 instead, and underflow reads as 0), and a NUL
 * byte right after a number or literal is an error (jansson loses it in
 * its look-ahead and accepts "1\0").  The depth limit, SB_JSON_MAX_DEPTH,
 * counts every value, scalars included, as jansson's does.
 * tests/unit/test_json.c proves the equivalence differentially on
 * generated and mutated input.
 *
 * A failed parse leaves ntok == 0.
 *
 * Token layout: an object token is followed by its members, each a string
 * token (the key) followed by the value's tokens; an array token by its
 * elements.  tok[i].skip is the index just past the subtree of token i, so
 * a caller walks siblings with i = tok[i].skip.
 *
 *	struct sb_json js;
 *	long t;
 *	double v;
 *
 *	sb_json_init(&js);
 *	if (sb_json_parse(&js, line, len) == -1)
 *		printf("%s at byte %zu\n", js.err, js.errpos);
 *	else if ((t = sb_json_path(&js, 0, "latency_ms.p95")) >= 0 &&
 *	    sb_json_number(&js, t, &v) == 0)
 *		printf("p95 %g\n", v);
 *	sb_json_free(&js);
 *
 * The struct owns its token array; the tokens borrow the parsed buffer,
 * which must outlive any lookup.
 */
#ifndef SB_JSON_H
#define SB_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define SB_JSON_MAX_DEPTH	2048

enum sb_jtype {
	SB_JOBJECT = 1,
	SB_JARRAY,
	SB_JSTRING,
	SB_JNUMBER,
	SB_JTRUE,
	SB_JFALSE,
	SB_JNULL
};

struct sb_jtok {
	unsigned char	 type;		/* enum sb_jtype */
	unsigned char	 escaped;	/* string holds backslash escapes */
	size_t		 start;		/* first byte; strings: after the quote */
	size_t		 end;		/* one past the last byte; strings: the closing quote */
	size_t		 size;		/* object: members; array: elements */
	size_t		 skip;		/* index of the token after this subtree */
};

struct sb_json {
	const char	*src;
	size_t		 len;
	struct sb_jtok	*tok;
	size_t		 ntok;
	size_t		 cap;
	char		 err[80];	/* why the last parse failed */
	size_t		 errpos;	/* byte offset of the failure */
	/*
	 * The envelope of a record (slowburn-records(5)): the value tokens
	 * of the top-level object's "type" and "key" (the last if repeated,
	 * as sb_json_member() finds them), -1 when absent; found while
	 * parsing, as every stage asks for both of every line.
	 */
	long		 type, key;
};

void	 sb_json_init(struct sb_json *);
void	 sb_json_free(struct sb_json *);

/* 0 on success; -1 with err and errpos set.  Any top-level value. */
int	 sb_json_parse(struct sb_json *, const char *, size_t);

/* Index of member key in object token obj (the last one if repeated), or -1. */
long	 sb_json_member(const struct sb_json *, size_t obj, const char *key);
/* Same through nested objects: "latency_ms.p95" (keys with dots unreachable). */
long	 sb_json_path(const struct sb_json *, size_t obj, const char *path);

/* 0 and *out for a finite number token; -1 otherwise. */
int	 sb_json_number(const struct sb_json *, size_t t, double *out);
/*
 * 0 for a number token whose value, as written, is an integer in int64
 * range: 200, 200.0, 2e2; judged on the digits, not on a rounded double.
 */
int	 sb_json_int(const struct sb_json *, size_t t, int64_t *out);
/* Appends the unescaped UTF-8 of a string token; -1 if t is not a string. */
int	 sb_json_str(const struct sb_json *, size_t t, struct sb_buf *out);
/* 1 if string token t equals s exactly (after unescaping), else 0. */
int	 sb_json_streq(const struct sb_json *, size_t t, const char *s);

/* 1 if s[0..n) is well-formed UTF-8 by the rules the parser applies. */
int	 sb_utf8_valid(const char *s, size_t n);

/* Byte span [*a, *b) of the JSON text of token t, quotes included. */
void	 sb_json_span(const struct sb_json *, size_t t, size_t *a, size_t *b);
/* A string member copied (NULL if absent); -1 if present but not a string. */
int	 sb_json_get_str(const struct sb_json *, size_t obj, const char *name,
	    char **out);
/* A time member (RFC 3339 string or epoch number): 1 found, 0 absent, -1 bad. */
int	 sb_json_get_time(const struct sb_json *, size_t obj, const char *name,
	    int64_t *out);
/* A finite number member: 1 found, 0 absent or null, -1 bad. */
int	 sb_json_get_num(const struct sb_json *, size_t obj, const char *name,
	    double *out);

#endif
