/*
 * aggstate.h - aggregate --state: everything a run's later output depends
 * on, as JSON lines, so that a run that stops and one that goes on from
 * its state write, together, what one run would have written.
 *
 *	{"type":"aggregate_state","version":1,"mode":"events","lines":N}
 *	{"type":"gate","gate":{...}}		events held as a wrong clock
 *	{"type":"engine",...}			the open windows (window.h)
 *	{"type":"series",...}			... one line per series
 *
 * or, with --merge, "mode":"merge" and one {"type":"part",...} line per
 * window held until the end of the input (merge.h).  "lines" counts the
 * lines after the header, so that a state cut short at the end of a line
 * is refused.  The parts are the caller's; this file only writes and
 * reads them.
 */
#ifndef AGGSTATE_H
#define AGGSTATE_H

#include <stddef.h>

#include "buf.h"
#include "gate.h"
#include "merge.h"
#include "window.h"

#define AGGSTATE_VERSION	1

struct aggstate {
	struct agg	*agg;		/* aggregating events */
	struct merge	*merge;		/* --merge; NULL: events */
	struct sb_gate	*gate;		/* of the events */
};

/* Appends the whole state to out. */
void	 aggstate_write(const struct aggstate *, struct sb_buf *out);
/*
 * Reads data[0..len), a state named name in messages, into parts fresh
 * from agg_new(), merge_new() and sb_gate_init(), held events to be read
 * under strict; -1 with "NAME:LINE: what" (or "NAME: what") in err, the
 * parts then only fit to be freed.
 */
int	 aggstate_read(const struct aggstate *, const char *name,
	    const char *data, size_t len, int strict, char *err, size_t errsz);

#endif
