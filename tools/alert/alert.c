/*
 * alert - deliver signals and alerts: a readable console block per alert
 * (one line per bare signal), JSON lines for scripts, and to Slack,
 * Alertmanager webhook receivers, PagerDuty, commands and Alertmanager's
 * API, with retries, a spool and noise control.
 *
 * alert is the end of the pipe: records other than signals and alerts
 * are ignored.  Delivery goes through the sinks of sink.h; what reaches
 * them is decided first by noise.h (silences, inhibition), and when the
 * remote sinks are notified by group.h (grouping, group wait and
 * interval, repeats, resolves), in event time; Alertmanager, which
 * groups for itself, gets each alert as it is read.
 */
#include <err.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>

#include "arg.h"
#include "buf.h"
#include "clock.h"
#include "group.h"
#include "file.h"
#include "json.h"
#include "metrics.h"
#include "noise.h"
#include "silence.h"
#include "num.h"
#include "payload.h"
#include "reader.h"
#include "record.h"
#include "sig.h"
#include "sigrec.h"
#include "sink.h"
#include "spool.h"

#define MAX_SINKS	7
#define MAX_HEADERS	16

struct options {
	const struct sink_ops	*format;	/* NULL: console unless remote */
	int			 color;		/* -1 auto */
	size_t			 max_line;
	int			 strict;
	const char		*slack, *webhook, *pagerduty, *pd_url, *exec;
	const char		*alertmanager;
	char			*external_url;	/* no trailing '/' */
	int64_t			 am_repeat_ms;
	const char		*headers[MAX_HEADERS + 1];
	int			 nheaders;
	const char		*spool;		/* directory */
	const char		*state;		/* file or store:NAME */
	struct delivery_policy	 pol;
	struct noise_config	 noise;
	struct group_config	 group;
	struct sb_metrics_opt	 metrics;
};

static void
usage(FILE *fp, int status)
{
	fprintf(fp,
	    "usage: alert [--strict] [--color auto|always|never]\n"
	    "             [--format console|json] [--max-alerts n] [--max-line bytes]\n"
	    "             [--slack URL] [--webhook URL [--header 'Name: value']]\n"
	    "             [--pagerduty KEY [--pagerduty-url URL]]\n"
	    "             [--exec CMD [--exec-timeout DUR]]\n"
	    "             [--alertmanager URL [--am-repeat DUR]]\n"
	    "             [--external-url URL]\n"
	    "             [--spool DIR | --state FILE|store:NAME]\n"
	    "             [--retries N] [--retry-base DUR] [--retry-max DUR]\n"
	    "             [--connect-timeout DUR] [--timeout DUR] [--jitter-seed N]\n"
	    "             [--group-by service|key] [--group-wait DUR]\n"
	    "             [--group-interval DUR] [--repeat-interval DUR]\n"
	    "             [--send-resolved yes|no] [--inhibit yes|no]\n"
	    "             [--silences FILE|store:NAME]\n"
	    "             [--metrics-file FILE [--metrics-interval DUR]] [file ...]\n"
	    "       alert silence add --match MATCHER ... --for DUR|--until TIME\n"
	    "             [--starts TIME] [--comment TEXT] [--silences LOC]\n"
	    "       alert silence list [--silences LOC]\n"
	    "       alert silence expire ID [--silences LOC]\n");
	exit(status);
}

/* Alertmanager's default, global.resolve_timeout. */
#define AM_RESOLVE_TIMEOUT_MS	(5 * 60 * 1000)

/* An http(s) URL, one line, without its trailing slashes. */
static char *
external_url(const char *s)
{
	size_t n = strlen(s);
	char *u;

	if ((strncmp(s, "http://", 7) != 0 && strncmp(s, "https://", 8) != 0) ||
	    strpbrk(s, " \t\r\n\"") != NULL)
		errx(2, "--external-url: '%s' is not an http or https URL", s);
	while (n > 0 && s[n - 1] == '/')
		n--;
	u = sb_xmalloc(n + 1);
	memcpy(u, s, n);
	u[n] = '\0';
	return u;
}

static int
yes_no(const char *name, const char *s)
{
	if (strcmp(s, "yes") == 0 || strcmp(s, "on") == 0 ||
	    strcmp(s, "true") == 0)
		return 1;
	if (strcmp(s, "no") == 0 || strcmp(s, "off") == 0 ||
	    strcmp(s, "false") == 0)
		return 0;
	errx(2, "--%s: '%s' is not yes or no", name, s);
}

static const char *
env(const char *name)
{
	const char *v = getenv(name);

	return v != NULL && *v != '\0' ? v : NULL;
}

static void
parse_options(int argc, char **argv, struct options *o)
{
	enum { O_COLOR = 256, O_FORMAT, O_MAXLINE, O_STRICT, O_SLACK,
	    O_WEBHOOK, O_HEADER, O_PD, O_PDURL, O_EXEC, O_EXECTO, O_SPOOL,
	    O_STATE, O_RETRIES, O_RBASE, O_RMAX, O_CTO, O_TO, O_SEED,
	    O_GROUPBY, O_GWAIT, O_GINTERVAL, O_REPEAT, O_RESOLVED, O_INHIBIT,
	    O_SILENCES, O_AM, O_AMREPEAT, O_EXTURL, O_MAXALERTS };
	static const struct option longopts[] = {
		{ "alertmanager",	required_argument, NULL, O_AM },
		{ "am-repeat",		required_argument, NULL, O_AMREPEAT },
		{ "color",		required_argument, NULL, O_COLOR },
		{ "connect-timeout",	required_argument, NULL, O_CTO },
		{ "exec",		required_argument, NULL, O_EXEC },
		{ "exec-timeout",	required_argument, NULL, O_EXECTO },
		{ "external-url",	required_argument, NULL, O_EXTURL },
		{ "format",		required_argument, NULL, O_FORMAT },
		{ "group-by",		required_argument, NULL, O_GROUPBY },
		{ "group-interval",	required_argument, NULL, O_GINTERVAL },
		{ "group-wait",		required_argument, NULL, O_GWAIT },
		{ "header",		required_argument, NULL, O_HEADER },
		{ "help",		no_argument,	   NULL, 'h' },
		{ "inhibit",		required_argument, NULL, O_INHIBIT },
		{ "jitter-seed",	required_argument, NULL, O_SEED },
		{ "max-alerts",		required_argument, NULL, O_MAXALERTS },
		{ "max-line",		required_argument, NULL, O_MAXLINE },
		{ "metrics-file",	required_argument, NULL, SB_OPT_METRICS_FILE },
		{ "metrics-interval",	required_argument, NULL, SB_OPT_METRICS_INTERVAL },
		{ "pagerduty",		required_argument, NULL, O_PD },
		{ "pagerduty-url",	required_argument, NULL, O_PDURL },
		{ "repeat-interval",	required_argument, NULL, O_REPEAT },
		{ "retries",		required_argument, NULL, O_RETRIES },
		{ "retry-base",		required_argument, NULL, O_RBASE },
		{ "retry-max",		required_argument, NULL, O_RMAX },
		{ "send-resolved",	required_argument, NULL, O_RESOLVED },
		{ "silences",		required_argument, NULL, O_SILENCES },
		{ "slack",		required_argument, NULL, O_SLACK },
		{ "spool",		required_argument, NULL, O_SPOOL },
		{ "state",		required_argument, NULL, O_STATE },
		{ "strict",		no_argument,	   NULL, O_STRICT },
		{ "timeout",		required_argument, NULL, O_TO },
		{ "webhook",		required_argument, NULL, O_WEBHOOK },
		{ NULL, 0, NULL, 0 }
	};
	const char *errstr;
	long long n;
	int ch;

	memset(o, 0, sizeof *o);
	o->color = -1;
	o->max_line = SB_MAX_LINE_DEFAULT;
	o->pol.retries = 5;
	o->pol.retry_base_ms = 1000;
	o->pol.retry_max_ms = 60000;
	o->pol.connect_ms = 5000;
	o->pol.total_ms = 10000;
	o->pol.exec_timeout_ms = 10000;
	o->pol.seed = (uint64_t)(sb_wall_ms() / 1000) ^ ((uint64_t)getpid() << 32);
	o->am_repeat_ms = 60 * 1000;
	noise_config_init(&o->noise);
	group_config_init(&o->group);
	while ((ch = sb_getopt(argc, argv, "h", longopts)) != -1) {
		switch (ch) {
		case SB_OPT_METRICS_FILE:
		case SB_OPT_METRICS_INTERVAL:
			sb_arg_metrics(&o->metrics, ch, optarg);
			break;
		case O_COLOR:
			if (strcmp(optarg, "auto") == 0)
				o->color = -1;
			else if (strcmp(optarg, "always") == 0)
				o->color = 1;
			else if (strcmp(optarg, "never") == 0)
				o->color = 0;
			else
				errx(2, "--color: '%s' is not auto, always or "
				    "never", optarg);
			break;
		case O_FORMAT:
			if (strcmp(optarg, "console") == 0)
				o->format = &console_sink;
			else if (strcmp(optarg, "json") == 0)
				o->format = &json_sink;
			else
				errx(2, "--format: '%s' is not console or json",
				    optarg);
			break;
		case O_MAXLINE:
			if (sb_parse_ll(optarg, 1024, 1LL << 30, &n, &errstr) == -1)
				errx(2, "--max-line: '%s' is %s", optarg, errstr);
			o->max_line = (size_t)n;
			break;
		case O_STRICT:
			o->strict = 1;
			break;
		case O_SLACK:
			o->slack = optarg;
			break;
		case O_WEBHOOK:
			o->webhook = optarg;
			break;
		case O_HEADER:
			/* Never echo the value: it is often a credential. */
			if (strpbrk(optarg, "\r\n") != NULL)
				errx(2, "--header: a header with CR or LF is "
				    "refused");
			if (strchr(optarg, ':') == NULL || *optarg == ':')
				errx(2, "--header: not 'Name: value'");
			if (o->nheaders == MAX_HEADERS)
				errx(2, "--header: more than %d", MAX_HEADERS);
			o->headers[o->nheaders++] = optarg;
			break;
		case O_PD:
			o->pagerduty = optarg;
			break;
		case O_PDURL:
			o->pd_url = optarg;
			break;
		case O_EXEC:
			o->exec = optarg;
			break;
		case O_AM:
			o->alertmanager = optarg;
			break;
		case O_AMREPEAT:
			o->am_repeat_ms = sb_arg_duration("--am-repeat", optarg, 1000, INT64_MAX);
			break;
		case O_EXTURL:
			o->external_url = external_url(optarg);
			break;
		case O_EXECTO:
			o->pol.exec_timeout_ms = sb_arg_duration("--exec-timeout", optarg, 1, INT64_MAX);
			break;
		case O_SPOOL:
			o->spool = optarg;
			break;
		case O_STATE:
			o->state = optarg;
			break;
		case O_RETRIES:
			if (sb_parse_ll(optarg, 0, 100, &n, &errstr) == -1)
				errx(2, "--retries: '%s' is %s", optarg, errstr);
			o->pol.retries = (int)n;
			break;
		case O_RBASE:
			o->pol.retry_base_ms = sb_arg_duration("--retry-base", optarg, 1, INT64_MAX);
			break;
		case O_RMAX:
			o->pol.retry_max_ms = sb_arg_duration("--retry-max", optarg, 1, INT64_MAX);
			break;
		case O_CTO:
			o->pol.connect_ms = (long)sb_arg_duration("--connect-timeout", optarg, 1, INT64_MAX);
			break;
		case O_TO:
			o->pol.total_ms = (long)sb_arg_duration("--timeout", optarg, 1, INT64_MAX);
			break;
		case O_SEED:
			if (sb_parse_ll(optarg, 0, 1LL << 62, &n, &errstr) == -1)
				errx(2, "--jitter-seed: '%s' is %s", optarg,
				    errstr);
			o->pol.seed = (uint64_t)n;
			break;
		case O_GROUPBY:
			if (strcmp(optarg, "service") != 0 &&
			    strcmp(optarg, "key") != 0)
				errx(2, "--group-by: '%s' is not service or key",
				    optarg);
			o->group.group_by = optarg;
			break;
		case O_GWAIT:
			o->group.wait_ms = sb_arg_duration("--group-wait", optarg, 0, INT64_MAX);
			break;
		case O_GINTERVAL:
			o->group.interval_ms = sb_arg_duration("--group-interval", optarg, 0, INT64_MAX);
			break;
		case O_REPEAT:
			o->group.repeat_ms = sb_arg_duration("--repeat-interval", optarg, 0, INT64_MAX);
			break;
		case O_RESOLVED:
			o->group.send_resolved = yes_no("send-resolved", optarg);
			break;
		case O_INHIBIT:
			o->noise.inhibit = yes_no("inhibit", optarg);
			break;
		case O_SILENCES:
			o->noise.silences = optarg;
			break;
		case O_MAXALERTS:
			o->noise.max_alerts = (size_t)sb_arg_ll("--max-alerts",
			    optarg, 1, 100000000);
			break;
		case 'h':
			usage(stdout, 0);
			break;
		default:
			usage(stderr, 2);
		}
	}
	if (o->slack == NULL)
		o->slack = env("SLACK_WEBHOOK_URL");
	if (o->webhook == NULL)
		o->webhook = env("ALERT_WEBHOOK_URL");
	if (o->pagerduty == NULL)
		o->pagerduty = env("PAGERDUTY_ROUTING_KEY");
	if (o->pd_url == NULL)
		o->pd_url = env("PAGERDUTY_EVENTS_URL");
	if (o->exec == NULL)
		o->exec = env("ALERT_EXEC");
	if (o->alertmanager == NULL)
		o->alertmanager = env("ALERTMANAGER_URL");
	if (o->alertmanager != NULL && o->am_repeat_ms >= AM_RESOLVE_TIMEOUT_MS)
		warnx("--am-repeat: not below Alertmanager's default "
		    "resolve_timeout (5m): alerts firing may be ended there "
		    "between two posts unless it is longer");
	if (o->webhook != NULL && strstr(o->webhook, "/api/v2/alerts") != NULL)
		warnx("--webhook: a URL of Alertmanager's API, which takes "
		    "alerts, not webhook messages: use --alertmanager");
	if (o->spool != NULL && o->state != NULL)
		errx(2, "--spool and --state: give one");
	if (o->pol.retry_max_ms < o->pol.retry_base_ms)
		o->pol.retry_max_ms = o->pol.retry_base_ms;
}

struct run {
	struct options	*opt;
	struct sink	 sinks[MAX_SINKS];
	int		 nsinks;
	struct noise	*noise;
	struct grouper	*groups;	/* NULL: no remote sink */
	struct sb_json	 js;
	struct spool_depth {			/* a sink's, for the metrics */
		const struct spool	*spool;
		const char		*sink;
	}		 depth[MAX_SINKS];
	uint64_t	 in_signal, in_alert, in_watermark, in_other;
	int64_t		 newest;	/* the latest event time seen */
};

static int
deliver_all(struct run *r, const struct delivery *d)
{
	int rc = 0;

	for (int i = 0; i < r->nsinks; i++)
		if (r->sinks[i].ops->deliver(&r->sinks[i], d) == -1) {
			warnx("%s sink: delivery failed", r->sinks[i].ops->name);
			rc = -1;
		}
	return rc;
}

/* A group's notification: every remote sink spools its message. */
static int
emit(void *ctx, const struct notification *nt)
{
	struct run *r = ctx;
	int rc = 0;

	for (int i = 0; i < r->nsinks; i++)
		if (r->sinks[i].ops->notify != NULL &&
		    r->sinks[i].ops->notify(&r->sinks[i], nt) == -1)
			rc = -1;
	return rc;
}

/* Remote sinks send what their spool holds (unless resting). */
static int
send_pending(struct run *r)
{
	int rc = 0;

	for (int i = 0; i < r->nsinks; i++)
		if (sink_is_remote(&r->sinks[i]) &&
		    remote_idle(&r->sinks[i]) == -1)
			rc = -1;
	return rc;
}

/* Event time: the newest "at"; groups due by then are notified. */
static int
clock_to(struct run *r, int64_t at)
{
	if (at > r->newest)
		r->newest = at;
	return r->groups != NULL ? group_clock(r->groups, at) : 0;
}

/* 0; -1 when --strict makes a bad line fatal; -2 on a delivery failure. */
static int
line_record(struct run *r, struct sb_reader *in, char *s, size_t n)
{
	struct delivery d = { REC_ALERT, s, n, &r->js, NULL, NULL };
	enum noise_verdict v;
	struct alert_view av;
	struct sb_signal sig;
	char why[300];
	long type;
	int rc;

	if ((rc = sb_record_parse(&r->js, in, s, n, &type)) != 1)
		return rc;
	if (type >= 0 && sb_json_streq(&r->js, (size_t)type, "signal")) {
		if (sb_signal_read(&sig, &r->js, 0, why, sizeof why) == -1)
			return sb_reader_bad(in, "%s", why);
		r->in_signal++;
		d.kind = REC_SIGNAL;
		d.sig = &sig;
		rc = clock_to(r, sig.at);
		if (deliver_all(r, &d) == -1 || send_pending(r) == -1)
			rc = -1;
		sb_signal_free(&sig);
		return rc == -1 ? -2 : 0;
	}
	/*
	 * A watermark (detect's, through correlate and explain) moves the
	 * clock when no signal or alert does, so that a group's timers
	 * fire in a quiet live pipe within a window of being due.
	 */
	if (type >= 0 && sb_json_streq(&r->js, (size_t)type, "watermark")) {
		int64_t at;
		if (sb_json_get_time(&r->js, 0, "at", &at) != 1)
			return sb_reader_bad(in, "watermark: missing 'at' or "
			    "not an RFC 3339 time");
		r->in_watermark++;
		rc = clock_to(r, at);
		if (send_pending(r) == -1)
			rc = -1;
		return rc == -1 ? -2 : 0;
	}
	if (type < 0 || !sb_json_streq(&r->js, (size_t)type, "alert")) {
		r->in_other++;
		return 0;	/* the end of the pipe: nothing to forward to */
	}
	if (r->js.key < 0 || av_read(&av, &r->js) == -1) {
		char *k = NULL;
		rc = sb_json_get_str(&r->js, 0, "key", &k);
		free(k);
		return sb_reader_bad(in, rc != 1 ?
		    "missing 'key' or not a string" :
		    "missing 'state' or not a string");
	}
	r->in_alert++;
	rc = clock_to(r, av.at);
	v = noise_admit(r->noise, &av, why, sizeof why);
	if (*why != '\0')
		warnx("%s", why);	/* recorded, not delivered */
	if (v == NOISE_OVER) {
		if (noise_over(r->noise) == 1)
			sb_reader_note(in, "more than %zu open alerts "
			    "(--max-alerts): new alerts go to no sink",
			    r->opt->noise.max_alerts);
	} else if (v != NOISE_DROP) {
		if (r->groups != NULL && group_add(r->groups, &av, s, n) == -1)
			rc = -1;
		d.av = &av;
		if (deliver_all(r, &d) == -1)
			rc = -1;
	} else if (av_resolved(&av)) {
		for (int i = 0; i < r->nsinks; i++)
			if (sink_is_remote(&r->sinks[i]) &&
			    remote_dropped_resolve(&r->sinks[i], &av) == -1)
				rc = -1;
	}
	if (send_pending(r) == -1)
		rc = -1;
	av_free(&av);
	return rc == -1 ? -2 : 0;
}

/* 0, or -1 for a fatal bad line or a failed delivery. */
static int
line(void *ctx, struct sb_reader *in, char *s, size_t n)
{
	return line_record(ctx, in, s, n) < 0 ? -1 : 0;
}

static void
idle(void *ctx)
{
	struct run *r = ctx;

	send_pending(r);
}

static void
after(void *ctx)
{
	struct run *r = ctx;

	for (int i = 0; i < r->nsinks; i++)
		r->sinks[i].ops->flush(&r->sinks[i]);
}

static int
open_sink(struct run *r, const struct sink_ops *ops, struct sink_config *cfg,
    const char *target)
{
	struct sink *s = &r->sinks[r->nsinks];

	cfg->target = target;
	s->ops = ops;
	s->priv = NULL;
	if (ops->open(s, cfg) == -1)
		return -1;
	r->nsinks++;
	return 0;
}

static int
open_sinks(struct run *r, struct sink_config *cfg)
{
	struct options *o = r->opt;
	const char *const names[] = { "webhook", "slack", "pagerduty", "exec",
	    "alertmanager", AM_FIRING_SPOOL, GROUP_SPOOL_SINK, NULL };
	int grouped = o->slack || o->webhook || o->pagerduty || o->exec;
	int remote = grouped || o->alertmanager;
	size_t orphans;

	if (o->format != NULL || !remote)
		if (open_sink(r, o->format ? o->format : &console_sink, cfg,
		    NULL) == -1)
			return -1;
	if (remote && (orphans = spool_orphans(cfg->spool, names)) > 0)
		warnx("spool: %zu messages for sinks not given here, kept",
		    orphans);
	if (o->webhook && open_sink(r, &webhook_sink, cfg, o->webhook) == -1)
		return -1;
	if (o->slack && open_sink(r, &slack_sink, cfg, o->slack) == -1)
		return -1;
	if (o->pagerduty && open_sink(r, &pagerduty_sink, cfg,
	    o->pagerduty) == -1)
		return -1;
	if (o->exec && open_sink(r, &exec_sink, cfg, o->exec) == -1)
		return -1;
	if (o->alertmanager && open_sink(r, &alertmanager_sink, cfg,
	    o->alertmanager) == -1)
		return -1;
	if (grouped)
		r->groups = grouper_open(&o->group, cfg->spool, emit, r);
	return 0;
}

static int
close_sinks(struct run *r)
{
	int rc = 0;

	for (int i = 0; i < r->nsinks; i++) {
		if (r->sinks[i].ops->flush(&r->sinks[i]) == -1) {
			warn("stdout");
			rc = -1;
		}
		if (r->sinks[i].ops->close(&r->sinks[i]) == -1)
			rc = -1;
	}
	return rc;
}

static int64_t
newest_event(const void *ctx)
{
	const struct run *r = ctx;

	return r->newest;
}

static double
spool_depth(const void *ctx)
{
	const struct spool_depth *d = ctx;

	return (double)spool_count(d->spool, d->sink);
}

static double
over_limit(const void *ctx)
{
	const struct run *r = ctx;

	return r->noise != NULL ? (double)noise_over(r->noise) : 0;
}

static struct sb_metrics *
metrics_start(struct run *r, struct spool *sp)
{
	static const char *const results[] = { "sent", "failed", "refused" };
	struct sb_metrics *m = sb_metrics_new("alert");
	char l[80];

	sb_metrics_input(m);
	sb_metrics_u64(m, "slowburn_records_in_total", "kind=\"signal\"",
	    &r->in_signal);
	sb_metrics_u64(m, "slowburn_records_in_total", "kind=\"alert\"",
	    &r->in_alert);
	sb_metrics_u64(m, "slowburn_records_in_total", "kind=\"watermark\"",
	    &r->in_watermark);
	sb_metrics_u64(m, "slowburn_records_in_total", "kind=\"other\"",
	    &r->in_other);
	sb_metrics_fn(m, "slowburn_over_limit_total", "limit=\"max-alerts\"",
	    over_limit, r);
	sb_metrics_event_time(m, newest_event, r);
	for (int i = 0; i < r->nsinks; i++) {
		struct sink *s = &r->sinks[i];
		const uint64_t *v[] = { &s->stats.sent, &s->stats.failed,
		    &s->stats.refused };

		if (s->ops->notify == NULL)
			continue;	/* console and json: no delivery */
		for (int k = 0; k < 3; k++) {
			snprintf(l, sizeof l, "sink=\"%s\",result=\"%s\"",
			    s->ops->name, results[k]);
			sb_metrics_u64(m, "slowburn_alert_deliveries_total", l,
			    v[k]);
		}
		snprintf(l, sizeof l, "sink=\"%s\"", s->ops->name);
		sb_metrics_u64(m, "slowburn_alert_retries_total", l,
		    &s->stats.retries);
		r->depth[i].spool = sp;
		r->depth[i].sink = s->ops->name;
		sb_metrics_fn(m, "slowburn_alert_spool_messages", l,
		    spool_depth, &r->depth[i]);
	}
	if (sb_metrics_start(m, &r->opt->metrics) == -1) {
		warn("%s", r->opt->metrics.path);
		sb_metrics_free(m);
		return NULL;
	}
	return m;
}

static int
deliver_main(struct options *opt, int argc, char **argv)
{
	struct sink_config cfg;
	struct run r;
	struct spool *sp;
	struct sb_metrics *metrics = NULL;
	char err[600], loc[4096];
	const char *where = opt->state;
	int status;

	memset(&cfg, 0, sizeof cfg);
	cfg.out = stdout;
	cfg.color = opt->color;
	if (cfg.color == -1) {
		const char *nc = getenv("NO_COLOR");
		cfg.color = isatty(STDOUT_FILENO) && (nc == NULL || *nc == '\0');
	}
	cfg.pd_url = opt->pd_url;
	cfg.external_url = opt->external_url;
	cfg.am_repeat_ms = opt->am_repeat_ms;
	opt->headers[opt->nheaders] = NULL;
	cfg.headers = opt->headers;
	cfg.pol = &opt->pol;
	if (opt->spool != NULL) {
		snprintf(loc, sizeof loc, "%s/alert.spool", opt->spool);
		where = loc;
		if (sb_file_mkparents(loc) == -1) {
			warn("spool: %s", opt->spool);
			return 1;
		}
	}
	if ((sp = spool_open(where, err, sizeof err)) == NULL) {
		warnx("spool: %s", err);
		return 1;
	}
	cfg.spool = sp;
	sb_signals_init();
	if (opt->exec != NULL)
		signal(SIGPIPE, SIG_IGN);	/* a command that exits early */
	sb_out_init();
	memset(&r, 0, sizeof r);
	r.opt = opt;
	if ((r.noise = noise_open(&opt->noise, err, sizeof err)) == NULL) {
		warnx("%s", err);
		spool_close(sp);
		return 1;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	sb_json_init(&r.js);
	r.newest = INT64_MIN;
	status = 0;
	if (open_sinks(&r, &cfg) == -1)
		status = 1;
	else if ((metrics = metrics_start(&r, sp)) == NULL)
		status = 1;
	else {
		struct sb_input in = {
			.max_line = opt->max_line, .strict = opt->strict,
			.idle_ms = 1000, .line = line, .idle = idle,
			.after = after, .ctx = &r,
		};
		status = sb_input_run(&in, argc, argv);
	}
	/* At the end of input what waits in a group goes at once. */
	if (r.groups != NULL && group_flush_all(r.groups) == -1)
		status = 1;
	if (close_sinks(&r) == -1 || ferror(stdout))
		status = 1;
	grouper_close(r.groups);
	if (noise_over(r.noise) > 0)
		warnx("%llu alert record%s beyond --max-alerts %zu went to no "
		    "sink", (unsigned long long)noise_over(r.noise),
		    noise_over(r.noise) == 1 ? "" : "s", opt->noise.max_alerts);
	sb_reader_summary();
	sb_record_hint(SB_KIND_SIGNAL | SB_KIND_ALERT);
	sb_metrics_finish(metrics);
	noise_close(r.noise);
	sb_json_free(&r.js);
	spool_close(sp);
	curl_global_cleanup();
	return status;
}

int
main(int argc, char **argv)
{
	struct options opt;
	int status;

	if (argc > 1 && strcmp(argv[1], "silence") == 0)
		return silence_main(argc - 1, argv + 1);
	parse_options(argc, argv, &opt);
	argc -= optind;
	argv += optind;
	status = deliver_main(&opt, argc, argv);
	free(opt.external_url);
	return status;
}
