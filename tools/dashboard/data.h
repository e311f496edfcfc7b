/*
 * data.h - what the dashboard reads from the store, and the health score.
 *
 * Every read is bounded: a range is cut into buckets and each bucket is
 * one query with a limit, so the rows read per request never exceed the
 * budgets below, whatever the range.  The functions here build plain
 * structures and never write HTML or JSON; html.c and api.c do.
 *
 * Ownership: every struct is the caller's, filled by a *_load() and
 * released by its *_free(); the strings in it are owned by it.
 */
#ifndef DASH_DATA_H
#define DASH_DATA_H

#include <stddef.h>
#include <stdint.h>

#include "level.h"
#include "store.h"

#define DASH_WIDTH_MS		60000	/* windows of other widths are ignored */
#define DASH_SERIES_MAX_READ	20000	/* window rows read for one series */
#define DASH_SERIES_POINTS	720	/* chart points at most */
#define DASH_OVERVIEW_BUCKETS	60	/* sparkline points */
#define DASH_OVERVIEW_BUCKET_ROWS 1000	/* rows read per sparkline point */
#define DASH_RECENT_MS		(15 * 60000)	/* "now" in the health score */
#define DASH_RECENT_ROWS	20000
#define DASH_ALERT_ROWS		5000	/* alert records read per request */
#define DASH_ALERT_LOOKBACK	(7 * 86400000LL)	/* for active alerts */
#define DASH_SIGNAL_ROWS	500

/* One point of a series: one window, or several merged into a bucket. */
struct dash_point {
	int64_t		 t;		/* start, ms */
	double		 count;		/* requests */
	double		 errors;	/* 5xx */
	double		 p50, p95, p99;	/* ms; NAN without requests */
	double		 lat_w;		/* windows with a latency, for merging */
	int		 nwin;		/* windows merged */
};

struct dash_series {
	char		*key;
	struct dash_point *pt;
	size_t		 n, cap;
	int64_t		 step;		/* ms per point */
	uint64_t	 rows;		/* rows read */
	int		 sampled;	/* the range was too big to read whole */
};

/* One incident: the records of one alert id seen in the range. */
struct dash_incident {
	char		 id[32];
	char		*key;		/* the first key */
	char		**keys;		/* every key; nkeys */
	size_t		 nkeys;
	char		*line;		/* the latest record, verbatim */
	size_t		 len;
	char		 state[16];	/* of the latest record */
	int		 severity;	/* enum sb_level, of the latest record */
	int64_t		 started, first_at, at, resolved_at; /* INT64_MIN: none */
	int		 active;	/* latest state is not resolved */
};

struct dash_alerts {
	struct dash_incident *inc;	/* newest first after load */
	size_t		 n, cap;
	uint64_t	 rows;
};

struct dash_alert_filter {
	const char	*key;		/* NULL: any; else key or one of keys */
	int		 severity;	/* enum sb_level; SB_LV_NONE: any */
	const char	*state;		/* NULL: any; "active" or a state */
};

/* One row of the overview. */
struct dash_row {
	struct dash_series s;		/* sparkline buckets */
	double		 rate;		/* requests per minute, recent */
	double		 p95;		/* ms, recent; NAN: none */
	double		 err;		/* error rate 0..1, recent; NAN: none */
	double		 base_p95, base_rate, base_err;
	int		 alert;		/* highest active level; SB_LV_NONE */
	double		 health;	/* 0..100; NAN: no recent data */
	double		 pen_latency, pen_errors, pen_traffic, pen_alert;
};

struct dash_overview {
	struct dash_row	*row;		/* worst first after load */
	size_t		 n, cap;
	struct dash_alerts alerts;	/* of the lookback, for "active" */
	uint64_t	 rows;
	int		 sampled;
	size_t		 max_rows;	/* --max-endpoints */
	uint64_t	 not_shown;	/* windows of keys beyond it */
};

/*
 * The time of the end of the newest window in the store, found with a
 * few bounded queries (a galloping then binary search on the time
 * index).  0 and *ms, 1 when the store has no window, -1 on error.
 */
int	 dash_latest(struct sb_store *, int64_t *ms);

int	 dash_series_load(struct sb_store *, const char *key, int64_t since,
	    int64_t until, struct dash_series *);
void	 dash_series_free(struct dash_series *);
/* 1 if key has any window at all, 0 if not, -1 on error. */
int	 dash_key_exists(struct sb_store *, const char *key);

int	 dash_alerts_load(struct sb_store *, int64_t since, int64_t until,
	    const struct dash_alert_filter *, struct dash_alerts *);
void	 dash_alerts_free(struct dash_alerts *);
int	 dash_incident_has_key(const struct dash_incident *, const char *key);

/*
 * filter: NULL or a substring every key shown must contain.  At most
 * max_rows keys are held, the first met; the windows of further keys are
 * counted in not_shown.
 */
int	 dash_overview_load(struct sb_store *, int64_t since, int64_t until,
	    const char *filter, size_t max_rows, struct dash_overview *);
void	 dash_overview_free(struct dash_overview *);

/*
 * The health score of dashboard(1), from recent and baseline values;
 * fills the penalties of the row too.
 */
void	 dash_health(struct dash_row *);

/*
 * The signal records of key in [since, until), at most DASH_SIGNAL_ROWS,
 * appended to lines one per line.
 */
int	 dash_signals_load(struct sb_store *, const char *key, int64_t since,
	    int64_t until, struct sb_buf *lines);

/* Median of v[0..n) (reorders v); NAN when n is 0. */
double	 dash_median(double *v, size_t n);

#endif
