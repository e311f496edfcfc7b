/*
 * body.h - what ingestd(8) makes of one POST /ingest body, with no I/O.
 *
 * ingest_parse() finds the shape of a body (one JSON object, a JSON
 * array of objects, or NDJSON), validates every item as an event with
 * sb_event_read(), refuses events dated more than p->max_ahead past
 * now_ms (a client with a wrong clock must not move the stream's event
 * time, see lib/gate.h), and appends each valid one to r->lines as one compact
 * JSON line, exactly as given but for insignificant white space, with
 * "timestamp" appended when the event has none.  Invalid items are counted
 * and the first INGEST_MAX_ERRORS of them are described in r->errors.
 *
 *	struct ingest_parser p;
 *	struct ingest_result r;
 *
 *	ingest_parser_init(&p);
 *	ingest_result_init(&r);
 *	if (ingest_parse(&p, body, len, now_ms, &r) == INGEST_EMPTY)
 *		...400, "empty body"...
 *	write(fd, r.lines.s, r.lines.len);
 *	ingest_response_json(&r, &reply);
 *	ingest_result_free(&r);
 *	ingest_parser_free(&p);
 *
 * The parser holds scratch memory reused from body to body; the result
 * owns its buffers.
 */
#ifndef INGESTD_BODY_H
#define INGESTD_BODY_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "event.h"
#include "evread.h"
#include "json.h"

#define INGEST_MAX_ERRORS	100	/* errors listed in one reply */

enum ingest_shape {
	INGEST_EMPTY,			/* nothing but white space */
	INGEST_OBJECT,
	INGEST_ARRAY,
	INGEST_NDJSON
};

struct ingest_parser {
	struct sb_json	 js;
	struct sb_event	 ev;
	int64_t		 max_ahead;	/* ms past now_ms; 0: no bound */
	struct sb_evread rd;		/* with a log format */
};

struct ingest_result {
	struct sb_buf	 lines;		/* JSONL of the accepted events */
	size_t		 accepted;
	size_t		 rejected;
	size_t		 ahead;		/* of them, dated past --max-ahead */
	struct sb_buf	 errors;	/* {"index":i,"error":"..."},... */
	size_t		 listed;	/* errors in it */
};

void	 ingest_parser_init(struct ingest_parser *);
/*
 * With a log format (evread.h), every non-blank line of a body is one
 * item in that format, whatever the body looks like, and each valid one
 * becomes a JSON event line (sb_event_json()); service as for
 * sb_evread_init().  The shape is then INGEST_NDJSON.
 */
void	 ingest_parser_format(struct ingest_parser *,
	    const struct sb_logfmt *, const char *service);
void	 ingest_parser_free(struct ingest_parser *);
void	 ingest_result_init(struct ingest_result *);
void	 ingest_result_free(struct ingest_result *);

/* Parses body[0..n); now_ms stamps events without a time. */
enum ingest_shape ingest_parse(struct ingest_parser *, const char *body,
	    size_t n, int64_t now_ms, struct ingest_result *);

/* {"accepted":N,"rejected":M,"errors":[...]} and a newline. */
void	 ingest_response_json(const struct ingest_result *, struct sb_buf *);

/*
 * Inflates a gzip body (several members allowed) into out: INGEST_GZ_OK;
 * INGEST_GZ_BAD if it is not valid gzip, with zlib's reason in *why (a
 * static string); INGEST_GZ_BIG as soon as it inflates to more than max
 * bytes; INGEST_GZ_RATIO as soon as, past INGEST_RATIO_FLOOR bytes, it
 * has inflated to more than ratio times the input read so far (0: no
 * ratio limit).  A bomb stops there: what out holds stays below max (or
 * the floor) plus 64 KiB, whatever the body claims to inflate to.
 */
#define INGEST_RATIO_FLOOR	(1024 * 1024)
enum { INGEST_GZ_OK = 0, INGEST_GZ_BAD = -1, INGEST_GZ_BIG = -2,
	INGEST_GZ_RATIO = -3 };
int	 ingest_gunzip(const char *in, size_t n, size_t max, unsigned ratio,
	    struct sb_buf *out, const char **why);

#endif
