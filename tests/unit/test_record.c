/*
 * test_record.c - lib/record's sb_record_time_name(): the time members
 * by which a store places each kind of record, as the kind's reader
 * names them.
 */
#include <stddef.h>
#include <string.h>

#include "alertrec.h"
#include "event.h"
#include "record.h"
#include "sigrec.h"
#include "winrec.h"
#include "../tap.h"

/* "a,b,c": the names of type, ranks 0 up, joined. */
static const char *
names(const char *type)
{
	static char s[200];
	const char *n;

	s[0] = '\0';
	for (int i = 0; (n = sb_record_time_name(type, i)) != NULL; i++) {
		if (i > 0)
			strcat(s, ",");
		strcat(s, n);
	}
	return s;
}

int
main(void)
{
	is_str(names("window"), "start", "a window: start");
	is_str(names("truth"), "start", "inject's truth: start, as a window");
	is_str(names("noise"), "start", "inject's noise: start, as a window");
	is_str(names("signal"), "at", "a signal: at");
	is_str(names("alert"), "at,started", "an alert: at, else started");
	is_str(names("incident"), "at,start,timestamp,time",
	    "a type no reader knows: the usual names");
	is_str(names("watermark"), "at,start,timestamp,time",
	    "a watermark is such a type");
	is_str(names(NULL), "timestamp,ts,time",
	    "a raw event: its reader's names");
	ok(sb_record_time_name("window", 0) == sb_window_time_name(0),
	    "the window's name is winrec's");
	ok(sb_record_time_name("signal", 0) == sb_signal_time_name(0),
	    "the signal's is sigrec's");
	ok(sb_record_time_name("alert", 1) == sb_alert_time_name(1),
	    "the alert's are alertrec's");
	ok(sb_record_time_name(NULL, 0) == sb_event_time_name(0),
	    "the event's are event.c's");
	ok(sb_record_time_name("signal", -1) == NULL &&
	    sb_record_time_name("other", -1) == NULL, "no rank -1");
	return done_testing();
}
