/*
 * alertrec.h - alert records (alert(1), INPUT; explain(1), OUTPUT) read
 * into a struct, once, for every tool that reads them.
 *
 * The reader keeps what the record says and nothing more: an absent
 * string member is NULL, an absent time member leaves its bit of has
 * clear.  By default it is as strict as explain(1): "id", "severity" and
 * "service" must be strings, the three times RFC 3339 times (or epoch
 * numbers), "keys" an array of strings, when present.  Flags keep the
 * leniency of alert(1) and dashboard(1).  Defaults ("warning" when there
 * is no severity, started = at, ...) are the caller's: alert(1) and
 * dashboard(1) document different ones.
 *
 * A struct sb_alert owns every string it points to and the arrays of the
 * lists; sb_alert_free() releases them.  Nothing here exits.
 */
#ifndef SB_ALERTREC_H
#define SB_ALERTREC_H

#include <stddef.h>
#include <stdint.h>

#include "json.h"

/* Time members present (bits of struct sb_alert's has). */
#define SB_AL_STARTED	0x01
#define SB_AL_AT	0x02
#define SB_AL_RESOLVED	0x04	/* "resolved_at" */

struct sb_alert {
	char		*key;		/* NULL only when SB_ALERT_LENIENT */
	char		*state;		/* NULL only when SB_ALERT_LENIENT */
	char		*id, *severity, *service;	/* NULL when absent */
	char		*summary, *explanation;		/* NULL when absent */
	unsigned	 has;		/* SB_AL_* */
	int64_t		 started, at, resolved;
	/* The string elements of "insights", "recommendations", "keys". */
	char		**insights;
	size_t		 ninsights;
	char		**recs;
	size_t		 nrecs;
	char		**keys;
	size_t		 nkeys;
};

/* Flags of sb_alert_read(). */
#define SB_ALERT_LENIENT	0x01	/* key and state may be absent: the
					   dashboard lists such records */
#define SB_ALERT_LOOSE		0x02	/* an optional member of the wrong
					   type is taken as absent */

/*
 * Reads the alert object at token obj of js.  0 on success; -1, with the
 * struct empty and a message such as "missing 'state' or not a string"
 * in why, when obj is not an object, (unless SB_ALERT_LENIENT) key or
 * state is not a string, or (unless SB_ALERT_LOOSE) an optional member
 * named above has the wrong type.
 */
int	 sb_alert_read(struct sb_alert *, const struct sb_json *, size_t obj,
	    int flags, char *why, size_t whysz);
void	 sb_alert_free(struct sb_alert *);
/*
 * The members that place an alert in time, best first: "at" (rank 0),
 * else "started" (rank 1); NULL past them (lib/record.c, for stores).
 * Static strings.
 */
const char	*sb_alert_time_name(int rank);

#endif
