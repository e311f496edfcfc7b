/*
 * body.c - shape detection, validation and the event lines; see body.h.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>

#include "body.h"
#include "timefmt.h"

void
ingest_parser_init(struct ingest_parser *p)
{
	sb_json_init(&p->js);
	sb_event_init(&p->ev);
	sb_evread_init(&p->rd, NULL, NULL);
}

void
ingest_parser_format(struct ingest_parser *p, const struct sb_logfmt *fmt,
    const char *service)
{
	p->rd.fmt = fmt;
	p->rd.service = service;
}

void
ingest_parser_free(struct ingest_parser *p)
{
	sb_json_free(&p->js);
	sb_event_free(&p->ev);
	sb_evread_free(&p->rd);
}

void
ingest_result_init(struct ingest_result *r)
{
	memset(r, 0, sizeof *r);
}

void
ingest_result_free(struct ingest_result *r)
{
	sb_buf_free(&r->lines);
	sb_buf_free(&r->errors);
}

static void
reject(struct ingest_result *r, size_t index, const char *why)
{
	r->rejected++;
	if (r->listed == INGEST_MAX_ERRORS)
		return;
	if (r->listed++ > 0)
		sb_buf_putc(&r->errors, ',');
	sb_buf_printf(&r->errors, "{\"index\":%zu,\"error\":", index);
	sb_buf_json_str(&r->errors, why, strlen(why));
	sb_buf_putc(&r->errors, '}');
}

/*
 * Copies the JSON text s[0..n) without the white space between tokens.
 * Raw control characters cannot occur inside valid strings, so a newline
 * never survives and the line stays one line.
 */
static void
put_compact(struct sb_buf *b, const char *s, size_t n)
{
	char *p;
	int in_string = 0;

	sb_buf_grow(b, n + 1);
	p = b->s + b->len;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (in_string) {
			*p++ = c;
			if (c == '\\')
				*p++ = s[++i];
			else if (c == '"')
				in_string = 0;
		} else if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
			*p++ = c;
			in_string = c == '"';
		}
	}
	*p = '\0';
	b->len = (size_t)(p - b->s);
}

/*
 * An event dated more than --max-ahead past the server's clock is
 * rejected: one client's wrong clock must not move the stream's time.
 */
static int
too_far_ahead(struct ingest_parser *p, const struct sb_event *ev,
    int64_t now_ms, size_t index, struct ingest_result *r)
{
	char why[160], ts[SB_TIME_LEN], d[32];

	if (!ev->has_time || p->max_ahead <= 0 ||
	    ev->time <= now_ms + p->max_ahead)
		return 0;
	snprintf(why, sizeof why, "event time %s is more than %s ahead of the "
	    "server's clock (--max-ahead)", sb_time_format(ev->time, ts),
	    sb_duration_format(p->max_ahead, d, sizeof d));
	r->ahead++;
	reject(r, index, why);
	return 1;
}

/* Validates object token obj of p->js as item index; keeps or rejects it. */
static void
take_item(struct ingest_parser *p, size_t obj, size_t index, int64_t now_ms,
    struct ingest_result *r)
{
	const struct sb_jtok *t = &p->js.tok[obj];
	char why[160];
	long m;

	if (t->type != SB_JOBJECT) {
		reject(r, index, "not a JSON object");
		return;
	}
	if (!sb_is_event(&p->js, obj)) {
		reject(r, index, "'type' is set: not a raw event");
		return;
	}
	if (sb_event_read(&p->ev, &p->js, obj, why, sizeof why) == -1) {
		reject(r, index, why);
		return;
	}
	if (too_far_ahead(p, &p->ev, now_ms, index, r))
		return;
	if (p->ev.has_time) {
		put_compact(&r->lines, p->js.src + t->start, t->end - t->start);
	} else if ((m = sb_json_member(&p->js, obj, "timestamp")) >= 0) {
		/* "timestamp":null: the time takes the null's place. */
		const struct sb_jtok *v = &p->js.tok[m];
		put_compact(&r->lines, p->js.src + t->start, v->start - t->start);
		sb_buf_json_time(&r->lines, now_ms);
		put_compact(&r->lines, p->js.src + v->end, t->end - v->end);
	} else {
		/* Last, so that it never hides a member the client sent. */
		put_compact(&r->lines, p->js.src + t->start, t->end - t->start);
		r->lines.len--;			/* the closing brace */
		if (t->size > 0)
			sb_buf_putc(&r->lines, ',');
		sb_buf_puts(&r->lines, "\"timestamp\":");
		sb_buf_json_time(&r->lines, now_ms);
		sb_buf_putc(&r->lines, '}');
	}
	sb_buf_putc(&r->lines, '\n');
	r->accepted++;
}

static void
parse_error(struct ingest_parser *p, size_t index, struct ingest_result *r)
{
	char why[160];

	snprintf(why, sizeof why, "invalid JSON: %s at byte %zu", p->js.err,
	    p->js.errpos + 1);
	reject(r, index, why);
}

static int
blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
			return 0;
	return 1;
}

/* A log line: an event in the reader's format, or a rejected item. */
static void
take_log_line(struct ingest_parser *p, const char *s, size_t n, size_t index,
    int64_t now_ms, struct ingest_result *r)
{
	char why[160];
	long type;

	if (sb_evread_parse(&p->rd, s, n, &type, why, sizeof why) == -1) {
		reject(r, index, why);
		return;
	}
	if (too_far_ahead(p, &p->rd.ev, now_ms, index, r))
		return;
	sb_event_json(&p->rd.ev, &r->lines);
	r->accepted++;
}

/* Each non-blank line is an item; blank lines are not counted. */
static void
parse_lines(struct ingest_parser *p, const char *s, size_t n, int64_t now_ms,
    struct ingest_result *r)
{
	const char *end = s + n, *nl;
	size_t index = 0;

	for (; s < end; s = nl + 1) {
		if ((nl = memchr(s, '\n', (size_t)(end - s))) == NULL)
			nl = end;
		if (blank(s, (size_t)(nl - s)))
			continue;
		if (p->rd.fmt != NULL)
			take_log_line(p, s, (size_t)(nl - s -
			    (nl > s && nl[-1] == '\r')), index, now_ms, r);
		else if (sb_json_parse(&p->js, s, (size_t)(nl - s)) == -1)
			parse_error(p, index, r);
		else
			take_item(p, 0, index, now_ms, r);
		index++;
	}
}

enum ingest_shape
ingest_parse(struct ingest_parser *p, const char *body, size_t n,
    int64_t now_ms, struct ingest_result *r)
{
	size_t i = 0;

	while (i < n && (body[i] == ' ' || body[i] == '\t' || body[i] == '\r' ||
	    body[i] == '\n'))
		i++;
	if (i == n)
		return INGEST_EMPTY;
	if (p->rd.fmt != NULL) {
		parse_lines(p, body, n, now_ms, r);
		return INGEST_NDJSON;
	}
	if (body[i] == '[') {
		/* An array that does not parse is one bad item. */
		if (sb_json_parse(&p->js, body, n) == -1) {
			parse_error(p, 0, r);
			return INGEST_ARRAY;
		}
		size_t k = 1, index = 0;
		for (; index < p->js.tok[0].size; index++) {
			take_item(p, k, index, now_ms, r);
			k = p->js.tok[k].skip;
		}
		return INGEST_ARRAY;
	}
	/* One value, maybe pretty-printed over several lines; else NDJSON. */
	if (body[i] == '{' && sb_json_parse(&p->js, body, n) == 0) {
		take_item(p, 0, 0, now_ms, r);
		return INGEST_OBJECT;
	}
	parse_lines(p, body, n, now_ms, r);
	return INGEST_NDJSON;
}

void
ingest_response_json(const struct ingest_result *r, struct sb_buf *out)
{
	sb_buf_printf(out, "{\"accepted\":%zu,\"rejected\":%zu,\"errors\":[",
	    r->accepted, r->rejected);
	if (r->errors.len > 0)
		sb_buf_add(out, r->errors.s, r->errors.len);
	sb_buf_puts(out, "]}\n");
}

int
ingest_gunzip(const char *in, size_t n, size_t max, unsigned ratio,
    struct sb_buf *out, const char **why)
{
	z_stream z;
	int rc;

	*why = NULL;
	memset(&z, 0, sizeof z);
	if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) {
		*why = "out of memory";
		return INGEST_GZ_BAD;
	}
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)n;
	for (;;) {
		if (out->cap - out->len < 65536 + 1)
			sb_buf_grow(out, 65536 + 1);
		z.next_out = (Bytef *)out->s + out->len;
		z.avail_out = (uInt)(out->cap - out->len - 1);
		rc = inflate(&z, Z_NO_FLUSH);
		out->len = (size_t)((char *)z.next_out - out->s);
		out->s[out->len] = '\0';
		if (out->len > max) {
			inflateEnd(&z);
			return INGEST_GZ_BIG;
		}
		/* What came in so far against what came out, as it goes. */
		if (ratio > 0 && out->len > INGEST_RATIO_FLOOR &&
		    out->len / ratio > n - z.avail_in) {
			inflateEnd(&z);
			return INGEST_GZ_RATIO;
		}
		if (rc == Z_STREAM_END) {
			if (z.avail_in == 0)
				break;
			/* Concatenated members, as gzip(1) writes with -c >>. */
			if (inflateReset(&z) != Z_OK)
				break;
			continue;
		}
		if (rc != Z_OK || (z.avail_in == 0 && z.avail_out != 0)) {
			*why = rc == Z_OK || rc == Z_BUF_ERROR ?
			    "unexpected end of data" : z.msg != NULL ? z.msg :
			    "corrupt data";
			inflateEnd(&z);
			return INGEST_GZ_BAD;
		}
	}
	inflateEnd(&z);
	if (rc != Z_STREAM_END) {
		*why = "corrupt data";
		return INGEST_GZ_BAD;
	}
	return INGEST_GZ_OK;
}
