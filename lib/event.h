/*
 * event.h - the raw request event (slowburn-records(5), "event").
 *
 * sb_event_read() validates one parsed JSON object as an event and fills
 * *ev.  Members and their accepted aliases:
 *
 *	timestamp	ts, time		RFC 3339 string or epoch number
 *	endpoint	path, route		string, required
 *	status_code	status			integer 100..599, required
 *	latency_ms	duration_ms, latency	finite number >= 0, required
 *	response_size	bytes			finite number >= 0
 *	method, service				strings
 *
 * The canonical name wins over an alias, and an alias over the ones listed
 * after it, wherever they stand in the line; a name given twice counts
 * once, with its last value (as jansson reads it).
 *
 * As in the original service (pydantic's lax mode), a number may also be
 * given as a string holding a number ("200", "812.4") and an integer as an
 * integral float (200.0).  Anything else is an error whose message names
 * the member as the input spelled it: "'latency' is not a number".
 *
 * The strings in *ev are unescaped copies owned by ev; sb_event_free()
 * releases them.  One struct is meant to be reused for every line.
 */
#ifndef SB_EVENT_H
#define SB_EVENT_H

#include <stdint.h>

#include "buf.h"
#include "json.h"

/* Bounds that keep one hostile line from costing megabytes per series. */
#define SB_ENDPOINT_MAX	2048
#define SB_METHOD_MAX	32
#define SB_SERVICE_MAX	256
/*
 * The longest series key: the longest aggregate can make,
 * "service METHOD endpoint".  A record whose "key" is longer is bad in
 * every tool (sb_record_parse(), store put), so one hostile name cannot
 * cost more than this in any table, state file or page.
 */
#define SB_KEY_MAX	(SB_SERVICE_MAX + 1 + SB_METHOD_MAX + 1 + SB_ENDPOINT_MAX)

struct sb_event {
	int		 has_time;
	int64_t		 time;		/* ms since the epoch */
	int		 status;
	double		 latency_ms;
	int		 has_bytes;
	double		 bytes;
	struct sb_buf	 endpoint;	/* as given, not normalised */
	struct sb_buf	 method;	/* empty when absent */
	struct sb_buf	 service;	/* empty when absent */
};

void	 sb_event_init(struct sb_event *);
void	 sb_event_free(struct sb_event *);
/* 0, or -1 with a message for "FILE:LINE: %s" in err. */
int	 sb_event_read(struct sb_event *, const struct sb_json *, size_t obj,
	    char *err, size_t errsz);
/*
 * The names above for the time and the endpoint, canonical first: rank
 * 0, 1, ...; NULL past the last.  For readers that look one member up
 * (lib/store.c).  Static strings.
 */
const char	*sb_event_time_name(int rank);
const char	*sb_event_endpoint_name(int rank);
/* 1 if object obj is a raw event (has no "type" member). */
int	 sb_is_event(const struct sb_json *, size_t obj);
/*
 * The HTTP status code (100..599) that the member name at token t spells,
 * as in a window's "codes":{"503":12}; -1 if it spells none.
 */
int	 sb_status_name(const struct sb_json *, size_t t);

#endif
