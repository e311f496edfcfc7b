/*
 * aggregate - per-endpoint rolling-window statistics from request events.
 *
 * Reads raw events (slowburn-records(5)) and writes one window record per
 * series and window; every other record is forwarded unchanged and in
 * order.  The windowing itself lives in window.c, the --state file in
 * aggstate.c.
 */
#include <err.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aggstate.h"
#include "arg.h"
#include "buf.h"
#include "ckpt.h"
#include "clock.h"
#include "event.h"
#include "gate.h"
#include "evread.h"
#include "json.h"
#include "logfmt.h"
#include "merge.h"
#include "metrics.h"
#include "reader.h"
#include "record.h"
#include "sig.h"
#include "state.h"
#include "timefmt.h"
#include "window.h"

struct options {
	struct agg_config agg;
	int64_t		 idle_flush;	/* ms; 0 = off */
	size_t		 max_line;
	int		 forward;
	int		 strict;
	int		 merge;		/* --merge: windows in, not events */
	int64_t		 max_ahead;	/* ms; 0: no gate */
	struct sb_metrics_opt metrics;
	const struct sb_logfmt *format;	/* --format; NULL: JSON events */
	const char	*service;	/* --service */
	const char	*state;		/* --state */
	int		 final;		/* --final */
};

static void
usage(FILE *fp, int status)
{
	fprintf(fp,
	    "usage: aggregate [--emit-sketch] [--final] [--merge] [--no-forward] [--no-normalize]\n"
	    "                 [--strict]\n"
	    "                 [--expire duration] [--format name] [--idle-flush duration]\n"
	    "                 [--lateness duration] [--max-ahead duration]\n"
	    "                 [--max-keys n] [--max-line bytes]\n"
	    "                 [--metrics-file file [--metrics-interval duration]]\n"
	    "                 [--service name] [--state file] [-w duration | --windows list]\n"
	    "                 [file ...]\n");
	exit(status);
}

static int
cmp_i64(const void *x, const void *y)
{
	int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;

	return (a > b) - (a < b);
}

static void
parse_widths(struct agg_config *c, const char *list)
{
	char *copy = sb_xstrdup(list), *p = copy, *tok;

	c->nwidths = 0;
	while ((tok = strsep(&p, ",")) != NULL) {
		if (c->nwidths == AGG_MAX_WIDTHS)
			errx(2, "--windows: more than %d widths", AGG_MAX_WIDTHS);
		int64_t w = sb_arg_duration("--windows", tok, 0, INT64_MAX);
		if (w < 1000 || 86400000 % w != 0)
			errx(2, "--windows: '%s' does not divide a day into whole "
			    "windows of at least 1s", tok);
		for (int i = 0; i < c->nwidths; i++)
			if (c->widths[i] == w)
				errx(2, "--windows: '%s' given twice", tok);
		c->widths[c->nwidths++] = w;
	}
	free(copy);
	qsort(c->widths, (size_t)c->nwidths, sizeof c->widths[0], cmp_i64);
}

static void
parse_options(int argc, char **argv, struct options *o)
{
	enum { O_EXPIRE = 256, O_IDLE, O_LATE, O_AHEAD, O_MAXKEYS, O_MAXLINE, O_MERGE,
	    O_NOFWD, O_NONORM, O_SKETCH, O_STRICT, O_WINDOWS, O_FORMAT,
	    O_SERVICE, O_STATE, O_FINAL };
	static const struct option longopts[] = {
		{ "emit-sketch",	no_argument,		NULL, O_SKETCH },
		{ "expire",		required_argument,	NULL, O_EXPIRE },
		{ "final",		no_argument,		NULL, O_FINAL },
		{ "format",		required_argument,	NULL, O_FORMAT },
		{ "help",		no_argument,		NULL, 'h' },
		{ "idle-flush",		required_argument,	NULL, O_IDLE },
		{ "lateness",		required_argument,	NULL, O_LATE },
		{ "max-ahead",		required_argument,	NULL, O_AHEAD },
		{ "max-keys",		required_argument,	NULL, O_MAXKEYS },
		{ "max-line",		required_argument,	NULL, O_MAXLINE },
		{ "merge",		no_argument,		NULL, O_MERGE },
		{ "metrics-file",	required_argument,	NULL, SB_OPT_METRICS_FILE },
		{ "metrics-interval",	required_argument,	NULL, SB_OPT_METRICS_INTERVAL },
		{ "no-forward",		no_argument,		NULL, O_NOFWD },
		{ "no-normalize",	no_argument,		NULL, O_NONORM },
		{ "service",		required_argument,	NULL, O_SERVICE },
		{ "state",		required_argument,	NULL, O_STATE },
		{ "strict",		no_argument,		NULL, O_STRICT },
		{ "window",		required_argument,	NULL, 'w' },
		{ "windows",		required_argument,	NULL, O_WINDOWS },
		{ NULL, 0, NULL, 0 }
	};
	int ch, known;

	memset(o, 0, sizeof *o);
	o->agg.widths[0] = 60000;
	o->agg.nwidths = 1;
	o->agg.lateness = 5000;
	o->agg.expire = 6 * 3600000LL;
	o->agg.max_keys = 1000;
	o->agg.normalize = 1;
	o->max_line = SB_MAX_LINE_DEFAULT;
	o->forward = 1;
	o->max_ahead = SB_GATE_AHEAD_DEFAULT;

	while ((ch = sb_getopt(argc, argv, "hw:", longopts)) != -1) {
		switch (ch) {
		case SB_OPT_METRICS_FILE:
		case SB_OPT_METRICS_INTERVAL:
			sb_arg_metrics(&o->metrics, ch, optarg);
			break;
		case 'w':
		case O_WINDOWS:
			parse_widths(&o->agg, optarg);
			if (ch == 'w' && o->agg.nwidths != 1)
				errx(2, "-w: one width; use --windows for several");
			break;
		case O_EXPIRE:
			o->agg.expire = sb_arg_duration("--expire", optarg, 0, INT64_MAX);
			if (o->agg.expire == 0)	/* never */
				o->agg.expire = INT64_MAX / 4;
			break;
		case O_IDLE:
			o->idle_flush = sb_arg_duration("--idle-flush", optarg, 0, INT64_MAX);
			if (o->idle_flush == 0 || o->idle_flush > 86400000)
				errx(2, "--idle-flush: '%s' is not in 1ms..1d", optarg);
			break;
		case O_LATE:
			o->agg.lateness = sb_arg_duration("--lateness", optarg, 0, INT64_MAX);
			if (o->agg.lateness > 86400000)
				errx(2, "--lateness: '%s' is more than a day", optarg);
			break;
		case O_AHEAD:
			o->max_ahead = sb_arg_duration("--max-ahead", optarg, 0,
			    INT64_MAX / 4);
			break;
		case O_MAXKEYS:
			o->agg.max_keys = (size_t)sb_arg_ll("--max-keys", optarg, 1,
			    1000000);
			break;
		case O_MAXLINE:
			o->max_line = (size_t)sb_arg_ll("--max-line", optarg, 1024,
			    1LL << 30);
			break;
		case O_FORMAT:
			o->format = sb_logfmt_find(optarg, &known);
			if (!known) {
				struct sb_buf names = SB_BUF_INIT;
				sb_logfmt_names(&names);
				errx(2, "--format: '%s' is not one of %s", optarg,
				    names.s);
			}
			break;
		case O_MERGE:
			o->merge = 1;
			break;
		case O_SERVICE:
			if (*optarg == '\0' || strlen(optarg) > SB_SERVICE_MAX ||
			    !sb_utf8_valid(optarg, strlen(optarg)))
				errx(2, "--service: '%s' is not a name of 1 to "
				    "%d bytes of UTF-8", optarg, SB_SERVICE_MAX);
			o->service = optarg;
			break;
		case O_STATE:
			o->state = optarg;
			break;
		case O_FINAL:
			o->final = 1;
			break;
		case O_NOFWD:
			o->forward = 0;
			break;
		case O_NONORM:
			o->agg.normalize = 0;
			break;
		case O_SKETCH:
			o->agg.emit_sketch = 1;
			break;
		case O_STRICT:
			o->strict = 1;
			break;
		case 'h':
			usage(stdout, 0);
			break;
		default:
			usage(stderr, 2);
		}
	}
	if (o->merge && o->format != NULL)
		errx(2, "--merge reads windows: it takes no --format");
	if (o->final && o->state == NULL)
		errx(2, "--final ends a run of --state: it needs --state");
	if (o->service != NULL && o->format == NULL)
		errx(2, "--service names the service of a log --format's events");
	/* Each open window costs a slot per series; keep that bounded. */
	if (o->agg.lateness / o->agg.widths[0] > 64)
		errx(2, "--lateness: more than 64 windows of %llds",
		    (long long)(o->agg.widths[0] / 1000));
}

struct run {
	struct options	*opt;
	struct sb_state	*state;		/* --state */
	struct sb_ckpt_stage ck;	/* loads it; checkpoint records */
	struct agg	*agg;
	struct merge	*merge;		/* with --merge */
	struct sb_json	 js;		/* with --merge */
	struct sb_evread rd;
	struct sb_buf	 out;
	struct sb_gate	 gate;		/* --max-ahead */
	int64_t		 last_input;	/* monotonic ms of the newest event */
	uint64_t	 windows_in;	/* --merge */
	uint64_t	 other_in;
	uint64_t	 forwarded;
	uint64_t	 merged_out;	/* --merge: windows written */
};

/* 0, or -1 when --strict makes a bad line fatal. */
static int
line(void *ctx, struct sb_reader *in, char *s, size_t n)
{
	struct run *r = ctx;
	char why[160];
	long type;
	int rc;

	if (r->merge != NULL) {
		if ((rc = sb_record_parse(&r->js, in, s, n, &type)) != 1)
			return rc;
		/* The state on the first record; checkpoints (lib/ckpt.h). */
		if (sb_ckpt_line(&r->ck, &r->js, 0, type, in) == -1)
			return -1;
		if (type >= 0 && sb_json_streq(&r->js, (size_t)type, "window")) {
			if (merge_add(r->merge, &r->js, why, sizeof why) == -1)
				return sb_reader_bad(in, "%s", why);
			r->windows_in++;
			return 0;
		}
		rc = SB_EV_RECORD;
	} else if ((rc = sb_evread_line(&r->rd, in, s, n, &type)) != SB_EV_EVENT &&
	    rc != SB_EV_RECORD) {
		return rc;
	} else if (sb_ckpt_line(&r->ck, &r->rd.js, 0, rc == SB_EV_RECORD ?
	    type : -1, in) == -1) {
		return -1;
	}
	if (rc == SB_EV_RECORD) {
		r->other_in++;
		if (r->opt->forward) {
			sb_buf_add(&r->out, s, n);
			sb_buf_putc(&r->out, '\n');
			r->forwarded++;
		}
		return 0;
	}
	switch (r->rd.ev.has_time ?
	    sb_gate_check(&r->gate, in, r->rd.ev.time, s, n) :
	    sb_gate_settle(&r->gate)) {
	case SB_GATE_HELD:
		return 0;
	case SB_GATE_AGAIN:
		return line(ctx, in, s, n);
	case SB_GATE_STRICT:
		return -1;
	}
	if (!r->rd.ev.has_time) {
		/* Event time only: an undated event happens "now" in the stream. */
		if (agg_newest(r->agg) == INT64_MIN)
			return sb_reader_bad(in, "missing 'timestamp' before "
			    "any dated event");
		r->rd.ev.time = agg_newest(r->agg);
	}
	switch (agg_add(r->agg, &r->rd.ev, &r->out)) {
	case AGG_LATE: {
		char t[SB_TIME_LEN];
		sb_reader_note(in, "event at %s came after its window closed "
		    "(--lateness %llds); counted as 'late'",
		    sb_time_format(r->rd.ev.time, t),
		    (long long)(r->opt->agg.lateness / 1000));
		break;
	}
	case AGG_FIRST_OTHER:
		sb_reader_note(in, "more than %zu keys: this and further new "
		    "keys are counted as '%s'", r->opt->agg.max_keys,
		    AGG_OTHER_KEY);
		break;
	case AGG_ADDED:
		break;
	}
	if (r->opt->idle_flush > 0)
		r->last_input = sb_monotonic_ms();
	return 0;
}

/* --idle-flush: the stream went quiet; let the clock move the watermark. */
static void
idle(void *ctx)
{
	struct run *r = ctx;
	int64_t newest;

	/* Silence does not contradict the first event of a stream. */
	sb_gate_settle(&r->gate);
	newest = agg_newest(r->agg);
	if (newest != INT64_MIN)
		agg_advance(r->agg, newest + sb_monotonic_ms() - r->last_input -
		    r->opt->agg.lateness, &r->out);
}

static int64_t
newest_event(const void *ctx)
{
	const struct run *r = ctx;

	return agg_newest(r->agg);
}

static double
open_series(const void *ctx)
{
	const struct run *r = ctx;

	return (double)agg_stats(r->agg)->keys;
}

static struct sb_metrics *
metrics_start(struct run *r)
{
	struct sb_metrics *m = sb_metrics_new("aggregate");
	const struct agg_stats *st = agg_stats(r->agg);

	sb_metrics_input(m);
	sb_metrics_u64(m, "slowburn_records_in_total", "kind=\"event\"",
	    &st->events);
	sb_metrics_u64(m, "slowburn_records_in_total", "kind=\"window\"",
	    &r->windows_in);
	sb_metrics_u64(m, "slowburn_records_in_total", "kind=\"other\"",
	    &r->other_in);
	sb_metrics_u64(m, "slowburn_records_out_total", "kind=\"window\"",
	    r->merge != NULL ? &r->merged_out : &st->windows);
	sb_metrics_u64(m, "slowburn_records_out_total", "kind=\"forwarded\"",
	    &r->forwarded);
	sb_metrics_u64(m, "slowburn_late_events_total", NULL, &st->late);
	sb_metrics_u64(m, "slowburn_other_events_total", NULL, &st->other);
	sb_metrics_fn(m, "slowburn_open_series", NULL, open_series, r);
	sb_metrics_event_time(m, newest_event, r);
	if (sb_metrics_start(m, &r->opt->metrics) == -1)
		err(1, "%s", r->opt->metrics.path);
	return m;
}

/* Records in a buffer of JSON lines. */
static uint64_t
count_lines(const struct sb_buf *b)
{
	uint64_t n = 0;

	for (size_t i = 0; i < b->len; i++)
		n += b->s[i] == '\n';
	return n;
}

static struct aggstate
state_parts(struct run *r)
{
	struct aggstate st = { r->agg, r->merge, &r->gate };

	return st;
}

/* --state: 0 (also when there is none yet), or -1 and a message. */
static int
state_load(struct run *r, struct sb_state *stl)
{
	struct aggstate st = state_parts(r);
	struct sb_buf blob = SB_BUF_INIT;
	char why[600];
	int rc;

	if ((rc = sb_state_load(stl, &blob)) == 1) {
		rc = aggstate_read(&st, sb_state_name(stl), blob.s,
		    blob.len, r->opt->strict, why, sizeof why);
		if (rc == -1)
			warnx("%s", why);
	} else if (rc == -1) {
		warnx("%s", sb_state_error(stl));
	}
	sb_buf_free(&blob);
	return rc == -1 ? -1 : 0;
}

/*
 * --state: saves everything the later output depends on, atomically.
 * What it says was written must have been: at a checkpoint, write and
 * flush the output (sb_out_flush) first.  -1 with a warning on failure.
 */
static int
state_save(struct run *r, struct sb_state *sts)
{
	struct aggstate st = state_parts(r);
	struct sb_buf b = SB_BUF_INIT;
	int rc = 0;

	aggstate_write(&st, &b);
	if (sb_state_save(sts, b.s, b.len) == -1) {
		warnx("%s", sb_state_error(sts));
		rc = -1;
	}
	sb_buf_free(&b);
	return rc;
}

/* --state and its checkpoints (lib/ckpt.h). */
static int
ck_load(void *ctx, struct sb_state *st)
{
	return state_load(ctx, st);
}

static int
ck_save(void *ctx, struct sb_state *st)
{
	return state_save(ctx, st);
}

int
main(int argc, char **argv)
{
	struct options opt;
	struct run r;
	struct sb_metrics *metrics;
	int status = 0;

	parse_options(argc, argv, &opt);
	argc -= optind;
	argv += optind;

	sb_signals_init();
	sb_out_init();
	memset(&r, 0, sizeof r);
	r.opt = &opt;
	r.agg = agg_new(&opt.agg);
	if (opt.merge)
		r.merge = merge_new();
	sb_json_init(&r.js);
	sb_evread_init(&r.rd, opt.format, opt.service);
	sb_gate_init(&r.gate, opt.merge ? 0 : opt.max_ahead, "event", line, &r);
	if (opt.state != NULL) {
		char why[512];
		if ((r.state = sb_state_open(opt.state, why, sizeof why)) == NULL) {
			warnx("%s", why);
			status = 1;
			goto done;
		}
		r.ck = (struct sb_ckpt_stage){ .spec = opt.state, .ctx = &r,
		    .load = ck_load, .save = ck_save, .out = &r.out };
	}
	metrics = metrics_start(&r);

	struct sb_input in = {
		.max_line = opt.max_line, .strict = opt.strict,
		.idle_ms = opt.idle_flush > 0 ? (int)opt.idle_flush : -1,
		.line = line, .idle = idle, .out = &r.out, .ctx = &r,
	};
	status = sb_input_run(&in, argc, argv);
	if (sb_ckpt_end(&r.ck) == -1 || r.ck.broken) {
		status = 1;
		sb_metrics_finish(metrics);
		goto done;
	}
	/*
	 * Nothing accepted is lost: close what is open, even after an error;
	 * with --state it stays open in the state, for the next run to close
	 * (but for --final, the end of the stream).
	 */
	if (r.state == NULL || opt.final) {
		if (sb_gate_end(&r.gate) == -1)
			status = 1;
		agg_finish(r.agg, &r.out);
		if (r.merge != NULL) {
			sb_out(&r.out);
			merge_finish(r.merge, opt.agg.emit_sketch, &r.out);
			r.merged_out = count_lines(&r.out);
		}
	}
	sb_out_end(&r.out);
	if (r.state != NULL && state_save(&r, r.state) == -1)
		status = 1;

	const struct agg_stats *st = agg_stats(r.agg);
	if (st->late > 0)
		warnx("%llu late event%s counted as 'late' (--lateness %llds)",
		    (unsigned long long)st->late, st->late == 1 ? "" : "s",
		    (long long)(opt.agg.lateness / 1000));
	if (st->other > 0)
		warnx("%llu event%s of keys beyond --max-keys %zu counted as '%s'",
		    (unsigned long long)st->other, st->other == 1 ? "" : "s",
		    opt.agg.max_keys, AGG_OTHER_KEY);
	sb_gate_summary(&r.gate);
	sb_reader_summary();
	sb_record_hint(opt.merge ? SB_KIND_WINDOW : SB_KIND_EVENT);
	sb_metrics_finish(metrics);
done:
	sb_state_close(r.state);
	sb_gate_free(&r.gate);
	agg_free(r.agg);
	merge_free(r.merge);
	sb_json_free(&r.js);
	sb_evread_free(&r.rd);
	sb_buf_free(&r.out);
	return status;
}
