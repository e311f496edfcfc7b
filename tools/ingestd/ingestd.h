/*
 * ingestd.h - what the parts of ingestd(8) share: the configuration, the
 * logger, and the HTTP side's entry points (http.c).
 */
#ifndef INGESTD_H
#define INGESTD_H

#include <stddef.h>
#include <stdint.h>

#include "logfmt.h"
#include "rstream.h"
#include "writer.h"

struct config {
	const char	*addr;		/* -l */
	const char	*port;		/* -p, "0" for any free port */
	const char	*output;	/* -o, "-" for standard output */
	enum fsync_policy fsync;
	int64_t		 fsync_interval;	/* ms */
	size_t		 max_body;
	size_t		 queue_size;
	unsigned	 max_conn;
	unsigned	 max_per_ip;	/* 0: no limit */
	size_t		 max_header;	/* libmicrohttpd's memory per connection */
	unsigned	 max_inflate_ratio;	/* 0: no limit */
	int64_t		 idle_timeout;	/* ms */
	int64_t		 header_timeout;	/* ms */
	int64_t		 body_timeout;	/* ms */
	int64_t		 max_ahead;	/* ms; 0: events may be dated any time */
	unsigned	 threads;
	char		*token;		/* NULL: no authentication */
	const char	*token_source;	/* for messages; never the token */
	int		 foreground;
	int		 verbose;
	const struct sb_logfmt *format;	/* --format; NULL: JSON bodies */
	const char	*format_name;
	const char	*service;	/* --service */
	struct sb_rstream_config redis;	/* --redis-shards and friends */
	int		 use_redis;
};

extern struct config conf;

/* syslog(3) levels; to stderr with -d, else to syslog. */
void	 logmsg(int level, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/*
 * Connections past --max-connections that libmicrohttpd accepts, each to
 * make another one waiting for its header leave (http.c, evict()).
 */
#define EVICT_ROOM	64

/* Starts serving on the bound socket; 0, or -1 with a message in err. */
int	 http_start(int listen_fd, char *err, size_t errsz);
/*
 * Closes connections whose request header or body is overdue (slowloris),
 * and logs what it and evict() closed.
 */
void	 http_watchdog(void);
/* Stops accepting connections. */
void	 http_quiesce(void);
/*
 * Waits up to timeout_ms for the requests in flight to be answered, then
 * stops the HTTP side.  0, or -1 if requests still wait for a write that
 * never finished; the HTTP side is then left running (see ingestd.c).
 */
int	 http_drain_and_stop(int64_t timeout_ms);

#endif
