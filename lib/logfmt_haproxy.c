/*
 * logfmt_haproxy.c - HAProxy's HTTP log format (option httplog):
 *
 *	%ci:%cp [%tr] %ft %b/%s %TR/%Tw/%Tc/%Tr/%Ta %ST %B %CC %CS %tsc
 *	    %ac/%fc/%bc/%sc/%rc %sq/%bq %hr %hs %{+Q}r
 *
 * as HAProxy 1.9 and later write it, and as older ones do with the timers
 * Tq/Tw/Tc/Tr/Tt.  Whatever comes before the client address is a syslog
 * header (rsyslog's file format, RFC 3164 or RFC 5424, or "<134>" from
 * "format short") and is skipped; "log stdout format raw" writes none.
 * The line is found by its accept date, "ADDR:PORT [dd/Mon/yyyy:".
 *
 * The latency is Ta - TR: from the moment the request was fully received
 * to the last byte of the response (queue Tw, connect Tc, server Tr and
 * the data transfer), the part the backend is answerable for; TR, the
 * client's time to send its headers, is left out as nginx's
 * $upstream_response_time leaves it out.  A timer of -1 is a phase that
 * never happened (no connection to a server, for a 503): Ta alone then.
 * The accept date has no zone in HAProxy's log: it is read as UTC, so run
 * HAProxy with TZ=UTC.  The service is the backend's name.
 */
#include <stdio.h>
#include <string.h>

#include "logfmt_impl.h"
#include "timefmt.h"

/* The '[' of the accept date "[dd/Mon/yyyy:" preceded by "ADDR:PORT ". */
static const char *
accept_date(const char *s, const char *end)
{
	for (const char *p = s; (p = memchr(p, '[', (size_t)(end - p))) != NULL;
	    p++) {
		if (end - p < 13 || p == s || p[-1] != ' ' ||
		    p[1] < '0' || p[1] > '9' || p[2] < '0' || p[2] > '9' ||
		    p[3] != '/' || p[7] != '/' || p[8] < '0' || p[8] > '9' ||
		    p[12] != ':')
			continue;
		return p;
	}
	return NULL;
}

/* "a/b/c/..." into v[0..n); -1 unless exactly n integers >= -1. */
static int
slashed(const struct lf_field *f, int64_t *v, int n)
{
	const char *p = f->s, *end = f->s + f->n;

	for (int i = 0; i < n; i++) {
		const char *a = p;
		while (p < end && *p != '/')
			p++;
		struct lf_field one = { a, (size_t)(p - a) };
		if (lf_int(&one, &v[i]) == -1)
			return -1;
		if (i < n - 1) {
			if (p == end)
				return -1;
			p++;
		}
	}
	return p == end ? 0 : -1;
}

static int
haproxy_read(struct sb_event *ev, struct sb_json *js, const char *s,
    size_t n, char *err, size_t errsz)
{
	struct lf_cur c = { s, s + n };
	struct lf_field f = { "", 0 }, be = { "", 0 };
	int64_t tm[5], conns[5], queues[2], bytes, us;
	char show[LF_SHOW];
	const char *date;
	int st;

	if ((date = accept_date(s, s + n)) == NULL) {
		snprintf(err, errsz, "not an HAProxy HTTP log line: no "
		    "'%%ci:%%cp [%%tr]'");
		return -1;
	}
	c.p = date;
	if (lf_bracket(&c, &f) == -1 ||
	    sb_time_parse_clf(f.s, f.n, &ev->time) == -1) {
		snprintf(err, errsz, "'%%tr' is not a time like "
		    "[06/Feb/2009:12:14:14.655]");
		return -1;
	}
	ev->has_time = 1;
	if (lf_token(&c, &f) == -1 || lf_token(&c, &be) == -1) {
		snprintf(err, errsz, "no '%%b/%%s' field");
		return -1;
	}
	const char *slash = memchr(be.s, '/', be.n);
	if (slash == NULL || slash == be.s) {
		snprintf(err, errsz, "'%%b/%%s' is not BACKEND/SERVER: '%s'",
		    lf_show(&be, show));
		return -1;
	}
	be.n = (size_t)(slash - be.s);
	if (lf_set(&ev->service, &be, "%b", SB_SERVICE_MAX, err, errsz) == -1)
		return -1;
	if (lf_token(&c, &f) == -1 || slashed(&f, tm, 5) == -1 ||
	    tm[4] < 0) {
		snprintf(err, errsz, "'%%TR/%%Tw/%%Tc/%%Tr/%%Ta' is not five "
		    "timers in ms: '%s' (option httplog, not tcplog?)",
		    lf_show(&f, show));
		return -1;
	}
	us = (tm[0] >= 0 && tm[0] <= tm[4] ? tm[4] - tm[0] : tm[4]) * 1000;
	if (lf_token(&c, &f) == -1 || (st = lf_status(&f)) == -1) {
		snprintf(err, errsz, "'%%ST' is not a status in 100..599: '%s'",
		    lf_show(&f, show));
		return -1;
	}
	ev->status = st;
	if (lf_token(&c, &f) == -1 || lf_uint(&f, &bytes) == -1) {
		snprintf(err, errsz, "'%%B' is not a byte count: '%s'",
		    lf_show(&f, show));
		return -1;
	}
	/* %CC %CS %tsc, then the connection counts and the queues. */
	if (lf_token(&c, &f) == -1 || lf_token(&c, &f) == -1 ||
	    lf_token(&c, &f) == -1 || lf_token(&c, &f) == -1 ||
	    slashed(&f, conns, 5) == -1 || lf_token(&c, &f) == -1 ||
	    slashed(&f, queues, 2) == -1) {
		snprintf(err, errsz, "no '%%ac/%%fc/%%bc/%%sc/%%rc %%sq/%%bq' "
		    "fields");
		return -1;
	}
	/* Captured headers, {...} each, when the frontend captures any. */
	while (!lf_at_end(&c) && *c.p == '{') {
		const char *close = memchr(c.p, '}', (size_t)(c.end - c.p));
		if (close == NULL)
			break;
		c.p = close + 1;
	}
	if (lf_quoted(&c, &f) == -1 || !lf_at_end(&c)) {
		snprintf(err, errsz, "no quoted '%%r' request at the end");
		return -1;
	}
	if (lf_request(ev, &f, err, errsz) == -1)
		return -1;
	lf_set_numbers(ev, us, bytes);
	return 0;
}

const struct sb_logfmt sb_logfmt_haproxy = { "haproxy", haproxy_read };
