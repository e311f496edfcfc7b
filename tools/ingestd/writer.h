/*
 * writer.h - the one thread that writes the output, and its queue.
 *
 * Requests hand their event lines to the writer as a struct wbatch and
 * wait; the writer takes every batch queued so far, writes them with as
 * few write(2) calls as it can (one writev(2) in the common case), fsyncs
 * when the policy says so, and calls each batch's done() with the result.
 * Only the writer touches the output, so lines are never interleaved, and
 * a group that fails to write is cut back off the file (ftruncate) so that
 * a line is never torn.  This is the durability contract of ingestd(8):
 *
 *	policy		done(ok) means			fsync
 *	always		written and fdatasync'ed	before done()
 *	interval	written (page cache)		every interval, separately
 *	never		written (page cache)		never
 *
 * After a failed write the writer is unhealthy: writer_submit() refuses
 * batches for a second, then lets the next ones through as a probe; a
 * probe that writes makes it healthy again.  When idle and unhealthy it
 * reopens the file once a second, and calls it healthy again once the
 * file opens and its file system has room.
 *
 * With a Redis shard set (redis != NULL) the writer adds each batch's
 * lines to the streams of their shards instead (lib/rstream.h: one entry
 * per batch and shard, routed by service), and done(ok) means that every
 * server has answered the XADD: the entry is in the server's memory and
 * in its append-only file as its appendfsync setting says (always:
 * fsynced before the answer).  A batch that would go to a shard holding
 * --redis-cap unread entries or more is not written at all: done() gets
 * WRITER_OVER_CAP.
 *
 * A batch belongs to the caller; the writer reads data until it calls
 * done(), and never touches the batch after.
 */
#ifndef INGESTD_WRITER_H
#define INGESTD_WRITER_H

#include <stddef.h>
#include <stdint.h>

enum fsync_policy { FSYNC_ALWAYS, FSYNC_INTERVAL, FSYNC_NEVER };

struct wbatch {
	struct wbatch	*next;
	const char	*data;
	size_t		 len;
	void		(*done)(struct wbatch *, int ok);
	void		*arg;
	int		 result;	/* the writer's, for done() */
};

struct sb_rstream_config;

struct writer_config {
	const char	*path;		/* "-" for standard output */
	const struct sb_rstream_config *redis;	/* NULL: write path */
	enum fsync_policy fsync;
	int64_t		 interval_ms;
	void		(*log)(int level, const char *fmt, ...)
			    __attribute__((format(printf, 2, 3)));
};

#define WRITER_QUEUED	 0
#define WRITER_UNHEALTHY -1	/* the output cannot be written just now */
#define WRITER_STOPPING	 -2
#define WRITER_OVER_CAP	 -3	/* done(): a shard's stream is full */

/* 0, or -1 with a message in err if the output cannot be opened. */
int	 writer_start(const struct writer_config *, char *err, size_t errsz);
int	 writer_submit(struct wbatch *);
/* Asks for the output to be reopened between two writes (SIGHUP). */
void	 writer_reopen(void);
/* 1 if healthy; else 0 with the last error in why. */
int	 writer_healthy(char *why, size_t whysz);
/* 1 once standard output has gone away for good (EPIPE). */
int	 writer_broken(void);
/* Writes what is queued, fsyncs (unless never), closes, joins. */
void	 writer_stop(void);

#endif
