/*
 * timefmt.c - times and durations; see timefmt.h.
 *
 * Civil-date arithmetic follows Howard Hinnant's days_from_civil and
 * civil_from_days ("chrono-Compatible Low-Level Date Algorithms"), which
 * are exact for the proleptic Gregorian calendar and need no tables.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "timefmt.h"

#define MS_PER_DAY	86400000LL
/* 0000-01-01 and 9999-12-31T23:59:59.999Z, in ms since the epoch. */
#define TIME_MIN	(-62167219200000LL)
#define TIME_MAX	(253402300799999LL)

int64_t
sb_floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	if ((a % b != 0) && ((a < 0) != (b < 0)))
		q--;
	return q;
}

int64_t
sb_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + (int64_t)doe - 719468;
}

void
sb_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;

	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static int
is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned
month_days(int64_t y, unsigned m)
{
	static const unsigned char md[] =
	    { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return m == 2 && is_leap(y) ? 29 : md[m - 1];
}

/* Reads exactly n digits at *p; -1 if they are not all there. */
static int
digits(const char **p, const char *end, int n, int *out)
{
	int v = 0;

	if (end - *p < n)
		return -1;
	for (int i = 0; i < n; i++) {
		char c = (*p)[i];
		if (c < '0' || c > '9')
			return -1;
		v = v * 10 + (c - '0');
	}
	*p += n;
	*out = v;
	return 0;
}

int
sb_time_parse(const char *s, size_t n, int64_t *ms)
{
	const char *p = s, *end = s + n;
	int y, mo, d, h = 0, mi = 0, sec = 0, frac = 0, off = 0;

	if (digits(&p, end, 4, &y) == -1 || p == end || *p++ != '-' ||
	    digits(&p, end, 2, &mo) == -1 || p == end || *p++ != '-' ||
	    digits(&p, end, 2, &d) == -1)
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || (unsigned)d > month_days(y, (unsigned)mo))
		return -1;
	if (p < end && (*p == 'T' || *p == 't' || *p == ' ')) {
		p++;
		if (digits(&p, end, 2, &h) == -1 || p == end || *p++ != ':' ||
		    digits(&p, end, 2, &mi) == -1)
			return -1;
		if (p < end && *p == ':') {
			p++;
			if (digits(&p, end, 2, &sec) == -1)
				return -1;
			if (p < end && (*p == '.' || *p == ',')) {
				int nd = 0;
				p++;
				while (p < end && *p >= '0' && *p <= '9') {
					if (nd < 3)
						frac = frac * 10 + (*p - '0');
					nd++;
					p++;
				}
				if (nd == 0)
					return -1;
				for (; nd < 3; nd++)
					frac *= 10;
			}
		}
		/* 60 is a leap second; it is folded into the next second. */
		if (h > 23 || mi > 59 || sec > 60)
			return -1;
		if (p < end && (*p == 'Z' || *p == 'z')) {
			p++;
		} else if (p < end && (*p == '+' || *p == '-')) {
			int sign = *p++ == '-' ? -1 : 1, oh, om;
			if (digits(&p, end, 2, &oh) == -1)
				return -1;
			if (p < end && *p == ':')
				p++;
			if (digits(&p, end, 2, &om) == -1 || oh > 23 || om > 59)
				return -1;
			off = sign * (oh * 60 + om);
		}
	}
	if (p != end)
		return -1;
	*ms = sb_days_from_civil(y, (unsigned)mo, (unsigned)d) * MS_PER_DAY +
	    ((int64_t)h * 3600 + mi * 60 + sec - (int64_t)off * 60) * 1000 + frac;
	return 0;
}

int
sb_time_parse_clf(const char *s, size_t n, int64_t *ms)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	const char *p = s, *end = s + n;
	int y, mo = 0, d, h, mi, sec, frac = 0, off = 0;

	if (digits(&p, end, 2, &d) == -1 || end - p < 5 || *p++ != '/')
		return -1;
	for (int i = 0; i < 12; i++)
		if (memcmp(p, months + 3 * i, 3) == 0)
			mo = i + 1;
	p += 3;
	if (mo == 0 || *p++ != '/' || digits(&p, end, 4, &y) == -1 ||
	    p == end || *p++ != ':' || digits(&p, end, 2, &h) == -1 ||
	    p == end || *p++ != ':' || digits(&p, end, 2, &mi) == -1 ||
	    p == end || *p++ != ':' || digits(&p, end, 2, &sec) == -1)
		return -1;
	if (d < 1 || (unsigned)d > month_days(y, (unsigned)mo) || h > 23 ||
	    mi > 59 || sec > 60)
		return -1;
	if (p < end && *p == '.') {
		int nd = 0;
		for (p++; p < end && *p >= '0' && *p <= '9'; p++, nd++)
			if (nd < 3)
				frac = frac * 10 + (*p - '0');
		if (nd == 0)
			return -1;
		for (; nd < 3; nd++)
			frac *= 10;
	}
	if (p < end) {
		int sign, oh, om;
		if (end - p != 6 || p[0] != ' ' || (p[1] != '+' && p[1] != '-'))
			return -1;
		sign = p[1] == '-' ? -1 : 1;
		p += 2;
		if (digits(&p, end, 2, &oh) == -1 ||
		    digits(&p, end, 2, &om) == -1 || oh > 23 || om > 59)
			return -1;
		off = sign * (oh * 60 + om);
	}
	*ms = sb_days_from_civil(y, (unsigned)mo, (unsigned)d) * MS_PER_DAY +
	    ((int64_t)h * 3600 + mi * 60 + sec - (int64_t)off * 60) * 1000 + frac;
	return 0;
}

int
sb_time_from_epoch(double v, int64_t *ms)
{
	if (!isfinite(v))
		return -1;
	if (fabs(v) < 1e11)
		v *= 1000;
	if (v < (double)TIME_MIN || v > (double)TIME_MAX)
		return -1;
	*ms = (int64_t)floor(v);
	return 0;
}

static void
put_digits(char *p, unsigned v, int n)
{
	while (n-- > 0) {
		p[n] = (char)('0' + v % 10);
		v /= 10;
	}
}

/* Hand-rolled: this runs once per output record. */
char *
sb_time_format(int64_t ms, char out[SB_TIME_LEN])
{
	if (ms < TIME_MIN)
		ms = TIME_MIN;
	if (ms > TIME_MAX)
		ms = TIME_MAX;

	int64_t days = sb_floor_div(ms, MS_PER_DAY);
	unsigned rem = (unsigned)(ms - days * MS_PER_DAY), m, d;
	int64_t y;

	sb_civil_from_days(days, &y, &m, &d);
	memcpy(out, "0000-00-00T00:00:00.000Z", SB_TIME_LEN);
	put_digits(out, (unsigned)y, 4);
	put_digits(out + 5, m, 2);
	put_digits(out + 8, d, 2);
	put_digits(out + 11, rem / 3600000, 2);
	put_digits(out + 14, rem / 60000 % 60, 2);
	put_digits(out + 17, rem / 1000 % 60, 2);
	put_digits(out + 20, rem % 1000, 3);
	return out;
}

static const struct {
	const char	*name;
	int64_t		 ms;
} units[] = {
	{ "w", 7 * MS_PER_DAY }, { "d", MS_PER_DAY }, { "h", 3600000 },
	{ "m", 60000 }, { "s", 1000 }, { "ms", 1 },
};

int
sb_duration_parse(const char *s, int64_t *ms)
{
	int64_t total = 0;
	const char *p = s;

	if (s == NULL || *s == '\0')
		return -1;
	while (*p != '\0') {
		double v = 0, scale = 1;
		int nd = 0;

		while (*p >= '0' && *p <= '9') {
			v = v * 10 + (*p++ - '0');
			nd++;
		}
		if (*p == '.') {
			p++;
			while (*p >= '0' && *p <= '9') {
				scale /= 10;
				v += (*p++ - '0') * scale;
				nd++;
			}
		}
		if (nd == 0)
			return -1;
		int64_t unit = 0;
		size_t ul = 0;
		for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
			size_t l = strlen(units[i].name);
			if (strncmp(p, units[i].name, l) == 0 && l > ul &&
			    (p[l] == '\0' || (p[l] >= '0' && p[l] <= '9') || p[l] == '.')) {
				unit = units[i].ms;
				ul = l;
			}
		}
		if (ul == 0) {
			/* A bare number is seconds, and only alone. */
			if (*p != '\0' || p - s != nd + (strchr(s, '.') != NULL))
				return -1;
			unit = 1000;
		}
		p += ul;
		double part = v * (double)unit;
		if (part > 9.2e18 - (double)total)
			return -1;
		total += (int64_t)llround(part);
	}
	*ms = total;
	return 0;
}

char *
sb_duration_format(int64_t ms, char *out, size_t outsz)
{
	size_t len = 0;

	if (outsz == 0)
		return out;
	out[0] = '\0';
	if (ms == 0) {
		snprintf(out, outsz, "0s");
		return out;
	}
	for (size_t i = 1; i < sizeof units / sizeof units[0] && ms > 0; i++) {
		int64_t q = ms / units[i].ms;
		if (q == 0)
			continue;
		ms -= q * units[i].ms;
		int n = snprintf(out + len, outsz - len, "%lld%s",
		    (long long)q, units[i].name);
		if (n < 0 || (size_t)n >= outsz - len)
			break;
		len += (size_t)n;
	}
	return out;
}
