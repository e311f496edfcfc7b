/*
 * arg.c - option arguments; see arg.h.
 */
#define _GNU_SOURCE		/* program_invocation_short_name, as err(3) */
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arg.h"
#include "metrics.h"
#include "num.h"
#include "store.h"
#include "timefmt.h"
#include "version.h"

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

static const struct option *
long_find(const struct option *longopts, const char *name, size_t n)
{
	const struct option *o;

	for (o = longopts; o->name != NULL; o++)
		if (strlen(o->name) == n && strncmp(o->name, name, n) == 0)
			return o;
	return NULL;
}

/*
 * Walks the command line the way getopt_long(3) does: options may come
 * after operands (GNU permutation) unless shortopts starts with '+' or
 * POSIXLY_CORRECT is set, "--" ends the options, and an option's argument
 * (the next element, or the rest of a short option cluster) is skipped.
 */
enum sb_optcheck
sb_opt_check(int argc, char *const argv[], int from, const char *shortopts,
    const struct option *longopts, char *opt, size_t optsz)
{
	int permute = shortopts[0] != '+' && getenv("POSIXLY_CORRECT") == NULL;
	const char *sopts = shortopts + strspn(shortopts, "+-");

	if (*sopts == ':')
		sopts++;
	for (int i = from < 1 ? 1 : from; i < argc; i++) {
		const char *a = argv[i], *eq, *p;
		const struct option *o;
		size_t n;

		if (strcmp(a, "--") == 0)
			break;
		if (a[0] != '-' || a[1] == '\0') {
			if (!permute)
				break;
			continue;
		}
		if (a[1] == '-') {
			eq = strchr(a + 2, '=');
			n = eq != NULL ? (size_t)(eq - a) : strlen(a);
			snprintf(opt, optsz, "%.*s", (int)n, a);
			o = long_find(longopts, a + 2, n - 2);
			if (o == NULL && strcmp(opt, "--version") == 0)
				return eq != NULL ? SB_OPT_NO_ARG :
				    SB_OPT_VERSION;
			if (o == NULL)
				return SB_OPT_UNKNOWN;
			if (o->has_arg == no_argument && eq != NULL)
				return SB_OPT_NO_ARG;
			if (o->has_arg == required_argument && eq == NULL &&
			    ++i == argc)
				return SB_OPT_NEEDS_ARG;
			continue;
		}
		for (p = a + 1; *p != '\0'; p++) {
			const char *s = *p == ':' ? NULL : strchr(sopts, *p);

			snprintf(opt, optsz, "-%c", *p);
			if (s == NULL)
				return SB_OPT_UNKNOWN;
			if (s[1] != ':')
				continue;
			if (p[1] == '\0' && s[2] != ':' && ++i == argc)
				return SB_OPT_NEEDS_ARG;
			break;
		}
	}
	if (optsz > 0)
		opt[0] = '\0';
	return SB_OPT_OK;
}

void
sb_version(void)
{
	printf("%s (slowburn) %s\n", program_invocation_short_name,
	    SB_VERSION);
	if (fflush(stdout) == EOF || ferror(stdout))
		err(1, "stdout");
	exit(0);
}

int
sb_getopt(int argc, char *const argv[], const char *shortopts,
    const struct option *longopts)
{
	char opt[64];

	switch (sb_opt_check(argc, argv, optind, shortopts, longopts, opt,
	    sizeof opt)) {
	case SB_OPT_OK:
		break;
	case SB_OPT_VERSION:
		sb_version();
	case SB_OPT_UNKNOWN:
		warnx("unrecognized option '%s'", opt);
		return '?';
	case SB_OPT_NEEDS_ARG:
		warnx("option '%s' requires an argument", opt);
		return '?';
	case SB_OPT_NO_ARG:
		warnx("option '%s' takes no argument", opt);
		return '?';
	}
	return getopt_long(argc, argv, shortopts, longopts, NULL);
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

void
sb_arg_store(struct sb_store_config *c, int ch, const char *s)
{
	switch (ch) {
	case 'b':
		c->backend = s;
		break;
	case SB_OPT_STORE_SQLITE:
		c->sqlite_path = s;
		break;
	case SB_OPT_STORE_REDIS:
		c->redis_url = s;
		break;
	case SB_OPT_STORE_PREFIX:
		c->redis_prefix = s;
		break;
	case SB_OPT_STORE_PG:
		c->pg_conninfo = s;
		break;
	}
}
