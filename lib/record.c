/*
 * record.c - one line, one record; see record.h.
 */
#include <err.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "alertrec.h"
#include "buf.h"
#include "event.h"
#include "record.h"
#include "sigrec.h"
#include "winrec.h"

/* Records parsed, by kind: the pipeline's four, detect's watermarks, others. */
enum { K_EVENT, K_WINDOW, K_SIGNAL, K_ALERT, K_WATERMARK, K_OTHER, K_N };
static uint64_t kind_count[K_N];

static const struct kind_name {
	const char	*one, *many, *maker;
} kind_name[] = {
	[K_EVENT] =	{ "raw event", "raw events", NULL },
	[K_WINDOW] =	{ "window", "windows", "aggregate" },
	[K_SIGNAL] =	{ "signal", "signals", "detect" },
	[K_ALERT] =	{ "alert", "alerts", "correlate" },
	[K_WATERMARK] =	{ "watermark", "watermarks", "detect" },
};

static void
count_kind(const struct sb_json *js, long t)
{
	if (t < 0)
		kind_count[K_EVENT]++;
	else if (sb_json_streq(js, (size_t)t, "window"))
		kind_count[K_WINDOW]++;
	else if (sb_json_streq(js, (size_t)t, "signal"))
		kind_count[K_SIGNAL]++;
	else if (sb_json_streq(js, (size_t)t, "alert"))
		kind_count[K_ALERT]++;
	else if (sb_json_streq(js, (size_t)t, "watermark"))
		kind_count[K_WATERMARK]++;
	else
		kind_count[K_OTHER]++;
}

/* sb_record_key_ok() of the member token k (-1: none). */
static int
key_ok(const struct sb_json *js, long k, char *err, size_t errsz)
{
	struct sb_buf b = SB_BUF_INIT;
	size_t len;

	if (k < 0 || js->tok[k].type != SB_JSTRING ||
	    js->tok[k].end - js->tok[k].start <= SB_KEY_MAX)
		return 0;
	/* Only escapes can make the text longer than the name. */
	len = js->tok[k].end - js->tok[k].start;
	if (js->tok[k].escaped && len <= 6 * (size_t)SB_KEY_MAX) {
		sb_json_str(js, (size_t)k, &b);
		len = b.len;
		sb_buf_free(&b);
		if (len <= SB_KEY_MAX)
			return 0;
	}
	snprintf(err, errsz, "'key' is longer than %d bytes", SB_KEY_MAX);
	return -1;
}

int
sb_record_key_ok(const struct sb_json *js, size_t obj, char *err,
    size_t errsz)
{
	return key_ok(js, obj == 0 ? js->key : sb_json_member(js, obj,
	    "key"), err, errsz);
}

int
sb_record_parse(struct sb_json *js, struct sb_reader *in, const char *s,
    size_t n, long *type)
{
	char why[64];
	long t;

	if (sb_json_parse(js, s, n) == -1)
		return sb_reader_bad(in, "invalid JSON: %s at byte %zu",
		    js->err, js->errpos + 1);
	if (js->tok[0].type != SB_JOBJECT)
		return sb_reader_bad(in, "not a JSON object");
	t = js->type;		/* found by the parse */
	if (t >= 0 && key_ok(js, js->key, why, sizeof why) == -1)
		return sb_reader_bad(in, "%s", why);
	if (type == NULL) {
		count_kind(js, t);
		return 1;
	}
	if (t >= 0 && js->tok[t].type != SB_JSTRING)
		return sb_reader_bad(in, "'type' is not a string");
	count_kind(js, t);
	*type = t;
	return 1;
}

static const char *
plural(int k, uint64_t n)
{
	return n == 1 ? kind_name[k].one : kind_name[k].many;
}

/* "pipe raw events through aggregate | detect first" */
static void
hint_upstream(int got, int lo, const char *want)
{
	char stages[64] = "";

	for (int k = got + 1; k <= lo; k++)
		snprintf(stages + strlen(stages), sizeof stages - strlen(stages),
		    "%s%s", k > got + 1 ? " | " : "", kind_name[k].maker);
	warnx("%llu %s and no %s read: pipe %s through %s first",
	    (unsigned long long)kind_count[got], plural(got, kind_count[got]),
	    want, kind_name[got].many, stages);
}

/* Records only a later stage makes: this one is out of place. */
static void
hint_downstream(int got, int lo, const char *want)
{
	const char *why;
	char after[64];

	if (lo == K_EVENT && got == K_WINDOW)
		why = "combine windows with --merge";
	else if (lo == K_EVENT)
		why = "this stage belongs at the head of the pipe";
	else {
		snprintf(after, sizeof after, "this stage belongs right after %s",
		    kind_name[lo].maker);
		why = after;
	}
	warnx("%llu %s and no %s read: %s", (unsigned long long)kind_count[got],
	    plural(got, kind_count[got]), want, why);
}

/*
 * The hint looks only for evidence of a misplaced stage, never for the
 * mere absence of work: a quiet pipe has no signals and no alerts, but
 * detect's watermarks (which correlate, explain and alert pass on or
 * read) show that detect ran.
 */
void
sb_record_hint(unsigned consumes)
{
	int lo = -1, hi = -1, k, got = -1;
	char want[64] = "";

	for (k = K_EVENT; k <= K_ALERT; k++) {
		if (!(consumes & (1u << k)))
			continue;
		if (kind_count[k] > 0)
			return;
		if (lo < 0)
			lo = k;
		hi = k;
		snprintf(want + strlen(want), sizeof want - strlen(want),
		    "%s%s", k > lo ? " or " : "", kind_name[k].many);
	}
	if (lo < 0)
		return;
	/* What came from furthest down the pipe, short of what we consume. */
	for (k = lo - 1; k >= K_EVENT && got < 0; k--)
		if (kind_count[k] > 0)
			got = k;
	if (got >= 0) {
		/* Windows or events beside watermarks: detect ran (--tee). */
		if (got < K_SIGNAL && lo >= K_SIGNAL &&
		    kind_count[K_WATERMARK] > 0)
			return;
		hint_upstream(got, lo, want);
		return;
	}
	for (k = K_ALERT; k > hi && got < 0; k--)
		if (kind_count[k] > 0)
			got = k;
	if (got < 0 && hi < K_SIGNAL && kind_count[K_WATERMARK] > 0)
		got = K_WATERMARK;
	if (got >= 0)
		hint_downstream(got, lo, want);
}

/* Of a record of a type no reader knows: the usual names of a time. */
static const char *
other_time_name(int rank)
{
	static const char *const name[] = { "at", "start", "timestamp",
	    "time" };

	return rank >= 0 && rank < 4 ? name[rank] : NULL;
}

static const struct {
	const char	*type;
	const char	*(*name)(int);
} time_names[] = {
	{ "window",	sb_window_time_name },
	{ "truth",	sb_window_time_name },	/* inject's, spans as windows */
	{ "noise",	sb_window_time_name },	/* inject's, spans as windows */
	{ "signal",	sb_signal_time_name },
	{ "alert",	sb_alert_time_name },
};

const char *
sb_record_time_name(const char *type, int rank)
{
	if (type == NULL)
		return sb_event_time_name(rank);
	for (size_t i = 0; i < sizeof time_names / sizeof time_names[0]; i++)
		if (strcmp(type, time_names[i].type) == 0)
			return time_names[i].name(rank);
	return other_time_name(rank);
}
