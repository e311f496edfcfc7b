/*
 * gate.h - one record with a wrong clock must not move a stream's clock.
 *
 * Every filter runs on event time: aggregate closes windows when the
 * newest event time has passed them, detect and correlate age their state
 * by the newest window or signal, alert its timers by the newest "at".
 * One record stamped 2099 would move that clock to 2099: every window
 * closes, everything after it is late, and detection is off.  Anyone who
 * can POST to ingestd, or one client with a broken clock, could do it.
 *
 * A gate sits between a filter's reader and its records, and judges each
 * record's time against the newest time it has let through:
 *
 *	- not more than max_ahead past it: passed on (and it may move the
 *	  clock, by at most max_ahead);
 *	- further ahead: held (copied), not handed on.  Held records are
 *	  released, in order, as soon as SB_GATE_CONFIRM records in a row
 *	  are ahead: the stream itself has moved on, as after a quiet spell
 *	  in a replay (or a missing row of an hourly series), and nothing is
 *	  lost.
 *	  They are refused, each reported as a bad line at its own FILE:LINE,
 *	  as soon as a record comes that is not ahead (the stream carries on
 *	  where it was: they had a wrong clock), and at the end of input,
 *	  unless nothing at all came before them (they are the whole stream).
 *
 * The rule uses event time only, so the same input gives the same output
 * whenever it is run.  ingestd(8), which sees the wall clock, adds its own
 * rule at the door.  A wrong clock can still move a gate that sees almost
 * nothing but it: SB_GATE_CONFIRM records in a row, all ahead.
 *
 *	struct sb_gate g;
 *
 *	sb_gate_init(&g, max_ahead_ms, line, ctx);	// line: the filter's own
 *	...in line(ctx, in, s, n), once the record's time t is known:
 *	switch (sb_gate_check(&g, in, t, s, n)) {
 *	case SB_GATE_HELD:	return 0;	// the gate has it (or released it)
 *	case SB_GATE_AGAIN:	return line(ctx, in, s, n);
 *	case SB_GATE_STRICT:	return -1;	// a refusal under --strict
 *	case SB_GATE_PASS:	break;		// handle the record now
 *	}
 *	...at the end of input:
 *	sb_gate_end(&g);
 *	sb_gate_free(&g);
 *
 * Releasing calls line() again for each held record, with the reader
 * pointing at the record's own location; the gate passes those through.
 * That reuses whatever line() parsed into, so after a release that the
 * current record was not part of, the gate says SB_GATE_AGAIN: parse and
 * judge the current record again.  The held copies belong to the gate.
 * A record without a time of its own (an undated event, "now" in the
 * stream) goes through sb_gate_settle(), same results: it agrees with
 * what is held at the start of a stream.  So does silence: a filter that
 * ticks while its input is quiet (--idle-flush) settles the gate, so
 * that the first record of a live stream is not held until the second.
 */
#ifndef SB_GATE_H
#define SB_GATE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "json.h"
#include "reader.h"

#define SB_GATE_CONFIRM		3	/* records in a row that make a jump real */
#define SB_GATE_AHEAD_DEFAULT	(60 * 60 * 1000LL)	/* --max-ahead, ms */

enum { SB_GATE_PASS, SB_GATE_HELD, SB_GATE_AGAIN, SB_GATE_STRICT };

struct sb_gate_rec {
	char		*s;
	size_t		 n;
	int64_t		 t;
	const char	*file;		/* the reader's name when it was read */
	uint64_t	 lineno;
	char		*file_own;	/* file, when sb_gate_read() made it */
};

struct sb_gate {
	int64_t		 max_ahead;	/* ms; <= 0: no gate */
	int64_t		 newest;	/* INT64_MIN before the first record */
	struct sb_gate_rec held[SB_GATE_CONFIRM];
	size_t		 nheld;
	int		 strict;	/* of the reader of the held records */
	uint64_t	 refused;	/* records refused as ahead */
	uint64_t	 released;	/* records held, then passed on */
	int		 releasing;
	const char	*what;		/* "event", "window", ... for messages */
	int		(*line)(void *, struct sb_reader *, char *, size_t);
	void		*ctx;
};

void	 sb_gate_init(struct sb_gate *, int64_t max_ahead, const char *what,
	    int (*line)(void *, struct sb_reader *, char *, size_t), void *ctx);
void	 sb_gate_free(struct sb_gate *);
/* The record s[0..n) of time t, just read from in: see SB_GATE_*. */
int	 sb_gate_check(struct sb_gate *, struct sb_reader *in, int64_t t,
	    const char *s, size_t n);
/* A record without a time: see above. */
int	 sb_gate_settle(struct sb_gate *);
/* End of input: releases or refuses what is held; -1 if strict refused. */
int	 sb_gate_end(struct sb_gate *);
/*
 * A filter's --state keeps its gate: what a restarted filter holds and
 * how far its clock has gone must be what the stopped one had, or the
 * records held at the stop would be judged otherwise.  sb_gate_write()
 * appends one JSON object,
 *	{"newest":T,"held":[{"t":T,"file":"stdin","line":N,"text":"..."}]}
 * ("newest" left out before the first record; "hex" instead of "text"
 * for a line that is not UTF-8), and sb_gate_read() restores object
 * token t of js into a gate fresh from sb_gate_init(), held records read
 * back under strict (the reader's --strict); -1 with a message in err,
 * nothing held.  The counts of sb_gate_summary() are of one run.
 */
void	 sb_gate_write(const struct sb_gate *, struct sb_buf *out);
int	 sb_gate_read(struct sb_gate *, const struct sb_json *, size_t t,
	    int strict, char *err, size_t errsz);
/* "N events refused: more than D ahead of the stream (--max-ahead D)". */
void	 sb_gate_summary(const struct sb_gate *);

#endif
