/*
 * event.c - validating raw request events; see event.h.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "event.h"
#include "num.h"
#include "timefmt.h"

#define ENDPOINT_MAX	SB_ENDPOINT_MAX
#define METHOD_MAX	SB_METHOD_MAX
#define SERVICE_MAX	SB_SERVICE_MAX

void
sb_event_init(struct sb_event *ev)
{
	memset(ev, 0, sizeof *ev);
}

void
sb_event_free(struct sb_event *ev)
{
	sb_buf_free(&ev->endpoint);
	sb_buf_free(&ev->method);
	sb_buf_free(&ev->service);
}

int
sb_is_event(const struct sb_json *js, size_t obj)
{
	return js->tok[obj].type == SB_JOBJECT &&
	    sb_json_member(js, obj, "type") < 0;
}

/* A number, or a string holding one (pydantic's lax mode). */
static int
number_of(const struct sb_json *js, size_t t, double *v)
{
	const struct sb_jtok *k = &js->tok[t];
	char tmp[64];
	const char *errstr;

	if (k->type == SB_JNUMBER)
		return sb_json_number(js, t, v);
	if (k->type != SB_JSTRING || k->escaped || k->end - k->start == 0 ||
	    k->end - k->start >= sizeof tmp)
		return -1;
	/* Decimal only: strtod would also take "0x10", "inf" and "nan". */
	if (strspn(js->src + k->start, "0123456789+-.eE") < k->end - k->start)
		return -1;
	memcpy(tmp, js->src + k->start, k->end - k->start);
	tmp[k->end - k->start] = '\0';
	return sb_parse_double(tmp, -HUGE_VAL, HUGE_VAL, v, &errstr) == 0 &&
	    isfinite(*v) ? 0 : -1;
}

static int
string_of(const struct sb_json *js, long t, const char *name, size_t max,
    struct sb_buf *out, char *err, size_t errsz)
{
	sb_buf_reset(out);
	if (t < 0)
		return 0;
	if (js->tok[t].type == SB_JNULL)
		return 0;
	if (js->tok[t].type != SB_JSTRING) {
		snprintf(err, errsz, "'%s' is not a string", name);
		return -1;
	}
	if (js->tok[t].end - js->tok[t].start > max * 6) {
		snprintf(err, errsz, "'%s' is longer than %zu bytes", name, max);
		return -1;
	}
	sb_json_str(js, (size_t)t, out);
	if (out->len > max) {
		snprintf(err, errsz, "'%s' is longer than %zu bytes", name, max);
		return -1;
	}
	return 0;
}

/*
 * The members an event may have, each with its aliases in order of
 * preference.  One pass over the object finds them all: an event line is
 * parsed at every stage's input rate, so no per-name lookups.
 */
enum field { F_TIME, F_ENDPOINT, F_STATUS, F_LATENCY, F_BYTES, F_METHOD,
	F_SERVICE, NFIELDS };

#define NAME(s)	s, sizeof(s) - 1
static const struct {
	const char	*name;
	size_t		 len;
	enum field	 field;
	int		 rank;		/* 0 is the canonical name */
} names[] = {
	{ NAME("timestamp"), F_TIME, 0 }, { NAME("ts"), F_TIME, 1 },
	{ NAME("time"), F_TIME, 2 },
	{ NAME("endpoint"), F_ENDPOINT, 0 }, { NAME("path"), F_ENDPOINT, 1 },
	{ NAME("route"), F_ENDPOINT, 2 },
	{ NAME("status_code"), F_STATUS, 0 }, { NAME("status"), F_STATUS, 1 },
	{ NAME("latency_ms"), F_LATENCY, 0 },
	{ NAME("duration_ms"), F_LATENCY, 1 },
	{ NAME("latency"), F_LATENCY, 2 },
	{ NAME("response_size"), F_BYTES, 0 }, { NAME("bytes"), F_BYTES, 1 },
	{ NAME("method"), F_METHOD, 0 }, { NAME("service"), F_SERVICE, 0 },
};
#define NNAMES	(sizeof names / sizeof names[0])

static const char *
alias(enum field f, int rank)
{
	for (size_t i = 0; i < NNAMES; i++)
		if (names[i].field == f && names[i].rank == rank)
			return names[i].name;
	return NULL;
}

const char *
sb_event_time_name(int rank)
{
	return alias(F_TIME, rank);
}

const char *
sb_event_endpoint_name(int rank)
{
	return alias(F_ENDPOINT, rank);
}

struct found {
	long		 tok[NFIELDS];
	int		 rank[NFIELDS];
	const char	*name[NFIELDS];
};

static int
name_is(const struct sb_json *js, size_t k, const char *name, size_t len)
{
	const struct sb_jtok *t = &js->tok[k];

	if (t->escaped)
		return sb_json_streq(js, k, name);
	return t->end - t->start == len &&
	    memcmp(js->src + t->start, name, len) == 0;
}

static void
find_fields(const struct sb_json *js, size_t obj, struct found *f)
{
	size_t k = obj + 1;

	for (int i = 0; i < NFIELDS; i++) {
		f->tok[i] = -1;
		f->rank[i] = 99;
	}
	for (size_t m = 0; m < js->tok[obj].size; m++) {
		size_t v = k + 1;
		for (size_t i = 0; i < NNAMES; i++) {
			enum field fl = names[i].field;
			if (names[i].rank > f->rank[fl] ||
			    !name_is(js, k, names[i].name, names[i].len))
				continue;
			/* A repeated name: the last one wins, as in jansson. */
			f->tok[fl] = (long)v;
			f->rank[fl] = names[i].rank;
			f->name[fl] = names[i].name;
			break;
		}
		k = js->tok[v].skip;
	}
}

static int
read_time(struct sb_event *ev, const struct sb_json *js, const struct found *f,
    char *err, size_t errsz)
{
	long t = f->tok[F_TIME];
	double v;

	ev->has_time = 0;
	if (t < 0 || js->tok[t].type == SB_JNULL)
		return 0;
	if (js->tok[t].type == SB_JSTRING && !js->tok[t].escaped &&
	    sb_time_parse(js->src + js->tok[t].start,
	    js->tok[t].end - js->tok[t].start, &ev->time) == 0) {
		ev->has_time = 1;
		return 0;
	}
	if (number_of(js, (size_t)t, &v) == 0 &&
	    sb_time_from_epoch(v, &ev->time) == 0) {
		ev->has_time = 1;
		return 0;
	}
	snprintf(err, errsz, "'%s' is not an RFC 3339 time or epoch number",
	    f->name[F_TIME]);
	return -1;
}

/* "is not a number", or "is out of range" for 1e999. */
static const char *
why_not_number(const struct sb_json *js, long t)
{
	return js->tok[t].type == SB_JNUMBER ? "is out of range" :
	    "is not a number";
}

int
sb_event_read(struct sb_event *ev, const struct sb_json *js, size_t obj,
    char *err, size_t errsz)
{
	struct found f;
	long t;
	double v;

	if (js->tok[obj].type != SB_JOBJECT) {
		snprintf(err, errsz, "not a JSON object");
		return -1;
	}
	find_fields(js, obj, &f);
	if (read_time(ev, js, &f, err, errsz) == -1)
		return -1;

	if ((t = f.tok[F_ENDPOINT]) < 0) {
		snprintf(err, errsz, "missing 'endpoint'");
		return -1;
	}
	if (string_of(js, t, f.name[F_ENDPOINT], ENDPOINT_MAX, &ev->endpoint,
	    err, errsz) == -1)
		return -1;
	if (ev->endpoint.len == 0) {
		snprintf(err, errsz, "'%s' is empty", f.name[F_ENDPOINT]);
		return -1;
	}

	if ((t = f.tok[F_STATUS]) < 0) {
		snprintf(err, errsz, "missing 'status_code'");
		return -1;
	}
	if (number_of(js, (size_t)t, &v) == -1 || v != floor(v) ||
	    v < 100 || v > 599) {
		snprintf(err, errsz, "'%s' is not an integer in 100..599",
		    f.name[F_STATUS]);
		return -1;
	}
	ev->status = (int)v;

	if ((t = f.tok[F_LATENCY]) < 0) {
		snprintf(err, errsz, "missing 'latency_ms'");
		return -1;
	}
	if (number_of(js, (size_t)t, &v) == -1) {
		snprintf(err, errsz, "'%s' %s", f.name[F_LATENCY],
		    why_not_number(js, t));
		return -1;
	}
	if (v < 0) {
		snprintf(err, errsz, "'%s' is negative", f.name[F_LATENCY]);
		return -1;
	}
	ev->latency_ms = v;

	ev->has_bytes = 0;
	if ((t = f.tok[F_BYTES]) >= 0 && js->tok[t].type != SB_JNULL) {
		if (number_of(js, (size_t)t, &v) == -1 || v < 0) {
			snprintf(err, errsz, "'%s' is not a number >= 0",
			    f.name[F_BYTES]);
			return -1;
		}
		ev->has_bytes = 1;
		ev->bytes = v;
	}

	if (string_of(js, f.tok[F_METHOD], "method", METHOD_MAX, &ev->method,
	    err, errsz) == -1 ||
	    string_of(js, f.tok[F_SERVICE], "service", SERVICE_MAX,
	    &ev->service, err, errsz) == -1)
		return -1;
	return 0;
}

int
sb_status_name(const struct sb_json *js, size_t t)
{
	const struct sb_jtok *n = &js->tok[t];
	const char *p = js->src + n->start;

	if (n->type != SB_JSTRING || n->escaped || n->end - n->start != 3 ||
	    p[0] < '1' || p[0] > '5' || p[1] < '0' || p[1] > '9' ||
	    p[2] < '0' || p[2] > '9')
		return -1;
	return (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');
}
