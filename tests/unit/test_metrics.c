/*
 * test_metrics.c - the Prometheus text of lib/metrics: families in
 * catalog order with one HELP and TYPE each, the tool label, values read
 * where they are kept, NaN left out, cumulative histograms.
 */
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "metrics.h"
#include "../tap.h"

static double
half(const void *ctx)
{
	return *(const double *)ctx / 2;
}

static double
nothing(const void *ctx)
{
	return NAN;
}

static int64_t
newest(const void *ctx)
{
	return *(const int64_t *)ctx;
}

static int
count(const char *s, const char *needle)
{
	int n = 0;

	for (const char *p = s; (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

static void
text(void)
{
	struct sb_metrics *m = sb_metrics_new("detect");
	struct sb_buf b = SB_BUF_INIT;
	uint64_t sig = 7, fwd = 0;
	double seven = 7;
	int64_t none = INT64_MIN;

	is_int(sb_metrics_u64(m, "slowburn_records_out_total",
	    "kind=\"signal\"", &sig), 0, "a catalog name registers");
	is_int(sb_metrics_u64(m, "slowburn_no_such_total", NULL, &sig), -1,
	    "a name outside the catalog does not");
	sb_metrics_u64(m, "slowburn_records_out_total", "kind=\"forwarded\"",
	    &fwd);
	sb_metrics_fn(m, "slowburn_open_series", NULL, half, &seven);
	sb_metrics_fn(m, "slowburn_open_incidents", NULL, nothing, NULL);
	sb_metrics_event_time(m, newest, &none);
	sb_metrics_input(m);
	sig = 9;	/* read when formatted, not when registered */
	sb_metrics_format(m, &b);

	ok(strncmp(b.s, "# HELP slowburn_build_info ", 27) == 0,
	    "build info first, as in the catalog");
	ok(strstr(b.s, "slowburn_build_info{tool=\"detect\",version=\"")
	    != NULL, "build info names the tool and the version");
	ok(strstr(b.s, "# TYPE slowburn_records_out_total counter\n"
	    "slowburn_records_out_total{tool=\"detect\",kind=\"signal\"} 9\n"
	    "slowburn_records_out_total{tool=\"detect\",kind=\"forwarded\"} 0\n")
	    != NULL, "one TYPE, then the samples of the family, the value as now");
	is_int(count(b.s, "# HELP slowburn_records_out_total"), 1,
	    "one HELP for the two samples");
	ok(strstr(b.s, "slowburn_open_series{tool=\"detect\"} 3.5\n") != NULL,
	    "a function's value");
	is_int(count(b.s, "slowburn_open_incidents"), 0,
	    "a NaN leaves the sample, and its empty family, out");
	is_int(count(b.s, "slowburn_event_time"), 0,
	    "no event time before the first event");
	ok(strstr(b.s, "slowburn_input_lines_total{tool=\"detect\"} 0\n") !=
	    NULL, "the reader's lines");
	ok(strstr(b.s, "slowburn_input_bad_lines_total{tool=\"detect\"} 0\n")
	    != NULL, "the reader's bad lines");
	ok(strstr(b.s, "slowburn_input_lines_total") <
	    strstr(b.s, "slowburn_records_out_total"),
	    "families in catalog order, not registration order");
	ok(b.s[b.len - 1] == '\n', "ends with a newline");

	none = 1795651200500;	/* 2026-11-26T00:00:00.500Z */
	sb_buf_reset(&b);
	sb_metrics_format(m, &b);
	ok(strstr(b.s, "slowburn_event_time_seconds{tool=\"detect\"} "
	    "1795651200.5\n") != NULL, "the event time in seconds");
	ok(strstr(b.s, "slowburn_event_time_lag_seconds{tool=\"detect\"} ")
	    != NULL, "and its lag");
	sb_metrics_free(m);
	sb_buf_free(&b);
}

static void
histogram(void)
{
	struct sb_metrics *m = sb_metrics_new("dashboard");
	struct sb_histogram h;
	struct sb_buf b = SB_BUF_INIT;

	memset(&h, 0, sizeof h);
	sb_histogram_observe(&h, 0.0002);
	sb_histogram_observe(&h, 0.003);
	sb_histogram_observe(&h, 0.003);
	sb_histogram_observe(&h, 99);
	is_int(sb_metrics_hist(m, "slowburn_open_series", NULL, &h), -1,
	    "a histogram only for a histogram family");
	sb_metrics_hist(m, "slowburn_http_request_duration_seconds", NULL, &h);
	sb_metrics_format(m, &b);
	ok(strstr(b.s, "# TYPE slowburn_http_request_duration_seconds "
	    "histogram\n") != NULL, "TYPE histogram");
	ok(strstr(b.s, "_bucket{tool=\"dashboard\",le=\"0.0005\"} 1\n") != NULL,
	    "the first bucket");
	ok(strstr(b.s, "_bucket{tool=\"dashboard\",le=\"0.005\"} 3\n") != NULL,
	    "buckets are cumulative");
	ok(strstr(b.s, "_bucket{tool=\"dashboard\",le=\"10\"} 3\n") != NULL,
	    "99 s is above the last bound");
	ok(strstr(b.s, "_bucket{tool=\"dashboard\",le=\"+Inf\"} 4\n") != NULL,
	    "+Inf holds every observation");
	ok(strstr(b.s, "_count{tool=\"dashboard\"} 4\n") != NULL, "_count");
	ok(strstr(b.s, "_sum{tool=\"dashboard\"} 99.0062\n") != NULL, "_sum");
	sb_metrics_free(m);
	sb_buf_free(&b);
}

static void
process(void)
{
	struct sb_metrics *m = sb_metrics_new("ingestd");
	struct sb_buf b = SB_BUF_INIT;
	const char *p;

	sb_metrics_process(m);
	sb_metrics_format(m, &b);
	ok(strstr(b.s, "\nprocess_open_fds ") != NULL,
	    "process_ samples carry no tool label");
	p = strstr(b.s, "\nprocess_start_time_seconds ");
	ok(p != NULL && atof(p + 28) > (double)time(NULL) - 60 &&
	    atof(p + 28) < (double)time(NULL) + 1,
	    "the start time is this process's, not the boot's");
	p = strstr(b.s, "\nprocess_resident_memory_bytes ");
	ok(p != NULL && atof(p + 31) > 0, "some resident memory");
	sb_metrics_free(m);
	sb_buf_free(&b);
}

static int refreshed;
static double refreshed_value;

static void
refresh(void *ctx)
{
	refreshed++;
	refreshed_value = *(const double *)ctx;
}

static double
refreshed_fn(const void *ctx)
{
	return refreshed_value;
}

/* The hook runs before each write of the file, and poll writes when due. */
static void
before_and_poll(void)
{
	struct sb_metrics *m = sb_metrics_new("store");
	struct sb_metrics_opt o = { NULL, 60000 };
	char path[] = "/tmp/test_metrics.XXXXXX", text[4096];
	double v = 42;
	FILE *fp;
	size_t n;
	int fd = mkstemp(path);

	ok(fd >= 0, "a temporary file");
	close(fd);
	o.path = path;
	is_int(sb_metrics_poll(m), INT_MAX, "no file: poll waits for ever");
	sb_metrics_fn(m, "slowburn_stream_length", "stream=\"ev:0\"",
	    refreshed_fn, NULL);
	sb_metrics_before(m, refresh, &v);
	is_int(sb_metrics_start(m, &o), 0, "started");
	is_int(refreshed, 1, "the hook ran before the first write");
	fp = fopen(path, "r");
	n = fp != NULL ? fread(text, 1, sizeof text - 1, fp) : 0;
	text[n] = '\0';
	if (fp != NULL)
		fclose(fp);
	ok(strstr(text, "slowburn_stream_length{tool=\"store\","
	    "stream=\"ev:0\"} 42\n") != NULL, "with the value it set");
	v = 7;
	ok(sb_metrics_poll(m) > 50000, "not due: ms until the next write");
	is_int(refreshed, 1, "and no write");
	is_int(sb_metrics_finish(m), 0, "the last write");
	is_int(refreshed, 2, "the hook ran before it too");
	unlink(path);
}

int
main(void)
{
	text();
	histogram();
	process();
	before_and_poll();
	return done_testing();
}
