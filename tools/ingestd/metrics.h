/*
 * metrics.h - the counters behind GET /metrics, in Prometheus text format.
 *
 * Every counter is a C11 atomic, updated from any thread without locks;
 * metrics_format() reads them all, not as one snapshot (Prometheus
 * expects no more).  Latencies go to fixed-bucket histograms in seconds.
 */
#ifndef INGESTD_METRICS_H
#define INGESTD_METRICS_H

#include <stdatomic.h>
#include <stdint.h>

#include "buf.h"

#define METRICS_NBUCKETS	15

struct histogram {
	atomic_uint_fast64_t	 bucket[METRICS_NBUCKETS];	/* not cumulative */
	atomic_uint_fast64_t	 count;
	atomic_uint_fast64_t	 sum_ns;
};

/* Why ingestd closed a connection itself, in the order they are printed. */
enum { C_HEADER_TIMEOUT, C_BODY_TIMEOUT, C_EVICTED, C_ENDLESS_BODY,
	C_NREASONS };

/* The status codes ingestd answers with, in the order they are printed. */
enum { M_200, M_400, M_401, M_404, M_405, M_413, M_415, M_500, M_503,
	M_NCODES };

struct metrics {
	atomic_uint_fast64_t	 requests[M_NCODES];
	atomic_uint_fast64_t	 closed[C_NREASONS];	/* connections */
	atomic_uint_fast64_t	 events_accepted;
	atomic_uint_fast64_t	 events_rejected;
	atomic_uint_fast64_t	 spans_ignored;		/* OTLP: not server spans */
	atomic_uint_fast64_t	 events_ahead;		/* of them, --max-ahead */
	atomic_uint_fast64_t	 received_bytes;	/* bodies as sent */
	atomic_uint_fast64_t	 written_bytes;
	atomic_uint_fast64_t	 write_errors;
	atomic_uint_fast64_t	 fsync_errors;
	atomic_uint_fast64_t	 reopens;
	atomic_int_fast64_t	 held_bytes;		/* gauge: the --queue-size budget */
	atomic_int_fast64_t	 queue_requests;	/* gauge: waiting for the writer */
	atomic_int		 healthy;		/* gauge: 1 or 0 */
	atomic_uint_fast64_t	 over_cap;		/* --redis-cap refusals */
	atomic_uint_fast64_t	 backlog;		/* gauge: the most unread */
	struct histogram	 write_seconds;
	struct histogram	 fsync_seconds;
	struct histogram	 request_seconds;	/* POST /ingest, end to end */
};

extern struct metrics metrics;

void	 metrics_count_status(int status);
void	 metrics_observe(struct histogram *, int64_t ns);
/* Appends every metric; limit and connections are read by the caller. */
void	 metrics_format(struct sb_buf *, int64_t held_limit, int64_t connections);

#endif
