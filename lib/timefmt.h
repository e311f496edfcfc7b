/*
 * timefmt.h - the one time parser and formatter, and durations.
 *
 * Times are int64_t milliseconds since 1970-01-01T00:00:00Z; nothing here
 * reads the clock or the time zone, so results never depend on TZ.
 *
 * Accepted input times (sb_time_parse):
 *	2026-11-26T14:03:07.125Z	RFC 3339, any number of fraction digits
 *	2026-11-26T14:03:07+01:00	numeric offsets
 *	2026-11-26 14:03:07.125		space instead of T; no zone means UTC
 *	2026-11-26T14:03		seconds optional
 *	2026-11-26			midnight UTC
 * Fractions beyond milliseconds are truncated toward the past.
 *
 * Epoch numbers (sb_time_from_epoch): values of magnitude >= 1e11 are
 * milliseconds, smaller ones seconds (1e11 s is the year 5138, 1e11 ms is
 * 1973), the rule the original service's clients rely on.
 *
 * Durations (sb_duration_parse): a sequence of NUMBER UNIT with units ms,
 * s, m, h, d, w ("500ms", "90s", "1h30m", "7d"); a bare number is seconds.
 */
#ifndef SB_TIMEFMT_H
#define SB_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>

#define SB_TIME_LEN	25	/* "2026-11-26T14:03:07.125Z" and NUL */

/* 0 and *ms on success, -1 if s[0..n) is not a time we accept. */
int	 sb_time_parse(const char *s, size_t n, int64_t *ms);
/*
 * The access-log time of nginx, Apache and HAProxy, without its brackets:
 * "10/Oct/2000:13:55:36 -0700", "06/Feb/2009:12:14:14.655".  Month
 * names are English whatever the locale; no offset means UTC.
 */
int	 sb_time_parse_clf(const char *s, size_t n, int64_t *ms);
/* -1 if v is not finite or out of the years 0000..9999. */
int	 sb_time_from_epoch(double v, int64_t *ms);
/* Writes SB_TIME_LEN bytes (NUL included) to out; returns out. */
char	*sb_time_format(int64_t ms, char out[SB_TIME_LEN]);

/* Days since the epoch of a proleptic Gregorian date, and back. */
int64_t	 sb_days_from_civil(int64_t y, unsigned m, unsigned d);
void	 sb_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d);

/* 0 and *ms >= 0 on success; -1 on syntax error or overflow. */
int	 sb_duration_parse(const char *s, int64_t *ms);
/* Shortest exact form: 300000 -> "5m", 5400000 -> "1h30m", 0 -> "0s". */
char	*sb_duration_format(int64_t ms, char *out, size_t outsz);

/* Floor division for event times that may lie before 1970. */
int64_t	 sb_floor_div(int64_t a, int64_t b);

#endif
