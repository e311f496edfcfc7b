/*
 * detector.h - the detectors' table: what one detector is to the model
 * that runs it and to the state file that keeps it.
 *
 * A detector is one file, det_NAME.c, that defines its state struct,
 * its update function, the named members of its state and a
 * const struct detector NAME_detector; detectors.c lists them, in the
 * order they run.  Most are detectors of a metric: each metric of a
 * series holds the state of each such detector that watches it, at the
 * offset detectors_layout() gave it for the metric's set of detectors
 * (model.h, series_metric()), zeroed in a new series: a detector starts
 * from zeroes.  A detector of the series (SLO
 * burn rates, over the count and errors or latency together) has one
 * state a series instead, also zeroed, sized by the run's options and
 * the series' width (series_size), and runs once a window after the
 * metrics' detectors.  Adding one: the file, its line in detectors.c,
 * and, if it wants its own words, explain's template (explain(1)).
 *
 * The inline helpers below are the steps detectors share; they are
 * inline, not in model.c, as they run several times a window.
 */
#ifndef DETECT_DETECTOR_H
#define DETECT_DETECTOR_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "json.h"
#include "model.h"

/* One window of one metric, as the detectors see it. */
struct dctx {
	const struct model_config *c;
	struct series	*s;
	const struct metric_def *def;
	struct mstate	*m;
	const struct obs *o;
	int		 i;		/* metric index */
	double		 x;		/* the value on the model's scale */
	double		 e;		/* the expected value, same scale */
	double		 sd;		/* the spread, same scale */
	double		 w;		/* the window's evidence weight */
	int		 seasonal;	/* e is from the time-of-day profile */
	/* This detector's state in the median's metric (step rule), or NULL. */
	const void	*lead;
	struct signal	*out;
	int		*n;
};

/* Types of the named members of a state (state.c reads and writes them). */
enum dm_type {
	DM_DOUBLE,	/* double[n]: a number, or an array when n > 1 */
	DM_INT,		/* int */
	DM_U32,		/* uint32_t, a bitset */
	DM_I64,		/* int64_t */
	DM_RING,	/* double[2n], newest first from the int at aux */
	DM_OBJ,		/* a struct described by sub (nsub members) */
	DM_RETIRED	/* an older detect's member whose meaning changed:
			   read from a file and dropped, never written */
};

struct dmember {
	const char	*name;
	size_t		 off;
	enum dm_type	 type;
	int		 n;		/* DM_DOUBLE, DM_RING: how many */
	size_t		 aux;		/* DM_RING: offset of the head */
	const struct dmember *sub;	/* DM_OBJ */
	int		 nsub;
};

#define DM_NUMBERS(name, type, field, n) \
	{ name, offsetof(type, field), DM_DOUBLE, n, 0, NULL, 0 }
#define DM_MEMBER(name, type, field, t) \
	{ name, offsetof(type, field), t, 1, 0, NULL, 0 }
#define DM_RETIRE(name) \
	{ name, 0, DM_RETIRED, 0, 0, NULL, 0 }
#define DM_STRUCT(name, type, field, sub) \
	{ name, offsetof(type, field), DM_OBJ, 1, 0, sub, \
	    (int)(sizeof(sub) / sizeof(sub)[0]) }

/*
 * The numbers of one metric in a state file of version 1 or 2, by the
 * slots those versions had; each detector takes its own (legacy()).
 */
struct legacy_state {
	const double	*det[3][2];	/* 8 numbers each (det_legacy()), or NULL */
	const double	*ring_e, *ring_n;	/* MODEL_RING, newest first */
	double		 ring_bits;
	const double	*tail[2];	/* 4 each; NULL in version 1 */
	const double	*nov;		/* 8; NULL in version 1 */
};

struct detector {
	const char	*name;		/* its section in the state file */
	size_t		 size;		/* of its state in a metric */
	/* Derives its constants from the options once (model_finish()). */
	void		 (*configure)(struct model_config *);
	int		 (*watches)(const struct metric_def *);
	int		 always;	/* 1: every window, before the warm-up */
	/* One window with an observation (always, or once warm). */
	void		 (*update)(const struct dctx *, void *);
	/* Once warm, a window without an observation, per direction. */
	void		 (*idle)(const struct dctx *, void *, int dir);
	/* After every update of the metric's window. */
	void		 (*finish)(const struct dctx *, void *);
	/* 1 while active: the series learns nothing (series_degraded). */
	int		 (*active)(const void *);
	/* 1: this window is not learned (after update, same window). */
	int		 (*holds)(const struct dctx *, const void *);
	const struct dmember *members;
	int		 nmembers;
	/* Loads its part of a version 1 or 2 file; NULL: starts afresh. */
	void		 (*legacy)(const struct metric_def *, void *,
			    const struct legacy_state *);
	/*
	 * A detector of the series, not of a metric, has this instead of
	 * watches and size: the size of its state for the run's options and
	 * the series' width, 0 when it does not run.  Its update sees every
	 * window (x->i is 0, x->def and x->m NULL, x->x, e and sd 0) and no
	 * other step runs.  As the shape of its state follows the options, it
	 * has a section of the series line, not of a metric, written by
	 * save and read by load (not members, nor legacy).
	 */
	size_t		 (*series_size)(const struct model_config *,
			    int64_t width);
	void		 (*save)(struct sb_buf *, const struct model_config *,
			    const struct series *, const void *);
	/*
	 * The section at token t of a file of version (1 to 3): 1 restored,
	 * 0 does not fit this run (the state stays zero), -1 malformed (why).
	 */
	int		 (*load)(const struct sb_json *, size_t t, int version,
			    const struct model_config *, const struct series *,
			    void *, char *why, size_t whysz);
};

extern const struct detector *const detectors[];
extern const int ndetectors;
/*
 * Where each detector's state is in a metric that runs the detectors of
 * dmask (a metric holds only the states of the detectors that watch it),
 * and the size of such a metric's state; set by detectors_layout().
 */
#define DETECTORS_MAX	8
extern uint16_t detector_off[1u << DETECTORS_MAX][DETECTORS_MAX];
extern uint16_t detectors_size[1u << DETECTORS_MAX];
/*
 * Bit k: detectors[k] is always, has an idle, finish or holds step, is a
 * detector of the series.
 */
extern uint32_t detectors_always, detectors_idle, detectors_finish,
    detectors_holds, detectors_series;
/*
 * Lays the states out for every mask; the size of a metric's state with
 * every detector of a metric.  Idempotent.
 */
size_t	 detectors_layout(void);

/* The lowest detector of a mask of them, for (b = mask; b; b &= b - 1). */
static inline int
detector_first(uint32_t b)
{
	return __builtin_ctz(b);
}

static inline void *
dstate(struct mstate *m, int k)
{
	return (char *)m + detector_off[m->dmask][k];
}

/*
 * A detector in one direction: becomes active when it fires, stays
 * active while supported, clears after clear windows of neither.
 */
struct det {
	int		 active;
	int		 quiet;		/* consecutive windows without support */
	uint32_t	 hist;		/* bit 0: this window beyond threshold */
	uint32_t	 fhist;		/* same for the fast threshold */
	int64_t		 windows;	/* windows since it became active */
	int64_t		 since;		/* ms */
};

/* A one-sided CUSUM. */
struct cusum {
	int		 active;
	int		 quiet;
	double		 run;		/* the sum of the clearing run */
	double		 cus;		/* CUSUM sum */
	int64_t		 windows;
	int64_t		 since;		/* ms */
	int64_t		 start;		/* ms: where the sum last left 0 */
};

extern const struct dmember det_members[6];
extern const struct dmember cusum_members[7];
/*
 * Versions 1 and 2 kept a detector as 8 numbers: active, quiet, hist
 * (a CUSUM's run), fhist, windows, since, the CUSUM sum and its start.
 */
void	 det_legacy(struct det *, const double *);
void	 cusum_legacy(struct cusum *, const double *);

/* dstate.c: n numbers, one or an array of n, written exactly and read. */
void	 dm_put_numbers(struct sb_buf *, const double *, int n);
int	 dm_get_numbers(const struct sb_json *, size_t t, double *, int n);
/*
 * dstate.c: "name":{...} of the members of st that are not zero (a zero
 * is what a new series has); writes nothing and returns 0 when all are.
 */
int	 dm_put(struct sb_buf *, const char *name, const struct dmember *,
	    int n, const void *st);
/*
 * Reads the object at token obj into st, whose members it does not name
 * must be zero already.  -1 with why naming what it cannot use.
 */
int	 dm_get(const struct sb_json *, size_t obj, const char *name,
	    const struct dmember *, int n, void *st, char *why, size_t whysz);

/*
 * fmax() and fmin() as glibc has them on x86-64 (maxsd and minsd: the
 * second argument when the two compare equal, the other one when one is
 * a NaN), but inline: the compiler may not turn the library functions
 * into one instruction, since the instruction gets NaN wrong, and a
 * window used to make about forty calls.  Same results bit for bit, so
 * the signals do not move.
 */
static inline double
max_d(double x, double y)
{
	return x > y ? x : isnan(y) ? x : y;
}

static inline double
min_d(double x, double y)
{
	return x < y ? x : isnan(y) ? x : y;
}

static inline int
popcount(uint32_t v)
{
	int n = 0;

	for (; v; v &= v - 1)
		n++;
	return n;
}

/* Windows back to the oldest set bit of the last n, 1 for bit 0 alone. */
static inline int
oldest_bit(uint32_t v, int n)
{
	v &= n >= 32 ? ~0u : (1u << n) - 1;
	return v == 0 ? 1 : 32 - __builtin_clz(v);
}

/*
 * One detector in one direction: becomes active when fire, stays active
 * while sustain (this window still supports it), clears after c->clear
 * windows of neither.  Returns 0 (silent), 1 (active: emit) or 2
 * (cleared: emit).
 */
static inline int
det_step(const struct model_config *c, struct det *d, int fire, int sustain,
    int64_t since)
{
	if (!d->active) {
		if (!fire)
			return 0;
		d->active = 1;
		d->quiet = 0;
		d->windows = 1;
		d->since = since;
		return 1;
	}
	d->windows += 1;
	if (sustain)
		d->quiet = 0;
	else
		d->quiet += 1;
	if (d->quiet >= c->clear) {
		d->active = 0;
		d->quiet = 0;
		d->hist = 0;
		d->fhist = 0;
		return 2;
	}
	return 1;
}

/* A detector with no observation this window: only the clock runs. */
static inline int
det_idle(const struct model_config *c, struct det *d)
{
	if (!d->active)
		return 0;
	return det_step(c, d, 0, 0, 0);
}

/* After clear windows without support, an active CUSUM clears: 2; else 1. */
static inline int
cusum_clears(const struct model_config *c, struct cusum *cu)
{
	if (cu->quiet < c->clear)
		return 1;
	cu->active = 0;
	cu->quiet = 0;
	cu->run = 0;
	cu->cus = 0;
	return 2;
}

/*
 * A one-sided CUSUM over zz, the z-score signed for its direction:
 * S = max(0, S + min(zz, clip) - k), fires at S >= h and is capped at h
 * while active.  An active one is cleared by c->clear windows whose mean
 * clipped z is below k: a run that starts at the first window below k and
 * is given up (the detector is supported) as soon as its mean reaches k.
 * So a level back within k spreads of the baseline clears it even when
 * single windows still cross k.
 */
static inline int
cusum_step(const struct model_config *c, struct cusum *cu, double zz,
    int64_t start, double k, double clip)
{
	double prev = cu->cus, zc = min_d(zz, clip);

	cu->cus = max_d(0, prev + zc - k);
	if (prev <= 0 && cu->cus > 0)
		cu->start = start;
	if (!cu->active) {
		if (cu->cus < c->cusum_h)
			return 0;
		cu->active = 1;
		cu->quiet = 0;
		cu->run = 0;
		cu->windows = 1;
		cu->since = cu->start;
		cu->cus = c->cusum_h;	/* bounded, so it clears soon */
		return 1;
	}
	cu->windows += 1;
	if (cu->cus > c->cusum_h)
		cu->cus = c->cusum_h;
	if (cu->quiet > 0 || zc < k) {
		cu->quiet += 1;
		cu->run += zc;
		if (cu->run >= k * cu->quiet) {
			cu->quiet = 0;
			cu->run = 0;
		}
	}
	return cusum_clears(c, cu);
}

/* A CUSUM with no observation this window: only the clock runs. */
static inline int
cusum_idle(const struct model_config *c, struct cusum *cu)
{
	if (!cu->active)
		return 0;
	cu->windows += 1;
	cu->quiet += 1;
	return cusum_clears(c, cu);
}

/*
 * The error rate the baseline expects, level(errors) / level(count),
 * never below err_floor.
 */
static inline double
error_p0(const struct model_config *c, const struct mstate *m)
{
	double p0 = c->err_floor;

	if (m->aux.mu > 0 && m->glob.mu / m->aux.mu > p0)
		p0 = m->glob.mu / m->aux.mu;
	return p0;
}

/* A new signal at out[*n], its numbers NaN until the detector sets them. */
static inline struct signal *
sig_new(const struct dctx *x, enum sb_family f, int down, int state,
    int64_t since)
{
	struct signal *g = &x->out[(*x->n)++];

	memset(g, 0, sizeof *g);
	g->metric = x->i;
	g->family = f;
	g->down = down;
	g->cleared = state == 2;
	g->at = x->o->start + x->o->width;
	g->since = since;
	g->value = g->baseline = g->spread = g->score = NAN;
	g->p_value = g->expected = g->count = g->errors = g->dispersion = NAN;
	return g;
}

#endif
