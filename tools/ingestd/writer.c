/*
 * writer.c - the writer thread, the fsync thread and the queue; see
 * writer.h.
 */
/* SCHED_BATCH is Linux's, a GNU extension. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/uio.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "clock.h"
#include "file.h"
#include "json.h"
#include "metrics.h"
#include "rstream.h"
#include "writer.h"

#define RETRY_MS	1000		/* refuse this long after a failed write */
#define MIN_FREE	(64 * 1024)	/* room that makes an idle probe healthy */
#define MAX_IOV		1024

static struct {
	struct writer_config cfg;
	pthread_mutex_t	 mu;		/* the queue and the health state */
	pthread_cond_t	 cv;
	struct wbatch	*head;
	struct wbatch	**tail;
	int		 stop;
	int		 reopen;
	int		 healthy;
	int64_t		 retry_at;	/* monotonic ms */
	char		 why[256];
	atomic_int	 broken;
	pthread_mutex_t	 fd_mu;		/* fd changes; the fsync thread's use */
	int		 fd;		/* -1 while it cannot be opened */
	int		 is_stdout;
	atomic_int	 dirty;		/* written since the last fsync */
	pthread_cond_t	 sync_cv;
	int		 sync_stop;	/* under fd_mu */
	pthread_t	 thread;
	pthread_t	 sync_thread;
	int		 has_sync_thread;
	struct sb_rstream *rs;		/* --redis-shards */
	struct sb_json	 js;
	struct sb_buf	*chunk;		/* per shard: a batch's lines */
	uint64_t	*backlog;	/* per shard, as checked for a group */
	unsigned char	*checked;
} w = {
	.mu = PTHREAD_MUTEX_INITIALIZER,
	.cv = PTHREAD_COND_INITIALIZER,
	.fd_mu = PTHREAD_MUTEX_INITIALIZER,
	.sync_cv = PTHREAD_COND_INITIALIZER,
	.fd = -1,
};

/* Ends a last line that a kill in the middle of a write left unfinished
 * (hence O_RDWR: to read the last byte). */
static void
end_torn_line(int fd)
{
	struct stat st;
	char c;

	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) || st.st_size == 0)
		return;
	if (pread(fd, &c, 1, st.st_size - 1) != 1 || c == '\n')
		return;
	if (write(fd, "\n", 1) == 1)
		w.cfg.log(LOG_WARNING, "%s: the last line was incomplete "
		    "(a write cut short, never acknowledged); ended it",
		    w.cfg.path);
}

static int
open_output(char *err, size_t errsz)
{
	int fd;

	if (w.is_stdout)
		return STDOUT_FILENO;
	if (sb_file_mkparents(w.cfg.path) == -1 ||
	    (fd = open(w.cfg.path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC,
	    0644)) == -1) {
		snprintf(err, errsz, "%s: %s", w.cfg.path, strerror(errno));
		return -1;
	}
	end_torn_line(fd);
	return fd;
}

static void
set_unhealthy(const char *why)
{
	pthread_mutex_lock(&w.mu);
	if (w.healthy)
		w.cfg.log(LOG_ERR, "%s; answering 503 until it can be written "
		    "again", why);
	w.healthy = 0;
	w.retry_at = sb_monotonic_ms() + RETRY_MS;
	snprintf(w.why, sizeof w.why, "%s", why);
	pthread_mutex_unlock(&w.mu);
	atomic_store(&metrics.healthy, 0);
}

static void
set_healthy(void)
{
	pthread_mutex_lock(&w.mu);
	if (!w.healthy)
		w.cfg.log(LOG_NOTICE, "%s: writable again",
		    w.is_stdout ? "stdout" : w.cfg.path);
	w.healthy = 1;
	w.why[0] = '\0';
	pthread_mutex_unlock(&w.mu);
	atomic_store(&metrics.healthy, 1);
}

static void
sync_output(int fd)
{
	int64_t t0 = sb_monotonic_ns();

	if (fdatasync(fd) == -1 && errno != EINVAL && errno != EROFS) {
		atomic_fetch_add(&metrics.fsync_errors, 1);
		w.cfg.log(LOG_ERR, "%s: fdatasync: %s", w.cfg.path,
		    strerror(errno));
	}
	metrics_observe(&metrics.fsync_seconds, sb_monotonic_ns() - t0);
}

/* Writes every batch of the list, in order; 0, or -1 with errno set. */
static int
write_list(int fd, struct wbatch *b)
{
	struct iovec iov[MAX_IOV];
	int n;

	while (b != NULL) {
		for (n = 0; b != NULL && n < MAX_IOV; b = b->next) {
			if (b->len == 0)
				continue;
			iov[n].iov_base = (void *)(uintptr_t)b->data;
			iov[n].iov_len = b->len;
			n++;
		}
		struct iovec *v = iov;
		while (n > 0) {
			ssize_t k = writev(fd, v, n);
			if (k == -1) {
				if (errno == EINTR)
					continue;
				return -1;
			}
			atomic_fetch_add(&metrics.written_bytes, (uint64_t)k);
			while (n > 0 && (size_t)k >= v->iov_len) {
				k -= (ssize_t)v->iov_len;
				v++;
				n--;
			}
			if (n > 0) {
				v->iov_base = (char *)v->iov_base + k;
				v->iov_len -= (size_t)k;
			}
		}
	}
	return 0;
}

/* Writes a group of batches; 1 if written (and synced if always). */
static int
write_group(struct wbatch *list)
{
	char why[256], err[200];
	off_t before = -1;
	int64_t t0;

	if (atomic_load(&w.broken))
		return 0;
	if (w.fd == -1) {
		int fd = open_output(err, sizeof err);
		if (fd == -1) {
			set_unhealthy(err);
			return 0;
		}
		pthread_mutex_lock(&w.fd_mu);
		w.fd = fd;
		pthread_mutex_unlock(&w.fd_mu);
	}
	if (!w.is_stdout)
		before = lseek(w.fd, 0, SEEK_END);
	t0 = sb_monotonic_ns();
	if (write_list(w.fd, list) == -1) {
		int e = errno;

		atomic_fetch_add(&metrics.write_errors, 1);
		/* Cut a partial group off, so that no line is torn. */
		if (before >= 0 && ftruncate(w.fd, before) == -1)
			w.cfg.log(LOG_ERR, "%s: ftruncate: %s", w.cfg.path,
			    strerror(errno));
		if (w.is_stdout && e == EPIPE) {
			w.cfg.log(LOG_ERR, "stdout: the reader went away; "
			    "stopping");
			atomic_store(&w.broken, 1);
		}
		snprintf(why, sizeof why, "%s: write: %s",
		    w.is_stdout ? "stdout" : w.cfg.path, strerror(e));
		set_unhealthy(why);
		return 0;
	}
	metrics_observe(&metrics.write_seconds, sb_monotonic_ns() - t0);
	if (w.cfg.fsync == FSYNC_ALWAYS)
		sync_output(w.fd);
	else if (w.cfg.fsync == FSYNC_INTERVAL)
		atomic_store(&w.dirty, 1);
	set_healthy();
	return 1;
}

static void
reopen_output(void)
{
	char err[200];
	int fd, old;

	if (w.is_stdout)
		return;
	atomic_fetch_add(&metrics.reopens, 1);
	if ((fd = open_output(err, sizeof err)) == -1) {
		w.cfg.log(LOG_ERR, "reopen: %s; keeping the old file", err);
		return;
	}
	pthread_mutex_lock(&w.fd_mu);
	old = w.fd;
	w.fd = fd;
	pthread_mutex_unlock(&w.fd_mu);
	if (old != -1) {
		if (w.cfg.fsync != FSYNC_NEVER)
			sync_output(old);
		close(old);
	}
	w.cfg.log(LOG_INFO, "reopened %s", w.cfg.path);
}

/* While unhealthy and idle: is the output back? */
static void
probe(void)
{
	struct statvfs vfs;
	char err[200];

	if (atomic_load(&w.broken))
		return;
	if (w.fd == -1) {
		int fd = open_output(err, sizeof err);
		if (fd == -1)
			return;
		pthread_mutex_lock(&w.fd_mu);
		w.fd = fd;
		pthread_mutex_unlock(&w.fd_mu);
	}
	if (fstatvfs(w.fd, &vfs) == 0 &&
	    (uint64_t)vfs.f_bavail * vfs.f_frsize < MIN_FREE)
		return;
	set_healthy();
}

/* --- Redis shard streams -------------------------------------------- */

/* A shard's backlog, asked once a group. */
static int
over_cap(unsigned k)
{
	if (w.cfg.redis->cap == 0)
		return 0;
	if (!w.checked[k]) {
		if (sb_rstream_backlog(w.rs, "ev", k, &w.backlog[k]) != 0)
			return -1;
		w.checked[k] = 1;
	}
	return w.backlog[k] >= w.cfg.redis->cap;
}

/*
 * One batch: its lines sorted into their shards' chunks, refused whole
 * if one of those shards is over its cap, else one XADD a shard
 * (pipelined).  1 queued, WRITER_OVER_CAP, or 0 on a connection failure.
 */
static int
redis_batch(struct wbatch *b)
{
	unsigned n = sb_rstream_count(w.rs);
	const char *p = b->data, *end = b->data + b->len;
	int rc;

	for (unsigned k = 0; k < n; k++)
		sb_buf_reset(&w.chunk[k]);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
		unsigned k = 0;
		if (sb_json_parse(&w.js, p, len) == 0)
			k = sb_rstream_shard(w.rs, &w.js, 0);
		if (k >= n)
			k = 0;		/* an event always has a shard */
		if (w.chunk[k].len > 0)
			sb_buf_putc(&w.chunk[k], '\n');
		sb_buf_add(&w.chunk[k], p, len);
		p += len + 1;
	}
	for (unsigned k = 0; k < n; k++)
		if (w.chunk[k].len > 0 && (rc = over_cap(k)) != 0)
			return rc == 1 ? WRITER_OVER_CAP : 0;
	for (unsigned k = 0; k < n; k++) {
		if (w.chunk[k].len == 0)
			continue;
		if (sb_rstream_add(w.rs, "ev", k, NULL, w.chunk[k].s,
		    w.chunk[k].len) != 0)
			return 0;
		w.backlog[k]++;
	}
	return 1;
}

/* The Redis side of a group: each batch answered on its own. */
static void
redis_group(struct wbatch *list)
{
	struct wbatch *b, *next;
	int ok = 1, n = 0;
	int64_t t0 = sb_monotonic_ns();

	memset(w.checked, 0, sb_rstream_count(w.rs));
	for (b = list; b != NULL; b = b->next) {
		b->result = ok ? redis_batch(b) : 0;
		if (b->result == 0)
			ok = 0;
	}
	if (sb_rstream_flush(w.rs) != 0)
		ok = 0;
	if (!ok) {
		char why[600];
		snprintf(why, sizeof why, "%s", sb_rstream_error(w.rs));
		atomic_fetch_add(&metrics.write_errors, 1);
		set_unhealthy(why);
	} else {
		metrics_observe(&metrics.write_seconds, sb_monotonic_ns() - t0);
		set_healthy();
	}
	uint64_t most = 0;
	for (unsigned k = 0; k < sb_rstream_count(w.rs); k++)
		if (w.checked[k] && w.backlog[k] > most)
			most = w.backlog[k];
	if (ok)
		atomic_store(&metrics.backlog, most);
	for (b = list; b != NULL; b = next) {
		next = b->next;
		n++;
		if (b->result == WRITER_OVER_CAP)
			atomic_fetch_add(&metrics.over_cap, 1);
		if (b->result == 1 && !ok)
			b->result = 0;	/* its XADD may not have been answered */
		if (b->result == 1)
			atomic_fetch_add(&metrics.written_bytes, b->len);
		b->done(b, b->result);	/* b may be freed now */
	}
	atomic_fetch_sub(&metrics.queue_requests, n);
}

static void
redis_probe(void)
{
	uint64_t n;

	if (sb_rstream_backlog(w.rs, "ev", 0, &n) == 0)
		set_healthy();
}

static void *
writer_main(void *arg)
{
	struct sched_param sp = { 0 };

	(void)arg;
	/*
	 * SCHED_BATCH: a woken writer does not preempt the HTTP thread that
	 * woke it, which goes on to hand over more requests; on a busy core
	 * the writer then writes them in one group instead of one by one.
	 */
	pthread_setschedparam(pthread_self(), SCHED_BATCH, &sp);
	pthread_mutex_lock(&w.mu);
	for (;;) {
		while (w.head == NULL && !w.stop && !w.reopen) {
			if (w.healthy) {
				pthread_cond_wait(&w.cv, &w.mu);
				continue;
			}
			struct timespec ts;
			sb_wall_after(&ts, 1000);
			if (pthread_cond_timedwait(&w.cv, &w.mu, &ts) ==
			    ETIMEDOUT && w.head == NULL && !w.healthy) {
				pthread_mutex_unlock(&w.mu);
				if (w.rs != NULL)
					redis_probe();
				else
					probe();
				pthread_mutex_lock(&w.mu);
			}
		}
		if (w.reopen) {
			w.reopen = 0;
			pthread_mutex_unlock(&w.mu);
			reopen_output();
			pthread_mutex_lock(&w.mu);
			continue;
		}
		if (w.head == NULL)
			break;		/* stopping, and nothing is left */
		struct wbatch *list = w.head;
		w.head = NULL;
		w.tail = &w.head;
		pthread_mutex_unlock(&w.mu);

		if (w.rs != NULL) {
			redis_group(list);
			pthread_mutex_lock(&w.mu);
			continue;
		}
		int ok = write_group(list), n = 0;
		while (list != NULL) {
			struct wbatch *next = list->next;
			n++;
			list->done(list, ok);	/* list may be freed now */
			list = next;
		}
		atomic_fetch_sub(&metrics.queue_requests, n);
		pthread_mutex_lock(&w.mu);
	}
	pthread_mutex_unlock(&w.mu);
	return NULL;
}

/* --fsync interval: fdatasync apart from the writes, so that a slow disk
 * delays no reply. */
static void *
sync_main(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&w.fd_mu);
	while (!w.sync_stop) {
		struct timespec ts;
		sb_wall_after(&ts, w.cfg.interval_ms);
		pthread_cond_timedwait(&w.sync_cv, &w.fd_mu, &ts);
		if (atomic_exchange(&w.dirty, 0) && w.fd != -1)
			sync_output(w.fd);
	}
	pthread_mutex_unlock(&w.fd_mu);
	return NULL;
}

int
writer_start(const struct writer_config *cfg, char *err, size_t errsz)
{
	w.cfg = *cfg;
	w.tail = &w.head;
	if (cfg->redis != NULL) {
		if ((w.rs = sb_rstream_open(cfg->redis, err, errsz)) == NULL)
			return -1;
		sb_json_init(&w.js);
		w.chunk = sb_xcalloc(sb_rstream_count(w.rs), sizeof *w.chunk);
		w.backlog = sb_xcalloc(sb_rstream_count(w.rs),
		    sizeof *w.backlog);
		w.checked = sb_xcalloc(sb_rstream_count(w.rs), 1);
		w.healthy = 1;
		atomic_store(&metrics.healthy, 1);
		if ((errno = pthread_create(&w.thread, NULL, writer_main,
		    NULL)) != 0) {
			snprintf(err, errsz, "pthread_create: %s",
			    strerror(errno));
			return -1;
		}
		return 0;
	}
	w.is_stdout = strcmp(cfg->path, "-") == 0;
	if (w.is_stdout)
		w.cfg.path = "stdout";
	w.tail = &w.head;
	if ((w.fd = open_output(err, errsz)) == -1)
		return -1;
	w.healthy = 1;
	atomic_store(&metrics.healthy, 1);
	if ((errno = pthread_create(&w.thread, NULL, writer_main, NULL)) != 0) {
		snprintf(err, errsz, "pthread_create: %s", strerror(errno));
		return -1;
	}
	if (cfg->fsync == FSYNC_INTERVAL) {
		if ((errno = pthread_create(&w.sync_thread, NULL, sync_main,
		    NULL)) != 0) {
			snprintf(err, errsz, "pthread_create: %s",
			    strerror(errno));
			return -1;
		}
		w.has_sync_thread = 1;
	}
	return 0;
}

int
writer_submit(struct wbatch *b)
{
	int rc = WRITER_QUEUED;

	b->next = NULL;
	pthread_mutex_lock(&w.mu);
	if (w.stop)
		rc = WRITER_STOPPING;
	else if (atomic_load(&w.broken) ||
	    (!w.healthy && sb_monotonic_ms() < w.retry_at))
		rc = WRITER_UNHEALTHY;
	else {
		*w.tail = b;
		w.tail = &b->next;
		atomic_fetch_add(&metrics.queue_requests, 1);
		pthread_cond_signal(&w.cv);
	}
	pthread_mutex_unlock(&w.mu);
	return rc;
}

void
writer_reopen(void)
{
	pthread_mutex_lock(&w.mu);
	w.reopen = 1;
	pthread_cond_signal(&w.cv);
	pthread_mutex_unlock(&w.mu);
}

int
writer_healthy(char *why, size_t whysz)
{
	int ok;

	pthread_mutex_lock(&w.mu);
	ok = w.healthy && !atomic_load(&w.broken);
	snprintf(why, whysz, "%s", w.why);
	pthread_mutex_unlock(&w.mu);
	return ok;
}

int
writer_broken(void)
{
	return atomic_load(&w.broken);
}

void
writer_stop(void)
{
	pthread_mutex_lock(&w.mu);
	w.stop = 1;
	pthread_cond_signal(&w.cv);
	pthread_mutex_unlock(&w.mu);
	pthread_join(w.thread, NULL);
	if (w.has_sync_thread) {
		pthread_mutex_lock(&w.fd_mu);
		w.sync_stop = 1;
		pthread_cond_signal(&w.sync_cv);
		pthread_mutex_unlock(&w.fd_mu);
		pthread_join(w.sync_thread, NULL);
	}
	if (w.rs != NULL) {
		for (unsigned k = 0; k < sb_rstream_count(w.rs); k++)
			sb_buf_free(&w.chunk[k]);
		free(w.chunk);
		free(w.backlog);
		free(w.checked);
		sb_json_free(&w.js);
		sb_rstream_close(w.rs);
		w.rs = NULL;
	}
	if (w.fd != -1) {
		if (w.cfg.fsync != FSYNC_NEVER && !w.is_stdout)
			sync_output(w.fd);
		if (!w.is_stdout)
			close(w.fd);
		w.fd = -1;
	}
}
