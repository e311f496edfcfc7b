/*
 * arg.h - command-line option arguments, checked the one way every tool
 * words a usage error:
 *
 *	detect: --level-z: 'nope' is invalid
 *	correlate: --within: '5x' is not a duration (e.g. 500ms, 30s, 5m, 2h)
 *
 * These are the only functions of libcommon that end the process: a bad
 * command line has no recovery, and the status is always 2 (usage).  Call
 * them from option parsing only, never on input data.
 */
#ifndef SB_ARG_H
#define SB_ARG_H

#include <stdint.h>

long long	 sb_arg_ll(const char *opt, const char *s, long long lo,
		    long long hi);
double		 sb_arg_double(const char *opt, const char *s, double lo,
		    double hi);
/* ms in [min, max]: "is too short" / "is too long" outside. */
int64_t		 sb_arg_duration(const char *opt, const char *s, int64_t min,
		    int64_t max);
/* An RFC 3339 time (lib/timefmt.h), in ms. */
int64_t		 sb_arg_time(const char *opt, const char *s);
/*
 * --metrics-file FILE and --metrics-interval DURATION (lib/metrics.h),
 * the same in every tool: ch is SB_OPT_METRICS_FILE or _INTERVAL.
 */
struct sb_metrics_opt;
void		 sb_arg_metrics(struct sb_metrics_opt *, int ch,
		    const char *s);

#endif
