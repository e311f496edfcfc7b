/*
 * detect - per-metric baselines and change detectors over window records.
 *
 * Reads window records (slowburn-records(5)) and writes signal records;
 * every other record is forwarded unchanged and in order.  The baselines
 * live in model.c, the detectors in det_*.c (detector.h), the state file
 * in state.c.
 */
#include <err.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arg.h"
#include "buf.h"
#include "clock.h"
#include "detect.h"
#include "json.h"
#include "metrics.h"
#include "num.h"
#include "reader.h"
#include "record.h"
#include "state.h"
#include "sig.h"
#include "sigrec.h"
#include "timefmt.h"

static void
usage(FILE *fp, int status)
{
	fprintf(fp,
	    "usage: detect [--no-forward] [--no-watermark] [--strict] [--tee] [--clear n]\n"
	    "              [--cusum-clip z] [--cusum-h h] [--cusum-k k]\n"
	    "              [--err-cusum-clip u] [--err-cusum-h u] [--err-cusum-ratio r]\n"
	    "              [--err-floor rate] [--err-min-count n] [--err-p p]\n"
	    "              [--err-trim k] [--err-window-p p] [--err-windows n]\n"
	    "              [--fast-z z] [--floor-error-rate [glob=]rate]\n"
	    "              [--floor-latency [glob=]duration] [--learn-hold f]"
	    " [--learn-rate a] [--level-window m/n] [--level-z z]\n"
	    "              [--max-ahead duration] [--max-line bytes] [--metric path]\n"
	    "              [--min-count n] [--novel-rearm duration]\n"
	    "              [--metrics-file file [--metrics-interval duration]]\n"
	    "              [--profile-min n] [--profile-rate a]"
	    " [--rebase-after duration] [--slo spec]\n"
	    "              [--slo-pair factor/long/short] [--state file]\n"
	    "              [--max-series n] [--state-every n] [--step-ratio r]\n"
	    "              [--tail-q p] [--traffic-p p]\n"
	    "              [--traffic-window m/n]"
	    " [--warmup n] [file ...]\n");
	exit(status);
}

/*
 * --floor-error-rate and --floor-latency: "VALUE" sets the default,
 * "GLOB=VALUE" a rule for the keys GLOB matches (the last match wins).
 */
static void
floor_arg(struct model_config *c, enum floor_kind kind, const char *s)
{
	const char *opt = kind == FLOOR_ERRORS ? "--floor-error-rate" :
	    "--floor-latency";
	const char *eq = strrchr(s, '=');
	const char *v = eq != NULL ? eq + 1 : s;
	char *glob;
	double x;

	if (kind == FLOOR_ERRORS)
		x = sb_arg_double(opt, v, 1e-9, 1.5);
	else
		x = (double)sb_arg_duration(opt, v, 1, 86400000LL);
	if (eq == NULL) {
		if (kind == FLOOR_ERRORS)
			c->floor_err = x;
		else
			c->floor_ms = x;
		return;
	}
	if (eq == s)
		errx(2, "%s: '%s': the key pattern is empty", opt, s);
	if (c->nfloor == MODEL_MAX_FLOORS)
		errx(2, "%s: more than %d rules", opt, MODEL_MAX_FLOORS);
	glob = sb_xstrdup(s);
	glob[eq - s] = '\0';
	c->floor[c->nfloor].glob = glob;
	c->floor[c->nfloor].kind = kind;
	c->floor[c->nfloor].value = x;
	c->nfloor++;
}

/* "m/n" with 1 <= m <= n <= MODEL_RING. */
static void
m_of_n_arg(const char *opt, const char *s, int *m, int *n)
{
	char *copy = sb_xstrdup(s), *slash = strchr(copy, '/');

	if (slash == NULL)
		errx(2, "%s: '%s' is not of the form m/n", opt, s);
	*slash = '\0';
	*n = (int)sb_arg_ll(opt, slash + 1, 1, MODEL_RING);
	*m = (int)sb_arg_ll(opt, copy, 1, *n);
	free(copy);
}

/* A percentage strictly between 0 and 100, as a fraction. */
static double
objective_arg(const char *spec, const char *s)
{
	const char *errstr;
	double v;

	if (sb_parse_double(s, 0, 100, &v, &errstr) == -1 || v <= 0 ||
	    v >= 100)
		errx(2, "--slo: '%s': the objective '%s' is not a percentage "
		    "between 0 and 100, both excluded", spec, s);
	return v / 100;
}

/* availability=PCT or latency=DURATION@PCT; see detect.1. */
static void
slo_arg(struct model_config *c, const char *spec)
{
	const char *eq = strchr(spec, '=');
	struct slo_def d;
	int64_t ms;

	memset(&d, 0, sizeof d);
	if (eq == NULL)
		errx(2, "--slo: '%s' is not availability=PCT or "
		    "latency=DURATION@PCT", spec);
	if ((size_t)(eq - spec) == 12 && strncmp(spec, "availability", 12) == 0) {
		d.kind = SLO_AVAILABILITY;
		d.objective = objective_arg(spec, eq + 1);
	} else if ((size_t)(eq - spec) == 7 && strncmp(spec, "latency", 7) == 0) {
		char *copy = sb_xstrdup(eq + 1), *at = strchr(copy, '@');
		size_t len;

		if (at == NULL)
			errx(2, "--slo: '%s': latency needs DURATION@PCT, "
			    "as in latency=300ms@99", spec);
		*at = '\0';
		len = strlen(copy);
		/* A unit is required: a bare number would be seconds. */
		if (len == 0 || (copy[len - 1] >= '0' && copy[len - 1] <= '9') ||
		    sb_duration_parse(copy, &ms) == -1 || ms <= 0)
			errx(2, "--slo: '%s': '%s' is not a positive duration "
			    "with a unit (300ms, 1.5s)", spec, copy);
		d.kind = SLO_LATENCY;
		d.threshold = (double)ms;
		d.objective = objective_arg(spec, at + 1);
		free(copy);
	} else
		errx(2, "--slo: '%s': the SLI is not 'availability' or "
		    "'latency'", spec);
	for (int i = 0; i < c->nslo; i++)
		if (c->slo[i].kind == d.kind)
			errx(2, "--slo: '%s': a second %s SLO", spec,
			    d.kind == SLO_LATENCY ? "latency" : "availability");
	c->slo[c->nslo++] = d;
}

/* FACTOR/LONG/SHORT, e.g. 14.4/1h/5m. */
static void
slo_pair_arg(struct model_config *c, const char *s, int *given)
{
	char *copy = sb_xstrdup(s), *a = strchr(copy, '/'), *b;
	struct slo_pair p;
	const char *errstr;

	if (a == NULL || (b = strchr(a + 1, '/')) == NULL)
		errx(2, "--slo-pair: '%s' is not FACTOR/LONG/SHORT", s);
	*a++ = '\0';
	*b++ = '\0';
	if (sb_parse_double(copy, 1e-3, 1e6, &p.factor, &errstr) == -1)
		errx(2, "--slo-pair: '%s': the factor '%s' is %s", s, copy,
		    errstr);
	if (sb_duration_parse(a, &p.long_ms) == -1 ||
	    sb_duration_parse(b, &p.short_ms) == -1 || p.short_ms <= 0 ||
	    p.long_ms <= p.short_ms || p.long_ms > 7 * 86400000LL)
		errx(2, "--slo-pair: '%s': the windows are not durations "
		    "with 0 < SHORT < LONG <= 7d", s);
	if (!*given) {
		c->npair = 0;
		*given = 1;
	}
	if (c->npair == MODEL_MAX_PAIRS)
		errx(2, "--slo-pair: more than %d pairs", MODEL_MAX_PAIRS);
	c->pair[c->npair++] = p;
	free(copy);
}

static void
add_metric(struct model_config *c, const char *path, const char *name,
    enum metric_kind kind, int fast, int user)
{
	struct metric_def *d;

	for (int i = 0; i < c->nmetric; i++)
		if (strcmp(c->metric[i].path, path) == 0) {
			c->metric[i].user = user;	/* named again: replaced */
			return;
		}
	if (c->nmetric == MODEL_MAX_METRICS)
		errx(2, "--metric: more than %d metrics", MODEL_MAX_METRICS);
	d = &c->metric[c->nmetric++];
	d->path = path;
	d->name = name;
	d->kind = kind;
	d->fast = fast;
	d->user = user;
}

static void
parse_options(int argc, char **argv, struct options *o)
{
	enum { O_CLEAR = 256, O_CCLIP, O_CH, O_CK, O_ECCLIP, O_ECH, O_ECRATIO, O_EFLOOR,
	    O_EMIN, O_EP, O_HOLD,
	    O_ETRIM, O_EWIN, O_EWP, O_FASTZ, O_LEARN, O_LWIN, O_LZ, O_AHEAD, O_MAXLINE,
	    O_METRIC, O_MINCOUNT, O_NOFWD, O_NOWM, O_PMIN, O_PRATE, O_STATE,
	    O_SEVERY, O_SLO, O_SLOPAIR, O_STEP, O_STRICT, O_TEE, O_TP, O_TWIN,
	    O_WARMUP, O_MAXSERIES, O_NREARM, O_REBASE, O_TAILQ, O_FLOORERR, O_FLOORLAT };
	static const struct option longopts[] = {
		{ "clear",		required_argument,	NULL, O_CLEAR },
		{ "cusum-clip",		required_argument,	NULL, O_CCLIP },
		{ "cusum-h",		required_argument,	NULL, O_CH },
		{ "cusum-k",		required_argument,	NULL, O_CK },
		{ "err-cusum-clip",	required_argument,	NULL, O_ECCLIP },
		{ "err-cusum-h",		required_argument,	NULL, O_ECH },
		{ "err-cusum-ratio",	required_argument,	NULL, O_ECRATIO },
		{ "err-floor",		required_argument,	NULL, O_EFLOOR },
		{ "err-min-count",	required_argument,	NULL, O_EMIN },
		{ "err-p",		required_argument,	NULL, O_EP },
		{ "err-trim",		required_argument,	NULL, O_ETRIM },
		{ "err-window-p",	required_argument,	NULL, O_EWP },
		{ "err-windows",		required_argument,	NULL, O_EWIN },
		{ "fast-z",		required_argument,	NULL, O_FASTZ },
		{ "floor-error-rate",	required_argument,	NULL, O_FLOORERR },
		{ "floor-latency",	required_argument,	NULL, O_FLOORLAT },
		{ "help",		no_argument,		NULL, 'h' },
		{ "learn-hold",		required_argument,	NULL, O_HOLD },
		{ "learn-rate",		required_argument,	NULL, O_LEARN },
		{ "level-window",	required_argument,	NULL, O_LWIN },
		{ "level-z",		required_argument,	NULL, O_LZ },
		{ "max-ahead",		required_argument,	NULL, O_AHEAD },
		{ "max-line",		required_argument,	NULL, O_MAXLINE },
		{ "metric",		required_argument,	NULL, O_METRIC },
		{ "metrics-file",	required_argument,	NULL, SB_OPT_METRICS_FILE },
		{ "metrics-interval",	required_argument,	NULL, SB_OPT_METRICS_INTERVAL },
		{ "min-count",		required_argument,	NULL, O_MINCOUNT },
		{ "no-forward",		no_argument,		NULL, O_NOFWD },
		{ "no-watermark",	no_argument,		NULL, O_NOWM },
		{ "novel-rearm",	required_argument,	NULL, O_NREARM },
		{ "profile-min",	required_argument,	NULL, O_PMIN },
		{ "profile-rate",	required_argument,	NULL, O_PRATE },
		{ "rebase-after",	required_argument,	NULL, O_REBASE },
		{ "slo",		required_argument,	NULL, O_SLO },
		{ "slo-pair",		required_argument,	NULL, O_SLOPAIR },
		{ "state",		required_argument,	NULL, O_STATE },
		{ "max-series",		required_argument,	NULL, O_MAXSERIES },
		{ "state-every",	required_argument,	NULL, O_SEVERY },
		{ "step-ratio",		required_argument,	NULL, O_STEP },
		{ "strict",		no_argument,		NULL, O_STRICT },
		{ "tail-q",		required_argument,	NULL, O_TAILQ },
		{ "tee",		no_argument,		NULL, O_TEE },
		{ "traffic-p",		required_argument,	NULL, O_TP },
		{ "traffic-window",	required_argument,	NULL, O_TWIN },
		{ "warmup",		required_argument,	NULL, O_WARMUP },
		{ NULL, 0, NULL, 0 }
	};
	struct model_config *c = &o->model;
	int ch, pairs_given = 0;

	memset(o, 0, sizeof *o);
	model_defaults(c);
	add_metric(c, "count", "count", MK_COUNT, 0, 0);
	add_metric(c, "errors", "error_rate", MK_ERRORS, 0, 0);
	add_metric(c, "latency_ms.p50", "latency_p50", MK_LOG, 1, 0);
	add_metric(c, "latency_ms.p95", "latency_p95", MK_LOG, 2, 0);
	add_metric(c, "latency_ms.p99", "latency_p99", MK_LOG, 0, 0);
	o->max_line = SB_MAX_LINE_DEFAULT;
	o->max_ahead = SB_GATE_AHEAD_DEFAULT;
	o->forward = 1;
	o->state_every = 10000;
	o->state_paced = 1;
	o->max_series = 50000;

	while ((ch = sb_getopt(argc, argv, "h", longopts)) != -1) {
		switch (ch) {
		case SB_OPT_METRICS_FILE:
		case SB_OPT_METRICS_INTERVAL:
			sb_arg_metrics(&o->metrics, ch, optarg);
			break;
		case O_CLEAR:
			c->clear = (int)sb_arg_ll("--clear", optarg, 1, 1000);
			break;
		case O_CCLIP:
			c->cusum_clip = sb_arg_double("--cusum-clip", optarg, 0.1, 1e6);
			break;
		case O_CH:
			c->cusum_h = sb_arg_double("--cusum-h", optarg, 0.1, 1e6);
			break;
		case O_CK:
			c->cusum_k = sb_arg_double("--cusum-k", optarg, 0, 100);
			break;
		case O_ECCLIP:
			c->err_cusum_clip = sb_arg_double("--err-cusum-clip",
			    optarg, 0.1, 1e6);
			break;
		case O_ECH:
			c->err_cusum_h = sb_arg_double("--err-cusum-h", optarg,
			    0.1, 1e6);
			break;
		case O_ECRATIO:
			c->err_cusum_ratio = sb_arg_double("--err-cusum-ratio",
			    optarg, 1.01, 1000);
			break;
		case O_EFLOOR:
			c->err_floor = sb_arg_double("--err-floor", optarg, 1e-9, 0.5);
			break;
		case O_EMIN:
			c->err_min_count = sb_arg_ll("--err-min-count", optarg, 0,
			    1LL << 40);
			break;
		case O_EP:
			c->err_p = sb_arg_double("--err-p", optarg, 1e-300, 1);
			break;
		case O_EWIN:
			c->err_n = (int)sb_arg_ll("--err-windows", optarg, 1,
			    MODEL_RING);
			break;
		case O_ETRIM:
			c->err_trim = (int)sb_arg_ll("--err-trim", optarg, 0,
			    MODEL_RING - 1);
			break;
		case O_EWP:
			c->err_window_p = sb_arg_double("--err-window-p", optarg,
			    1e-300, 1);
			break;
		case O_FASTZ:
			c->fast_z = sb_arg_double("--fast-z", optarg, 0.1, 1e6);
			break;
		case O_HOLD:
			c->hold = sb_arg_double("--learn-hold", optarg, 1e-6, 1);
			break;
		case O_LEARN:
			c->learn = sb_arg_double("--learn-rate", optarg, 1e-6, 1);
			break;
		case O_LWIN:
			m_of_n_arg("--level-window", optarg, &c->level_m,
			    &c->level_n);
			break;
		case O_LZ:
			c->level_z = sb_arg_double("--level-z", optarg, 0.1, 1e6);
			break;
		case O_AHEAD:
			o->max_ahead = sb_arg_duration("--max-ahead", optarg, 0,
			    INT64_MAX / 4);
			break;
		case O_MAXLINE:
			o->max_line = (size_t)sb_arg_ll("--max-line", optarg, 1024,
			    1LL << 30);
			break;
		case O_METRIC:
			if (optarg[0] == '\0' || optarg[0] == '.' ||
			    optarg[strlen(optarg) - 1] == '.' ||
			    strstr(optarg, "..") != NULL)
				errx(2, "--metric: '%s' is not a dotted path",
				    optarg);
			add_metric(c, optarg, optarg,
			    strncmp(optarg, "latency_ms.", 11) == 0 ? MK_LOG :
			    MK_RAW, 0, 1);
			break;
		case O_MINCOUNT:
			c->min_count = sb_arg_ll("--min-count", optarg, 0, 1LL << 40);
			break;
		case O_NOWM:
			o->no_watermark = 1;
			break;
		case O_FLOORERR:
		case O_FLOORLAT:
			floor_arg(c, ch == O_FLOORERR ? FLOOR_ERRORS :
			    FLOOR_LATENCY, optarg);
			break;
		case O_NREARM:
			c->novel_rearm = sb_arg_duration("--novel-rearm", optarg,
			    0, 365 * 86400000LL);
			break;
		case O_REBASE:
			c->rebase = sb_arg_duration("--rebase-after", optarg,
			    0, 365 * 86400000LL);
			break;
		case O_TAILQ:
			c->tail_q = sb_arg_double("--tail-q", optarg, 1e-12, 1);
			break;
		case O_NOFWD:
			o->forward = 0;
			break;
		case O_PMIN:
			c->profile_min = (int)sb_arg_ll("--profile-min", optarg, 1,
			    1000000);
			break;
		case O_PRATE:
			c->profile_learn = sb_arg_double("--profile-rate", optarg,
			    1e-6, 1);
			break;
		case O_SLO:
			slo_arg(c, optarg);
			break;
		case O_SLOPAIR:
			slo_pair_arg(c, optarg, &pairs_given);
			break;
		case O_STATE:
			o->state = optarg;
			break;
		case O_MAXSERIES:
			o->max_series = (size_t)sb_arg_ll("--max-series", optarg,
			    1, 100000000);
			break;
		case O_SEVERY:
			o->state_every = (uint64_t)sb_arg_ll("--state-every",
			    optarg, 0, 1LL << 40);
			o->state_paced = 0;
			break;
		case O_STEP:
			c->step_ratio = sb_arg_double("--step-ratio", optarg, 1, 1e6);
			break;
		case O_STRICT:
			o->strict = 1;
			break;
		case O_TEE:
			o->tee = 1;
			break;
		case O_TP:
			c->traffic_p = sb_arg_double("--traffic-p", optarg, 1e-300, 1);
			break;
		case O_TWIN:
			m_of_n_arg("--traffic-window", optarg, &c->traffic_m,
			    &c->traffic_n);
			break;
		case O_WARMUP:
			c->warmup = (int)sb_arg_ll("--warmup", optarg, 1, 1000000);
			break;
		case 'h':
			usage(stdout, 0);
			break;
		default:
			usage(stderr, 2);
		}
	}
	if (c->err_trim >= c->err_n)
		errx(2, "--err-trim: %d leaves nothing of --err-windows %d",
		    c->err_trim, c->err_n);
	for (int i = 0; i < c->nmetric; i++)
		path_split(&o->paths[i], c->metric[i].path);
	model_finish(c);
}

/* A string member's raw JSON text, for copying it to a signal. */
static void
copy_member(struct run *r, const char *name, long tok)
{
	const struct sb_jtok *t;

	if (tok < 0 || r->js.tok[tok].type != SB_JSTRING)
		return;
	t = &r->js.tok[tok];
	sb_buf_printf(&r->out, ",\"%s\":", name);
	sb_buf_add(&r->out, r->js.src + t->start - 1, t->end - t->start + 2);
}

static void
put_num(struct sb_buf *b, const char *name, double v)
{
	sb_buf_printf(b, ",\"%s\":", name);
	sb_buf_json_num(b, v);
}

/*
 * "context": the window's value and the baseline of every metric, and
 * its status codes, so that a signal's reader can also say what did not
 * move ("error rate is unchanged at 0.2%").  Only signals pay for it.
 */
static void
put_context(struct run *r, const struct window *w, const struct series *se)
{
	const struct model_config *c = &r->opt->model;
	const struct obs *o = &w->obs;
	struct sb_buf *b = &r->out;
	int n = 0;

	sb_buf_puts(b, ",\"context\":{");
	for (int i = 0; i < c->nmetric; i++) {
		const struct metric_def *def = &c->metric[i];
		double v = o->x[i], base;

		if (!o->has[i])
			continue;
		if (def->kind == MK_ERRORS) {
			if (o->count == 0)
				continue;
			v = (double)o->errors / (double)o->count;
		}
		sb_buf_printf(b, "%s", n++ ? "," : "");
		sb_buf_json_str(b, def->name, strlen(def->name));
		sb_buf_puts(b, ":{\"value\":");
		sb_buf_json_num(b, v);
		base = series_baseline(c, se, i, o->start, o->width);
		if (!isnan(base))
			put_num(b, "baseline", base);
		sb_buf_putc(b, '}');
	}
	if (w->codes_tok >= 0) {
		const struct sb_jtok *t = &r->js.tok[w->codes_tok];
		sb_buf_printf(b, "%s\"codes\":", n ? "," : "");
		sb_buf_add(b, r->js.src + t->start, t->end - t->start);
	}
	sb_buf_putc(b, '}');
}

static void
emit_signal(struct run *r, const struct window *w, const struct series *se,
    const struct signal *g)
{
	const struct metric_def *def = &r->opt->model.metric[g->metric];
	struct sb_buf *b = &r->out;
	const char *name = def->name;

	if (g->slo)
		name = r->opt->model.slo[g->slo - 1].kind == SLO_LATENCY ?
		    "slo_latency" : "slo_availability";

	r->signals++;
	sb_buf_puts(b, "{\"type\":\"signal\"");
	copy_member(r, "key", w->key_tok);
	copy_member(r, "service", w->service_tok);
	copy_member(r, "method", w->method_tok);
	copy_member(r, "endpoint", w->endpoint_tok);
	sb_buf_puts(b, ",\"at\":");
	sb_buf_json_time(b, g->at);
	sb_buf_puts(b, ",\"metric\":");
	sb_buf_json_str(b, name, strlen(name));
	sb_buf_printf(b, ",\"detector\":\"%s\",\"direction\":\"%s\"",
	    sb_family_detector(g->family), g->down ? "down" : "up");
	put_num(b, "value", g->value);
	put_num(b, "baseline", g->baseline);
	put_num(b, "spread", g->spread);
	put_num(b, "score", g->score);
	sb_buf_puts(b, ",\"since\":");
	sb_buf_json_time(b, g->since);
	sb_buf_puts(b, ",\"windows\":");
	sb_buf_json_int(b, (g->at - g->since) / w->width);
	put_num(b, "width_s", (double)w->width / 1000);
	if (!isnan(g->p_value))
		put_num(b, "p_value", g->p_value);
	if (!isnan(g->expected))
		put_num(b, "expected", g->expected);
	if (!isnan(g->count))
		put_num(b, "count", g->count);
	if (!isnan(g->errors))
		put_num(b, "errors", g->errors);
	if (!isnan(g->dispersion))
		put_num(b, "dispersion", g->dispersion);
	if (g->slo) {
		put_num(b, "burn_rate", g->value);
		put_num(b, "burn_rate_short", g->burn_short);
		put_num(b, "window_long_s", g->window_long_s);
		put_num(b, "window_short_s", g->window_short_s);
		put_num(b, "objective", g->objective);
		put_num(b, "factor", g->factor);
	}
	if (g->cleared)
		sb_buf_puts(b, ",\"state\":\"cleared\"");
	put_context(r, w, se);
	sb_buf_puts(b, "}\n");
}

/*
 * {"type":"watermark","at":T}: every window ending at or before T has
 * been read and its signals written.  It is what moves correlate's clock
 * when no signal comes, so that quiet incidents resolve on time.
 */
static void
emit_watermark(struct run *r, int64_t at)
{
	r->watermarks++;
	sb_buf_puts(&r->out, "{\"type\":\"watermark\",\"at\":");
	sb_buf_json_time(&r->out, at);
	sb_buf_puts(&r->out, "}\n");
}

/*
 * Every save of the state: periodic, at exit, and at a checkpoint (the
 * save of r->ck, so ctx is the run).
 */
static int
run_save(void *ctx, struct sb_state *st)
{
	struct run *r = ctx;

	r->saves++;
	return state_save(st, &r->opt->model, &r->series);
}

/*
 * The save of every --state-every windows.  By default it is also paced
 * by its own cost: after a save that took d, the next waits until 20d
 * has passed, so that saving never takes more than about 5% of the run.
 * A live stream of 20,000 series saves every 10,000 windows (30 s of
 * input); a backfill of them, whose state of 37 MB takes 0.2 s to
 * write, no more than once every 4 s: twice in 700,000 windows, not 70
 * times (1.2 s in all, not 15 s).
 */
static void
periodic_save(struct run *r)
{
	int64_t t0 = sb_monotonic_ns();

	if (r->opt->state_paced && r->saved_ns != 0 &&
	    t0 - r->saved_ns < 20 * r->save_ns)
		return;
	if (sb_out_flush(&r->out) != 0)
		return;
	run_save(r, r->state);
	r->saved_ns = sb_monotonic_ns();
	r->save_ns = r->saved_ns - t0;
}

/* 0, or -1 when --strict makes a bad line fatal. */
static int
line(void *ctx, struct sb_reader *in, char *s, size_t n)
{
	struct run *r = ctx;
	int rc;
	struct model_config *c = &r->opt->model;
	struct signal sig[MODEL_MAX_SIGNALS];
	struct window w;
	struct series *se;
	char why[200];
	long t;
	int nsig;

	if ((rc = sb_record_parse(&r->js, in, s, n, NULL)) != 1)
		return rc;
	/* Every member once; window_read() checks a window's. */
	sb_window_scan(&r->rec, &r->js, 0);
	t = r->rec.tok[SB_WM_TYPE];
	/* The state, on the first record; a checkpoint's, then forwarded. */
	if (sb_ckpt_line(&r->ck, &r->js, 0, t, in) == -1)
		return -1;
	if (t < 0 || !sb_json_streq(&r->js, (size_t)t, "window")) {
		r->other_in++;
		if (r->opt->forward) {
			sb_buf_add(&r->out, s, n);
			sb_buf_putc(&r->out, '\n');
			r->forwarded++;
		}
		return 0;
	}
	if (window_read(r, &w, why, sizeof why) == -1)
		return sb_reader_bad(in, "%s", why);
	switch (sb_gate_check(&r->gate, in, w.obs.start + w.width, s, n)) {
	case SB_GATE_HELD:
		return 0;
	case SB_GATE_AGAIN:
		return line(ctx, in, s, n);
	case SB_GATE_STRICT:
		return -1;
	}
	r->windows_in++;
	/* Windows arrive in end order: a later end closes the earlier ones. */
	if (w.obs.start + w.width > r->max_end) {
		if (r->max_end != 0 && !r->opt->no_watermark)
			emit_watermark(r, r->max_end);
		r->max_end = w.obs.start + w.width;
	}
	if (r->opt->tee) {
		sb_buf_add(&r->out, s, n);
		sb_buf_putc(&r->out, '\n');
		r->teed++;
	}
	se = table_find(&r->series, r->key.s, r->key.len, w.width);
	if (se == NULL) {
		/* Memory grows with the series, never past --max-series. */
		if (r->series.nlist >= r->opt->max_series) {
			if (r->overflow++ == 0)
				sb_reader_note(in, "more than %zu series "
				    "(--max-series): windows of new series are "
				    "skipped", r->opt->max_series);
			return 0;
		}
		se = series_new(c, r->key.s, r->key.len, w.width);
		table_add(&r->series, se);
	} else if ((double)(w.obs.start + w.width) <= se->last_end) {
		/* Already seen, e.g. replayed after a restore of --state. */
		r->stale++;
		return 0;
	}
	nsig = series_update(c, se, &w.obs, sig);
	for (int i = 0; i < nsig; i++)
		emit_signal(r, &w, se, &sig[i]);
	r->nwindows++;
	/*
	 * A checkpoint covers this window: its signals go down the pipe
	 * first, or a kill -9 between the two would lose them for good (a
	 * restart skips the windows the checkpoint covers).
	 */
	if (r->state != NULL && r->opt->state_every > 0 &&
	    r->nwindows % r->opt->state_every == 0)
		periodic_save(r);
	return 0;
}

static int64_t
newest_window(const void *ctx)
{
	const struct run *r = ctx;

	return r->max_end != 0 ? r->max_end : INT64_MIN;
}

static double
open_series(const void *ctx)
{
	const struct run *r = ctx;

	return (double)r->series.nlist;
}

static struct sb_metrics *
metrics_start(struct run *r)
{
	struct sb_metrics *m = sb_metrics_new("detect");

	sb_metrics_input(m);
	sb_metrics_u64(m, "slowburn_records_in_total", "kind=\"window\"",
	    &r->windows_in);
	sb_metrics_u64(m, "slowburn_records_in_total", "kind=\"other\"",
	    &r->other_in);
	sb_metrics_u64(m, "slowburn_records_out_total", "kind=\"signal\"",
	    &r->signals);
	sb_metrics_u64(m, "slowburn_records_out_total", "kind=\"watermark\"",
	    &r->watermarks);
	sb_metrics_u64(m, "slowburn_records_out_total", "kind=\"window\"",
	    &r->teed);
	sb_metrics_u64(m, "slowburn_records_out_total", "kind=\"forwarded\"",
	    &r->forwarded);
	sb_metrics_fn(m, "slowburn_open_series", NULL, open_series, r);
	sb_metrics_u64(m, "slowburn_state_saves_total", NULL, &r->saves);
	sb_metrics_event_time(m, newest_window, r);
	if (sb_metrics_start(m, &r->opt->metrics) == -1)
		err(1, "%s", r->opt->metrics.path);
	return m;
}

/* --state and its checkpoints (lib/ckpt.h). */
static int
ck_load(void *ctx, struct sb_state *st)
{
	struct run *r = ctx;

	if (state_load(st, &r->opt->model, &r->series) == -1)
		return -1;
	/* The windows' end so far: the next watermark is the one it owes. */
	for (size_t k = 0; k < r->series.nlist; k++)
		if (r->series.list[k]->last_end > (double)r->max_end)
			r->max_end = (int64_t)r->series.list[k]->last_end;
	return 0;
}

int
main(int argc, char **argv)
{
	struct options opt;
	struct run r;
	struct sb_metrics *metrics = NULL;
	int status = 0;

	parse_options(argc, argv, &opt);
	argc -= optind;
	argv += optind;

	sb_signals_init();
	sb_out_init();
	memset(&r, 0, sizeof r);
	r.opt = &opt;
	sb_json_init(&r.js);
	sb_gate_init(&r.gate, opt.max_ahead, "window", line, &r);
	table_init(&r.series);
	if (opt.state != NULL) {
		char why[512];
		if ((r.state = sb_state_open(opt.state, why, sizeof why)) == NULL) {
			warnx("%s", why);
			status = 1;
			goto done;
		}
		r.ck = (struct sb_ckpt_stage){ .spec = opt.state, .ctx = &r,
		    .load = ck_load, .save = run_save, .out = &r.out };
	}

	metrics = metrics_start(&r);
	struct sb_input in = {
		.max_line = opt.max_line, .strict = opt.strict, .idle_ms = -1,
		.line = line, .out = &r.out, .ctx = &r,
	};
	status = sb_input_run(&in, argc, argv);
	if (sb_gate_end(&r.gate) == -1)
		status = 1;
	if (sb_ckpt_end(&r.ck) == -1 || r.ck.broken) {
		status = 1;
		goto done;
	}
	/*
	 * The baselines first: when a whole pipe is stopped, the stage after
	 * this one may be gone already, and writing to it ends this process
	 * (SIGPIPE) before it could save what it learned.
	 */
	if (r.state != NULL && run_save(&r, r.state) == -1)
		status = 1;
	if (r.max_end != 0 && !opt.no_watermark)
		emit_watermark(&r, r.max_end);
	sb_out_end(&r.out);
	if (r.overflow > 0)
		warnx("%llu window%s of series beyond --max-series %zu skipped",
		    (unsigned long long)r.overflow, r.overflow == 1 ? "" : "s",
		    opt.max_series);
	if (r.stale > 0)
		warnx("%llu window%s not newer than the last of %s series "
		    "skipped", (unsigned long long)r.stale,
		    r.stale == 1 ? "" : "s", r.stale == 1 ? "its" : "their");
	sb_gate_summary(&r.gate);
	sb_reader_summary();
	sb_record_hint(SB_KIND_WINDOW);
done:
	sb_metrics_finish(metrics);
	sb_state_close(r.state);
	table_free(&r.series);
	for (int i = 0; i < opt.model.nmetric; i++)
		path_free(&opt.paths[i]);
	for (int i = 0; i < opt.model.nfloor; i++)
		free(opt.model.floor[i].glob);
	sb_buf_free(&r.out);
	sb_buf_free(&r.key);
	sb_json_free(&r.js);
	sb_gate_free(&r.gate);
	sb_sketch_free(&r.sketch);
	return status;
}
