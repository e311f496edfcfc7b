/*
 * gate.c - holding back records whose clock runs ahead; see gate.h.
 */
#include <err.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "gate.h"
#include "timefmt.h"

void
sb_gate_init(struct sb_gate *g, int64_t max_ahead, const char *what,
    int (*line)(void *, struct sb_reader *, char *, size_t), void *ctx)
{
	memset(g, 0, sizeof *g);
	g->max_ahead = max_ahead;
	g->newest = INT64_MIN;
	g->what = what;
	g->line = line;
	g->ctx = ctx;
}

static void
drop(struct sb_gate *g)
{
	for (size_t i = 0; i < g->nheld; i++) {
		free(g->held[i].s);
		free(g->held[i].file_own);
	}
	g->nheld = 0;
}

void
sb_gate_free(struct sb_gate *g)
{
	drop(g);
}

/* A reader standing for the held record h, for messages and line(). */
static void
at(const struct sb_gate *g, const struct sb_gate_rec *h, struct sb_reader *r)
{
	memset(r, 0, sizeof *r);
	r->name = h->file;
	r->lineno = h->lineno;
	r->strict = g->strict;
	r->fd = -1;
}

/* Reports every held record as bad; -1 if one was fatal (strict). */
static int
refuse(struct sb_gate *g)
{
	char t[SB_TIME_LEN], now[SB_TIME_LEN], dur[32];
	int rc = 0;

	sb_duration_format(g->max_ahead, dur, sizeof dur);
	sb_time_format(g->newest, now);
	for (size_t i = 0; i < g->nheld; i++) {
		struct sb_reader r;
		const struct sb_gate_rec *h = &g->held[i];

		at(g, h, &r);
		g->refused++;
		if (sb_reader_bad(&r, "%s time %s is more than %s ahead of the "
		    "stream (at %s) and what came next did not follow: a "
		    "wrong clock (--max-ahead)", g->what, sb_time_format(h->t, t),
		    dur, now) == -1)
			rc = -1;
	}
	drop(g);
	return rc;
}

/* Hands the held records on, in order; -1 if line() failed (strict). */
static int
release(struct sb_gate *g)
{
	struct sb_gate_rec held[SB_GATE_CONFIRM];
	size_t n = g->nheld;
	int rc = 0;

	memcpy(held, g->held, sizeof held);
	g->nheld = 0;
	g->releasing = 1;
	for (size_t i = 0; i < n; i++) {
		struct sb_reader r;

		at(g, &held[i], &r);
		if (rc == 0 && g->line(g->ctx, &r, held[i].s, held[i].n) == -1)
			rc = -1;
		free(held[i].s);
		free(held[i].file_own);
	}
	g->releasing = 0;
	g->released += n;
	return rc;
}

static void
hold(struct sb_gate *g, struct sb_reader *in, int64_t t, const char *s,
    size_t n)
{
	struct sb_gate_rec *h = &g->held[g->nheld++];

	h->s = sb_xmalloc(n + 1);
	memcpy(h->s, s, n);
	h->s[n] = '\0';
	h->n = n;
	h->t = t;
	h->file = in->name;
	h->file_own = NULL;
	h->lineno = in->lineno;
	g->strict = in->strict;
}

int
sb_gate_check(struct sb_gate *g, struct sb_reader *in, int64_t t,
    const char *s, size_t n)
{
	if (g->max_ahead <= 0 || g->releasing) {
		if (t > g->newest)
			g->newest = t;
		return SB_GATE_PASS;
	}
	if (g->newest == INT64_MIN) {
		/* The first record sets no clock on its own word. */
		if (g->nheld == 0) {
			hold(g, in, t, s, n);
			return SB_GATE_HELD;
		}
		if (t < g->held[0].t - g->max_ahead) {
			/* The first was far ahead of the next: a wrong clock. */
			g->newest = t;
			if (refuse(g) == -1)
				return SB_GATE_STRICT;
			return SB_GATE_PASS;
		}
		/* Agreeing with it, or ahead of it: the first one stands. */
		if (release(g) == -1)
			return SB_GATE_STRICT;
		return SB_GATE_AGAIN;
	}
	if (t <= g->newest + g->max_ahead) {
		if (g->nheld > 0 && refuse(g) == -1)
			return SB_GATE_STRICT;
		if (t > g->newest)
			g->newest = t;
		return SB_GATE_PASS;
	}
	/*
	 * Ahead of the stream, as the records held before it are: the
	 * stream may have moved on (its next records go on from there,
	 * whatever their spacing), or a clock is wrong.
	 */
	hold(g, in, t, s, n);
	if (g->nheld < SB_GATE_CONFIRM)
		return SB_GATE_HELD;
	/* The stream has moved on: they pass, and move the clock. */
	if (release(g) == -1)
		return SB_GATE_STRICT;
	return SB_GATE_HELD;
}

int
sb_gate_settle(struct sb_gate *g)
{
	if (g->newest != INT64_MIN || g->nheld == 0 || g->releasing)
		return SB_GATE_PASS;
	if (release(g) == -1)
		return SB_GATE_STRICT;
	return SB_GATE_AGAIN;
}

int
sb_gate_end(struct sb_gate *g)
{
	if (g->nheld == 0)
		return 0;
	/* Nothing came before them: they are the whole stream. */
	if (g->newest == INT64_MIN)
		return release(g);
	return refuse(g);
}

void
sb_gate_summary(const struct sb_gate *g)
{
	char dur[32];

	if (g->refused == 0)
		return;
	sb_duration_format(g->max_ahead, dur, sizeof dur);
	warnx("%llu %s%s refused: more than %s ahead of the stream "
	    "(--max-ahead)", (unsigned long long)g->refused, g->what,
	    g->refused == 1 ? "" : "s", dur);
}

void
sb_gate_write(const struct sb_gate *g, struct sb_buf *out)
{
	static const char hex[] = "0123456789abcdef";

	sb_buf_putc(out, '{');
	if (g->newest != INT64_MIN) {
		sb_buf_puts(out, "\"newest\":");
		sb_buf_json_int(out, g->newest);
		sb_buf_putc(out, ',');
	}
	sb_buf_puts(out, "\"held\":[");
	for (size_t i = 0; i < g->nheld; i++) {
		const struct sb_gate_rec *h = &g->held[i];

		sb_buf_puts(out, i ? ",{\"t\":" : "{\"t\":");
		sb_buf_json_int(out, h->t);
		sb_buf_puts(out, ",\"file\":");
		sb_buf_json_str(out, h->file, strlen(h->file));
		sb_buf_puts(out, ",\"line\":");
		sb_buf_json_int(out, (int64_t)h->lineno);
		if (sb_utf8_valid(h->s, h->n)) {
			sb_buf_puts(out, ",\"text\":");
			sb_buf_json_str(out, h->s, h->n);
		} else {
			sb_buf_puts(out, ",\"hex\":\"");
			for (size_t k = 0; k < h->n; k++) {
				sb_buf_putc(out, hex[(unsigned char)h->s[k] >> 4]);
				sb_buf_putc(out, hex[(unsigned char)h->s[k] & 15]);
			}
			sb_buf_putc(out, '"');
		}
		sb_buf_putc(out, '}');
	}
	sb_buf_puts(out, "]}");
}

static int
unhex(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* The line of held record e (its "text" or "hex") into b; -1 if bad. */
static int
read_line(const struct sb_json *js, size_t e, struct sb_buf *b)
{
	struct sb_buf x = SB_BUF_INIT;
	long t;
	int rc = 0;

	if ((t = sb_json_member(js, e, "text")) >= 0)
		return sb_json_str(js, (size_t)t, b);
	if ((t = sb_json_member(js, e, "hex")) < 0 ||
	    sb_json_str(js, (size_t)t, &x) == -1 || x.len % 2 != 0)
		rc = -1;
	for (size_t k = 0; rc == 0 && k < x.len; k += 2) {
		int hi = unhex(x.s[k]), lo = unhex(x.s[k + 1]);
		if (hi < 0 || lo < 0)
			rc = -1;
		else
			sb_buf_putc(b, hi << 4 | lo);
	}
	sb_buf_free(&x);
	return rc;
}

/* Times read back, in ms: far enough from the ends of int64 to add to. */
#define READ_TIME_MAX	(INT64_C(1) << 53)

int
sb_gate_read(struct sb_gate *g, const struct sb_json *js, size_t t,
    int strict, char *err, size_t errsz)
{
	struct sb_buf file = SB_BUF_INIT, text = SB_BUF_INIT;
	long m, h;
	size_t e;
	int rc = 0;

	if (t >= js->ntok || js->tok[t].type != SB_JOBJECT ||
	    (h = sb_json_member(js, t, "held")) < 0 ||
	    js->tok[h].type != SB_JARRAY ||
	    js->tok[h].size >= SB_GATE_CONFIRM) {
		snprintf(err, errsz, "the gate is not an object with 'held' "
		    "records");
		return -1;
	}
	if ((m = sb_json_member(js, t, "newest")) >= 0 &&
	    (sb_json_int(js, (size_t)m, &g->newest) == -1 ||
	    g->newest < -READ_TIME_MAX || g->newest > READ_TIME_MAX)) {
		snprintf(err, errsz, "the gate's 'newest' is not a time in ms");
		g->newest = INT64_MIN;
		return -1;
	}
	g->strict = strict;
	e = (size_t)h + 1;
	for (size_t i = 0; i < js->tok[h].size; i++, e = js->tok[e].skip) {
		struct sb_gate_rec *r = &g->held[g->nheld];
		int64_t v, line;
		long f;

		sb_buf_reset(&file);
		sb_buf_reset(&text);
		if (js->tok[e].type != SB_JOBJECT ||
		    (m = sb_json_member(js, e, "t")) < 0 ||
		    sb_json_int(js, (size_t)m, &v) == -1 ||
		    v < -READ_TIME_MAX || v > READ_TIME_MAX ||
		    (f = sb_json_member(js, e, "file")) < 0 ||
		    sb_json_str(js, (size_t)f, &file) == -1 ||
		    (m = sb_json_member(js, e, "line")) < 0 ||
		    sb_json_int(js, (size_t)m, &line) == -1 || line < 0 ||
		    read_line(js, e, &text) == -1) {
			snprintf(err, errsz, "a held record is not t, file, "
			    "line and its text");
			rc = -1;
			break;
		}
		sb_buf_putc(&file, '\0');
		sb_buf_putc(&text, '\0');
		r->t = v;
		r->n = text.len - 1;
		r->s = memcpy(sb_xmalloc(text.len), text.s, text.len);
		r->file_own = sb_xstrdup(file.s);
		r->file = r->file_own;
		r->lineno = (uint64_t)line;
		g->nheld++;
	}
	if (rc == -1) {
		drop(g);
		g->newest = INT64_MIN;
	}
	sb_buf_free(&file);
	sb_buf_free(&text);
	return rc;
}
