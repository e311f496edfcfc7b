/*
 * dashboard - endpoint health, drift timelines and alert history in the
 * browser, read from the store.
 *
 * One libmicrohttpd thread serves every request, one at a time, from one
 * store connection (a struct sb_store is not thread-safe); the main
 * thread waits for a signal or, with the memory backend, reads records
 * from the standard input into the store, under the same lock.
 */
#include <arpa/inet.h>
#include <err.h>
#include <getopt.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "arg.h"
#include "auth.h"
#include "buf.h"
#include "clock.h"
#include "data.h"
#include "json.h"
#include "metrics.h"
#include "num.h"
#include "reader.h"
#include "render.h"
#include "sig.h"
#include "store.h"
#include "timefmt.h"

#define MAX_RANGE_MS	(400 * 86400000LL)	/* a custom range at most */
#define LATEST_TTL_MS	2000

static const char csp[] =
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

static struct {
	struct sb_store	*st;
	pthread_mutex_t	 lock;
	int64_t		 latest;	/* cached dash_latest(), ms */
	int64_t		 latest_checked;	/* monotonic ms; 0: never */
	int		 refresh;	/* --refresh seconds */
	struct sb_htpasswd *users;	/* --htpasswd, or NULL */
	char		*token;		/* --token-file, or NULL */
	size_t		 max_endpoints;	/* --max-endpoints */
} srv = { NULL, PTHREAD_MUTEX_INITIALIZER, 0, 0, 60, NULL, NULL, 1000 };

/*
 * GET /metrics: requests and their latency, and the process.  Only the
 * one libmicrohttpd thread touches these, so they are plain integers.
 */
static const int http_codes[] = { 200, 400, 404, 405, 500, 503 };
#define NCODES	(sizeof http_codes / sizeof http_codes[0])
static struct {
	struct sb_metrics	*reg;
	uint64_t		 requests[NCODES];
	struct sb_histogram	 latency;
	uint64_t		 not_shown;	/* windows beyond --max-endpoints */
} dm;

static void
metrics_init(void)
{
	char l[32];

	dm.reg = sb_metrics_new("dashboard");
	for (size_t i = 0; i < NCODES; i++) {
		snprintf(l, sizeof l, "code=\"%d\"", http_codes[i]);
		sb_metrics_u64(dm.reg, "slowburn_http_requests_total", l,
		    &dm.requests[i]);
	}
	sb_metrics_hist(dm.reg, "slowburn_http_request_duration_seconds",
	    NULL, &dm.latency);
	sb_metrics_u64(dm.reg, "slowburn_over_limit_total",
	    "limit=\"max-endpoints\"", &dm.not_shown);
	sb_metrics_process(dm.reg);
}

static void
count_status(int status)
{
	size_t i;

	for (i = 0; i < NCODES - 1 && http_codes[i] != status; i++)
		;
	dm.requests[i]++;	/* an unlisted code counts as the last, 503 */
}

static void
usage(FILE *fp, int status)
{
	fprintf(fp,
	    "usage: dashboard [-l address] [-p port] [-b backend] [--refresh seconds]\n"
	    "                 [--sqlite-path file] [--redis-url url] [--redis-prefix prefix]\n"
	    "                 [--timescale conninfo] [--max-endpoints n] [--max-line bytes]\n"
	    "                 [--htpasswd file] [--token-file file] [--insecure-no-auth]\n");
	exit(status);
}

/*
 * "Now" is the end of the newest window in the store, so that a store of
 * last month's backtest shows its last hours as they were; the wall clock
 * only when the store holds no window.
 */
static int
reference_time(int64_t *now)
{
	int64_t m = sb_monotonic_ms();
	int rc;

	if (srv.latest_checked != 0 && m - srv.latest_checked < LATEST_TTL_MS) {
		*now = srv.latest;
		return 0;
	}
	if ((rc = dash_latest(srv.st, now)) == -1)
		return -1;
	if (rc == 1)
		*now = sb_wall_ms() / 1000 * 1000;
	srv.latest = *now;
	srv.latest_checked = m;
	return 0;
}

/* Parameters: every name a route accepts; anything else is a 400. */
struct params {
	const char	*allowed;	/* " key range since until " */
	char		 bad[96];
};

static void
printable(char *out, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i + 1 < n && s[i]; i++)
		out[i] = (unsigned char)s[i] < 0x20 ||
		    (unsigned char)s[i] >= 0x7f ? '?' : s[i];
	out[i] = '\0';
}

static enum MHD_Result
param_check(void *arg, enum MHD_ValueKind kind, const char *name,
    const char *value)
{
	struct params *p = arg;
	char pat[64];

	if (strlen(name) < 40) {
		snprintf(pat, sizeof pat, " %s ", name);
		if (strstr(p->allowed, pat) != NULL)
			return MHD_YES;
	}
	printable(pat, 41, name);
	snprintf(p->bad, sizeof p->bad, "unknown parameter '%s'", pat);
	return MHD_NO;
}

static const char *
arg(struct MHD_Connection *c, const char *name)
{
	const char *v = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND,
	    name);

	return v != NULL && *v != '\0' ? v : NULL;
}

static int
time_arg(const char *name, const char *s, int64_t *ms, char *why, size_t n)
{
	char p[48];
	double d;
	const char *errstr;

	if (sb_time_parse(s, strlen(s), ms) == 0)
		return 0;
	if (sb_parse_double(s, -1e15, 1e15, &d, &errstr) == 0 &&
	    sb_time_from_epoch(d, ms) == 0)
		return 0;
	printable(p, sizeof p, s);
	snprintf(why, n, "%s: '%s' is not a time", name, p);
	return -1;
}

/*
 * Fills v from the query string: range (1h, 6h, 24h, 7d; the route's
 * default), or since and until (custom; either may be left out), key,
 * and the filters.  0, or -1 with a message for a 400.
 */
static int
view_parse(struct MHD_Connection *c, struct view *v, const char *defrange,
    char *why, size_t n)
{
	static const struct { const char *name; int64_t ms; } ranges[] = {
		{ "1h", 3600000LL }, { "6h", 6 * 3600000LL },
		{ "24h", 86400000LL }, { "7d", 7 * 86400000LL },
	};
	const char *range = arg(c, "range"), *since = arg(c, "since");
	const char *until = arg(c, "until"), *s;
	int64_t len = 0, now;
	char p[48];
	size_t i;

	memset(v, 0, sizeof *v);
	v->refresh = srv.refresh;
	if (range != NULL && strcmp(range, "custom") == 0 && since == NULL) {
		snprintf(why, n, "range: 'custom' needs since");
		return -1;
	}
	if (range == NULL || strcmp(range, "custom") == 0)
		range = since != NULL ? NULL : defrange;
	if (range != NULL) {
		for (i = 0; i < sizeof ranges / sizeof ranges[0]; i++)
			if (strcmp(range, ranges[i].name) == 0)
				len = ranges[i].ms;
		if (len == 0) {
			printable(p, sizeof p, range);
			snprintf(why, n, "range: '%s' is not 1h, 6h, 24h, 7d "
			    "or custom", p);
			return -1;
		}
		snprintf(v->range, sizeof v->range, "%s", range);
	} else
		snprintf(v->range, sizeof v->range, "custom");
	if (until != NULL) {
		if (time_arg("until", until, &v->until, why, n) == -1)
			return -1;
		v->refresh = 0;		/* a fixed range does not move */
	} else {
		if (reference_time(&now) == -1) {
			snprintf(why, n, "%s", sb_store_error(srv.st));
			return 1;
		}
		v->until = now;
	}
	if (since != NULL) {
		if (time_arg("since", since, &v->since, why, n) == -1)
			return -1;
		if (range != NULL) {
			snprintf(why, n, "range: give a range or since, "
			    "not both");
			return -1;
		}
		v->refresh = 0;
	} else
		v->since = v->until - len;
	if (v->since >= v->until) {
		snprintf(why, n, "since: not before until");
		return -1;
	}
	if (v->until - v->since > MAX_RANGE_MS) {
		snprintf(why, n, "range: more than 400 days");
		return -1;
	}
	v->key = arg(c, "key");
	v->filter = arg(c, "filter");
	v->severity = SB_LV_NONE;
	if ((s = arg(c, "severity")) != NULL &&
	    (v->severity = sb_level_parse(s)) == SB_LV_NONE) {
		printable(p, sizeof p, s);
		snprintf(why, n, "severity: '%s' is not info, warning or "
		    "critical", p);
		return -1;
	}
	if ((s = arg(c, "state")) != NULL) {
		if (strcmp(s, "active") != 0 && strcmp(s, "firing") != 0 &&
		    strcmp(s, "updated") != 0 && strcmp(s, "resolved") != 0) {
			printable(p, sizeof p, s);
			snprintf(why, n, "state: '%s' is not active, firing, "
			    "updated or resolved", p);
			return -1;
		}
		v->state = s;
	}
	if ((s = arg(c, "refresh")) != NULL) {
		long long r;
		const char *errstr;

		if (sb_parse_ll(s, 0, 86400, &r, &errstr) == -1) {
			printable(p, sizeof p, s);
			snprintf(why, n, "refresh: '%s' is %s", p, errstr);
			return -1;
		}
		if (v->refresh != 0 || r == 0)
			v->refresh = (int)r;
	}
	return 0;
}

/* On every reply, errors and refusals included. */
static void
add_security_headers(struct MHD_Response *resp)
{
	MHD_add_response_header(resp, "Content-Security-Policy", csp);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(resp, "Cross-Origin-Opener-Policy", "same-origin");
	MHD_add_response_header(resp, "Cross-Origin-Resource-Policy", "same-origin");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
}

static enum MHD_Result
reply_as(struct MHD_Connection *c, int status, struct sb_buf *body,
    const char *type)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;
	size_t len = body->len;

	if (body->s == NULL)
		sb_buf_puts(body, "");
	/* For HEAD, libmicrohttpd sends the headers of this body only. */
	resp = MHD_create_response_from_buffer(len, body->s,
	    MHD_RESPMEM_MUST_FREE);
	body->s = NULL;
	if (resp == NULL) {
		sb_buf_free(body);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	add_security_headers(resp);
	if (status == 405)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	ret = MHD_queue_response(c, (unsigned)status, resp);
	MHD_destroy_response(resp);
	count_status(status);
	return ret;
}

static enum MHD_Result
reply(struct MHD_Connection *c, int status, struct sb_buf *body, int json)
{
	return reply_as(c, status, body, json ? "application/json" :
	    "text/html; charset=utf-8");
}

static enum MHD_Result
send_error(struct MHD_Connection *c, int status, const char *msg, int json)
{
	struct sb_buf b = SB_BUF_INIT;

	if (json)
		api_error(&b, status, msg);
	else
		html_error(&b, status, msg);
	return reply(c, status, &b, json);
}

/*
 * With --htpasswd or --token-file every request but /healthz must carry
 * HTTP Basic credentials of a user of the file, or the bearer token.
 */
static int
authorized(struct MHD_Connection *c)
{
	const char *h;
	char *user, *pass = NULL;
	int ok = 0;

	if (srv.users == NULL && srv.token == NULL)
		return 1;
	h = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_AUTHORIZATION);
	if (h == NULL)
		return 0;
	if (srv.token != NULL && strncasecmp(h, "Bearer ", 7) == 0)
		return sb_secret_eq(h + 7, srv.token);
	if (srv.users == NULL)
		return 0;
	if ((user = MHD_basic_auth_get_username_password(c, &pass)) != NULL) {
		ok = pass != NULL && sb_htpasswd_check(srv.users, user, pass);
		MHD_free(user);
	}
	if (pass != NULL) {
		explicit_bzero(pass, strlen(pass));
		MHD_free(pass);
	}
	return ok;
}

static enum MHD_Result
send_unauthorized(struct MHD_Connection *c, int json)
{
	struct sb_buf b = SB_BUF_INIT;
	struct MHD_Response *resp;
	enum MHD_Result ret;

	if (json)
		api_error(&b, 401, "authentication required");
	else
		html_error(&b, 401, "authentication required");
	resp = MHD_create_response_from_buffer(b.len, b.s, MHD_RESPMEM_MUST_FREE);
	if (resp == NULL) {
		sb_buf_free(&b);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, json ?
	    "application/json" : "text/html; charset=utf-8");
	add_security_headers(resp);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
	    srv.users != NULL ? "Basic realm=\"slowburn\", charset=\"UTF-8\"" :
	    "Bearer realm=\"slowburn\"");
	ret = MHD_queue_response(c, 401, resp);
	MHD_destroy_response(resp);
	return ret;
}

enum route { R_OVERVIEW, R_ENDPOINT, R_ALERTS, R_API_ENDPOINTS, R_API_SERIES,
    R_API_ALERTS, R_HEALTHZ, R_METRICS, R_NONE };

static const struct {
	const char	*path;
	enum route	 route;
	const char	*params;
	const char	*defrange;
} routes[] = {
	{ "/", R_OVERVIEW, " range since until filter refresh ", "6h" },
	{ "/endpoint", R_ENDPOINT, " key range since until refresh ", "6h" },
	{ "/alerts", R_ALERTS, " key severity state range since until refresh ",
	    "7d" },
	{ "/api/endpoints", R_API_ENDPOINTS, " range since until filter ", "6h" },
	{ "/api/series", R_API_SERIES, " key range since until ", "6h" },
	{ "/api/alerts", R_API_ALERTS, " key severity state range since until ",
	    "7d" },
	{ "/healthz", R_HEALTHZ, " ", "6h" },
	{ "/metrics", R_METRICS, " ", "6h" },
};

/* 0, 1 when the key has no data (404), -1 on a store error (503). */
static int
render(enum route r, const struct view *v, struct sb_buf *b)
{
	struct dash_overview o;
	struct dash_series s;
	struct dash_alerts a;
	struct dash_alert_filter f = { v->key, v->severity, v->state };
	struct sb_buf sig = SB_BUF_INIT;
	int rc = 0, ex;

	switch (r) {
	case R_OVERVIEW:
	case R_API_ENDPOINTS:
		rc = dash_overview_load(srv.st, v->since, v->until, v->filter,
		    srv.max_endpoints, &o);
		dm.not_shown += o.not_shown;
		if (rc == 0 && r == R_OVERVIEW)
			html_overview(b, v, &o);
		else if (rc == 0)
			api_endpoints(b, v, &o);
		dash_overview_free(&o);
		return rc;
	case R_ENDPOINT:
	case R_API_SERIES:
		if ((ex = dash_key_exists(srv.st, v->key)) != 1)
			return ex == 0 ? 1 : -1;
		rc = dash_series_load(srv.st, v->key, v->since, v->until, &s);
		if (rc == 0 && r == R_API_SERIES)
			api_series(b, v, &s);
		if (rc == 0 && r == R_ENDPOINT) {
			struct dash_alert_filter kf = { v->key, SB_LV_NONE, NULL };

			rc = dash_alerts_load(srv.st, v->since, v->until, &kf, &a);
			if (rc == 0)
				rc = dash_signals_load(srv.st, v->key, v->since,
				    v->until, &sig);
			if (rc == 0)
				html_endpoint(b, v, &s, &a, &sig);
			dash_alerts_free(&a);
			sb_buf_free(&sig);
		}
		dash_series_free(&s);
		return rc;
	case R_ALERTS:
	case R_API_ALERTS:
		rc = dash_alerts_load(srv.st, v->since, v->until, &f, &a);
		if (rc == 0 && r == R_ALERTS)
			html_alerts(b, v, &a);
		else if (rc == 0)
			api_alerts(b, v, &a);
		dash_alerts_free(&a);
		return rc;
	default:
		return -1;
	}
}

static enum MHD_Result
serve(struct MHD_Connection *c, const char *url, const char *method,
    size_t *upload_size, void **ctx)
{
	static int first;
	struct params p;
	struct view v;
	struct sb_buf b = SB_BUF_INIT;
	char why[200];
	enum route r = R_NONE;
	size_t i;
	int json = strncmp(url, "/api/", 5) == 0;
	int rc;

	if (*ctx == NULL) {		/* headers only; wait for the body */
		*ctx = &first;
		return MHD_YES;
	}
	if (*upload_size != 0) {	/* a GET with a body: ignore it */
		*upload_size = 0;
		return MHD_YES;
	}
	if (strcmp(url, "/healthz") != 0 && !authorized(c))
		return send_unauthorized(c, json);
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return send_error(c, 405, "only GET and HEAD", json);
	for (i = 0; i < sizeof routes / sizeof routes[0]; i++)
		if (strcmp(url, routes[i].path) == 0)
			break;
	if (i == sizeof routes / sizeof routes[0])
		return send_error(c, 404, "no such page", json);
	r = routes[i].route;
	if (r == R_HEALTHZ) {
		sb_buf_puts(&b, "{\"status\":\"ok\"}\n");
		return reply(c, 200, &b, 1);
	}
	if (r == R_METRICS) {
		sb_metrics_format(dm.reg, &b);
		return reply_as(c, 200, &b, "text/plain; version=0.0.4; "
		    "charset=utf-8");
	}
	memset(&p, 0, sizeof p);
	p.allowed = routes[i].params;
	MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, param_check, &p);
	if (p.bad[0] != '\0')
		return send_error(c, 400, p.bad, json);

	pthread_mutex_lock(&srv.lock);
	rc = view_parse(c, &v, routes[i].defrange, why, sizeof why);
	if (rc == 0 && (r == R_ENDPOINT || r == R_API_SERIES) && v.key == NULL) {
		snprintf(why, sizeof why, "key: missing");
		rc = -1;
	}
	if (rc == 0) {
		if ((rc = render(r, &v, &b)) == 1)
			snprintf(why, sizeof why, "no windows for this key");
		else if (rc == -1)
			snprintf(why, sizeof why, "%s", sb_store_error(srv.st));
		rc = rc == 0 ? 200 : rc == 1 ? 404 : 503;
	} else
		rc = rc == -1 ? 400 : 503;
	pthread_mutex_unlock(&srv.lock);
	if (rc != 200) {
		sb_buf_free(&b);
		if (rc == 503)
			warnx("%s", why);
		return send_error(c, rc, why, json);
	}
	return reply(c, 200, &b, json);
}

/* serve(), timed from the end of the request to the queued reply. */
static enum MHD_Result
on_request(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **ctx)
{
	int64_t t0 = sb_monotonic_ns();
	int whole = *ctx != NULL && *upload_size == 0;
	enum MHD_Result ret = serve(c, url, method, upload_size, ctx);

	if (whole)
		sb_histogram_observe(&dm.latency,
		    (double)(sb_monotonic_ns() - t0) / 1e9);
	return ret;
}

static void
mhd_log(void *arg, const char *fmt, va_list ap)
{
	fprintf(stderr, "dashboard: ");
	vfprintf(stderr, fmt, ap);
}

static void
store_notice(void *arg, const char *msg)
{
	warnx("%s", msg);
}

/* The memory backend: records from stdin go into the store as they come. */
static int
read_stdin(size_t max_line)
{
	struct sb_reader in;
	struct sb_store_batch batch;
	struct sb_json js;
	char *line, why[256];
	size_t len;
	int rc, failed = 0;

	if (sb_reader_open(&in, "-") == -1)
		err(1, "stdin");
	in.max_line = max_line;
	sb_store_batch_init(&batch);
	sb_json_init(&js);
	for (;;) {
		rc = sb_reader_next(&in, &line, &len,
		    batch.n > 0 ? 200 : -1);
		if (rc == SB_READ_LINE) {
			if (sb_json_parse(&js, line, len) == -1)
				sb_reader_bad(&in, "%s", js.err);
			else if (sb_store_batch_add_json(&batch, &js, line, len,
			    why, sizeof why) == -1)
				sb_reader_bad(&in, "%s", why);
			if (batch.n < 5000)
				continue;
		}
		if (batch.n > 0) {
			pthread_mutex_lock(&srv.lock);
			if (sb_store_put(srv.st, &batch) == -1) {
				warnx("%s", sb_store_error(srv.st));
				failed = 1;
			}
			srv.latest_checked = 0;
			pthread_mutex_unlock(&srv.lock);
			sb_store_batch_reset(&batch);
		}
		if (rc == SB_READ_EOF || rc == SB_READ_ERROR)
			break;
	}
	if (rc == SB_READ_ERROR)
		failed = 1;
	sb_reader_close(&in);
	sb_store_batch_free(&batch);
	sb_json_free(&js);
	sb_reader_summary();
	return failed;
}

int
main(int argc, char **argv)
{
	enum { O_MAXLINE = 256, O_REFRESH, O_HTPASSWD, O_TOKEN, O_NOAUTH,
	    O_MAXEP };
	static const struct option longopts[] = {
		{ "backend",		required_argument,	NULL, 'b' },
		{ "help",		no_argument,		NULL, 'h' },
		{ "htpasswd",		required_argument,	NULL, O_HTPASSWD },
		{ "insecure-no-auth",	no_argument,		NULL, O_NOAUTH },
		{ "listen",		required_argument,	NULL, 'l' },
		{ "max-endpoints",	required_argument,	NULL, O_MAXEP },
		{ "max-line",		required_argument,	NULL, O_MAXLINE },
		{ "port",		required_argument,	NULL, 'p' },
		{ "redis-prefix",	required_argument,	NULL, SB_OPT_STORE_PREFIX },
		{ "redis-url",		required_argument,	NULL, SB_OPT_STORE_REDIS },
		{ "refresh",		required_argument,	NULL, O_REFRESH },
		{ "sqlite-path",	required_argument,	NULL, SB_OPT_STORE_SQLITE },
		{ "timescale",		required_argument,	NULL, SB_OPT_STORE_PG },
		{ "token-file",		required_argument,	NULL, O_TOKEN },
		{ NULL, 0, NULL, 0 }
	};
	struct sb_store_config cfg;
	struct sockaddr_in sa;
	struct MHD_Daemon *d;
	const union MHD_DaemonInfo *di;
	const char *listen_addr = "127.0.0.1", *errstr;
	char errbuf[256];
	long long n;
	size_t max_line = SB_MAX_LINE_DEFAULT;
	int ch, port = 5000, failed = 0, memory, noauth = 0;

	sb_store_config_env(&cfg);
	while ((ch = sb_getopt(argc, argv, "b:hl:p:", longopts)) != -1) {
		switch (ch) {
		case 'b':
		case SB_OPT_STORE_SQLITE:
		case SB_OPT_STORE_REDIS:
		case SB_OPT_STORE_PREFIX:
		case SB_OPT_STORE_PG:
			sb_arg_store(&cfg, ch, optarg);
			break;
		case 'l':
			listen_addr = optarg;
			break;
		case 'p':
			if (sb_parse_ll(optarg, 0, 65535, &n, &errstr) == -1)
				errx(2, "-p: '%s' is %s", optarg, errstr);
			port = (int)n;
			break;
		case O_MAXLINE:
			if (sb_parse_ll(optarg, 1024, 1LL << 30, &n, &errstr) == -1)
				errx(2, "--max-line: '%s' is %s", optarg, errstr);
			max_line = (size_t)n;
			break;
		case O_MAXEP:
			if (sb_parse_ll(optarg, 1, 1000000, &n, &errstr) == -1)
				errx(2, "--max-endpoints: '%s' is %s", optarg,
				    errstr);
			srv.max_endpoints = (size_t)n;
			break;
		case O_REFRESH:
			if (sb_parse_ll(optarg, 0, 86400, &n, &errstr) == -1)
				errx(2, "--refresh: '%s' is %s", optarg, errstr);
			srv.refresh = (int)n;
			break;
		case O_HTPASSWD:
			if ((srv.users = sb_htpasswd_load(optarg, errbuf,
			    sizeof errbuf)) == NULL)
				errx(2, "--htpasswd: %s", errbuf);
			break;
		case O_TOKEN:
			if ((srv.token = sb_token_read(optarg, errbuf,
			    sizeof errbuf)) == NULL)
				errx(2, "--token-file: %s", errbuf);
			break;
		case O_NOAUTH:
			noauth = 1;
			break;
		case 'h':
			usage(stdout, 0);
			break;
		default:
			usage(stderr, 2);
		}
	}
	if (argc != optind)
		usage(stderr, 2);
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, listen_addr, &sa.sin_addr) != 1)
		errx(2, "-l: '%s' is not an IPv4 address", listen_addr);
	/* Off this machine only with a lock on the door, or by request. */
	if ((ntohl(sa.sin_addr.s_addr) >> 24) != 127 && srv.users == NULL &&
	    srv.token == NULL && !noauth)
		errx(2, "-l %s: not a loopback address: give --htpasswd or "
		    "--token-file, or --insecure-no-auth", listen_addr);
	memory = cfg.backend != NULL && strcmp(cfg.backend, "memory") == 0;
	/* Read-only: never create a database where none is. */
	if (cfg.backend != NULL && strcmp(cfg.backend, "sqlite") == 0 &&
	    access(cfg.sqlite_path, R_OK) == -1)
		err(1, "%s", cfg.sqlite_path);
	cfg.notice = store_notice;
	if ((srv.st = sb_store_open(&cfg, errbuf, sizeof errbuf)) == NULL)
		errx(1, "%s", errbuf);
	/* A request waits for a backend that is away a little, not 30 s. */
	sb_store_set_retry(srv.st, 2000);

	sb_signals_init();
	metrics_init();
	d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG,
	    0, NULL, NULL, on_request, NULL,
	    MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)64,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)65536,
	    MHD_OPTION_END);
	if (d == NULL)
		errx(1, "cannot listen on %s port %d", listen_addr, port);
	di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	fprintf(stderr, "dashboard: %s: listening on http://%s:%u/\n",
	    sb_store_describe(srv.st), listen_addr,
	    di != NULL ? (unsigned)di->port : (unsigned)port);
	fflush(stderr);

	if (memory)
		failed = read_stdin(max_line);
	while (!sb_stop_requested())
		poll(NULL, 0, 200);
	MHD_stop_daemon(d);
	sb_metrics_free(dm.reg);
	sb_store_close(srv.st);
	sb_htpasswd_free(srv.users);
	if (srv.token != NULL) {
		explicit_bzero(srv.token, strlen(srv.token));
		free(srv.token);
	}
	return failed;
}
