/*
 * store - persist slowburn records, query them back in time order, prune
 * them, on the backend that STORAGE_BACKEND names (see lib/store.h).
 */
#include <err.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arg.h"
#include "buf.h"
#include "clock.h"
#include "event.h"
#include "evread.h"
#include "json.h"
#include "metrics.h"
#include "logfmt.h"
#include "reader.h"
#include "sig.h"
#include "spool.h"
#include "store.h"
#include "stream.h"
#include "timefmt.h"

struct options {
	struct sb_store_config cfg;
	const char	*cmd;
	int		 tee;
	int		 strict;
	size_t		 batch;
	size_t		 max_line;
	const char	*spool;
	struct sb_store_query q;
	int64_t		 older_than;	/* -1: not given */
	int64_t		 now;
	int		 has_now;
	struct sb_metrics_opt metrics;
	const struct sb_logfmt *format;	/* put --format; NULL: JSON records */
	const char	*service;	/* put --service */
};

static void
usage(FILE *fp, int status)
{
	fprintf(fp,
	    "usage: store put [--strict] [--tee] [--batch n] [--max-line bytes] [--spool dir]\n"
	    "                 [--metrics-file file [--metrics-interval duration]]\n"
	    "                 [--format name] [--service name] [file ...]\n"
	    "       store query --type type [--key key] [--since time] [--until time]\n"
	    "                 [--limit n]\n"
	    "       store prune --older-than duration [--now time]\n"
	    "       store stats | init | migrate\n"
	    "       store xadd | xread | xstats ... (store xadd -h)\n"
	    "       every command: [-b backend] [--sqlite-path file] [--redis-url url]\n"
	    "                 [--redis-prefix prefix] [--timescale conninfo]\n"
	    "                 [--max-records n] [--retry-for duration]\n");
	exit(status);
}

static void
parse_options(int argc, char **argv, struct options *o)
{
	enum { O_BATCH = 256, O_KEY, O_LIMIT, O_MAXLINE, O_MAXREC, O_NOW,
	    O_OLDER, O_RETRY, O_SINCE, O_SPOOL, O_STRICT, O_TEE, O_TYPE,
	    O_UNTIL, O_FORMAT, O_SERVICE };
	static const struct option longopts[] = {
		{ "backend",		required_argument,	NULL, 'b' },
		{ "batch",		required_argument,	NULL, O_BATCH },
		{ "format",		required_argument,	NULL, O_FORMAT },
		{ "help",		no_argument,		NULL, 'h' },
		{ "key",		required_argument,	NULL, O_KEY },
		{ "limit",		required_argument,	NULL, O_LIMIT },
		{ "max-line",		required_argument,	NULL, O_MAXLINE },
		{ "max-records",	required_argument,	NULL, O_MAXREC },
		{ "metrics-file",	required_argument,	NULL, SB_OPT_METRICS_FILE },
		{ "metrics-interval",	required_argument,	NULL, SB_OPT_METRICS_INTERVAL },
		{ "now",		required_argument,	NULL, O_NOW },
		{ "older-than",		required_argument,	NULL, O_OLDER },
		{ "redis-prefix",	required_argument,	NULL, SB_OPT_STORE_PREFIX },
		{ "redis-url",		required_argument,	NULL, SB_OPT_STORE_REDIS },
		{ "retry-for",		required_argument,	NULL, O_RETRY },
		{ "service",		required_argument,	NULL, O_SERVICE },
		{ "since",		required_argument,	NULL, O_SINCE },
		{ "spool",		required_argument,	NULL, O_SPOOL },
		{ "sqlite-path",	required_argument,	NULL, SB_OPT_STORE_SQLITE },
		{ "strict",		no_argument,		NULL, O_STRICT },
		{ "tee",		no_argument,		NULL, O_TEE },
		{ "timescale",		required_argument,	NULL, SB_OPT_STORE_PG },
		{ "type",		required_argument,	NULL, O_TYPE },
		{ "until",		required_argument,	NULL, O_UNTIL },
		{ NULL, 0, NULL, 0 }
	};
	int ch, known;

	memset(o, 0, sizeof *o);
	sb_store_config_env(&o->cfg);
	sb_store_query_init(&o->q, NULL);
	o->batch = 10000;
	o->max_line = SB_MAX_LINE_DEFAULT;
	o->older_than = -1;

	if (argc < 2)
		usage(stderr, 2);
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)
		usage(stdout, 0);
	if (strcmp(argv[1], "--version") == 0)
		sb_version();
	o->cmd = argv[1];
	if (strcmp(o->cmd, "put") != 0 && strcmp(o->cmd, "query") != 0 &&
	    strcmp(o->cmd, "prune") != 0 && strcmp(o->cmd, "stats") != 0 &&
	    strcmp(o->cmd, "init") != 0 && strcmp(o->cmd, "migrate") != 0) {
		warnx("'%s' is not a command (put, query, prune, stats, init, "
		    "migrate, xadd, xread, xstats)", o->cmd);
		usage(stderr, 2);
	}
	while ((ch = sb_getopt(argc - 1, argv + 1, "b:h", longopts)) != -1) {
		switch (ch) {
		case SB_OPT_METRICS_FILE:
		case SB_OPT_METRICS_INTERVAL:
			sb_arg_metrics(&o->metrics, ch, optarg);
			break;
		case 'b':
		case SB_OPT_STORE_SQLITE:
		case SB_OPT_STORE_REDIS:
		case SB_OPT_STORE_PREFIX:
		case SB_OPT_STORE_PG:
			sb_arg_store(&o->cfg, ch, optarg);
			break;
		case O_BATCH:
			o->batch = (size_t)sb_arg_ll("--batch", optarg, 1,
			    1000000);
			break;
		case O_KEY:
			o->q.key = optarg;
			o->q.key_len = strlen(optarg);
			break;
		case O_LIMIT:
			o->q.limit = (uint64_t)sb_arg_ll("--limit", optarg, 1,
			    INT64_MAX);
			break;
		case O_MAXLINE:
			o->max_line = (size_t)sb_arg_ll("--max-line", optarg,
			    1024, 1LL << 30);
			break;
		case O_MAXREC:
			o->cfg.max_records = (size_t)sb_arg_ll("--max-records",
			    optarg, 1, 1LL << 40);
			break;
		case O_NOW:
			o->now = sb_arg_time("--now", optarg);
			o->has_now = 1;
			break;
		case O_OLDER:
			o->older_than = sb_arg_duration("--older-than", optarg, 0, INT64_MAX);
			break;
		case O_RETRY:
			o->cfg.retry_for = sb_arg_duration("--retry-for", optarg, 0, INT64_MAX);
			break;
		case O_SINCE:
			o->q.since = sb_arg_time("--since", optarg);
			break;
		case O_SPOOL:
			o->spool = optarg;
			break;
		case O_FORMAT:
			o->format = sb_logfmt_find(optarg, &known);
			if (!known) {
				struct sb_buf names = SB_BUF_INIT;
				sb_logfmt_names(&names);
				errx(2, "--format: '%s' is not one of %s",
				    optarg, names.s);
			}
			break;
		case O_SERVICE:
			if (*optarg == '\0' || strlen(optarg) > SB_SERVICE_MAX ||
			    !sb_utf8_valid(optarg, strlen(optarg)))
				errx(2, "--service: '%s' is not a name of 1 to "
				    "%d bytes of UTF-8", optarg, SB_SERVICE_MAX);
			o->service = optarg;
			break;
		case O_STRICT:
			o->strict = 1;
			break;
		case O_TEE:
			o->tee = 1;
			break;
		case O_TYPE:
			o->q.type = optarg;
			break;
		case O_UNTIL:
			o->q.until = sb_arg_time("--until", optarg);
			break;
		case 'h':
			usage(stdout, 0);
			break;
		default:
			usage(stderr, 2);
		}
	}
	if (strcmp(o->cfg.backend, "memory") != 0 &&
	    strcmp(o->cfg.backend, "sqlite") != 0 &&
	    strcmp(o->cfg.backend, "redis") != 0 &&
	    strcmp(o->cfg.backend, "timescale") != 0)
		errx(2, "'%s' is not a storage backend (memory, sqlite, redis, "
		    "timescale)", o->cfg.backend);
	if (strcmp(o->cmd, "query") == 0 && o->q.type == NULL)
		errx(2, "query: --type is required (event, window, signal, "
		    "alert, ...)");
	if (strcmp(o->cmd, "prune") == 0 && o->older_than < 0)
		errx(2, "prune: --older-than is required");
	if (strcmp(o->cmd, "put") != 0 && (o->tee || o->spool != NULL ||
	    o->format != NULL))
		errx(2, "%s: --tee, --spool and --format are for put", o->cmd);
	if (strcmp(o->cmd, "put") != 0 && o->metrics.path != NULL)
		errx(2, "%s: --metrics-file is for put", o->cmd);
	if (o->service != NULL && o->format == NULL)
		errx(2, "--service names the service of a log --format's events");
}

static void
notice(void *arg, const char *msg)
{
	warnx("%s", msg);
}

/* --- put ------------------------------------------------------------- */

struct putter {
	struct options	*opt;
	struct sb_store	*st;
	struct spool	 spool;
	int		 spooling;	/* spool has files waiting */
	int64_t		 next_try;	/* monotonic ms of the next replay */
	int64_t		 backoff;
	struct sb_store_batch b;
	struct sb_json	 js;
	struct sb_evread rd;		/* with --format */
	struct sb_buf	 ev;		/* its event as a JSON line */
	struct sb_buf	 tee;
	uint64_t	 written;
	uint64_t	 replayed;
	uint64_t	 failed;	/* records not kept */
};

/* Tries the spool once; 0 when it is empty again. */
static int
replay(struct putter *p, int64_t retry_for)
{
	uint64_t before = p->replayed;
	int rc;

	sb_store_set_retry(p->st, retry_for);
	rc = spool_replay(&p->spool, p->st, &p->replayed);
	sb_store_set_retry(p->st, p->opt->cfg.retry_for);
	if (p->replayed > before)
		warnx("%llu spooled record%s written from %s",
		    (unsigned long long)(p->replayed - before),
		    p->replayed - before == 1 ? "" : "s", p->spool.dir);
	if (rc == 0) {
		p->spooling = 0;
		p->backoff = 1000;
	}
	return rc;
}

/* Writes the batch (or journals it); 0, or 1 when records would be lost. */
static int
flush(struct putter *p)
{
	struct sb_store_batch *b = &p->b;

	if (b->n == 0)
		goto done;	/* marks alone: only the tee */
	if (p->spooling && sb_monotonic_ms() >= p->next_try) {
		/* One quick attempt: a live stream must not stall on it. */
		if (replay(p, 0) == -1) {
			p->next_try = sb_monotonic_ms() + p->backoff;
			p->backoff = p->backoff * 2 > 30000 ? 30000 :
			    p->backoff * 2;
		}
	}
	if (!p->spooling) {
		if (sb_store_put(p->st, b) == 0) {
			p->written += b->n;
			goto done;
		}
		if (p->opt->spool == NULL) {
			warnx("%s", sb_store_error(p->st));
			warnx("%zu record%s not written; stopping (--spool dir "
			    "would have kept them)", b->n, b->n == 1 ? "" : "s");
			p->failed += b->n;
			return 1;
		}
		warnx("%s; spooling to %s", sb_store_error(p->st),
		    p->spool.dir);
		p->spooling = 1;
		p->backoff = 1000;
		p->next_try = sb_monotonic_ms() + p->backoff;
	}
	if (spool_write(&p->spool, b) == -1) {
		warn("%s: %zu records not written", p->spool.dir, b->n);
		p->failed += b->n;
		return 1;
	}
done:
	/* Flushed now: what leaves store is known to be kept. */
	if (p->tee.len > 0)
		(void)sb_out_flush(&p->tee);	/* a reader gone: lib/reader.h */
	sb_store_batch_reset(b);
	return 0;
}

/*
 * A watermark (a clock tick) or a checkpoint record (a mark of the
 * stream's position, lib/ckpt.h) is for the stages after, not data: it
 * is teed, not stored.
 */
static int
is_mark(const struct sb_json *js)
{
	long t = js->type;	/* -1 unless an object's */

	return t >= 0 && (sb_json_streq(js, (size_t)t, "watermark") ||
	    sb_json_streq(js, (size_t)t, "checkpoint"));
}

/* 0, or -1 for a bad line under --strict. */
static int
put_line(struct putter *p, struct sb_reader *in, char *s, size_t n)
{
	char why[160];
	long type;
	int rc;

	if (p->rd.fmt != NULL) {
		/* A log line is stored, and teed, as the event it makes. */
		if ((rc = sb_evread_line(&p->rd, in, s, n, &type)) != SB_EV_EVENT)
			return rc;
		sb_buf_reset(&p->ev);
		sb_event_json(&p->rd.ev, &p->ev);
		s = p->ev.s;
		n = p->ev.len - 1;
	}
	if (sb_json_parse(&p->js, s, n) == -1)
		return sb_reader_bad(in, "invalid JSON: %s at byte %zu",
		    p->js.err, p->js.errpos + 1);
	if (!is_mark(&p->js) &&
	    sb_store_batch_add_json(&p->b, &p->js, s, n, why, sizeof why) == -1)
		return sb_reader_bad(in, "%s", why);
	if (p->opt->tee) {
		sb_buf_add(&p->tee, s, n);
		sb_buf_putc(&p->tee, '\n');
	}
	return 0;
}

/* 0 at end of input, 1 if the file cannot be read, 2 to stop. */
static int
put_file(struct putter *p, const char *path)
{
	struct sb_reader in;
	char *s;
	size_t n;
	int rc, status = 0;

	if (sb_reader_open(&in, path) == -1) {
		warn("%s", path);
		return 1;
	}
	in.max_line = p->opt->max_line;
	in.strict = p->opt->strict;
	/*
	 * Batches close when full or when the input would make us wait;
	 * so does the tee of watermarks and checkpoints, not stored.
	 */
	while ((rc = sb_reader_next(&in, &s, &n,
	    p->b.n > 0 || p->tee.len > 0 ? 0 : -1)) !=
	    SB_READ_EOF) {
		if (rc == SB_READ_ERROR) {
			status = 2;
			break;
		}
		if (rc == SB_READ_LINE) {
			if (put_line(p, &in, s, n) == -1) {
				status = 2;
				break;
			}
			if (p->b.n < p->opt->batch)
				continue;
		}
		if (flush(p) != 0) {
			sb_reader_close(&in);
			return 2;
		}
	}
	sb_reader_close(&in);
	/* What came before a fatal line is still written. */
	if (flush(p) != 0)
		return 2;
	return status;
}

static double
stored(const void *ctx)
{
	const struct putter *p = ctx;

	return (double)(p->written + p->replayed);
}

static struct sb_metrics *
metrics_start(struct putter *p)
{
	struct sb_metrics *m = sb_metrics_new("store");

	sb_metrics_input(m);
	sb_metrics_fn(m, "slowburn_store_records_total", "result=\"stored\"",
	    stored, p);
	sb_metrics_u64(m, "slowburn_store_records_total", "result=\"spooled\"",
	    &p->spool.records);
	sb_metrics_u64(m, "slowburn_store_records_total", "result=\"failed\"",
	    &p->failed);
	if (p->opt->spool != NULL)
		sb_metrics_u64(m, "slowburn_store_spool_files", NULL,
		    &p->spool.files);
	if (sb_metrics_start(m, &p->opt->metrics) == -1)
		err(1, "%s", p->opt->metrics.path);
	return m;
}

static int
cmd_put(struct options *o, struct sb_store *st, int argc, char **argv)
{
	struct sb_metrics *metrics;
	struct putter p;
	char e[512];
	int status = 0;

	memset(&p, 0, sizeof p);
	p.opt = o;
	p.st = st;
	p.backoff = 1000;
	sb_store_batch_init(&p.b);
	sb_json_init(&p.js);
	sb_evread_init(&p.rd, o->format, o->service);
	if (o->spool != NULL) {
		if (spool_open(&p.spool, o->spool, e, sizeof e) == -1)
			errx(1, "%s", e);
		/* What an earlier run journaled goes first, in order. */
		if (p.spool.files > 0 && replay(&p, 0) == -1) {
			warnx("%s; %llu file%s still waiting in %s",
			    sb_store_error(st), (unsigned long long)p.spool.files,
			    p.spool.files == 1 ? "" : "s", p.spool.dir);
			p.spooling = 1;
			p.next_try = sb_monotonic_ms() + p.backoff;
		}
	}
	metrics = metrics_start(&p);
	for (int i = 0; i < (argc ? argc : 1) && !sb_stop_requested(); i++) {
		int rc = put_file(&p, argc ? argv[i] : "-");
		if (rc != 0)
			status = 1;
		if (rc == 2)
			break;
	}
	if (p.spooling && status == 0) {
		if (replay(&p, o->cfg.retry_for) == -1)
			warnx("%s; %llu file%s kept in %s for the next 'store put "
			    "--spool %s'", sb_store_error(st),
			    (unsigned long long)p.spool.files,
			    p.spool.files == 1 ? "" : "s", p.spool.dir,
			    p.spool.dir);
	}
	sb_reader_summary();
	sb_metrics_finish(metrics);
	if (o->spool != NULL)
		spool_close(&p.spool);
	sb_reader_summary();
	if (sb_store_skipped(st) > 0)
		warnx("%llu record%s already stored, not stored again",
		    (unsigned long long)sb_store_skipped(st),
		    sb_store_skipped(st) == 1 ? " was" : "s were");
	sb_store_batch_free(&p.b);
	sb_json_free(&p.js);
	sb_evread_free(&p.rd);
	sb_buf_free(&p.ev);
	sb_buf_free(&p.tee);
	return status;
}

/* --- query, prune, stats --------------------------------------------- */

static int
emit(void *arg, const char *line, size_t len)
{
	if (fwrite(line, 1, len, stdout) != len || putchar('\n') == EOF)
		return 1;
	return 0;
}

static int
cmd_query(struct options *o, struct sb_store *st)
{
	if (sb_store_query(st, &o->q, emit, NULL) == -1) {
		warnx("%s", sb_store_error(st));
		return 1;
	}
	return 0;
}

static int64_t
newest(const struct sb_store_stats *s)
{
	int64_t t = INT64_MIN;

	for (size_t i = 0; i < s->ntypes; i++)
		if (s->types[i].count > 0 && s->types[i].last > t)
			t = s->types[i].last;
	return t;
}

static int
cmd_prune(struct options *o, struct sb_store *st)
{
	struct sb_store_stats s;
	char tb[SB_TIME_LEN];
	uint64_t removed = 0;
	int64_t now = o->now;

	if (!o->has_now) {
		/* Event time: "now" is the newest record stored. */
		if (sb_store_stats(st, &s) == -1) {
			warnx("%s", sb_store_error(st));
			return 1;
		}
		now = newest(&s);
		sb_store_stats_free(&s);
		if (now == INT64_MIN) {
			printf("pruned 0 records: the store is empty\n");
			return 0;
		}
	}
	if (sb_store_prune(st, now - o->older_than, &removed) == -1) {
		warnx("%s", sb_store_error(st));
		return 1;
	}
	printf("pruned %llu record%s older than %s\n",
	    (unsigned long long)removed, removed == 1 ? "" : "s",
	    sb_time_format(now - o->older_than, tb));
	return 0;
}

static int
cmd_stats(struct options *o, struct sb_store *st)
{
	struct sb_store_stats s;
	struct sb_buf b = SB_BUF_INIT;
	int found, now;

	if (sb_store_stats(st, &s) == -1) {
		warnx("%s", sb_store_error(st));
		return 1;
	}
	sb_store_schema(st, &found, &now);
	sb_buf_puts(&b, "{\"backend\":");
	sb_buf_json_str(&b, sb_store_backend(st), strlen(sb_store_backend(st)));
	sb_buf_puts(&b, ",\"where\":");
	sb_buf_json_str(&b, sb_store_describe(st),
	    strlen(sb_store_describe(st)));
	sb_buf_printf(&b, ",\"schema_version\":%d,\"types\":{", now);
	for (size_t i = 0; i < s.ntypes; i++) {
		const struct sb_store_typestat *t = &s.types[i];
		if (i > 0)
			sb_buf_putc(&b, ',');
		sb_buf_json_str(&b, t->type, strlen(t->type));
		sb_buf_puts(&b, ":{\"count\":");
		sb_buf_json_int(&b, (int64_t)t->count);
		sb_buf_puts(&b, ",\"first\":");
		sb_buf_json_time(&b, t->first);
		sb_buf_puts(&b, ",\"last\":");
		sb_buf_json_time(&b, t->last);
		sb_buf_putc(&b, '}');
	}
	sb_buf_puts(&b, "},\"state_keys\":");
	sb_buf_json_int(&b, (int64_t)s.state_keys);
	sb_buf_puts(&b, ",\"size_bytes\":");
	if (s.size_bytes < 0)
		sb_buf_puts(&b, "null");
	else
		sb_buf_json_int(&b, s.size_bytes);
	sb_buf_puts(&b, ",\"duplicates\":");
	sb_buf_json_int(&b, (int64_t)s.duplicates);
	if (strcmp(sb_store_backend(st), "memory") == 0) {
		sb_buf_puts(&b, ",\"dropped\":");
		sb_buf_json_int(&b, (int64_t)s.dropped);
	}
	sb_buf_puts(&b, "}\n");
	fwrite(b.s, 1, b.len, stdout);
	sb_buf_free(&b);
	sb_store_stats_free(&s);
	return 0;
}

static int
cmd_schema(struct options *o, struct sb_store *st)
{
	int found, now;

	sb_store_schema(st, &found, &now);
	if (found == 0)
		printf("%s: schema version %d created\n", sb_store_describe(st),
		    now);
	else if (found < now && sb_store_migrate_removed(st) > 0)
		printf("%s: schema version %d migrated to %d, %llu duplicate "
		    "record%s removed\n", sb_store_describe(st), found, now,
		    (unsigned long long)sb_store_migrate_removed(st),
		    sb_store_migrate_removed(st) == 1 ? "" : "s");
	else if (found < now)
		printf("%s: schema version %d migrated to %d\n",
		    sb_store_describe(st), found, now);
	else
		printf("%s: schema version %d, up to date\n",
		    sb_store_describe(st), now);
	return 0;
}

int
main(int argc, char **argv)
{
	struct options opt;
	struct sb_store *st;
	char e[1024];
	int64_t retry_for;
	int status;

	if (argc >= 2 && stream_verb(argv[1]))
		return stream_main(argc, argv);
	parse_options(argc, argv, &opt);
	argc -= optind + 1;
	argv += optind + 1;
	if (argc > 0 && strcmp(opt.cmd, "put") != 0)
		errx(2, "%s: unexpected operand '%s'", opt.cmd, argv[0]);

	sb_signals_init();
	sb_out_init();
	opt.cfg.notice = notice;
	opt.cfg.migrate = strcmp(opt.cmd, "migrate") == 0;
	/* With a spool, input is taken even while the backend is away. */
	opt.cfg.lazy = opt.spool != NULL;
	retry_for = opt.cfg.retry_for;
	if (opt.cfg.lazy)
		opt.cfg.retry_for = 0;	/* the spool is the fallback */
	if ((st = sb_store_open(&opt.cfg, e, sizeof e)) == NULL)
		errx(1, "%s", e);
	opt.cfg.retry_for = retry_for;
	sb_store_set_retry(st, retry_for);

	if (strcmp(opt.cmd, "put") == 0)
		status = cmd_put(&opt, st, argc, argv);
	else if (strcmp(opt.cmd, "query") == 0)
		status = cmd_query(&opt, st);
	else if (strcmp(opt.cmd, "prune") == 0)
		status = cmd_prune(&opt, st);
	else if (strcmp(opt.cmd, "stats") == 0)
		status = cmd_stats(&opt, st);
	else
		status = cmd_schema(&opt, st);
	sb_store_close(st);
	sb_out_end(NULL);
	return status;
}
