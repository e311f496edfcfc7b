/*
 * ingestd - accept request logs over HTTP, durably.
 *
 * Binds its socket, detaches unless -d, starts the writer (writer.c) and
 * the HTTP side (http.c), then waits for signals: SIGHUP reopens the
 * output, SIGTERM and SIGINT drain and stop.  The signals are blocked in
 * every thread and taken here with sigtimedwait(2), which also paces the
 * header watchdog; a handler setting flags (sig.h) would have no thread
 * to wake.
 */
/* sched_getaffinity(2) and CPU_COUNT are GNU extensions. */
#define _GNU_SOURCE
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <netdb.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "arg.h"
#include "auth.h"
#include "buf.h"
#include "event.h"
#include "ingestd.h"
#include "json.h"
#include "num.h"
#include "timefmt.h"
#include "writer.h"

#define DRAIN_MS	10000	/* SIGTERM: how long requests may finish */

struct config conf;

static void __attribute__((noreturn))
usage(FILE *fp, int status)
{
	fprintf(fp,
	    "usage: ingestd [-dhnv] [-l address] [-p port] [-o file] "
	    "[--fsync policy]\n"
	    "               [--fsync-interval duration] [--max-body bytes] "
	    "[--queue-size bytes]\n"
	    "               [--max-connections n] [--max-per-ip n] "
	    "[--idle-timeout duration]\n"
	    "               [--header-timeout duration] [--body-timeout duration]\n"
	    "               [--max-header bytes] [--max-inflate-ratio n] "
	    "[--max-ahead duration]\n"
	    "               [--threads n] [--token-file file] [--format name] "
	    "[--service name]\n"
	    "               [--redis-shards url,... [--redis-streams n]\n"
	    "               [--redis-prefix prefix] [--redis-group name] "
	    "[--redis-cap n]]\n");
	exit(status);
}

void
logmsg(int level, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if ((level == LOG_INFO && conf.verbose < 1) ||
	    (level == LOG_DEBUG && conf.verbose < 2))
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (conf.foreground)
		fprintf(stderr, "ingestd: %s\n", msg);	/* one write per line */
	else
		syslog(level, "%s", msg);
}

static void __attribute__((noreturn))
bad_option(const char *opt, const char *arg, const char *why)
{
	fprintf(stderr, "ingestd: %s: '%s' is %s\n", opt, arg, why);
	exit(2);
}

static int64_t
opt_duration(const char *opt, const char *arg, int64_t min, int64_t max)
{
	int64_t ms;

	if (sb_duration_parse(arg, &ms) == -1)
		bad_option(opt, arg, "not a duration (e.g. 200ms, 30s)");
	if (ms < min)
		bad_option(opt, arg, "too small");
	if (ms > max)
		bad_option(opt, arg, "too large");
	return ms;
}

static unsigned
opt_uint(const char *opt, const char *arg, long long min, long long max)
{
	long long v;
	const char *errstr;

	if (sb_parse_ll(arg, min, max, &v, &errstr) == -1)
		bad_option(opt, arg, errstr);
	return (unsigned)v;
}

/* Bytes, with an optional k or M suffix (powers of 1024). */
static size_t
opt_size(const char *opt, const char *arg, long long min, long long max)
{
	char num[32];
	size_t n = strlen(arg);
	long long v, mult = 1;
	const char *errstr;

	if (n > 0 && (arg[n - 1] == 'k' || arg[n - 1] == 'K'))
		mult = 1024;
	else if (n > 0 && (arg[n - 1] == 'm' || arg[n - 1] == 'M'))
		mult = 1024 * 1024;
	if (mult > 1)
		n--;
	if (n == 0 || n >= sizeof num)
		bad_option(opt, arg, "invalid");
	memcpy(num, arg, n);
	num[n] = '\0';
	if (sb_parse_ll(num, 0, max / mult, &v, &errstr) == -1)
		bad_option(opt, arg, errstr);
	if (v * mult < min)
		bad_option(opt, arg, "too small");
	return (size_t)(v * mult);
}

static unsigned
cpus(void)
{
	cpu_set_t set;
	int n;

	if (sched_getaffinity(0, sizeof set, &set) == 0 &&
	    (n = CPU_COUNT(&set)) > 0)
		return n > 16 ? 16 : (unsigned)n;
	return 1;
}

static void
parse_options(int argc, char **argv, int *check)
{
	enum { OPT_FSYNC = 256, OPT_FSYNC_INTERVAL, OPT_MAX_BODY, OPT_QUEUE,
	    OPT_MAX_CONN, OPT_MAX_PER_IP, OPT_IDLE, OPT_HEADER, OPT_THREADS, OPT_TOKEN,
	    OPT_MAX_AHEAD, OPT_FORMAT, OPT_SERVICE, OPT_BODY, OPT_MAX_HEADER,
	    OPT_MAX_RATIO, OPT_REDIS, OPT_REDIS_STREAMS, OPT_REDIS_PREFIX,
	    OPT_REDIS_GROUP, OPT_REDIS_CAP };
	static const struct option longopts[] = {
		{ "body-timeout",	required_argument, NULL, OPT_BODY },
		{ "format",		required_argument, NULL, OPT_FORMAT },
		{ "fsync",		required_argument, NULL, OPT_FSYNC },
		{ "fsync-interval",	required_argument, NULL, OPT_FSYNC_INTERVAL },
		{ "header-timeout",	required_argument, NULL, OPT_HEADER },
		{ "help",		no_argument,	   NULL, 'h' },
		{ "idle-timeout",	required_argument, NULL, OPT_IDLE },
		{ "listen",		required_argument, NULL, 'l' },
		{ "max-ahead",		required_argument, NULL, OPT_MAX_AHEAD },
		{ "max-body",		required_argument, NULL, OPT_MAX_BODY },
		{ "max-connections",	required_argument, NULL, OPT_MAX_CONN },
		{ "max-header",		required_argument, NULL, OPT_MAX_HEADER },
		{ "max-inflate-ratio",	required_argument, NULL, OPT_MAX_RATIO },
		{ "max-per-ip",		required_argument, NULL, OPT_MAX_PER_IP },
		{ "output",		required_argument, NULL, 'o' },
		{ "port",		required_argument, NULL, 'p' },
		{ "queue-size",		required_argument, NULL, OPT_QUEUE },
		{ "redis-cap",		required_argument, NULL, OPT_REDIS_CAP },
		{ "redis-group",	required_argument, NULL, OPT_REDIS_GROUP },
		{ "redis-prefix",	required_argument, NULL, OPT_REDIS_PREFIX },
		{ "redis-shards",	required_argument, NULL, OPT_REDIS },
		{ "redis-streams",	required_argument, NULL, OPT_REDIS_STREAMS },
		{ "service",		required_argument, NULL, OPT_SERVICE },
		{ "threads",		required_argument, NULL, OPT_THREADS },
		{ "token-file",		required_argument, NULL, OPT_TOKEN },
		{ NULL,			0,		   NULL, 0 }
	};
	const char *token_file = NULL, *env;
	int ch, known;

	conf.addr = "127.0.0.1";
	conf.port = "8000";
	conf.output = "data/raw_logs.jsonl";
	conf.fsync = FSYNC_INTERVAL;
	conf.fsync_interval = 200;
	conf.max_body = 1024 * 1024;
	conf.queue_size = 64 * 1024 * 1024;
	conf.max_conn = 1024;
	conf.max_per_ip = 128;
	conf.idle_timeout = 30000;
	conf.header_timeout = 10000;
	conf.body_timeout = 60000;
	conf.max_header = 8192;
	conf.max_inflate_ratio = 100;
	conf.max_ahead = 5 * 60000;
	conf.threads = cpus();
	sb_rstream_config_env(&conf.redis);

	while ((ch = sb_getopt(argc, argv, "dhl:no:p:v", longopts)) != -1) {
		switch (ch) {
		case 'd':
			conf.foreground = 1;
			break;
		case 'h':
			usage(stdout, 0);
		case 'l':
			conf.addr = optarg;
			break;
		case 'n':
			*check = 1;
			break;
		case 'o':
			conf.output = optarg;
			break;
		case 'p':
			opt_uint("-p", optarg, 0, 65535);
			conf.port = optarg;
			break;
		case 'v':
			conf.verbose++;
			break;
		case OPT_FSYNC:
			if (strcmp(optarg, "always") == 0)
				conf.fsync = FSYNC_ALWAYS;
			else if (strcmp(optarg, "interval") == 0)
				conf.fsync = FSYNC_INTERVAL;
			else if (strcmp(optarg, "never") == 0)
				conf.fsync = FSYNC_NEVER;
			else
				bad_option("--fsync", optarg, "not always, "
				    "interval or never");
			break;
		case OPT_FSYNC_INTERVAL:
			conf.fsync_interval = opt_duration("--fsync-interval",
			    optarg, 1, 3600000);
			break;
		case OPT_MAX_BODY:
			conf.max_body = opt_size("--max-body", optarg, 1,
			    1LL << 30);
			break;
		case OPT_QUEUE:
			conf.queue_size = opt_size("--queue-size", optarg, 1,
			    1LL << 40);
			break;
		case OPT_MAX_CONN:
			conf.max_conn = opt_uint("--max-connections", optarg, 1,
			    1000000);
			break;
		case OPT_MAX_PER_IP:
			conf.max_per_ip = opt_uint("--max-per-ip", optarg, 0,
			    1000000);
			break;
		case OPT_IDLE:
			conf.idle_timeout = opt_duration("--idle-timeout",
			    optarg, 1000, 86400000);
			break;
		case OPT_HEADER:
			conf.header_timeout = opt_duration("--header-timeout",
			    optarg, 1, 86400000);
			break;
		case OPT_BODY:
			conf.body_timeout = opt_duration("--body-timeout",
			    optarg, 1, 86400000);
			break;
		case OPT_MAX_HEADER:
			conf.max_header = opt_size("--max-header", optarg, 2048,
			    1024 * 1024);
			break;
		case OPT_MAX_RATIO:
			conf.max_inflate_ratio = opt_uint("--max-inflate-ratio",
			    optarg, 0, 1000000);
			break;
		case OPT_MAX_AHEAD:
			conf.max_ahead = opt_duration("--max-ahead", optarg, 0,
			    INT64_MAX / 4);
			break;
		case OPT_THREADS:
			conf.threads = opt_uint("--threads", optarg, 1, 256);
			break;
		case OPT_TOKEN:
			token_file = optarg;
			break;
		case OPT_FORMAT:
			conf.format = sb_logfmt_find(optarg, &known);
			if (!known) {
				struct sb_buf why = SB_BUF_INIT;
				sb_buf_puts(&why, "not one of ");
				sb_logfmt_names(&why);
				bad_option("--format", optarg, why.s);
			}
			conf.format_name = optarg;
			break;
		case OPT_SERVICE:
			if (*optarg == '\0' || strlen(optarg) > SB_SERVICE_MAX ||
			    !sb_utf8_valid(optarg, strlen(optarg)))
				bad_option("--service", optarg, "not a name of "
				    "1 to 256 bytes of UTF-8");
			conf.service = optarg;
			break;
		case OPT_REDIS:
			conf.redis.urls = optarg;
			conf.use_redis = 1;
			break;
		case OPT_REDIS_STREAMS:
			conf.redis.streams = (unsigned)sb_arg_ll(
			    "--redis-streams", optarg, 1, 65536);
			break;
		case OPT_REDIS_PREFIX:
			conf.redis.prefix = optarg;
			break;
		case OPT_REDIS_GROUP:
			conf.redis.group = optarg;
			break;
		case OPT_REDIS_CAP:
			conf.redis.cap = (uint64_t)sb_arg_ll("--redis-cap",
			    optarg, 0, INT64_MAX);
			break;
		default:
			usage(stderr, 2);
		}
	}
	if (optind != argc) {
		fprintf(stderr, "ingestd: unexpected operand '%s'\n",
		    argv[optind]);
		usage(stderr, 2);
	}
	if (conf.service != NULL && conf.format == NULL) {
		fprintf(stderr, "ingestd: --service names the service of a "
		    "log --format's events\n");
		usage(stderr, 2);
	}
	if (strcmp(conf.output, "-") == 0)
		conf.foreground = 1;	/* standard output must stay ours */
	if (token_file != NULL) {
		char why[512];

		if ((conf.token = sb_token_read(token_file, why,
		    sizeof why)) == NULL) {
			fprintf(stderr, "ingestd: %s\n", why);
			exit(1);
		}
		conf.token_source = token_file;
	} else if ((env = getenv("INGEST_TOKEN")) != NULL && env[0] != '\0') {
		conf.token = sb_xstrdup(env);
		conf.token_source = "INGEST_TOKEN";
	}
}

static int
resolve(struct addrinfo **res)
{
	struct addrinfo hints;
	int rc;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	if ((rc = getaddrinfo(conf.addr, conf.port, &hints, res)) != 0) {
		fprintf(stderr, "ingestd: %s: %s\n", conf.addr,
		    gai_strerror(rc));
		return -1;
	}
	return 0;
}

static void
print_endpoint(const struct sockaddr *sa, socklen_t len, char *out, size_t n)
{
	char host[NI_MAXHOST], serv[NI_MAXSERV];

	if (getnameinfo(sa, len, host, sizeof host, serv, sizeof serv,
	    NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
		snprintf(out, n, "?");
		return;
	}
	snprintf(out, n, sa->sa_family == AF_INET6 ? "[%s]:%s" : "%s:%s",
	    host, serv);
}

static int
bind_listen(char *where, size_t wsz)
{
	struct addrinfo *res, *ai;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof ss;
	int fd = -1, one = 1, e = 0;

	if (resolve(&res) == -1)
		return -1;
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC |
		    SOCK_NONBLOCK, ai->ai_protocol);
		if (fd == -1) {
			e = errno;
			continue;
		}
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 &&
		    listen(fd, SOMAXCONN) == 0)
			break;
		e = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd == -1) {
		fprintf(stderr, "ingestd: %s port %s: %s\n", conf.addr,
		    conf.port, strerror(e));
		return -1;
	}
	getsockname(fd, (struct sockaddr *)&ss, &sl);
	print_endpoint((struct sockaddr *)&ss, sl, where, wsz);
	return fd;
}

/* Room for every connection's socket and its watchdog dup. */
static void
raise_fd_limit(void)
{
	struct rlimit rl;
	rlim_t need = ((rlim_t)conf.max_conn + EVICT_ROOM) * 2 + 64;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return;
	if (rl.rlim_cur < need && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max < need ? rl.rlim_max : need;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur < need) {
		unsigned fit = rl.rlim_cur < (EVICT_ROOM + 1) * 2 + 64 ? 1 :
		    (unsigned)((rl.rlim_cur - 64) / 2 - EVICT_ROOM);
		logmsg(LOG_WARNING, "--max-connections %u needs %llu file "
		    "descriptors, the limit is %llu; using %u", conf.max_conn,
		    (unsigned long long)need, (unsigned long long)rl.rlim_cur,
		    fit);
		conf.max_conn = fit;
	}
}

static const char *
fsync_name(enum fsync_policy p)
{
	return p == FSYNC_ALWAYS ? "always" : p == FSYNC_NEVER ? "never" :
	    "interval";
}

/* -n: the configuration, and whether it can work; nothing is changed. */
/* The URL list with every user and password replaced by ***. */
static const char *
masked_urls(const char *urls)
{
	static char out[2048];
	size_t o = 0;

	for (const char *p = urls; *p != '\0' && o + 4 < sizeof out; ) {
		const char *at = strchr(p, '@'), *comma = strchr(p, ',');
		const char *sep = strstr(p, "://");
		if (sep != NULL && at != NULL && (comma == NULL || at < comma) &&
		    sep < at) {
			size_t n = (size_t)(sep + 3 - p);
			if (o + n + 4 >= sizeof out)
				break;
			memcpy(out + o, p, n);
			o += n;
			memcpy(out + o, "***", 3);
			o += 3;
			p = at;
		}
		out[o++] = *p++;
	}
	out[o] = '\0';
	return out;
}

static int
check_config(void)
{
	struct addrinfo *res;
	char dur[32], dir[PATH_MAX], *slash;
	int status = 0;

	if (resolve(&res) == -1)
		status = 1;
	else
		freeaddrinfo(res);
	if (!conf.use_redis && strcmp(conf.output, "-") != 0) {
		snprintf(dir, sizeof dir, "%s", conf.output);
		/* The nearest directory that exists must be writable. */
		for (;;) {
			struct stat st;
			slash = strrchr(dir, '/');
			if (slash == NULL)
				snprintf(dir, sizeof dir, ".");
			else if (slash == dir)
				dir[1] = '\0';
			else
				*slash = '\0';
			if (stat(dir, &st) == 0 || slash == NULL || slash == dir)
				break;
		}
		struct stat st;
		if (stat(dir, &st) == 0 && !S_ISDIR(st.st_mode)) {
			fprintf(stderr, "ingestd: %s: %s\n", dir,
			    strerror(ENOTDIR));
			status = 1;
		} else if (access(dir, W_OK) == -1) {
			fprintf(stderr, "ingestd: %s: %s\n", dir,
			    strerror(errno));
			status = 1;
		}
	}
	printf("listen %s port %s\n", conf.addr, conf.port);
	if (conf.use_redis)
		printf("output redis %s streams %u prefix %s group %s cap "
		    "%llu\n", masked_urls(conf.redis.urls), conf.redis.streams,
		    conf.redis.prefix, conf.redis.group,
		    (unsigned long long)conf.redis.cap);
	else
		printf("output %s\n", conf.output);
	printf("fsync %s", fsync_name(conf.fsync));
	if (conf.fsync == FSYNC_INTERVAL)
		printf(" %s", sb_duration_format(conf.fsync_interval, dur,
		    sizeof dur));
	printf("\nmax-body %zu\nqueue-size %zu\n", conf.max_body,
	    conf.queue_size);
	printf("max-connections %u\nmax-per-ip %u\n", conf.max_conn,
	    conf.max_per_ip);
	printf("idle-timeout %s\n", sb_duration_format(conf.idle_timeout, dur,
	    sizeof dur));
	printf("header-timeout %s\n", sb_duration_format(conf.header_timeout,
	    dur, sizeof dur));
	printf("body-timeout %s\n", sb_duration_format(conf.body_timeout,
	    dur, sizeof dur));
	printf("max-header %zu\nmax-inflate-ratio %u\n", conf.max_header,
	    conf.max_inflate_ratio);
	if (conf.max_ahead > 0)
		printf("max-ahead %s\n", sb_duration_format(conf.max_ahead,
		    dur, sizeof dur));
	else
		printf("max-ahead none\n");
	if (conf.format != NULL)
		printf("format %s\n", conf.format_name);
	if (conf.service != NULL)
		printf("service %s\n", conf.service);
	if (conf.token != NULL)
		printf("token from %s\n", conf.token_source);
	else
		printf("token none\n");
	if (fflush(stdout) == EOF)
		status = 1;
	return status;
}

int
main(int argc, char **argv)
{
	struct writer_config wc;
	char where[NI_MAXHOST + NI_MAXSERV + 4], err[256];
	sigset_t set;
	int check = 0, fd, status = 0;

	parse_options(argc, argv, &check);
	if (check)
		return check_config();

	signal(SIGPIPE, SIG_IGN);
	signal(SIGXFSZ, SIG_IGN);	/* a file size limit: EFBIG, a 503 */
	if ((fd = bind_listen(where, sizeof where)) == -1)
		return 1;
	fprintf(stderr, "ingestd: listening on %s\n", where);
	if (!conf.foreground) {
		openlog("ingestd", LOG_PID | LOG_NDELAY, LOG_DAEMON);
		if (daemon(1, 0) == -1) {
			fprintf(stderr, "ingestd: daemon: %s\n", strerror(errno));
			return 1;
		}
	}
	raise_fd_limit();

	/* Threads inherit the mask: only sigtimedwait() below sees these. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);

	memset(&wc, 0, sizeof wc);
	wc.path = conf.output;
	wc.fsync = conf.fsync;
	wc.interval_ms = conf.fsync_interval;
	wc.log = logmsg;
	if (conf.use_redis)
		wc.redis = &conf.redis;
	if (writer_start(&wc, err, sizeof err) == -1) {
		logmsg(LOG_ERR, "%s", err);
		return 1;
	}
	if (http_start(fd, err, sizeof err) == -1) {
		logmsg(LOG_ERR, "%s", err);
		return 1;
	}
	if (conf.use_redis)
		logmsg(LOG_INFO, "writing to the streams of %s", conf.redis.urls);
	else
		logmsg(LOG_INFO, "writing %s, fsync %s", conf.output,
		    fsync_name(conf.fsync));

	for (;;) {
		struct timespec tick = { 0, 200 * 1000000 };
		int sig = sigtimedwait(&set, NULL, &tick);

		if (sig == SIGHUP)
			writer_reopen();
		else if (sig == SIGTERM || sig == SIGINT)
			break;
		if (writer_broken()) {
			status = 1;
			break;
		}
		http_watchdog();
	}

	logmsg(LOG_NOTICE, "stopping: finishing the requests in flight");
	http_quiesce();
	if (http_drain_and_stop(DRAIN_MS) == -1) {
		/* The writer is stuck (a pipe nobody reads): nothing that
		 * waits for it has been acknowledged, so nothing is lost. */
		logmsg(LOG_ERR, "requests still wait for the output after "
		    "%ds; exiting without them", DRAIN_MS / 1000);
		_exit(1);
	}
	writer_stop();
	free(conf.token);
	logmsg(LOG_NOTICE, "stopped");
	return status;
}
