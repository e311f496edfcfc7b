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
line(struct run *r, struct sb_reader *in, char *s, size_t n)
{
	struct delivery d = { REC_ALERT, s, n, &r->js, NULL };
	struct sigrec sig;
	char why[160], *state = NULL;
	long type;
	int rc;

	if (sb_json_parse(&r->js, s, n) == -1)
		return sb_reader_bad(in, "invalid JSON: %s at byte %zu",
		    r->js.err, r->js.errpos + 1);
	if (r->js.tok[0].type != SB_JOBJECT)
		return sb_reader_bad(in, "not a JSON object");
	type = sb_json_member(&r->js, 0, "type");
	if (type >= 0 && r->js.tok[type].type != SB_JSTRING)
		return sb_reader_bad(in, "'type' is not a string");
	if (type >= 0 && sb_json_streq(&r->js, (size_t)type, "signal")) {
		if (sigrec_read(&sig, &r->js, 0, why, sizeof why) == -1)
			return sb_reader_bad(in, "%s", why);
		d.kind = REC_SIGNAL;
		d.sig = &sig;
		rc = r->sink.ops->deliver(&r->sink, &d);
		sigrec_free(&sig);
		return rc == -1 ? -2 : 0;
	}
	if (type < 0 || !sb_json_streq(&r->js, (size_t)type, "alert"))
		return 0;	/* the end of the pipe: nothing to forward to */
	if (json_get_str(&r->js, 0, "key", &state) != 1) {
		free(state);
		return sb_reader_bad(in, "missing 'key' or not a string");
	}
	free(state);
	if (json_get_str(&r->js, 0, "state", &state) != 1) {
		free(state);
		return sb_reader_bad(in, "missing 'state' or not a string");
	}
	free(state);
	return r->sink.ops->deliver(&r->sink, &d) == -1 ? -2 : 0;
}

/* 0 at end of input, 1 on a fatal error. */
static int
read_input(struct run *r, const char *path)
{
	struct sb_reader in;
	char *s;
	size_t n;
	int rc;

	if (sb_reader_open(&in, path) == -1) {
		warn("%s", path);
		return 1;
	}
	in.max_line = r->opt->max_line;
	in.strict = r->opt->strict;
	while ((rc = sb_reader_next(&in, &s, &n, -1)) == SB_READ_LINE) {
		int lr = line(r, &in, s, n);
		if (lr == -2) {
			warnx("%s sink: delivery failed", r->sink.ops->name);
			rc = SB_READ_ERROR;
			break;
		}
		if (lr == -1) {
			rc = SB_READ_ERROR;
			break;
		}
	}
	sb_reader_close(&in);
	return rc == SB_READ_ERROR;
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

	if (argc == 0) {
		status = read_input(&r, "-");
	} else {
		for (int i = 0; i < argc && !sb_stop_requested(); i++) {
			int fatal = read_input(&r, argv[i]);
			status |= fatal;
			if (fatal && opt.strict)
				break;
		}
	}
	if (r.sink.ops->flush(&r.sink) == -1 || ferror(stdout)) {
		warn("stdout");
		status = 1;
	}
	r.sink.ops->close(&r.sink);
	sb_reader_summary();
	sb_json_free(&r.js);
	return status;
}
