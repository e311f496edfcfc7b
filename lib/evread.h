/*
 * evread.h - the one reader of events: a line of input, JSON or an
 * access-log format (logfmt.h), made into a struct sb_event.
 *
 * Every tool that reads events reads them here, so a new format is
 * usable by all of them (aggregate --format, ingestd --format, store put
 * --format) without an edit to any.  With fmt NULL a line is a JSON
 * record: a raw event, or another record (one with a "type") that the
 * caller forwards; with a format every line is an event of that format.
 *
 *	struct sb_evread rd;
 *	long type;
 *
 *	sb_evread_init(&rd, sb_logfmt_find("nginx", &known), NULL);
 *	switch (sb_evread_line(&rd, in, line, len, &type)) {
 *	case SB_EV_EVENT:	...rd.ev...; break;
 *	case SB_EV_RECORD:	...forward the line...; break;
 *	case 0:			break;		(bad, reported, skipped)
 *	case -1:		return -1;	(bad under --strict)
 *	}
 *	sb_evread_free(&rd);
 *
 * Log formats carry no service name but HAProxy's (its backend): service,
 * when not NULL, names the service of every event read through a format.
 * The reader owns js and ev; the format and service strings are borrowed
 * and must outlive it.  One reader per thread.
 */
#ifndef SB_EVREAD_H
#define SB_EVREAD_H

#include <stddef.h>

#include "buf.h"
#include "event.h"
#include "json.h"
#include "logfmt.h"
#include "reader.h"

#define SB_EV_EVENT	1	/* rd->ev holds the event */
#define SB_EV_RECORD	2	/* JSON only: a record with a "type" */

struct sb_evread {
	const struct sb_logfmt	*fmt;		/* NULL: JSON records */
	const char		*service;	/* NULL: the format's own */
	struct sb_json		 js;
	struct sb_event		 ev;
};

void	 sb_evread_init(struct sb_evread *, const struct sb_logfmt *,
	    const char *service);
void	 sb_evread_free(struct sb_evread *);
/*
 * Reads s[0..n): SB_EV_EVENT or SB_EV_RECORD (*type the token of its
 * "type" in rd->js), or -1 with a message for "FILE:LINE: %s" in err.
 */
int	 sb_evread_parse(struct sb_evread *, const char *s, size_t n,
	    long *type, char *err, size_t errsz);
/*
 * The same for a line of reader in: a bad line is reported through
 * sb_reader_bad(), and the result is then 0 (skipped) or -1 (--strict).
 */
int	 sb_evread_line(struct sb_evread *, struct sb_reader *in,
	    const char *s, size_t n, long *type);
/*
 * Appends ev as one JSON event line, newline included, in the member
 * order inject(1) writes: timestamp (when it has one), service, method,
 * endpoint, status_code, latency_ms, response_size.
 */
void	 sb_event_json(const struct sb_event *, struct sb_buf *);

#endif
