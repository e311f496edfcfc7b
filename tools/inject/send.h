/*
 * send.h - inject(1) over HTTP: the generator's events, in real time (or
 * --speed times faster), as NDJSON batches POSTed to ingestd(8) with
 * libcurl.
 *
 * send_events() takes events from g until it ends, max_events are sent
 * or a stop is requested (sig.h), and POSTs them in batches of at most
 * cfg->batch events; a batch goes out when it is full or when its oldest
 * event has waited SEND_LINGER_MS.  An event is never sent before its
 * time: start + (event time - cfg start) / speed on the monotonic clock.
 * 503 and 429 are retried after Retry-After (seconds or an HTTP-date, read
 * by lib/httpc; 1 s if absent or unreadable, 60 s at most), as are
 * connection failures; other refusals are counted and not retried.  A
 * server that was never reached after SEND_CONNECT_RETRIES attempts ends
 * the run.
 */
#ifndef INJECT_SEND_H
#define INJECT_SEND_H

#include <stdint.h>

#include "gen.h"

#define SEND_LINGER_MS	250
#define SEND_RETRIES	10	/* attempts of one batch, 503 or 429 */
#define SEND_CONNECT_RETRIES 3	/* attempts when it cannot connect */

struct send_config {
	const char	*url;		/* as given; "/ingest" added if no path */
	const char	*token;		/* INGEST_TOKEN, or NULL */
	int		 batch;
	double		 speed;
	long long	 max_events;	/* -1: no limit */
	int		 progress;	/* a progress line on stderr (a tty) */
};

struct send_stats {
	uint64_t	 events;	/* taken from the generator */
	uint64_t	 requests;	/* batches sent, retries not counted */
	uint64_t	 accepted;
	uint64_t	 rejected;	/* invalid events (never, from inject) */
	uint64_t	 failed;	/* events of batches refused or undelivered */
	uint64_t	 retries;
};

/* 0, or -1 if libcurl cannot be set up (message printed). */
int	 send_events(struct gen *, const struct send_config *,
	    struct send_stats *);

#endif
