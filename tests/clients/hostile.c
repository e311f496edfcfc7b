/*
 * hostile.c - the hostile HTTP clients of the ingestd(8) tests, over
 * loopback only.  Not a test itself: tests/t7300 drives it.
 *
 *	hostile hold PORT N SECONDS TRICKLE_MS
 *		Opens N connections at once; each sends the start of a
 *		POST /ingest header, then one more byte every TRICKLE_MS
 *		(0: nothing more), never ending the header (slowloris).
 *		Prints "established" once every connect has been tried,
 *		then, after SECONDS or when every connection is closed:
 *		"opened O refused R cut C open A maxlife_ms M": connected,
 *		closed by the server within 1 s of connecting, closed later,
 *		still open, and the longest time one lived before its cut.
 *	hostile send PORT FILE [close|wait SECONDS]
 *		Sends the bytes of FILE; with close, closes the connection
 *		at once; else prints the reply's status line (or "closed",
 *		or "silent" if nothing came within SECONDS) and the
 *		milliseconds it took.
 *	hostile body PORT LENGTH SECONDS RATE_MS
 *		A POST /ingest whose body is event lines, one every RATE_MS
 *		(0: as fast as the socket takes them), declared by LENGTH
 *		(a Content-Length) or "chunked" (chunks without end).  Prints
 *		"status CODE bytes B ms T" when a reply comes, "closed bytes
 *		B ms T" when the server closes first, or "sending bytes B ms
 *		T" after SECONDS.
 *
 * -s ADDR binds the source address (127.0.0.2 is still loopback);
 * -S N spreads hold's connections over N source addresses 127.0.1.1,
 * 127.0.1.2, ... so that a per-address limit does not apply.
 */
#include <sys/resource.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *src_addr;
static unsigned spread;

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: hostile [-s addr] [-S n] hold port n seconds "
	    "trickle_ms\n"
	    "       hostile [-s addr] send port file [close | wait seconds]\n"
	    "       hostile [-s addr] body port length|chunked seconds "
	    "rate_ms\n");
	exit(2);
}

static void __attribute__((noreturn))
fail(const char *what)
{
	fprintf(stderr, "hostile: %s: %s\n", what, strerror(errno));
	exit(1);
}

static long
number(const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < 0) {
		fprintf(stderr, "hostile: '%s' is not a number\n", s);
		exit(2);
	}
	return v;
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A socket to 127.0.0.1:port from the i-th source address; -1 if none. */
static int
dial(unsigned port, unsigned i, int nonblock)
{
	struct sockaddr_in sin, src;
	int fd, one = 1;

	if ((fd = socket(AF_INET, SOCK_STREAM | (nonblock ? SOCK_NONBLOCK : 0),
	    0)) == -1)
		return -1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	memset(&src, 0, sizeof src);
	src.sin_family = AF_INET;
	if (spread > 0)
		src.sin_addr.s_addr = htonl(0x7f000101u + i % spread);
	else if (src_addr != NULL && inet_pton(AF_INET, src_addr,
	    &src.sin_addr) != 1) {
		fprintf(stderr, "hostile: '%s' is not an IPv4 address\n",
		    src_addr);
		exit(2);
	}
	if ((spread > 0 || src_addr != NULL) &&
	    bind(fd, (struct sockaddr *)&src, sizeof src) == -1) {
		close(fd);
		return -1;
	}
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sin, sizeof sin) == -1 &&
	    errno != EINPROGRESS) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Sends all of s[0..n); -1 if the peer is gone. */
static int
send_all(int fd, const char *s, size_t n)
{
	while (n > 0) {
		ssize_t w = send(fd, s, n, MSG_NOSIGNAL);

		if (w == -1 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

struct held {
	int	 fd;
	int64_t	 opened;
	size_t	 sent;		/* bytes of the trickle sent */
	int	 state;		/* 0 open, 1 refused, 2 cut */
};

static const char prefix[] = "POST /ingest HTTP/1.1\r\nHost: ingestd\r\n";
static const char trickle[] = "X-Slow: a\r\n";

/* Reads what the server sends; 1 once it has closed the connection. */
static int
closed_by_server(int fd)
{
	char buf[4096];
	ssize_t r;

	for (;;) {
		r = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
		if (r > 0)
			continue;
		if (r == 0)
			return 1;
		return errno == EAGAIN || errno == EWOULDBLOCK ||
		    errno == EINTR ? 0 : 1;
	}
}

/*
 * Waits up to 10 s for the connects in flight, and sends each connected
 * one the start of its header; those that fail count as refused.
 */
static void
connect_all(struct held *h, struct pollfd *pfd, long n, long *refused)
{
	int64_t end = now_ms() + 10000;
	long i, np;
	char *done = calloc((size_t)n, 1);

	if (done == NULL)
		fail("calloc");
	do {
		np = 0;
		for (i = 0; i < n; i++)
			if (h[i].state == 0 && !done[i]) {
				pfd[np].fd = h[i].fd;
				pfd[np].events = POLLOUT;
				pfd[np].revents = 0;
				np++;
			}
		if (np == 0)
			break;
		poll(pfd, (nfds_t)np, 100);
		for (i = 0; i < n; i++) {
			struct pollfd p = { h[i].fd, POLLOUT, 0 };
			int err = 0;
			socklen_t len = sizeof err;

			if (h[i].state != 0 || done[i] || poll(&p, 1, 0) != 1)
				continue;
			done[i] = 1;
			if (getsockopt(h[i].fd, SOL_SOCKET, SO_ERROR, &err,
			    &len) == -1 || err != 0 || send_all(h[i].fd, prefix,
			    sizeof prefix - 1) == -1) {
				h[i].state = 1;
				(*refused)++;
			}
		}
	} while (now_ms() < end);
	for (i = 0; i < n; i++)
		if (h[i].state == 0 && !done[i]) {
			h[i].state = 1;
			(*refused)++;
		}
	free(done);
}

static int
hold(unsigned port, long n, long seconds, long trickle_ms)
{
	struct held *h = calloc((size_t)n, sizeof *h);
	struct pollfd *pfd = calloc((size_t)n, sizeof *pfd);
	long opened = 0, refused = 0, cut = 0, open_ = 0, i;
	int64_t end, maxlife = 0, next_tick;

	if (h == NULL || pfd == NULL)
		fail("calloc");
	for (i = 0; i < n; i++) {
		h[i].fd = dial(port, (unsigned)i, 1);
		h[i].opened = now_ms();
		if (h[i].fd == -1) {
			h[i].state = -1;
			continue;
		}
		opened++;
	}
	/* Every connect is done (or refused) once it is writable. */
	connect_all(h, pfd, n, &refused);
	printf("established\n");
	fflush(stdout);
	end = now_ms() + seconds * 1000;
	next_tick = now_ms() + trickle_ms;
	while (now_ms() < end) {
		int64_t t = now_ms();
		long live = 0, np = 0;

		for (i = 0; i < n; i++)
			if (h[i].state == 0) {
				pfd[np].fd = h[i].fd;
				pfd[np].events = POLLIN;
				pfd[np].revents = 0;
				np++;
			}
		if (np == 0)
			break;
		poll(pfd, (nfds_t)np, 100);
		t = now_ms();
		for (i = 0; i < n; i++) {
			if (h[i].state != 0)
				continue;
			if (!closed_by_server(h[i].fd)) {
				live++;
				continue;
			}
			if (t - h[i].opened < 1000)
				h[i].state = 1, refused++;
			else {
				h[i].state = 2, cut++;
				if (t - h[i].opened > maxlife)
					maxlife = t - h[i].opened;
			}
		}
		if (trickle_ms > 0 && t >= next_tick) {
			next_tick = t + trickle_ms;
			for (i = 0; i < n; i++) {
				if (h[i].state != 0)
					continue;
				if (send_all(h[i].fd, trickle + h[i].sent %
				    (sizeof trickle - 1), 1) == -1)
					continue;	/* seen closed next round */
				h[i].sent++;
			}
		}
		if (live == 0)
			break;
	}
	for (i = 0; i < n; i++) {
		if (h[i].state == 0)
			open_++;
		if (h[i].fd != -1)
			close(h[i].fd);
	}
	printf("opened %ld refused %ld cut %ld open %ld maxlife_ms %lld\n",
	    opened, refused, cut, open_, (long long)maxlife);
	free(h);
	free(pfd);
	return 0;
}

/* The status line of a reply, or why there is none. */
static void
await_reply(int fd, int64_t t0, long seconds)
{
	char buf[512];
	size_t len = 0;
	struct pollfd p = { fd, POLLIN, 0 };
	int64_t end = t0 + seconds * 1000;

	while (len < sizeof buf - 1) {
		int64_t left = end - now_ms();
		ssize_t r;

		if (left <= 0 || poll(&p, 1, (int)left) != 1) {
			printf("silent %lld\n", (long long)(now_ms() - t0));
			return;
		}
		r = recv(fd, buf + len, sizeof buf - 1 - len, 0);
		if (r <= 0)
			break;
		len += (size_t)r;
		buf[len] = '\0';
		if (strstr(buf, "\r\n") != NULL)
			break;
	}
	buf[len] = '\0';
	if (len == 0 || strstr(buf, "\r\n") == NULL) {
		printf("closed %lld\n", (long long)(now_ms() - t0));
		return;
	}
	*strstr(buf, "\r\n") = '\0';
	printf("%s %lld\n", buf, (long long)(now_ms() - t0));
}

static int
send_file(unsigned port, const char *path, int close_at_once, long seconds)
{
	char *data = NULL;
	size_t len = 0, cap = 0;
	ssize_t r;
	int in, fd;
	int64_t t0;

	if ((in = open(path, O_RDONLY)) == -1)
		fail(path);
	for (;;) {
		if (cap - len < 65536) {
			cap = cap * 2 + 65536;
			if ((data = realloc(data, cap)) == NULL)
				fail("realloc");
		}
		if ((r = read(in, data + len, cap - len)) <= 0)
			break;
		len += (size_t)r;
	}
	close(in);
	if ((fd = dial(port, 0, 0)) == -1)
		fail("connect");
	t0 = now_ms();
	if (send_all(fd, data, len) == -1 && close_at_once)
		fail("send");
	if (!close_at_once)
		await_reply(fd, t0, seconds);
	close(fd);
	free(data);
	return 0;
}

static int
body(unsigned port, const char *length, long seconds, long rate_ms)
{
	static const char line[] = "{\"timestamp\":\"2026-11-26T14:00:00.000Z\","
	    "\"endpoint\":\"/hostile\",\"status_code\":200,\"latency_ms\":1}\n";
	char head[256], chunk[256];
	int chunked = strcmp(length, "chunked") == 0;
	int fd, n;
	long long bytes = 0;
	int64_t t0, end;
	struct pollfd p;

	if (!chunked)
		number(length);
	if ((fd = dial(port, 0, 0)) == -1)
		fail("connect");
	n = snprintf(head, sizeof head, "POST /ingest HTTP/1.1\r\nHost: "
	    "ingestd\r\n%s%s\r\n\r\n", chunked ? "Transfer-Encoding: chunked" :
	    "Content-Length: ", chunked ? "" : length);
	t0 = now_ms();
	end = t0 + seconds * 1000;
	if (send_all(fd, head, (size_t)n) == -1)
		fail("send");
	if (chunked)
		n = snprintf(chunk, sizeof chunk, "%zx\r\n%s\r\n",
		    sizeof line - 1, line);
	else
		n = snprintf(chunk, sizeof chunk, "%s", line);
	p.fd = fd;
	p.events = POLLIN;
	while (now_ms() < end) {
		p.revents = 0;
		if (poll(&p, 1, (int)rate_ms) == 1)
			break;			/* a reply, or the end */
		if (send_all(fd, chunk, (size_t)n) == -1)
			break;
		bytes += n;
	}
	if (now_ms() >= end) {
		printf("sending bytes %lld ms %lld\n", bytes,
		    (long long)(now_ms() - t0));
	} else {
		char buf[512];
		ssize_t r = recv(fd, buf, sizeof buf - 1, 0);

		if (r > 12 && memcmp(buf, "HTTP/1.1 ", 9) == 0)
			printf("status %.3s bytes %lld ms %lld\n", buf + 9, bytes,
			    (long long)(now_ms() - t0));
		else
			printf("closed bytes %lld ms %lld\n", bytes,
			    (long long)(now_ms() - t0));
	}
	close(fd);
	return 0;
}

int
main(int argc, char **argv)
{
	struct rlimit rl;
	int ch;

	while ((ch = getopt(argc, argv, "s:S:")) != -1) {
		switch (ch) {
		case 's':
			src_addr = optarg;
			break;
		case 'S':
			spread = (unsigned)number(optarg);
			if (spread == 0 || spread > 65000)
				usage();
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 2)
		usage();
	signal(SIGPIPE, SIG_IGN);
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (strcmp(argv[0], "hold") == 0 && argc == 5)
		return hold((unsigned)number(argv[1]), number(argv[2]),
		    number(argv[3]), number(argv[4]));
	if (strcmp(argv[0], "send") == 0 && argc == 4 &&
	    strcmp(argv[3], "close") == 0)
		return send_file((unsigned)number(argv[1]), argv[2], 1, 0);
	if (strcmp(argv[0], "send") == 0 && argc == 5 &&
	    strcmp(argv[3], "wait") == 0)
		return send_file((unsigned)number(argv[1]), argv[2], 0,
		    number(argv[4]));
	if (strcmp(argv[0], "body") == 0 && argc == 5)
		return body((unsigned)number(argv[1]), argv[2], number(argv[3]),
		    number(argv[4]));
	usage();
}
