/*
 * model.h - baselines and change detectors of detect(1), with no I/O.
 *
 * One struct series per window key and width.  series_update() feeds it
 * one window's observations and appends the signals that window causes
 * to a caller's array; the caller formats them.  Nothing here allocates
 * per window, reads the clock or touches a file, so the same windows
 * always give the same signals.  detect.1 holds the formulas.
 */
#ifndef DETECT_MODEL_H
#define DETECT_MODEL_H

#include <stddef.h>
#include <stdint.h>

#define MODEL_MAX_METRICS	16
#define MODEL_RING		16	/* longest m-of-n history, windows */
#define MODEL_HOURS		24

enum metric_kind {
	MK_COUNT,	/* request count: traffic detector */
	MK_ERRORS,	/* errors of count: binomial detector */
	MK_LOG,		/* latency, watched on a log scale: level + cusum */
	MK_RAW		/* any other number: level + cusum on its own scale */
};

enum family { F_LEVEL, F_CUSUM, F_BINOMIAL, F_TRAFFIC };

struct metric_def {
	const char	*path;		/* dotted path in the window */
	const char	*name;		/* "metric" in the signal */
	enum metric_kind kind;
	int		 fast;		/* level fast path (the median) */
	int		 user;		/* given by --metric: must be present */
};

struct model_config {
	struct metric_def metric[MODEL_MAX_METRICS];
	int		 nmetric;
	int		 warmup;	/* windows before detectors speak */
	double		 learn;		/* EWMA weight per window */
	double		 profile_learn;	/* floor of the per-bucket weight */
	int		 profile_min;	/* samples a bucket needs */
	int64_t		 min_count;	/* latency skipped below */
	double		 level_z;
	int		 level_m, level_n;
	double		 fast_z;
	double		 cusum_k, cusum_h, cusum_clip;
	double		 err_p, err_window_p, err_floor;
	int		 err_trim, err_n;
	int64_t		 err_min_count;
	double		 traffic_p;
	int		 traffic_m, traffic_n;
	double		 clear_p;
	int		 clear;		/* quiet windows that clear a signal */
};

struct base {
	double		 mu;		/* level */
	double		 d;		/* mean absolute deviation */
	double		 n;		/* samples learned */
};

/* One detector in one direction. */
struct det {
	double		 active;	/* doubles: the state file is all numbers */
	double		 quiet;		/* consecutive windows without support */
	double		 hist;		/* bit 0: this window beyond threshold */
	double		 fhist;		/* same for the fast threshold */
	double		 windows;	/* windows since it became active */
	double		 since;		/* ms */
	double		 cus;		/* CUSUM sum */
	double		 cus_start;	/* ms: where the sum last left 0 */
};

struct mstate {
	struct base	 glob;
	struct base	 aux;		/* MK_ERRORS: the count's level */
	struct base	 prof[MODEL_HOURS];
	struct det	 det[2][2];	/* [slot][up, down]; slot 1 is CUSUM */
	double		 ring_e[MODEL_RING], ring_n[MODEL_RING];
	double		 ring_bits;	/* windows filled in the ring */
};

struct series {
	char		*key;
	int64_t		 width;		/* ms */
	double		 seen;		/* windows seen */
	double		 first;		/* start of the first window, ms */
	double		 last_end;	/* end of the newest window, ms */
	double		 rate, prate;	/* learning rates per window, cached */
	struct mstate	 m[];		/* config nmetric of them */
};

/* One window's observations, in config metric order. */
struct obs {
	int64_t		 start, width;	/* ms */
	int		 has_count;
	int64_t		 count, errors;
	double		 x[MODEL_MAX_METRICS];
	unsigned char	 has[MODEL_MAX_METRICS];
};

struct signal {
	int		 metric;
	enum family	 family;
	int		 down;
	int		 cleared;
	int64_t		 at, since;
	double		 value, baseline, spread, score;
	int64_t		 windows;
	/* Detector-specific, NaN when not used. */
	double		 p_value, expected, count, errors, dispersion;
};

#define MODEL_MAX_SIGNALS	(MODEL_MAX_METRICS * 4)

void	 model_defaults(struct model_config *);
/* A zeroed series of the right size; key is copied.  Free with free(). */
struct series *series_new(const struct model_config *, const char *key,
	    size_t keylen, int64_t width);
/* Returns the number of signals written to sig (<= MODEL_MAX_SIGNALS). */
int	 series_update(const struct model_config *, struct series *,
	    const struct obs *, struct signal *sig);
/* The numbers of one metric's state, in a fixed order, for --state. */
size_t	 mstate_count(void);
void	 mstate_save(const struct mstate *, double *out);
void	 mstate_load(struct mstate *, const double *in);

/* Statistics, exposed for tests. */
double	 binom_upper(int64_t k, int64_t n, double p);	/* P(X >= k) */
double	 poisson_upper(double k, double mu);		/* P(X >= k) */
double	 poisson_lower(double k, double mu);		/* P(X <= k) */

#endif
