/*
 * gate.c - holding back records whose clock runs ahead; see gate.h.
 */
#include <err.h>
#include <stdint.h>
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
	for (size_t i = 0; i < g->nheld; i++)
		free(g->held[i].s);
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
