/*
 * metrics.c - the registry, the text writer, process metrics and the
 * textfile; see metrics.h.
 *
 * The text format is Prometheus' exposition format 0.0.4: per family a
 * "# HELP" and a "# TYPE" line, then its samples, no timestamps (the
 * textfile collector refuses them; the scrape time is the sample's).
 */
#include <dirent.h>
#include <err.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "clock.h"
#include "file.h"
#include "metrics.h"
#include "reader.h"
#include "version.h"


enum mtype { COUNTER, GAUGE, HISTOGRAM };

/* Every family any tool writes; slowburn(7) lists the same. */
static const struct family {
	const char	*name;
	enum mtype	 type;
	const char	*help;
} catalog[] = {
	{ "slowburn_build_info", GAUGE,
	    "Always 1; the labels name the tool and the slowburn version." },
	{ "slowburn_input_lines_total", COUNTER,
	    "Input lines read, blank and bad ones included." },
	{ "slowburn_input_bad_lines_total", COUNTER,
	    "Input lines reported as bad and skipped." },
	{ "slowburn_records_in_total", COUNTER,
	    "Records read and taken, by kind: the record type the tool "
	    "consumes, or other for records it passes on or ignores." },
	{ "slowburn_records_out_total", COUNTER,
	    "Records written to standard output, by kind; forwarded are "
	    "records passed on unchanged." },
	{ "slowburn_event_time_seconds", GAUGE,
	    "Event time of the newest record the tool has seen, in seconds "
	    "since the epoch." },
	{ "slowburn_event_time_lag_seconds", GAUGE,
	    "Wall clock minus the newest event time, in seconds, when the "
	    "metrics were written." },
	{ "slowburn_open_series", GAUGE,
	    "Series held in memory: keys with windows (aggregate), "
	    "baselines (detect)." },
	{ "slowburn_state_saves_total", COUNTER,
	    "Saves of --state: every --state-every windows, at each "
	    "checkpoint and at exit (detect)." },
	{ "slowburn_late_events_total", COUNTER,
	    "Events that came after their window had closed, counted as "
	    "late." },
	{ "slowburn_other_events_total", COUNTER,
	    "Events of keys beyond --max-keys, counted under the key "
	    "(other)." },
	{ "slowburn_open_incidents", GAUGE,
	    "Incidents open: fired and not yet resolved." },
	{ "slowburn_over_limit_total", COUNTER,
	    "Records dropped at a cap on memory, by the option that sets it "
	    "(correlate --max-keys, alert --max-alerts; dashboard "
	    "--max-endpoints: windows not shown)." },
	{ "slowburn_alert_deliveries_total", COUNTER,
	    "Delivery attempts of the remote sinks, by result: sent; failed "
	    "(transient, kept and tried again); refused (permanent, "
	    "dropped)." },
	{ "slowburn_alert_retries_total", COUNTER,
	    "Delivery attempts of the remote sinks that retried a failed "
	    "one." },
	{ "slowburn_alert_spool_messages", GAUGE,
	    "Messages waiting in the spool for a remote sink." },
	{ "slowburn_stream_length", GAUGE,
	    "Entries in a shard stream (store xadd, xread), by stream: "
	    "PREFIX is left out, ev:K or out:K." },
	{ "slowburn_stream_pending", GAUGE,
	    "Entries of a shard stream read by the consumer group and not "
	    "yet acknowledged." },
	{ "slowburn_stream_backlog", GAUGE,
	    "Entries of a shard stream not yet read by the consumer group." },
	{ "slowburn_stream_lag_seconds", GAUGE,
	    "Arrival of the newest entry of a shard stream minus that of the "
	    "newest the consumer group has read, in seconds." },
	{ "slowburn_store_records_total", COUNTER,
	    "Records of store put, by result: stored in the backend; "
	    "spooled while it was away; failed, not kept." },
	{ "slowburn_store_spool_files", GAUGE,
	    "Batches journaled in the --spool directory, waiting for the "
	    "backend." },
	{ "slowburn_http_requests_total", COUNTER,
	    "HTTP requests answered, by status code." },
	{ "slowburn_http_request_duration_seconds", HISTOGRAM,
	    "Time from the end of a request to its reply, in seconds." },
	/* Named and worded as the Prometheus client libraries do. */
	{ "process_cpu_seconds_total", COUNTER,
	    "Total user and system CPU time spent in seconds." },
	{ "process_open_fds", GAUGE, "Number of open file descriptors." },
	{ "process_max_fds", GAUGE,
	    "Maximum number of open file descriptors." },
	{ "process_virtual_memory_bytes", GAUGE,
	    "Virtual memory size in bytes." },
	{ "process_resident_memory_bytes", GAUGE,
	    "Resident memory size in bytes." },
	{ "process_start_time_seconds", GAUGE,
	    "Start time of the process since unix epoch in seconds." },
};
#define NFAMILIES	(sizeof catalog / sizeof catalog[0])

/* Upper bounds of the histogram buckets, in seconds; the last is +Inf. */
static const double bounds[SB_HIST_NBUCKETS - 1] = {
	0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
	1, 2.5, 5, 10,
};

struct entry {
	size_t			 family;
	char			*labels;	/* tool="x",...; or NULL */
	const uint64_t		*u64;
	double			(*fn)(const void *);
	const void		*ctx;
	const struct sb_histogram *hist;
};

struct sb_metrics {
	char		*tool;
	struct entry	*e;
	size_t		 n, cap;
	int64_t		 (*event_fn)(const void *);
	const void	*event_ctx;
	double		 start_time;	/* process_start_time_seconds */
	char		*path;		/* the textfile, or NULL */
	int64_t		 interval;	/* ms */
	int64_t		 due;		/* monotonic ms of the next write */
	int		 failing;	/* the last write failed, reported */
	void		 (*before)(void *);	/* before each write of the file */
	void		*before_ctx;
	struct sb_buf	 text;
};

/* The registry whose file the reader's tick writes. */
static struct sb_metrics *ticking;

void
sb_histogram_observe(struct sb_histogram *h, double s)
{
	int i = 0;

	while (i < SB_HIST_NBUCKETS - 1 && !(s <= bounds[i]))
		i++;
	h->bucket[i]++;
	h->count++;
	h->sum += s > 0 ? s : 0;
}

static double
one(const void *ctx)
{
	return 1;
}

struct sb_metrics *
sb_metrics_new(const char *tool)
{
	struct sb_metrics *m = sb_xcalloc(1, sizeof *m);

	m->tool = sb_xstrdup(tool);
	m->start_time = NAN;
	sb_metrics_fn(m, "slowburn_build_info", "version=\"" SB_VERSION "\"",
	    one, NULL);
	return m;
}

void
sb_metrics_free(struct sb_metrics *m)
{
	if (m == NULL)
		return;
	if (ticking == m) {
		sb_reader_tick(NULL);
		ticking = NULL;
	}
	for (size_t i = 0; i < m->n; i++)
		free(m->e[i].labels);
	free(m->e);
	free(m->tool);
	free(m->path);
	sb_buf_free(&m->text);
	free(m);
}

static struct entry *
add(struct sb_metrics *m, const char *name, const char *labels, enum mtype *t)
{
	struct sb_buf l = SB_BUF_INIT;
	struct entry *e;
	size_t f;

	for (f = 0; f < NFAMILIES; f++)
		if (strcmp(catalog[f].name, name) == 0)
			break;
	if (f == NFAMILIES)
		return NULL;
	if (strncmp(name, "slowburn_", 9) == 0)
		sb_buf_printf(&l, "tool=\"%s\"", m->tool);
	if (labels != NULL && *labels != '\0')
		sb_buf_printf(&l, "%s%s", l.len > 0 ? "," : "", labels);
	if (m->n == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 32;
		m->e = sb_xrealloc(m->e, m->cap * sizeof *m->e);
	}
	e = &m->e[m->n++];
	memset(e, 0, sizeof *e);
	e->family = f;
	e->labels = l.s;	/* NULL when empty */
	*t = catalog[f].type;
	return e;
}

int
sb_metrics_u64(struct sb_metrics *m, const char *name, const char *labels,
    const uint64_t *v)
{
	enum mtype t;
	struct entry *e = add(m, name, labels, &t);

	if (e == NULL)
		return -1;
	e->u64 = v;
	return 0;
}

int
sb_metrics_fn(struct sb_metrics *m, const char *name, const char *labels,
    double (*fn)(const void *), const void *ctx)
{
	enum mtype t;
	struct entry *e = add(m, name, labels, &t);

	if (e == NULL)
		return -1;
	e->fn = fn;
	e->ctx = ctx;
	return 0;
}

int
sb_metrics_hist(struct sb_metrics *m, const char *name, const char *labels,
    const struct sb_histogram *h)
{
	enum mtype t;
	struct entry *e = add(m, name, labels, &t);

	if (e == NULL)
		return -1;
	if (t != HISTOGRAM) {
		m->n--;
		free(e->labels);
		return -1;
	}
	e->hist = h;
	return 0;
}

void
sb_metrics_input(struct sb_metrics *m)
{
	sb_metrics_u64(m, "slowburn_input_lines_total", NULL,
	    &sb_input_stats.lines);
	sb_metrics_u64(m, "slowburn_input_bad_lines_total", NULL,
	    &sb_input_stats.bad);
}

static double
event_time(const void *ctx)
{
	const struct sb_metrics *m = ctx;
	int64_t t = m->event_fn(m->event_ctx);

	return t == INT64_MIN ? NAN : (double)t / 1000;
}

static double
event_lag(const void *ctx)
{
	const struct sb_metrics *m = ctx;
	int64_t t = m->event_fn(m->event_ctx);

	return t == INT64_MIN ? NAN : (double)(sb_wall_ms() - t) / 1000;
}

void
sb_metrics_event_time(struct sb_metrics *m, int64_t (*fn)(const void *),
    const void *ctx)
{
	m->event_fn = fn;
	m->event_ctx = ctx;
	sb_metrics_fn(m, "slowburn_event_time_seconds", NULL, event_time, m);
	sb_metrics_fn(m, "slowburn_event_time_lag_seconds", NULL, event_lag, m);
}

/* --- process metrics, from /proc/self -------------------------------- */

static double
cpu_seconds(const void *ctx)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru) == -1)
		return NAN;
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	    (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

/* /proc/self/statm: sizes in pages; field 0 virtual, 1 resident. */
static double
statm(int field)
{
	unsigned long long v[2];
	FILE *fp = fopen("/proc/self/statm", "re");
	int n;

	if (fp == NULL)
		return NAN;
	n = fscanf(fp, "%llu %llu", &v[0], &v[1]);
	fclose(fp);
	if (n != 2)
		return NAN;
	return (double)v[field] * (double)sysconf(_SC_PAGESIZE);
}

static double
virtual_bytes(const void *ctx)
{
	return statm(0);
}

static double
resident_bytes(const void *ctx)
{
	return statm(1);
}

static double
open_fds(const void *ctx)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	double n = 0;

	if (d == NULL)
		return NAN;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1;	/* not the one opendir() holds */
}

static double
max_fds(const void *ctx)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return NAN;
	return rl.rlim_cur == RLIM_INFINITY ? INFINITY : (double)rl.rlim_cur;
}

/*
 * Field 22 of /proc/self/stat is the start in clock ticks after boot,
 * and /proc/stat's btime the boot in seconds since the epoch (proc(5)).
 */
static double
start_time(void)
{
	char buf[1024], *p;
	unsigned long long ticks = 0, btime = 0;
	size_t n;
	FILE *fp;
	int field;

	if ((fp = fopen("/proc/self/stat", "re")) == NULL)
		return NAN;
	n = fread(buf, 1, sizeof buf - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	/* The command name (field 2) may hold spaces; it ends at the last ')'. */
	if ((p = strrchr(buf, ')')) == NULL)
		return NAN;
	for (field = 2; field < 22 && (p = strchr(p + 1, ' ')) != NULL; field++)
		;
	if (p == NULL || sscanf(p + 1, "%llu", &ticks) != 1)
		return NAN;
	if ((fp = fopen("/proc/stat", "re")) == NULL)
		return NAN;
	while (fgets(buf, sizeof buf, fp) != NULL)
		if (sscanf(buf, "btime %llu", &btime) == 1)
			break;
	fclose(fp);
	if (btime == 0)
		return NAN;
	return (double)btime + (double)ticks / (double)sysconf(_SC_CLK_TCK);
}

static double
start_seconds(const void *ctx)
{
	const struct sb_metrics *m = ctx;

	return m->start_time;
}

void
sb_metrics_process(struct sb_metrics *m)
{
	m->start_time = start_time();
	sb_metrics_fn(m, "process_cpu_seconds_total", NULL, cpu_seconds, NULL);
	sb_metrics_fn(m, "process_open_fds", NULL, open_fds, NULL);
	sb_metrics_fn(m, "process_max_fds", NULL, max_fds, NULL);
	sb_metrics_fn(m, "process_virtual_memory_bytes", NULL, virtual_bytes,
	    NULL);
	sb_metrics_fn(m, "process_resident_memory_bytes", NULL,
	    resident_bytes, NULL);
	sb_metrics_fn(m, "process_start_time_seconds", NULL, start_seconds, m);
}

/* --- the text -------------------------------------------------------- */

static void
put_value(struct sb_buf *b, double v)
{
	if (isinf(v))
		sb_buf_puts(b, v > 0 ? "+Inf" : "-Inf");
	else if (v == floor(v) && fabs(v) < 1e15)
		sb_buf_printf(b, "%.0f", v);
	else
		sb_buf_printf(b, "%.15g", v);
}

/* name{labels} or name{labels,extra}, or without braces when empty. */
static void
put_name(struct sb_buf *b, const char *name, const char *suffix,
    const char *labels, const char *extra)
{
	sb_buf_printf(b, "%s%s", name, suffix);
	if (labels == NULL && extra == NULL) {
		sb_buf_putc(b, ' ');
		return;
	}
	sb_buf_printf(b, "{%s%s%s} ", labels ? labels : "",
	    labels && extra ? "," : "", extra ? extra : "");
}

static void
put_hist(struct sb_buf *b, const char *name, const struct entry *e)
{
	const struct sb_histogram *h = e->hist;
	uint64_t cum = 0;
	char le[40];

	for (int i = 0; i < SB_HIST_NBUCKETS; i++) {
		cum += h->bucket[i];
		if (i < SB_HIST_NBUCKETS - 1)
			snprintf(le, sizeof le, "le=\"%g\"", bounds[i]);
		else
			snprintf(le, sizeof le, "le=\"+Inf\"");
		put_name(b, name, "_bucket", e->labels, le);
		sb_buf_printf(b, "%llu\n", (unsigned long long)cum);
	}
	put_name(b, name, "_sum", e->labels, NULL);
	put_value(b, h->sum);
	sb_buf_putc(b, '\n');
	put_name(b, name, "_count", e->labels, NULL);
	sb_buf_printf(b, "%llu\n", (unsigned long long)cum);
}

void
sb_metrics_format(const struct sb_metrics *m, struct sb_buf *b)
{
	static const char *const tname[] = { "counter", "gauge", "histogram" };
	double *v = sb_xcalloc(m->n ? m->n : 1, sizeof *v);

	/* Each function once; a family whose samples are all NaN is left out. */
	for (size_t i = 0; i < m->n; i++)
		v[i] = m->e[i].fn != NULL ? m->e[i].fn(m->e[i].ctx) : 0;
	for (size_t f = 0; f < NFAMILIES; f++) {
		const struct family *fam = &catalog[f];
		int head = 0;

		for (size_t i = 0; i < m->n; i++) {
			const struct entry *e = &m->e[i];

			if (e->family != f || isnan(v[i]))
				continue;
			if (!head++)
				sb_buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n",
				    fam->name, fam->help, fam->name,
				    tname[fam->type]);
			if (e->hist != NULL) {
				put_hist(b, fam->name, e);
				continue;
			}
			put_name(b, fam->name, "", e->labels, NULL);
			if (e->u64 != NULL)
				sb_buf_printf(b, "%llu",
				    (unsigned long long)*e->u64);
			else
				put_value(b, v[i]);
			sb_buf_putc(b, '\n');
		}
	}
	free(v);
}

/* --- the textfile ---------------------------------------------------- */

void
sb_metrics_before(struct sb_metrics *m, void (*fn)(void *), void *ctx)
{
	m->before = fn;
	m->before_ctx = ctx;
}

static int
write_file(struct sb_metrics *m)
{
	if (m->before != NULL)
		m->before(m->before_ctx);
	sb_buf_reset(&m->text);
	sb_metrics_format(m, &m->text);
	if (sb_file_publish(m->path, m->text.s, m->text.len) == -1) {
		if (!m->failing)
			warn("%s", m->path);
		m->failing = 1;
		return -1;
	}
	m->failing = 0;
	return 0;
}

int
sb_metrics_poll(struct sb_metrics *m)
{
	int64_t now, left;

	if (m == NULL || m->path == NULL)
		return INT_MAX;
	now = sb_monotonic_ms();
	if (now >= m->due) {
		write_file(m);
		m->due = now + m->interval;
	}
	left = m->due - now;
	return left > INT_MAX ? INT_MAX : (int)left;
}

/* The reader's tick. */
static int
tick(void)
{
	return sb_metrics_poll(ticking);
}

int
sb_metrics_start(struct sb_metrics *m, const struct sb_metrics_opt *o)
{
	if (o->path == NULL)
		return 0;
	m->path = sb_xstrdup(o->path);
	m->interval = o->interval_ms > 0 ? o->interval_ms :
	    SB_METRICS_INTERVAL_DEFAULT;
	if (m->before != NULL)
		m->before(m->before_ctx);
	sb_buf_reset(&m->text);
	sb_metrics_format(m, &m->text);
	if (sb_file_publish(m->path, m->text.s, m->text.len) == -1)
		return -1;
	m->due = sb_monotonic_ms() + m->interval;
	ticking = m;
	sb_reader_tick(tick);
	return 0;
}

int
sb_metrics_finish(struct sb_metrics *m)
{
	int rc = 0;

	if (m == NULL)
		return 0;
	if (m->path != NULL) {
		m->failing = 0;		/* the last word is always said */
		rc = write_file(m);
	}
	sb_metrics_free(m);
	return rc;
}
