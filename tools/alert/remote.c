/*
 * remote.c - the sinks that leave the machine or the process: webhook
 * (Alertmanager v4), slack, pagerduty, exec and alertmanager (its API
 * v2).  For each notification of a group (group.h) each but alertmanager
 * formats its message (PagerDuty: one event
 * per alert that changed, as dedup_key is the alert id), adds it to the
 * spool (durable before any attempt), then drains its spool in order: an
 * attempt, and on a transient failure (no answer, 429, 5xx, a command
 * that timed out or exited 75) a retry after an exponential back-off with
 * jitter, or after Retry-After when the server sent one.  Any other 4xx
 * (or exit status) is permanent: reported once with the response body and
 * dropped.  When the retries run out the message stays spooled and the
 * sink rests for the back-off cap before trying again.
 *
 * Nothing here sleeps between attempts while the input lasts: a failure
 * schedules the next attempt (rest_until) and alert goes back to reading,
 * trying again on the next record or when the input is idle, so a sink
 * that is down neither holds up the pipe nor the other sinks.  Only at the
 * end of the input does remote_close() wait for the retries left.
 *
 * Alertmanager groups for itself: that sink spools a request for each
 * alert record as it is read (am_record()), keeps the alerts firing in
 * the spool too, and posts them again every repeat_ms of wall time
 * (am_repost()) so that Alertmanager's resolve_timeout does not end them.
 *
 * Secrets (URLs, routing keys, header values) never reach a message: a
 * sink is named by its host, and response bodies are scrubbed.
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "clock.h"
#include "httpc.h"
#include "sig.h"
#include "sink.h"

#define PD_EVENTS_URL	"https://events.pagerduty.com/v2/enqueue"
#define EX_TEMPFAIL	75	/* sysexits(3): try again later */

#define AM_API_PATH	"/api/v2/alerts"
#define AM_BATCH	64	/* alerts a re-post sends in one request */
#define REMOTE_BODY_KEEP 2048	/* bytes of a response body kept */

enum kind { K_WEBHOOK, K_SLACK, K_PAGERDUTY, K_EXEC, K_ALERTMANAGER };
enum outcome { SENT, TRANSIENT, PERMANENT };

struct remote {
	enum kind	 kind;
	const char	*name;		/* "webhook": spool and messages */
	char		*target;	/* URL, or command for exec */
	char		*routing_key;	/* pagerduty */
	char		 where[300];	/* "webhook sink (hooks.slack.com)" */
	char		*secrets[3];	/* scrubbed from response bodies */
	char		 path[2048];	/* of the URL: often the secret part */
	struct curl_slist *headers;
	CURL		*curl;
	struct spool	*spool;
	const struct delivery_policy *pol;
	uint64_t	 rng;
	double		 tokens, rate_per_ms, burst;	/* rate 0: none */
	int64_t		 refill_ms;
	int64_t		 rest_until;	/* monotonic ms of the next attempt; 0: now */
	int		 attempt;	/* failed attempts at the spool's first */
	int		 gave_up;	/* its retries ran out: resting */
	int		 failing;	/* the last attempt failed */
	struct sink_stats *stats;	/* the sink's */
	unsigned long	 delivered, refused;
	const char	*external_url;	/* NULL: none */
	int64_t		 repeat_ms;	/* alertmanager: re-post interval */
	int64_t		 next_repost;	/* monotonic ms */
};

/* Sleeps ms, or less when a stop is requested; 0, or -1 if stopped. */
static int
rest(int64_t ms)
{
	int64_t end = sb_monotonic_ms() + ms;
	struct timespec ts;

	while (!sb_stop_requested()) {
		int64_t left = end - sb_monotonic_ms();
		if (left <= 0)
			return 0;
		ts.tv_sec = left / 1000;
		ts.tv_nsec = (long)(left % 1000) * 1000000;
		nanosleep(&ts, NULL);
	}
	return -1;
}

/* xorshift64*: jitter reproducible from --jitter-seed. */
static uint64_t
rng_next(struct remote *r)
{
	r->rng ^= r->rng >> 12;
	r->rng ^= r->rng << 25;
	r->rng ^= r->rng >> 27;
	return r->rng * 2685821657736338717ULL;
}

/*
 * "Equal jitter": half the exponential step plus a random part of the
 * other half, so the delay lies in [d/2, d] with d = min(cap, base 2^n).
 */
static int64_t
backoff_ms(struct remote *r, int attempt)
{
	int64_t d = r->pol->retry_base_ms;

	for (int i = 0; i < attempt && d < r->pol->retry_max_ms; i++)
		d *= 2;
	if (d > r->pol->retry_max_ms)
		d = r->pol->retry_max_ms;
	if (d < 2)
		return d;
	return d / 2 + (int64_t)(rng_next(r) % (uint64_t)(d / 2 + 1));
}

static void
rate_wait(struct remote *r)
{
	int64_t t = sb_monotonic_ms();

	if (r->rate_per_ms <= 0)
		return;
	r->tokens += (double)(t - r->refill_ms) * r->rate_per_ms;
	if (r->tokens > r->burst)
		r->tokens = r->burst;
	r->refill_ms = t;
	if (r->tokens < 1) {
		rest((int64_t)((1 - r->tokens) / r->rate_per_ms) + 1);
		r->tokens = 1;
		r->refill_ms = sb_monotonic_ms();
	}
	r->tokens -= 1;
}

/* The response body as one printable line, secrets replaced. */
static void
scrub(const struct remote *r, const char *body, struct sb_buf *out)
{
	size_t n = strlen(body);

	for (size_t i = 0; i < n && out->len < 512; ) {
		size_t k, sl = 0;
		for (k = 0; k < sizeof r->secrets / sizeof r->secrets[0]; k++)
			if (r->secrets[k] != NULL &&
			    (sl = strlen(r->secrets[k])) > 0 &&
			    strncmp(body + i, r->secrets[k], sl) == 0)
				break;
		if (k < sizeof r->secrets / sizeof r->secrets[0]) {
			sb_buf_puts(out, "[secret]");
			i += sl;
			continue;
		}
		unsigned char c = (unsigned char)body[i++];
		sb_buf_putc(out, c < 0x20 || c == 0x7f ? ' ' : c);
	}
	sb_buf_putc(out, '\0');
}

static enum outcome
send_http(struct remote *r, const struct spool_item *it, int64_t *retry_after,
    struct sb_buf *why)
{
	struct sb_httpc_req q = { r->target, r->headers, it->body, it->len,
	    r->pol->connect_ms, r->pol->total_ms, "slowburn-alert",
	    REMOTE_BODY_KEEP };
	struct sb_httpc_reply rep = { 0 };
	enum outcome o;

	if (sb_httpc_post(r->curl, &q, &rep) == -1) {
		sb_buf_printf(why, "%s", rep.err);
		sb_httpc_reply_free(&rep);
		return TRANSIENT;
	}
	*retry_after = rep.retry_after_ms;
	if (rep.status >= 200 && rep.status < 300)
		o = SENT;
	else if (rep.status == 429 || rep.status == 408 || rep.status >= 500)
		o = TRANSIENT;
	else
		o = PERMANENT;
	sb_buf_printf(why, "HTTP %ld", rep.status);
	if (o == PERMANENT) {
		struct sb_buf s = SB_BUF_INIT;
		scrub(r, rep.body.s != NULL ? rep.body.s : "", &s);
		sb_buf_printf(why, ": %s", s.s);
		sb_buf_free(&s);
	}
	sb_httpc_reply_free(&rep);
	return o;
}

/* Writes all of body to fd before the deadline; -1 on timeout or error. */
static int
write_all(int fd, const char *p, size_t n, int64_t deadline)
{
	struct pollfd pfd = { fd, POLLOUT, 0 };

	while (n > 0) {
		int64_t left = deadline - sb_monotonic_ms();
		if (left <= 0)
			return -1;
		if (poll(&pfd, 1, (int)left) <= 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		ssize_t w = write(fd, p, n);
		if (w < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (w < 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static enum outcome
send_exec(struct remote *r, const struct spool_item *it, struct sb_buf *why)
{
	int64_t deadline = sb_monotonic_ms() + r->pol->exec_timeout_ms;
	int fds[2], status;
	pid_t pid, w;

	fflush(stdout);
	if (pipe(fds) == -1) {
		sb_buf_printf(why, "pipe: %s", strerror(errno));
		return TRANSIENT;
	}
	if ((pid = fork()) == -1) {
		sb_buf_printf(why, "fork: %s", strerror(errno));
		close(fds[0]);
		close(fds[1]);
		return TRANSIENT;
	}
	if (pid == 0) {
		setpgid(0, 0);	/* so that a timeout kills the whole command */
		signal(SIGPIPE, SIG_DFL);
		dup2(fds[0], STDIN_FILENO);
		close(fds[0]);
		close(fds[1]);
		execl("/bin/sh", "sh", "-c", r->target, (char *)NULL);
		_exit(127);
	}
	setpgid(pid, pid);
	close(fds[0]);
	fcntl(fds[1], F_SETFL, O_NONBLOCK);
	write_all(fds[1], it->body, it->len, deadline);
	write_all(fds[1], "\n", 1, deadline);
	close(fds[1]);
	while ((w = waitpid(pid, &status, WNOHANG)) == 0 &&
	    sb_monotonic_ms() < deadline)
		rest(10);
	if (w == 0) {
		kill(-pid, SIGKILL);
		waitpid(pid, &status, 0);
		sb_buf_printf(why, "command timed out");
		return TRANSIENT;
	}
	if (w == -1) {
		sb_buf_printf(why, "waitpid: %s", strerror(errno));
		return TRANSIENT;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return SENT;
	if (WIFEXITED(status)) {
		sb_buf_printf(why, "command exited %d", WEXITSTATUS(status));
		return WEXITSTATUS(status) == EX_TEMPFAIL ? TRANSIENT : PERMANENT;
	}
	sb_buf_printf(why, "command killed by signal %d", WTERMSIG(status));
	return TRANSIENT;
}

/* "alert 9f3c2a71", or "alerts 9f3c2a71,1b2c3d4e" for a group message. */
static const char *
alerts_word(const struct spool_item *it)
{
	return strchr(it->id, ',') != NULL ? "alerts" : "alert";
}

/*
 * One attempt at it: SENT or PERMANENT (the message is done), or
 * TRANSIENT, when rest_until says when to try again.
 */
static enum outcome
attempt_one(struct remote *r, const struct spool_item *it)
{
	struct sb_buf why = SB_BUF_INIT;
	int64_t ra = -1, delay;
	enum outcome o;

	rate_wait(r);
	if (r->failing)
		r->stats->retries++;
	o = r->kind == K_EXEC ? send_exec(r, it, &why) :
	    send_http(r, it, &ra, &why);
	r->failing = o == TRANSIENT;
	r->stats->sent += o == SENT;
	r->stats->failed += o == TRANSIENT;
	r->stats->refused += o == PERMANENT;
	if (o == SENT) {
		r->delivered++;
	} else if (o == PERMANENT) {
		warnx("%s: %s %s refused, not retried: %s", r->where,
		    alerts_word(it), it->id, why.s);
		r->refused++;
	} else if (r->attempt == r->pol->retries) {
		warnx("%s: %s %s: %s; giving up for now after %d attempts, "
		    "kept in the spool", r->where, alerts_word(it), it->id,
		    why.s, r->attempt + 1);
		r->attempt = 0;
		r->gave_up = 1;
		r->rest_until = sb_monotonic_ms() + r->pol->retry_max_ms;
	} else {
		delay = ra >= 0 ? ra : backoff_ms(r, r->attempt);
		r->attempt++;
		warnx("%s: %s %s: %s; retry %d of %d in %lldms%s", r->where,
		    alerts_word(it), it->id, why.s, r->attempt, r->pol->retries,
		    (long long)delay, ra >= 0 ? " (Retry-After)" : "");
		r->rest_until = sb_monotonic_ms() + delay;
	}
	if (o != TRANSIENT)
		r->attempt = 0;
	sb_buf_free(&why);
	return o;
}

/*
 * Sends what the spool holds, in order, as far as the schedule allows:
 * 0 when it is empty, 1 when a message waits for its next attempt, -1
 * when the spool could not be saved.
 */
static int
drain(struct remote *r)
{
	struct spool_item *it;

	while ((it = spool_first(r->spool, r->name)) != NULL) {
		if (sb_stop_requested() || (r->rest_until != 0 &&
		    sb_monotonic_ms() < r->rest_until))
			return 1;
		r->rest_until = 0;
		r->gave_up = 0;
		if (attempt_one(r, it) == TRANSIENT)
			return 1;
		if (spool_remove(r->spool, it) == -1) {
			warnx("spool: %s", spool_error(r->spool));
			return -1;
		}
	}
	return 0;
}

static void
remote_free(struct remote *r)
{
	curl_slist_free_all(r->headers);
	if (r->curl != NULL)
		curl_easy_cleanup(r->curl);
	free(r->target);
	free(r->routing_key);
	free(r);
}

static int
has_crlf(const char *s)
{
	return strpbrk(s, "\r\n") != NULL;
}

static int	remote_setup(struct remote *, const struct sink_config *);

/* The base URL of an Alertmanager, or already its /api/v2/alerts. */
static char *
am_api_url(const char *base)
{
	struct sb_buf b = SB_BUF_INIT;
	size_t n = strlen(base), k = strlen(AM_API_PATH);
	char *s;

	if (n >= k && strcmp(base + n - k, AM_API_PATH) == 0)
		return sb_xstrdup(base);
	while (n > 0 && base[n - 1] == '/')
		n--;
	sb_buf_add(&b, base, n);
	sb_buf_puts(&b, AM_API_PATH);
	sb_buf_putc(&b, '\0');
	s = sb_xstrdup(b.s);
	sb_buf_free(&b);
	return s;
}

/* On failure nothing is left allocated: close() is not called then. */
static int
remote_open(struct sink *s, const struct sink_config *cfg, enum kind kind,
    const char *name)
{
	struct remote *r = sb_xcalloc(1, sizeof *r);

	r->kind = kind;
	r->name = name;
	r->stats = &s->stats;
	if (remote_setup(r, cfg) == -1) {
		remote_free(r);
		s->priv = NULL;
		return -1;
	}
	s->priv = r;
	return 0;
}

static int
remote_setup(struct remote *r, const struct sink_config *cfg)
{
	enum kind kind = r->kind;
	const char *name = r->name;
	char host[256];

	r->spool = cfg->spool;
	r->pol = cfg->pol;
	r->rng = cfg->pol->seed ^ (0x9e3779b97f4a7c15ULL * (uint64_t)(kind + 1));
	if (r->rng == 0)
		r->rng = 1;
	if (kind == K_PAGERDUTY) {
		r->routing_key = sb_xstrdup(cfg->target);
		r->target = sb_xstrdup(cfg->pd_url != NULL ? cfg->pd_url :
		    PD_EVENTS_URL);
	} else if (kind == K_ALERTMANAGER) {
		r->target = am_api_url(cfg->target);
		r->repeat_ms = cfg->am_repeat_ms;
		/* Firing alerts of an earlier run: Alertmanager waits for them. */
		r->next_repost = sb_monotonic_ms();
	} else
		r->target = sb_xstrdup(cfg->target);
	r->external_url = cfg->external_url;
	if (kind == K_EXEC) {
		snprintf(r->where, sizeof r->where, "exec sink");
		return 0;
	}
	sb_httpc_url_host(r->target, host, sizeof host);
	snprintf(r->where, sizeof r->where, "%s sink (%s)", name, host);
	r->secrets[0] = r->target;
	r->secrets[1] = r->routing_key;
	sb_httpc_url_path(r->target, r->path, sizeof r->path);
	if (strlen(r->path) > 1)
		r->secrets[2] = r->path;
	if (has_crlf(r->target)) {
		warnx("%s: the URL holds a CR or LF", r->where);
		return -1;
	}
	r->headers = curl_slist_append(NULL, "Content-Type: application/json");
	r->headers = curl_slist_append(r->headers, "Expect:");
	for (size_t i = 0; (kind == K_WEBHOOK || kind == K_ALERTMANAGER) &&
	    cfg->headers != NULL &&
	    cfg->headers[i] != NULL; i++) {
		if (has_crlf(cfg->headers[i]) ||
		    strchr(cfg->headers[i], ':') == NULL) {
			warnx("%s: header %zu is not one 'Name: value' line",
			    r->where, i + 1);
			return -1;
		}
		r->headers = curl_slist_append(r->headers, cfg->headers[i]);
	}
	if ((r->curl = curl_easy_init()) == NULL) {
		warnx("%s: cannot start libcurl", r->where);
		return -1;
	}
	if (kind == K_SLACK) {
		/* Slack allows about one message a second per webhook. */
		r->rate_per_ms = 1.0 / 1000;
		r->burst = r->tokens = 3;
		r->refill_ms = sb_monotonic_ms();
	}
	if (spool_count(r->spool, name) > 0)
		warnx("%s: %zu alerts pending from an earlier run, sending them "
		    "first", r->where, spool_alerts(r->spool, name));
	return drain(r) == -1 ? -1 : 0;
}

static int
webhook_open(struct sink *s, const struct sink_config *cfg)
{
	return remote_open(s, cfg, K_WEBHOOK, "webhook");
}

static int
slack_open(struct sink *s, const struct sink_config *cfg)
{
	return remote_open(s, cfg, K_SLACK, "slack");
}

static int
pagerduty_open(struct sink *s, const struct sink_config *cfg)
{
	return remote_open(s, cfg, K_PAGERDUTY, "pagerduty");
}

static int
exec_open(struct sink *s, const struct sink_config *cfg)
{
	return remote_open(s, cfg, K_EXEC, "exec");
}

static int
alertmanager_open(struct sink *s, const struct sink_config *cfg)
{
	return remote_open(s, cfg, K_ALERTMANAGER, "alertmanager");
}

/* Formats and spools; the spool batch of the caller saves it. */
static int
spool_message(struct remote *r, const char *ids, const struct sb_buf *b)
{
	if (spool_add(r->spool, r->name, ids, b->s, b->len) == -1) {
		warnx("%s: alerts %s not queued: %s", r->where, ids,
		    spool_error(r->spool));
		return -1;
	}
	return 0;
}

static int
remote_notify(struct sink *s, const struct notification *nt)
{
	struct remote *r = s->priv;
	struct sb_buf b = SB_BUF_INIT;
	int rc = 0;

	switch (r->kind) {
	case K_WEBHOOK:
		payload_alertmanager(&b, nt->alerts, nt->n, nt->group_by,
		    r->external_url);
		rc = spool_message(r, nt->ids, &b);
		break;
	case K_SLACK:
		payload_slack(&b, nt->alerts, nt->n);
		rc = spool_message(r, nt->ids, &b);
		break;
	case K_PAGERDUTY:
		/* Not merged: one event per alert, dedup_key its id. */
		for (size_t i = 0; i < nt->n && rc == 0; i++) {
			if (!nt->news[i])
				continue;
			sb_buf_reset(&b);
			payload_pagerduty(&b, nt->alerts[i], r->routing_key);
			rc = spool_message(r, nt->alerts[i]->id, &b);
		}
		break;
	case K_ALERTMANAGER:
		break;		/* not grouped: see am_record() */
	case K_EXEC:
		/* The records of the group, one a line. */
		for (size_t i = 0; i < nt->n; i++) {
			if (i > 0)
				sb_buf_putc(&b, '\n');
			sb_buf_add(&b, nt->raws[i], nt->rawlens[i]);
		}
		rc = spool_message(r, nt->ids, &b);
		break;
	}
	sb_buf_free(&b);
	return rc;
}

static int
am_commit(struct remote *r)
{
	if (spool_commit(r->spool) == -1) {
		warnx("%s: alerts not queued: %s", r->where,
		    spool_error(r->spool));
		return -1;
	}
	return 0;
}

static struct spool_item *
am_firing_find(struct remote *r, const char *name)
{
	struct spool_item *it;

	for (it = spool_first(r->spool, AM_FIRING_SPOOL); it != NULL;
	    it = spool_next(it, AM_FIRING_SPOOL))
		if (strcmp(it->id, name) == 0)
			return it;
	return NULL;
}

/* Whether the posted object has a's labels: only severity may change. */
static int
am_same_labels(const struct spool_item *it, const struct alert_view *a)
{
	struct sb_json js;
	long t;
	int same;

	sb_json_init(&js);
	same = sb_json_parse(&js, it->body, it->len) == 0 &&
	    (t = sb_json_path(&js, 0, "labels.severity")) >= 0 &&
	    sb_json_streq(&js, (size_t)t, a->severity);
	sb_json_free(&js);
	return same;
}

/*
 * One alert record: a POST of it is spooled, and the set of alerts
 * firing (spool items of AM_FIRING_SPOOL, their posted objects) is
 * updated in the same atomic change.  Alertmanager knows an alert by
 * its labels: when the severity changes, the alert posted with the old
 * one is ended at the record's time, and a new one fires.
 */
static int
am_record(struct remote *r, const struct alert_view *a)
{
	const char *name = *a->id != '\0' ? a->id : a->key;
	struct spool_item *old = am_firing_find(r, name);
	struct sb_buf msg = SB_BUF_INIT, one = SB_BUF_INIT;
	int same = old != NULL && am_same_labels(old, a), rc;

	spool_begin(r->spool);
	sb_buf_putc(&msg, '[');
	if (old != NULL && !same) {
		am_alert_ended(&msg, old->body, old->len,
		    a->has_resolved ? a->resolved : a->at);
		if (!av_resolved(a))
			sb_buf_putc(&msg, ',');
	}
	if (!av_resolved(a) || old == NULL || same) {
		payload_am_alert(&one, a, r->external_url);
		sb_buf_add(&msg, one.s, one.len);
	}
	sb_buf_putc(&msg, ']');
	if (old != NULL)
		spool_remove(r->spool, old);
	if (!av_resolved(a)) {
		/* The first one firing starts the re-post clock. */
		if (spool_first(r->spool, AM_FIRING_SPOOL) == NULL)
			r->next_repost = sb_monotonic_ms() + r->repeat_ms;
		spool_add(r->spool, AM_FIRING_SPOOL, name, one.s, one.len);
	}
	spool_add(r->spool, r->name, name, msg.s, msg.len);
	rc = am_commit(r);
	sb_buf_free(&msg);
	sb_buf_free(&one);
	return rc;
}

/*
 * Every repeat_ms of wall time the alerts firing are posted again, in
 * batches, so that Alertmanager does not end them after its
 * resolve_timeout.  Not while earlier messages wait: they go first, and
 * the re-post right after them.
 */
static int
am_repost(struct remote *r)
{
	struct spool_item *it;
	struct sb_buf msg = SB_BUF_INIT, ids = SB_BUF_INIT;
	int64_t now = sb_monotonic_ms();
	int n = 0, rc;

	if (now < r->next_repost || spool_first(r->spool, r->name) != NULL)
		return 0;
	r->next_repost = now + r->repeat_ms;
	if ((it = spool_first(r->spool, AM_FIRING_SPOOL)) == NULL)
		return 0;
	spool_begin(r->spool);
	for (; it != NULL; it = spool_next(it, AM_FIRING_SPOOL)) {
		sb_buf_putc(&msg, n == 0 ? '[' : ',');
		sb_buf_add(&msg, it->body, it->len);
		if (n > 0)
			sb_buf_putc(&ids, ',');
		sb_buf_puts(&ids, it->id);
		if (++n < AM_BATCH && spool_next(it, AM_FIRING_SPOOL) != NULL)
			continue;
		sb_buf_putc(&msg, ']');
		sb_buf_putc(&ids, '\0');
		spool_add(r->spool, r->name, ids.s, msg.s, msg.len);
		sb_buf_reset(&msg);
		sb_buf_reset(&ids);
		n = 0;
	}
	rc = am_commit(r);
	sb_buf_free(&msg);
	sb_buf_free(&ids);
	return rc;
}

/* Alerts arrive through remote_notify(); alert sends with remote_idle(). */
static int
remote_deliver(struct sink *s, const struct delivery *d)
{
	struct remote *r = s->priv;

	if (r->kind == K_ALERTMANAGER && d->kind == REC_ALERT)
		return am_record(r, d->av);
	return 0;
}

int
remote_dropped_resolve(struct sink *s, const struct alert_view *a)
{
	struct remote *r = s->priv;

	if (r == NULL || r->kind != K_ALERTMANAGER || !av_resolved(a) ||
	    am_firing_find(r, *a->id != '\0' ? a->id : a->key) == NULL)
		return 0;
	return am_record(r, a);
}

static int
remote_flush(struct sink *s)
{
	return 0;
}

int
remote_idle(struct sink *s)
{
	struct remote *r = s->priv;

	if (r == NULL)
		return 0;
	if (r->kind == K_ALERTMANAGER && am_repost(r) == -1)
		return -1;
	if (spool_first(r->spool, r->name) != NULL)
		return drain(r) == -1 ? -1 : 0;
	return 0;
}

static int
remote_close(struct sink *s)
{
	struct remote *r = s->priv;
	size_t pending;
	int rc = 0;

	/*
	 * The end of the input: the retries left are waited for here, as
	 * a finite input must not end before its messages had their chance;
	 * a sink already resting after a full round is not waited for.
	 */
	while (!sb_stop_requested() && !r->gave_up) {
		int d = drain(r);
		if (d == -1)
			rc = -1;
		if (d != 1 || r->gave_up ||
		    rest(r->rest_until - sb_monotonic_ms()) == -1)
			break;
	}
	pending = spool_alerts(r->spool, r->name);
	if (pending > 0 && spool_name(r->spool) != NULL &&
	    !spool_saved(r->spool))
		warnx("%s: %zu alerts pending, not all of them in %s (it "
		    "could not be written): the input must be sent again",
		    r->where, pending, spool_name(r->spool));
	else if (pending > 0 && spool_name(r->spool) != NULL)
		warnx("%s: %zu alerts pending in %s, sent on the next run",
		    r->where, pending, spool_name(r->spool));
	else if (pending > 0)
		warnx("%s: %zu alerts not delivered (no --spool: lost)",
		    r->where, pending);
	if (r->refused > 0)
		warnx("%s: %lu alerts refused", r->where, r->refused);
	if (pending > 0 || r->refused > 0)
		rc = -1;
	remote_free(r);
	s->priv = NULL;
	return rc;
}

const struct sink_ops webhook_sink = {
	"webhook", webhook_open, remote_deliver, remote_notify, remote_flush,
	    remote_close
};
const struct sink_ops slack_sink = {
	"slack", slack_open, remote_deliver, remote_notify, remote_flush,
	    remote_close
};
const struct sink_ops pagerduty_sink = {
	"pagerduty", pagerduty_open, remote_deliver, remote_notify, remote_flush,
	    remote_close
};
const struct sink_ops exec_sink = {
	"exec", exec_open, remote_deliver, remote_notify, remote_flush,
	    remote_close
};
/* No notify(): Alertmanager groups, so alerts go as they are read. */
const struct sink_ops alertmanager_sink = {
	"alertmanager", alertmanager_open, remote_deliver, NULL, remote_flush,
	    remote_close
};

int
sink_is_remote(const struct sink *s)
{
	return s->ops == &webhook_sink || s->ops == &slack_sink ||
	    s->ops == &pagerduty_sink || s->ops == &exec_sink ||
	    s->ops == &alertmanager_sink;
}
