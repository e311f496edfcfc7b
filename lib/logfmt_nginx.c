/*
 * logfmt_nginx.c - nginx's combined format with $request_time and
 * $upstream_response_time appended:
 *
 *	log_format slowburn '$remote_addr - $remote_user [$time_local] '
 *	    '"$request" $status $body_bytes_sent "$http_referer" '
 *	    '"$http_user_agent" $request_time $upstream_response_time';
 *
 * The latency is $upstream_response_time, summed over the upstreams a
 * request tried, when nginx proxied it; $request_time, which also counts
 * the client's own sending and receiving, only when no upstream answered
 * ("-").  Either may be quoted.
 */
#include <stdio.h>

#include "logfmt_impl.h"

static const struct lf_combined_names names = {
	"$time_local", "$request", "$status", "$body_bytes_sent"
};

/* A trailing field, quoted or not. */
static int
trailing(struct lf_cur *c, struct lf_field *f)
{
	if (lf_at_end(c))
		return -1;
	if (*c->p == '"')
		return lf_quoted(c, f);
	/* The rest of the line: $upstream_response_time holds blanks. */
	f->s = c->p;
	f->n = (size_t)(c->end - c->p);
	while (f->n > 0 && (f->s[f->n - 1] == ' ' || f->s[f->n - 1] == '\t'))
		f->n--;
	c->p = c->end;
	return 0;
}

static int
nginx_read(struct sb_event *ev, struct sb_json *js, const char *s, size_t n,
    char *err, size_t errsz)
{
	struct lf_cur c = { s, s + n };
	struct lf_field f = { "", 0 };
	int64_t bytes, rt, ut;
	char show[LF_SHOW];
	int rc;

	if (lf_combined(&c, ev, &bytes, &names, err, errsz) == -1)
		return -1;
	if (lf_at_end(&c)) {
		snprintf(err, errsz, "no '$request_time' after the combined "
		    "fields (add it to log_format; see slowburn-records(5))");
		return -1;
	}
	if ((*c.p == '"' ? lf_quoted(&c, &f) : lf_token(&c, &f)) == -1 ||
	    lf_seconds_us(&f, &rt) == -1) {
		snprintf(err, errsz, "'$request_time' is not seconds: '%s'",
		    lf_show(&f, show));
		return -1;
	}
	if (trailing(&c, &f) == 0) {
		if ((rc = lf_upstream_times(&f, &ut)) == -1 || !lf_at_end(&c)) {
			snprintf(err, errsz, "'$upstream_response_time' is not "
			    "a list of seconds: '%s'", lf_show(&f, show));
			return -1;
		}
		if (rc == 0)
			rt = ut;
	}
	lf_set_numbers(ev, rt, bytes);
	return 0;
}

const struct sb_logfmt sb_logfmt_nginx = { "nginx", nginx_read };
