/*
 * http.h - one JSON POST with libcurl, connect and total timeouts, and
 * what alert needs from the answer: the status, Retry-After and the
 * start of the body (for the one report of a permanent failure).
 *
 * The handle is the caller's (one per sink, so connections are reused);
 * the reply owns its body buffer (http_reply_free()).
 */
#ifndef HTTP_H
#define HTTP_H

#include <stddef.h>
#include <stdint.h>

#include <curl/curl.h>

#include "buf.h"

#define HTTP_BODY_KEEP	2048	/* bytes of a response body kept */

struct http_reply {
	long		 status;	/* 0 when no answer came */
	int64_t		 retry_after_ms; /* -1 when absent or unreadable */
	struct sb_buf	 body;
	char		 err[128];	/* the transport error, no URL in it */
};

/* 0 with r->status set when the server answered; -1 with r->err. */
int	 http_post_json(CURL *, const char *url, struct curl_slist *headers,
	    const char *body, size_t len, long connect_ms, long total_ms,
	    struct http_reply *r);
void	 http_reply_free(struct http_reply *);
/* The host of url (no scheme, user, port, path or query): "hooks.slack.com". */
void	 http_url_host(const char *url, char *out, size_t outsz);
/* The path and query of url ("/services/T0/B0/XXXX"), or "". */
void	 http_url_path(const char *url, char *out, size_t outsz);
/* Retry-After: delay-seconds or an HTTP-date; -1 if neither. */
int64_t	 http_retry_after(const char *value, int64_t now_s);

#endif
