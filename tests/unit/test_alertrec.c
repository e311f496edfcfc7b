/*
 * test_alertrec.c - lib/alertrec: a full alert record read, a bare one
 * with its absent members NULL, and each rejection with its message.
 */
#include <stddef.h>
#include <string.h>

#include "alertrec.h"
#include "../tap.h"

static int
rdf(struct sb_alert *a, struct sb_json *js, const char *text, int flags,
    char *why)
{
	if (sb_json_parse(js, text, strlen(text)) == -1)
		return -2;
	return sb_alert_read(a, js, 0, flags, why, 64);
}

static int
rd(struct sb_alert *a, struct sb_json *js, const char *text, char *why)
{
	return rdf(a, js, text, 0, why);
}

int
main(void)
{
	struct sb_json js;
	struct sb_alert a;
	char why[64];

	sb_json_init(&js);
	is_int(rd(&a, &js, "{\"id\":\"i1\",\"key\":\"api GET /a\",\"state\":"
	    "\"firing\",\"severity\":\"critical\",\"service\":\"api\","
	    "\"summary\":\"S\",\"explanation\":\"E\",\"started\":"
	    "\"2026-11-26T14:00:00Z\",\"at\":\"2026-11-26T14:06:00Z\","
	    "\"resolved_at\":\"2026-11-26T14:10:00Z\",\"insights\":[\"x\",1,"
	    "\"y\"],\"recommendations\":[\"r\"],\"keys\":[\"k1\",\"k2\"]}", why),
	    0, "a full record reads");
	is_str(a.key, "api GET /a", "key");
	is_str(a.state, "firing", "state");
	is_str(a.id, "i1", "id");
	is_str(a.severity, "critical", "severity");
	is_str(a.service, "api", "service");
	is_str(a.summary, "S", "summary");
	is_str(a.explanation, "E", "explanation");
	is_int(a.has, SB_AL_STARTED | SB_AL_AT | SB_AL_RESOLVED, "three times");
	is_int(a.at - a.started, 360000, "at is six minutes (ms) after started");
	is_int(a.resolved - a.at, 240000, "resolved_at");
	is_int(a.ninsights, 2, "the string insights, a number skipped");
	is_str(a.insights[1], "y", "second insight");
	is_int(a.nrecs, 1, "one recommendation");
	is_int(a.nkeys, 2, "two keys");
	is_str(a.keys[1], "k2", "second key");
	sb_alert_free(&a);
	ok(a.key == NULL && a.nkeys == 0, "free empties it");

	is_int(rdf(&a, &js, "{\"key\":\"k\",\"state\":\"resolved\","
	    "\"severity\":7,\"at\":\"noon\",\"keys\":3,\"insights\":[]}",
	    SB_ALERT_LOOSE, why), 0, "loose: a bare, badly typed record reads");
	ok(a.id == NULL && a.severity == NULL && a.service == NULL &&
	    a.summary == NULL && a.explanation == NULL,
	    "absent or non-string members are NULL");
	is_int(a.has, 0, "no times");
	ok(a.insights == NULL && a.ninsights == 0, "an empty list is none");
	sb_alert_free(&a);

	is_int(rd(&a, &js, "{\"state\":\"firing\"}", why), -1, "no key");
	is_str(why, "missing 'key' or not a string", "says so");
	is_int(rd(&a, &js, "{\"key\":1,\"state\":\"firing\"}", why), -1,
	    "a number key");
	is_str(why, "missing 'key' or not a string", "says so");
	is_int(rd(&a, &js, "{\"key\":\"k\"}", why), -1, "no state");
	is_str(why, "missing 'state' or not a string", "says so");
	ok(a.key == NULL, "a rejected record holds nothing");
	is_int(rd(&a, &js, "{\"key\":\"k\",\"state\":\"f\",\"severity\":7}",
	    why), -1, "strict: a number severity");
	is_str(why, "'id', 'severity' or 'service' is not a string", "says so");
	is_int(rd(&a, &js, "{\"key\":\"k\",\"state\":\"f\",\"at\":\"noon\"}",
	    why), -1, "strict: a bad time");
	is_str(why, "'started', 'at' or 'resolved_at' is not an RFC 3339 time",
	    "says so");
	is_int(rd(&a, &js, "{\"key\":\"k\",\"state\":\"f\",\"keys\":\"k\"}",
	    why), -1, "strict: keys not an array");
	is_str(why, "'keys' is not an array", "says so");
	is_int(rd(&a, &js, "{\"key\":\"k\",\"state\":\"f\",\"keys\":[\"k\",1]}",
	    why), -1, "strict: a number in keys");
	is_str(why, "'keys' holds a non-string", "says so");
	ok(a.key == NULL && a.keys == NULL, "nothing held");
	is_int(rd(&a, &js, "[1]", why), -1, "an array");
	is_str(why, "not an object", "says so");

	if (sb_json_parse(&js, "{\"id\":\"x\"}", 10) == 0) {
		is_int(sb_alert_read(&a, &js, 0, SB_ALERT_LENIENT, why, 64), 0,
		    "lenient: no key, no state reads");
		ok(a.key == NULL && a.state == NULL, "both NULL");
		is_str(a.id, "x", "the rest is read");
		sb_alert_free(&a);
	}
	if (sb_json_parse(&js, "[1]", 3) == 0)
		is_int(sb_alert_read(&a, &js, 0, SB_ALERT_LENIENT, why, 64), -1,
		    "lenient: an array is still no alert");
	sb_json_free(&js);
	return done_testing();
}
