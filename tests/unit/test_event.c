/*
 * test_event.c - endpoint normalisation, series keys and event validation.
 */
#include <string.h>

#include "endpoint.h"
#include "event.h"
#include "json.h"
#include "../tap.h"

static const char *
norm(const char *path)
{
	static struct sb_buf b;

	sb_buf_reset(&b);
	sb_endpoint_normalize(path, strlen(path), &b);
	return b.s != NULL ? b.s : "";
}

static void
normalisation(void)
{
	is_str(norm("/api/orders/8812"), "/api/orders/{id}", "numeric id");
	is_str(norm("/api/orders/8812/items/3"), "/api/orders/{id}/items/{id}", "two ids");
	is_str(norm("/api/users/550e8400-e29b-41d4-a716-446655440000"),
	    "/api/users/{id}", "UUID");
	is_str(norm("/api/users/550E8400-E29B-41D4-A716-446655440000/x"),
	    "/api/users/{id}/x", "upper-case UUID");
	is_str(norm("/blob/0123456789abcdef"), "/blob/{id}", "16 hex digits");
	is_str(norm("/blob/0123456789abcde"), "/blob/0123456789abcde", "15 hex digits stay");
	is_str(norm("/api/v1/orders"), "/api/v1/orders", "v1 stays");
	is_str(norm("/api/orders?id=5&x=7"), "/api/orders", "query dropped");
	is_str(norm("/api/orders/5#frag"), "/api/orders/{id}", "fragment dropped");
	is_str(norm("/"), "/", "root");
	is_str(norm("/api/orders/"), "/api/orders/", "trailing slash kept");
	is_str(norm("//x//1"), "//x//{id}", "empty segments kept");
	is_str(norm("/caf\xc3\xa9/12"), "/caf\xc3\xa9/{id}", "UTF-8 kept");
	is_str(norm("12345"), "{id}", "relative id");

	struct sb_buf k = SB_BUF_INIT;
	sb_series_key("checkout", "get", "/a", &k);
	is_str(k.s, "checkout GET /a", "service METHOD endpoint");
	sb_buf_reset(&k);
	sb_series_key("", "", "/a", &k);
	is_str(k.s, "/a", "endpoint alone");
	sb_buf_reset(&k);
	sb_series_key(NULL, "Post", "/a", &k);
	is_str(k.s, "POST /a", "method alone");
	sb_buf_free(&k);
}

/* Parses line and reads it as an event; returns the error or "". */
static const char *
read_event(const char *line, struct sb_event *ev)
{
	static char err[160];
	struct sb_json js;

	sb_json_init(&js);
	err[0] = '\0';
	if (sb_json_parse(&js, line, strlen(line)) == -1)
		strcpy(err, "invalid JSON");
	else if (sb_event_read(ev, &js, 0, err, sizeof err) == 0)
		strcpy(err, "");
	sb_json_free(&js);
	return err;
}

static void
events(void)
{
	struct sb_event ev;

	sb_event_init(&ev);
	is_str(read_event("{\"timestamp\":\"2026-11-26T14:03:07.125Z\","
	    "\"endpoint\":\"/api/orders/1\",\"status_code\":503,"
	    "\"latency_ms\":812.4,\"response_size\":1031,"
	    "\"error_message\":\"upstream timeout\",\"extra\":[1,{}]}", &ev),
	    "", "the original schema");
	ok(ev.has_time && ev.time == 1795701787125LL, "its time");
	ok(ev.status == 503 && ev.latency_ms == 812.4, "its status and latency");
	ok(ev.has_bytes && ev.bytes == 1031, "its size");
	is_str(ev.endpoint.s, "/api/orders/1", "its endpoint, not normalised");

	is_str(read_event("{\"ts\":1795701787,\"path\":\"/p\",\"status\":\"200\","
	    "\"duration_ms\":\"5.5\",\"bytes\":10,\"method\":\"get\","
	    "\"service\":\"s\"}", &ev), "", "aliases and numeric strings");
	ok(ev.time == 1795701787000LL && ev.status == 200 &&
	    ev.latency_ms == 5.5 && ev.bytes == 10, "alias values");
	is_str(ev.method.s, "get", "method as given");
	is_str(ev.service.s, "s", "service");

	is_str(read_event("{\"endpoint\":\"/e\",\"route\":\"/r\",\"status_code\":200,"
	    "\"latency_ms\":1,\"latency\":2}", &ev), "", "canonical and alias");
	ok(strcmp(ev.endpoint.s, "/e") == 0 && ev.latency_ms == 1,
	    "the canonical name wins over an alias");
	ok(!ev.has_time, "no time");
	is_str(read_event("{\"endpoint\":\"/a\",\"endpoint\":\"/b\",\"status_code\":200,"
	    "\"latency_ms\":1}", &ev), "", "a repeated member");
	is_str(ev.endpoint.s, "/b", "the last repeat wins, as in jansson");
	is_str(read_event("{\"\\u0065ndpoint\":\"/\\u00e9\",\"status_code\":200.0,"
	    "\"latency_ms\":0}", &ev), "", "escaped names and integral floats");
	is_str(ev.endpoint.s, "/\xc3\xa9", "unescaped endpoint");

	is_str(read_event("{\"status_code\":200,\"latency_ms\":1}", &ev),
	    "missing 'endpoint'", "missing endpoint");
	is_str(read_event("{\"endpoint\":\"/a\",\"latency_ms\":1}", &ev),
	    "missing 'status_code'", "missing status");
	is_str(read_event("{\"endpoint\":\"/a\",\"status_code\":200}", &ev),
	    "missing 'latency_ms'", "missing latency");
	is_str(read_event("{\"endpoint\":\"\",\"status_code\":200,\"latency_ms\":1}", &ev),
	    "'endpoint' is empty", "empty endpoint");
	is_str(read_event("{\"path\":7,\"status_code\":200,\"latency_ms\":1}", &ev),
	    "'path' is not a string", "the alias is named as spelled");
	is_str(read_event("{\"endpoint\":\"/a\",\"status\":99,\"latency_ms\":1}", &ev),
	    "'status' is not an integer in 100..599", "status 99");
	is_str(read_event("{\"endpoint\":\"/a\",\"status_code\":true,\"latency_ms\":1}", &ev),
	    "'status_code' is not an integer in 100..599", "status true");
	is_str(read_event("{\"endpoint\":\"/a\",\"status_code\":200,\"latency\":\"x\"}", &ev),
	    "'latency' is not a number", "latency x");
	is_str(read_event("{\"endpoint\":\"/a\",\"status_code\":200,\"latency_ms\":-0.1}", &ev),
	    "'latency_ms' is negative", "negative latency");
	is_str(read_event("{\"endpoint\":\"/a\",\"status_code\":200,\"latency_ms\":1e400}", &ev),
	    "'latency_ms' is out of range", "overflowing latency");
	is_str(read_event("{\"endpoint\":\"/a\",\"status_code\":200,\"latency_ms\":null}", &ev),
	    "'latency_ms' is not a number", "null latency");
	is_str(read_event("{\"endpoint\":\"/a\",\"status_code\":200,\"latency_ms\":1,"
	    "\"time\":\"soon\"}", &ev),
	    "'time' is not an RFC 3339 time or epoch number", "bad time");
	is_str(read_event("{\"endpoint\":\"/a\",\"status_code\":200,\"latency_ms\":1,"
	    "\"bytes\":-1}", &ev), "'bytes' is not a number >= 0", "negative size");
	is_str(read_event("{\"endpoint\":\"/a\",\"status_code\":200,\"latency_ms\":1,"
	    "\"method\":[]}", &ev), "'method' is not a string", "method array");
	is_str(read_event("[]", &ev), "not a JSON object", "array");
	is_str(read_event("{\"endpoint\":\"/a\",\"status_code\":200,\"latency_ms\":\"0x10\"}", &ev),
	    "'latency_ms' is not a number", "a hex string is not a number");
	is_str(read_event("{\"endpoint\":\"/a\",\"status_code\":200,\"latency_ms\":\"inf\"}", &ev),
	    "'latency_ms' is not a number", "\"inf\" is not a number");
	is_str(read_event("{\"endpoint\":\"/a\",\"status_code\":200,\"latency_ms\":\" 5\"}", &ev),
	    "'latency_ms' is not a number", "a padded string is not a number");

	char big[5000];
	memset(big, 'a', sizeof big);
	memcpy(big, "{\"endpoint\":\"/", 14);
	strcpy(big + 4000, "\",\"status_code\":200,\"latency_ms\":1}");
	is_str(read_event(big, &ev), "'endpoint' is longer than 2048 bytes",
	    "a huge endpoint is refused");
	sb_event_free(&ev);
}

/* The names lib/store.c looks the time and endpoint up by. */
static void
names(void)
{
	is_str(sb_event_time_name(0), "timestamp", "time: canonical first");
	is_str(sb_event_time_name(1), "ts", "then ts");
	is_str(sb_event_time_name(2), "time", "then time");
	ok(sb_event_time_name(3) == NULL, "no fourth time name");
	is_str(sb_event_endpoint_name(0), "endpoint", "endpoint first");
	is_str(sb_event_endpoint_name(2), "route", "route last");
	ok(sb_event_endpoint_name(3) == NULL, "no fourth endpoint name");
	ok(sb_event_time_name(-1) == NULL, "no negative rank");
}

int
main(void)
{
	normalisation();
	events();
	names();
	return done_testing();
}
