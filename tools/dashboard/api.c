/*
 * api.c - the JSON API: /api/endpoints, /api/series, /api/alerts.
 *
 * One JSON object per response, written with the one JSON writer of
 * buf.h; dashboard.1 documents the members.
 */
#include <string.h>

#include "buf.h"
#include "data.h"
#include "render.h"

static void
range_members(struct sb_buf *b, const struct view *v)
{
	sb_buf_puts(b, "\"since\":");
	sb_buf_json_time(b, v->since);
	sb_buf_puts(b, ",\"until\":");
	sb_buf_json_time(b, v->until);
	sb_buf_puts(b, ",\"range\":");
	sb_buf_json_str(b, v->range, strlen(v->range));
}

static void
num(struct sb_buf *b, const char *name, double v)
{
	sb_buf_printf(b, ",\"%s\":", name);
	sb_buf_json_num(b, v);		/* NAN is written null */
}

void
api_endpoints(struct sb_buf *b, const struct view *v,
    const struct dash_overview *o)
{
	sb_buf_putc(b, '{');
	range_members(b, v);
	sb_buf_printf(b, ",\"sampled\":%s,\"not_shown\":%llu,\"endpoints\":[",
	    o->sampled ? "true" : "false", (unsigned long long)o->not_shown);
	for (size_t i = 0; i < o->n; i++) {
		const struct dash_row *r = &o->row[i];

		sb_buf_puts(b, i ? ",{\"key\":" : "{\"key\":");
		sb_buf_json_str(b, r->s.key, strlen(r->s.key));
		num(b, "health", r->health);
		num(b, "rate_per_min", r->rate);
		num(b, "p95_ms", r->p95);
		num(b, "error_rate", r->err);
		sb_buf_puts(b, ",\"alert\":");
		if (r->alert != SB_LV_NONE)
			sb_buf_printf(b, "\"%s\"", sb_level_name(r->alert));
		else
			sb_buf_puts(b, "null");
		sb_buf_puts(b, ",\"baseline\":{\"p95_ms\":");
		sb_buf_json_num(b, r->base_p95);
		num(b, "rate_per_min", r->base_rate);
		num(b, "error_rate", r->base_err);
		sb_buf_puts(b, "},\"penalties\":{\"latency\":");
		sb_buf_json_num(b, r->pen_latency);
		num(b, "errors", r->pen_errors);
		num(b, "traffic", r->pen_traffic);
		num(b, "alert", r->pen_alert);
		sb_buf_puts(b, "}}");
	}
	sb_buf_puts(b, "]}\n");
}

void
api_series(struct sb_buf *b, const struct view *v,
    const struct dash_series *s)
{
	sb_buf_puts(b, "{\"key\":");
	sb_buf_json_str(b, s->key, strlen(s->key));
	sb_buf_putc(b, ',');
	range_members(b, v);
	sb_buf_printf(b, ",\"step_s\":%lld,\"sampled\":%s,\"points\":[",
	    (long long)(s->step / 1000), s->sampled ? "true" : "false");
	for (size_t i = 0; i < s->n; i++) {
		const struct dash_point *p = &s->pt[i];

		sb_buf_puts(b, i ? ",{\"t\":" : "{\"t\":");
		sb_buf_json_time(b, p->t);
		sb_buf_printf(b, ",\"windows\":%d", p->nwin);
		num(b, "count", p->count);
		num(b, "errors", p->errors);
		num(b, "error_rate", p->count > 0 ? p->errors / p->count : 0);
		num(b, "p50", p->p50);
		num(b, "p95", p->p95);
		num(b, "p99", p->p99);
		sb_buf_putc(b, '}');
	}
	sb_buf_puts(b, "]}\n");
}

void
api_alerts(struct sb_buf *b, const struct view *v,
    const struct dash_alerts *a)
{
	sb_buf_putc(b, '{');
	range_members(b, v);
	sb_buf_puts(b, ",\"alerts\":[");
	/* The latest record of each incident, verbatim: the store validated it. */
	for (size_t i = 0; i < a->n; i++) {
		if (i)
			sb_buf_putc(b, ',');
		sb_buf_add(b, a->inc[i].line, a->inc[i].len);
	}
	sb_buf_puts(b, "]}\n");
}

void
api_error(struct sb_buf *b, int status, const char *msg)
{
	sb_buf_printf(b, "{\"status\":%d,\"error\":", status);
	sb_buf_json_str(b, msg, strlen(msg));
	sb_buf_puts(b, "}\n");
}
