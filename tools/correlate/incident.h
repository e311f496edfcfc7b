/*
 * incident.h - correlate's engine: signals in, alert records out.
 *
 * No I/O and no clock: the caller hands in signals and the event times of
 * other records, and the engine appends the alert records they cause to
 * an sb_buf.  correlate(1) documents the rules; the comments in
 * incident.c say where each one lives.
 *
 *	struct corr *c = corr_new(&cfg);
 *	corr_signal(c, &sig, &out);	(sig is copied)
 *	corr_advance(c, window_end, &out);
 *	corr_free(c);
 */
#ifndef INCIDENT_H
#define INCIDENT_H

#include <stdint.h>
#include <stdio.h>

#include "buf.h"
#include "sigrec.h"

struct corr_config {
	int		 min_signals;	/* independent signals to fire */
	int64_t		 within;	/* ms: signals agree within this span */
	int64_t		 resolve_after;	/* ms of quiet before resolved */
	int64_t		 reopen;	/* ms after resolving that reopens */
	int		 solo;		/* one overwhelming signal may fire */
	double		 solo_score;	/* score that is overwhelming */
	double		 solo_min_count; /* requests for an error-rate solo */
	int		 group;		/* group endpoints by service */
	size_t		 max_keys;	/* keys with evidence; incidents; keys of one */
};

struct corr_stats {
	uint64_t	 signals, cleared, benign, fired, updated, resolved,
			 reopened;
	uint64_t	 over_keys;	/* signals skipped: --max-keys keys held */
	uint64_t	 over_incidents; /* fires not made: --max-keys incidents open */
};

struct corr;

struct corr	*corr_new(const struct corr_config *);
void		 corr_free(struct corr *);
/*
 * A signal: advances the clock to its time, then weighs it.  Returns 0,
 * or 1 when it was the first to find --max-keys reached (the caller says
 * so once; corr_stats() counts every one).
 */
int		 corr_signal(struct corr *, const struct sb_signal *,
		    struct sb_buf *out);
/*
 * Another record's event time: may resolve incidents.  watermark: the
 * record says that every signal up to t is out (detect's watermark).
 */
void		 corr_advance(struct corr *, int64_t t, int watermark,
		    struct sb_buf *out);
/* The end of the input: resolves those whose signals have all cleared. */
void		 corr_finish(struct corr *, struct sb_buf *out);
int64_t		 corr_clock(const struct corr *);
size_t		 corr_open(const struct corr *);
const struct corr_stats *corr_stats(const struct corr *);

/* State: writes it as JSONL; reads one line of it back (0, or -1 + why). */
void		 corr_save(const struct corr *, struct sb_buf *);
int		 corr_load_line(struct corr *, const struct sb_json *,
		    char *why, size_t whysz);

/* The 8-hex-digit id: FNV-1a 32 of key, NUL, and the start in RFC 3339. */
void		 incident_id(const char *key, int64_t started, char out[9]);

#endif
