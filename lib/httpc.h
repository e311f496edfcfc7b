/*
 * httpc.h - one HTTP POST with libcurl, for the tools that send: alert's
 * webhook, Slack and PagerDuty sinks, inject --url.  Connect and total
 * timeouts, no redirects followed (they could carry a secret URL
 * elsewhere), http and https only; what comes back is the status, the
 * Retry-After (delay-seconds or an HTTP-date, strictly) and the body or
 * its start.
 *
 *	struct sb_httpc_req q = { .url = url, .headers = h, .body = b,
 *	    .len = n, .connect_ms = 5000, .total_ms = 10000,
 *	    .user_agent = "slowburn-alert", .body_keep = 2048 };
 *	struct sb_httpc_reply r = { 0 };
 *
 *	if (sb_httpc_post(curl, &q, &r) == 0 && r.status == 503)
 *		wait(r.retry_after_ms);
 *	sb_httpc_reply_free(&r);
 *
 * The CURL handle is the caller's (keep one to reuse connections); it is
 * reset before each request.  The request's strings are the caller's;
 * the reply owns its body buffer.  Retrying is the caller's policy.
 */
#ifndef SB_HTTPC_H
#define SB_HTTPC_H

#include <stddef.h>
#include <stdint.h>

#include <curl/curl.h>

#include "buf.h"

struct sb_httpc_req {
	const char	*url;
	struct curl_slist *headers;	/* Content-Type and the like */
	const char	*body;
	size_t		 len;
	long		 connect_ms;
	long		 total_ms;
	const char	*user_agent;
	size_t		 body_keep;	/* bytes of the reply kept; 0: all */
};

struct sb_httpc_reply {
	long		 status;	/* 0 when no answer came */
	int64_t		 retry_after_ms; /* -1 when absent or unreadable */
	struct sb_buf	 body;		/* NUL-terminated when answered */
	char		 err[128];	/* the transport error, no URL in it */
};

/* 0 with r->status set when the server answered; -1 with r->err. */
int	 sb_httpc_post(CURL *, const struct sb_httpc_req *,
	    struct sb_httpc_reply *r);
void	 sb_httpc_reply_free(struct sb_httpc_reply *);
/*
 * A Retry-After value in milliseconds: delay-seconds (digits only, up to
 * 10^9 s) or an HTTP-date (later than now_s, else 0); -1 if neither.
 */
int64_t	 sb_httpc_retry_after(const char *value, int64_t now_s);
/* The host of url (no scheme, user, port, path or query), or "?". */
void	 sb_httpc_url_host(const char *url, char *out, size_t outsz);
/* The path and query of url ("/services/T0/B0/XXXX"), or "". */
void	 sb_httpc_url_path(const char *url, char *out, size_t outsz);

#endif
