/*
 * test_time.c - times, durations and checked numbers.
 */
#include <math.h>
#include <stdint.h>
#include <limits.h>
#include <string.h>

#include "num.h"
#include "timefmt.h"
#include "../tap.h"

static int64_t
parse(const char *s)
{
	int64_t ms;

	return sb_time_parse(s, strlen(s), &ms) == 0 ? ms : INT64_MIN;
}

static void
round_trips(void)
{
	/* Every day from 1900 to 2100 at an odd time of day. */
	char buf[SB_TIME_LEN];
	int bad = 0;

	for (int64_t d = -25567; d < 47482; d++) {
		int64_t ms = d * 86400000LL + 49387123;
		if (parse(sb_time_format(ms, buf)) != ms)
			bad++;
	}
	is_int(bad, 0, "format then parse is the identity for 200 years of days");

	int64_t y;
	unsigned m, dd;
	bad = 0;
	for (int64_t d = -800000; d < 800000; d += 7) {
		sb_civil_from_days(d, &y, &m, &dd);
		if (sb_days_from_civil(y, m, dd) != d)
			bad++;
	}
	is_int(bad, 0, "civil_from_days and days_from_civil are inverse");
}

static void
formats(void)
{
	char buf[SB_TIME_LEN];

	is_int(parse("1970-01-01T00:00:00Z"), 0, "the epoch");
	is_int(parse("2026-11-26T14:03:07.125Z"), 1795701787125LL, "RFC 3339 with ms");
	is_int(parse("2026-11-26T14:03:07.1259Z"), 1795701787125LL, "extra digits truncate");
	is_int(parse("2026-11-26T14:03:07.1Z"), 1795701787100LL, "one digit is tenths");
	is_int(parse("2026-11-26T15:03:07.125+01:00"), 1795701787125LL, "+01:00");
	is_int(parse("2026-11-26T09:33:07.125-0430"), 1795701787125LL, "-0430");
	is_int(parse("2026-11-26 14:03:07.125"), 1795701787125LL, "space, no zone: UTC");
	is_int(parse("2026-11-26t14:03:07.125z"), 1795701787125LL, "lower-case t and z");
	is_int(parse("2026-11-26T14:03"), 1795701780000LL, "no seconds");
	is_int(parse("2026-11-26"), 1795651200000LL, "a date is midnight UTC");
	is_int(parse("1969-12-31T23:59:59.999Z"), -1, "before the epoch");
	is_int(parse("2024-02-29T00:00:00Z"), 1709164800000LL, "a leap day");
	is_int(parse("2023-02-29T00:00:00Z"), INT64_MIN, "not a leap year");
	is_int(parse("2026-13-01T00:00:00Z"), INT64_MIN, "month 13");
	is_int(parse("2026-11-26T24:00:00Z"), INT64_MIN, "hour 24");
	is_int(parse("2026-11-26T14:03:07."), INT64_MIN, "a dot without digits");
	is_int(parse("2026-11-26T14:03:07Zjunk"), INT64_MIN, "trailing junk");
	is_int(parse("26-11-26"), INT64_MIN, "two-digit year");
	is_int(parse(""), INT64_MIN, "empty");
	is_int(parse("yesterday"), INT64_MIN, "words");
	is_str(sb_time_format(-1, buf), "1969-12-31T23:59:59.999Z", "format before the epoch");
	is_str(sb_time_format(1795701787125LL, buf), "2026-11-26T14:03:07.125Z", "format");

	int64_t ms;
	ok(sb_time_from_epoch(1795701787.125, &ms) == 0 && ms == 1795701787125LL,
	    "epoch seconds with a fraction");
	ok(sb_time_from_epoch(1795701787125.0, &ms) == 0 && ms == 1795701787125LL,
	    "epoch milliseconds");
	ok(sb_time_from_epoch(99999999999.0, &ms) == 0 && ms == 99999999999000LL,
	    "just under 1e11 is seconds");
	ok(sb_time_from_epoch(NAN, &ms) == -1, "NaN is not a time");
	ok(sb_time_from_epoch(1e300, &ms) == -1, "1e300 is not a time");
}

static int64_t
dur(const char *s)
{
	int64_t ms;

	return sb_duration_parse(s, &ms) == 0 ? ms : -1;
}

static void
durations(void)
{
	char buf[32];

	is_int(dur("500ms"), 500, "500ms");
	is_int(dur("30s"), 30000, "30s");
	is_int(dur("5m"), 300000, "5m");
	is_int(dur("2h"), 7200000, "2h");
	is_int(dur("7d"), 604800000, "7d");
	is_int(dur("1w"), 604800000, "1w");
	is_int(dur("1h30m"), 5400000, "1h30m");
	is_int(dur("1.5s"), 1500, "1.5s");
	is_int(dur("90"), 90000, "a bare number is seconds");
	is_int(dur("0"), 0, "zero");
	is_int(dur("0.25"), 250, "a bare fraction is seconds");
	is_int(dur(""), -1, "empty");
	is_int(dur("5x"), -1, "unknown unit");
	is_int(dur("m"), -1, "unit without number");
	is_int(dur("-5m"), -1, "negative");
	is_int(dur("5 m"), -1, "space");
	is_int(dur("10m5"), -1, "a bare number only alone");
	is_int(dur("99999999999999999999d"), -1, "overflow");
	is_str(sb_duration_format(300000, buf, sizeof buf), "5m", "format 5m");
	is_str(sb_duration_format(5400000, buf, sizeof buf), "1h30m", "format 1h30m");
	is_str(sb_duration_format(1500, buf, sizeof buf), "1s500ms", "format 1s500ms");
	is_str(sb_duration_format(0, buf, sizeof buf), "0s", "format 0s");
	is_str(sb_duration_format(691200000, buf, sizeof buf), "8d", "format 8d");
	is_int(dur(sb_duration_format(93784005, buf, sizeof buf)), 93784005,
	    "format then parse");
}

static void
numbers(void)
{
	long long v;
	double d;
	const char *e;

	ok(sb_parse_ll("42", 0, 100, &v, &e) == 0 && v == 42, "42");
	ok(sb_parse_ll("101", 0, 100, &v, &e) == -1 && strcmp(e, "too large") == 0, "too large");
	ok(sb_parse_ll("-1", 0, 100, &v, &e) == -1 && strcmp(e, "too small") == 0, "too small");
	ok(sb_parse_ll("4x", 0, 100, &v, &e) == -1 && strcmp(e, "invalid") == 0, "4x invalid");
	ok(sb_parse_ll("", 0, 100, &v, &e) == -1, "empty invalid");
	ok(sb_parse_ll(" 4", 0, 100, &v, &e) == -1, "leading space invalid");
	ok(sb_parse_ll("99999999999999999999", 0, LLONG_MAX, &v, &e) == -1 &&
	    strcmp(e, "too large") == 0, "overflow is too large");
	ok(sb_parse_double("0.5", 0, 1, &d, &e) == 0 && d == 0.5, "0.5");
	ok(sb_parse_double("nan", 0, 1, &d, &e) == -1, "nan invalid");
	ok(sb_parse_double("2", 0, 1, &d, &e) == -1 && strcmp(e, "too large") == 0, "2 too large");
}

int
main(void)
{
	round_trips();
	formats();
	durations();
	numbers();
	return done_testing();
}
