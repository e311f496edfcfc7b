/*
 * sigrec.c - signal records and their shared judgements; see sigrec.h.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "json.h"
#include "sigrec.h"
#include "timefmt.h"

void
json_span(const struct sb_json *js, size_t t, size_t *a, size_t *b)
{
	*a = js->tok[t].start;
	*b = js->tok[t].end;
	if (js->tok[t].type == SB_JSTRING) {
		(*a)--;
		(*b)++;
	}
}

int
json_get_str(const struct sb_json *js, size_t obj, const char *name,
    char **out)
{
	struct sb_buf b = SB_BUF_INIT;
	long t = sb_json_member(js, obj, name);

	*out = NULL;
	if (t < 0)
		return 0;
	if (js->tok[t].type != SB_JSTRING)
		return -1;
	sb_json_str(js, (size_t)t, &b);
	sb_buf_putc(&b, '\0');
	*out = b.s;
	return 1;
}

int
json_get_time(const struct sb_json *js, size_t obj, const char *name,
    int64_t *out)
{
	struct sb_buf b = SB_BUF_INIT;
	long t = sb_json_member(js, obj, name);
	double v;
	int rc;

	if (t < 0)
		return 0;
	if (js->tok[t].type == SB_JNUMBER)
		return sb_json_number(js, (size_t)t, &v) == 0 &&
		    sb_time_from_epoch(v, out) == 0 ? 1 : -1;
	if (js->tok[t].type != SB_JSTRING)
		return -1;
	sb_json_str(js, (size_t)t, &b);
	rc = b.len > 0 && sb_time_parse(b.s, b.len, out) == 0 ? 1 : -1;
	sb_buf_free(&b);
	return rc;
}

int
json_get_num(const struct sb_json *js, size_t obj, const char *name,
    double *out)
{
	long t = sb_json_member(js, obj, name);

	if (t < 0 || js->tok[t].type == SB_JNULL)
		return 0;
	return sb_json_number(js, (size_t)t, out) == 0 ? 1 : -1;
}

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
	{ "baseline",	SR_BASELINE,	offsetof(struct sigrec, baseline) },
	{ "spread",	SR_SPREAD,	offsetof(struct sigrec, spread) },
	{ "score",	SR_SCORE,	offsetof(struct sigrec, score) },
	{ "expected",	SR_EXPECTED,	offsetof(struct sigrec, expected) },
	{ "count",	SR_COUNT,	offsetof(struct sigrec, count) },
	{ "errors",	SR_ERRORS,	offsetof(struct sigrec, errors) },
	{ "burn_rate",	SR_BURN,	offsetof(struct sigrec, burn_rate) },
	{ "p_value",	SR_PVALUE,	offsetof(struct sigrec, p_value) },
};

static int
read_members(struct sigrec *s, const struct sb_json *js, size_t obj,
    char *why, size_t whysz)
{
	static const char *const req[] = { "key", "metric", "detector" };
	char **dst[] = { &s->key, &s->metric, &s->detector };
	char *str;
	long t;
	int rc;

	for (size_t i = 0; i < 3; i++) {
		if ((rc = json_get_str(js, obj, req[i], dst[i])) != 1 ||
		    **dst[i] == '\0') {
			snprintf(why, whysz, rc == 0 ? "missing '%s'" :
			    "'%s' is not a non-empty string", req[i]);
			return -1;
		}
	}
	if ((rc = json_get_time(js, obj, "at", &s->at)) != 1) {
		snprintf(why, whysz, rc == 0 ? "missing 'at'" :
		    "'at' is not an RFC 3339 time");
		return -1;
	}
	if ((rc = json_get_num(js, obj, "value", &s->value)) != 1) {
		snprintf(why, whysz, rc == 0 ? "missing 'value'" :
		    "'value' is not a finite number");
		return -1;
	}
	if ((rc = json_get_time(js, obj, "since", &s->since)) == -1) {
		snprintf(why, whysz, "'since' is not an RFC 3339 time");
		return -1;
	}
	if (rc == 1 && s->since <= s->at)
		s->has |= SR_SINCE;
	else
		s->since = s->at;
	for (size_t i = 0; i < sizeof optnums / sizeof optnums[0]; i++) {
		rc = json_get_num(js, obj, optnums[i].name,
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
		s->has |= SR_WINDOWS;
	}
	if ((rc = json_get_str(js, obj, "direction", &str)) == -1 ||
	    (rc == 1 && strcmp(str, "up") != 0 && strcmp(str, "down") != 0)) {
		free(str);
		snprintf(why, whysz, "'direction' is not \"up\" or \"down\"");
		return -1;
	}
	if (rc == 1)
		s->dir = str[0] == 'u' ? 1 : -1;
	else if (s->has & SR_BASELINE)
		s->dir = s->value >= s->baseline ? 1 : -1;
	free(str);
	if (json_get_str(js, obj, "state", &str) == -1) {
		snprintf(why, whysz, "'state' is not a string");
		return -1;
	}
	s->cleared = str != NULL && strcmp(str, "cleared") == 0;
	free(str);
	if (json_get_str(js, obj, "service", &s->service) == -1 ||
	    json_get_str(js, obj, "method", &s->method) == -1 ||
	    json_get_str(js, obj, "endpoint", &s->endpoint) == -1) {
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
sigrec_read(struct sigrec *s, const struct sb_json *js, size_t obj,
    char *why, size_t whysz)
{
	size_t a, b;

	memset(s, 0, sizeof *s);
	if (js->tok[obj].type != SB_JOBJECT) {
		snprintf(why, whysz, "signal is not a JSON object");
		return -1;
	}
	if (read_members(s, js, obj, why, whysz) == -1) {
		sigrec_free(s);
		return -1;
	}
	json_span(js, obj, &a, &b);
	s->rawlen = b - a;
	s->raw = sb_xmalloc(s->rawlen + 1);
	memcpy(s->raw, js->src + a, s->rawlen);
	s->raw[s->rawlen] = '\0';
	return 0;
}

void
sigrec_free(struct sigrec *s)
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

static char *
dup_or_null(const char *s)
{
	return s != NULL ? sb_xstrdup(s) : NULL;
}

void
sigrec_copy(struct sigrec *d, const struct sigrec *s)
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

const char *
detector_family(const char *d)
{
	static const struct { const char *name, *family; } tab[] = {
		{ "level", "level" }, { "level_shift", "level" },
		{ "zscore", "level" },
		{ "cusum", "drift" }, { "drift", "drift" },
		{ "binomial", "rate" }, { "poisson", "rate" },
		{ "rate", "rate" },
		{ "traffic", "traffic" }, { "traffic_drop", "traffic" },
		{ "traffic_surge", "traffic" },
		{ "slo_burn", "slo" }, { "slo", "slo" }, { "burn_rate", "slo" },
	};

	for (size_t i = 0; i < sizeof tab / sizeof tab[0]; i++)
		if (strcmp(d, tab[i].name) == 0)
			return tab[i].family;
	return d;
}

enum metric_class
metric_class(const char *m)
{
	if (strncmp(m, "latency", 7) == 0)
		return MC_LATENCY;
	if (strcmp(m, "error_rate") == 0 || strcmp(m, "errors") == 0)
		return MC_ERRORS;
	if (strcmp(m, "count") == 0 || strcmp(m, "traffic") == 0)
		return MC_TRAFFIC;
	return MC_OTHER;
}

static enum metric_class
sig_class(const struct sigrec *s)
{
	if (strcmp(detector_family(s->detector), "traffic") == 0)
		return MC_TRAFFIC;
	return metric_class(s->metric);
}

int
sigrec_benign(const struct sigrec *s)
{
	enum metric_class c = sig_class(s);

	return s->dir < 0 && (c == MC_LATENCY || c == MC_ERRORS) &&
	    strcmp(detector_family(s->detector), "slo") != 0;
}

double
sigrec_ratio(const struct sigrec *s)
{
	double ref = 0;

	if (sig_class(s) == MC_TRAFFIC && (s->has & SR_EXPECTED))
		ref = s->expected;
	else if (s->has & SR_BASELINE)
		ref = s->baseline;
	if (!(ref > 0) || !isfinite(s->value / ref))
		return 0;
	return s->value / ref;
}

enum level
sigrec_level(const struct sigrec *s)
{
	double r = sigrec_ratio(s), burn;

	if (strcmp(detector_family(s->detector), "slo") == 0) {
		burn = (s->has & SR_BURN) ? s->burn_rate : s->value;
		return burn >= 14.4 ? LV_CRITICAL : burn >= 6 ? LV_WARNING :
		    LV_INFO;
	}
	switch (sig_class(s)) {
	case MC_LATENCY:
		if (s->dir < 0)
			return LV_INFO;
		return r >= 3 ? LV_CRITICAL : r >= 1.5 ? LV_WARNING : LV_INFO;
	case MC_ERRORS:
		if (s->dir < 0)
			return LV_INFO;
		return s->value >= 0.10 ? LV_CRITICAL :
		    s->value >= 0.02 ? LV_WARNING : LV_INFO;
	case MC_TRAFFIC:
		if (s->dir < 0 && (s->has & (SR_EXPECTED | SR_BASELINE)))
			return r <= 0.1 ? LV_CRITICAL : r <= 0.5 ? LV_WARNING :
			    LV_INFO;
		return s->dir > 0 && r >= 5 ? LV_WARNING : LV_INFO;
	case MC_OTHER:
		break;
	}
	return LV_INFO;
}

const char *
level_name(int l)
{
	return l >= LV_CRITICAL ? "critical" : l == LV_WARNING ? "warning" :
	    "info";
}

int
level_parse(const char *s)
{
	for (int l = LV_INFO; l <= LV_CRITICAL; l++)
		if (strcmp(s, level_name(l)) == 0)
			return l;
	return -1;
}
