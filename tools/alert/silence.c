/*
 * silence.c - "alert silence add|list|expire"; see silence.h.  The
 * silences themselves (matching, storage, ids) are noise.c's.
 */
#include <err.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arg.h"
#include "clock.h"
#include "noise.h"
#include "silence.h"
#include "timefmt.h"

static void
silence_usage(void)
{
	fprintf(stderr,
	    "usage: alert silence add --match MATCHER ... --for DUR|--until TIME\n"
	    "             [--starts TIME] [--comment TEXT] [--author NAME]\n"
	    "             [--silences FILE|store:NAME]\n"
	    "       alert silence list [--silences FILE|store:NAME]\n"
	    "       alert silence expire ID [--silences FILE|store:NAME]\n");
	exit(2);
}

static int64_t
time_arg(const char *name, const char *v)
{
	int64_t t;

	if (sb_time_parse(v, strlen(v), &t) == -1)
		errx(2, "--%s: '%s' is not a time", name, v);
	return t;
}

static const char *
silence_status(const struct noise_silence *s, int64_t now)
{
	if (now < s->starts)
		return "pending";
	return now < s->ends ? "active" : "expired";
}

static void
list(const struct noise *n, int64_t now)
{
	for (size_t i = 0; i < noise_silence_count(n); i++) {
		struct noise_silence s;
		char id[9], a[SB_TIME_LEN], b[SB_TIME_LEN];

		noise_silence_get(n, i, &s, id);
		printf("%s %s %s %s", id, silence_status(&s, now),
		    sb_time_format(s.starts, a), sb_time_format(s.ends, b));
		for (int j = 0; j < s.nmatch; j++)
			printf(" %s", s.match[j]);
		if (s.comment != NULL && *s.comment != '\0')
			printf(" # %s", s.comment);
		putchar('\n');
	}
}

int
silence_main(int argc, char **argv)
{
	enum { O_MATCH = 256, O_FOR, O_UNTIL, O_STARTS, O_COMMENT, O_AUTHOR,
	    O_SIL };
	static const struct option longopts[] = {
		{ "author",	required_argument, NULL, O_AUTHOR },
		{ "comment",	required_argument, NULL, O_COMMENT },
		{ "for",	required_argument, NULL, O_FOR },
		{ "match",	required_argument, NULL, O_MATCH },
		{ "silences",	required_argument, NULL, O_SIL },
		{ "starts",	required_argument, NULL, O_STARTS },
		{ "until",	required_argument, NULL, O_UNTIL },
		{ NULL, 0, NULL, 0 }
	};
	struct noise_config cfg;
	struct noise_silence ns;
	struct noise *n;
	const char *cmd, *loc = NULL;
	char err[600], id[9];
	int64_t now = sb_wall_ms(), dur = -1, until = -1, starts = -1;
	int ch, rc, status = 0;

	if (argc < 2)
		silence_usage();
	cmd = argv[1];
	memset(&ns, 0, sizeof ns);
	optind = 2;
	while ((ch = sb_getopt(argc, argv, "", longopts)) != -1) {
		switch (ch) {
		case O_MATCH:
			if (ns.nmatch == NOISE_MATCHERS_MAX)
				errx(2, "--match: more than %d",
				    NOISE_MATCHERS_MAX);
			if (noise_matcher_check(optarg, err, sizeof err) == -1)
				errx(2, "--match: %s", err);
			ns.match[ns.nmatch++] = optarg;
			break;
		case O_FOR:
			if (sb_duration_parse(optarg, &dur) == -1 || dur == 0)
				errx(2, "--for: '%s' is not a duration", optarg);
			break;
		case O_UNTIL:
			until = time_arg("until", optarg);
			break;
		case O_STARTS:
			starts = time_arg("starts", optarg);
			break;
		case O_COMMENT:
			ns.comment = optarg;
			break;
		case O_AUTHOR:
			ns.author = optarg;
			break;
		case O_SIL:
			loc = optarg;
			break;
		default:
			silence_usage();
		}
	}
	if (loc == NULL)
		loc = NOISE_SILENCES;
	noise_config_init(&cfg);
	cfg.silences = loc;
	if ((n = noise_open(&cfg, err, sizeof err)) == NULL) {
		warnx("%s", err);
		return 1;
	}
	if (strcmp(cmd, "add") == 0) {
		if (optind != argc || ns.nmatch == 0 || (dur < 0) == (until < 0))
			errx(2, "silence add: give --match and one of --for "
			    "or --until");
		ns.starts = starts >= 0 ? starts : now;
		ns.ends = until >= 0 ? until : ns.starts + dur;
		if (ns.ends <= ns.starts)
			errx(2, "silence add: it ends before it starts");
		ns.created = now;
		if (ns.author == NULL)
			ns.author = getenv("USER");
		if ((rc = noise_silence_add(n, &ns, now, id)) == -2) {
			warnx("silence add: %d silences in place: expire some "
			    "first", NOISE_SILENCES_MAX);
			noise_close(n);
			return 1;
		}
		if (rc == -1)
			status = 1;
		else
			printf("%s\n", id);
	} else if (strcmp(cmd, "list") == 0) {
		if (optind != argc)
			silence_usage();
		list(n, now);
	} else if (strcmp(cmd, "expire") == 0) {
		if (optind != argc - 1)
			silence_usage();
		if ((rc = noise_silence_expire(n, argv[optind], now)) == 0) {
			warnx("silence: no silence '%s'", argv[optind]);
			status = 1;
		} else
			status = rc == -1;
	} else {
		warnx("silence: '%s' is not add, list or expire", cmd);
		status = 2;
	}
	noise_close(n);
	if (fflush(stdout) == EOF)
		status = 1;
	return status;
}
