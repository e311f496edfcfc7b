/*
 * format.c - the JSONL that inject(1) writes: events and truth records.
 *
 * Events are formatted by hand, straight into the buffer: this runs
 * millions of times per run and snprintf would dominate it.  The strings
 * of the endpoint table need no JSON escaping, by construction.
 */
#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "gen.h"
#include "timefmt.h"

/* Room for everything in an event line but the table's strings. */
#define EVENT_FIXED	256

static const char *const query_words[] = {
	"shoes", "red+dress", "laptop", "coffee", "usb-c+cable", "gift",
	"desk+lamp", "running",
};

static char *
put(char *p, const char *s)
{
	size_t n = strlen(s);

	memcpy(p, s, n);
	return p + n;
}

static char *
put_uint(char *p, uint64_t v)
{
	char tmp[20];
	int n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	while (n > 0)
		*p++ = tmp[--n];
	return p;
}

static char *
put_hex(char *p, uint64_t v, int digits)
{
	static const char hex[] = "0123456789abcdef";

	for (int i = digits - 1; i >= 0; i--)
		*p++ = hex[(v >> (4 * i)) & 15];
	return p;
}

/* 8-4-4-4-12, version 4, variant 10xx, as RFC 9562 has it. */
static char *
put_uuid(char *p, uint64_t hi, uint64_t lo)
{
	hi = (hi & ~0xf000ULL) | 0x4000ULL;
	lo = (lo & ~(3ULL << 62)) | (2ULL << 62);
	p = put_hex(p, hi >> 32, 8);
	*p++ = '-';
	p = put_hex(p, hi >> 16, 4);
	*p++ = '-';
	p = put_hex(p, hi, 4);
	*p++ = '-';
	p = put_hex(p, lo >> 48, 4);
	*p++ = '-';
	return put_hex(p, lo, 12);
}

static char *
put_path(char *p, const struct gen_event *ev)
{
	const struct gen_endpoint *ep = ev->ep;
	const char *id = strstr(ep->route, "{id}");

	if (id == NULL || ep->id == GEN_ID_NONE || ep->id == GEN_ID_QUERY) {
		p = put(p, ep->route);
		if (ep->id == GEN_ID_QUERY) {
			p = put(p, "?q=");
			p = put(p, query_words[ev->id[0] %
			    (sizeof query_words / sizeof query_words[0])]);
		}
		return p;
	}
	memcpy(p, ep->route, (size_t)(id - ep->route));
	p += id - ep->route;
	switch (ep->id) {
	case GEN_ID_NUM:
		p = put_uint(p, ev->id[0]);
		break;
	case GEN_ID_UUID:
		p = put_uuid(p, ev->id[0], ev->id[1]);
		break;
	case GEN_ID_HEX:
		p = put_hex(p, ev->id[0], 16);
		p = put_hex(p, ev->id[1], 8);
		break;
	case GEN_ID_NONE:
	case GEN_ID_QUERY:
		break;
	}
	return put(p, id + 4);
}

static const char *
error_message(int status)
{
	switch (status) {
	case 502:
		return "connection reset";
	case 503:
		return "service unavailable";
	case 504:
		return "upstream timeout";
	default:
		return "internal error";
	}
}

void
gen_event_json(const struct gen_event *ev, struct sb_buf *b)
{
	const struct gen_endpoint *ep = ev->ep;
	char *p;

	sb_buf_grow(b, EVENT_FIXED + strlen(ep->service) + strlen(ep->method) +
	    strlen(ep->route));
	p = b->s + b->len;
	p = put(p, "{\"timestamp\":\"");
	sb_time_format(ev->time, p);
	p += SB_TIME_LEN - 1;
	p = put(p, "\",\"service\":\"");
	p = put(p, ep->service);
	p = put(p, "\",\"method\":\"");
	p = put(p, ep->method);
	p = put(p, "\",\"endpoint\":\"");
	p = put_path(p, ev);
	p = put(p, "\",\"status_code\":");
	p = put_uint(p, (uint64_t)ev->status);
	p = put(p, ",\"latency_ms\":");
	p = put_uint(p, (uint64_t)ev->latency_10 / 10);
	*p++ = '.';
	*p++ = (char)('0' + ev->latency_10 % 10);
	p = put(p, ",\"response_size\":");
	p = put_uint(p, (uint64_t)ev->bytes);
	if (ev->status >= 500) {
		p = put(p, ",\"error_message\":\"");
		p = put(p, error_message(ev->status));
		*p++ = '"';
	}
	*p++ = '}';
	*p++ = '\n';
	*p = '\0';
	b->len = (size_t)(p - b->s);
}

static void
json_key(struct sb_buf *b, const struct gen_endpoint *ep)
{
	struct sb_buf key = SB_BUF_INIT;

	gen_endpoint_key(ep, &key);
	sb_buf_json_str(b, key.s, key.len);
	sb_buf_free(&key);
}

static void
truth_record(struct sb_buf *b, const struct gen *g,
    const struct gen_endpoint *ep, const char *metric, double baseline,
    double peak)
{
	const struct gen_config *cfg = &g->cfg;
	int64_t developed = cfg->deg_start + cfg->ramp;

	if (developed > cfg->deg_end)
		developed = cfg->deg_end;
	sb_buf_puts(b, "{\"type\":\"truth\",\"scenario\":");
	sb_buf_json_str(b, cfg->scenario->name, strlen(cfg->scenario->name));
	sb_buf_puts(b, ",\"key\":");
	json_key(b, ep);
	sb_buf_puts(b, ",\"service\":");
	sb_buf_json_str(b, ep->service, strlen(ep->service));
	sb_buf_puts(b, ",\"metric\":");
	sb_buf_json_str(b, metric, strlen(metric));
	sb_buf_puts(b, ",\"start\":");
	sb_buf_json_time(b, cfg->deg_start);
	sb_buf_puts(b, ",\"developed\":");
	sb_buf_json_time(b, developed);
	sb_buf_puts(b, ",\"end\":");
	if (cfg->deg_end == GEN_UNTIL_END)
		sb_buf_puts(b, "null");
	else
		sb_buf_json_time(b, cfg->deg_end);
	sb_buf_puts(b, ",\"baseline\":");
	sb_buf_json_num(b, baseline);
	sb_buf_puts(b, ",\"peak\":");
	sb_buf_json_num(b, peak);
	sb_buf_puts(b, "}\n");
}

/* The share of the full size a degradation reaches before it ends. */
static double
reached(const struct gen_config *cfg)
{
	double f;

	if (cfg->ramp <= 0 || cfg->deg_end == GEN_UNTIL_END)
		return 1;
	f = (double)(cfg->deg_end - cfg->deg_start) / (double)cfg->ramp;
	return f < 1 ? f : 1;
}

static void
truth_endpoint(struct sb_buf *b, const struct gen *g, size_t i)
{
	const struct gen_endpoint *ep = &gen_endpoints[i];
	const struct gen_effect *ef = &g->eff[i];
	const struct gen_scenario *sc = g->cfg.scenario;
	double f = reached(&g->cfg), rate = ep->rate * g->cfg.rate_scale;

	switch (sc->mag) {
	case GEN_MAG_LATENCY_MS:
	case GEN_MAG_LATENCY_X:
		truth_record(b, g, ep, "latency", ep->median_ms,
		    ep->median_ms * (1 + (ef->lat_to - 1) * f) + ef->lat_add * f);
		break;
	case GEN_MAG_TAIL:
		truth_record(b, g, ep, "latency_p99",
		    gen_latency_quantile(ep, 1, 0, 0.99),
		    gen_latency_quantile(ep, 1, ef->tail_to * f, 0.99));
		break;
	case GEN_MAG_TRAFFIC_X:
		truth_record(b, g, ep, "traffic", rate,
		    rate * (1 + (ef->traffic_to - 1) * f));
		break;
	case GEN_MAG_ERRORS:
	case GEN_MAG_NONE:
		break;
	}
	if (ef->err_to >= 0)
		truth_record(b, g, ep, "error_rate", ep->p5xx,
		    ep->p5xx + (ef->err_to - ep->p5xx) * f);
}

static void
noise_record(struct sb_buf *b, const struct gen_noise *n,
    const struct gen_endpoint *ep)
{
	const char *kind = gen_noise_kinds[n->kind].name;

	sb_buf_puts(b, "{\"type\":\"noise\",\"kind\":");
	sb_buf_json_str(b, kind, strlen(kind));
	sb_buf_puts(b, ",\"key\":");
	json_key(b, ep);
	sb_buf_puts(b, ",\"service\":");
	sb_buf_json_str(b, ep->service, strlen(ep->service));
	sb_buf_puts(b, ",\"start\":");
	sb_buf_json_time(b, n->start);
	sb_buf_puts(b, ",\"end\":");
	sb_buf_json_time(b, n->end);
	sb_buf_puts(b, "}\n");
}

void
gen_truth_json(const struct gen *g, struct sb_buf *b)
{
	for (size_t i = 0; i < gen_nendpoints; i++)
		if (g->deg_eps & (1u << i))
			truth_endpoint(b, g, i);
	for (size_t k = 0; k < g->nnoise; k++)
		for (size_t i = 0; i < gen_nendpoints; i++)
			if (g->noise[k].eps & (1u << i))
				noise_record(b, &g->noise[k], &gen_endpoints[i]);
}
