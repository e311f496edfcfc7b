/*
 * evread.c - the one reader of events; see evread.h.
 */
#include <stdio.h>
#include <string.h>

#include "evread.h"
#include "record.h"

void
sb_evread_init(struct sb_evread *rd, const struct sb_logfmt *fmt,
    const char *service)
{
	memset(rd, 0, sizeof *rd);
	rd->fmt = fmt;
	rd->service = service;
	sb_json_init(&rd->js);
	sb_event_init(&rd->ev);
}

void
sb_evread_free(struct sb_evread *rd)
{
	sb_json_free(&rd->js);
	sb_event_free(&rd->ev);
}

/* A line of the format: the same fresh start for every line. */
static int
format_line(struct sb_evread *rd, const char *s, size_t n, char *err,
    size_t errsz)
{
	struct sb_event *ev = &rd->ev;

	ev->has_time = 0;
	ev->has_bytes = 0;
	sb_buf_reset(&ev->service);
	if (rd->fmt->read(ev, &rd->js, s, n, err, errsz) == -1)
		return -1;
	if (rd->service != NULL) {
		sb_buf_reset(&ev->service);
		sb_buf_puts(&ev->service, rd->service);
	}
	return SB_EV_EVENT;
}

int
sb_evread_parse(struct sb_evread *rd, const char *s, size_t n, long *type,
    char *err, size_t errsz)
{
	long t;

	*type = -1;
	if (rd->fmt != NULL)
		return format_line(rd, s, n, err, errsz);
	if (sb_json_parse(&rd->js, s, n) == -1) {
		snprintf(err, errsz, "invalid JSON: %s at byte %zu",
		    rd->js.err, rd->js.errpos + 1);
		return -1;
	}
	if (rd->js.tok[0].type != SB_JOBJECT) {
		snprintf(err, errsz, "not a JSON object");
		return -1;
	}
	if ((t = rd->js.type) >= 0) {
		if (rd->js.tok[t].type != SB_JSTRING) {
			snprintf(err, errsz, "'type' is not a string");
			return -1;
		}
		*type = t;
		return SB_EV_RECORD;
	}
	if (sb_event_read(&rd->ev, &rd->js, 0, err, errsz) == -1)
		return -1;
	return SB_EV_EVENT;
}

int
sb_evread_line(struct sb_evread *rd, struct sb_reader *in, const char *s,
    size_t n, long *type)
{
	char why[160];
	int rc;

	if (rd->fmt != NULL) {
		*type = -1;
		if (format_line(rd, s, n, why, sizeof why) == -1)
			return sb_reader_bad(in, "%s", why);
		return SB_EV_EVENT;
	}
	/* The JSON path keeps sb_record_parse()'s messages, byte for byte. */
	if ((rc = sb_record_parse(&rd->js, in, s, n, type)) != 1)
		return rc;
	if (*type >= 0)
		return SB_EV_RECORD;
	if (sb_event_read(&rd->ev, &rd->js, 0, why, sizeof why) == -1)
		return sb_reader_bad(in, "%s", why);
	return SB_EV_EVENT;
}

void
sb_event_json(const struct sb_event *ev, struct sb_buf *b)
{
	sb_buf_putc(b, '{');
	if (ev->has_time) {
		sb_buf_puts(b, "\"timestamp\":");
		sb_buf_json_time(b, ev->time);
		sb_buf_putc(b, ',');
	}
	if (ev->service.len > 0) {
		sb_buf_puts(b, "\"service\":");
		sb_buf_json_str(b, ev->service.s, ev->service.len);
		sb_buf_putc(b, ',');
	}
	if (ev->method.len > 0) {
		sb_buf_puts(b, "\"method\":");
		sb_buf_json_str(b, ev->method.s, ev->method.len);
		sb_buf_putc(b, ',');
	}
	sb_buf_puts(b, "\"endpoint\":");
	sb_buf_json_str(b, ev->endpoint.s, ev->endpoint.len);
	sb_buf_puts(b, ",\"status_code\":");
	sb_buf_json_int(b, ev->status);
	sb_buf_puts(b, ",\"latency_ms\":");
	sb_buf_json_num(b, ev->latency_ms);
	if (ev->has_bytes) {
		sb_buf_puts(b, ",\"response_size\":");
		if (ev->bytes == (double)(int64_t)ev->bytes)
			sb_buf_json_int(b, (int64_t)ev->bytes);
		else
			sb_buf_json_num(b, ev->bytes);
	}
	sb_buf_puts(b, "}\n");
}
