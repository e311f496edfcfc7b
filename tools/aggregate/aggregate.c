/*
 * aggregate - per-endpoint rolling-window statistics from request events.
 *
 * Reads raw events (DESIGN.md section 2) and writes one window record per
 * series and window; every other record is forwarded unchanged and in
 * order.  The windowing itself lives in window.c.
 */
#include <err.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arg.h"
#include "buf.h"
#include "clock.h"
#include "event.h"
#include "evread.h"
#include "json.h"
#include "logfmt.h"
#include "merge.h"
#include "num.h"
#include "reader.h"
#include "record.h"
#include "sig.h"
#include "timefmt.h"
#include "window.h"

struct options {
	struct agg_config agg;
	int64_t		 idle_flush;	/* ms; 0 = off */
	size_t		 max_line;
	int		 forward;
	int		 strict;
	int		 merge;		/* --merge: windows in, not events */
	const struct sb_logfmt *format;	/* --format; NULL: JSON events */
	const char	*service;	/* --service */
};

static void
usage(FILE *fp, int status)
{
	fprintf(fp,
	    "usage: aggregate [--emit-sketch] [--merge] [--no-forward] [--no-normalize] [--strict]\n"
	    "                 [--expire duration] [--format name] [--idle-flush duration]\n"
	    "                 [--lateness duration] [--max-keys n] [--max-line bytes]\n"
	    "                 [--service name] [-w duration | --windows list] [file ...]\n");
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
	enum { O_EXPIRE = 256, O_IDLE, O_LATE, O_MAXKEYS, O_MAXLINE, O_MERGE,
	    O_NOFWD, O_NONORM, O_SKETCH, O_STRICT, O_WINDOWS, O_FORMAT,
	    O_SERVICE };
	static const struct option longopts[] = {
		{ "emit-sketch",	no_argument,		NULL, O_SKETCH },
		{ "expire",		required_argument,	NULL, O_EXPIRE },
		{ "format",		required_argument,	NULL, O_FORMAT },
		{ "help",		no_argument,		NULL, 'h' },
		{ "idle-flush",		required_argument,	NULL, O_IDLE },
		{ "lateness",		required_argument,	NULL, O_LATE },
		{ "max-keys",		required_argument,	NULL, O_MAXKEYS },
		{ "max-line",		required_argument,	NULL, O_MAXLINE },
		{ "merge",		no_argument,		NULL, O_MERGE },
		{ "no-forward",		no_argument,		NULL, O_NOFWD },
		{ "no-normalize",	no_argument,		NULL, O_NONORM },
		{ "service",		required_argument,	NULL, O_SERVICE },
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

	while ((ch = getopt_long(argc, argv, "hw:", longopts, NULL)) != -1) {
		switch (ch) {
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
	if (o->service != NULL && o->format == NULL)
		errx(2, "--service names the service of a log --format's events");
	/* Each open window costs a slot per series; keep that bounded. */
	if (o->agg.lateness / o->agg.widths[0] > 64)
		errx(2, "--lateness: more than 64 windows of %llds",
		    (long long)(o->agg.widths[0] / 1000));
}

struct run {
	struct options	*opt;
	struct agg	*agg;
	struct merge	*merge;		/* with --merge */
	struct sb_json	 js;		/* with --merge */
	struct sb_evread rd;
	struct sb_buf	 out;
	int64_t		 last_input;	/* monotonic ms of the newest event */
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
		if (type >= 0 && sb_json_streq(&r->js, (size_t)type, "window")) {
			if (merge_add(r->merge, &r->js, why, sizeof why) == -1)
				return sb_reader_bad(in, "%s", why);
			return 0;
		}
		rc = SB_EV_RECORD;
	} else if ((rc = sb_evread_line(&r->rd, in, s, n, &type)) != SB_EV_EVENT &&
	    rc != SB_EV_RECORD) {
		return rc;
	}
	if (rc == SB_EV_RECORD) {
		if (r->opt->forward) {
			sb_buf_add(&r->out, s, n);
			sb_buf_putc(&r->out, '\n');
		}
		return 0;
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
	int64_t newest = agg_newest(r->agg);

	if (newest != INT64_MIN)
		agg_advance(r->agg, newest + sb_monotonic_ms() - r->last_input -
		    r->opt->agg.lateness, &r->out);
}

int
main(int argc, char **argv)
{
	struct options opt;
	struct run r;
	int status;

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

	struct sb_input in = {
		.max_line = opt.max_line, .strict = opt.strict,
		.idle_ms = opt.idle_flush > 0 ? (int)opt.idle_flush : -1,
		.line = line, .idle = idle, .out = &r.out, .ctx = &r,
	};
	status = sb_input_run(&in, argc, argv);
	/* Nothing accepted is lost: close what is open, even after an error. */
	agg_finish(r.agg, &r.out);
	if (r.merge != NULL)
		merge_finish(r.merge, opt.agg.emit_sketch, &r.out);
	sb_out_end(&r.out);

	const struct agg_stats *st = agg_stats(r.agg);
	if (st->late > 0)
		warnx("%llu late event%s counted as 'late' (--lateness %llds)",
		    (unsigned long long)st->late, st->late == 1 ? "" : "s",
		    (long long)(opt.agg.lateness / 1000));
	if (st->other > 0)
		warnx("%llu event%s of keys beyond --max-keys %zu counted as '%s'",
		    (unsigned long long)st->other, st->other == 1 ? "" : "s",
		    opt.agg.max_keys, AGG_OTHER_KEY);
	sb_reader_summary();

	agg_free(r.agg);
	merge_free(r.merge);
	sb_json_free(&r.js);
	sb_evread_free(&r.rd);
	sb_buf_free(&r.out);
	return status;
}
