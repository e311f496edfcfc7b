/*
 * alert - deliver signals and alerts: a readable console block per alert
 * (one line per bare signal), or JSON lines for scripts.
 *
 * alert is the end of the pipe: records other than signals and alerts
 * are ignored.  Delivery goes through the sinks of sink.h.
 */
#include <err.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "json.h"
#include "num.h"
#include "reader.h"
#include "record.h"
#include "sig.h"
#include "sigrec.h"
#include "sink.h"

struct options {
	const struct sink_ops	*sink;
	int			 color;		/* -1 auto */
	size_t			 max_line;
	int			 strict;
};

static void
usage(FILE *fp, int status)
{
	fprintf(fp,
	    "usage: alert [--strict] [--color auto|always|never]\n"
	    "             [--format console|json] [--max-line bytes] [file ...]\n");
	exit(status);
}

static void
parse_options(int argc, char **argv, struct options *o)
{
	enum { O_COLOR = 256, O_FORMAT, O_MAXLINE, O_STRICT };
	static const struct option longopts[] = {
		{ "color",	required_argument,	NULL, O_COLOR },
		{ "format",	required_argument,	NULL, O_FORMAT },
		{ "help",	no_argument,		NULL, 'h' },
		{ "max-line",	required_argument,	NULL, O_MAXLINE },
		{ "strict",	no_argument,		NULL, O_STRICT },
		{ NULL, 0, NULL, 0 }
	};
	const char *errstr;
	long long n;
	int ch;

	memset(o, 0, sizeof *o);
	o->sink = &console_sink;
	o->color = -1;
	o->max_line = SB_MAX_LINE_DEFAULT;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case O_COLOR:
			if (strcmp(optarg, "auto") == 0)
				o->color = -1;
			else if (strcmp(optarg, "always") == 0)
				o->color = 1;
			else if (strcmp(optarg, "never") == 0)
				o->color = 0;
			else
				errx(2, "--color: '%s' is not auto, always or "
				    "never", optarg);
			break;
		case O_FORMAT:
			if (strcmp(optarg, "console") == 0)
				o->sink = &console_sink;
			else if (strcmp(optarg, "json") == 0)
				o->sink = &json_sink;
			else
				errx(2, "--format: '%s' is not console or json",
				    optarg);
			break;
		case O_MAXLINE:
			if (sb_parse_ll(optarg, 1024, 1LL << 30, &n, &errstr) == -1)
				errx(2, "--max-line: '%s' is %s", optarg, errstr);
			o->max_line = (size_t)n;
			break;
		case O_STRICT:
			o->strict = 1;
			break;
		case 'h':
			usage(stdout, 0);
			break;
		default:
			usage(stderr, 2);
		}
	}
}

struct run {
	struct options	*opt;
	struct sink	 sink;
	struct sb_json	 js;
};

/* 0; -1 when --strict makes a bad line fatal; -2 on a delivery failure. */
static int
line_record(struct run *r, struct sb_reader *in, char *s, size_t n)
{
	struct delivery d = { REC_ALERT, s, n, &r->js, NULL };
	struct sb_signal sig;
	char why[160], *state = NULL;
	long type;
	int rc;

	if ((rc = sb_record_parse(&r->js, in, s, n, &type)) != 1)
		return rc;
	if (type >= 0 && sb_json_streq(&r->js, (size_t)type, "signal")) {
		if (sb_signal_read(&sig, &r->js, 0, why, sizeof why) == -1)
			return sb_reader_bad(in, "%s", why);
		d.kind = REC_SIGNAL;
		d.sig = &sig;
		rc = r->sink.ops->deliver(&r->sink, &d);
		sb_signal_free(&sig);
		return rc == -1 ? -2 : 0;
	}
	if (type < 0 || !sb_json_streq(&r->js, (size_t)type, "alert"))
		return 0;	/* the end of the pipe: nothing to forward to */
	if (sb_json_get_str(&r->js, 0, "key", &state) != 1) {
		free(state);
		return sb_reader_bad(in, "missing 'key' or not a string");
	}
	free(state);
	if (sb_json_get_str(&r->js, 0, "state", &state) != 1) {
		free(state);
		return sb_reader_bad(in, "missing 'state' or not a string");
	}
	free(state);
	return r->sink.ops->deliver(&r->sink, &d) == -1 ? -2 : 0;
}

/* 0, or -1 for a fatal bad line or a failed delivery. */
static int
line(void *ctx, struct sb_reader *in, char *s, size_t n)
{
	struct run *r = ctx;
	int lr = line_record(r, in, s, n);

	if (lr == -2)
		warnx("%s sink: delivery failed", r->sink.ops->name);
	return lr < 0 ? -1 : 0;
}

int
main(int argc, char **argv)
{
	struct options opt;
	struct sink_config cfg;
	struct run r;
	int status = 0;
	static char obuf[1 << 16];

	parse_options(argc, argv, &opt);
	argc -= optind;
	argv += optind;

	cfg.out = stdout;
	cfg.color = opt.color;
	if (cfg.color == -1) {
		const char *nc = getenv("NO_COLOR");
		cfg.color = isatty(STDOUT_FILENO) && (nc == NULL || *nc == '\0');
	}
	sb_signals_init();
	setvbuf(stdout, obuf, _IOFBF, sizeof obuf);
	memset(&r, 0, sizeof r);
	r.opt = &opt;
	r.sink.ops = opt.sink;
	if (r.sink.ops->open(&r.sink, &cfg) == -1)
		return 1;
	sb_json_init(&r.js);

	struct sb_input in = {
		.max_line = opt.max_line, .strict = opt.strict, .idle_ms = -1,
		.line = line, .after = NULL, .ctx = &r,
	};
	status = sb_input_run(&in, argc, argv);
	if (r.sink.ops->flush(&r.sink) == -1 || ferror(stdout)) {
		warn("stdout");
		status = 1;
	}
	r.sink.ops->close(&r.sink);
	sb_reader_summary();
	sb_json_free(&r.js);
	return status;
}
