/*
 * arg.c - option arguments; see arg.h.
 */
#include <err.h>
#include <string.h>

#include "arg.h"
#include "metrics.h"
#include "num.h"
#include "timefmt.h"

long long
sb_arg_ll(const char *opt, const char *s, long long lo, long long hi)
{
	const char *errstr;
	long long v;

	if (sb_parse_ll(s, lo, hi, &v, &errstr) == -1)
		errx(2, "%s: '%s' is %s", opt, s, errstr);
	return v;
}

double
sb_arg_double(const char *opt, const char *s, double lo, double hi)
{
	const char *errstr;
	double v;

	if (sb_parse_double(s, lo, hi, &v, &errstr) == -1)
		errx(2, "%s: '%s' is %s", opt, s, errstr);
	return v;
}

int64_t
sb_arg_duration(const char *opt, const char *s, int64_t min, int64_t max)
{
	int64_t ms;

	if (sb_duration_parse(s, &ms) == -1)
		errx(2, "%s: '%s' is not a duration (e.g. 500ms, 30s, 5m, 2h)",
		    opt, s);
	if (ms < min)
		errx(2, "%s: '%s' is too short", opt, s);
	if (ms > max)
		errx(2, "%s: '%s' is too long", opt, s);
	return ms;
}

int64_t
sb_arg_time(const char *opt, const char *s)
{
	int64_t ms;

	if (sb_time_parse(s, strlen(s), &ms) == -1)
		errx(2, "%s: '%s' is not an RFC 3339 time", opt, s);
	return ms;
}

void
sb_arg_metrics(struct sb_metrics_opt *o, int ch, const char *s)
{
	if (ch == SB_OPT_METRICS_INTERVAL) {
		o->interval_ms = sb_arg_duration("--metrics-interval", s, 100,
		    86400000);
		return;
	}
	if (*s == '\0')
		errx(2, "--metrics-file: empty file name");
	o->path = s;
}
