/*
 * test_winrec.c - lib/winrec: a window as aggregate writes it read
 * whole; each missing or mistyped member refused with its message and
 * member; the width limits, huge and non-finite numbers; and each flag
 * that keeps a tool's leniency or words.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "winrec.h"
#include "../tap.h"

static struct sb_json js;
static char why[200];

/* The window of a test: {"type":"window",<members>}. */
static int
rdf(struct sb_window *w, const char *members, int flags)
{
	static char text[4096];

	snprintf(text, sizeof text, "{\"type\":\"window\",%s}", members);
	why[0] = '\0';
	if (sb_json_parse(&js, text, strlen(text)) == -1) {
		snprintf(why, sizeof why, "test: bad JSON: %s", members);
		return -2;
	}
	return sb_window_read(w, &js, 0, flags, why, sizeof why);
}

#define KEY	"\"key\":\"api GET /a\""
#define START	"\"start\":\"2026-11-26T14:00:00Z\""
#define HEAD	KEY "," START
#define COUNTS	"\"count\":10,\"errors\":2,\"client_errors\":3"
#define BASE	HEAD ",\"width_s\":60," COUNTS

/* A record refused with message msg, member m at fault. */
static void
refused(const char *members, int flags, const char *msg, int m,
    const char *what)
{
	struct sb_window w;

	is_int(rdf(&w, members, flags), -1, "%s: refused", what);
	is_str(why, msg, "%s: says so", what);
	is_int(w.bad, m, "%s: names the member", what);
}

static void
read_ok(const char *members, int flags, const char *what)
{
	struct sb_window w;

	if (!is_int(rdf(&w, members, flags), 0, "%s: reads", what))
		printf("#   why: %s\n", why);
}

static void
test_full(void)
{
	struct sb_window w;
	struct sb_buf b = SB_BUF_INIT;
	size_t it = 0;
	uint64_t n;
	int code;

	is_int(rdf(&w, "\"key\":\"checkout GET /a\",\"service\":\"checkout\","
	    "\"method\":\"GET\",\"endpoint\":\"/a\",\"start\":"
	    "\"2026-11-26T14:00:00.000Z\",\"end\":\"2026-11-26T14:01:00.000Z\","
	    "\"width_s\":60,\"count\":20,\"errors\":3,\"client_errors\":4,"
	    "\"error_rate\":0.15,\"codes\":{\"404\":4,\"503\":2},"
	    "\"latency_ms\":{\"p50\":1},\"bytes_mean\":null,\"late\":5,"
	    "\"partial\":true,\"bytes_n\":18,\"bytes_sum\":900.5,"
	    "\"sketch\":{}", 0), 0, "a window as aggregate --emit-sketch "
	    "writes it reads");
	sb_json_str(&js, (size_t)w.key, &b);
	sb_buf_putc(&b, '\0');
	is_str(b.s, "checkout GET /a", "key");
	ok(w.service >= 0 && w.method >= 0 && w.endpoint >= 0, "labels");
	ok(sb_json_streq(&js, (size_t)w.endpoint, "/a"), "endpoint token");
	is_int(w.start, 1795701600000LL, "start in ms");
	is_int(w.width, 60000, "width in ms");
	ok(w.width_s == 60, "width_s as written");
	is_int(w.has, SB_WH_WIDTH | SB_WH_COUNT | SB_WH_ERRORS,
	    "width and counts read, end not");
	is_int(w.count, 20, "count");
	is_int(w.errors, 3, "errors");
	is_int(w.client_errors, 4, "client_errors");
	is_int(w.late, 5, "late");
	is_int(w.bytes_n, 18, "bytes_n");
	ok(w.bytes_sum == 900.5, "bytes_sum");
	is_int(w.partial, 1, "partial");
	ok(w.codes >= 0 && w.tok[SB_WM_LATENCY] >= 0 &&
	    w.tok[SB_WM_SKETCH] >= 0, "codes, latency_ms and sketch found");
	ok(sb_window_code_next(&w, &js, &it, &code, &n) == 1 &&
	    code == 404 && n == 4, "first code");
	ok(sb_window_code_next(&w, &js, &it, &code, &n) == 1 &&
	    code == 503 && n == 2, "second code");
	is_int(sb_window_code_next(&w, &js, &it, &code, &n), 0, "no third");
	is_int(w.bad, -1, "no member at fault");
	sb_buf_free(&b);

	is_int(rdf(&w, BASE, 0), 0, "a bare window reads");
	ok(w.service == -1 && w.method == -1 && w.endpoint == -1 &&
	    w.codes == -1, "absent labels and codes are -1");
	ok(w.late == 0 && w.bytes_n == 0 && w.bytes_sum == 0 &&
	    w.partial == 0, "absent optional counts are 0");
	it = 0;
	is_int(sb_window_code_next(&w, &js, &it, &code, &n), 0, "no codes");
	read_ok(BASE ",\"codes\":null,\"partial\":false", 0,
	    "null codes, false partial");
}

static void
test_scan(void)
{
	struct sb_window w;

	is_int(rdf(&w, "\"key\":\"a\",\"\\u0073tart\":\"2026-11-26T14:00:00Z\","
	    "\"width_s\":60," COUNTS ",\"key\":\"b\"", 0), 0,
	    "an escaped member name, a repeated one");
	ok(w.start == 1795701600000LL, "the escaped name is found");
	ok(sb_json_streq(&js, (size_t)w.key, "b"), "the last key wins");
	is_int(rdf(&w, BASE ",\"error_rate\":0,\"bytes_mean\":1,\"xyz\":1",
	    0), 0, "names of the same lengths as members are not members");
	is_int(sb_window_member("latency_ms"), SB_WM_LATENCY,
	    "sb_window_member: latency_ms");
	is_int(sb_window_member("count"), SB_WM_COUNT, "sb_window_member: count");
	is_int(sb_window_member("value"), -1,
	    "sb_window_member: a name that is no member");
	if (sb_json_parse(&js, "[1]", 3) == 0)
		is_int(sb_window_read(&w, &js, 0, 0, why, sizeof why), -1,
		    "an array");
	is_str(why, "not an object", "is not an object");
	is_str(sb_window_time_name(0), "start", "the time member");
	ok(sb_window_time_name(1) == NULL, "only one");
}

static void
test_refused(void)
{
	refused(START ",\"width_s\":60," COUNTS, 0, "missing 'key'",
	    SB_WM_KEY, "no key");
	refused("\"key\":7," START ",\"width_s\":60," COUNTS, 0,
	    "'key' is not a string", SB_WM_KEY, "a number key");
	refused(BASE ",\"service\":5", 0, "'service' is not a string",
	    SB_WM_SERVICE, "a number service");
	refused(BASE ",\"method\":null", 0, "'method' is not a string",
	    SB_WM_METHOD, "a null method");
	refused(BASE ",\"endpoint\":[]", 0, "'endpoint' is not a string",
	    SB_WM_ENDPOINT, "an array endpoint");
	refused(KEY ",\"width_s\":60," COUNTS, 0, "missing 'start'",
	    SB_WM_START, "no start");
	refused(KEY ",\"start\":\"yesterday\",\"width_s\":60," COUNTS, 0,
	    "'start' is not an RFC 3339 time", SB_WM_START, "a bad start");
	refused(KEY ",\"start\":1795701600,\"width_s\":60," COUNTS, 0,
	    "'start' is not an RFC 3339 time", SB_WM_START,
	    "strict: an epoch start");
	refused(KEY ",\"start\":\"2026-11-26T14:00:00\\u005a\",\"width_s\":60,"
	    COUNTS, 0, "'start' is not an RFC 3339 time", SB_WM_START,
	    "strict: an escaped start");
	refused(HEAD "," COUNTS, 0, "missing 'width_s'", SB_WM_WIDTH,
	    "no width");
	refused(HEAD ",\"end\":\"2026-11-26T14:01:00Z\"," COUNTS, 0,
	    "missing 'width_s'", SB_WM_WIDTH, "strict: end is no width");
	refused(HEAD ",\"width_s\":\"60\"," COUNTS, 0, "'width_s' is not a "
	    "number of seconds in 0.001..604800", SB_WM_WIDTH, "a string width");
	refused(HEAD ",\"width_s\":60", 0, "missing 'count'", SB_WM_COUNT,
	    "no count");
	refused(HEAD ",\"width_s\":60,\"count\":1.5,\"errors\":0,"
	    "\"client_errors\":0", 0, "'count' is not a non-negative integer",
	    SB_WM_COUNT, "a fractional count");
	refused(HEAD ",\"width_s\":60,\"count\":-1,\"errors\":0,"
	    "\"client_errors\":0", 0, "'count' is not a non-negative integer",
	    SB_WM_COUNT, "a negative count");
	refused(HEAD ",\"width_s\":60,\"count\":5", 0, "missing 'errors'",
	    SB_WM_ERRORS, "no errors");
	refused(HEAD ",\"width_s\":60,\"count\":5,\"errors\":\"1\"", 0,
	    "'errors' is not an integer in 0..count", SB_WM_ERRORS,
	    "a string errors");
	refused(HEAD ",\"width_s\":60,\"count\":5,\"errors\":6", 0,
	    "'errors' is not an integer in 0..count", SB_WM_ERRORS,
	    "errors above count");
	refused(HEAD ",\"width_s\":60,\"count\":5,\"errors\":1", 0,
	    "missing 'client_errors'", SB_WM_CLIENT_ERRORS,
	    "no client_errors");
	refused(HEAD ",\"width_s\":60,\"count\":5,\"errors\":1,"
	    "\"client_errors\":true", 0, "'client_errors' is not a "
	    "non-negative integer", SB_WM_CLIENT_ERRORS,
	    "a boolean client_errors");
	refused(HEAD ",\"width_s\":60,\"count\":5,\"errors\":3,"
	    "\"client_errors\":3", 0, "'errors' and 'client_errors' exceed "
	    "'count'", SB_WM_CLIENT_ERRORS, "errors and client errors above "
	    "count");
	refused(BASE ",\"late\":-2", 0, "'late' is not a non-negative integer",
	    SB_WM_LATE, "a negative late");
	refused(BASE ",\"bytes_n\":0.5", 0, "'bytes_n' is not a non-negative "
	    "integer", SB_WM_BYTES_N, "a fractional bytes_n");
	refused(BASE ",\"bytes_n\":11", 0, "'bytes_n' exceeds 'count'",
	    SB_WM_BYTES_N, "bytes_n above count");
	refused(BASE ",\"bytes_sum\":-1", 0, "'bytes_sum' is not a number >= 0",
	    SB_WM_BYTES_SUM, "a negative bytes_sum");
	refused(BASE ",\"bytes_sum\":null", 0, "'bytes_sum' is not a number "
	    ">= 0", SB_WM_BYTES_SUM, "a null bytes_sum");
}

static void
test_codes(void)
{
	read_ok(BASE ",\"codes\":{\"503\":2,\"404\":3}", 0, "codes at the counts");
	refused(BASE ",\"codes\":[503]", 0, "'codes' is not an object",
	    SB_WM_CODES, "codes an array");
	refused(BASE ",\"codes\":{\"200\":1}", 0, "'codes' holds '200', not a "
	    "status code in 400..599", SB_WM_CODES, "a 200");
	refused(BASE ",\"codes\":{\"abcdefghijklmnopqrstuvwxyz\":1}", 0,
	    "'codes' holds 'abcdefghijklmnopqrst', not a status code in "
	    "400..599", SB_WM_CODES, "a long name, cut at 20 bytes");
	refused(BASE ",\"codes\":{\"\\u0035\\u0030\\u0033\":1}", 0,
	    "'codes' holds '\\u0035\\u0030\\u0033', not a status code in "
	    "400..599", SB_WM_CODES, "an escaped name, quoted as written");
	refused(BASE ",\"codes\":{\"503\":1.5}", 0, "'codes.503' is not a "
	    "count", SB_WM_CODES, "a fractional count");
	refused(BASE ",\"codes\":{\"503\":-1}", 0, "'codes.503' is not a count",
	    SB_WM_CODES, "a negative count");
	refused(BASE ",\"codes\":{\"503\":3}", 0, "'codes' count more than "
	    "'errors' or 'client_errors'", SB_WM_CODES, "more 5xx than errors");
	refused(BASE ",\"codes\":{\"404\":2,\"429\":2}", 0, "'codes' count "
	    "more than 'errors' or 'client_errors'", SB_WM_CODES,
	    "more 4xx than client errors");
	refused(HEAD ",\"width_s\":60,\"count\":9223372036854775807,"
	    "\"errors\":9223372036854775807,\"client_errors\":0,\"codes\":"
	    "{\"500\":9223372036854775807,\"502\":9223372036854775807,"
	    "\"503\":9223372036854775807}", 0, "'codes' count more than "
	    "'errors' or 'client_errors'", SB_WM_CODES,
	    "three codes of INT64_MAX do not wrap around to fit in 'errors'");

	read_ok(BASE ",\"codes\":{\"200\":1.5,\"503\":1e999,\"404\":100}",
	    SB_WIN_ANY_CODES, "any codes: any status, any count >= 0");
	refused(BASE ",\"codes\":{\"503\":-1}", SB_WIN_ANY_CODES, "'codes' is "
	    "not an object of status codes and counts", SB_WM_CODES,
	    "any codes: still no negative count");
	refused(BASE ",\"codes\":{\"x\":1}", SB_WIN_ANY_CODES, "'codes' is "
	    "not an object of status codes and counts", SB_WM_CODES,
	    "any codes: still status codes");
	refused(BASE ",\"codes\":{\"503\":\"2\"}", SB_WIN_ANY_CODES, "'codes' "
	    "is not an object of status codes and counts", SB_WM_CODES,
	    "any codes: still numbers");
	refused(BASE ",\"codes\":7", SB_WIN_ANY_CODES, "'codes' is not an "
	    "object of status codes and counts", SB_WM_CODES,
	    "any codes: still an object");
}

static void
test_limits(void)
{
	struct sb_window w;

	is_int(rdf(&w, HEAD ",\"width_s\":0.001," COUNTS, 0), 0,
	    "1 ms is the narrowest width");
	is_int(w.width, 1, "of 1 ms");
	refused(HEAD ",\"width_s\":0.0009," COUNTS, 0, "'width_s' is not a "
	    "number of seconds in 0.001..604800", SB_WM_WIDTH, "0.9 ms");
	refused(HEAD ",\"width_s\":0," COUNTS, 0, "'width_s' is not a number "
	    "of seconds in 0.001..604800", SB_WM_WIDTH, "a zero width");
	refused(HEAD ",\"width_s\":-60," COUNTS, 0, "'width_s' is not a "
	    "number of seconds in 0.001..604800", SB_WM_WIDTH,
	    "a negative width");
	is_int(rdf(&w, HEAD ",\"width_s\":604800," COUNTS, 0), 0,
	    "a week is the widest width");
	is_int(w.width, 604800000LL, "of a week in ms");
	refused(HEAD ",\"width_s\":604800.001," COUNTS, 0, "'width_s' is not "
	    "a number of seconds in 0.001..604800", SB_WM_WIDTH,
	    "a week and 1 ms");
	is_int(rdf(&w, HEAD ",\"width_s\":31622400," COUNTS, SB_WIN_YEAR), 0,
	    "year: 366 days");
	is_int(w.width, 31622400000LL, "in ms");
	refused(HEAD ",\"width_s\":31622400.5," COUNTS, SB_WIN_YEAR,
	    "'width_s' is not a number of seconds in 0.001..31622400",
	    SB_WM_WIDTH, "year: 366 days and a half second");

	/* Huge and non-finite numbers. */
	refused(HEAD ",\"width_s\":1e999," COUNTS, 0, "'width_s' is not a "
	    "number of seconds in 0.001..604800", SB_WM_WIDTH,
	    "an infinite width");
	is_int(rdf(&w, HEAD ",\"width_s\":60,\"count\":9223372036854775807,"
	    "\"errors\":9223372036854775807,\"client_errors\":0", 0), 0,
	    "the largest count reads exactly");
	is_int(w.count, INT64_MAX, "as INT64_MAX");
	refused(HEAD ",\"width_s\":60,\"count\":9223372036854775808,"
	    "\"errors\":0,\"client_errors\":0", 0, "'count' is not a "
	    "non-negative integer", SB_WM_COUNT, "a count past int64");
	refused(HEAD ",\"width_s\":60,\"count\":1e999,\"errors\":0,"
	    "\"client_errors\":0", 0, "'count' is not a non-negative integer",
	    SB_WM_COUNT, "an infinite count");
	refused(HEAD ",\"width_s\":60,\"count\":9223372036854775807,"
	    "\"errors\":9223372036854775807,"
	    "\"client_errors\":9223372036854775807", 0, "'errors' and "
	    "'client_errors' exceed 'count'", SB_WM_CLIENT_ERRORS,
	    "errors + client_errors past int64 does not wrap");
	refused(BASE ",\"bytes_sum\":1e999", 0, "'bytes_sum' is not a number "
	    ">= 0", SB_WM_BYTES_SUM, "an infinite bytes_sum");
	refused(KEY ",\"start\":1e999,\"width_s\":60," COUNTS, SB_WIN_EPOCH,
	    "'start' is not an RFC 3339 time", SB_WM_START,
	    "epoch: an infinite start");
	read_ok(BASE ",\"bytes_sum\":1e300", 0, "a huge finite bytes_sum");
}

static void
test_detect_flags(void)
{
	struct sb_window w;

	is_int(rdf(&w, KEY ",\"start\":1795701600.5,\"width_s\":60," COUNTS,
	    SB_WIN_EPOCH), 0, "epoch: a number start");
	is_int(w.start, 1795701600500LL, "in ms");
	is_int(rdf(&w, HEAD ",\"end\":\"2026-11-26T14:05:00Z\"," COUNTS,
	    SB_WIN_END), 0, "end: the width from end");
	is_int(w.width, 300000, "five minutes");
	is_int(w.has & (SB_WH_END | SB_WH_WIDTH), SB_WH_END, "end read");
	is_int(rdf(&w, HEAD ",\"end\":1795701660,\"width_s\":120," COUNTS,
	    SB_WIN_END), 0, "end: width_s first, end unread");
	is_int(w.width, 120000, "two minutes");
	is_int(rdf(&w, HEAD ",\"end\":1795701660," COUNTS,
	    SB_WIN_END | SB_WIN_EPOCH), 0, "end: an epoch end with epoch");
	is_int(w.width, 60000, "a minute");
	refused(HEAD ",\"end\":1795701660," COUNTS, SB_WIN_END, "'end' is not "
	    "an RFC 3339 time", SB_WM_END, "end: an epoch end without epoch");
	refused(HEAD ",\"end\":\"2026-11-26T14:00:00Z\"," COUNTS, SB_WIN_END,
	    "'end' is not within a week after 'start'", SB_WM_END,
	    "end: end at start");
	refused(HEAD ",\"end\":\"2026-12-03T14:00:00.001Z\"," COUNTS,
	    SB_WIN_END, "'end' is not within a week after 'start'", SB_WM_END,
	    "end: a week and 1 ms");
	refused(HEAD "," COUNTS, SB_WIN_END, "missing 'width_s' and 'end'",
	    SB_WM_WIDTH, "end: neither");

	is_int(rdf(&w, HEAD ",\"width_s\":60", SB_WIN_SPARSE), 0,
	    "sparse: no count");
	ok(!(w.has & SB_WH_COUNT) && w.count == 0 && w.errors == 0,
	    "and none read");
	read_ok(HEAD ",\"width_s\":60,\"errors\":\"x\"", SB_WIN_SPARSE,
	    "sparse: errors unread without count");
	read_ok(HEAD ",\"width_s\":60,\"count\":5,\"errors\":5,"
	    "\"client_errors\":\"x\",\"late\":-1,\"bytes_n\":9,"
	    "\"bytes_sum\":-1,\"codes\":{\"404\":9}", SB_WIN_SPARSE,
	    "sparse: client_errors, late, bytes unread, codes unsummed");
	refused(HEAD ",\"width_s\":60,\"count\":5", SB_WIN_SPARSE,
	    "missing 'errors'", SB_WM_ERRORS, "sparse: errors with count");
	refused(HEAD ",\"width_s\":60,\"count\":5,\"errors\":6", SB_WIN_SPARSE,
	    "'errors' is not an integer in 0..count", SB_WM_ERRORS,
	    "sparse: errors still at most count");

	is_int(rdf(&w, BASE ",\"service\":5,\"method\":null,\"endpoint\":\"/a\"",
	    SB_WIN_LOOSE_LABELS), 0, "loose labels: other types read");
	ok(w.service == -1 && w.method == -1 && w.endpoint >= 0,
	    "as absent; strings kept");
	read_ok(HEAD ",\"codes\":{\"200\":1.5},\"service\":1,\"start\":1795701600,"
	    "\"end\":1795701660,\"count\":1,\"errors\":0", SB_WIN_EPOCH |
	    SB_WIN_END | SB_WIN_SPARSE | SB_WIN_LOOSE_LABELS | SB_WIN_ANY_CODES,
	    "detect's flags together");
}

static void
test_merge_flags(void)
{
	int m = SB_WIN_YEAR | SB_WIN_MERGE_WORDS;

	refused(KEY ",\"width_s\":60," COUNTS, m, "'start' is not an RFC 3339 "
	    "time", SB_WM_START, "merge words: no start");
	refused(HEAD "," COUNTS, m, "'width_s' is not a width in seconds",
	    SB_WM_WIDTH, "merge words: no width");
	refused(HEAD ",\"width_s\":31622401," COUNTS, m, "'width_s' is not a "
	    "width in seconds", SB_WM_WIDTH, "merge words: past a year");
	read_ok(HEAD ",\"width_s\":31622400," COUNTS, m,
	    "merge words and year: a year");
	refused(HEAD ",\"width_s\":0.0005," COUNTS, SB_WIN_MERGE_WORDS,
	    "'width_s' is not a width in seconds", SB_WM_WIDTH,
	    "merge words alone: too narrow");
	refused(HEAD ",\"width_s\":60,\"count\":\"1\",\"errors\":0,"
	    "\"client_errors\":0", m, "'count' is not a count", SB_WM_COUNT,
	    "merge words: a string count");
	refused(HEAD ",\"width_s\":60,\"count\":5,\"errors\":-1,"
	    "\"client_errors\":0", m, "'errors' is not a count", SB_WM_ERRORS,
	    "merge words: a negative errors");
	refused(HEAD ",\"width_s\":60,\"count\":5,\"errors\":1,"
	    "\"client_errors\":0.5", m, "'client_errors' is not a count",
	    SB_WM_CLIENT_ERRORS, "merge words: a fractional client_errors");
	refused(HEAD ",\"width_s\":60,\"count\":5,\"errors\":6,"
	    "\"client_errors\":0,\"late\":-1", m, "'late' is not a count",
	    SB_WM_LATE, "merge words: errors above count found after late");
	refused(HEAD ",\"width_s\":60,\"count\":5,\"errors\":6,"
	    "\"client_errors\":0", m, "'errors' and 'client_errors' exceed "
	    "'count'", SB_WM_CLIENT_ERRORS, "merge words: errors above count");
	refused(BASE ",\"bytes_n\":-1", m, "'bytes_n' is not a count",
	    SB_WM_BYTES_N, "merge words: a negative bytes_n");
}

static void
test_listing(void)
{
	struct sb_window w;
	int l = SB_WIN_LISTING | SB_WIN_EPOCH;

	is_int(rdf(&w, KEY ",\"start\":\"2026-11-26T14:00:00\\u005a\","
	    "\"width_s\":\"x\",\"end\":\"soon\",\"count\":1.5,\"errors\":-2,"
	    "\"client_errors\":\"x\",\"service\":1,\"codes\":7", l), 0,
	    "listing: what the others refuse");
	is_int(w.start, 1795701600000LL, "an escaped start is read");
	is_int(w.has, SB_WH_COUNT | SB_WH_ERRORS, "width and end absent");
	ok(w.fcount == 1.5 && w.ferrors == -2, "count and errors as numbers");
	is_int(rdf(&w, KEY ",\"start\":1795701600,\"width_s\":30,"
	    "\"end\":1795701630,\"count\":\"x\"", l), 0,
	    "listing: epoch times, a string count");
	is_int(w.has, SB_WH_WIDTH | SB_WH_END, "width and end, no count");
	ok(w.width_s == 30, "width_s as written");
	is_int(w.end - w.start, 30000, "end read");
	refused(KEY ",\"width_s\":60", l, "missing 'start'", SB_WM_START,
	    "listing: still a start");
	refused(KEY ",\"start\":\"\"", l, "'start' is not an RFC 3339 time",
	    SB_WM_START, "listing: an empty start");
	refused("\"key\":1," START, l, "'key' is not a string", SB_WM_KEY,
	    "listing: still a string key");
	refused(KEY ",\"start\":\"2026-11-26T14:00:00\\u005a\"",
	    SB_WIN_EPOCH, "'start' is not an RFC 3339 time", SB_WM_START,
	    "without listing an escaped start is refused");
}

int
main(void)
{
	sb_json_init(&js);
	test_full();
	test_scan();
	test_refused();
	test_codes();
	test_limits();
	test_detect_flags();
	test_merge_flags();
	test_listing();
	sb_json_free(&js);
	return done_testing();
}
