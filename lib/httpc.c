/*
 * httpc.c - one HTTP POST with libcurl; see httpc.h.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "httpc.h"

/* What the callbacks write to. */
struct post {
	struct sb_httpc_reply *r;
	size_t		 keep;
};

static size_t
on_body(char *p, size_t size, size_t n, void *arg)
{
	struct post *pp = arg;
	struct sb_httpc_reply *r = pp->r;
	size_t len = size * n, room;

	if (pp->keep == 0)
		room = len;
	else
		room = r->body.len < pp->keep ? pp->keep - r->body.len : 0;
	if (room > 0)
		sb_buf_add(&r->body, p, len < room ? len : room);
	return len;
}

static size_t
on_header(char *p, size_t size, size_t n, void *arg)
{
	struct sb_httpc_reply *r = arg;
	size_t len = size * n;
	static const char name[] = "retry-after:";
	char v[128];
	size_t i, j;

	if (len < sizeof name - 1 || strncasecmp(p, name, sizeof name - 1) != 0)
		return len;
	for (i = sizeof name - 1; i < len && (p[i] == ' ' || p[i] == '\t'); i++)
		;
	for (j = 0; i < len && p[i] != '\r' && p[i] != '\n' && j < sizeof v - 1; )
		v[j++] = p[i++];
	v[j] = '\0';
	r->retry_after_ms = sb_httpc_retry_after(v, sb_wall_ms() / 1000);
	return len;
}

int64_t
sb_httpc_retry_after(const char *v, int64_t now_s)
{
	const char *p = v;
	int64_t s = 0;
	time_t t;

	if (*p == '\0')
		return -1;
	if (isdigit((unsigned char)*p)) {
		for (; isdigit((unsigned char)*p); p++) {
			if (s > 1000000000)
				return -1;
			s = s * 10 + (*p - '0');
		}
		return *p == '\0' ? s * 1000 : -1;
	}
	if ((t = curl_getdate(v, NULL)) == -1)
		return -1;
	return (int64_t)t > now_s ? ((int64_t)t - now_s) * 1000 : 0;
}

int
sb_httpc_post(CURL *c, const struct sb_httpc_req *q,
    struct sb_httpc_reply *r)
{
	struct post pp = { r, q->body_keep };
	CURLcode rc;

	r->status = 0;
	r->retry_after_ms = -1;
	r->err[0] = '\0';
	sb_buf_reset(&r->body);
	curl_easy_reset(c);
	curl_easy_setopt(c, CURLOPT_URL, q->url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, q->headers);
	curl_easy_setopt(c, CURLOPT_POST, 1L);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, q->body);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)q->len);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &pp);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, q->connect_ms);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, q->total_ms);
	curl_easy_setopt(c, CURLOPT_USERAGENT, q->user_agent);
	/* Redirects could carry a secret URL elsewhere: never follow. */
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	rc = curl_easy_perform(c);
	if (rc != CURLE_OK) {
		snprintf(r->err, sizeof r->err, "%s", curl_easy_strerror(rc));
		return -1;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	sb_buf_putc(&r->body, '\0');
	r->body.len--;
	return 0;
}

void
sb_httpc_reply_free(struct sb_httpc_reply *r)
{
	sb_buf_free(&r->body);
}

void
sb_httpc_url_host(const char *url, char *out, size_t outsz)
{
	CURLU *u = curl_url();
	char *host = NULL;

	snprintf(out, outsz, "?");
	if (u == NULL)
		return;
	if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK)
		snprintf(out, outsz, "%s", host);
	curl_free(host);
	curl_url_cleanup(u);
}

void
sb_httpc_url_path(const char *url, char *out, size_t outsz)
{
	CURLU *u = curl_url();
	char *path = NULL, *query = NULL;

	snprintf(out, outsz, "%s", "");
	if (u == NULL)
		return;
	if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK) {
		curl_url_get(u, CURLUPART_PATH, &path, 0);
		curl_url_get(u, CURLUPART_QUERY, &query, 0);
		snprintf(out, outsz, "%s%s%s", path != NULL && strcmp(path, "/") != 0 ?
		    path : "", query != NULL ? "?" : "", query != NULL ? query : "");
	}
	curl_free(path);
	curl_free(query);
	curl_url_cleanup(u);
}
