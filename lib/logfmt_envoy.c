/*
 * logfmt_envoy.c - Envoy's default access log format, the one an
 * access_log with no "format" writes:
 *
 *	[%START_TIME%] "%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%
 *	%PROTOCOL%" %RESPONSE_CODE% %RESPONSE_FLAGS% %BYTES_RECEIVED%
 *	%BYTES_SENT% %DURATION% %RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)%
 *	"%REQ(X-FORWARDED-FOR)%" "%REQ(USER-AGENT)%" "%REQ(X-REQUEST-ID)%"
 *	"%REQ(:AUTHORITY)%" "%UPSTREAM_HOST%"
 *
 * The latency is x-envoy-upstream-service-time, the upstream's own time
 * in ms, when the upstream answered; %DURATION% (the whole request at
 * Envoy, in ms) when it is "-" (a timeout, a local reply).  The five
 * quoted fields at the end are not read, but they must all be there: a
 * line cut short is a bad line.  A response code of 0 (no response sent, the
 * client went away) is a bad line too.
 */
#include <stdio.h>

#include "logfmt_impl.h"
#include "timefmt.h"

static int
envoy_read(struct sb_event *ev, struct sb_json *js, const char *s, size_t n,
    char *err, size_t errsz)
{
	struct lf_cur c = { s, s + n };
	struct lf_field f = { "", 0 }, req = { "", 0 };
	int64_t bytes, dur, ust;
	char show[LF_SHOW];
	int st;

	if (lf_bracket(&c, &f) == -1 ||
	    sb_time_parse(f.s, f.n, &ev->time) == -1) {
		snprintf(err, errsz, "'%%START_TIME%%' is not a time like "
		    "[2016-04-15T20:17:00.310Z]");
		return -1;
	}
	ev->has_time = 1;
	if (lf_quoted(&c, &req) == -1) {
		snprintf(err, errsz, "no quoted \"METHOD PATH PROTOCOL\"");
		return -1;
	}
	if (lf_request(ev, &req, err, errsz) == -1)
		return -1;
	if (lf_token(&c, &f) == -1 || (st = lf_status(&f)) == -1) {
		snprintf(err, errsz, "'%%RESPONSE_CODE%%' is not a status in "
		    "100..599: '%s'", lf_show(&f, show));
		return -1;
	}
	ev->status = st;
	/* %RESPONSE_FLAGS% and %BYTES_RECEIVED% */
	if (lf_token(&c, &f) == -1 || lf_token(&c, &f) == -1 ||
	    lf_token(&c, &f) == -1 || lf_uint(&f, &bytes) == -1) {
		snprintf(err, errsz, "'%%BYTES_SENT%%' is not a byte count: "
		    "'%s'", lf_show(&f, show));
		return -1;
	}
	if (lf_token(&c, &f) == -1 || lf_uint(&f, &dur) == -1) {
		snprintf(err, errsz, "'%%DURATION%%' is not milliseconds: "
		    "'%s'", lf_show(&f, show));
		return -1;
	}
	if (lf_token(&c, &f) == -1 ||
	    (!lf_dash(&f) && lf_uint(&f, &ust) == -1)) {
		snprintf(err, errsz, "'x-envoy-upstream-service-time' is not "
		    "milliseconds: '%s'", lf_show(&f, show));
		return -1;
	}
	if (!lf_dash(&f))
		dur = ust;
	for (int i = 0; i < 5; i++)
		if (lf_quoted(&c, &f) == -1) {
			snprintf(err, errsz, "not five quoted fields after "
			    "the times (a line cut short?)");
			return -1;
		}
	if (!lf_at_end(&c)) {
		snprintf(err, errsz, "more than five quoted fields after the "
		    "times");
		return -1;
	}
	lf_set_numbers(ev, dur * 1000, bytes);
	return 0;
}

const struct sb_logfmt sb_logfmt_envoy = { "envoy", envoy_read };
