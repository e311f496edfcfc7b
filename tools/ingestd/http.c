/*
 * http.c - the HTTP side of ingestd(8): libmicrohttpd callbacks, routes,
 * limits, authentication and replies.
 *
 * A POST /ingest goes through three calls of the access handler: the
 * headers (route, token, limits), the body in pieces, and the end of the
 * body, where it is parsed and its lines handed to the writer.  The
 * connection is then suspended; the writer resumes it once the lines are
 * written (and synced, with --fsync always), and the handler, called once
 * more, replies.  No polling thread ever waits for the disk.
 */
#include <sys/types.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "auth.h"
#include "body.h"
#include "buf.h"
#include "clock.h"
#include "ingestd.h"
#include "metrics.h"
#include "num.h"
#include "otlp.h"
#include "writer.h"

#define RETRY_AFTER	"1"	/* seconds, in every 503 */
/* Body bytes read and dropped after a refusal, at most (see on_request). */
#define DROP_MAX	(16 * 1024 * 1024)

/* R_INGEST and R_TRACES take a body of events; the others do not. */
enum route { R_INGEST, R_TRACES, R_HEALTHZ, R_METRICS, R_NOT_FOUND,
	R_BAD_METHOD };

/*
 * What a connection waits for from its client, each with a deadline the
 * watchdog enforces: a request header (--header-timeout), the rest of a
 * body (--body-timeout), or nothing (a request being answered).
 */
enum conn_phase { PH_NONE, PH_HEADER, PH_BODY };

/*
 * Per connection: a dup of its socket for the watchdog, in the list
 * conns, newest first, so that the oldest is found from conns_tail.
 */
struct conn_ctx {
	struct conn_ctx	*prev;
	struct conn_ctx	*next;
	int		 fd;
	atomic_int	 phase;
	atomic_llong	 deadline;	/* monotonic ms, of phase */
};

/* Per request. */
struct req {
	enum route	 route;
	int		 status;	/* an error found while reading, or 0 */
	const char	*why;		/* its message */
	struct sb_buf	 body;
	size_t		 held;		/* bytes counted in metrics.held_bytes */
	int		 gzip;
	int		 waiting;	/* handed to the writer */
	size_t		 dropped;	/* body bytes read after an error */
	atomic_int	 written;	/* 0 waiting, 1 written, -1 failed */
	int64_t		 t0;		/* mono ns at the end of the headers */
	struct ingest_result res;
	struct sb_otlp_result spans;	/* R_TRACES */
	char		 ebuf[200];	/* R_TRACES: why the body is bad */
	struct wbatch	 wb;
	struct MHD_Connection *conn;
};

static struct MHD_Daemon *daemon_;
static char toolarge[80];		/* the 413 message */
static pthread_mutex_t conns_mu = PTHREAD_MUTEX_INITIALIZER;
static struct conn_ctx *conns, *conns_tail;
static unsigned nconns;			/* in conns, under conns_mu */
static atomic_uint evicted;		/* to log, by the watchdog */
static atomic_int inflight;		/* requests begun, not completed */
static atomic_int waiting;		/* requests suspended for the writer */

/* Counts n more bytes against --queue-size; -1 if that would pass it. */
static int
hold(struct req *r, size_t n)
{
	int64_t now = atomic_fetch_add(&metrics.held_bytes, (int64_t)n) +
	    (int64_t)n;

	if (now > (int64_t)conf.queue_size && n > 0) {
		atomic_fetch_sub(&metrics.held_bytes, (int64_t)n);
		return -1;
	}
	r->held += n;
	return 0;
}

static void
release(struct req *r)
{
	atomic_fetch_sub(&metrics.held_bytes, (int64_t)r->held);
	r->held = 0;
}

/* Constant time in the token's content (lib/auth.h). */
static int
token_ok(const char *hdr)
{
	if (conf.token == NULL)
		return 1;
	if (hdr == NULL || strncasecmp(hdr, "Bearer ", 7) != 0)
		return 0;
	return sb_secret_eq(hdr + 7, conf.token);
}

static const char *
client_addr(struct MHD_Connection *c, char *buf, size_t n)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	struct sockaddr *sa = ci != NULL ? ci->client_addr : NULL;

	buf[0] = '\0';
	if (sa == NULL)
		return "?";
	if (getnameinfo(sa, sa->sa_family == AF_INET6 ?
	    sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in),
	    buf, (socklen_t)n, NULL, 0, NI_NUMERICHOST) != 0)
		return "?";
	return buf;
}

/* Queues the reply; body's memory passes to libmicrohttpd. */
static enum MHD_Result
reply(struct MHD_Connection *c, struct req *r, int status,
    struct sb_buf *body, const char *ctype)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;
	char addr[64];

	if (body->s == NULL)
		sb_buf_puts(body, "");
	resp = MHD_create_response_from_buffer(body->len, body->s,
	    MHD_RESPMEM_MUST_FREE);
	if (resp == NULL)
		return MHD_NO;
	sb_buf_init(body);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
	if (status == 503)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER,
		    RETRY_AFTER);
	else if (status == 401)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
		    "Bearer realm=\"ingestd\"");
	else if (status == 405)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW,
		    r->route == R_BAD_METHOD ? "POST" : "GET, HEAD");
	ret = MHD_queue_response(c, (unsigned)status, resp);
	MHD_destroy_response(resp);
	metrics_count_status(status);
	if (r->route == R_INGEST || r->route == R_TRACES ||
	    r->route == R_BAD_METHOD)
		metrics_observe(&metrics.request_seconds, sb_monotonic_ns() - r->t0);
	if (conf.verbose >= 2 || (conf.verbose == 1 && status >= 400))
		logmsg(status >= 400 ? LOG_INFO : LOG_DEBUG,
		    "%s: %d%s%s", client_addr(c, addr, sizeof addr), status,
		    r->why != NULL ? ": " : "", r->why != NULL ? r->why : "");
	return ret;
}

static enum MHD_Result
reply_error(struct MHD_Connection *c, struct req *r, int status,
    const char *why)
{
	struct sb_buf b = SB_BUF_INIT;

	r->why = why;
	if (r->route == R_TRACES) {
		/* OTLP/HTTP: a google.rpc.Status, codes as gRPC's */
		sb_buf_printf(&b, "{\"code\":%d,\"message\":",
		    status == 401 ? 16 : status == 503 ? 14 :
		    status == 413 ? 8 : status == 415 ? 12 : 3);
		sb_buf_json_str(&b, why, strlen(why));
		sb_buf_puts(&b, "}\n");
		return reply(c, r, status, &b, "application/json");
	}
	sb_buf_puts(&b, "{\"error\":");
	sb_buf_json_str(&b, why, strlen(why));
	sb_buf_puts(&b, "}\n");
	return reply(c, r, status, &b, "application/json");
}

static enum MHD_Result
reply_result(struct MHD_Connection *c, struct req *r, int status)
{
	struct sb_buf b = SB_BUF_INIT;

	if (r->route != R_TRACES)
		ingest_response_json(&r->res, &b);
	else if (r->spans.rejected == 0)
		sb_buf_puts(&b, "{}\n");	/* ExportTraceServiceResponse */
	else {
		sb_buf_printf(&b, "{\"partialSuccess\":{\"rejectedSpans\":"
		    "\"%zu\",\"errorMessage\":", r->spans.rejected);
		sb_buf_json_str(&b, r->spans.why, strlen(r->spans.why));
		sb_buf_puts(&b, "}}\n");
	}
	return reply(c, r, status, &b, "application/json");
}

static enum MHD_Result
reply_healthz(struct MHD_Connection *c, struct req *r)
{
	struct sb_buf b = SB_BUF_INIT;
	char why[256];

	if (writer_healthy(why, sizeof why)) {
		sb_buf_puts(&b, "{\"status\":\"ok\"}\n");
		return reply(c, r, 200, &b, "application/json");
	}
	sb_buf_puts(&b, "{\"status\":\"unhealthy\",\"error\":");
	sb_buf_json_str(&b, why, strlen(why));
	sb_buf_puts(&b, "}\n");
	return reply(c, r, 503, &b, "application/json");
}

static enum MHD_Result
reply_metrics(struct MHD_Connection *c, struct req *r)
{
	struct sb_buf b = SB_BUF_INIT;
	/* Not daemon_: a worker may run before MHD_start_daemon returns. */
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(c, MHD_CONNECTION_INFO_DAEMON);
	const union MHD_DaemonInfo *di = ci == NULL ? NULL :
	    MHD_get_daemon_info(ci->daemon, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);

	metrics_format(&b, (int64_t)conf.queue_size,
	    di != NULL ? (int64_t)di->num_connections : -1);
	return reply(c, r, 200, &b, "text/plain; version=0.0.4");
}

static enum route
route_of(const char *url, const char *method)
{
	int get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;

	if (strcmp(url, "/ingest") == 0)
		return strcmp(method, "POST") == 0 ? R_INGEST : R_BAD_METHOD;
	if (strcmp(url, "/v1/traces") == 0)
		return strcmp(method, "POST") == 0 ? R_TRACES : R_BAD_METHOD;
	if (strcmp(url, "/healthz") == 0)
		return get ? R_HEALTHZ : R_NOT_FOUND;
	if (strcmp(url, "/metrics") == 0)
		return get ? R_METRICS : R_NOT_FOUND;
	return R_NOT_FOUND;
}

/*
 * The watchdog reads the phase, then the deadline, without a lock: a
 * deadline stored here is never in the past (PH_NONE has none), so that
 * one read with the phase before it cannot cut a connection in time.
 */
static void
set_phase(struct MHD_Connection *c, enum conn_phase ph, int64_t timeout_ms)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	struct conn_ctx *cc = ci != NULL ? ci->socket_context : NULL;

	if (cc == NULL)
		return;
	atomic_store(&cc->deadline, ph == PH_NONE ? INT64_MAX :
	    sb_monotonic_ms() + timeout_ms);
	atomic_store(&cc->phase, ph);
}

/* The headers of POST /ingest or /v1/traces: 0 to go on and read the body. */
static int
check_headers(struct MHD_Connection *c, struct req *r, const char **why,
    int *status)
{
	const char *enc, *len, *ctype;
	long long n = -1;
	const char *errstr;

	if (!token_ok(MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_AUTHORIZATION))) {
		*status = 401;
		*why = "missing or wrong bearer token";
		return -1;
	}
	enc = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_CONTENT_ENCODING);
	if (enc != NULL && strcasecmp(enc, "gzip") == 0)
		r->gzip = 1;
	else if (enc != NULL && strcasecmp(enc, "identity") != 0) {
		*status = 415;
		*why = "unsupported Content-Encoding: gzip or none";
		return -1;
	}
	ctype = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_CONTENT_TYPE);
	if (r->route == R_TRACES && ctype != NULL &&
	    strncasecmp(ctype, "application/json", 16) != 0) {
		*status = 415;
		*why = "OTLP traces are read in the JSON encoding only: "
		    "Content-Type application/json (OTEL_EXPORTER_OTLP_PROTOCOL"
		    "=http/json)";
		return -1;
	}
	len = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_CONTENT_LENGTH);
	/* libmicrohttpd has checked the syntax: what fails here is huge. */
	if (len != NULL && sb_parse_ll(len, 0, 1LL << 62, &n, &errstr) == -1)
		n = LLONG_MAX;
	if (n > (long long)conf.max_body) {
		*status = 413;
		*why = toolarge;
		return -1;
	}
	if (!writer_healthy(NULL, 0)) {
		*status = 503;
		*why = "the output cannot be written just now";
		return -1;
	}
	if (hold(r, n > 0 ? (size_t)n : 0) == -1) {
		*status = 503;
		*why = "too much data in flight (--queue-size)";
		return -1;
	}
	if (n > 0)
		sb_buf_grow(&r->body, (size_t)n + 1);
	return 0;
}

/* A piece of the body; an error found here is answered at the end. */
static void
body_piece(struct req *r, const char *data, size_t n)
{
	if (r->status != 0)
		return;			/* discarding the rest */
	if (r->body.len + n > conf.max_body) {
		r->status = 413;
		r->why = toolarge;
	} else if (r->body.len + n > r->held &&
	    hold(r, r->body.len + n - r->held) == -1) {
		r->status = 503;
		r->why = "too much data in flight (--queue-size)";
	}
	if (r->status != 0) {
		sb_buf_free(&r->body);
		release(r);
		return;
	}
	sb_buf_add(&r->body, data, n);
}

static void
written(struct wbatch *b, int ok)
{
	struct req *r = b->arg;

	/* Counted here: written is accepted, even if the client is gone. */
	if (ok == 1)
		atomic_fetch_add(&metrics.events_accepted, r->res.accepted);
	if (ok == WRITER_OVER_CAP)
		r->why = "a shard's stream holds --redis-cap unread entries: "
		    "the workers are behind";
	atomic_store(&r->written, ok == 1 ? 1 : -1);
	MHD_resume_connection(r->conn);
}

/*
 * An OTLP/JSON traces request: its HTTP server spans become event lines
 * in r->res, as /ingest's bodies do.  -1 with r->why if the body is not
 * such a request; rejected spans make a partial success, not an error.
 */
static int
traces_parse(struct req *r)
{
	struct sb_json js;
	char *why = r->ebuf;

	sb_json_init(&js);
	if (r->body.len == 0) {
		/* an empty body is an empty request: nothing to take */
	} else if (sb_json_parse(&js, r->body.s, r->body.len) == -1) {
		snprintf(why, sizeof r->ebuf, "invalid JSON: %s at byte %zu",
		    js.err, js.errpos + 1);
		r->why = why;
	} else if (sb_otlp_events(&js, &r->res.lines, conf.max_ahead > 0 ?
	    sb_wall_ms() + conf.max_ahead : INT64_MAX, &r->spans, why,
	    sizeof r->ebuf) == -1) {
		r->why = why;
	}
	sb_json_free(&js);
	if (r->why != NULL)
		return -1;
	r->res.accepted = r->spans.events;
	r->res.rejected = r->spans.rejected;
	atomic_fetch_add(&metrics.events_rejected, r->spans.rejected);
	atomic_fetch_add(&metrics.spans_ignored, r->spans.ignored);
	atomic_fetch_add(&metrics.events_ahead, r->spans.ahead);
	return 0;
}

/* The whole body is in: parse it and hand the events to the writer. */
static enum MHD_Result
body_done(struct MHD_Connection *c, struct req *r)
{
	struct ingest_parser p;
	enum ingest_shape shape;
	int rc;

	if (r->status != 0)
		return reply_error(c, r, r->status, r->why);
	atomic_fetch_add(&metrics.received_bytes, r->body.len);
	if (r->gzip) {
		struct sb_buf out = SB_BUF_INIT;
		const char *gzwhy;

		rc = ingest_gunzip(r->body.s, r->body.len, conf.max_body,
		    conf.max_inflate_ratio, &out, &gzwhy);
		if (rc == INGEST_GZ_OK && hold(r, out.len) == -1)
			rc = 1;
		sb_buf_free(&r->body);
		r->body = out;
		if (rc == INGEST_GZ_BAD) {
			snprintf(r->ebuf, sizeof r->ebuf, "body is not valid "
			    "gzip: %s", gzwhy);
			return reply_error(c, r, 400, r->ebuf);
		}
		if (rc == INGEST_GZ_BIG)
			return reply_error(c, r, 413, "body inflates to more "
			    "than --max-body");
		if (rc == INGEST_GZ_RATIO) {
			snprintf(r->ebuf, sizeof r->ebuf, "body inflates to "
			    "more than %u times its size (--max-inflate-ratio)",
			    conf.max_inflate_ratio);
			return reply_error(c, r, 413, r->ebuf);
		}
		if (rc == 1)
			return reply_error(c, r, 503, "too much data in flight "
			    "(--queue-size)");
	}
	if (r->route == R_TRACES) {
		if (traces_parse(r) == -1)
			return reply_error(c, r, 400, r->why);
		if (r->res.accepted == 0)
			return reply_result(c, r, 200);
		goto write;
	}
	ingest_parser_init(&p);
	p.max_ahead = conf.max_ahead;
	ingest_parser_format(&p, conf.format, conf.service);
	shape = ingest_parse(&p, r->body.s != NULL ? r->body.s : "",
	    r->body.len, sb_wall_ms(), &r->res);
	ingest_parser_free(&p);
	atomic_fetch_add(&metrics.events_rejected, r->res.rejected);
	atomic_fetch_add(&metrics.events_ahead, r->res.ahead);
	if (shape == INGEST_EMPTY)
		return reply_error(c, r, 400, "empty body");
	if (r->res.accepted == 0 && r->res.rejected > 0) {
		r->why = "no valid event";
		return reply_result(c, r, 400);
	}
	if (r->res.accepted == 0)
		return reply_result(c, r, 200);

write:
	/* The lines replace the body in what this request holds. */
	sb_buf_free(&r->body);
	release(r);
	r->held = r->res.lines.len;
	atomic_fetch_add(&metrics.held_bytes, (int64_t)r->held);

	r->wb.data = r->res.lines.s;
	r->wb.len = r->res.lines.len;
	r->wb.done = written;
	r->wb.arg = r;
	r->conn = c;
	r->waiting = 1;
	atomic_fetch_add(&waiting, 1);
	/* Suspend first: the writer may resume before submit returns. */
	MHD_suspend_connection(c);
	rc = writer_submit(&r->wb);
	if (rc != WRITER_QUEUED) {
		r->why = rc == WRITER_STOPPING ? "shutting down" :
		    "the output cannot be written just now";
		atomic_store(&r->written, -2);
		MHD_resume_connection(c);
	}
	return MHD_YES;
}

static enum MHD_Result
after_write(struct MHD_Connection *c, struct req *r)
{
	int w = atomic_load(&r->written);

	if (w == 0)
		return MHD_YES;		/* not for us yet */
	r->waiting = 0;
	atomic_fetch_sub(&waiting, 1);
	if (w == 1)
		return reply_result(c, r, 200);
	return reply_error(c, r, 503, r->why != NULL ? r->why :
	    "the output cannot be written just now");
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_data_size, void **con_cls)
{
	struct req *r = *con_cls;
	int status;
	const char *why;

	(void)cls;
	(void)version;
	if (r == NULL) {
		r = sb_xcalloc(1, sizeof *r);
		*con_cls = r;
		atomic_fetch_add(&inflight, 1);
		r->t0 = sb_monotonic_ns();
		r->route = route_of(url, method);
		set_phase(c, PH_BODY, conf.body_timeout);
		/*
		 * Replies wait for the next call: libmicrohttpd closes the
		 * connection after a reply queued on the first call, as the
		 * body, if any, is left unread.
		 */
		if (r->route != R_INGEST && r->route != R_TRACES)
			return MHD_YES;
		/* At once, without reading the body; the connection closes. */
		if (check_headers(c, r, &why, &status) == -1) {
			set_phase(c, PH_NONE, 0);
			return reply_error(c, r, status, why);
		}
		return MHD_YES;
	}
	if (r->route != R_INGEST && r->route != R_TRACES &&
	    *upload_data_size > 0) {
		*upload_data_size = 0;	/* a body nobody asked for */
		return MHD_YES;
	}
	if (*upload_data_size == 0)
		set_phase(c, PH_NONE, 0);	/* the whole request is in */
	if (r->route != R_INGEST && r->route != R_TRACES) {
		switch (r->route) {
		case R_HEALTHZ:
			return reply_healthz(c, r);
		case R_METRICS:
			return reply_metrics(c, r);
		case R_NOT_FOUND:
			return reply_error(c, r, 404, "not found");
		case R_BAD_METHOD:
			return reply_error(c, r, 405, "use POST");
		case R_INGEST:
		case R_TRACES:
			break;
		}
	}
	if (*upload_data_size > 0) {
		size_t n = *upload_data_size;

		*upload_data_size = 0;
		if (r->status == 0) {
			body_piece(r, upload_data, n);
			return MHD_YES;
		}
		/*
		 * A refused body is read to its end so that the client sees
		 * the reply, not a reset; but one that goes on for more than
		 * DROP_MAX past the error (chunks without end) is cut off.
		 */
		r->dropped += n;
		if (r->dropped <= DROP_MAX)
			return MHD_YES;
		r->why = "body goes on 16 MiB past the refusal: connection "
		    "closed";
		atomic_fetch_add(&metrics.closed[C_ENDLESS_BODY], 1);
		if (conf.verbose >= 1) {
			char addr[64];
			logmsg(LOG_INFO, "%s: %s", client_addr(c, addr,
			    sizeof addr), r->why);
		}
		return MHD_NO;
	}
	if (r->waiting)
		return after_write(c, r);
	return body_done(c, r);
}

static void
on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct req *r = *con_cls;
	const union MHD_ConnectionInfo *ci;
	struct conn_ctx *cc;

	(void)cls;
	(void)toe;
	if (r == NULL)
		return;
	/* A client that left while its events were written gets no call. */
	if (r->waiting)
		atomic_fetch_sub(&waiting, 1);
	release(r);
	sb_buf_free(&r->body);
	ingest_result_free(&r->res);
	free(r);
	*con_cls = NULL;
	atomic_fetch_sub(&inflight, 1);
	/* The next request on this connection has a header deadline too. */
	ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	if (ci != NULL && (cc = ci->socket_context) != NULL) {
		atomic_store(&cc->deadline, sb_monotonic_ms() + conf.header_timeout);
		atomic_store(&cc->phase, PH_HEADER);
	}
}

/*
 * Past --max-connections, the oldest connection that waits for a
 * request header is closed to make room (the newest one itself if none
 * waits): clients that hold connections without sending requests
 * (slowloris) cannot keep out one that sends its request at once.
 * Called with conns_mu held.
 */
static void
evict(struct conn_ctx *newest)
{
	struct conn_ctx *cc;

	for (cc = conns_tail; cc != NULL; cc = cc->prev)
		if (cc != newest && cc->fd != -1 &&
		    atomic_load(&cc->phase) == PH_HEADER)
			break;
	if (cc == NULL)
		cc = newest;
	atomic_store(&cc->phase, PH_NONE);
	if (cc->fd != -1)
		shutdown(cc->fd, SHUT_RDWR);
	atomic_fetch_add(&evicted, 1);
	atomic_fetch_add(&metrics.closed[C_EVICTED], 1);
}

static void
on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
    enum MHD_ConnectionNotificationCode code)
{
	struct conn_ctx *cc;
	const union MHD_ConnectionInfo *ci;

	(void)cls;
	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		cc = sb_xcalloc(1, sizeof *cc);
		ci = MHD_get_connection_info(c,
		    MHD_CONNECTION_INFO_CONNECTION_FD);
		/*
		 * A dup of its own, so that the watchdog never shuts down a
		 * descriptor that libmicrohttpd has closed and reused.
		 */
		cc->fd = ci != NULL ?
		    fcntl(ci->connect_fd, F_DUPFD_CLOEXEC, 0) : -1;
		atomic_store(&cc->deadline, sb_monotonic_ms() + conf.header_timeout);
		atomic_store(&cc->phase, PH_HEADER);
		pthread_mutex_lock(&conns_mu);
		cc->next = conns;
		if (conns != NULL)
			conns->prev = cc;
		else
			conns_tail = cc;
		conns = cc;
		if (++nconns > conf.max_conn)
			evict(cc);
		pthread_mutex_unlock(&conns_mu);
		*socket_context = cc;
		return;
	}
	if ((cc = *socket_context) == NULL)
		return;
	pthread_mutex_lock(&conns_mu);
	if (cc->prev != NULL)
		cc->prev->next = cc->next;
	else
		conns = cc->next;
	if (cc->next != NULL)
		cc->next->prev = cc->prev;
	else
		conns_tail = cc->prev;
	nconns--;
	pthread_mutex_unlock(&conns_mu);
	if (cc->fd != -1)
		close(cc->fd);
	free(cc);
	*socket_context = NULL;
}

void
http_watchdog(void)
{
	int64_t now = sb_monotonic_ms();
	unsigned nh = 0, nb = 0, ne;

	pthread_mutex_lock(&conns_mu);
	for (struct conn_ctx *cc = conns; cc != NULL; cc = cc->next) {
		int ph = atomic_load(&cc->phase);

		if (ph == PH_NONE || now < atomic_load(&cc->deadline) ||
		    cc->fd == -1)
			continue;
		atomic_store(&cc->phase, PH_NONE);
		shutdown(cc->fd, SHUT_RDWR);
		if (ph == PH_HEADER)
			nh++;
		else
			nb++;
	}
	pthread_mutex_unlock(&conns_mu);
	atomic_fetch_add(&metrics.closed[C_HEADER_TIMEOUT], nh);
	atomic_fetch_add(&metrics.closed[C_BODY_TIMEOUT], nb);
	ne = atomic_exchange(&evicted, 0);
	if (nh > 0)
		logmsg(LOG_INFO, "closed %u connection%s that sent no complete "
		    "request header in time (--header-timeout)", nh,
		    nh == 1 ? "" : "s");
	if (nb > 0)
		logmsg(LOG_INFO, "closed %u connection%s that sent no complete "
		    "body in time (--body-timeout)", nb, nb == 1 ? "" : "s");
	if (ne > 0)
		logmsg(LOG_INFO, "closed %u connection%s waiting for a request "
		    "header to make room for new ones (--max-connections)", ne,
		    ne == 1 ? "" : "s");
}

static void
mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];
	size_t n;

	(void)cls;
	vsnprintf(msg, sizeof msg, fmt, ap);
	n = strlen(msg);
	while (n > 0 && msg[n - 1] == '\n')
		msg[--n] = '\0';
	logmsg(LOG_INFO, "libmicrohttpd: %s", msg);
}

int
http_start(int listen_fd, char *err, size_t errsz)
{
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO |
	    MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG | MHD_USE_TURBO;
	unsigned idle = (unsigned)((conf.idle_timeout + 999) / 1000);
	struct sockaddr_storage ss;
	socklen_t sl = sizeof ss;

	snprintf(toolarge, sizeof toolarge, "body is larger than %zu bytes "
	    "(--max-body)", conf.max_body);
	if (getsockname(listen_fd, (struct sockaddr *)&ss, &sl) == 0 &&
	    ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	daemon_ = MHD_start_daemon(flags, 0, NULL, NULL, on_request, NULL,
	    MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
	    MHD_OPTION_LISTEN_SOCKET, listen_fd,
	    MHD_OPTION_CONNECTION_LIMIT, conf.max_conn + EVICT_ROOM,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, conf.max_per_ip,
	    MHD_OPTION_CONNECTION_TIMEOUT, idle,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, conf.max_header,
	    MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
	    MHD_OPTION_NOTIFY_CONNECTION, on_connection, NULL,
	    conf.threads > 1 ? MHD_OPTION_THREAD_POOL_SIZE : MHD_OPTION_END,
	    conf.threads,
	    MHD_OPTION_END);
	if (daemon_ == NULL) {
		snprintf(err, errsz, "cannot start the HTTP server");
		return -1;
	}
	return 0;
}

void
http_quiesce(void)
{
	MHD_socket fd = MHD_quiesce_daemon(daemon_);

	if (fd != MHD_INVALID_SOCKET)
		close(fd);
}

int
http_drain_and_stop(int64_t timeout_ms)
{
	int64_t deadline = sb_monotonic_ms() + timeout_ms;
	struct timespec tick = { 0, 10 * 1000000 };

	while (atomic_load(&inflight) > 0 && sb_monotonic_ms() < deadline)
		nanosleep(&tick, NULL);
	if (atomic_load(&waiting) > 0)
		return -1;
	MHD_stop_daemon(daemon_);
	daemon_ = NULL;
	return 0;
}
