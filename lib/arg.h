/*
 * arg.h - command-line option arguments, checked the one way every tool
 * words a usage error:
 *
 *	detect: --level-z: 'nope' is invalid
 *	correlate: --within: '5x' is not a duration (e.g. 500ms, 30s, 5m, 2h)
 *
 * These are the only functions of libcommon that end the process: a bad
 * command line has no recovery, and the status is always 2 (usage), or 0
 * after --version.  Call them from option parsing only, never on input
 * data.
 */
#ifndef SB_ARG_H
#define SB_ARG_H

#include <stddef.h>
#include <stdint.h>

struct option;

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

/*
 * -b, --sqlite-path, --redis-url, --redis-prefix and --timescale into c
 * (lib/store.h), the same in store and dashboard: ch is 'b' or one of the
 * SB_OPT_STORE_* codes.  Nothing is checked here: sb_store_open() names a
 * backend it does not know.
 */
struct sb_store_config;
void		 sb_arg_store(struct sb_store_config *c, int ch,
		    const char *s);

/*
 * getopt_long(3) under the rules every tool follows (slowburn(7)):
 *
 *  - a long option is spelled in full: getopt_long alone takes any
 *    unambiguous prefix, so a new option would change what an old command
 *    line means (--rate was --rate-scale until inject grew a --rate);
 *  - --version prints "NAME (slowburn) VERSION" on stdout and exits 0;
 *  - every option error is worded one way, on stderr, prefixed like err(3):
 *
 *	aggregate: unrecognized option '--idle'
 *	aggregate: option '--window' requires an argument
 *	aggregate: option '--strict' takes no argument
 *
 *    after which it returns '?' for the caller's usage(stderr, 2).
 *
 * Call it where getopt_long would be called, with the same arguments
 * (longindex is never needed); each call first checks what is left of the
 * command line, from optind, so a bad option anywhere is reported before
 * any option is acted on.
 */
int		 sb_getopt(int argc, char *const argv[], const char *shortopts,
		    const struct option *longopts);
/* Prints the --version line and exits 0 (1 if stdout fails). */
void		 sb_version(void) __attribute__((noreturn));

/*
 * The check sb_getopt makes, without output: the first problem among
 * argv[from..argc-1] as one of enum sb_optcheck, with the option as typed
 * ("--idle", "-x") in opt, truncated to optsz.  SB_OPT_VERSION when
 * --version comes before any problem.
 */
enum sb_optcheck {
	SB_OPT_OK,
	SB_OPT_VERSION,
	SB_OPT_UNKNOWN,		/* unrecognized, or an abbreviation */
	SB_OPT_NEEDS_ARG,	/* its argument is missing */
	SB_OPT_NO_ARG		/* --name=value for an option without one */
};
enum sb_optcheck sb_opt_check(int argc, char *const argv[], int from,
		    const char *shortopts, const struct option *longopts,
		    char *opt, size_t optsz);

#endif
