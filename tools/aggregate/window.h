/*
 * window.h - the windowing engine of aggregate: events in, window records
 * out, with no I/O of its own.
 *
 * Windows are tumbling and aligned to the epoch (a 5m window starts at a
 * multiple of five minutes since 1970).  Time is event time only: the
 * watermark is the latest event time seen minus the allowed lateness, and
 * a window [start, end) closes, for every series at once, when the
 * watermark reaches its end.  An event for a window that has closed is
 * late: it is counted in the "late" member of its series' oldest open
 * window and in agg_stats, never silently dropped.
 *
 * Every call that can close windows appends their records, one JSON line
 * each, to the caller's buffer in the order they close: by end time, then
 * width, then key.  The caller writes and resets the buffer.
 */
#ifndef WINDOW_H
#define WINDOW_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "event.h"
#include "json.h"
#include "sketch.h"

#define AGG_MAX_WIDTHS	8
#define AGG_OTHER_KEY	"(other)"

struct agg_config {
	int64_t		 widths[AGG_MAX_WIDTHS];	/* ms, ascending */
	int		 nwidths;
	int64_t		 lateness;	/* ms an event may lag the newest one */
	int64_t		 expire;	/* ms of silence before a key is forgotten */
	size_t		 max_keys;	/* series before the (other) overflow */
	int		 normalize;	/* replace ids in endpoints by {id} */
	int		 emit_sketch;	/* add the serialized sketch */
};

struct agg_stats {
	uint64_t	 events;	/* events added */
	uint64_t	 late;		/* events that came after their window closed */
	uint64_t	 other;		/* events counted under (other) */
	uint64_t	 windows;	/* window records emitted */
	size_t		 keys;		/* series currently kept */
};

/* What agg_add() did with an event, for the caller's reporting. */
enum agg_result {
	AGG_ADDED,
	AGG_LATE,		/* late for at least one width */
	AGG_FIRST_OTHER		/* the first event sent to (other) */
};

/*
 * The status codes of a window's failed requests (400..599), as
 * "codes":{"503":12,...}: at most AGG_MAX_CODES distinct codes, the
 * first ones seen; later codes count only in errors and client_errors.
 */
#define AGG_MAX_CODES	8

struct agg_codes {
	uint64_t	 n[AGG_MAX_CODES];
	uint16_t	 code[AGG_MAX_CODES];
	int		 len;
};

/* Counts n requests of status code (400..599) in c. */
void		 agg_codes_add(struct agg_codes *c, int code, uint64_t n);

/* One window of one series, as written. */
struct window_rec {
	const char	*key;
	const char	*service;	/* "" when unknown */
	const char	*method;	/* "" when unknown */
	const char	*endpoint;
	int64_t		 start;		/* ms */
	int64_t		 width;		/* ms */
	uint64_t	 count;
	uint64_t	 errors;
	uint64_t	 client_errors;
	uint64_t	 late;
	uint64_t	 bytes_n;	/* events with a response_size */
	double		 bytes_sum;
	const struct agg_codes *codes;	/* NULL: none */
	const struct sb_sketch *sk;	/* latency; read only when count > 0 */
	int		 partial;
};

/* The one writer of window records, for aggregate and its --merge. */
void		 window_write(const struct window_rec *, int with_sketch,
		    struct sb_buf *out);

/*
 * What a window has counted so far, as a state file keeps it (aggregate
 * --state, aggstate.h): exactly, the sketch bucket by bucket and the sums
 * to the last bit.  The sketch is the caller's to free.
 */
struct agg_counts {
	uint64_t	 count;
	uint64_t	 errors;
	uint64_t	 client_errors;
	uint64_t	 late;
	uint64_t	 bytes_n;
	double		 bytes_sum;
	struct agg_codes codes;
	struct sb_sketch sk;
};

/*
 * Appends the counts of w as members of an object being written, comma
 * first: ,"count":N,...,"codes":[[503,2],...],"sketch":{...}.
 */
void		 agg_counts_write(const struct window_rec *w, struct sb_buf *out);
/*
 * Reads them back from object token obj into c (initialised here); -1
 * with a message in err, and nothing to free, if they do not add up.
 */
int		 agg_counts_read(struct agg_counts *c, const struct sb_json *,
		    size_t obj, char *err, size_t errsz);

struct agg;

struct agg	*agg_new(const struct agg_config *);
void		 agg_free(struct agg *);
/* ev must have a time.  Closes what its time makes final, then adds it. */
enum agg_result	 agg_add(struct agg *, const struct sb_event *,
		    struct sb_buf *out);
/* Closes the windows that end at or before watermark (--idle-flush). */
void		 agg_advance(struct agg *, int64_t watermark, struct sb_buf *out);
/* End of input: closes every open window, marked "partial":true. */
void		 agg_finish(struct agg *, struct sb_buf *out);
/* The newest event time added, or INT64_MIN before the first. */
int64_t		 agg_newest(const struct agg *);
const struct agg_stats *agg_stats(const struct agg *);

/*
 * The engine's state, for aggregate --state (aggstate.h): everything its
 * later output depends on, so that an engine loaded from it writes what
 * the saved one would have written.  agg_save() appends one "engine" line
 * (the options that shape windows, the newest event time, the oldest open
 * window of each width, the number of series) and one "series" line per
 * series in key order, each with its open windows.  The statistics
 * (agg_stats() but keys) and the note about the first (other) event are
 * of one run and are not saved.
 *
 * agg_load() reads those lines, one at a time (token 0 of js), into an
 * engine fresh from agg_new() with the same options: the engine line
 * first, then the series; agg_load_end() after the last says whether
 * all the series came.  Both return -1 with a message in err for a line
 * that is not what agg_save() writes or that another configuration
 * wrote; the engine is then only fit for agg_free().
 */
void		 agg_save(const struct agg *, struct sb_buf *out);
int		 agg_load(struct agg *, const struct sb_json *, char *err,
		    size_t errsz);
int		 agg_load_end(const struct agg *, char *err, size_t errsz);

#endif
