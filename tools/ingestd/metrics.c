/*
 * metrics.c - counters and histograms; see metrics.h.
 */
#include <stdint.h>

#include "../../lib/metrics.h"
#include "metrics.h"

struct metrics metrics;

/* Upper bounds of the histogram buckets, in seconds; the last is +Inf. */
static const double bounds[METRICS_NBUCKETS - 1] = {
	0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
	0.1, 0.25, 0.5, 1, 2.5,
};

static const struct { int code; int slot; } codes[] = {
	{ 200, M_200 }, { 400, M_400 }, { 401, M_401 }, { 404, M_404 },
	{ 405, M_405 }, { 413, M_413 }, { 415, M_415 }, { 500, M_500 },
	{ 503, M_503 },
};
#define NCODES	(sizeof codes / sizeof codes[0])

static const char *const reasons[C_NREASONS] = {
	"header_timeout", "body_timeout", "evicted", "endless_body",
};

void
metrics_count_status(int status)
{
	for (size_t i = 0; i < NCODES; i++)
		if (codes[i].code == status) {
			atomic_fetch_add(&metrics.requests[codes[i].slot], 1);
			return;
		}
	atomic_fetch_add(&metrics.requests[M_500], 1);
}

void
metrics_observe(struct histogram *h, int64_t ns)
{
	double s = (double)ns / 1e9;
	int i = 0;

	while (i < METRICS_NBUCKETS - 1 && s > bounds[i])
		i++;
	atomic_fetch_add(&h->bucket[i], 1);
	atomic_fetch_add(&h->count, 1);
	atomic_fetch_add(&h->sum_ns, (uint_fast64_t)(ns > 0 ? ns : 0));
}

static void
counter(struct sb_buf *b, const char *name, const char *help, uint64_t v)
{
	sb_buf_printf(b, "# HELP %s %s\n# TYPE %s counter\n%s %llu\n", name,
	    help, name, name, (unsigned long long)v);
}

static void
gauge(struct sb_buf *b, const char *name, const char *help, int64_t v)
{
	sb_buf_printf(b, "# HELP %s %s\n# TYPE %s gauge\n%s %lld\n", name,
	    help, name, name, (long long)v);
}

static void
histogram(struct sb_buf *b, const char *name, const char *help,
    struct histogram *h)
{
	uint64_t cum = 0;

	sb_buf_printf(b, "# HELP %s %s\n# TYPE %s histogram\n", name, help,
	    name);
	for (int i = 0; i < METRICS_NBUCKETS; i++) {
		cum += atomic_load(&h->bucket[i]);
		if (i < METRICS_NBUCKETS - 1)
			sb_buf_printf(b, "%s_bucket{le=\"%g\"} %llu\n", name,
			    bounds[i], (unsigned long long)cum);
		else
			sb_buf_printf(b, "%s_bucket{le=\"+Inf\"} %llu\n", name,
			    (unsigned long long)cum);
	}
	sb_buf_printf(b, "%s_sum %.9f\n%s_count %llu\n", name,
	    (double)atomic_load(&h->sum_ns) / 1e9, name,
	    (unsigned long long)cum);
}

/*
 * slowburn_build_info and process_* (lib/metrics.h), from a registry of
 * this call's own: the threads that scrape share nothing.
 */
static void
process_format(struct sb_buf *b)
{
	struct sb_metrics *m = sb_metrics_new("ingestd");

	sb_metrics_process(m);
	sb_metrics_format(m, b);
	sb_metrics_free(m);
}

void
metrics_format(struct sb_buf *b, int64_t held_limit, int64_t connections)
{
	sb_buf_puts(b, "# HELP ingestd_requests_total HTTP requests answered, "
	    "by status code.\n# TYPE ingestd_requests_total counter\n");
	for (size_t i = 0; i < NCODES; i++)
		sb_buf_printf(b, "ingestd_requests_total{code=\"%d\"} %llu\n",
		    codes[i].code, (unsigned long long)
		    atomic_load(&metrics.requests[codes[i].slot]));
	sb_buf_puts(b, "# HELP ingestd_connections_closed_total Connections "
	    "ingestd closed itself, by reason.\n"
	    "# TYPE ingestd_connections_closed_total counter\n");
	for (int i = 0; i < C_NREASONS; i++)
		sb_buf_printf(b, "ingestd_connections_closed_total{reason=\"%s\"}"
		    " %llu\n", reasons[i], (unsigned long long)
		    atomic_load(&metrics.closed[i]));
	counter(b, "ingestd_events_accepted_total",
	    "Events written to the output (acknowledged unless the client left).",
	    atomic_load(&metrics.events_accepted));
	counter(b, "ingestd_events_rejected_total",
	    "Items of request bodies that were not valid events.",
	    atomic_load(&metrics.events_rejected));
	counter(b, "ingestd_spans_ignored_total",
	    "OTLP spans that are not HTTP server spans, skipped.",
	    atomic_load(&metrics.spans_ignored));
	counter(b, "ingestd_events_ahead_total",
	    "Events refused as dated more than --max-ahead past the clock.",
	    atomic_load(&metrics.events_ahead));
	counter(b, "ingestd_received_bytes_total",
	    "Request body bytes received, as sent (before gunzip).",
	    atomic_load(&metrics.received_bytes));
	counter(b, "ingestd_written_bytes_total",
	    "Bytes written to the output.",
	    atomic_load(&metrics.written_bytes));
	counter(b, "ingestd_write_errors_total",
	    "Failed writes to the output (each answered 503).",
	    atomic_load(&metrics.write_errors));
	counter(b, "ingestd_fsync_errors_total", "Failed fsyncs.",
	    atomic_load(&metrics.fsync_errors));
	counter(b, "ingestd_reopens_total", "Reopenings of the output (SIGHUP).",
	    atomic_load(&metrics.reopens));
	gauge(b, "ingestd_queue_bytes",
	    "Bytes held for requests: bodies being read and lines waiting "
	    "for the writer.", atomic_load(&metrics.held_bytes));
	gauge(b, "ingestd_queue_limit_bytes", "The --queue-size limit.",
	    held_limit);
	gauge(b, "ingestd_queue_requests",
	    "Requests whose events wait for the writer.",
	    atomic_load(&metrics.queue_requests));
	gauge(b, "ingestd_connections", "Open HTTP connections.", connections);
	gauge(b, "ingestd_writer_healthy",
	    "1 while the output can be written, 0 after a failed write.",
	    atomic_load(&metrics.healthy));
	counter(b, "ingestd_redis_over_cap_total",
	    "Requests answered 503 because a shard's stream was at "
	    "--redis-cap.", atomic_load(&metrics.over_cap));
	gauge(b, "ingestd_redis_backlog",
	    "The most entries a shard's stream held unread by the group, "
	    "as last asked.", atomic_load(&metrics.backlog));
	histogram(b, "ingestd_write_seconds",
	    "Time of one write(2) of a group of requests.",
	    &metrics.write_seconds);
	histogram(b, "ingestd_fsync_seconds", "Time of one fdatasync(2).",
	    &metrics.fsync_seconds);
	histogram(b, "ingestd_request_seconds",
	    "POST /ingest from the end of the headers to the reply.",
	    &metrics.request_seconds);
	process_format(b);
}
