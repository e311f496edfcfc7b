/*
 * otlp.c - OTLP/JSON trace requests to raw request events; see otlp.h.
 *
 * The document's shape (proto3 JSON mapping of
 * opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest):
 *
 *	{"resourceSpans":[{"resource":{"attributes":[KV...]},
 *	  "scopeSpans":[{"scope":{...},"spans":[SPAN...]}]}]}
 *	SPAN: {"traceId":"hex","kind":2,"startTimeUnixNano":"digits",
 *	  "endTimeUnixNano":"digits","attributes":[KV...],...}
 *	KV: {"key":"http.request.method","value":{"stringValue":"GET"}}
 *
 * int64 values (intValue, the times) are strings in that mapping; numbers
 * are accepted too.  A wrong shape anywhere makes the whole document bad,
 * since an exporter that sends one sends nothing usable; a span whose
 * attributes do not make an event only rejects that span.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "event.h"
#include "otlp.h"
#include "timefmt.h"

#define SPAN_KIND_SERVER	2

struct span_bufs {
	int64_t		 latest;	/* ms */
	struct sb_buf	 service;
	struct sb_buf	 method;
	struct sb_buf	 endpoint;
	struct sb_buf	 tmp;
	struct sb_json	 js;		/* the event written, read back */
	struct sb_event	 ev;
};

/* Member camel (OTLP/JSON) or snake (proto field name) of object obj. */
static long
member(const struct sb_json *js, size_t obj, const char *camel,
    const char *snake)
{
	long m = sb_json_member(js, obj, camel);

	if (m < 0 && snake != NULL)
		m = sb_json_member(js, obj, snake);
	return m;
}

/* An optional array member: its token, -1 if absent or null, -2 if bad. */
static long
array_member(const struct sb_json *js, size_t obj, const char *camel,
    const char *snake)
{
	long m = member(js, obj, camel, snake);

	if (m < 0 || js->tok[m].type == SB_JNULL)
		return -1;
	return js->tok[m].type == SB_JARRAY ? m : -2;
}

/*
 * The value object of the first attribute named one of names (in that
 * order of preference) in the attribute array attrs; -1 if none.
 * Entries that are not {"key":string,"value":object} are skipped: the
 * caller has checked the array's shape with attrs_ok().
 */
static long
attr(const struct sb_json *js, long attrs, const char *const *names)
{
	if (attrs < 0)
		return -1;
	for (; *names != NULL; names++) {
		size_t e = (size_t)attrs + 1;

		for (size_t i = 0; i < js->tok[attrs].size; i++) {
			long k = sb_json_member(js, e, "key");
			long v = sb_json_member(js, e, "value");

			if (k >= 0 && v >= 0 && js->tok[v].type == SB_JOBJECT &&
			    sb_json_streq(js, (size_t)k, *names))
				return v;
			e = js->tok[e].skip;
		}
	}
	return -1;
}

static int
attrs_ok(const struct sb_json *js, long attrs)
{
	size_t e;

	if (attrs == -1)
		return 1;
	if (attrs < 0)
		return 0;
	e = (size_t)attrs + 1;
	for (size_t i = 0; i < js->tok[attrs].size; i++) {
		long k = sb_json_member(js, e, "key");

		if (js->tok[e].type != SB_JOBJECT || k < 0 ||
		    js->tok[k].type != SB_JSTRING)
			return 0;
		e = js->tok[e].skip;
	}
	return 1;
}

/* The string of an AnyValue into out (reset first); 0, or -1 if none. */
static int
any_str(const struct sb_json *js, long v, struct sb_buf *out)
{
	long s;

	sb_buf_reset(out);
	if (v < 0 ||
	    (s = member(js, (size_t)v, "stringValue", "string_value")) < 0 ||
	    sb_json_str(js, (size_t)s, out) == -1)
		return -1;
	return 0;
}

/* Decimal digits only, into *out; -1 on anything else or overflow. */
static int
digits(const char *s, size_t n, int64_t *out)
{
	int64_t v = 0;

	if (n == 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9' || v > (INT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

/* An int64 written as a JSON integer or as a string of digits. */
static int
int_token(const struct sb_json *js, long t, struct sb_buf *tmp, int64_t *out)
{
	if (t < 0)
		return -1;
	if (js->tok[t].type == SB_JNUMBER)
		return sb_json_int(js, (size_t)t, out);
	if (js->tok[t].type != SB_JSTRING)
		return -1;
	sb_buf_reset(tmp);
	if (sb_json_str(js, (size_t)t, tmp) == -1)
		return -1;
	return digits(tmp->s, tmp->len, out);
}

/* The integer of an AnyValue: intValue, or a stringValue of digits. */
static int
any_int(const struct sb_json *js, long v, struct sb_buf *tmp, int64_t *out)
{
	long t;

	if (v < 0)
		return -1;
	if ((t = member(js, (size_t)v, "intValue", "int_value")) < 0)
		t = member(js, (size_t)v, "stringValue", "string_value");
	return int_token(js, t, tmp, out);
}

/* Cuts b to the path of a URL or request target: no scheme, host, query. */
static void
path_only(struct sb_buf *b)
{
	char *p = b->s, *end = b->s + b->len, *q;

	if ((q = strstr(p, "://")) != NULL) {
		p = q + 3;
		while (p < end && *p != '/' && *p != '?' && *p != '#')
			p++;
	}
	for (q = p; q < end && *q != '?' && *q != '#'; q++)
		;
	if (q == p) {			/* "http://host" or "?q": the root */
		b->s[0] = '/';
		b->len = 1;
	} else {
		memmove(b->s, p, (size_t)(q - p));
		b->len = (size_t)(q - p);
	}
	b->s[b->len] = '\0';
}

static int
is_server(const struct sb_json *js, size_t span)
{
	long k = sb_json_member(js, span, "kind");
	int64_t v;

	if (k < 0)
		return 0;
	if (js->tok[k].type == SB_JSTRING)
		return sb_json_streq(js, (size_t)k, "SPAN_KIND_SERVER");
	return sb_json_int(js, (size_t)k, &v) == 0 && v == SPAN_KIND_SERVER;
}

static int
hex32(const struct sb_json *js, long t)
{
	const struct sb_jtok *k;

	if (t < 0 || (k = &js->tok[t])->type != SB_JSTRING || k->escaped ||
	    k->end - k->start != 32)
		return 0;
	for (size_t i = k->start; i < k->end; i++) {
		char c = js->src[i];

		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
		    (c >= 'A' && c <= 'F')))
			return 0;
	}
	return 1;
}

static void
reject(struct sb_otlp_result *r, const char *why)
{
	if (r->rejected++ == 0)
		snprintf(r->why, sizeof r->why, "%s", why);
}

static const char *const k_method[] = { "http.request.method",
	"http.method", NULL };
static const char *const k_route[] = { "http.route", "url.path", NULL };
static const char *const k_target[] = { "http.target", "url.full",
	"http.url", NULL };
static const char *const k_status[] = { "http.response.status_code",
	"http.status_code", NULL };
static const char *const k_size[] = { "http.response.body.size",
	"http.response_content_length", NULL };

/* One server span of the resource whose service is b->service. */
static void
take_span(const struct sb_json *js, size_t span, long attrs,
    struct span_bufs *b, struct sb_buf *out, struct sb_otlp_result *r)
{
	int64_t t0, t1, status, size;
	long v;
	char ts[SB_TIME_LEN], why[160];
	int has_size;
	size_t start = out->len;

	if (int_token(js, member(js, span, "startTimeUnixNano",
	    "start_time_unix_nano"), &b->tmp, &t0) == -1 ||
	    int_token(js, member(js, span, "endTimeUnixNano",
	    "end_time_unix_nano"), &b->tmp, &t1) == -1) {
		reject(r, "server span without start and end times in ns");
		return;
	}
	if (t1 < t0) {
		reject(r, "server span ends before it starts");
		return;
	}
	if (sb_floor_div(t1, 1000000) > b->latest) {
		r->ahead++;
		reject(r, "server span ends ahead of the server's clock "
		    "(--max-ahead)");
		return;
	}
	if (any_str(js, attr(js, attrs, k_method), &b->method) == -1 ||
	    b->method.len == 0) {
		reject(r, "server span without http.request.method");
		return;
	}
	if (any_str(js, attr(js, attrs, k_route), &b->endpoint) == 0 &&
	    b->endpoint.len > 0) {
		if (b->endpoint.s[0] != '/')
			path_only(&b->endpoint);
	} else if (any_str(js, attr(js, attrs, k_target), &b->endpoint) == 0 &&
	    b->endpoint.len > 0) {
		path_only(&b->endpoint);
	} else {
		reject(r, "server span without http.route, url.path or "
		    "http.target");
		return;
	}
	if (any_int(js, attr(js, attrs, k_status), &b->tmp, &status) == -1 ||
	    status < 100 || status > 599) {
		reject(r, "server span without http.response.status_code "
		    "in 100..599");
		return;
	}
	has_size = any_int(js, attr(js, attrs, k_size), &b->tmp, &size) == 0;

	sb_buf_puts(out, "{\"timestamp\":\"");
	sb_buf_puts(out, sb_time_format(sb_floor_div(t1, 1000000), ts));
	sb_buf_putc(out, '"');
	if (b->service.len > 0) {
		sb_buf_puts(out, ",\"service\":");
		sb_buf_json_str(out, b->service.s, b->service.len);
	}
	sb_buf_puts(out, ",\"method\":");
	sb_buf_json_str(out, b->method.s, b->method.len);
	sb_buf_puts(out, ",\"endpoint\":");
	sb_buf_json_str(out, b->endpoint.s, b->endpoint.len);
	sb_buf_printf(out, ",\"status_code\":%d", (int)status);
	/* ns to ms, exactly, to the microsecond, without a double's noise */
	int64_t us = (t1 - t0 + 500) / 1000;
	sb_buf_printf(out, ",\"latency_ms\":%lld", (long long)(us / 1000));
	if (us % 1000 != 0) {
		char frac[8];
		int n = snprintf(frac, sizeof frac, ".%03d", (int)(us % 1000));

		while (frac[n - 1] == '0')
			n--;
		sb_buf_add(out, frac, (size_t)n);
	}
	if (has_size && size >= 0)
		sb_buf_printf(out, ",\"response_size\":%lld", (long long)size);
	if (hex32(js, v = member(js, span, "traceId", "trace_id"))) {
		sb_buf_puts(out, ",\"trace_id\":\"");
		sb_buf_add(out, js->src + js->tok[v].start, 32);
		sb_buf_putc(out, '"');
	}
	sb_buf_puts(out, "}");
	/*
	 * The one event reader has the last word (a method longer than
	 * it takes, say), so that no tool downstream refuses the line.
	 */
	if (sb_json_parse(&b->js, out->s + start, out->len - start) == -1 ||
	    sb_event_read(&b->ev, &b->js, 0, why, sizeof why) == -1) {
		out->len = start;
		out->s[start] = '\0';
		reject(r, why);
		return;
	}
	sb_buf_putc(out, '\n');
	r->events++;
}

/* The spans of one scopeSpans entry; -1 on a wrong shape. */
static int
take_scope(const struct sb_json *js, size_t scope, struct span_bufs *b,
    struct sb_buf *out, struct sb_otlp_result *r, char *err, size_t errsz)
{
	long spans = array_member(js, scope, "spans", NULL);
	size_t s;

	if (js->tok[scope].type != SB_JOBJECT || spans == -2) {
		snprintf(err, errsz, "a scopeSpans entry is not an object "
		    "with a spans array");
		return -1;
	}
	if (spans == -1)
		return 0;
	s = (size_t)spans + 1;
	for (size_t i = 0; i < js->tok[spans].size; i++, s = js->tok[s].skip) {
		long attrs;

		if (js->tok[s].type != SB_JOBJECT) {
			snprintf(err, errsz, "a span is not an object");
			return -1;
		}
		attrs = array_member(js, s, "attributes", NULL);
		if (!attrs_ok(js, attrs)) {
			snprintf(err, errsz, "a span's attributes are not "
			    "an array of {\"key\":...,\"value\":...}");
			return -1;
		}
		r->spans++;
		if (!is_server(js, s))
			r->ignored++;
		else
			take_span(js, s, attrs, b, out, r);
	}
	return 0;
}

/* One resourceSpans entry; -1 on a wrong shape. */
static int
take_resource(const struct sb_json *js, size_t rs, struct span_bufs *b,
    struct sb_buf *out, struct sb_otlp_result *r, char *err, size_t errsz)
{
	long res, attrs = -1, scopes;
	size_t sc;

	if (js->tok[rs].type != SB_JOBJECT) {
		snprintf(err, errsz, "a resourceSpans entry is not an object");
		return -1;
	}
	if ((res = member(js, rs, "resource", NULL)) >= 0 &&
	    js->tok[res].type != SB_JNULL) {
		if (js->tok[res].type != SB_JOBJECT ||
		    !attrs_ok(js, attrs = array_member(js, (size_t)res,
		    "attributes", NULL))) {
			snprintf(err, errsz, "a resource is not an object with "
			    "an attributes array");
			return -1;
		}
	}
	static const char *const k_service[] = { "service.name", NULL };
	if (any_str(js, attr(js, attrs, k_service), &b->service) == -1)
		sb_buf_reset(&b->service);
	scopes = array_member(js, rs, "scopeSpans", "scope_spans");
	if (scopes == -1)	/* before OTLP 0.15 */
		scopes = array_member(js, rs, "instrumentationLibrarySpans",
		    "instrumentation_library_spans");
	if (scopes == -2) {
		snprintf(err, errsz, "scopeSpans is not an array");
		return -1;
	}
	if (scopes == -1)
		return 0;
	sc = (size_t)scopes + 1;
	for (size_t i = 0; i < js->tok[scopes].size; i++, sc = js->tok[sc].skip)
		if (take_scope(js, sc, b, out, r, err, errsz) == -1)
			return -1;
	return 0;
}

int
sb_otlp_events(const struct sb_json *js, struct sb_buf *out, int64_t latest,
    struct sb_otlp_result *r, char *err, size_t errsz)
{
	struct span_bufs b;
	size_t len0 = out->len, e;
	long all;
	int rc = 0;

	memset(r, 0, sizeof *r);
	memset(&b, 0, sizeof b);
	sb_json_init(&b.js);
	sb_event_init(&b.ev);
	b.latest = latest;
	if (js->ntok == 0 || js->tok[0].type != SB_JOBJECT) {
		snprintf(err, errsz, "not a JSON object");
		return -1;
	}
	all = array_member(js, 0, "resourceSpans", "resource_spans");
	if (all == -2) {
		snprintf(err, errsz, "resourceSpans is not an array");
		return -1;
	}
	if (all == -1)		/* an empty request, as exporters may send */
		return 0;
	e = (size_t)all + 1;
	for (size_t i = 0; i < js->tok[all].size && rc == 0; i++) {
		rc = take_resource(js, e, &b, out, r, err, errsz);
		e = js->tok[e].skip;
	}
	sb_buf_free(&b.service);
	sb_buf_free(&b.method);
	sb_buf_free(&b.endpoint);
	sb_buf_free(&b.tmp);
	sb_json_free(&b.js);
	sb_event_free(&b.ev);
	if (rc == -1) {
		out->len = len0;
		if (out->s != NULL)
			out->s[len0] = '\0';
		memset(r, 0, sizeof *r);
	}
	return rc;
}
