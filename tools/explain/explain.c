/*
 * explain - alerts in, the same alerts out with "summary", "explanation",
 * "insights" and "recommendations" in plain words with the numbers.
 *
 * Every other record is forwarded unchanged and in order.  The words come
 * from templates (templates.c), the reasoning from compose.c.
 */
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arg.h"
#include "buf.h"
#include "file.h"
#include "compose.h"
#include "json.h"
#include "metrics.h"
#include "reader.h"
#include "record.h"
#include "sig.h"
#include "templates.h"

struct options {
	const char	*templates;
	size_t		 max_line;
	int		 forward;
	int		 strict;
	int		 print;
	struct sb_metrics_opt metrics;
};

static void
usage(FILE *fp, int status)
{
	fprintf(fp,
	    "usage: explain [--no-forward] [--print-templates] [--strict]\n"
	    "               [--max-line bytes] [--templates file]\n"
	    "               [--metrics-file file [--metrics-interval duration]] [file ...]\n");
	exit(status);
}

static void
parse_options(int argc, char **argv, struct options *o)
{
	enum { O_MAXLINE = 256, O_NOFWD, O_PRINT, O_STRICT, O_TEMPLATES };
	static const struct option longopts[] = {
		{ "help",		no_argument,		NULL, 'h' },
		{ "max-line",		required_argument,	NULL, O_MAXLINE },
		{ "metrics-file",	required_argument,	NULL, SB_OPT_METRICS_FILE },
		{ "metrics-interval",	required_argument,	NULL, SB_OPT_METRICS_INTERVAL },
		{ "no-forward",		no_argument,		NULL, O_NOFWD },
		{ "print-templates",	no_argument,		NULL, O_PRINT },
		{ "strict",		no_argument,		NULL, O_STRICT },
		{ "templates",		required_argument,	NULL, O_TEMPLATES },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	memset(o, 0, sizeof *o);
	o->max_line = SB_MAX_LINE_DEFAULT;
	o->forward = 1;
	while ((ch = sb_getopt(argc, argv, "h", longopts)) != -1) {
		switch (ch) {
		case SB_OPT_METRICS_FILE:
		case SB_OPT_METRICS_INTERVAL:
			sb_arg_metrics(&o->metrics, ch, optarg);
			break;
		case O_MAXLINE:
			o->max_line = (size_t)sb_arg_ll("--max-line", optarg, 1024,
			    1LL << 30);
			break;
		case O_NOFWD:
			o->forward = 0;
			break;
		case O_PRINT:
			o->print = 1;
			break;
		case O_STRICT:
			o->strict = 1;
			break;
		case O_TEMPLATES:
			o->templates = optarg;
			break;
		case 'h':
			usage(stdout, 0);
			break;
		default:
			usage(stderr, 2);
		}
	}
}

/* The whole file as a string; NULL (errno set) on failure. */
static char *
slurp(const char *path)
{
	struct sb_buf b = SB_BUF_INIT;

	if (sb_file_read(path, &b) == -1) {
		sb_buf_free(&b);
		return NULL;
	}
	if (strlen(b.s) != b.len) {	/* a NUL byte: not a text file */
		sb_buf_free(&b);
		errno = EINVAL;
		return NULL;
	}
	return b.s;
}

struct run {
	struct options	*opt;
	struct tmpl_set	 tmpl;
	struct sb_json	 js;
	struct sb_buf	 out;
	uint64_t	 alerts, other_in, forwarded;
	int64_t		 newest;	/* the latest "at" of an alert or watermark */
};

static int
is_added(const struct sb_json *js, size_t k)
{
	static const char *const added[] = { "summary", "explanation",
	    "insights", "recommendations" };

	for (size_t i = 0; i < 4; i++)
		if (sb_json_streq(js, k, added[i]))
			return 1;
	return 0;
}

/* The alert's members as read, minus those explain writes, then them. */
static void
write_alert(struct run *r, const struct alert_in *a)
{
	const struct sb_json *js = &r->js;
	int n = 0;

	sb_buf_putc(&r->out, '{');
	for (size_t k = 1; k < js->tok[0].skip; k = js->tok[k + 1].skip) {
		size_t s, e;
		if (is_added(js, k))
			continue;
		sb_json_span(js, k + 1, &s, &e);
		if (n++ > 0)
			sb_buf_putc(&r->out, ',');
		sb_buf_add(&r->out, js->src + js->tok[k].start - 1,
		    e - (js->tok[k].start - 1));
	}
	compose(a, &r->tmpl, &r->out);
	sb_buf_puts(&r->out, "}\n");
}

static int
line(void *ctx, struct sb_reader *in, char *s, size_t n)
{
	struct run *r = ctx;
	int rc;
	struct alert_in a;
	char why[160];
	long type;
	int64_t t;

	if ((rc = sb_record_parse(&r->js, in, s, n, &type)) != 1)
		return rc;
	if (type < 0 || !sb_json_streq(&r->js, (size_t)type, "alert")) {
		r->other_in++;
		if (type >= 0 && sb_json_streq(&r->js, (size_t)type,
		    "watermark") && sb_json_get_time(&r->js, 0, "at", &t) == 1 &&
		    t > r->newest)
			r->newest = t;
		if (r->opt->forward) {
			sb_buf_add(&r->out, s, n);
			sb_buf_putc(&r->out, '\n');
			r->forwarded++;
		}
		return 0;
	}
	if (alert_read(&a, &r->js, why, sizeof why) == -1) {
		alert_free(&a);
		return sb_reader_bad(in, "%s", why);
	}
	r->alerts++;
	if (sb_json_get_time(&r->js, 0, "at", &t) == 1 && t > r->newest)
		r->newest = t;
	write_alert(r, &a);
	alert_free(&a);
	return 0;
}

static int64_t
newest_alert(const void *ctx)
{
	const struct run *r = ctx;

	return r->newest;
}

static struct sb_metrics *
metrics_start(struct run *r)
{
	struct sb_metrics *m = sb_metrics_new("explain");

	sb_metrics_input(m);
	sb_metrics_u64(m, "slowburn_records_in_total", "kind=\"alert\"",
	    &r->alerts);
	sb_metrics_u64(m, "slowburn_records_in_total", "kind=\"other\"",
	    &r->other_in);
	sb_metrics_u64(m, "slowburn_records_out_total", "kind=\"alert\"",
	    &r->alerts);
	sb_metrics_u64(m, "slowburn_records_out_total", "kind=\"forwarded\"",
	    &r->forwarded);
	sb_metrics_event_time(m, newest_alert, r);
	if (sb_metrics_start(m, &r->opt->metrics) == -1)
		err(1, "%s", r->opt->metrics.path);
	return m;
}

int
main(int argc, char **argv)
{
	struct options opt;
	struct run r;
	char msg[256], *text;
	int status = 0;

	parse_options(argc, argv, &opt);
	argc -= optind;
	argv += optind;

	if (opt.print) {
		fputs(templates_builtin, stdout);
		return fflush(stdout) == EOF ? 1 : 0;
	}
	memset(&r, 0, sizeof r);
	r.opt = &opt;
	if (tmpl_load(&r.tmpl, templates_builtin, "built-in", 0, msg,
	    sizeof msg) == -1)
		errx(1, "%s", msg);
	if (opt.templates != NULL) {
		if ((text = slurp(opt.templates)) == NULL)
			err(1, "%s", opt.templates);
		if (tmpl_load(&r.tmpl, text, opt.templates, 1, msg,
		    sizeof msg) == -1)
			errx(1, "%s", msg);
		free(text);
	}
	sb_signals_init();
	sb_out_init();
	sb_json_init(&r.js);
	r.newest = INT64_MIN;
	struct sb_metrics *metrics = metrics_start(&r);

	struct sb_input in = {
		.max_line = opt.max_line, .strict = opt.strict, .idle_ms = -1,
		.line = line, .out = &r.out, .ctx = &r,
	};
	status = sb_input_run(&in, argc, argv);
	sb_out_end(&r.out);
	sb_reader_summary();
	sb_record_hint(SB_KIND_ALERT);
	sb_metrics_finish(metrics);
	tmpl_free(&r.tmpl);
	sb_json_free(&r.js);
	sb_buf_free(&r.out);
	return status;
}
