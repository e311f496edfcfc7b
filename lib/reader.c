/*
 * reader.c - the JSONL reader and bad-line reporting; see reader.h.
 *
 * Before each read(2) the reader flushes stdout: a tool's output then
 * leaves as soon as it has emitted what its input so far allows, and a
 * fast batch run still writes in large blocks.
 *
 * The reader works on a file descriptor with read(2) rather than stdio so
 * that it can wait in poll(2): with a timeout for --idle-flush, and so
 * that a stop signal wakes it (poll is never restarted after a handler).
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "clock.h"
#include "reader.h"
#include "sig.h"

static void out_flush(void);

#define READ_CHUNK	(64 * 1024)
#define REPORT_BURST	20	/* reports printed before the rate limit */

struct sb_input_stats sb_input_stats;

static double report_tokens = REPORT_BURST;
static time_t report_last;
static int (*tick_fn)(void);

int
sb_reader_open(struct sb_reader *r, const char *path)
{
	memset(r, 0, sizeof *r);
	r->max_line = SB_MAX_LINE_DEFAULT;
	if (path == NULL || strcmp(path, "-") == 0) {
		r->name = "stdin";
		r->fd = STDIN_FILENO;
	} else {
		r->name = path;
		if ((r->fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
			return -1;
	}
	r->cap = READ_CHUNK * 2;
	r->buf = sb_xmalloc(r->cap);
	return 0;
}

void
sb_reader_open_mem(struct sb_reader *r, const char *name, const char *data,
    size_t len)
{
	memset(r, 0, sizeof *r);
	r->max_line = SB_MAX_LINE_DEFAULT;
	r->name = name;
	r->fd = -1;
	r->cap = len + 1;
	r->buf = sb_xmalloc(r->cap);
	memcpy(r->buf, data, len);
	r->end = len;
	r->eof = 1;
}

void
sb_reader_close(struct sb_reader *r)
{
	if (r->fd > STDIN_FILENO)
		close(r->fd);
	free(r->buf);
	r->buf = NULL;
	r->fd = -1;
}

/* Waits until fd is readable; 1 readable, 0 timeout, -1 interrupted. */
static int
wait_readable(int fd, int timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	int n = poll(&pfd, 1, timeout_ms);

	if (n == -1)
		return errno == EINTR ? -1 : 1;	/* let read(2) report it */
	return n > 0;
}

void
sb_reader_tick(int (*tick)(void))
{
	tick_fn = tick;
}

/* wait_readable() that runs the tick meanwhile, on its schedule. */
static int
wait_ticking(int fd, int timeout_ms)
{
	int64_t deadline = sb_monotonic_ms() + timeout_ms;

	for (;;) {
		int next = tick_fn(), ms = timeout_ms, w;

		if (timeout_ms >= 0) {
			int64_t left = deadline - sb_monotonic_ms();
			ms = left < 0 ? 0 : (int)left;
		}
		w = wait_readable(fd, ms < 0 || next < ms ? next : ms);
		if (w != 0 || (timeout_ms >= 0 && sb_monotonic_ms() >= deadline))
			return w;
	}
}

/* Reads more bytes into the buffer; 1 got some, 0 EOF, SB_READ_* else. */
static int
fill(struct sb_reader *r, int timeout_ms)
{
	ssize_t n;

	if (r->start > 0 && r->start == r->end) {
		r->start = r->end = 0;
	} else if (r->start > 0 && r->end + READ_CHUNK > r->cap) {
		memmove(r->buf, r->buf + r->start, r->end - r->start);
		r->end -= r->start;
		r->start = 0;
	}
	if (r->end + READ_CHUNK > r->cap) {
		r->cap = r->end + READ_CHUNK * 2;
		r->buf = sb_xrealloc(r->buf, r->cap);
	}
	/*
	 * Everything the input so far allows has been emitted: push it down
	 * the pipe before waiting for more (slowburn(7), CONVENTIONS).
	 */
	out_flush();
	for (;;) {
		if (sb_stop_requested())
			return 0;
		/*
		 * poll(2) is never restarted after a signal handler, so a
		 * stop request wakes a reader waiting on a pipe, while the
		 * handlers' SA_RESTART keeps writes from failing with EINTR.
		 */
		int w = tick_fn != NULL ? wait_ticking(r->fd, timeout_ms) :
		    wait_readable(r->fd, timeout_ms);
		if (w == 0)
			return SB_READ_TIMEOUT;
		if (w == -1)
			continue;
		n = read(r->fd, r->buf + r->end, r->cap - r->end);
		if (n > 0) {
			r->end += (size_t)n;
			return 1;
		}
		if (n == 0)
			return 0;
		if (errno == EINTR)
			continue;
		warn("%s", r->name);
		return SB_READ_ERROR;
	}
}

static int
blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return 0;
	return 1;
}

int
sb_reader_next(struct sb_reader *r, char **line, size_t *len, int timeout_ms)
{
	for (;;) {
		char *nl = NULL;
		size_t avail = r->end - r->start;

		if (avail > r->scan)
			nl = memchr(r->buf + r->start + r->scan, '\n',
			    avail - r->scan);
		/*
		 * The last line without a newline, at the end of the input;
		 * at a stop it is a line not yet whole, not a bad one: left
		 * unread, as the rest of the input is.
		 */
		if (nl == NULL && r->eof && avail > 0 && !r->skipping)
			nl = r->buf + r->end;
		if (nl == NULL && r->skipping) {
			r->start = r->end;	/* drop what we have */
			r->scan = 0;
			avail = 0;
		}
		if (nl != NULL) {
			char *s = r->buf + r->start;
			size_t n = (size_t)(nl - s);

			r->start += n + (nl < r->buf + r->end);
			r->scan = 0;
			if (r->skipping) {
				r->skipping = 0;
				continue;
			}
			r->lineno++;
			sb_input_stats.lines++;
			if (n > 0 && s[n - 1] == '\r')
				n--;
			if (blank(s, n))
				continue;
			if (n > r->max_line) {
				if (sb_reader_bad(r, "line is %zu bytes, "
				    "longer than the limit of %zu", n,
				    r->max_line) == -1)
					return SB_READ_ERROR;
				continue;
			}
			s[n] = '\0';
			*line = s;
			*len = n;
			return SB_READ_LINE;
		}
		r->scan = avail;
		if (!r->skipping && avail > r->max_line) {
			/*
			 * Too long to be a record: report it now and drop
			 * bytes until its newline, so memory stays bounded.
			 */
			r->lineno++;
			sb_input_stats.lines++;
			if (sb_reader_bad(r, "line is longer than the limit "
			    "of %zu bytes", r->max_line) == -1)
				return SB_READ_ERROR;
			r->skipping = 1;
			r->start = r->end;
			r->scan = 0;
			continue;
		}
		if (r->eof || sb_stop_requested())
			return SB_READ_EOF;
		int rc = fill(r, timeout_ms);
		if (rc == 0 && !sb_stop_requested())
			r->eof = 1;
		else if (rc < 0)
			return rc;
	}
}

/* A token bucket: a burst of reports, then one a second. */
static int
report_allowed(int force)
{
	time_t now = (time_t)(sb_wall_ms() / 1000);

	if (now != report_last) {
		report_tokens += (double)(now - report_last);
		if (report_tokens > REPORT_BURST)
			report_tokens = REPORT_BURST;
		report_last = now;
	}
	if (!force && report_tokens < 1) {
		sb_input_stats.suppressed++;
		return 0;
	}
	report_tokens -= 1;
	return 1;
}

static void
report(struct sb_reader *r, const char *fmt, va_list ap)
{
	char msg[512], more[64] = "";

	vsnprintf(msg, sizeof msg, fmt, ap);
	if (sb_input_stats.suppressed > 0) {
		snprintf(more, sizeof more, " (%llu similar messages suppressed)",
		    (unsigned long long)sb_input_stats.suppressed);
		sb_input_stats.suppressed = 0;
	}
	warnx("%s:%llu: %s%s", r->name, (unsigned long long)r->lineno, msg,
	    more);
}

/* Lines line() took without reporting them bad, for sb_input_run(). */
static uint64_t input_usable;

static int
input_line(const struct sb_input *in, struct sb_reader *r, char *s, size_t n)
{
	uint64_t bad = sb_input_stats.bad;
	int rc = in->line(in->ctx, r, s, n);

	if (rc == 0 && sb_input_stats.bad == bad)
		input_usable++;
	return rc;
}

/* 0 at the end of the operand, 1 after a failure. */
static int
input_one(const struct sb_input *in, const char *path)
{
	struct sb_reader r;
	char *s;
	size_t n;
	int rc;

	if (sb_reader_open(&r, path) == -1) {
		warn("%s", path);
		return 1;
	}
	if (in->max_line > 0)
		r.max_line = in->max_line;
	r.strict = in->strict;
	while ((rc = sb_reader_next(&r, &s, &n, in->idle_ms)) != SB_READ_EOF) {
		if (rc == SB_READ_ERROR)
			break;
		if (rc == SB_READ_TIMEOUT) {
			if (in->idle != NULL)
				in->idle(in->ctx);
		} else if (input_line(in, &r, s, n) == -1) {
			rc = SB_READ_ERROR;
			break;
		}
		if (in->out != NULL)
			sb_out(in->out);
		if (in->after != NULL)
			in->after(in->ctx);
	}
	sb_reader_close(&r);
	return rc == SB_READ_ERROR;
}

int
sb_input_run(const struct sb_input *in, int argc, char **argv)
{
	int status = 0;
	uint64_t bad = sb_input_stats.bad, usable = input_usable;

	if (argc == 0)
		status = input_one(in, "-");
	for (int i = 0; i < argc && !sb_stop_requested(); i++) {
		int failed = input_one(in, argv[i]);

		status |= failed;
		/* A fatal line stops everything; a missing file does not. */
		if (failed && in->strict && sb_input_stats.bad > 0)
			break;
	}
	/* Lines came and not one could be used: the run failed. */
	if (sb_input_stats.bad > bad && input_usable == usable)
		status = 1;
	return status;
}

int
sb_reader_bad(struct sb_reader *r, const char *fmt, ...)
{
	va_list ap;

	sb_input_stats.bad++;
	if (report_allowed(r->strict)) {
		va_start(ap, fmt);
		report(r, fmt, ap);
		va_end(ap);
	}
	return r->strict ? -1 : 0;
}

void
sb_reader_note(struct sb_reader *r, const char *fmt, ...)
{
	va_list ap;

	if (report_allowed(0)) {
		va_start(ap, fmt);
		report(r, fmt, ap);
		va_end(ap);
	}
}

void
sb_reader_summary(void)
{
	if (sb_input_stats.bad == 0)
		return;
	warnx("%llu bad line%s skipped of %llu read",
	    (unsigned long long)sb_input_stats.bad,
	    sb_input_stats.bad == 1 ? "" : "s",
	    (unsigned long long)sb_input_stats.lines);
}

/*
 * The reader of our output went away (EPIPE; SIGPIPE is ignored so that
 * we hear of it here).  Nobody wants what we write any more: stop reading
 * as a stop signal does, so that the tool still finishes its work (saves
 * its state), discard further output, and leave by SIGPIPE at exit as a
 * filter killed by it would, so that the shell sees the usual status.
 */
static int out_broken;

static void
out_exit(void)
{
	if (out_broken) {
		signal(SIGPIPE, SIG_DFL);
		raise(SIGPIPE);
	}
}

static void
out_failed(void)
{
	if (errno != EPIPE)
		err(1, "stdout");
	out_broken = 1;
	sb_request_stop();
}

void
sb_out_init(void)
{
	static char obuf[1 << 16];

	setvbuf(stdout, obuf, _IOFBF, sizeof obuf);
	signal(SIGPIPE, SIG_IGN);
	atexit(out_exit);
}

/* Pushes what is buffered down the pipe. */
static void
out_flush(void)
{
	if (!out_broken && fflush(stdout) == EOF)
		out_failed();
}

void
sb_out(struct sb_buf *b)
{
	if (!out_broken && b->len > 0 &&
	    fwrite(b->s, 1, b->len, stdout) != b->len)
		out_failed();
	sb_buf_reset(b);
}

int
sb_out_flush(struct sb_buf *b)
{
	sb_out(b);
	out_flush();
	return out_broken ? -1 : 0;
}

void
sb_out_end(struct sb_buf *b)
{
	if (b != NULL)
		sb_out(b);
	out_flush();
	if (!out_broken && ferror(stdout))
		err(1, "stdout");
}
