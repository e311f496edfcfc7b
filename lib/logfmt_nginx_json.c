/*
 * logfmt_nginx_json.c - nginx's JSON access log, with these members:
 *
 *	log_format slowburn_json escape=json '{"time":"$time_iso8601",'
 *	    '"method":"$request_method","uri":"$request_uri",'
 *	    '"status":$status,"request_time":$request_time,'
 *	    '"upstream_response_time":"$upstream_response_time",'
 *	    '"bytes":$body_bytes_sent}';
 *
 * "time" may also be $msec (epoch seconds, a number), "service" may name
 * the service (a literal, or $host), and numbers may be quoted.  As in
 * the nginx format, the latency is "upstream_response_time" (summed over
 * the upstreams tried) when it has one, else "request_time".  With
 * escape=json nginx writes an unset variable as "", which reads as none.
 * Other members are allowed and not read.
 */
#include <stdio.h>

#include "logfmt_impl.h"
#include "timefmt.h"

/* The text of a number token, or of a string token without escapes. */
static int
raw_text(const struct sb_json *js, long t, struct lf_field *f)
{
	const struct sb_jtok *k;

	if (t < 0)
		return -1;
	k = &js->tok[t];
	if (k->type != SB_JNUMBER && (k->type != SB_JSTRING || k->escaped))
		return -1;
	f->s = js->src + k->start;
	f->n = k->end - k->start;
	return 0;
}

static int
string_member(const struct sb_json *js, const char *name, size_t max,
    struct sb_buf *out, int required, char *err, size_t errsz)
{
	long t = sb_json_member(js, 0, name);
	struct lf_field f;

	sb_buf_reset(out);
	if (t < 0 || js->tok[t].type == SB_JNULL) {
		if (!required)
			return 0;
		snprintf(err, errsz, "missing '%s'", name);
		return -1;
	}
	if (js->tok[t].type != SB_JSTRING) {
		snprintf(err, errsz, "'%s' is not a string", name);
		return -1;
	}
	sb_json_str(js, (size_t)t, out);
	f.s = out->s != NULL ? out->s : "";
	f.n = out->len;
	if (f.n > max) {
		snprintf(err, errsz, "'%s' is longer than %zu bytes", name, max);
		return -1;
	}
	for (size_t i = 0; i < f.n; i++)
		if ((unsigned char)f.s[i] < 0x20 || f.s[i] == 0x7f) {
			snprintf(err, errsz, "'%s' holds a control character",
			    name);
			return -1;
		}
	if (required && f.n == 0) {
		snprintf(err, errsz, "'%s' is empty", name);
		return -1;
	}
	return 0;
}

static int
nginx_json_read(struct sb_event *ev, struct sb_json *js, const char *s,
    size_t n, char *err, size_t errsz)
{
	struct lf_field f;
	int64_t rt, ut, bytes = -1;
	double v;
	long t;
	int rc = 1;

	if (sb_json_parse(js, s, n) == -1) {
		snprintf(err, errsz, "invalid JSON: %s at byte %zu", js->err,
		    js->errpos + 1);
		return -1;
	}
	if (js->tok[0].type != SB_JOBJECT) {
		snprintf(err, errsz, "not a JSON object");
		return -1;
	}
	if ((t = sb_json_member(js, 0, "time")) < 0) {
		snprintf(err, errsz, "missing 'time'");
		return -1;
	}
	if (!(js->tok[t].type == SB_JSTRING && !js->tok[t].escaped &&
	    sb_time_parse(js->src + js->tok[t].start,
	    js->tok[t].end - js->tok[t].start, &ev->time) == 0) &&
	    !(js->tok[t].type == SB_JNUMBER && sb_json_number(js, (size_t)t,
	    &v) == 0 && sb_time_from_epoch(v, &ev->time) == 0)) {
		snprintf(err, errsz, "'time' is not $time_iso8601 or $msec");
		return -1;
	}
	ev->has_time = 1;
	if (string_member(js, "method", SB_METHOD_MAX, &ev->method, 1, err,
	    errsz) == -1 ||
	    string_member(js, "uri", SB_ENDPOINT_MAX, &ev->endpoint, 1, err,
	    errsz) == -1 ||
	    string_member(js, "service", SB_SERVICE_MAX, &ev->service, 0, err,
	    errsz) == -1)
		return -1;
	if (raw_text(js, sb_json_member(js, 0, "status"), &f) == -1 ||
	    (ev->status = lf_status(&f)) == -1) {
		snprintf(err, errsz, "'status' is not a status in 100..599");
		return -1;
	}
	if (raw_text(js, sb_json_member(js, 0, "request_time"), &f) == -1 ||
	    lf_seconds_us(&f, &rt) == -1) {
		snprintf(err, errsz, "'request_time' is not seconds");
		return -1;
	}
	t = sb_json_member(js, 0, "upstream_response_time");
	if (t >= 0 && js->tok[t].type != SB_JNULL) {
		if (raw_text(js, t, &f) == -1 ||
		    (f.n > 0 && (rc = lf_upstream_times(&f, &ut)) == -1)) {
			snprintf(err, errsz, "'upstream_response_time' is not "
			    "a list of seconds");
			return -1;
		}
		if (f.n > 0 && rc == 0)
			rt = ut;
	}
	if ((t = sb_json_member(js, 0, "bytes")) >= 0 &&
	    js->tok[t].type != SB_JNULL &&
	    (raw_text(js, t, &f) == -1 || lf_uint(&f, &bytes) == -1)) {
		snprintf(err, errsz, "'bytes' is not a byte count");
		return -1;
	}
	lf_set_numbers(ev, rt, bytes);
	return 0;
}

const struct sb_logfmt sb_logfmt_nginx_json = { "nginx-json",
	nginx_json_read };
