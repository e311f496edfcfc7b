/*
 * sigrec.c - signal records and their shared judgements; see sigrec.h.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "sigrec.h"

/* "checkout GET /a": the first word when the second is an HTTP method. */
static char *
service_from_key(const char *key)
{
	const char *sp = strchr(key, ' '), *p;

	if (sp == NULL || sp == key)
		return NULL;
	for (p = sp + 1; *p >= 'A' && *p <= 'Z'; p++)
		;
	if (p == sp + 1 || *p != ' ' || strchr(p + 1, ' ') != NULL)
		return NULL;
	return strndup(key, (size_t)(sp - key));
}

static const struct {
	const char	*name;
	unsigned	 bit;
	size_t		 off;
} optnums[] = {
	{ "baseline",	SB_SIG_BASELINE,	offsetof(struct sb_signal, baseline) },
	{ "spread",	SB_SIG_SPREAD,	offsetof(struct sb_signal, spread) },
	{ "score",	SB_SIG_SCORE,	offsetof(struct sb_signal, score) },
	{ "expected",	SB_SIG_EXPECTED,	offsetof(struct sb_signal, expected) },
	{ "count",	SB_SIG_COUNT,	offsetof(struct sb_signal, count) },
	{ "errors",	SB_SIG_ERRORS,	offsetof(struct sb_signal, errors) },
	{ "burn_rate",	SB_SIG_BURN,	offsetof(struct sb_signal, burn_rate) },
	{ "p_value",	SB_SIG_PVALUE,	offsetof(struct sb_signal, p_value) },
	{ "objective",	SB_SIG_OBJECTIVE, offsetof(struct sb_signal, objective) },
};

static const char *const time_name[] = { "at" };

static const char *const cx_name[SB_CX_N] = { "count", "error_rate",
	"latency_p50", "latency_p95", "latency_p99" };

const char *
sb_cx_name(int i)
{
	return i >= 0 && i < SB_CX_N ? cx_name[i] : NULL;
}

/* "codes":{"503":12,...}; names are status codes, values counts. */
static int
read_codes(struct sb_sigctx *c, const struct sb_json *js, size_t t,
    char *why, size_t whysz)
{
	if (js->tok[t].type != SB_JOBJECT) {
		snprintf(why, whysz, "'context.codes' is not an object");
		return -1;
	}
	for (size_t k = t + 1; k < js->tok[t].skip; k = js->tok[k + 1].skip) {
		double v;
		int code = sb_status_name(js, k), i;

		if (code == -1) {
			snprintf(why, whysz, "'context.codes' holds a name "
			    "that is not a status code");
			return -1;
		}
		if (js->tok[k + 1].type != SB_JNUMBER ||
		    sb_json_number(js, k + 1, &v) == -1 || !(v >= 0)) {
			snprintf(why, whysz, "'context.codes.%d' is not a "
			    "count", code);
			return -1;
		}
		if (c->ncodes == SB_CX_CODES)
			continue;
		for (i = c->ncodes; i > 0 && c->code[i - 1] > code; i--) {
			c->code[i] = c->code[i - 1];
			c->ncode[i] = c->ncode[i - 1];
		}
		c->code[i] = code;
		c->ncode[i] = v;
		c->ncodes++;
	}
	return 0;
}

static int
read_context(struct sb_sigctx *c, const struct sb_json *js, size_t obj,
    char *why, size_t whysz)
{
	long t = sb_json_member(js, obj, "context"), m, codes;
	int rc;

	if (t < 0 || js->tok[t].type == SB_JNULL)
		return 0;
	if (js->tok[t].type != SB_JOBJECT) {
		snprintf(why, whysz, "'context' is not an object");
		return -1;
	}
	for (int i = 0; i < SB_CX_N; i++) {
		if ((m = sb_json_member(js, (size_t)t, cx_name[i])) < 0)
			continue;
		if (js->tok[m].type != SB_JOBJECT ||
		    sb_json_get_num(js, (size_t)m, "value", &c->value[i]) != 1 ||
		    (rc = sb_json_get_num(js, (size_t)m, "baseline",
		    &c->baseline[i])) == -1) {
			snprintf(why, whysz, "'context.%s' is not "
			    "{\"value\":NUMBER[,\"baseline\":NUMBER]}",
			    cx_name[i]);
			return -1;
		}
		c->has |= 1u << i;
		if (rc == 1)
			c->has_base |= 1u << i;
	}
	if ((codes = sb_json_member(js, (size_t)t, "codes")) >= 0 &&
	    read_codes(c, js, (size_t)codes, why, whysz) == -1)
		return -1;
	return 0;
}

static int
read_members(struct sb_signal *s, const struct sb_json *js, size_t obj,
    char *why, size_t whysz)
{
	static const char *const req[] = { "key", "metric", "detector" };
	char **dst[] = { &s->key, &s->metric, &s->detector };
	char *str;
	long t;
	int rc;

	for (size_t i = 0; i < 3; i++) {
		if ((rc = sb_json_get_str(js, obj, req[i], dst[i])) != 1 ||
		    **dst[i] == '\0') {
			snprintf(why, whysz, rc == 0 ? "missing '%s'" :
			    "'%s' is not a non-empty string", req[i]);
			return -1;
		}
	}
	s->family = sb_family_parse(s->detector);
	if ((rc = sb_json_get_time(js, obj, time_name[0], &s->at)) != 1) {
		snprintf(why, whysz, rc == 0 ? "missing 'at'" :
		    "'at' is not an RFC 3339 time");
		return -1;
	}
	if ((rc = sb_json_get_num(js, obj, "value", &s->value)) != 1) {
		snprintf(why, whysz, rc == 0 ? "missing 'value'" :
		    "'value' is not a finite number");
		return -1;
	}
	if ((rc = sb_json_get_time(js, obj, "since", &s->since)) == -1) {
		snprintf(why, whysz, "'since' is not an RFC 3339 time");
		return -1;
	}
	if (rc == 1 && s->since <= s->at)
		s->has |= SB_SIG_SINCE;
	else
		s->since = s->at;
	for (size_t i = 0; i < sizeof optnums / sizeof optnums[0]; i++) {
		rc = sb_json_get_num(js, obj, optnums[i].name,
		    (double *)(void *)((char *)s + optnums[i].off));
		if (rc == -1) {
			snprintf(why, whysz, "'%s' is not a finite number",
			    optnums[i].name);
			return -1;
		}
		if (rc == 1)
			s->has |= optnums[i].bit;
	}
	if ((t = sb_json_member(js, obj, "windows")) >= 0) {
		if (sb_json_int(js, (size_t)t, &s->windows) == -1 ||
		    s->windows < 0) {
			snprintf(why, whysz, "'windows' is not a count");
			return -1;
		}
		s->has |= SB_SIG_WINDOWS;
	}
	if ((rc = sb_json_get_num(js, obj, "width_s", &s->width_s)) == -1 ||
	    (rc == 1 && !(s->width_s > 0))) {
		snprintf(why, whysz, "'width_s' is not a number > 0");
		return -1;
	}
	if (rc == 0)
		s->width_s = 60;
	if (read_context(&s->ctx, js, obj, why, whysz) == -1)
		return -1;
	if ((rc = sb_json_get_str(js, obj, "direction", &str)) == -1 ||
	    (rc == 1 && strcmp(str, "up") != 0 && strcmp(str, "down") != 0)) {
		free(str);
		snprintf(why, whysz, "'direction' is not \"up\" or \"down\"");
		return -1;
	}
	if (rc == 1)
		s->dir = str[0] == 'u' ? 1 : -1;
	else if (s->has & SB_SIG_BASELINE)
		s->dir = s->value >= s->baseline ? 1 : -1;
	free(str);
	if (sb_json_get_str(js, obj, "state", &str) == -1) {
		snprintf(why, whysz, "'state' is not a string");
		return -1;
	}
	s->cleared = str != NULL && strcmp(str, "cleared") == 0;
	free(str);
	if (sb_json_get_str(js, obj, "service", &s->service) == -1 ||
	    sb_json_get_str(js, obj, "method", &s->method) == -1 ||
	    sb_json_get_str(js, obj, "endpoint", &s->endpoint) == -1) {
		snprintf(why, whysz, "'service', 'method' or 'endpoint' is "
		    "not a string");
		return -1;
	}
	if (s->service != NULL && s->service[0] == '\0') {
		free(s->service);
		s->service = NULL;
	}
	if (s->service == NULL)
		s->service = service_from_key(s->key);
	return 0;
}

int
sb_signal_read(struct sb_signal *s, const struct sb_json *js, size_t obj,
    char *why, size_t whysz)
{
	size_t a, b;

	memset(s, 0, sizeof *s);
	if (js->tok[obj].type != SB_JOBJECT) {
		snprintf(why, whysz, "signal is not a JSON object");
		return -1;
	}
	if (read_members(s, js, obj, why, whysz) == -1) {
		sb_signal_free(s);
		return -1;
	}
	sb_json_span(js, obj, &a, &b);
	s->rawlen = b - a;
	s->raw = sb_xmalloc(s->rawlen + 1);
	memcpy(s->raw, js->src + a, s->rawlen);
	s->raw[s->rawlen] = '\0';
	return 0;
}

void
sb_signal_free(struct sb_signal *s)
{
	free(s->key);
	free(s->service);
	free(s->method);
	free(s->endpoint);
	free(s->metric);
	free(s->detector);
	free(s->raw);
	memset(s, 0, sizeof *s);
}

const char *
sb_signal_time_name(int rank)
{
	return rank == 0 ? time_name[0] : NULL;
}

static char *
dup_or_null(const char *s)
{
	return s != NULL ? sb_xstrdup(s) : NULL;
}

void
sb_signal_copy(struct sb_signal *d, const struct sb_signal *s)
{
	*d = *s;
	d->key = dup_or_null(s->key);
	d->service = dup_or_null(s->service);
	d->method = dup_or_null(s->method);
	d->endpoint = dup_or_null(s->endpoint);
	d->metric = dup_or_null(s->metric);
	d->detector = dup_or_null(s->detector);
	d->raw = sb_xmalloc(s->rawlen + 1);
	memcpy(d->raw, s->raw, s->rawlen + 1);
}

static const char *const family_detector[] = { "level", "cusum",
	"binomial", "traffic", "slo_burn", "novel", "floor" };
static const char *const family_name[] = { "level", "drift", "rate",
	"traffic", "slo", "novel", "floor" };

const char *
sb_family_detector(enum sb_family f)
{
	return f < SB_FAM_OTHER ? family_detector[f] : "other";
}

const char *
sb_family_name(enum sb_family f)
{
	return f < SB_FAM_OTHER ? family_name[f] : "other";
}

enum sb_family
sb_family_parse(const char *d)
{
	/* The names of other tools and of older versions. */
	static const struct { const char *name; enum sb_family f; } alias[] = {
		{ "level_shift", SB_FAM_LEVEL }, { "zscore", SB_FAM_LEVEL },
		{ "poisson", SB_FAM_RATE }, { "traffic_drop", SB_FAM_TRAFFIC },
		{ "traffic_surge", SB_FAM_TRAFFIC }, { "burn_rate", SB_FAM_SLO },
	};

	for (int f = 0; f < SB_FAM_OTHER; f++)
		if (strcmp(d, family_detector[f]) == 0 ||
		    strcmp(d, family_name[f]) == 0)
			return (enum sb_family)f;
	for (size_t i = 0; i < sizeof alias / sizeof alias[0]; i++)
		if (strcmp(d, alias[i].name) == 0)
			return alias[i].f;
	return SB_FAM_OTHER;
}

const char *
sb_detector_family(const char *d)
{
	enum sb_family f = sb_family_parse(d);

	return f == SB_FAM_OTHER ? d : sb_family_name(f);
}

enum sb_metric_class
sb_metric_class(const char *m)
{
	if (strncmp(m, "latency", 7) == 0)
		return SB_MC_LATENCY;
	if (strcmp(m, "error_rate") == 0 || strcmp(m, "errors") == 0)
		return SB_MC_ERRORS;
	if (strcmp(m, "count") == 0 || strcmp(m, "traffic") == 0)
		return SB_MC_TRAFFIC;
	return SB_MC_OTHER;
}

static enum sb_metric_class
sig_class(const struct sb_signal *s)
{
	if (s->family == SB_FAM_TRAFFIC)
		return SB_MC_TRAFFIC;
	return sb_metric_class(s->metric);
}

int
sb_signal_benign(const struct sb_signal *s)
{
	enum sb_metric_class c = sig_class(s);

	return s->dir < 0 && (c == SB_MC_LATENCY || c == SB_MC_ERRORS) &&
	    s->family != SB_FAM_SLO;
}

double
sb_signal_ratio(const struct sb_signal *s)
{
	double ref = 0;

	if (sig_class(s) == SB_MC_TRAFFIC && (s->has & SB_SIG_EXPECTED))
		ref = s->expected;
	else if (s->has & SB_SIG_BASELINE)
		ref = s->baseline;
	if (!(ref > 0) || !isfinite(s->value / ref))
		return 0;
	return s->value / ref;
}

enum sb_level
sb_signal_level(const struct sb_signal *s)
{
	double r = sb_signal_ratio(s), burn;

	if (s->family == SB_FAM_SLO) {
		burn = (s->has & SB_SIG_BURN) ? s->burn_rate : s->value;
		return burn >= SB_SLO_PAGE_BURN ? SB_LV_CRITICAL :
		    burn >= SB_SLO_TICKET_BURN ? SB_LV_WARNING :
		    SB_LV_INFO;
	}
	switch (sig_class(s)) {
	case SB_MC_LATENCY:
		if (s->dir < 0)
			return SB_LV_INFO;
		return r >= 3 ? SB_LV_CRITICAL : r >= 1.5 ? SB_LV_WARNING : SB_LV_INFO;
	case SB_MC_ERRORS:
		if (s->dir < 0)
			return SB_LV_INFO;
		return s->value >= 0.10 ? SB_LV_CRITICAL :
		    s->value >= 0.02 ? SB_LV_WARNING : SB_LV_INFO;
	case SB_MC_TRAFFIC:
		if (s->dir < 0 && (s->has & (SB_SIG_EXPECTED | SB_SIG_BASELINE)))
			return r <= 0.1 ? SB_LV_CRITICAL : r <= 0.5 ? SB_LV_WARNING :
			    SB_LV_INFO;
		return s->dir > 0 && r >= 5 ? SB_LV_WARNING : SB_LV_INFO;
	case SB_MC_OTHER:
		break;
	}
	return SB_LV_INFO;
}
