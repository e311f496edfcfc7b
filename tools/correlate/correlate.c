/*
 * correlate - independent signals on one key become alerts, with an
 * incident lifecycle (firing, updated, resolved), grouping by service,
 * and severity.
 *
 * Reads signal records (slowburn-records(5)), writes alert records; every
 * other record is forwarded unchanged and in order.  The rules live in
 * incident.c and are documented in correlate(1).
 */
#include <err.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arg.h"
#include "buf.h"
#include "ckpt.h"
#include "state.h"
#include "incident.h"
#include "json.h"
#include "metrics.h"
#include "num.h"
#include "reader.h"
#include "record.h"
#include "sig.h"
#include "sigrec.h"

struct options {
	struct corr_config cfg;
	const char	*state;
	size_t		 max_line;
	int		 forward;
	int		 strict;
	struct sb_metrics_opt metrics;
};

static void
usage(FILE *fp, int status)
{
	fprintf(fp,
	    "usage: correlate [--no-forward] [--no-group] [--no-solo] [--solo]\n"
	    "                 [--strict] [--max-line bytes] [--min-signals n]\n"
	    "                 [--max-keys n] [--reopen duration]\n"
	    "                 [--resolve-after duration]\n"
	    "                 [--solo-min-count n] [--solo-score x]\n"
	    "                 [--metrics-file file [--metrics-interval duration]]\n"
	    "                 [--state file] [--within duration] [file ...]\n");
	exit(status);
}

static void
parse_options(int argc, char **argv, struct options *o)
{
	enum { O_MAXLINE = 256, O_MAXKEYS, O_MIN, O_NOFWD, O_NOGROUP, O_REOPEN,
	    O_RESOLVE, O_NOSOLO, O_SOLO, O_SOLOCOUNT, O_SOLOSCORE, O_STATE, O_STRICT,
	    O_WITHIN };
	static const struct option longopts[] = {
		{ "help",		no_argument,		NULL, 'h' },
		{ "max-keys",		required_argument,	NULL, O_MAXKEYS },
		{ "max-line",		required_argument,	NULL, O_MAXLINE },
		{ "metrics-file",	required_argument,	NULL, SB_OPT_METRICS_FILE },
		{ "metrics-interval",	required_argument,	NULL, SB_OPT_METRICS_INTERVAL },
		{ "min-signals",	required_argument,	NULL, O_MIN },
		{ "no-forward",		no_argument,		NULL, O_NOFWD },
		{ "no-group",		no_argument,		NULL, O_NOGROUP },
		{ "reopen",		required_argument,	NULL, O_REOPEN },
		{ "resolve-after",	required_argument,	NULL, O_RESOLVE },
		{ "no-solo",		no_argument,		NULL, O_NOSOLO },
		{ "solo",		no_argument,		NULL, O_SOLO },
		{ "solo-min-count",	required_argument,	NULL, O_SOLOCOUNT },
		{ "solo-score",		required_argument,	NULL, O_SOLOSCORE },
		{ "state",		required_argument,	NULL, O_STATE },
		{ "strict",		no_argument,		NULL, O_STRICT },
		{ "within",		required_argument,	NULL, O_WITHIN },
		{ NULL, 0, NULL, 0 }
	};
	const char *errstr;
	long long n;
	double d;
	int ch;

	memset(o, 0, sizeof *o);
	o->cfg.min_signals = 2;
	o->cfg.within = 10 * 60000;
	o->cfg.resolve_after = 10 * 60000;
	o->cfg.reopen = 30 * 60000;
	o->cfg.solo = 1;
	o->cfg.solo_score = 20;
	o->cfg.solo_min_count = 20;
	o->cfg.group = 1;
	o->cfg.max_keys = 10000;
	o->max_line = SB_MAX_LINE_DEFAULT;
	o->forward = 1;

	while ((ch = sb_getopt(argc, argv, "h", longopts)) != -1) {
		switch (ch) {
		case SB_OPT_METRICS_FILE:
		case SB_OPT_METRICS_INTERVAL:
			sb_arg_metrics(&o->metrics, ch, optarg);
			break;
		case O_MAXKEYS:
			o->cfg.max_keys = (size_t)sb_arg_ll("--max-keys", optarg,
			    1, 100000000);
			break;
		case O_MAXLINE:
			o->max_line = (size_t)sb_arg_ll("--max-line", optarg, 1024,
			    1LL << 30);
			break;
		case O_MIN:
			if (sb_parse_ll(optarg, 1, 10, &n, &errstr) == -1)
				errx(2, "--min-signals: '%s' is %s", optarg, errstr);
			o->cfg.min_signals = (int)n;
			break;
		case O_NOFWD:
			o->forward = 0;
			break;
		case O_NOGROUP:
			o->cfg.group = 0;
			break;
		case O_REOPEN:
			o->cfg.reopen = sb_arg_duration("--reopen", optarg, 0, 30 * 86400000LL);
			break;
		case O_RESOLVE:
			o->cfg.resolve_after = sb_arg_duration("--resolve-after", optarg, 1000, 30 * 86400000LL);
			break;
		case O_SOLO:
			o->cfg.solo = 2;
			break;
		case O_NOSOLO:
			o->cfg.solo = 0;
			break;
		case O_SOLOCOUNT:
			if (sb_parse_ll(optarg, 0, 1000000000, &n, &errstr) == -1)
				errx(2, "--solo-min-count: '%s' is %s", optarg,
				    errstr);
			o->cfg.solo_min_count = (double)n;
			break;
		case O_SOLOSCORE:
			if (sb_parse_double(optarg, 0, 1e12, &d, &errstr) == -1)
				errx(2, "--solo-score: '%s' is %s", optarg, errstr);
			o->cfg.solo_score = d;
			break;
		case O_STATE:
			if (optarg[0] == '\0')
				errx(2, "--state: empty file name");
			o->state = optarg;
			break;
		case O_STRICT:
			o->strict = 1;
			break;
		case O_WITHIN:
			o->cfg.within = sb_arg_duration("--within", optarg, 1000, 30 * 86400000LL);
			break;
		case 'h':
			usage(stdout, 0);
			break;
		default:
			usage(stderr, 2);
		}
	}
}

struct run {
	struct options	*opt;
	struct corr	*corr;
	struct sb_json	 js;
	struct sb_buf	 out;
	uint64_t	 changes;	/* alert records written */
	uint64_t	 saved;		/* changes when the state was saved */
	struct sb_state	*state;		/* --state, or NULL */
	struct sb_ckpt_stage ck;	/* loads it; checkpoint records */
	uint64_t	 signals_in, other_in, forwarded;
};

static uint64_t
changes(const struct corr *c)
{
	const struct corr_stats *st = corr_stats(c);

	return st->fired + st->updated + st->resolved + st->reopened;
}

/* Replaces the state at st atomically (lib/file.h). */
static int
state_save_to(struct run *r, struct sb_state *st)
{
	struct sb_buf b = SB_BUF_INIT;
	int rc;

	corr_save(r->corr, &b);
	if ((rc = sb_state_save(st, b.s, b.len)) == -1)
		warnx("%s", sb_state_error(st));
	sb_buf_free(&b);
	return rc;
}

static int
state_save(struct run *r)
{
	if (state_save_to(r, r->state) == -1)
		return -1;
	r->saved = r->changes;
	return 0;
}

/*
 * The first line of a state file is its header; its "records" (absent
 * in files written before it was added: -1) counts the lines after it.
 */
static int
header_records(const struct sb_json *js, int64_t *nrec)
{
	long t = js->type;

	if (js->tok[0].type != SB_JOBJECT || t < 0 ||
	    !sb_json_streq(js, (size_t)t, "correlate_state"))
		return -1;
	if ((t = sb_json_member(js, 0, "records")) >= 0 &&
	    (sb_json_int(js, (size_t)t, nrec) == -1 || *nrec < 0))
		return -1;
	return 0;
}

/* 0, or -1 (reported) when the state at st is unreadable or corrupt. */
static int
state_load(struct run *r, struct sb_state *st)
{
	struct sb_buf blob = SB_BUF_INIT;
	struct sb_reader in;
	char why[160], *s;
	size_t n;
	int rc;
	int64_t nrec = -1;
	struct sb_json js;	/* not js: a record may be in it */

	if ((rc = sb_state_load(st, &blob)) != 1) {
		if (rc == -1)
			warnx("%s", sb_state_error(st));
		sb_buf_free(&blob);
		return rc;
	}
	sb_json_init(&js);
	sb_reader_open_mem(&in, sb_state_name(st), blob.s, blob.len);
	sb_buf_free(&blob);
	in.strict = 1;
	while ((rc = sb_reader_next(&in, &s, &n, -1)) == SB_READ_LINE) {
		if (sb_json_parse(&js, s, n) == -1) {
			sb_reader_bad(&in, "invalid JSON: %s at byte %zu",
			    js.err, js.errpos + 1);
			rc = SB_READ_ERROR;
			break;
		}
		if (in.lineno == 1 && header_records(&js, &nrec) == -1) {
			sb_reader_bad(&in, "not a correlate state file");
			rc = SB_READ_ERROR;
			break;
		}
		if (corr_load_line(r->corr, &js, why, sizeof why) == -1) {
			sb_reader_bad(&in, "%s", why);
			rc = SB_READ_ERROR;
			break;
		}
	}
	/*
	 * An empty file or one cut short at the end of a line is no state
	 * to start from: refused, never a silent fresh start.
	 */
	if (rc != SB_READ_ERROR && in.lineno == 0) {
		warnx("%s: empty, not a correlate state file", in.name);
		rc = SB_READ_ERROR;
	} else if (rc != SB_READ_ERROR && nrec >= 0 &&
	    nrec != (int64_t)in.lineno - 1) {
		warnx("%s: cut short: %lld records expected, %llu read",
		    in.name, (long long)nrec,
		    (unsigned long long)(in.lineno - 1));
		rc = SB_READ_ERROR;
	}
	sb_reader_close(&in);
	sb_json_free(&js);
	return rc == SB_READ_ERROR ? -1 : 0;
}

/*
 * The event time of a record that is not a signal, if it has one; *wm
 * is 1 for a watermark (every signal up to its time is out).
 */
static int
record_time(const struct sb_json *js, int64_t *t, int *wm)
{
	long type = js->type;

	*wm = type >= 0 && sb_json_streq(js, (size_t)type, "watermark");
	if (type >= 0 && sb_json_streq(js, (size_t)type, "window"))
		return sb_json_get_time(js, 0, "end", t) == 1;
	return sb_json_get_time(js, 0, "at", t) == 1;
}

/* 0, or -1 when --strict makes a bad line fatal. */
static int
line(void *ctx, struct sb_reader *in, char *s, size_t n)
{
	struct run *r = ctx;
	int rc;
	struct sb_signal sig;
	char why[160];
	long type;
	int64_t t;
	int wm;

	if ((rc = sb_record_parse(&r->js, in, s, n, &type)) != 1)
		return rc;
	/* The state, on the first record; a checkpoint's, then forwarded. */
	if (sb_ckpt_line(&r->ck, &r->js, 0, type, in) == -1)
		return -1;
	if (type >= 0 && sb_json_streq(&r->js, (size_t)type, "signal")) {
		if (sb_signal_read(&sig, &r->js, 0, why, sizeof why) == -1)
			return sb_reader_bad(in, "%s", why);
		r->signals_in++;
		if (corr_signal(r->corr, &sig, &r->out) == 1)
			sb_reader_note(in, "more than %zu keys (--max-keys): "
			    "signals of new keys are skipped",
			    r->opt->cfg.max_keys);
		sb_signal_free(&sig);
		return 0;
	}
	/* Alerts that this record's time makes due come before it. */
	if (record_time(&r->js, &t, &wm))
		corr_advance(r->corr, t, wm, &r->out);
	/*
	 * Other records, detect's watermarks included, follow the alerts
	 * their time made due: a watermark at T says that every alert up
	 * to T is out, and moves alert(1)'s clock when no alert comes.
	 */
	r->other_in++;
	if (r->opt->forward) {
		sb_buf_add(&r->out, s, n);
		sb_buf_putc(&r->out, '\n');
		r->forwarded++;
	}
	return 0;
}

static void
put(struct run *r)
{
	r->changes = changes(r->corr);
	if (r->state == NULL || r->changes == r->saved || !r->ck.started ||
	    r->ck.broken) {
		sb_out(&r->out);
		return;
	}
	/*
	 * Open incidents survive a crash, not only a clean exit.  The alerts
	 * go down the pipe before the state that says they were written:
	 * else a kill -9 between the two would lose them (the restart knows
	 * the incident and does not fire it again).
	 */
	if (sb_out_flush(&r->out) == 0 && state_save(r) == -1)
		exit(1);
}

static void
after(void *ctx)
{
	put(ctx);
}

static int64_t
clock_now(const void *ctx)
{
	const struct run *r = ctx;
	int64_t t = corr_clock(r->corr);

	return t > INT64_MIN / 2 ? t : INT64_MIN;	/* else no record yet */
}

static double
alerts_out(const void *ctx)
{
	const struct run *r = ctx;

	return (double)changes(r->corr);
}

static double
open_incidents(const void *ctx)
{
	const struct run *r = ctx;

	return (double)corr_open(r->corr);
}

static double
over_limit(const void *ctx)
{
	const struct corr_stats *st = corr_stats(((const struct run *)ctx)->corr);

	return (double)(st->over_keys + st->over_incidents);
}

static struct sb_metrics *
metrics_start(struct run *r)
{
	struct sb_metrics *m = sb_metrics_new("correlate");

	sb_metrics_input(m);
	sb_metrics_u64(m, "slowburn_records_in_total", "kind=\"signal\"",
	    &r->signals_in);
	sb_metrics_u64(m, "slowburn_records_in_total", "kind=\"other\"",
	    &r->other_in);
	sb_metrics_fn(m, "slowburn_records_out_total", "kind=\"alert\"",
	    alerts_out, r);
	sb_metrics_u64(m, "slowburn_records_out_total", "kind=\"forwarded\"",
	    &r->forwarded);
	sb_metrics_fn(m, "slowburn_open_incidents", NULL, open_incidents, r);
	sb_metrics_fn(m, "slowburn_over_limit_total", "limit=\"max-keys\"",
	    over_limit, r);
	sb_metrics_event_time(m, clock_now, r);
	if (sb_metrics_start(m, &r->opt->metrics) == -1)
		err(1, "%s", r->opt->metrics.path);
	return m;
}

/* What --max-keys cost, said at exit as aggregate and detect say theirs. */
static void
over_summary(const struct run *r)
{
	const struct corr_stats *st = corr_stats(r->corr);
	size_t max = r->opt->cfg.max_keys;

	if (st->over_keys > 0)
		warnx("%llu signal%s of keys beyond --max-keys %zu skipped",
		    (unsigned long long)st->over_keys,
		    st->over_keys == 1 ? "" : "s", max);
	if (st->over_incidents > 0)
		warnx("%llu alert%s not raised: %zu incidents held "
		    "(--max-keys)", (unsigned long long)st->over_incidents,
		    st->over_incidents == 1 ? "" : "s", max);
}

/* --state and its checkpoints (lib/ckpt.h). */
static int
ck_load(void *ctx, struct sb_state *st)
{
	if (state_load(ctx, st) == -1) {
		warnx("%s: cannot restore the state", sb_state_name(st));
		return -1;
	}
	return 0;
}

static int
ck_save(void *ctx, struct sb_state *st)
{
	return state_save_to(ctx, st);
}

int
main(int argc, char **argv)
{
	struct options opt;
	struct run r;
	int status = 0;

	parse_options(argc, argv, &opt);
	argc -= optind;
	argv += optind;

	sb_signals_init();
	sb_out_init();
	memset(&r, 0, sizeof r);
	r.opt = &opt;
	r.corr = corr_new(&opt.cfg);
	sb_json_init(&r.js);
	if (opt.state != NULL) {
		char why[512];
		if ((r.state = sb_state_open(opt.state, why, sizeof why)) == NULL)
			errx(1, "%s", why);
		r.ck = (struct sb_ckpt_stage){ .spec = opt.state, .ctx = &r,
		    .load = ck_load, .save = ck_save, .out = &r.out };
	}

	struct sb_metrics *metrics = metrics_start(&r);
	struct sb_input in = {
		.max_line = opt.max_line, .strict = opt.strict, .idle_ms = -1,
		.line = line, .after = after, .ctx = &r,
	};
	status = sb_input_run(&in, argc, argv);
	if (sb_ckpt_end(&r.ck) == -1 || r.ck.broken)
		exit(1);
	/*
	 * The last instant is over: an incident whose signals have all
	 * cleared resolves, so that two runs with --state write what one
	 * does.  Event time only: the others stay open.  They are saved
	 * before the last alerts are written: when a whole pipe is stopped,
	 * the stage after this one may be gone, and writing to it ends this
	 * process (SIGPIPE) before it could save them.
	 */
	corr_finish(r.corr, &r.out);
	r.changes = changes(r.corr);
	if (r.state != NULL && state_save(&r) == -1)
		status = 1;
	put(&r);
	sb_out_end(NULL);
	over_summary(&r);
	sb_reader_summary();
	sb_record_hint(SB_KIND_SIGNAL);
	sb_metrics_finish(metrics);

	corr_free(r.corr);
	sb_state_close(r.state);
	sb_json_free(&r.js);
	sb_buf_free(&r.out);
	return status;
}
