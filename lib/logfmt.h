/*
 * logfmt.h - access-log formats read as events.
 *
 * Each format turns one line of a server's own access log into a struct
 * sb_event, mapping its field names and units onto the event's members
 * (slowburn-records(5), ACCESS LOG FORMATS, has the mapping and the server
 * configuration line of each):
 *
 *	nginx		combined + $request_time [$upstream_response_time]
 *	nginx-json	log_format escape=json with a documented field set
 *	apache		combined + %D (microseconds)
 *	haproxy		option httplog, with or without a syslog header
 *	envoy		Envoy's default access log format
 *	alb		AWS Application Load Balancer access logs
 *
 * A format is one file, lib/logfmt_NAME.c, and its name in the table of
 * logfmt.c; the tools find it by name and never know the list.  Readers
 * use it through evread.h, not directly.
 *
 * read() fills ev from line s[0..n) (not NUL-terminated) and returns
 * 0, or -1 with a message for "FILE:LINE: %s" in err.  It may use js as
 * scratch; it holds no state between lines, so one format serves any
 * number of threads, each with its own ev and js.
 */
#ifndef SB_LOGFMT_H
#define SB_LOGFMT_H

#include <stddef.h>

#include "buf.h"
#include "event.h"
#include "json.h"

struct sb_logfmt {
	const char	*name;
	int		(*read)(struct sb_event *ev, struct sb_json *js,
			    const char *s, size_t n, char *err, size_t errsz);
};

/*
 * The format named name; NULL for "json" (the event records themselves,
 * every reader's default) and for a name that is no format: *known says
 * which (1 for "json" and the formats, 0 otherwise).
 */
const struct sb_logfmt *sb_logfmt_find(const char *name, int *known);
/* Appends "json, nginx, nginx-json, ...", every name, for a message. */
void	 sb_logfmt_names(struct sb_buf *);

#endif
