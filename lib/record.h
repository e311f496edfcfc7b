/*
 * record.h - the first step of every filter's line handler: one line
 * parsed as one record, or reported as bad in the one way every tool
 * reports it.
 *
 *	long type;
 *	int rc = sb_record_parse(&js, in, line, len, &type);
 *
 *	if (rc != 1)
 *		return rc;		(0: bad and skipped; -1: fatal, --strict)
 *	if (type < 0)
 *		... a raw event ...
 *	else if (sb_json_streq(&js, type, "window"))
 *		...
 */
#ifndef SB_RECORD_H
#define SB_RECORD_H

#include <stddef.h>

#include "json.h"
#include "reader.h"

/*
 * Parses s[0..n) into js.  A line that is not JSON, not an object, whose
 * "type" is not a string, or whose "key" is longer than SB_KEY_MAX bytes
 * (see sb_record_key_ok()) is reported through sb_reader_bad().
 * Returns 1 for a record, with *type the token of its "type" member or
 * -1 for a raw event (type may be NULL when the caller finds it itself);
 * otherwise what sb_reader_bad() returned: 0 skip, -1 fatal.
 */
int	 sb_record_parse(struct sb_json *js, struct sb_reader *in,
	    const char *s, size_t n, long *type);

/*
 * 0 when the "key" member of object obj, if it is a string, is at most
 * SB_KEY_MAX bytes unescaped (lib/event.h); otherwise -1 and the message
 * "'key' is longer than 2338 bytes" in err.  sb_record_parse() applies
 * it to every record with a "type", and store put to what it stores, so
 * that every tool refuses an overlong name in the same words.
 */
int	 sb_record_key_ok(const struct sb_json *js, size_t obj, char *err,
	    size_t errsz);

/*
 * The members that place a record of type type in time, best first: rank
 * 0, 1, ...; NULL past the last.  type NULL is a raw event.  The reader
 * of each kind names its own (sb_event_time_name(), sb_window_time_name(),
 * sb_signal_time_name(), sb_alert_time_name()); inject(1)'s truth and
 * noise records span a stretch from their "start", as a window does, and
 * are placed by it; a record of a type no reader knows is placed by the
 * first of "at", "start", "timestamp" and "time" it has.  For stores
 * (lib/store.c).  Static strings.
 */
const char	*sb_record_time_name(const char *type, int rank);

/*
 * The kinds of record a stage consumes, for sb_record_hint(): raw events
 * (aggregate), windows (detect, aggregate --merge), signals (correlate,
 * alert), alerts (explain, alert).
 */
#define SB_KIND_EVENT	0x01u
#define SB_KIND_WINDOW	0x02u
#define SB_KIND_SIGNAL	0x04u
#define SB_KIND_ALERT	0x08u

/*
 * sb_record_parse() counts the records it parses by kind.  At the end of
 * input a filter calls sb_record_hint() with the kinds it consumes: when
 * it read none of them but records that show a stage missing before it
 * (or itself out of place), it says so once on stderr, for example
 *
 *	detect: 3 raw events and no windows read: pipe raw events through
 *	aggregate first
 *
 * It never speaks for a quiet pipe: detect's watermarks show that detect
 * ran, so a correlate or alert that got them and no signal says nothing.
 * The exit status is the tool's business; the hint changes nothing.
 */
void	 sb_record_hint(unsigned consumes);

#endif
