/*
 * model.h - baselines and change detectors of detect(1), with no I/O.
 *
 * One struct series per window key and width.  series_update() feeds it
 * one window's observations and appends the signals that window causes
 * to a caller's array; the caller formats them.  Nothing here allocates
 * per window, reads the clock or touches a file, so the same windows
 * always give the same signals.  detect.1 holds the formulas.  The
 * baselines are here and in model.c; the detectors are a table of their
 * own (detector.h), which series_update() runs.
 */
#ifndef DETECT_MODEL_H
#define DETECT_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "sigrec.h"

#define MODEL_MAX_METRICS	16
#define MODEL_RING		16	/* longest m-of-n history, windows */
#define MODEL_HOURS		24
#define MODEL_WEEK		(7 * MODEL_HOURS)
#define MODEL_MAX_SLO		2	/* one availability, one latency */
#define MODEL_MAX_PAIRS		4	/* burn-rate window pairs */
#define MODEL_MAX_FLOORS	64	/* --floor rules */

enum metric_kind {
	MK_COUNT,	/* request count: traffic detector */
	MK_ERRORS,	/* errors of count: binomial detector */
	MK_LOG,		/* latency, watched on a log scale: level + cusum */
	MK_RAW		/* any other number: level + cusum on its own scale */
};

struct metric_def {
	const char	*path;		/* dotted path in the window */
	const char	*name;		/* "metric" in the signal */
	enum metric_kind kind;
	int		 fast;		/* level fast path: 1 the median, 2 p95 */
	int		 user;		/* given by --metric: must be present */
};

enum slo_kind { SLO_AVAILABILITY, SLO_LATENCY };

struct slo_def {
	enum slo_kind	 kind;
	double		 objective;	/* 0.999 for 99.9% */
	double		 threshold;	/* SLO_LATENCY: ms */
};

/* Fires when both windows burn at >= factor. */
struct slo_pair {
	double		 factor;
	int64_t		 long_ms, short_ms;
};

/* --floor: keys matching glob get this floor of one kind. */
enum floor_kind { FLOOR_ERRORS, FLOOR_LATENCY };

struct floor_rule {
	char		*glob;		/* fnmatch(3) pattern of keys; owned */
	enum floor_kind	 kind;
	double		 value;		/* a rate, or ms */
};

struct model_config {
	struct metric_def metric[MODEL_MAX_METRICS];
	int		 nmetric;
	int		 weekly;	/* a metric has a week profile */
	int		 warmup;	/* windows before detectors speak */
	double		 learn;		/* EWMA weight per window */
	double		 profile_learn;	/* floor of the per-bucket weight */
	int		 profile_min;	/* samples a bucket needs */
	int64_t		 min_count;	/* latency skipped below */
	double		 level_z;
	int		 level_m, level_n;
	double		 fast_z;
	double		 step_ratio;	/* fast path of p95: both moved this much */
	double		 cusum_k, cusum_h, cusum_clip;
	double		 err_cusum_ratio;	/* the error CUSUM's rate ratio */
	double		 err_cusum_h;		/* its threshold, nats */
	double		 err_cusum_clip;	/* the most a window adds, nats */
	double		 hold;		/* latency unlearned while CUSUM up >= hold h */
	double		 err_p, err_window_p, err_floor;
	int		 err_trim, err_n;
	int64_t		 err_min_count;
	double		 traffic_p;
	int		 traffic_m, traffic_n;
	double		 clear_p;
	int		 clear;		/* quiet windows that clear a signal */
	double		 tail_q;	/* excursions per window the tail allows */
	double		 floor_err;	/* an error rate never normal */
	double		 floor_ms;	/* a p50 or p95 never normal, ms */
	struct floor_rule floor[MODEL_MAX_FLOORS];
	int		 nfloor;
	double		 novel_margin;	/* beyond a value record, of its range */
	double		 novel_rmargin;	/* beyond a residual record, of its range */
	int64_t		 novel_rearm;	/* ms from one novelty to the next */
	int64_t		 rebase;	/* ms degraded before a shift is normal;
					   0: never */
	struct slo_def	 slo[MODEL_MAX_SLO];
	int		 nslo;
	struct slo_pair	 pair[MODEL_MAX_PAIRS];
	int		 npair;
	/* Not options: what model_finish() derives from them, once. */
	double		 err_cusum_lr;		/* ln(err_cusum_ratio) */
	double		 err_cusum_to_h;	/* cusum_h / err_cusum_h */
	double		 err_cusum_clip_h;	/* err_cusum_clip, to_h units */
};

struct base {
	double		 mu;		/* level */
	double		 d;		/* mean absolute deviation */
	double		 n;		/* samples learned */
};

/*
 * The hour-of-week profile of a MK_RAW metric, and how well each profile
 * predicts against a simpler one: err.mu and err.d are the long-run mean
 * absolute residuals from the daily and the weekly profile, over err.n
 * windows that both predicted; shape.mu and shape.d those from the daily
 * profile's mean over the day (its level without its shape) and from
 * the daily profile, over shape.n windows that it predicted.
 */
struct week {
	struct base	 prof[MODEL_WEEK];
	struct base	 err;
	struct base	 shape;
};

/*
 * A series degraded since `since' (ms; 0: it is not), and the recent
 * residual of a metric over those windows (an EWMA of about an hour, a
 * running mean first, over n windows): what rebase() shifts the
 * baselines by once the series has been degraded for --rebase-after.
 */
struct shift {
	double		 since, res, n;
};

/*
 * One metric of a series: the baselines the model learns, then the
 * state of every detector (detector.h), series_metric() apart.
 */
struct mstate {
	struct base	 glob;
	struct base	 aux;		/* MK_ERRORS: the count's level; MK_RAW:
					   the long-run level and spread */
	struct base	 prof[MODEL_HOURS];
	struct week	*week;		/* MK_RAW: owned; NULL for the others */
	struct shift	 shift;		/* not MK_ERRORS */
	uint32_t	 dmask;		/* bit k: detectors[k] watches it */
};

struct series {
	char		*key;
	size_t		 keylen;	/* strlen(key) */
	int64_t		 width;		/* ms */
	double		 seen;		/* windows seen */
	double		 first;		/* start of the first window, ms */
	double		 last_end;	/* end of the newest window, ms */
	double		 rate, prate;	/* learning rates per window, cached */
	double		 floor_err, floor_ms;	/* --floor, for this key */
	/*
	 * The state of detector k of the series (detector.h) at sstate[k],
	 * NULL when it does not run; sstate NULL when none does.
	 */
	void		**sstate;
	int		 nmetric;
	int		 weekly;	/* a metric has a week profile */
	int		 shifting;	/* a metric may hold a shift (rebase()) */
	/* Where metric i starts in mem: each holds only its detectors. */
	uint16_t	 moff[MODEL_MAX_METRICS];
	_Alignas(8) unsigned char mem[];	/* config nmetric metrics */
};

/* Metric i of a series. */
static inline struct mstate *
series_metric(const struct series *s, int i)
{
	return (struct mstate *)(void *)((unsigned char *)s->mem + s->moff[i]);
}

/* One window's observations, in config metric order. */
struct obs {
	int64_t		 start, width;	/* ms */
	int		 has_count;
	int64_t		 count, errors;
	double		 x[MODEL_MAX_METRICS];
	unsigned char	 has[MODEL_MAX_METRICS];
	double		 slow;		/* --slo latency: requests above it */
};

struct signal {
	int		 metric;
	enum sb_family	 family;
	int		 down;
	int		 cleared;
	int64_t		 at, since;
	double		 value, baseline, spread, score;
	int64_t		 windows;
	/* Detector-specific, NaN when not used. */
	double		 p_value, expected, count, errors, dispersion;
	/* slo_burn: slo is the SLO's index + 1, 0 for other signals. */
	int		 slo;
	double		 burn_short, window_long_s, window_short_s;
	double		 objective, factor;
};

#define MODEL_MAX_SIGNALS	(MODEL_MAX_METRICS * 6 + MODEL_MAX_SLO)

void	 model_defaults(struct model_config *);
/*
 * Derives what the detectors compute from the options once (each
 * detector's configure step): after the options are set, before the
 * first series_new().
 */
void	 model_finish(struct model_config *);
/*
 * A new series, its learning and detector state zeroed; key is copied.
 * Free with series_free().
 */
struct series *series_new(const struct model_config *, const char *key,
	    size_t keylen, int64_t width);
void	 series_free(struct series *);
/* Returns the number of signals written to sig (<= MODEL_MAX_SIGNALS). */
int	 series_update(const struct model_config *, struct series *,
	    const struct obs *, struct signal *sig);
/*
 * The baseline of metric i for a window starting at start, on the
 * metric's scale (ms, share, requests); NaN while it warms up.
 */
double	 series_baseline(const struct model_config *, const struct series *,
	    int i, int64_t start, int64_t width);

/*
 * The share of a window's requests slower than t ms, from its p50, p95
 * and p99 (log-normal interpolation; detect.1, --slo).
 */
double	 slo_slow_share(double p50, double p95, double p99, double t);

/* Statistics, exposed for tests. */
double	 binom_upper(int64_t k, int64_t n, double p);	/* P(X >= k) */
double	 poisson_upper(double k, double mu);		/* P(X >= k) */
double	 poisson_lower(double k, double mu);		/* P(X <= k) */

#endif
