/*
 * otlp.h - OpenTelemetry traces (OTLP, JSON encoding) to raw request events.
 *
 * An HTTP server instrumented with OpenTelemetry records one SERVER span
 * per request it answers: its method, route or path, status code and
 * duration are what an access log line holds.  sb_otlp_events() reads
 * one ExportTraceServiceRequest in the OTLP/HTTP JSON encoding (what
 * OTLPTraceExporter sends to POST /v1/traces, and what the collector's
 * file exporter writes one per line) and appends one event line per HTTP
 * server span to out:
 *
 *	{"timestamp":"2026-11-26T14:03:07.125Z","service":"checkout",
 *	 "method":"GET","endpoint":"/api/orders/{id}","status_code":200,
 *	 "latency_ms":12.5,"trace_id":"5b8efff798038103d269b633813fc60c"}
 *
 * Where each member comes from (semantic conventions, stable names
 * first, then the pre-1.20 names that older instrumentations still send):
 *
 *	timestamp	the span's end (the request is logged when it is
 *			answered, as web servers log it), ms precision
 *	service		resource attribute service.name (absent: none)
 *	method		http.request.method, http.method
 *	endpoint	http.route, url.path, http.target (without its
 *			query), the path of url.full or http.url
 *	status_code	http.response.status_code, http.status_code
 *	latency_ms	end minus start, to the microsecond
 *	response_size	http.response.body.size,
 *			http.response_content_length
 *	trace_id	the span's trace id, to find the trace again
 *
 * Spans of other kinds (client, internal, producer, consumer, unset) are
 * not requests this service answered: they are skipped and counted in
 * ignored.  A server span without a method, an endpoint or a status code
 * in 100..599, that ends before it starts, or whose event the one event
 * reader (lib/event.h) refuses (a method longer than it takes, ...),
 * cannot be an event: it is counted in rejected and the first such
 * reason is kept in r->why.
 * Field names are read in lowerCamelCase, as OTLP/JSON writes them, and
 * in the snake_case of the proto files, which some encoders write.
 *
 *	struct sb_otlp_result r;
 *
 *	if (sb_otlp_events(&js, &lines, &r, err, sizeof err) == -1)
 *		...400, err...
 *	else if (r.rejected > 0)
 *		...partial success: r.rejected, r.why...
 *
 * out is the caller's; scratch memory is freed before returning.
 */
#ifndef SB_OTLP_H
#define SB_OTLP_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "json.h"

struct sb_otlp_result {
	size_t	 spans;		/* spans read, of every kind */
	size_t	 events;	/* server spans written as events */
	size_t	 ignored;	/* spans that are not server spans */
	size_t	 rejected;	/* server spans that make no event */
	size_t	 ahead;		/* of them, ending after latest */
	char	 why[160];	/* the first rejection's reason, or "" */
};

/*
 * Reads the parsed document js (token 0) as a traces request; a server
 * span that ends after latest (ms since the epoch; INT64_MAX for no
 * bound) is rejected as dated ahead of the clock (see lib/gate.h).  0, with
 * the events appended to out and *r filled; -1 with a message in err if
 * js is not one (not an object, or resourceSpans is not an array, ...),
 * in which case nothing is appended.
 */
int	 sb_otlp_events(const struct sb_json *js, struct sb_buf *out,
	    int64_t latest, struct sb_otlp_result *r, char *err, size_t errsz);

#endif
