/*
 * stream.c - store xadd, xread and xstats: the shard streams on Redis
 * (lib/rstream.h) as pipe stages, for the sharded flow of slowburn(7):
 *
 *	producer | store xadd				events -> ev:K
 *	store xread --shard K | aggregate | ... | store put --tee |
 *	    store xadd --out K				worker K -> out:K
 *	store xread --merge | alert			out:* -> alerts
 *
 * Exactly-once effect without stage checkpoints: a worker's stages are
 * deterministic in event time, so what the pipeline writes is a function
 * of the shard's events, the n-th output record always the same.  A
 * worker (re)starting replays its shard from the start of the stream, and
 * the sink gives the n-th record the entry id 0-n: Redis refuses an id
 * not above the stream's last, so a replayed record is never written
 * twice.  The sink only writes what a watermark has closed (records
 * after the last watermark wait for the next): what the stages flush
 * when their input ends early (a killed reader) is never written, unless
 * the run is a --drain that ends for good.
 */
#include <err.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arg.h"
#include "buf.h"
#include "clock.h"
#include "event.h"
#include "json.h"
#include "metrics.h"
#include "reader.h"
#include "rstream.h"
#include "sig.h"
#include "stream.h"

struct sopt {
	struct sb_rstream_config cfg;
	const char	*cmd;
	long		 shard;		/* --shard / --out; -1: none */
	int		 out;		/* xadd --out */
	int		 merge;		/* xread --merge */
	int		 by_key;	/* xadd --by key */
	int		 drain;
	int		 strict;
	const char	*consumer;
	size_t		 count;
	size_t		 batch;
	size_t		 chunk;
	int64_t		 block_ms;
	int64_t		 claim_idle_ms;
	int64_t		 idle_ms;	/* xread --merge --idle; 0: wait */
	int64_t		 checkpoint_ms;	/* xread --checkpoint; 0: none */
	size_t		 max_line;
	struct sb_metrics_opt metrics;
};

static void
stream_usage(FILE *fp, int status)
{
	fprintf(fp,
	    "usage: store xadd [--out shard] [--drain] [--by service | key] [--chunk n]\n"
	    "                 [--batch n] [--cap n] [--strict] [file ...]\n"
	    "       store xread --shard k [--consumer name] [--drain] [--count n]\n"
	    "                 [--block duration] [--checkpoint duration]\n"
	    "                 [--claim-idle duration]\n"
	    "       store xread --merge [--consumer name] [--drain] [--block duration]\n"
	    "                 [--idle duration]\n"
	    "       store xstats\n"
	    "       every command: [--shards url,...] [--streams n] [--prefix prefix]\n"
	    "                 [--group name] [--cap n]\n"
	    "       xadd, xread: [--metrics-file file [--metrics-interval duration]]\n");
	exit(status);
}

static void
stream_options(int argc, char **argv, struct sopt *o)
{
	enum { O_BATCH = 256, O_BLOCK, O_BY, O_CAP, O_CHECKPOINT, O_CHUNK, O_CLAIM, O_CONSUMER, O_COUNT, O_IDLE,
	    O_DRAIN, O_GROUP, O_MAXLINE, O_MERGE, O_OUT, O_PREFIX, O_SHARD,
	    O_SHARDS, O_STREAMS, O_STRICT };
	static const struct option longopts[] = {
		{ "batch",	required_argument,	NULL, O_BATCH },
		{ "block",	required_argument,	NULL, O_BLOCK },
		{ "by",		required_argument,	NULL, O_BY },
		{ "cap",	required_argument,	NULL, O_CAP },
		{ "checkpoint",	required_argument,	NULL, O_CHECKPOINT },
		{ "chunk",	required_argument,	NULL, O_CHUNK },
		{ "claim-idle",	required_argument,	NULL, O_CLAIM },
		{ "consumer",	required_argument,	NULL, O_CONSUMER },
		{ "count",	required_argument,	NULL, O_COUNT },
		{ "drain",	no_argument,		NULL, O_DRAIN },
		{ "group",	required_argument,	NULL, O_GROUP },
		{ "help",	no_argument,		NULL, 'h' },
		{ "idle",	required_argument,	NULL, O_IDLE },
		{ "max-line",	required_argument,	NULL, O_MAXLINE },
		{ "merge",	no_argument,		NULL, O_MERGE },
		{ "metrics-file", required_argument,	NULL, SB_OPT_METRICS_FILE },
		{ "metrics-interval", required_argument, NULL, SB_OPT_METRICS_INTERVAL },
		{ "out",	required_argument,	NULL, O_OUT },
		{ "prefix",	required_argument,	NULL, O_PREFIX },
		{ "shard",	required_argument,	NULL, O_SHARD },
		{ "shards",	required_argument,	NULL, O_SHARDS },
		{ "streams",	required_argument,	NULL, O_STREAMS },
		{ "strict",	no_argument,		NULL, O_STRICT },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	memset(o, 0, sizeof *o);
	sb_rstream_config_env(&o->cfg);
	o->cmd = argv[1];
	o->shard = -1;
	o->count = 1000;
	o->batch = 10000;
	o->chunk = 100;
	o->block_ms = 1000;
	o->max_line = SB_MAX_LINE_DEFAULT;
	while ((ch = sb_getopt(argc - 1, argv + 1, "h", longopts)) != -1) {
		switch (ch) {
		case O_BATCH:
			o->batch = (size_t)sb_arg_ll("--batch", optarg, 1,
			    100000);
			break;
		case O_BLOCK:
			o->block_ms = sb_arg_duration("--block", optarg, 1,
			    3600000);
			break;
		case O_BY:
			if (strcmp(optarg, "key") == 0)
				o->by_key = 1;
			else if (strcmp(optarg, "service") != 0)
				errx(2, "--by: '%s' is not service or key",
				    optarg);
			break;
		case O_CAP:
			o->cfg.cap = (uint64_t)sb_arg_ll("--cap", optarg, 0,
			    INT64_MAX);
			break;
		case SB_OPT_METRICS_FILE:
		case SB_OPT_METRICS_INTERVAL:
			sb_arg_metrics(&o->metrics, ch, optarg);
			break;
		case O_CHECKPOINT:
			o->checkpoint_ms = sb_arg_duration("--checkpoint",
			    optarg, 1, 86400000);
			break;
		case O_CHUNK:
			o->chunk = (size_t)sb_arg_ll("--chunk", optarg, 1,
			    10000);
			break;
		case O_CLAIM:
			o->claim_idle_ms = sb_arg_duration("--claim-idle",
			    optarg, 0, INT64_MAX / 2);
			break;
		case O_CONSUMER:
			o->consumer = optarg;
			break;
		case O_COUNT:
			o->count = (size_t)sb_arg_ll("--count", optarg, 1,
			    100000);
			break;
		case O_DRAIN:
			o->drain = 1;
			break;
		case O_GROUP:
			o->cfg.group = optarg;
			break;
		case O_IDLE:
			o->idle_ms = sb_arg_duration("--idle", optarg, 0,
			    INT64_MAX / 2);
			break;
		case O_MAXLINE:
			o->max_line = (size_t)sb_arg_ll("--max-line", optarg,
			    1024, 1LL << 30);
			break;
		case O_MERGE:
			o->merge = 1;
			break;
		case O_OUT:
			o->out = 1;
			o->shard = (long)sb_arg_ll("--out", optarg, 0, 65535);
			break;
		case O_PREFIX:
			o->cfg.prefix = optarg;
			break;
		case O_SHARD:
			o->shard = (long)sb_arg_ll("--shard", optarg, 0, 65535);
			break;
		case O_SHARDS:
			o->cfg.urls = optarg;
			break;
		case O_STREAMS:
			o->cfg.streams = (unsigned)sb_arg_ll("--streams", optarg,
			    1, 65536);
			break;
		case O_STRICT:
			o->strict = 1;
			break;
		case 'h':
			stream_usage(stdout, 0);
			break;
		default:
			stream_usage(stderr, 2);
		}
	}
	if (strcmp(o->cmd, "xread") == 0 && o->merge == (o->shard >= 0))
		errx(2, "xread: give one of --shard k and --merge");
	if (strcmp(o->cmd, "xadd") != 0 && o->out)
		errx(2, "%s: --out is for xadd", o->cmd);
	if (strcmp(o->cmd, "xstats") == 0 && o->metrics.path != NULL)
		errx(2, "xstats: --metrics-file is for xadd and xread");
}

/* --- metrics --------------------------------------------------------- */

/*
 * The streams a stage writes or reads, each with its figures as of the
 * last write of the metrics file: one XINFO round trip a stream then, as
 * store xstats makes.
 */
struct watch {
	struct sb_rstream *rs;
	const char	*kind;
	unsigned	 shard;
	struct sb_rstream_stat st;
	int		 known;		/* st holds this write's figures */
};

struct watches {
	struct watch	*w;
	size_t		 n;
	int64_t		 event_time;	/* newest line passed on; INT64_MIN */
};

static void
watches_refresh(void *arg)
{
	struct watches *ws = arg;

	/* A failed query leaves the figures out, not the stage stopped. */
	for (size_t i = 0; i < ws->n; i++)
		ws->w[i].known = sb_rstream_stat(ws->w[i].rs, ws->w[i].kind,
		    ws->w[i].shard, &ws->w[i].st) == 0;
}

static double
w_length(const void *arg)
{
	const struct watch *w = arg;
	return w->known ? (double)w->st.length : NAN;
}

static double
w_pending(const void *arg)
{
	const struct watch *w = arg;
	return w->known && w->st.has_group ? (double)w->st.pending : NAN;
}

static double
w_backlog(const void *arg)
{
	const struct watch *w = arg;
	return w->known && w->st.has_group ? (double)w->st.backlog : NAN;
}

static double
w_lag(const void *arg)
{
	const struct watch *w = arg;
	return w->known && w->st.has_group ? (double)w->st.lag_ms / 1000 : NAN;
}

/*
 * The event time of a line: an event's timestamp, a window's end,
 * another record's "at"; 0 if it has none.
 */
static int
line_time(struct sb_json *js, struct sb_event *ev, const char *s, size_t n,
    int64_t *t)
{
	char why[160];
	long tok;

	if (sb_json_parse(js, s, n) != 0)
		return 0;
	tok = js->type;
	if (sb_is_event(js, 0)) {
		if (sb_event_read(ev, js, 0, why, sizeof why) != 0 ||
		    !ev->has_time)
			return 0;
		*t = ev->time;
		return 1;
	}
	if (tok >= 0 && sb_json_streq(js, (size_t)tok, "window"))
		return sb_json_get_time(js, 0, "end", t) == 1;
	return sb_json_get_time(js, 0, "at", t) == 1;
}

/* The last line of lines[0..len), which ends in \n or not; its length. */
static const char *
last_line(const char *lines, size_t len, size_t *n)
{
	const char *last = lines;

	if (len > 0 && lines[len - 1] == '\n')
		len--;
	for (size_t i = 0; i < len; i++)
		if (lines[i] == '\n')
			last = lines + i + 1;
	*n = len - (size_t)(last - lines);
	return last;
}

static int64_t
w_event_time(const void *arg)
{
	return ((const struct watches *)arg)->event_time;
}

/*
 * The registry of a stage watching KIND:first..last; NULL without
 * --metrics-file.  ws must outlive it.
 */
static struct sb_metrics *
metrics_begin(struct sopt *o, struct sb_rstream *rs, struct watches *ws,
    const char *kind, unsigned first, unsigned last)
{
	struct sb_metrics *m;
	char label[64];

	memset(ws, 0, sizeof *ws);
	ws->event_time = INT64_MIN;
	if (o->metrics.path == NULL)
		return NULL;
	m = sb_metrics_new("store");
	ws->n = last - first + 1;
	ws->w = sb_xcalloc(ws->n, sizeof *ws->w);
	for (size_t i = 0; i < ws->n; i++) {
		struct watch *w = &ws->w[i];
		w->rs = rs;
		w->kind = kind;
		w->shard = first + (unsigned)i;
		snprintf(label, sizeof label, "stream=\"%s:%u\"", kind,
		    w->shard);
		sb_metrics_fn(m, "slowburn_stream_length", label, w_length, w);
		sb_metrics_fn(m, "slowburn_stream_pending", label, w_pending,
		    w);
		sb_metrics_fn(m, "slowburn_stream_backlog", label, w_backlog,
		    w);
		sb_metrics_fn(m, "slowburn_stream_lag_seconds", label, w_lag,
		    w);
	}
	sb_metrics_before(m, watches_refresh, ws);
	return m;
}

static void
metrics_go(struct sopt *o, struct sb_metrics *m)
{
	if (m != NULL && sb_metrics_start(m, &o->metrics) == -1)
		err(1, "%s", o->metrics.path);
}

static int
metrics_end(struct sb_metrics *m, struct watches *ws)
{
	int rc = sb_metrics_finish(m);

	free(ws->w);
	return rc;
}

static struct sb_rstream *
stream_open(struct sopt *o)
{
	struct sb_rstream *rs;
	char e[1024];

	if ((rs = sb_rstream_open(&o->cfg, e, sizeof e)) == NULL)
		errx(1, "%s", e);
	if (o->shard >= 0 && (unsigned long)o->shard >= sb_rstream_count(rs))
		errx(2, "shard %ld: there are %u streams (0 to %u)", o->shard,
		    sb_rstream_count(rs), sb_rstream_count(rs) - 1);
	return rs;
}

/* --- xadd ------------------------------------------------------------ */

struct adder {
	struct sopt	*o;
	struct sb_rstream *rs;
	struct sb_json	 js;
	size_t		 queued;
	uint64_t	 lines;		/* lines added, for the id 0-n */
	uint64_t	 held_n;	/* lines held after the last watermark */
	struct sb_buf	 held;		/* --out: those lines, each ends in \n */
	int		 waiting;	/* said that a shard is over its cap */
	int		 fresh;		/* no line since the last flush */
	uint64_t	 commits, trimmed;	/* --out: checkpoints */
	struct sb_buf	*chunk;		/* per shard: lines for one entry */
	size_t		*nchunk;	/* lines in it */
	struct sb_metrics *m;		/* NULL: no --metrics-file */
};

/* Queues the XADD of shard k's chunk. */
static void
add_chunk(struct adder *a, unsigned k)
{
	if (a->nchunk[k] == 0)
		return;
	if (sb_rstream_add(a->rs, "ev", k, NULL, a->chunk[k].s,
	    a->chunk[k].len) != 0)
		errx(1, "%s", sb_rstream_error(a->rs));
	a->queued += a->nchunk[k];
	a->nchunk[k] = 0;
	sb_buf_reset(&a->chunk[k]);
}

static void
add_flush(struct adder *a)
{
	if (a->chunk != NULL)
		for (unsigned k = 0; k < sb_rstream_count(a->rs); k++)
			add_chunk(a, k);
	if (a->queued == 0)
		return;
	if (sb_rstream_flush(a->rs) != 0)
		errx(1, "%s; the last %zu lines may or may not be in the "
		    "stream", sb_rstream_error(a->rs), a->queued);
	a->queued = 0;
}

static void
nap(int64_t ms)
{
	struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/* Waits while any shard holds more than --cap unread entries. */
static void
add_backpressure(struct adder *a)
{
	unsigned n = sb_rstream_count(a->rs);
	int64_t pause = 50;

	if (a->o->cfg.cap == 0 || a->o->out)
		return;
	for (unsigned k = 0; k < n && !sb_stop_requested(); k++) {
		uint64_t backlog;
		for (;;) {
			if (sb_rstream_backlog(a->rs, "ev", k, &backlog) != 0)
				errx(1, "%s", sb_rstream_error(a->rs));
			if (backlog < a->o->cfg.cap || sb_stop_requested())
				break;
			if (!a->waiting)
				warnx("%s: %llu entries unread, over --cap %llu: "
				    "waiting", sb_rstream_describe(a->rs, "ev",
				    k), (unsigned long long)backlog,
				    (unsigned long long)a->o->cfg.cap);
			a->waiting = 1;
			nap(pause);
			pause = pause < 1000 ? pause * 2 : 1000;
		}
	}
	if (a->waiting && !sb_stop_requested())
		warnx("under --cap again: going on");
	a->waiting = 0;
}

static void
add_one(struct adder *a, const char *kind, unsigned shard, const char *line,
    size_t len, int seq)
{
	char id[SB_RSTREAM_ID_MAX];

	if (seq)
		snprintf(id, sizeof id, "0-%llu",
		    (unsigned long long)++a->lines);
	if (sb_rstream_add(a->rs, kind, shard, seq ? id : NULL, line, len) != 0)
		errx(1, "%s", sb_rstream_error(a->rs));
	if (++a->queued >= a->o->batch)
		add_flush(a);
}

/* --out: the held lines, then this watermark, in order. */
static void
add_release(struct adder *a)
{
	const char *p = a->held.s, *end = a->held.s + a->held.len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		add_one(a, "out", (unsigned)a->o->shard, p, (size_t)(nl - p), 1);
		p = nl + 1;
	}
	sb_buf_reset(&a->held);
	a->held_n = 0;
}

/*
 * The "type" token of a short line, parsed into js; -1 for another line.
 * Cheap first: a watermark or a checkpoint record is a short line.
 */
static long
short_type(struct sb_json *js, const char *s, size_t n)
{
	if (n > 200 || sb_json_parse(js, s, n) != 0)
		return -1;
	return js->type;
}

/*
 * --out, a checkpoint record: everything before it goes to out:K, then
 * the commit (seq, the last entry of ev:K it covers, the lines written),
 * and ev:K is trimmed up to it.  A resume record is the restarted
 * worker's first line: nothing to do.  Neither is written to out:K.
 */
static int
add_checkpoint(struct adder *a, struct sb_reader *in)
{
	struct sb_rstream_ckpt ck;
	int64_t seq;
	long t;
	uint64_t trimmed;

	if ((t = sb_json_member(&a->js, 0, "resume")) >= 0 &&
	    a->js.tok[t].type == SB_JTRUE)
		return 0;
	memset(&ck, 0, sizeof ck);
	if ((t = sb_json_member(&a->js, 0, "seq")) < 0 ||
	    sb_json_int(&a->js, (size_t)t, &seq) != 0 || seq < 0 ||
	    (t = sb_json_member(&a->js, 0, "id")) < 0 ||
	    a->js.tok[t].type != SB_JSTRING ||
	    a->js.tok[t].end - a->js.tok[t].start >= SB_RSTREAM_ID_MAX)
		return sb_reader_bad(in, "a checkpoint record without a "
		    "\"seq\" and an \"id\"");
	ck.seq = (uint64_t)seq;
	memcpy(ck.id, a->js.src + a->js.tok[t].start,
	    a->js.tok[t].end - a->js.tok[t].start);
	add_release(a);
	add_flush(a);
	ck.lines = a->lines;
	if (sb_rstream_commit(a->rs, (unsigned)a->o->shard, &ck,
	    &trimmed) != 0)
		errx(1, "%s", sb_rstream_error(a->rs));
	a->commits++;
	a->trimmed += trimmed;
	return 0;
}

static int
add_line(void *ctx, struct sb_reader *in, char *s, size_t n)
{
	struct adder *a = ctx;

	if (a->o->out) {
		long t = short_type(&a->js, s, n);

		if (t >= 0 && sb_json_streq(&a->js, (size_t)t, "checkpoint"))
			return add_checkpoint(a, in);
		sb_buf_add(&a->held, s, n);
		sb_buf_putc(&a->held, '\n');
		a->held_n++;
		if (t >= 0 && sb_json_streq(&a->js, (size_t)t, "watermark"))
			add_release(a);
		return 0;
	}
	if (sb_json_parse(&a->js, s, n) != 0 || a->js.ntok == 0 ||
	    a->js.tok[0].type != SB_JOBJECT)
		return sb_reader_bad(in, "not a JSON object");
	/* A batch starts only while the shards are under their cap. */
	if (a->fresh) {
		add_backpressure(a);
		a->fresh = 0;
	}
	unsigned k = sb_rstream_shard(a->rs, &a->js, a->o->by_key);
	unsigned first = k, last = k;
	if (k == SB_RSTREAM_ALL) {	/* a watermark: every shard's */
		first = 0;
		last = sb_rstream_count(a->rs) - 1;
	}
	for (k = first; k <= last; k++) {
		if (a->nchunk[k] > 0)
			sb_buf_putc(&a->chunk[k], '\n');
		sb_buf_add(&a->chunk[k], s, n);
		if (++a->nchunk[k] >= a->o->chunk)
			add_chunk(a, k);
	}
	if (a->queued >= a->o->batch) {
		add_flush(a);
		a->fresh = 1;
	}
	return 0;
}

static struct adder *ticking;

/*
 * Called by the reader before each read(2): what the input so far gave
 * goes to Redis before the stage waits for more, in as few round trips
 * as the input allows (a batch, or what one read brought).
 */
static int
add_tick(void)
{
	int left;

	add_flush(ticking);
	left = sb_metrics_poll(ticking->m);	/* after the flush: in order */
	return left < 1000 ? left : 1000;
}

static int
cmd_xadd(struct sopt *o, int argc, char **argv)
{
	struct adder a;
	struct sb_input in;
	struct watches ws;
	int status;

	memset(&a, 0, sizeof a);
	a.o = o;
	a.rs = stream_open(o);
	if (o->out)
		a.m = metrics_begin(o, a.rs, &ws, "out", (unsigned)o->shard,
		    (unsigned)o->shard);
	else
		a.m = metrics_begin(o, a.rs, &ws, "ev", 0,
		    sb_rstream_count(a.rs) - 1);
	if (a.m != NULL)
		sb_metrics_input(a.m);
	sb_json_init(&a.js);
	a.chunk = sb_xcalloc(sb_rstream_count(a.rs), sizeof *a.chunk);
	a.nchunk = sb_xcalloc(sb_rstream_count(a.rs), sizeof *a.nchunk);
	if (o->out && sb_rstream_group(a.rs, "out", (unsigned)o->shard) != 0)
		errx(1, "%s", sb_rstream_error(a.rs));
	if (o->out) {
		/* After a restart from a checkpoint, the lines go on from it. */
		struct sb_rstream_ckpt ck;
		switch (sb_rstream_committed(a.rs, (unsigned)o->shard, &ck)) {
		case 1:
			a.lines = ck.lines;
			break;
		case 0:
			break;
		default:
			errx(1, "%s", sb_rstream_error(a.rs));
		}
	}
	a.fresh = 1;
	memset(&in, 0, sizeof in);
	in.max_line = o->max_line;
	in.strict = o->strict;
	in.idle_ms = -1;
	in.line = add_line;
	in.ctx = &a;
	metrics_go(o, a.m);
	ticking = &a;
	sb_reader_tick(add_tick);	/* after metrics_go: it calls the poll */
	status = sb_input_run(&in, argc, argv);
	if (o->out && o->drain && status == 0 && !sb_stop_requested()) {
		add_release(&a);
		/* The end of a drained run, at its place in the sequence. */
		char id[SB_RSTREAM_ID_MAX];
		snprintf(id, sizeof id, "0-%llu", (unsigned long long)++a.lines);
		if (sb_rstream_add(a.rs, "out", (unsigned)o->shard, id, NULL,
		    0) != 0)
			errx(1, "%s", sb_rstream_error(a.rs));
		a.queued++;
	} else if (!o->out && o->drain && status == 0 && !sb_stop_requested()) {
		add_flush(&a);
		/* The input ended for good: so does every shard's stream. */
		for (unsigned k = 0; k < sb_rstream_count(a.rs); k++) {
			if (sb_rstream_add(a.rs, "ev", k, NULL, NULL, 0) != 0)
				errx(1, "%s", sb_rstream_error(a.rs));
			a.queued++;
		}
	} else if (o->out && a.held_n > 0)
		warnx("%llu record%s after the last watermark not written: "
		    "the input ended early (a replay writes them)",
		    (unsigned long long)a.held_n, a.held_n == 1 ? "" : "s");
	add_flush(&a);
	if (metrics_end(a.m, &ws) != 0 && status == 0)
		status = 1;
	sb_reader_summary();
	if (a.commits > 0)
		warnx("%llu checkpoint%s committed, %llu entr%s trimmed from %s",
		    (unsigned long long)a.commits, a.commits == 1 ? "" : "s",
		    (unsigned long long)a.trimmed, a.trimmed == 1 ? "y" : "ies",
		    sb_rstream_describe(a.rs, "ev", (unsigned)o->shard));
	if (o->out && sb_rstream_duplicates(a.rs) > 0)
		warnx("%llu record%s already in %s, not written again",
		    (unsigned long long)sb_rstream_duplicates(a.rs),
		    sb_rstream_duplicates(a.rs) == 1 ? " was" : "s were",
		    sb_rstream_describe(a.rs, "out", (unsigned)o->shard));
	sb_buf_free(&a.held);
	for (unsigned k = 0; k < sb_rstream_count(a.rs); k++)
		sb_buf_free(&a.chunk[k]);
	free(a.chunk);
	free(a.nchunk);
	sb_json_free(&a.js);
	sb_rstream_close(a.rs);
	return status;
}

/* --- xread ----------------------------------------------------------- */

struct reader {
	struct sopt	*o;
	struct sb_rstream *rs;
	struct sb_json	 js;
	struct sb_event	 ev;
	uint64_t	 lines;		/* lines written */
	struct sb_buf	 out;
	struct sb_buf	 ids;		/* ids read, NUL-terminated, to ack */
	size_t		 nids;
	int		 ended;		/* an end marker was read */
	char		 last[SB_RSTREAM_ID_MAX];	/* last entry passed on */
	uint64_t	 seq;		/* the last checkpoint's */
	uint64_t	 since;		/* lines since it */
	int64_t		 due;		/* monotonic ms of the next one */
};

static void
out_write(struct sb_buf *b)
{
	if (b->len > 0 && fwrite(b->s, 1, b->len, stdout) != b->len)
		err(1, "stdout");
	if (fflush(stdout) == EOF)
		err(1, "stdout");
	sb_buf_reset(b);
}

static int
read_entry(void *arg, const char *id, const char *line, size_t len)
{
	struct reader *r = arg;

	sb_buf_add(&r->ids, id, strlen(id) + 1);
	r->nids++;
	snprintf(r->last, sizeof r->last, "%s", id);
	if (line == NULL) {
		r->ended = 1;
		return 0;
	}
	sb_buf_add(&r->out, line, len);
	sb_buf_putc(&r->out, '\n');
	r->lines++;
	r->since++;
	for (const char *p = line; (p = memchr(p, '\n', len -
	    (size_t)(p - line))) != NULL; p++)
		r->lines++;		/* an entry of several lines */
	return 0;
}

/* A checkpoint record after the entries up to r->last (lib/ckpt.h). */
static void
put_checkpoint(struct reader *r, unsigned k, int resume)
{
	sb_buf_printf(&r->out, "{\"type\":\"checkpoint\",\"stream\":\"ev:%u\","
	    "\"id\":\"%s\",\"seq\":%llu%s}\n", k, r->last,
	    (unsigned long long)r->seq, resume ? ",\"resume\":true" : "");
}

/* --checkpoint: one after what was read, when it is due. */
static void
read_checkpoint(struct reader *r, unsigned k)
{
	int64_t now;

	if (r->o->checkpoint_ms == 0 || r->since == 0 || r->last[0] == '\0')
		return;
	now = sb_monotonic_ms();
	if (r->due == 0)
		r->due = now + r->o->checkpoint_ms;
	if (now < r->due)
		return;
	r->seq++;
	put_checkpoint(r, k, 0);
	r->since = 0;
	r->due = now + r->o->checkpoint_ms;
}

/*
 * Writes what was read; with metrics, first notes the event time of its
 * last line, then writes the metrics file if it is due.
 */
static void
read_out(struct reader *r, struct watches *ws, struct sb_metrics *m)
{
	const char *last;
	size_t n;
	int64_t t;

	if (m != NULL && r->out.len > 0) {
		last = last_line(r->out.s, r->out.len, &n);
		if (line_time(&r->js, &r->ev, last, n, &t) &&
		    t > ws->event_time)
			ws->event_time = t;
	}
	out_write(&r->out);
	sb_metrics_poll(m);
}

/* Acks the ids read so far, once their lines are written. */
static void
read_ack(struct reader *r, const char *kind, unsigned shard)
{
	const char **v;
	const char *p = r->ids.s;

	if (r->nids == 0)
		return;
	v = sb_xmalloc(r->nids * sizeof *v);
	for (size_t i = 0; i < r->nids; i++) {
		v[i] = p;
		p += strlen(p) + 1;
	}
	if (sb_rstream_ack(r->rs, kind, shard, v, r->nids) != 0)
		errx(1, "%s", sb_rstream_error(r->rs));
	free(v);
	sb_buf_reset(&r->ids);
	r->nids = 0;
}

static int
skip_entry(void *arg, const char *id, const char *line, size_t len)
{
	struct reader *r = arg;

	(void)line;
	(void)len;
	sb_buf_add(&r->ids, id, strlen(id) + 1);
	r->nids++;
	return 0;
}

/*
 * One shard: the history the group was given before (a replay), then
 * the entries never read.  The pending entries of a consumer that died
 * are in that history; they are claimed and acknowledged.
 */
static int
cmd_xread_shard(struct sopt *o, struct sb_rstream *rs)
{
	struct reader r;
	struct sb_rstream_stat st;
	unsigned k = (unsigned)o->shard;
	char consumer[64], after[SB_RSTREAM_ID_MAX] = "-";
	char last[SB_RSTREAM_ID_MAX];
	struct sb_rstream_ckpt ck;
	uint64_t replayed = 0;
	size_t n;

	struct watches ws;
	struct sb_metrics *m;

	memset(&r, 0, sizeof r);
	r.o = o;
	r.rs = rs;
	sb_json_init(&r.js);
	sb_event_init(&r.ev);
	if ((m = metrics_begin(o, rs, &ws, "ev", k, k)) != NULL) {
		sb_metrics_u64(m, "slowburn_records_out_total",
		    "kind=\"forwarded\"", &r.lines);
		sb_metrics_event_time(m, w_event_time, &ws);
	}
	if (o->consumer == NULL)
		snprintf(consumer, sizeof consumer, "worker-%u", k);
	else
		snprintf(consumer, sizeof consumer, "%s", o->consumer);
	if (sb_rstream_group(rs, "ev", k) != 0 ||
	    sb_rstream_stat(rs, "ev", k, &st) != 0)
		errx(1, "%s", sb_rstream_error(rs));
	switch (sb_rstream_committed(rs, k, &ck)) {
	case 1:
		/* The stages go on from it; the history after it is read. */
		r.seq = ck.seq;
		snprintf(r.last, sizeof r.last, "%s", ck.id);
		snprintf(after, sizeof after, "%s", ck.id);
		put_checkpoint(&r, k, 1);
		out_write(&r.out);
		break;
	case 0:
		/* Checkpointed stages start empty, whatever they saved. */
		if (o->checkpoint_ms > 0) {
			snprintf(r.last, sizeof r.last, "0-0");
			put_checkpoint(&r, k, 1);
			out_write(&r.out);
			r.last[0] = '\0';
		}
		break;
	default:
		errx(1, "%s", sb_rstream_error(rs));
	}
	metrics_go(o, m);
	if (st.read_id[0] != '\0' && strcmp(st.read_id, "0-0") != 0 &&
	    sb_rstream_idcmp(after, st.read_id) < 0) {
		do {
			if (sb_rstream_range(rs, "ev", k, after, st.read_id,
			    o->count, read_entry, &r, &n, after) != 0)
				errx(1, "%s", sb_rstream_error(rs));
			replayed += n;
			r.ended = 0;	/* a run ended before: go on */
			sb_buf_reset(&r.ids);
			r.nids = 0;
			read_checkpoint(&r, k);
			read_out(&r, &ws, m);
		} while (n > 0 && !sb_stop_requested());
	}
	/* Entries read before and never acknowledged: replayed above. */
	if (sb_rstream_claim(rs, "ev", k, consumer, o->claim_idle_ms,
	    skip_entry, &r, &n) != 0)
		errx(1, "%s", sb_rstream_error(rs));
	read_ack(&r, "ev", k);
	if (replayed > 0)
		warnx("%s: replayed %llu entries read before",
		    sb_rstream_describe(rs, "ev", k),
		    (unsigned long long)replayed);
	while (!sb_stop_requested()) {
		if (sb_rstream_read(rs, "ev", k, consumer, ">", o->count,
		    o->drain ? -1 : o->block_ms, read_entry, &r, &n, last) != 0)
			errx(1, "%s", sb_rstream_error(rs));
		read_checkpoint(&r, k);
		read_out(&r, &ws, m);
		read_ack(&r, "ev", k);
		if ((n == 0 && o->drain) || r.ended)
			break;
	}
	sb_buf_free(&r.out);
	sb_buf_free(&r.ids);
	sb_json_free(&r.js);
	sb_event_free(&r.ev);
	return metrics_end(m, &ws) != 0;
}

/* --- xread --merge --------------------------------------------------- */

/* One shard's entries read and not yet written, in order. */
struct mshard {
	struct sb_buf	 lines;		/* each line NUL-terminated */
	size_t		 off;		/* the head's offset in lines */
	size_t		 n;		/* entries in lines not yet written */
	struct sb_buf	 ids;
	size_t		 nids;
	int		 ended;
	int64_t		 t;		/* the head's time */
	int		 wm;		/* the head is a watermark */
	int64_t		 empty_since;	/* monotonic ms; 0: has a head */
	struct sb_buf	 key;		/* the head's service and key */
};

struct merger {
	struct sb_json	 js;
	struct mshard	*sh;
	unsigned	 cur;
};

static int
merge_entry(void *arg, const char *id, const char *line, size_t len)
{
	struct merger *m = arg;
	struct mshard *s = &m->sh[m->cur];

	sb_buf_add(&s->ids, id, strlen(id) + 1);
	s->nids++;
	if (line == NULL) {
		s->ended = 1;
		return 1;
	}
	sb_buf_add(&s->lines, line, len);
	sb_buf_putc(&s->lines, '\0');
	s->n++;
	return 0;
}

/* The time a record is ordered by: its "at", a window's "end". */
static void
head_parse(struct merger *m, struct mshard *s)
{
	const char *line = s->lines.s + s->off;
	int64_t t;
	long tok;

	s->wm = 0;
	sb_buf_reset(&s->key);
	if (sb_json_parse(&m->js, line, strlen(line)) != 0)
		return;			/* keeps the time before it */
	tok = m->js.type;
	if (tok >= 0 && sb_json_streq(&m->js, (size_t)tok, "watermark"))
		s->wm = 1;
	if (tok >= 0 && sb_json_streq(&m->js, (size_t)tok, "window")) {
		if (sb_json_get_time(&m->js, 0, "end", &t) == 1)
			s->t = t;
	} else if (sb_json_get_time(&m->js, 0, "at", &t) == 1 ||
	    sb_json_get_time(&m->js, 0, "start", &t) == 1 ||
	    sb_json_get_time(&m->js, 0, "timestamp", &t) == 1)
		s->t = t;
	if ((tok = sb_json_member(&m->js, 0, "service")) >= 0)
		sb_json_str(&m->js, (size_t)tok, &s->key);
	sb_buf_putc(&s->key, '\n');
	if ((tok = m->js.key) >= 0)
		sb_json_str(&m->js, (size_t)tok, &s->key);
	sb_buf_putc(&s->key, '\0');
}

/*
 * Which head goes first: the earlier time; at one time the records
 * before the watermarks, and among those the service and key in byte
 * order, as one correlate(1) writes them (it sees aggregate's windows
 * of a minute in key order); then the lower shard.
 */
static int
head_before(const struct mshard *a, unsigned ia, const struct mshard *b,
    unsigned ib)
{
	int c;

	if (a->t != b->t)
		return a->t < b->t;
	if (a->wm != b->wm)
		return b->wm;
	if ((c = strcmp(a->key.s, b->key.s)) != 0)
		return c < 0;
	return ia < ib;
}

/* Acknowledges what shard k's queue held, now written. */
static void
merge_ack(struct sb_rstream *rs, struct mshard *s, unsigned k)
{
	const char **v = sb_xmalloc((s->nids + 1) * sizeof *v);
	const char *p = s->ids.s;

	for (size_t i = 0; i < s->nids; i++, p += strlen(p) + 1)
		v[i] = p;
	if (sb_rstream_ack(rs, "out", k, v, s->nids) != 0)
		errx(1, "%s", sb_rstream_error(rs));
	free(v);
	sb_buf_reset(&s->ids);
	s->nids = 0;
	sb_buf_reset(&s->lines);
	s->off = 0;
}

static int
cmd_xread_merge(struct sopt *o, struct sb_rstream *rs)
{
	struct merger m;
	unsigned ns = sb_rstream_count(rs);
	char consumer[64];
	struct sb_buf out = SB_BUF_INIT;
	int64_t last_wm = INT64_MIN;
	uint64_t lines = 0;
	struct watches ws;
	struct sb_metrics *mx;
	size_t n;

	memset(&m, 0, sizeof m);
	sb_json_init(&m.js);
	m.sh = sb_xcalloc(ns, sizeof *m.sh);
	snprintf(consumer, sizeof consumer, "%s",
	    o->consumer != NULL ? o->consumer : "merge");
	for (unsigned k = 0; k < ns; k++) {
		m.sh[k].t = INT64_MIN;
		if (sb_rstream_group(rs, "out", k) != 0)
			errx(1, "%s", sb_rstream_error(rs));
	}
	if ((mx = metrics_begin(o, rs, &ws, "out", 0, ns - 1)) != NULL) {
		sb_metrics_u64(mx, "slowburn_records_out_total",
		    "kind=\"forwarded\"", &lines);
		sb_metrics_event_time(mx, w_event_time, &ws);
	}
	metrics_go(o, mx);
	/* What this consumer read and did not acknowledge comes first. */
	for (unsigned k = 0; k < ns; k++) {
		m.cur = k;
		if (sb_rstream_read(rs, "out", k, consumer, "0", 100000, -1,
		    merge_entry, &m, &n, NULL) != 0)
			errx(1, "%s", sb_rstream_error(rs));
		if (m.sh[k].n > 0)
			head_parse(&m, &m.sh[k]);
	}
	while (!sb_stop_requested()) {
		int all = 1, done = 1;
		long best = -1;

		out_write(&out);	/* before any read that may block */
		sb_metrics_poll(mx);

		/*
		 * Every shard that can still write needs a head; with --idle,
		 * one that has had none for that long is not waited for.
		 */
		int64_t now = sb_monotonic_ms();
		for (unsigned k = 0; k < ns; k++) {
			struct mshard *s = &m.sh[k];
			int idle = o->idle_ms > 0 && s->empty_since > 0 &&
			    now - s->empty_since >= o->idle_ms;
			if (s->n == 0 && !s->ended) {
				m.cur = k;
				if (sb_rstream_read(rs, "out", k, consumer, ">",
				    o->count, idle ? -1 : o->drain ? 100 :
				    o->block_ms, merge_entry, &m, &n, NULL) != 0)
					errx(1, "%s", sb_rstream_error(rs));
				if (s->n > 0)
					head_parse(&m, s);
				else if (s->nids > 0)
					merge_ack(rs, s, k);	/* an end marker */
			}
			if (s->n > 0)
				s->empty_since = 0;
			else if (s->empty_since == 0)
				s->empty_since = now;
			if (s->n == 0 && !s->ended && !idle)
				all = 0;
			if (s->n > 0 || !s->ended)
				done = 0;
		}
		if (done)
			break;
		if (!all)
			continue;
		for (unsigned k = 0; k < ns; k++)
			if (m.sh[k].n > 0 && (best < 0 || head_before(&m.sh[k],
			    k, &m.sh[best], (unsigned)best)))
				best = k;
		if (best < 0) {
			nap(50);	/* every shard idle: no busy loop */
			continue;
		}
		struct mshard *s = &m.sh[best];
		const char *line = s->lines.s + s->off;
		size_t len = strlen(line);
		/* One watermark a time: every shard writes its own. */
		if (!s->wm || s->t > last_wm) {
			sb_buf_add(&out, line, len);
			sb_buf_putc(&out, '\n');
			lines++;
			if (s->t != INT64_MIN && s->t > ws.event_time)
				ws.event_time = s->t;
			if (s->wm)
				last_wm = s->t;
		}
		s->off += len + 1;
		if (--s->n > 0)
			head_parse(&m, s);
		else {
			/* Written: the lines read so far may be acknowledged. */
			out_write(&out);
			merge_ack(rs, s, (unsigned)best);
		}
	}
	out_write(&out);
	sb_buf_free(&out);
	for (unsigned k = 0; k < ns; k++) {
		sb_buf_free(&m.sh[k].lines);
		sb_buf_free(&m.sh[k].ids);
		sb_buf_free(&m.sh[k].key);
	}
	free(m.sh);
	sb_json_free(&m.js);
	return metrics_end(mx, &ws) != 0;
}

/* --- xstats ---------------------------------------------------------- */

/*
 * The event time of the last line of an entry: an event's timestamp, a
 * window's end, another record's "at"; 0 if it has none.
 */
static int
last_time(struct sb_rstream *rs, const char *kind, unsigned k,
    const char *id, struct sb_json *js, struct sb_event *ev, int64_t *t)
{
	struct sb_buf lines = SB_BUF_INIT;
	const char *last;
	size_t n;
	int rc, found = 0;

	if ((rc = sb_rstream_entry(rs, kind, k, id, &lines)) < 0)
		errx(1, "%s", sb_rstream_error(rs));
	if (rc == 1 && lines.len > 0) {
		last = last_line(lines.s, lines.len, &n);
		found = line_time(js, ev, last, n, t);
	}
	sb_buf_free(&lines);
	return found;
}

static int
cmd_xstats(struct sopt *o, struct sb_rstream *rs)
{
	static const char *const kinds[] = { "ev", "out" };
	struct sb_buf b = SB_BUF_INIT;
	struct sb_json js;
	struct sb_event ev;

	(void)o;
	sb_json_init(&js);
	sb_event_init(&ev);
	for (unsigned k = 0; k < sb_rstream_count(rs); k++)
		for (int i = 0; i < 2; i++) {
			struct sb_rstream_stat st;
			if (sb_rstream_stat(rs, kinds[i], k, &st) != 0)
				errx(1, "%s", sb_rstream_error(rs));
			sb_buf_reset(&b);
			sb_buf_puts(&b, "{\"stream\":");
			const char *d = sb_rstream_describe(rs, kinds[i], k);
			sb_buf_json_str(&b, strchr(d, ' ') + 1,
			    strlen(strchr(d, ' ') + 1));
			sb_buf_puts(&b, ",\"server\":");
			sb_buf_json_str(&b, d, (size_t)(strchr(d, ' ') - d));
			sb_buf_printf(&b, ",\"shard\":%u,\"length\":%llu,"
			    "\"group\":%s,\"pending\":%llu,\"backlog\":%llu,"
			    "\"lag_s\":", k, (unsigned long long)st.length,
			    st.has_group ? "true" : "false",
			    (unsigned long long)st.pending,
			    (unsigned long long)st.backlog);
			sb_buf_json_num(&b, (double)st.lag_ms / 1000.0);
			/* How far in event time the group is behind. */
			int64_t newest, read;
			if (st.length > 0 && last_time(rs, kinds[i], k, "+",
			    &js, &ev, &newest)) {
				sb_buf_puts(&b, ",\"newest\":");
				sb_buf_json_time(&b, newest);
				if (st.has_group && st.read_id[0] != '\0' &&
				    strcmp(st.read_id, "0-0") != 0 &&
				    last_time(rs, kinds[i], k, st.read_id, &js,
				    &ev, &read)) {
					sb_buf_puts(&b, ",\"read\":");
					sb_buf_json_time(&b, read);
					sb_buf_puts(&b, ",\"event_lag_s\":");
					sb_buf_json_num(&b, (double)(newest -
					    read) / 1000.0);
				}
			}
			sb_buf_puts(&b, "}\n");
			fwrite(b.s, 1, b.len, stdout);
		}
	sb_buf_free(&b);
	sb_json_free(&js);
	sb_event_free(&ev);
	return fflush(stdout) == EOF ? 1 : 0;
}

int
stream_main(int argc, char **argv)
{
	struct sopt o;
	struct sb_rstream *rs;
	int status;

	stream_options(argc, argv, &o);
	argc -= optind + 1;
	argv += optind + 1;
	if (argc > 0 && strcmp(o.cmd, "xadd") != 0)
		errx(2, "%s: unexpected operand '%s'", o.cmd, argv[0]);
	sb_signals_init();
	if (strcmp(o.cmd, "xadd") == 0)
		return cmd_xadd(&o, argc, argv);
	rs = stream_open(&o);
	if (strcmp(o.cmd, "xstats") == 0)
		status = cmd_xstats(&o, rs);
	else if (o.merge)
		status = cmd_xread_merge(&o, rs);
	else
		status = cmd_xread_shard(&o, rs);
	sb_rstream_close(rs);
	return status;
}

int
stream_verb(const char *s)
{
	return strcmp(s, "xadd") == 0 || strcmp(s, "xread") == 0 ||
	    strcmp(s, "xstats") == 0;
}
