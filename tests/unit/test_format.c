/*
 * test_format.c - access-log formats (logfmt.h) through the one event
 * reader (evread.h): sample lines written from each server's
 * documentation, their mapping onto the event, and bad lines.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evread.h"
#include "logfmt.h"
#include "timefmt.h"
#include "../tap.h"

/* The event line a format makes of s, or "ERR: message". */
static const char *
conv(const char *fmt, const char *service, const char *s, size_t n)
{
	static struct sb_buf out;
	struct sb_evread rd;
	char err[160];
	long type;
	int known;

	sb_buf_reset(&out);
	sb_evread_init(&rd, sb_logfmt_find(fmt, &known), service);
	if (!known) {
		sb_buf_puts(&out, "ERR: unknown format");
	} else if (sb_evread_parse(&rd, s, n, &type, err, sizeof err) != SB_EV_EVENT) {
		sb_buf_printf(&out, "ERR: %s", err);
	} else {
		sb_event_json(&rd.ev, &out);
		out.s[--out.len] = '\0';	/* the newline */
	}
	sb_evread_free(&rd);
	return out.s;
}

static const char *
c(const char *fmt, const char *s)
{
	return conv(fmt, NULL, s, strlen(s));
}

#define NGINX	"127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] \"GET /api/orders/12?x=1 HTTP/1.1\" 200 612 \"-\" \"wrk/4.1.0\" "
#define APACHE	"127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] \"GET /apache_pb.gif HTTP/1.0\" 200 2326 \"http://www.example.com/start.html\" \"Mozilla/4.08 [en] (Win98; I ;Nav)\" "
#define HAPROXY	"10.0.1.2:33317 [06/Feb/2009:12:14:14.655] http-in static/srv1 10/0/30/69/109 200 2750 - - ---- 1/1/1/1/0 0/0 {1wt.eu} {} \"GET /index.html HTTP/1.1\""
#define ENVOY	"[2016-04-15T20:17:00.310Z] \"POST /api/v1/locations HTTP/2\" 204 - 154 0 226 100 \"10.0.35.28\" \"nsq2http\" \"cc21d9b0-cf5c-432b-8c7e-98aeb7988cd2\" \"locations\" \"tcp://10.0.2.1:80\""
#define ALB	"http 2018-07-02T22:23:00.186641Z app/my-loadbalancer/50dc6c495c0c9188 192.168.131.39:2817 10.0.0.1:80 0.000 0.001 0.000 200 200 34 366 \"GET http://www.example.com:80/ HTTP/1.1\" \"curl/7.46.0\" - - arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067 \"Root=1-58337262-36d228ad5d99923122bbe354\" \"-\" \"-\" 0 2018-07-02T22:22:48.364000Z \"forward\" \"-\" \"-\" \"10.0.0.1:80\" \"200\" \"-\" \"-\""
#define ALB_TAIL " \"forward\" \"-\" \"-\" \"10.0.0.1:80\" \"200\" \"-\" \"-\""
#define NJSON	"{\"time\":\"2026-12-04T05:40:01+00:00\",\"method\":\"GET\",\"uri\":\"/api/x?y=1\",\"status\":200,\"request_time\":0.021,\"upstream_response_time\":\"0.020\",\"bytes\":612}"

/* The sample line of a format with one substring replaced. */
static const char *
edited(const char *fmt, const char *line, const char *from, const char *to)
{
	static char buf[4096];
	const char *at = strstr(line, from);

	if (at == NULL)
		return "ERR: test error: no such text";
	snprintf(buf, sizeof buf, "%.*s%s%s", (int)(at - line), line, to,
	    at + strlen(from));
	return c(fmt, buf);
}

static void
nginx(void)
{
	is_str(c("nginx", NGINX "0.021 0.020"),
	    "{\"timestamp\":\"2000-10-10T20:55:36.000Z\",\"method\":\"GET\",\"endpoint\":\"/api/orders/12?x=1\",\"status_code\":200,\"latency_ms\":20,\"response_size\":612}",
	    "nginx: upstream time preferred, offset applied");
	is_str(c("nginx", NGINX "0.021 -"),
	    "{\"timestamp\":\"2000-10-10T20:55:36.000Z\",\"method\":\"GET\",\"endpoint\":\"/api/orders/12?x=1\",\"status_code\":200,\"latency_ms\":21,\"response_size\":612}",
	    "nginx: no upstream: $request_time");
	is_str(c("nginx", NGINX "0.021"),
	    "{\"timestamp\":\"2000-10-10T20:55:36.000Z\",\"method\":\"GET\",\"endpoint\":\"/api/orders/12?x=1\",\"status_code\":200,\"latency_ms\":21,\"response_size\":612}",
	    "nginx: $request_time alone");
	ok(strstr(c("nginx", NGINX "1.5 0.700, 0.050 : 0.004"), "\"latency_ms\":754,") != NULL,
	    "nginx: upstream times summed across tries and redirects");
	ok(strstr(c("nginx", NGINX "1.5 \"0.700, -\""), "\"latency_ms\":700,") != NULL,
	    "nginx: quoted upstream list with a '-'");
	ok(strstr(c("nginx", NGINX "0.0005 -"), "\"latency_ms\":0.5,") != NULL,
	    "nginx: sub-millisecond");
	is_str(c("nginx", "127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.1\" 200 612 \"-\" \"-\""),
	    "ERR: no '$request_time' after the combined fields (add it to log_format; see slowburn-records(5))",
	    "nginx: the default combined format is told what to add");
	is_str(c("nginx", NGINX "abc"), "ERR: '$request_time' is not seconds: 'abc'",
	    "nginx: request time not a number");
	is_str(c("nginx", NGINX "99999999999.0"),
	    "ERR: '$request_time' is not seconds: '99999999999.0'", "nginx: huge request time");
	is_str(c("nginx", NGINX "0.1 0.2,"),
	    "ERR: '$upstream_response_time' is not a list of seconds: '0.2,'", "nginx: bad upstream list");
	is_str(c("nginx", "127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] \"\\x16\\x03\\x01\" 400 157 \"-\" \"-\" 0.001 -"),
	    "ERR: request '\\x16\\x03\\x01' is not METHOD PATH PROTOCOL", "nginx: TLS on a plain port");
	is_str(c("nginx", "127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.1\" 0 0 \"-\" \"-\" 0.001 -"),
	    "ERR: '$status' is not a status in 100..599: '0'", "nginx: status 0");
	is_str(c("nginx", "127.0.0.1 - - [10/Foo/2000:13:55:36 -0700] \"GET / HTTP/1.1\" 200 0 \"-\" \"-\" 0.001 -"),
	    "ERR: '$time_local' is not a time like [10/Oct/2000:13:55:36 -0700]: '10/Foo/2000:13:55:36 -0700'",
	    "nginx: month name");
	is_str(c("nginx", "127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.1\" 200 99999999999999999999 \"-\" \"-\" 0.001 -"),
	    "ERR: '$body_bytes_sent' is not a byte count: '99999999999999999999'", "nginx: huge byte count");
	is_str(c("nginx", "127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] \"GET /caf\xff HTTP/1.1\" 200 1 \"-\" \"-\" 0.001 -"),
	    "ERR: 'endpoint' is not valid UTF-8", "nginx: invalid UTF-8");
	is_str(c("nginx", "127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] \"GET /caf\xc3\xa9 HTTP/1.1\" 200 1 \"-\" \"-\" 0.001 -"),
	    "{\"timestamp\":\"2000-10-10T20:55:36.000Z\",\"method\":\"GET\",\"endpoint\":\"/caf\xc3\xa9\",\"status_code\":200,\"latency_ms\":1,\"response_size\":1}",
	    "nginx: UTF-8 kept");
	is_str(conv("nginx", "shop", NGINX "0.021 0.020", strlen(NGINX "0.021 0.020")),
	    "{\"timestamp\":\"2000-10-10T20:55:36.000Z\",\"service\":\"shop\",\"method\":\"GET\",\"endpoint\":\"/api/orders/12?x=1\",\"status_code\":200,\"latency_ms\":20,\"response_size\":612}",
	    "nginx: --service");

	/* A path longer than events allow. */
	struct sb_buf b = SB_BUF_INIT;
	sb_buf_puts(&b, "127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] \"GET /");
	for (int i = 0; i < 3000; i++)
		sb_buf_putc(&b, 'a');
	sb_buf_puts(&b, " HTTP/1.1\" 200 1 \"-\" \"-\" 0.001 -");
	is_str(c("nginx", b.s), "ERR: 'endpoint' is longer than 2048 bytes", "nginx: huge path");
	sb_buf_free(&b);

	is_str(c("nginx-json", NJSON),
	    "{\"timestamp\":\"2026-12-04T05:40:01.000Z\",\"method\":\"GET\",\"endpoint\":\"/api/x?y=1\",\"status_code\":200,\"latency_ms\":20,\"response_size\":612}",
	    "nginx-json: documented field set");
	is_str(c("nginx-json", "{\"time\":1795701787.125,\"method\":\"GET\",\"uri\":\"/\",\"status\":\"503\",\"request_time\":\"0.021\",\"upstream_response_time\":\"\",\"bytes\":0,\"service\":\"web\"}"),
	    "{\"timestamp\":\"2026-11-26T14:03:07.125Z\",\"service\":\"web\",\"method\":\"GET\",\"endpoint\":\"/\",\"status_code\":503,\"latency_ms\":21,\"response_size\":0}",
	    "nginx-json: $msec, quoted numbers, empty upstream, a service");
	is_str(c("nginx-json", "{\"time\":\"2026-12-04T05:40:01+00:00\",\"method\":\"GET\",\"uri\":\"/\",\"status\":200,\"bytes\":1}"),
	    "ERR: 'request_time' is not seconds", "nginx-json: no request_time");
	is_str(c("nginx-json", "{\"time\":\"2026-12-04T05:40:01+00:00\",\"method\":\"GET\",\"status\":200,\"request_time\":1}"),
	    "ERR: missing 'uri'", "nginx-json: no uri");
	is_str(c("nginx-json", "{\"time\":\"2026-12-04T05:40:01+00:00\",\"method\":\"GET\",\"uri\":\"/\xff\",\"status\":200,\"request_time\":1}"),
	    "ERR: invalid JSON: invalid UTF-8 in string at byte 60", "nginx-json: invalid UTF-8");
	is_str(c("nginx-json", "{\"time\":\"2026-12-04T05:40:01+00:00\",\"method\":\"GET\",\"uri\":\"/\",\"status\":200,\"request_time\":-1}"),
	    "ERR: 'request_time' is not seconds", "nginx-json: negative");
	is_str(c("nginx-json", "{\"method\":\"GET\",\"uri\":\"/\",\"status\":200,\"request_time\":1}"),
	    "ERR: missing 'time'", "nginx-json: no time");
}

static void
apache(void)
{
	is_str(c("apache", APACHE "1234"),
	    "{\"timestamp\":\"2000-10-10T20:55:36.000Z\",\"method\":\"GET\",\"endpoint\":\"/apache_pb.gif\",\"status_code\":200,\"latency_ms\":1.234,\"response_size\":2326}",
	    "apache: the documentation's line with %%D microseconds");
	is_str(c("apache", "::1 - - [10/Oct/2000:13:55:36 +0000] \"HEAD / HTTP/1.1\" 304 - \"-\" \"say \\\"hi\\\"\" 250000"),
	    "{\"timestamp\":\"2000-10-10T13:55:36.000Z\",\"method\":\"HEAD\",\"endpoint\":\"/\",\"status_code\":304,\"latency_ms\":250}",
	    "apache: %%b '-' is no size, escaped quotes in the agent");
	is_str(c("apache", APACHE),
	    "ERR: no '%D' after the combined fields (add it to LogFormat; see slowburn-records(5))",
	    "apache: plain combined");
	is_str(c("apache", APACHE "1.5"), "ERR: '%D' is not microseconds: '1.5'", "apache: %%D not an integer");
	is_str(c("apache", APACHE "12345678901234567890"),
	    "ERR: '%D' is not microseconds: '12345678901234567890'", "apache: huge %%D");
	is_str(c("apache", "127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] \"-\" 408 - \"-\" \"-\" 12"),
	    "ERR: request '-' is not METHOD PATH PROTOCOL", "apache: %%r '-' (a timeout)");
}

static void
haproxy(void)
{
	const char *want = "{\"timestamp\":\"2009-02-06T12:14:14.655Z\",\"service\":\"static\",\"method\":\"GET\",\"endpoint\":\"/index.html\",\"status_code\":200,\"latency_ms\":99,\"response_size\":2750}";

	is_str(c("haproxy", "Feb  6 12:14:14 localhost haproxy[14389]: " HAPROXY), want,
	    "haproxy: the documentation's line, syslog header, Ta - TR");
	is_str(c("haproxy", HAPROXY), want, "haproxy: log stdout format raw");
	is_str(c("haproxy", "<134>Feb  6 12:14:14 haproxy[14389]: " HAPROXY), want,
	    "haproxy: RFC 3164 with priority");
	is_str(c("haproxy", "<134>1 2009-02-06T12:14:14.655+00:00 localhost haproxy 14389 - - " HAPROXY), want,
	    "haproxy: RFC 5424");
	is_str(c("haproxy", "2009-02-06T12:14:14.655+00:00 lb1 haproxy[14389]: " HAPROXY), want,
	    "haproxy: rsyslog's file format");
	ok(strstr(c("haproxy", "10.0.1.2:33317 [06/Feb/2009:12:14:14.655] http-in be/<NOSRV> 0/-1/-1/-1/3 503 217 - - SC-- 0/0/0/0/0 0/0 \"GET / HTTP/1.1\""),
	    "\"service\":\"be\",\"method\":\"GET\",\"endpoint\":\"/\",\"status_code\":503,\"latency_ms\":3,") != NULL,
	    "haproxy: no server");
	ok(strstr(c("haproxy", "10.0.1.2:33317 [06/Feb/2009:12:14:14.655] http-in be/s1 -1/0/0/-1/30001 504 194 - - sH-- 1/1/0/0/0 0/0 \"GET /slow HTTP/1.1\""),
	    "\"status_code\":504,\"latency_ms\":30001,") != NULL,
	    "haproxy: a server timeout keeps its time; TR -1 means Ta");
	ok(strstr(c("haproxy", "10.0.1.2:33317 [06/Feb/2009:12:14:14.655] fe~ be/s1 0/0/1/2/+3 200 +10 - - ---- 1/1/0/0/0 0/0 \"GET https://h.example:8443/x?y HTTP/2.0\""),
	    "\"endpoint\":\"/x?y\",\"status_code\":200,\"latency_ms\":3,\"response_size\":10}") != NULL,
	    "haproxy: logasap '+', absolute URI");
	is_str(c("haproxy", "10.0.1.2:33317 [06/Feb/2009:12:14:14.655] fe be/s1 0/0/5001 212 -- 1/1/0/0/0 0/0"),
	    "ERR: '%TR/%Tw/%Tc/%Tr/%Ta' is not five timers in ms: '0/0/5001' (option httplog, not tcplog?)",
	    "haproxy: a tcplog line");
	is_str(c("haproxy", "10.0.1.2:33317 [06/Feb/2009:12:14:14.655] fe be/s1 0/0/0/-1/5 -1 0 - - CC-- 1/1/0/0/0 0/0 \"GET / HTTP/1.1\""),
	    "ERR: '%ST' is not a status in 100..599: '-1'", "haproxy: status -1 (aborted)");
	is_str(c("haproxy", "10.0.1.2:33317 [06/Feb/2009:12:14:14.655] fe be/s1 0/0/0/0/0 400 187 - - PR-- 1/1/0/0/0 0/0 \"<BADREQ>\""),
	    "ERR: request '<BADREQ>' is not METHOD PATH PROTOCOL", "haproxy: <BADREQ>");
	is_str(c("haproxy", "Proxy fe started."),
	    "ERR: not an HAProxy HTTP log line: no '%ci:%cp [%tr]'", "haproxy: a startup message");
	is_str(c("haproxy", "10.0.1.2:33317 [06/Feb/2009:12:14:14.655] fe be/s1 0/0/0/0/99999999999999999999 200 1 - - ---- 1/1/0/0/0 0/0 \"GET / HTTP/1.1\""),
	    "ERR: '%TR/%Tw/%Tc/%Tr/%Ta' is not five timers in ms: '0/0/0/0/99999999999999999999' (option httplog, not tcplog?)",
	    "haproxy: huge timer");
}

static void
envoy(void)
{
	is_str(c("envoy", ENVOY),
	    "{\"timestamp\":\"2016-04-15T20:17:00.310Z\",\"method\":\"POST\",\"endpoint\":\"/api/v1/locations\",\"status_code\":204,\"latency_ms\":100,\"response_size\":0}",
	    "envoy: the documentation's line, upstream service time");
	ok(strstr(c("envoy", "[2016-04-15T20:17:00.310Z] \"GET /slow HTTP/1.1\" 504 UT 0 24 15000 - \"-\" \"curl/8\" \"id\" \"h\" \"10.0.2.1:80\""),
	    "\"status_code\":504,\"latency_ms\":15000,\"response_size\":24}") != NULL,
	    "envoy: no upstream service time: %%DURATION%%");
	is_str(c("envoy", "[2016-04-15T20:17:00.310Z] \"GET / HTTP/1.1\" 0 DC 0 0 3 - \"-\" \"-\" \"-\" \"-\" \"-\""),
	    "ERR: '%RESPONSE_CODE%' is not a status in 100..599: '0'", "envoy: response code 0");
	is_str(c("envoy", "[2016-04-15 20:17:00] \"GET / HTTP/1.1\" 200 - 0 0 3 - \"-\" \"-\" \"-\" \"-\" \"-\""),
	    "{\"timestamp\":\"2016-04-15T20:17:00.000Z\",\"method\":\"GET\",\"endpoint\":\"/\",\"status_code\":200,\"latency_ms\":3,\"response_size\":0}",
	    "envoy: any RFC 3339 start time");
	is_str(c("envoy", "[yesterday] \"GET / HTTP/1.1\" 200 - 0 0 3 - \"-\" \"-\" \"-\" \"-\" \"-\""),
	    "ERR: '%START_TIME%' is not a time like [2016-04-15T20:17:00.310Z]", "envoy: bad time");
	is_str(c("envoy", "[2016-04-15T20:17:00.310Z] \"GET / HTTP/1.1\" 200 - 0 0 1e3 - \"-\" \"-\" \"-\" \"-\" \"-\""),
	    "ERR: '%DURATION%' is not milliseconds: '1e3'", "envoy: bad duration");
}

static void
alb(void)
{
	is_str(c("alb", ALB),
	    "{\"timestamp\":\"2018-07-02T22:23:00.186Z\",\"method\":\"GET\",\"endpoint\":\"/\",\"status_code\":200,\"latency_ms\":1,\"response_size\":366}",
	    "alb: the documentation's HTTP line, target time");
	is_str(c("alb", "https 2018-07-02T22:23:00.186641Z app/my-loadbalancer/50dc6c495c0c9188 192.168.131.39:2817 10.0.0.1:80 0.086 0.048 0.037 200 200 0 57 \"GET https://www.example.com:443/api/x?y=1 HTTP/1.1\" \"curl/7.46.0\" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067 \"Root=1-58337281-1d84f3d73c47ec4e58577259\" \"www.example.com\" \"arn:aws:acm:us-east-2:123456789012:certificate/12345678-1234-1234-1234-123456789012\" 1 2018-07-02T22:22:48.364000Z \"authenticate,forward\" \"-\" \"-\" \"10.0.0.1:80\" \"200\" \"-\" \"-\""),
	    "{\"timestamp\":\"2018-07-02T22:23:00.186Z\",\"method\":\"GET\",\"endpoint\":\"/api/x?y=1\",\"status_code\":200,\"latency_ms\":48,\"response_size\":57}",
	    "alb: the documentation's HTTPS line, absolute URL to path");
	is_str(c("alb", "http 2018-07-02T22:23:00.186641Z app/my-loadbalancer/50dc6c495c0c9188 192.168.131.39:2817 - -1 -1 -1 502 - 34 366 \"GET http://www.example.com:80/ HTTP/1.1\" \"curl/7.46.0\" - - - \"Root=1-58337262-36d228ad5d99923122bbe354\" \"-\" \"-\" 0 2018-07-02T22:22:48.364000Z \"forward\" \"-\" \"-\" \"-\" \"-\" \"-\" \"-\""),
	    "{\"timestamp\":\"2018-07-02T22:23:00.186Z\",\"method\":\"GET\",\"endpoint\":\"/\",\"status_code\":502,\"latency_ms\":11822,\"response_size\":366}",
	    "alb: no target reached: time - request_creation_time");
	ok(strstr(edited("alb", ALB, "http://www.example.com:80/", "https://h.example?q=1"),
	    "\"endpoint\":\"/?q=1\"") != NULL, "alb: a target with a query and no path");
	is_str(c("alb", "http 2018-07-02T22:23:00.186641Z app/lb/1 1.2.3.4:5 - -1 -1 -1 - - 34 366 \"GET http://www.example.com:80/ HTTP/1.1\" \"-\" - - - \"-\" \"-\" \"-\" 0 2018-07-02T22:22:48.364000Z"),
	    "ERR: 'elb_status_code' is not a status in 100..599: '-'", "alb: no status");
	is_str(c("alb", "http 2018-07-02T22:23:00.186641Z app/lb/1 1.2.3.4:5 - -1 -1 -1 400 - 34 366 \"- http://www.example.com:80- -\" \"-\" - - - \"-\" \"-\" \"-\" 0 2018-07-02T22:22:48.364000Z"),
	    "ERR: request '- http://www.example.com:80- -' is not METHOD PATH PROTOCOL",
	    "alb: a malformed request");
}

/* Every prefix of a good line shorter than need bytes is a bad line. */
static void
truncated(const char *fmt, const char *line, size_t need)
{
	int bad = 0;

	for (size_t n = 0; n < need; n++) {
		char *copy = malloc(n + 1);
		memcpy(copy, line, n);
		copy[n] = '\0';
		if (strncmp(conv(fmt, NULL, copy, n), "ERR: ", 5) != 0) {
			if (bad++ == 0)
				printf("# %s accepted %zu bytes: %s\n", fmt, n, copy);
		}
		free(copy);
	}
	ok(bad == 0 && strncmp(conv(fmt, NULL, line, strlen(line)), "ERR: ", 5) != 0,
	    "%s: every line cut short of %zu bytes is bad, the whole one good", fmt, need);
}

static void
truncation(void)
{
	truncated("nginx", NGINX "0.021 0.020", strlen(NGINX) + 1);
	truncated("apache", APACHE "1234", strlen(APACHE) + 1);
	truncated("haproxy", HAPROXY, strlen(HAPROXY));
	truncated("envoy", ENVOY, strlen(ENVOY));
	truncated("alb", ALB, strlen(ALB) - strlen(ALB_TAIL) + strlen(" \"forward\""));
	truncated("nginx-json", NJSON, strlen(NJSON));
}

/* Invalid UTF-8, a control byte and a huge number in every format. */
static void
hostile(void)
{
	static const struct {
		const char *fmt, *line, *path, *bytes, *huge;
	} t[] = {
		{ "nginx", NGINX "0.021 0.020", "/api/orders/12?x=1", " 612 ",
		  "'$body_bytes_sent' is not a byte count" },
		{ "nginx-json", NJSON, "/api/x?y=1", ":612}", "'bytes' is not a byte count" },
		{ "apache", APACHE "1234", "/apache_pb.gif", " 2326 ", "'%b' is not a byte count" },
		{ "haproxy", HAPROXY, "/index.html", " 2750 ", "'%B' is not a byte count" },
		{ "envoy", ENVOY, "/api/v1/locations", " 154 0 ", "'%BYTES_SENT%' is not a byte count" },
		{ "alb", ALB, "http://www.example.com:80/", " 34 366 ", "'sent_bytes' is not a byte count" },
	};
	char big[64];

	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		const char *r = edited(t[i].fmt, t[i].line, t[i].path, "/caf\xc3");
		ok(strncmp(r, "ERR: ", 5) == 0 && (strstr(r, "not valid UTF-8") != NULL ||
		    strstr(r, "invalid UTF-8") != NULL), "%s: invalid UTF-8 in the path (%s)", t[i].fmt, r);
		r = edited(t[i].fmt, t[i].line, t[i].path, "/a\001b");
		ok(strncmp(r, "ERR: ", 5) == 0 && strstr(r, "control character") != NULL,
		    "%s: a control byte in the path (%s)", t[i].fmt, r);
		/* The byte count, the last number of the replaced text. */
		const char *b = t[i].bytes;
		size_t keep = strlen(b);
		while (keep > 0 && (b[keep - 1] < '0' || b[keep - 1] > '9'))
			keep--;
		while (keep > 0 && b[keep - 1] >= '0' && b[keep - 1] <= '9')
			keep--;
		snprintf(big, sizeof big, "%.*s99999999999999999999%s", (int)keep, b,
		    b + strspn(b + keep, "0123456789") + keep);
		r = edited(t[i].fmt, t[i].line, t[i].bytes, big);
		ok(strncmp(r, "ERR: ", 5) == 0 && strstr(r, t[i].huge) != NULL,
		    "%s: a 20-digit byte count (%s)", t[i].fmt, r);
	}
}

/*
 * Mutated sample lines (bytes replaced, deleted, duplicated, the line
 * cut), deterministic: every result is an event with members in range or
 * an error whose message is valid UTF-8, which ingestd puts in a JSON
 * reply as it is.
 */
static void
mutations(const char *fmt, const char *line)
{
	static const char pick[] = " \"[]/:.-0123456789\\\xff\xc3\x01{}aZ";
	uint32_t x = 2463534242u;
	size_t len = strlen(line), events = 0, bad = 0;
	char buf[1024];

	for (int i = 0; i < 20000; i++) {
		size_t n = len;
		memcpy(buf, line, len);
		for (int k = 0; k < 1 + i % 4 && n > 1; k++) {
			x ^= x << 13; x ^= x >> 17; x ^= x << 5;
			size_t at = x % n;
			switch ((x >> 8) % 4) {
			case 0: buf[at] = pick[(x >> 12) % (sizeof pick - 1)]; break;
			case 1: memmove(buf + at, buf + at + 1, n - at - 1); n--; break;
			case 2: if (n < sizeof buf - 1) { memmove(buf + at + 1, buf + at, n - at); n++; } break;
			case 3: n = at + 1; break;
			}
		}
		struct sb_evread rd;
		char err[160];
		long type;
		sb_evread_init(&rd, sb_logfmt_find(fmt, &(int){0}), NULL);
		if (sb_evread_parse(&rd, buf, n, &type, err, sizeof err) == SB_EV_EVENT) {
			events++;
			if (rd.ev.status < 100 || rd.ev.status > 599 || !(rd.ev.latency_ms >= 0) ||
			    rd.ev.endpoint.len == 0 ||
			    !sb_utf8_valid(rd.ev.endpoint.s, rd.ev.endpoint.len) ||
			    !sb_utf8_valid(rd.ev.method.s ? rd.ev.method.s : "", rd.ev.method.len) ||
			    !rd.ev.has_time)
				bad++;
		} else if (!sb_utf8_valid(err, strlen(err)) || err[0] == '\0') {
			bad++;
		}
		sb_evread_free(&rd);
	}
	ok(bad == 0, "%s: 20000 mutated lines, %zu read as events, all in range, "
	    "every message UTF-8", fmt, events);
}

static void
table(void)
{
	int known;

	ok(sb_logfmt_find("json", &known) == NULL && known, "json is the default, known");
	ok(sb_logfmt_find("nginx", &known) != NULL && known, "nginx is known");
	ok(sb_logfmt_find("iis", &known) == NULL && !known, "iis is not");

	/* JSON, the default: events, other records, bad lines as ever. */
	struct sb_evread rd;
	char err[160];
	long type;
	const char *rec = "{\"type\":\"window\",\"key\":\"x\"}";
	const char *ev = "{\"ts\":1795701787125,\"path\":\"/x\",\"status\":\"404\",\"latency\":2.5}";
	struct sb_buf b = SB_BUF_INIT;

	sb_evread_init(&rd, NULL, NULL);
	ok(sb_evread_parse(&rd, rec, strlen(rec), &type, err, sizeof err) == SB_EV_RECORD &&
	    type >= 0 && sb_json_streq(&rd.js, (size_t)type, "window"), "json: a window is another record");
	ok(sb_evread_parse(&rd, ev, strlen(ev), &type, err, sizeof err) == SB_EV_EVENT && type == -1,
	    "json: an event with aliases");
	sb_event_json(&rd.ev, &b);
	is_str(b.s, "{\"timestamp\":\"2026-11-26T14:03:07.125Z\",\"endpoint\":\"/x\",\"status_code\":404,\"latency_ms\":2.5}\n",
	    "json: the event written back with canonical names");
	ok(sb_evread_parse(&rd, "[1]", 3, &type, err, sizeof err) == -1 &&
	    strcmp(err, "not a JSON object") == 0, "json: not an object");
	ok(sb_evread_parse(&rd, "{\"type\":1}", 10, &type, err, sizeof err) == -1 &&
	    strcmp(err, "'type' is not a string") == 0, "json: 'type' not a string");
	ok(sb_evread_parse(&rd, "{\"endpoint\":\"/\"", 15, &type, err, sizeof err) == -1 &&
	    strncmp(err, "invalid JSON: ", 14) == 0, "json: truncated (%s)", err);
	ok(sb_evread_parse(&rd, "{\"endpoint\":\"/\",\"status_code\":200}", 34, &type, err,
	    sizeof err) == -1 && strcmp(err, "missing 'latency_ms'") == 0, "json: the event's own messages");
	sb_evread_free(&rd);
	sb_buf_free(&b);

	int64_t ms;
	ok(sb_time_parse_clf("10/Oct/2000:13:55:36 -0700", 26, &ms) == 0 &&
	    ms == 971211336000LL, "CLF time with an offset");
	ok(sb_time_parse_clf("06/Feb/2009:12:14:14.655", 24, &ms) == 0 &&
	    ms == 1233922454655LL, "CLF time with milliseconds, no zone is UTC");
	ok(sb_time_parse_clf("29/Feb/2001:00:00:00 +0000", 26, &ms) == -1, "no 29 February 2001");
	ok(sb_time_parse_clf("10/oct/2000:13:55:36 -0700", 26, &ms) == -1, "month names are exact");
	ok(sb_time_parse_clf("10/Oct/2000:13:55:36 -07", 24, &ms) == -1, "short offset");
}

int
main(void)
{
	table();
	nginx();
	apache();
	haproxy();
	envoy();
	alb();
	truncation();
	hostile();
	mutations("nginx", NGINX "0.021 0.020");
	mutations("nginx-json", NJSON);
	mutations("apache", APACHE "1234");
	mutations("haproxy", "<134>Feb  6 12:14:14 haproxy[14389]: " HAPROXY);
	mutations("envoy", ENVOY);
	mutations("alb", ALB);
	return done_testing();
}
