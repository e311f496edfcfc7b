/*
 * metrics.h - a process's own metrics in the Prometheus text exposition
 * format (version 0.0.4): a registry of counters, gauges and histograms,
 * the writer of the text, and the file that node_exporter's textfile
 * collector reads (--metrics-file, written atomically every
 * --metrics-interval and at exit).
 *
 * Every metric name comes from one catalog in metrics.c, with its type
 * and its help text, so that a family reads the same in every tool's
 * file: node_exporter merges the files it finds and refuses a family
 * whose help or labels differ between them.  slowburn(7) documents the
 * catalog.  Every slowburn_ sample carries tool="NAME"; the process_
 * samples of the HTTP servers carry no label, as client libraries write
 * them.
 *
 * The registry does not hold values: it points at the counters a tool
 * already keeps (plain uint64_t, incremented on the hot path and nothing
 * more) or calls a function of the tool for a computed value, and reads
 * them when it formats.  So it formats in the thread that updates them:
 * in the filters the reader's tick (reader.h) does it between lines.
 *
 *	struct sb_metrics *m = sb_metrics_new("aggregate");
 *	sb_metrics_input(m);			the reader's lines and bad lines
 *	sb_metrics_u64(m, "slowburn_records_in_total", "kind=\"event\"", &n);
 *	if (sb_metrics_start(m, &opt.metrics) == -1)
 *		err(1, "%s", opt.metrics.path);
 *	status = sb_input_run(&in, argc, argv);	writes every interval
 *	sb_metrics_finish(m);			the last write, and free
 *
 * The registry owns its copies of names and labels; what a value points
 * at belongs to the caller and must outlive the registry.  Labels are
 * written as given ('kind="event",sink="webhook"'): constants of the
 * tools, never input data.
 */
#ifndef SB_METRICS_H
#define SB_METRICS_H

#include <stdint.h>

#include "buf.h"

/* getopt_long() values of --metrics-file and --metrics-interval. */
#define SB_OPT_METRICS_FILE		0x4d01
#define SB_OPT_METRICS_INTERVAL		0x4d02
#define SB_METRICS_INTERVAL_DEFAULT	10000	/* ms */

/* The two options; zero (memset) is "no file". */
struct sb_metrics_opt {
	const char	*path;		/* NULL: no file */
	int64_t		 interval_ms;	/* 0: SB_METRICS_INTERVAL_DEFAULT */
};

/* A latency histogram in seconds, owned and updated by one thread. */
#define SB_HIST_NBUCKETS	15	/* the last one is +Inf */
struct sb_histogram {
	uint64_t	 bucket[SB_HIST_NBUCKETS];	/* not cumulative */
	uint64_t	 count;
	double		 sum;
};
void	 sb_histogram_observe(struct sb_histogram *, double seconds);

struct sb_metrics;

/* A registry whose slowburn_ samples say tool="tool"; with build info. */
struct sb_metrics *sb_metrics_new(const char *tool);
void	 sb_metrics_free(struct sb_metrics *);

/*
 * Registration; name must be in the catalog (else -1 and nothing is
 * registered: a programming error that the tests catch), labels may be
 * NULL.  A counter family is read from a uint64_t, any family from a
 * function (a NaN leaves the sample out, e.g. no event seen yet).
 */
int	 sb_metrics_u64(struct sb_metrics *, const char *name,
	    const char *labels, const uint64_t *value);
int	 sb_metrics_fn(struct sb_metrics *, const char *name,
	    const char *labels, double (*fn)(const void *), const void *ctx);
int	 sb_metrics_hist(struct sb_metrics *, const char *name,
	    const char *labels, const struct sb_histogram *);
/* The reader's counters (reader.h): lines read and bad lines. */
void	 sb_metrics_input(struct sb_metrics *);
/*
 * Event time: ms since the epoch of the newest event the tool has seen,
 * from fn (INT64_MIN: none yet), as slowburn_event_time_seconds and its
 * lag behind the wall clock, slowburn_event_time_lag_seconds.
 */
void	 sb_metrics_event_time(struct sb_metrics *,
	    int64_t (*fn)(const void *), const void *ctx);
/* process_* from /proc/self, for the HTTP servers' /metrics. */
void	 sb_metrics_process(struct sb_metrics *);

/* Appends every family, in catalog order, to the buffer. */
void	 sb_metrics_format(const struct sb_metrics *, struct sb_buf *);

/*
 * The file: sb_metrics_start() writes it once (0, or -1 with errno set:
 * the tool reports it and exits 1) and has the reader (reader.h) write
 * it again whenever the interval has passed, even while the input is
 * quiet.  A later failure is reported once on stderr and tried again
 * next time; it never stops the tool.  sb_metrics_finish() writes it a
 * last time (-1 after a message if that failed) and frees the registry.
 * Without a path both only free or do nothing.  One file per process.
 */
int	 sb_metrics_start(struct sb_metrics *, const struct sb_metrics_opt *);
int	 sb_metrics_finish(struct sb_metrics *);

/*
 * For a tool whose loop is not the reader's (or that has a tick of its
 * own, which then calls this): writes the file when due; ms until the
 * next write (INT_MAX without a file).
 */
int	 sb_metrics_poll(struct sb_metrics *);
/*
 * fn(ctx) runs before each write of the file, in the same thread: one
 * place to refresh values that cost a query (a stream's length) and that
 * several functions of sb_metrics_fn() then read.
 */
void	 sb_metrics_before(struct sb_metrics *, void (*fn)(void *), void *ctx);

#endif
