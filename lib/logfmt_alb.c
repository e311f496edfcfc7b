/*
 * logfmt_alb.c - AWS Application Load Balancer access logs, one request
 * a line, space-separated, some fields quoted:
 *
 *	type time elb client:port target:port request_processing_time
 *	target_processing_time response_processing_time elb_status_code
 *	target_status_code received_bytes sent_bytes "request" "user_agent"
 *	ssl_cipher ssl_protocol target_group_arn "trace_id" "domain_name"
 *	"chosen_cert_arn" matched_rule_priority request_creation_time ...
 *
 * Fields after "actions_executed" (AWS adds them over time) are not
 * read.  The status is elb_status_code, what the client got.  The latency
 * is target_processing_time, the target's own time in seconds, when the
 * load balancer reached a target; when it could not (-1: a 502, a 504)
 * it is time - request_creation_time, the whole request at the load
 * balancer.  The time is "time", when the response was sent.  The
 * request's absolute URL keeps only its path.
 */
#include <stdio.h>

#include "logfmt_impl.h"
#include "timefmt.h"

/* Seconds as ALB writes them, -1 meaning none: -1 then. */
static int
alb_seconds(const struct lf_field *f, int64_t *us)
{
	if (f->n == 2 && f->s[0] == '-' && f->s[1] == '1') {
		*us = -1;
		return 0;
	}
	return lf_seconds_us(f, us);
}

static int
alb_read(struct sb_event *ev, struct sb_json *js, const char *s, size_t n,
    char *err, size_t errsz)
{
	static const char *const times[] = { "request_processing_time",
	    "target_processing_time", "response_processing_time" };
	struct lf_cur c = { s, s + n };
	struct lf_field f = { "", 0 }, tf = { "", 0 };
	int64_t t[3], bytes, created;
	char show[LF_SHOW];
	int st;

	/* type, then time */
	if (lf_token(&c, &f) == -1 || lf_token(&c, &tf) == -1 ||
	    sb_time_parse(tf.s, tf.n, &ev->time) == -1) {
		snprintf(err, errsz, "'time' is not an ISO 8601 time: '%s'",
		    lf_show(&tf, show));
		return -1;
	}
	ev->has_time = 1;
	/* elb, client:port, target:port */
	if (lf_token(&c, &f) == -1 || lf_token(&c, &f) == -1 ||
	    lf_token(&c, &f) == -1) {
		snprintf(err, errsz, "no 'target:port' field");
		return -1;
	}
	for (int i = 0; i < 3; i++)
		if (lf_token(&c, &f) == -1 || alb_seconds(&f, &t[i]) == -1) {
			snprintf(err, errsz, "'%s' is not seconds: '%s'",
			    times[i], lf_show(&f, show));
			return -1;
		}
	if (lf_token(&c, &f) == -1 || (st = lf_status(&f)) == -1) {
		snprintf(err, errsz, "'elb_status_code' is not a status in "
		    "100..599: '%s'", lf_show(&f, show));
		return -1;
	}
	ev->status = st;
	/* target_status_code, received_bytes, then sent_bytes */
	if (lf_token(&c, &f) == -1 || lf_token(&c, &f) == -1 ||
	    lf_token(&c, &f) == -1 || lf_uint(&f, &bytes) == -1) {
		snprintf(err, errsz, "'sent_bytes' is not a byte count: '%s'",
		    lf_show(&f, show));
		return -1;
	}
	if (lf_quoted(&c, &f) == -1) {
		snprintf(err, errsz, "no quoted 'request' field");
		return -1;
	}
	if (lf_request(ev, &f, err, errsz) == -1)
		return -1;
	/* "user_agent" ssl_cipher ssl_protocol target_group_arn "trace_id"
	 * "domain_name" "chosen_cert_arn" matched_rule_priority */
	if (lf_quoted(&c, &f) == -1 || lf_token(&c, &f) == -1 ||
	    lf_token(&c, &f) == -1 || lf_token(&c, &f) == -1 ||
	    lf_quoted(&c, &f) == -1 || lf_quoted(&c, &f) == -1 ||
	    lf_quoted(&c, &f) == -1 || lf_token(&c, &f) == -1 ||
	    lf_token(&c, &f) == -1) {
		snprintf(err, errsz, "no 'request_creation_time' field (a line "
		    "cut short?)");
		return -1;
	}
	if (sb_time_parse(f.s, f.n, &created) == -1) {
		snprintf(err, errsz, "'request_creation_time' is not an ISO "
		    "8601 time: '%s'", lf_show(&f, show));
		return -1;
	}
	/* One more: a time cut short can still read as a time. */
	if (lf_quoted(&c, &f) == -1) {
		snprintf(err, errsz, "no quoted 'actions_executed' field (a "
		    "line cut short?)");
		return -1;
	}
	if (t[1] < 0)
		t[1] = ev->time >= created ? (ev->time - created) * 1000 : 0;
	lf_set_numbers(ev, t[1], bytes);
	return 0;
}

const struct sb_logfmt sb_logfmt_alb = { "alb", alb_read };
