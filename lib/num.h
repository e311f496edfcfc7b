/*
 * num.h - checked number parsing for options and configuration.
 *
 * Like OpenBSD's strtonum(3): the whole string must be the number, the
 * value must lie in [min, max], and on failure *errstr says why in words
 * fit for "'%s' is %s": "invalid", "too small", "too large".
 */
#ifndef SB_NUM_H
#define SB_NUM_H

int	 sb_parse_ll(const char *s, long long min, long long max,
	    long long *out, const char **errstr);
int	 sb_parse_double(const char *s, double min, double max,
	    double *out, const char **errstr);

#endif
