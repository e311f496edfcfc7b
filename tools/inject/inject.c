/*
 * inject - synthetic request traffic with controlled degradations.
 *
 * Writes raw request events as JSONL, in time order and as fast as it
 * can, for a simulated span of time; optionally the ground truth of what
 * it injected.  With --url it POSTs them to ingestd(8) instead, in real
 * time (send.c).  The model lives in gen.c and scenario.c; this file only
 * turns options into a struct gen_config and events into output.
 */
#include <err.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arg.h"
#include "buf.h"
#include "clock.h"
#include "gen.h"
#include "num.h"
#include "send.h"
#include "sig.h"
#include "timefmt.h"

#define MINUTE		60000LL
#define HOUR		3600000LL
#define MAX_HOURS	87600.0			/* ten years */
#define TIME_MAX	253402300799999LL	/* 9999-12-31T23:59:59.999Z */
#define CHUNK		65536			/* write and flush this often */

enum {
	OPT_BATCH = 256,
	OPT_DEGRADE_AT,
	OPT_DEGRADE_FOR,
	OPT_DEGRADE_LAST,
	OPT_DURATION,
	OPT_EVENTS,
	OPT_HOURS,
	OPT_LIST,
	OPT_MAGNITUDE,
	OPT_NO_DIURNAL,
	OPT_NO_NOISE,
	OPT_RAMP,
	OPT_RATE,
	OPT_RATE_SCALE,
	OPT_SCENARIO,
	OPT_SEED,
	OPT_SPEED,
	OPT_START,
	OPT_TARGET,
	OPT_TRUTH,
	OPT_URL
};

static const struct option longopts[] = {
	{ "batch",		required_argument, NULL, OPT_BATCH },
	{ "degrade-at",		required_argument, NULL, OPT_DEGRADE_AT },
	{ "degrade-for",	required_argument, NULL, OPT_DEGRADE_FOR },
	{ "degrade-last",	required_argument, NULL, OPT_DEGRADE_LAST },
	{ "duration",		required_argument, NULL, OPT_DURATION },
	{ "events",		required_argument, NULL, OPT_EVENTS },
	{ "help",		no_argument,	   NULL, 'h' },
	{ "hours",		required_argument, NULL, OPT_HOURS },
	{ "list",		no_argument,	   NULL, OPT_LIST },
	{ "magnitude",		required_argument, NULL, OPT_MAGNITUDE },
	{ "no-diurnal",		no_argument,	   NULL, OPT_NO_DIURNAL },
	{ "no-noise",		no_argument,	   NULL, OPT_NO_NOISE },
	{ "output",		required_argument, NULL, 'o' },
	{ "ramp",		required_argument, NULL, OPT_RAMP },
	{ "rate",		required_argument, NULL, OPT_RATE },
	{ "rate-scale",		required_argument, NULL, OPT_RATE_SCALE },
	{ "scenario",		required_argument, NULL, OPT_SCENARIO },
	{ "seed",		required_argument, NULL, OPT_SEED },
	{ "speed",		required_argument, NULL, OPT_SPEED },
	{ "start",		required_argument, NULL, OPT_START },
	{ "target",		required_argument, NULL, OPT_TARGET },
	{ "truth",		required_argument, NULL, OPT_TRUTH },
	{ "url",		required_argument, NULL, OPT_URL },
	{ NULL,			0,		   NULL, 0 }
};

/* The options as given, before they are checked against each other. */
struct opts {
	double		 hours;
	const char	*hours_arg;
	int		 has_start;
	int64_t		 start;
	const char	*scenario;
	const char	*target;
	const char	*magnitude;
	const char	*degrade_at;
	const char	*degrade_last;
	const char	*degrade_for;
	const char	*ramp_arg;
	int64_t		 at;
	int64_t		 last;
	int64_t		 lasts;		/* --degrade-for, -1 if not given */
	int64_t		 ramp;		/* -1 if not given */
	const char	*url;
	const char	*duration;	/* --duration, minutes */
	double		 rate;		/* --rate, 0 if not given */
	int		 has_rate_scale;
	int		 batch;		/* 0 if not given */
	double		 speed;		/* 0 if not given */
};

static void __attribute__((noreturn))
usage(FILE *fp, int status)
{
	fprintf(fp,
	    "usage: inject [-h] [--list] [--no-diurnal] [--no-noise] "
	    "[--events n] [--hours hours]\n"
	    "              [-o file] [--rate-scale x] [--seed n] "
	    "[--start time] [--truth file]\n"
	    "              [--scenario name] [--target key] "
	    "[--magnitude x] [--ramp duration]\n"
	    "              [--degrade-at offset | --degrade-last duration] "
	    "[--degrade-for duration]\n"
	    "       inject --url url [--duration minutes] [--rate n] "
	    "[--batch n] [--speed x] [options]\n");
	exit(status);
}

static void __attribute__((noreturn))
bad_option(const char *opt, const char *arg, const char *why)
{
	fprintf(stderr, "inject: %s: '%s' is %s\n", opt, arg, why);
	exit(2);
}

static void __attribute__((noreturn))
bad_usage(const char *msg)
{
	fprintf(stderr, "inject: %s\n", msg);
	exit(2);
}

static int64_t
opt_duration(const char *opt, const char *arg)
{
	int64_t ms;

	if (sb_duration_parse(arg, &ms) == -1)
		bad_option(opt, arg, "invalid");
	return ms;
}

static double
opt_double(const char *opt, const char *arg, double min, double max)
{
	const char *errstr;
	double v;

	if (sb_parse_double(arg, min, max, &v, &errstr) == -1)
		bad_option(opt, arg, errstr);
	return v;
}

static long long
opt_ll(const char *opt, const char *arg, long long min, long long max)
{
	const char *errstr;
	long long v;

	if (sb_parse_ll(arg, min, max, &v, &errstr) == -1)
		bad_option(opt, arg, errstr);
	return v;
}

static void
print_list(double scale)
{
	char ramp[32], lasts[32];

	for (size_t i = 0; i < gen_nscenarios; i++) {
		const struct gen_scenario *sc = &gen_scenarios[i];

		if (sc->mag == GEN_MAG_NONE) {
			printf("scenario\t%s\t-\t-\t-\t-\t%s\n", sc->name,
			    sc->summary);
			continue;
		}
		sb_duration_format(sc->ramp, ramp, sizeof ramp);
		if (sc->lasts == GEN_UNTIL_END)
			snprintf(lasts, sizeof lasts, "-");
		else
			sb_duration_format(sc->lasts, lasts, sizeof lasts);
		printf("scenario\t%s\t%s\t%s\t%s\t%g\t%s\n", sc->name,
		    sc->target, ramp, lasts, sc->magnitude, sc->summary);
	}
	for (size_t i = 0; i < gen_nendpoints; i++) {
		const struct gen_endpoint *ep = &gen_endpoints[i];

		printf("endpoint\t%s %s %s\t%g\t%g\t%g\t%g\t%g\t%g\n",
		    ep->service, ep->method, ep->route, ep->rate * scale,
		    ep->median_ms, ep->sigma, ep->p5xx, ep->p4xx, ep->bytes);
	}
}

/* Where the degradation starts: --degrade-at, --degrade-last, or the
 * middle of the span floored to the minute. */
static int64_t
degradation_start(const struct opts *o, int64_t start, int64_t end)
{
	int64_t span = end - start, t;

	if (o->degrade_at != NULL && o->degrade_last != NULL)
		bad_usage("--degrade-at and --degrade-last are mutually exclusive");
	if (o->degrade_at != NULL) {
		if (o->at >= span)
			bad_option("--degrade-at", o->degrade_at,
			    "past the end of the span");
		return start + o->at;
	}
	if (o->degrade_last != NULL) {
		if (o->last == 0)
			bad_option("--degrade-last", o->degrade_last, "too small");
		if (o->last > span)
			bad_option("--degrade-last", o->degrade_last,
			    "longer than the span");
		return end - o->last;
	}
	t = start + span / 2;
	t = sb_floor_div(t, MINUTE) * MINUTE;
	return t < start ? start + span / 2 : t;
}

/* Checks the options against each other and fills in *cfg. */
static void
resolve(const struct opts *o, struct gen_config *cfg)
{
	const struct gen_scenario *sc;
	int64_t span = llround(o->hours * HOUR);

	/* Over HTTP the span starts now; in a file it ends now. */
	if (o->has_start)
		cfg->start = o->start;
	else if (o->url != NULL)
		cfg->start = sb_wall_ms();
	else
		cfg->start = sb_floor_div(sb_wall_ms() - span, MINUTE) * MINUTE;
	if (cfg->start > TIME_MAX - span)
		bad_option("--hours", o->hours_arg, "too large for --start");
	cfg->end = cfg->start + span;

	sc = gen_scenario_find(o->scenario != NULL ? o->scenario : "none");
	if (sc == NULL)
		bad_option("--scenario", o->scenario, "unknown");
	cfg->scenario = sc;

	if (sc->service_wide) {
		const char *t = o->target != NULL ? o->target : sc->target;
		if ((cfg->service = gen_service_find(t)) == NULL)
			bad_option("--target", t, "not a service");
	} else if (o->target != NULL || sc->target != NULL) {
		const char *t = o->target != NULL ? o->target : sc->target;
		if ((cfg->target = gen_endpoint_find(t)) == -1)
			bad_option("--target", t, "not an endpoint");
	}

	if (sc->mag == GEN_MAG_NONE)
		cfg->magnitude = 0;
	else if (o->magnitude != NULL)
		cfg->magnitude = opt_double("--magnitude", o->magnitude,
		    sc->mag_min, sc->mag_max);
	else
		cfg->magnitude = sc->magnitude;

	cfg->deg_start = degradation_start(o, cfg->start, cfg->end);
	cfg->ramp = o->ramp >= 0 ? o->ramp : sc->ramp;
	if (o->ramp >= 0 && o->ramp > TIME_MAX - cfg->deg_start)
		bad_option("--ramp", o->ramp_arg, "too large");
	if (o->lasts == 0)
		bad_option("--degrade-for", o->degrade_for, "too small");
	if (o->lasts > TIME_MAX - cfg->deg_start)
		bad_option("--degrade-for", o->degrade_for, "too large");
	if (o->lasts > 0)
		cfg->deg_end = cfg->deg_start + o->lasts;
	else
		cfg->deg_end = sc->lasts == GEN_UNTIL_END ? GEN_UNTIL_END :
		    cfg->deg_start + sc->lasts;
}

static void
flush_out(FILE *fp, const char *name, struct sb_buf *b)
{
	if (b->len > 0 && fwrite(b->s, 1, b->len, fp) != b->len)
		err(1, "%s", name);
	if (fflush(fp) == EOF)
		err(1, "%s", name);
	sb_buf_reset(b);
}

static FILE *
open_out(const char *path)
{
	FILE *fp;

	if (strcmp(path, "-") == 0)
		return stdout;
	if ((fp = fopen(path, "w")) == NULL)
		err(1, "%s", path);
	return fp;
}

static void
close_out(FILE *fp, const char *name)
{
	if (fp == stdout)
		return;
	if (fclose(fp) == EOF)
		err(1, "%s", name);
}

/* The options that belong to one mode, and --rate. */
static void
check_modes(struct opts *o, struct gen_config *cfg, int has_output,
    int has_hours)
{
	double total = 0;

	if (o->duration != NULL && has_hours)
		bad_usage("--duration and --hours are mutually exclusive");
	if (o->url == NULL) {
		if (o->batch != 0)
			bad_usage("--batch needs --url");
		if (o->speed != 0)
			bad_usage("--speed needs --url");
	} else {
		if (has_output)
			bad_usage("--url and -o are mutually exclusive");
		if (o->duration == NULL && !has_hours) {
			o->hours = 10.0 / 60;	/* failure_injector.py's default */
			o->hours_arg = "10m";
		}
		if (o->batch == 0)
			o->batch = 100;
		if (o->speed == 0)
			o->speed = 1;
	}
	if (o->duration != NULL)
		o->hours_arg = o->duration;
	if (o->rate > 0) {
		if (o->has_rate_scale)
			bad_usage("--rate and --rate-scale are mutually exclusive");
		for (size_t i = 0; i < gen_nendpoints; i++)
			total += gen_endpoints[i].rate;
		cfg->rate_scale = o->rate / total;
	}
}

/* --url: the events go to ingestd, in real time; 1 if all were refused. */
static int
send_mode(const struct opts *o, const struct gen_config *cfg,
    const char *truthpath, long long max_events)
{
	struct send_config sc;
	struct send_stats st;
	struct sb_buf out = SB_BUF_INIT;
	struct gen g;
	const char *token = getenv("INGEST_TOKEN");

	sb_signals_init();
	gen_init(&g, cfg);
	if (truthpath != NULL) {
		FILE *tfp = open_out(truthpath);
		const char *tname = tfp == stdout ? "stdout" : truthpath;

		gen_truth_json(&g, &out);
		flush_out(tfp, tname, &out);
		close_out(tfp, tname);
	}
	sb_buf_free(&out);
	memset(&sc, 0, sizeof sc);
	sc.url = o->url;
	sc.token = token != NULL && token[0] != '\0' ? token : NULL;
	sc.batch = o->batch;
	sc.speed = o->speed;
	sc.max_events = max_events;
	sc.progress = isatty(STDERR_FILENO);
	if (send_events(&g, &sc, &st) == -1) {
		gen_free(&g);
		return 1;
	}
	gen_free(&g);
	fprintf(stderr, "inject: %llu events in %llu requests: %llu accepted, "
	    "%llu rejected, %llu failed\n", (unsigned long long)st.events,
	    (unsigned long long)st.requests, (unsigned long long)st.accepted,
	    (unsigned long long)st.rejected, (unsigned long long)st.failed);
	return st.events > 0 && st.accepted == 0 ? 1 : 0;
}

int
main(int argc, char *argv[])
{
	struct opts o = { .hours = 24, .hours_arg = "24", .lasts = -1, .ramp = -1 };
	struct gen_config cfg;
	struct gen g;
	struct gen_event ev;
	struct sb_buf out = SB_BUF_INIT;
	const char *outpath = "-", *truthpath = NULL, *outname;
	long long max_events = -1, n = 0;
	int ch, list = 0, has_output = 0, has_hours = 0;
	FILE *fp;

	gen_config_init(&cfg);
	while ((ch = sb_getopt(argc, argv, "ho:", longopts)) != -1) {
		switch (ch) {
		case 'h':
			usage(stdout, 0);
		case 'o':
			outpath = optarg;
			has_output = 1;
			break;
		case OPT_DEGRADE_AT:
			o.degrade_at = optarg;
			o.at = opt_duration("--degrade-at", optarg);
			break;
		case OPT_DEGRADE_FOR:
			o.degrade_for = optarg;
			o.lasts = opt_duration("--degrade-for", optarg);
			break;
		case OPT_DEGRADE_LAST:
			o.degrade_last = optarg;
			o.last = opt_duration("--degrade-last", optarg);
			break;
		case OPT_EVENTS:
			max_events = opt_ll("--events", optarg, 0, LLONG_MAX);
			break;
		case OPT_HOURS:
			has_hours = 1;
			o.hours_arg = optarg;
			o.hours = opt_double("--hours", optarg, 1.0 / HOUR,
			    MAX_HOURS);
			break;
		case OPT_LIST:
			list = 1;
			break;
		case OPT_MAGNITUDE:
			o.magnitude = optarg;
			break;
		case OPT_NO_DIURNAL:
			cfg.diurnal = 0;
			break;
		case OPT_NO_NOISE:
			cfg.noise = 0;
			break;
		case OPT_RAMP:
			o.ramp_arg = optarg;
			o.ramp = opt_duration("--ramp", optarg);
			break;
		case OPT_RATE_SCALE:
			cfg.rate_scale = opt_double("--rate-scale", optarg, 1e-6,
			    1e4);
			o.has_rate_scale = 1;
			break;
		case OPT_RATE:
			o.rate = opt_double("--rate", optarg, 0.001, 1e6);
			break;
		case OPT_URL:
			o.url = optarg;
			break;
		case OPT_DURATION:
			o.duration = optarg;
			o.hours = opt_double("--duration", optarg, 1.0 / MINUTE,
			    MAX_HOURS * 60) / 60;
			break;
		case OPT_BATCH:
			o.batch = (int)opt_ll("--batch", optarg, 1, 100000);
			break;
		case OPT_SPEED:
			o.speed = opt_double("--speed", optarg, 0.001, 1e6);
			break;
		case OPT_SCENARIO:
			o.scenario = optarg;
			break;
		case OPT_SEED:
			cfg.seed = (uint64_t)opt_ll("--seed", optarg, 0, LLONG_MAX);
			break;
		case OPT_START:
			if (sb_time_parse(optarg, strlen(optarg), &o.start) == -1)
				bad_option("--start", optarg, "invalid");
			o.has_start = 1;
			break;
		case OPT_TARGET:
			o.target = optarg;
			break;
		case OPT_TRUTH:
			truthpath = optarg;
			break;
		default:
			usage(stderr, 2);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 0) {
		fprintf(stderr, "inject: unexpected operand '%s'\n", argv[0]);
		usage(stderr, 2);
	}
	if (list) {
		print_list(cfg.rate_scale);
		if (fflush(stdout) == EOF || ferror(stdout))
			err(1, "stdout");
		return 0;
	}
	check_modes(&o, &cfg, has_output, has_hours);
	resolve(&o, &cfg);
	if (o.url != NULL)
		return send_mode(&o, &cfg, truthpath, max_events);

	sb_signals_init();
	signal(SIGPIPE, SIG_DFL);	/* a closed pipe ends us quietly */
	fp = open_out(outpath);
	outname = fp == stdout ? "stdout" : outpath;
	gen_init(&g, &cfg);

	if (truthpath != NULL) {
		FILE *tfp = open_out(truthpath);
		const char *tname = tfp == stdout ? "stdout" : truthpath;

		gen_truth_json(&g, &out);
		flush_out(tfp, tname, &out);
		close_out(tfp, tname);
	}

	while (n != max_events && !sb_stop_requested() && gen_next(&g, &ev)) {
		gen_event_json(&ev, &out);
		n++;
		if (out.len >= CHUNK)
			flush_out(fp, outname, &out);
	}
	flush_out(fp, outname, &out);
	close_out(fp, outname);
	if (fp == stdout && fclose(stdout) == EOF)
		err(1, "stdout");
	gen_free(&g);
	sb_buf_free(&out);
	return 0;
}
