/*
 * alertrec.c - alert records read into a struct (alertrec.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alertrec.h"
#include "buf.h"

static char *
get_str(const struct sb_json *js, size_t obj, const char *name)
{
	char *s = NULL;

	if (sb_json_get_str(js, obj, name, &s) != 1) {
		free(s);
		return NULL;
	}
	return s;
}

static char **
get_list(const struct sb_json *js, size_t obj, const char *name, size_t *n)
{
	long t = sb_json_member(js, obj, name);
	struct sb_buf b = SB_BUF_INIT;
	char **v;

	*n = 0;
	if (t < 0 || js->tok[t].type != SB_JARRAY || js->tok[t].size == 0)
		return NULL;
	v = sb_xcalloc(js->tok[t].size, sizeof *v);
	for (size_t i = (size_t)t + 1; i < js->tok[t].skip; i = js->tok[i].skip) {
		sb_buf_reset(&b);
		if (sb_json_str(js, i, &b) == -1)
			continue;
		sb_buf_putc(&b, '\0');
		v[(*n)++] = sb_xstrdup(b.s);
	}
	sb_buf_free(&b);
	return v;
}

static int
fail(struct sb_alert *a, char *why, size_t whysz, const char *msg)
{
	snprintf(why, whysz, "%s", msg);
	sb_alert_free(a);
	return -1;
}

/* 0; -1 for a present "keys" not an array, -2 for a non-string in it. */
static int
strict_keys(const struct sb_json *js, size_t obj)
{
	long t = sb_json_member(js, obj, "keys");

	if (t < 0)
		return 0;
	if (js->tok[t].type != SB_JARRAY)
		return -1;
	for (size_t i = (size_t)t + 1; i < js->tok[t].skip; i = js->tok[i].skip)
		if (js->tok[i].type != SB_JSTRING)
			return -2;
	return 0;
}

static const char *const time_name[] = { "at", "started" };

static const char BADTIME[] =
    "'started', 'at' or 'resolved_at' is not an RFC 3339 time";

int
sb_alert_read(struct sb_alert *a, const struct sb_json *js, size_t obj,
    int flags, char *why, size_t whysz)
{
	int loose = flags & SB_ALERT_LOOSE, rc;

	memset(a, 0, sizeof *a);
	if (obj >= js->ntok || js->tok[obj].type != SB_JOBJECT)
		return fail(a, why, whysz, "not an object");
	a->key = get_str(js, obj, "key");
	a->state = get_str(js, obj, "state");
	if (a->key == NULL && !(flags & SB_ALERT_LENIENT))
		return fail(a, why, whysz, "missing 'key' or not a string");
	if (a->state == NULL && !(flags & SB_ALERT_LENIENT))
		return fail(a, why, whysz, "missing 'state' or not a string");
	if (loose) {
		a->id = get_str(js, obj, "id");
		a->severity = get_str(js, obj, "severity");
		a->service = get_str(js, obj, "service");
	} else if (sb_json_get_str(js, obj, "id", &a->id) == -1 ||
	    sb_json_get_str(js, obj, "severity", &a->severity) == -1 ||
	    sb_json_get_str(js, obj, "service", &a->service) == -1)
		return fail(a, why, whysz,
		    "'id', 'severity' or 'service' is not a string");
	a->summary = get_str(js, obj, "summary");
	a->explanation = get_str(js, obj, "explanation");
	if ((rc = sb_json_get_time(js, obj, time_name[1], &a->started)) == 1)
		a->has |= SB_AL_STARTED;
	else if (rc == -1 && !loose)
		return fail(a, why, whysz, BADTIME);
	if ((rc = sb_json_get_time(js, obj, time_name[0], &a->at)) == 1)
		a->has |= SB_AL_AT;
	else if (rc == -1 && !loose)
		return fail(a, why, whysz, BADTIME);
	if ((rc = sb_json_get_time(js, obj, "resolved_at", &a->resolved)) == 1)
		a->has |= SB_AL_RESOLVED;
	else if (rc == -1 && !loose)
		return fail(a, why, whysz, BADTIME);
	if (!loose && (rc = strict_keys(js, obj)) < 0)
		return fail(a, why, whysz, rc == -1 ? "'keys' is not an array" :
		    "'keys' holds a non-string");
	a->insights = get_list(js, obj, "insights", &a->ninsights);
	a->recs = get_list(js, obj, "recommendations", &a->nrecs);
	a->keys = get_list(js, obj, "keys", &a->nkeys);
	return 0;
}

static void
free_list(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void
sb_alert_free(struct sb_alert *a)
{
	free(a->key);
	free(a->state);
	free(a->id);
	free(a->severity);
	free(a->service);
	free(a->summary);
	free(a->explanation);
	free_list(a->insights, a->ninsights);
	free_list(a->recs, a->nrecs);
	free_list(a->keys, a->nkeys);
	memset(a, 0, sizeof *a);
}

const char *
sb_alert_time_name(int rank)
{
	return rank == 0 || rank == 1 ? time_name[rank] : NULL;
}
