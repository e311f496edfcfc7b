/*
 * send.c - POST the generator's events to ingestd; see send.h.
 */
#include <curl/curl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "clock.h"
#include "httpc.h"
#include "json.h"
#include "send.h"
#include "sig.h"

#define MAX_REPORTS	5	/* refusals described on stderr */

struct sender {
	const struct send_config *cfg;
	struct send_stats *st;
	CURL		*curl;
	struct curl_slist *headers;
	char		*url;
	struct sb_buf	 body;		/* the batch */
	int		 nbatch;	/* events in it */
	int64_t		 first_due;	/* monotonic ms of its oldest event */
	struct sb_httpc_reply reply;
	int		 reports;
	int64_t		 t0;		/* monotonic ms at the start */
	int64_t		 last_progress;
	int		 gave_up;	/* the server was never reached */
};

/* Sleeps until the monotonic time t, or until a stop is requested. */
static void
sleep_until(int64_t t)
{
	int64_t now;

	while (!sb_stop_requested() && (now = sb_monotonic_ms()) < t) {
		int64_t d = t - now > 200 ? 200 : t - now;
		struct timespec ts = { d / 1000, (long)(d % 1000) * 1000000 };
		nanosleep(&ts, NULL);
	}
}

static void
report(struct sender *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
report(struct sender *s, const char *fmt, ...)
{
	va_list ap;

	if (s->reports++ >= MAX_REPORTS)
		return;
	if (s->cfg->progress)
		fputc('\n', stderr);
	fprintf(stderr, "inject: %s: ", s->url);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* The counts of an ingestd reply; the whole batch if it says nothing. */
static void
count_reply(struct sender *s)
{
	struct sb_json js;
	long t;
	int64_t v;

	sb_json_init(&js);
	if (sb_json_parse(&js, s->reply.body.s != NULL ?
	    s->reply.body.s : "", s->reply.body.len) == 0 && js.tok[0].type == SB_JOBJECT &&
	    (t = sb_json_member(&js, 0, "accepted")) >= 0 &&
	    sb_json_int(&js, (size_t)t, &v) == 0) {
		s->st->accepted += (uint64_t)v;
		if ((t = sb_json_member(&js, 0, "rejected")) >= 0 &&
		    sb_json_int(&js, (size_t)t, &v) == 0)
			s->st->rejected += (uint64_t)v;
	} else {
		s->st->accepted += (uint64_t)s->nbatch;
	}
	sb_json_free(&js);
}

/* The reply's "error", or its first bytes, for a report. */
static const char *
reply_error(struct sender *s, char *buf, size_t n)
{
	struct sb_json js;
	struct sb_buf b = SB_BUF_INIT;
	long t;

	sb_json_init(&js);
	snprintf(buf, n, "%.*s", (int)(s->reply.body.len > 120 ? 120 :
	    s->reply.body.len), s->reply.body.s != NULL ? s->reply.body.s : "");
	if (sb_json_parse(&js, s->reply.body.s != NULL ?
	    s->reply.body.s : "", s->reply.body.len) == 0 && js.tok[0].type == SB_JOBJECT &&
	    (t = sb_json_member(&js, 0, "error")) >= 0 &&
	    sb_json_str(&js, (size_t)t, &b) == 0)
		snprintf(buf, n, "%s", b.s != NULL ? b.s : "");
	sb_buf_free(&b);
	sb_json_free(&js);
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

static void
post_batch(struct sender *s)
{
	struct sb_httpc_req q = { s->url, s->headers, s->body.s, s->body.len,
	    5000L, 60000L, "slowburn-inject", 0 };
	char why[160];
	long code = 0;

	if (s->nbatch == 0)
		return;
	s->st->requests++;
	for (int attempt = 1; ; attempt++) {
		int rc = sb_httpc_post(s->curl, &q, &s->reply);

		if (rc == 0) {
			code = s->reply.status;
			if (code >= 200 && code < 300) {
				count_reply(s);
				break;
			}
			if (code != 503 && code != 429) {
				report(s, "%ld: %s", code,
				    reply_error(s, why, sizeof why));
				s->st->failed += (uint64_t)s->nbatch;
				break;
			}
		}
		if (attempt == (rc == 0 ? SEND_RETRIES :
		    SEND_CONNECT_RETRIES) || sb_stop_requested()) {
			if (rc != 0 && s->st->accepted == 0) {
				/* Never reached: no point going on. */
				report(s, "%s; stopping", s->reply.err);
				s->gave_up = 1;
			} else if (rc != 0)
				report(s, "%s; giving up on %d events",
				    s->reply.err, s->nbatch);
			else
				report(s, "%ld after %d attempts; giving up on "
				    "%d events", code, attempt, s->nbatch);
			s->st->failed += (uint64_t)s->nbatch;
			break;
		}
		s->st->retries++;
		int64_t wait = s->reply.retry_after_ms >= 0 ?
		    s->reply.retry_after_ms : 1000;
		if (wait > 60000)
			wait = 60000;
		sleep_until(sb_monotonic_ms() + wait);
	}
	sb_buf_reset(&s->body);
	s->nbatch = 0;
}

static void
progress(struct sender *s, int last)
{
	int64_t now = sb_monotonic_ms();
	double secs;

	if (!s->cfg->progress || (!last && now - s->last_progress < 1000))
		return;
	s->last_progress = now;
	secs = (double)(now - s->t0) / 1000;
	fprintf(stderr, "\rinject: %llu events sent, %.0f/s, %llu failed ",
	    (unsigned long long)(s->st->accepted + s->st->rejected +
	    s->st->failed), secs > 0 ? (double)s->st->events / secs : 0.0,
	    (unsigned long long)s->st->failed);
	if (last)
		fputc('\n', stderr);
}

static int
setup(struct sender *s)
{
	const char *path;
	size_t n = strlen(s->cfg->url);

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK ||
	    (s->curl = curl_easy_init()) == NULL) {
		fprintf(stderr, "inject: cannot set up libcurl\n");
		return -1;
	}
	/* "http://host:port" or ".../" means the ingest route. */
	path = strstr(s->cfg->url, "://");
	path = path != NULL ? strchr(path + 3, '/') : NULL;
	s->url = sb_xmalloc(n + sizeof "/ingest");
	memcpy(s->url, s->cfg->url, n + 1);
	if (path == NULL)
		strcat(s->url, "/ingest");
	else if (strcmp(path, "/") == 0)
		strcat(s->url, "ingest");
	s->headers = curl_slist_append(NULL,
	    "Content-Type: application/x-ndjson");
	s->headers = curl_slist_append(s->headers, "Expect:");
	if (s->cfg->token != NULL) {
		struct sb_buf h = SB_BUF_INIT;
		sb_buf_printf(&h, "Authorization: Bearer %s", s->cfg->token);
		s->headers = curl_slist_append(s->headers, h.s);
		sb_buf_free(&h);
	}
	return 0;
}

int
send_events(struct gen *g, const struct send_config *cfg,
    struct send_stats *st)
{
	struct sender s;
	struct gen_event ev;

	memset(&s, 0, sizeof s);
	memset(st, 0, sizeof *st);
	s.cfg = cfg;
	s.st = st;
	if (setup(&s) == -1)
		return -1;
	s.t0 = s.last_progress = sb_monotonic_ms();
	while ((cfg->max_events < 0 || (long long)st->events < cfg->max_events)
	    && !sb_stop_requested() && !s.gave_up && gen_next(g, &ev)) {
		int64_t due = s.t0 + (int64_t)((double)(ev.time -
		    g->cfg.start) / cfg->speed);

		if (s.nbatch > 0 && due > s.first_due + SEND_LINGER_MS)
			post_batch(&s);
		sleep_until(due);
		if (sb_stop_requested() || s.gave_up)
			break;
		if (s.nbatch == 0)
			s.first_due = due;
		gen_event_json(&ev, &s.body);
		s.nbatch++;
		st->events++;
		if (s.nbatch == cfg->batch)
			post_batch(&s);
		progress(&s, 0);
	}
	post_batch(&s);
	progress(&s, 1);
	curl_slist_free_all(s.headers);
	curl_easy_cleanup(s.curl);
	curl_global_cleanup();
	free(s.url);
	sb_buf_free(&s.body);
	sb_httpc_reply_free(&s.reply);
	return 0;
}
