/*
 * tool_aggregate_state.c - aggregate's engine saved and loaded
 * (window.h agg_save/agg_load, aggstate.h): a stream of random events cut
 * anywhere, the engine saved there and loaded into a new one, gives the
 * output of the uncut engine byte for byte, and a loaded state saves to
 * the same bytes; the gate's held records and --merge's parts round-trip
 * too.  Prints the time to save and load 20,000 series.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "gate.h"
#include "../../tools/aggregate/aggstate.h"
#include "../../tools/aggregate/merge.h"
#include "../../tools/aggregate/window.h"
#include "../tap.h"

#define NEV	6000

static uint64_t rng = 88172645463325252ULL;

static uint64_t
next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

struct ev {
	int64_t		 t;
	int		 key;
	int		 status;
	double		 latency;
	int		 has_bytes;
	double		 bytes;
};

static struct ev evs[NEV];

/* Mostly in order, some up to 40 s late, a few gaps past --expire. */
static void
make_events(void)
{
	int64_t t = 1795687200000LL;

	for (int i = 0; i < NEV; i++) {
		t += (int64_t)(next() % 400);
		if (next() % 1500 == 0)
			t += 200000;
		evs[i].t = t - (next() % 20 == 0 ? (int64_t)(next() % 40000) : 0);
		evs[i].key = (int)(next() % 30);
		evs[i].status = next() % 25 == 0 ? 400 + (int)(next() % 200) : 200;
		evs[i].latency = (double)(next() % 100000) / 97.0;
		if (next() % 50 == 0)
			evs[i].latency = 0;
		evs[i].has_bytes = next() % 3 != 0;
		evs[i].bytes = (double)(next() % 5000) / 3.0;
	}
}

static const struct agg_config cfg = {
	.widths = { 10000, 60000, 300000 }, .nwidths = 3, .lateness = 20000,
	.expire = 120000, .max_keys = 12, .normalize = 1, .emit_sketch = 1,
};

static void
feed(struct agg *a, int from, int to, struct sb_buf *out)
{
	struct sb_event e;

	sb_event_init(&e);
	for (int i = from; i < to; i++) {
		sb_buf_reset(&e.endpoint);
		sb_buf_printf(&e.endpoint, "/api/e%d", evs[i].key);
		sb_buf_reset(&e.service);
		sb_buf_printf(&e.service, "s%d", evs[i].key % 4);
		sb_buf_reset(&e.method);
		sb_buf_puts(&e.method, evs[i].key % 2 ? "get" : "POST");
		e.has_time = 1;
		e.time = evs[i].t;
		e.status = evs[i].status;
		e.latency_ms = evs[i].latency;
		e.has_bytes = evs[i].has_bytes;
		e.bytes = evs[i].bytes;
		agg_add(a, &e, out);
	}
	sb_event_free(&e);
}

/* The engine through a state: its state text, loaded into a new one. */
static struct agg *
reload(struct agg *a, struct sb_buf *text, int *same)
{
	struct sb_gate g, g2;
	struct aggstate st = { a, NULL, &g }, st2;
	struct sb_buf again = SB_BUF_INIT;
	struct agg *b = agg_new(&cfg);
	char err[300];

	sb_gate_init(&g, 0, "event", NULL, NULL);
	sb_gate_init(&g2, 0, "event", NULL, NULL);
	sb_buf_reset(text);
	aggstate_write(&st, text);
	st2 = (struct aggstate){ b, NULL, &g2 };
	if (aggstate_read(&st2, "state", text->s, text->len, 0, err,
	    sizeof err) == -1) {
		printf("# %s\n", err);
		*same = 0;
	} else {
		aggstate_write(&st2, &again);
		*same = again.len == text->len &&
		    memcmp(again.s, text->s, text->len) == 0;
	}
	sb_buf_free(&again);
	sb_gate_free(&g);
	sb_gate_free(&g2);
	agg_free(a);
	return b;
}

static void
test_cuts(void)
{
	struct sb_buf whole = SB_BUF_INIT, cut = SB_BUF_INIT, text = SB_BUF_INIT;
	struct agg *a = agg_new(&cfg);
	int bad_out = 0, bad_text = 0, cuts = 0;

	feed(a, 0, NEV, &whole);
	agg_finish(a, &whole);
	ok(agg_stats(a)->late > 0 && agg_stats(a)->other > 0,
	    "the stream has late events (%llu) and (other) events (%llu)",
	    (unsigned long long)agg_stats(a)->late,
	    (unsigned long long)agg_stats(a)->other);
	agg_free(a);
	for (int p = 0; p <= NEV; p += 1 + (int)(next() % 300), cuts++) {
		int same;

		sb_buf_reset(&cut);
		a = agg_new(&cfg);
		feed(a, 0, p, &cut);
		a = reload(a, &text, &same);
		bad_text += !same;
		/* Twice: a state loaded from a loaded state. */
		a = reload(a, &text, &same);
		bad_text += !same;
		feed(a, p, NEV, &cut);
		agg_finish(a, &cut);
		agg_free(a);
		if (cut.len != whole.len || memcmp(cut.s, whole.s, whole.len) != 0)
			bad_out++;
	}
	is_int(bad_out, 0, "%d cuts: the output through a state is the whole's",
	    cuts);
	is_int(bad_text, 0, "a loaded state saves to the same bytes");
	sb_buf_free(&whole);
	sb_buf_free(&cut);
	sb_buf_free(&text);
}

/* A filter's line(): the record "t=MS ..." passes its gate and counts. */
struct filter {
	struct sb_gate	 g;
	int		 n;
};

static int
line_count(void *ctx, struct sb_reader *in, char *s, size_t n)
{
	struct filter *f = ctx;
	char t[32];

	snprintf(t, sizeof t, "%.*s", (int)(n < 31 ? n : 31), s);
	switch (sb_gate_check(&f->g, in, strtoll(t + 2, NULL, 10), s, n)) {
	case SB_GATE_AGAIN:
		return line_count(ctx, in, s, n);
	case SB_GATE_PASS:
		f->n++;
		break;
	}
	return 0;
}

/* Held records, one not UTF-8, survive a state and are released. */
static void
test_gate(void)
{
	static struct filter f, f2;
	static const char *const rec[] = {
		"t=1000", "t=2000", "t=9000000 \xff\"", "t=9000001"
	};
	struct sb_reader in;
	struct sb_buf text = SB_BUF_INIT, again = SB_BUF_INIT;
	struct agg *a = agg_new(&cfg), *b = agg_new(&cfg);
	struct aggstate st = { a, NULL, &f.g }, st2 = { b, NULL, &f2.g };
	char err[300];

	memset(&in, 0, sizeof in);
	in.name = "stdin";
	sb_gate_init(&f.g, 3600000, "event", line_count, &f);
	sb_gate_init(&f2.g, 3600000, "event", line_count, &f2);
	for (int i = 0; i < 4; i++) {
		in.lineno = (uint64_t)i + 1;
		line_count(&f, &in, (char *)rec[i], strlen(rec[i]));
	}
	is_int(f.n, 2, "two records passed");
	is_int(f.g.nheld, 2, "two records held");
	aggstate_write(&st, &text);
	ok(aggstate_read(&st2, "state", text.s, text.len, 0, err,
	    sizeof err) == 0, "the state with held records loads");
	aggstate_write(&st2, &again);
	ok(again.len == text.len && memcmp(again.s, text.s, text.len) == 0,
	    "and saves to the same bytes");
	ok(strstr(text.s, "\"hex\":\"743d3930303030303020ff22\"") != NULL,
	    "a record that is not UTF-8 is saved in hex");
	is_int(f2.g.nheld, 2, "two records held after the load");
	ok(f2.g.held[0].n == strlen(rec[2]) &&
	    memcmp(f2.g.held[0].s, rec[2], f2.g.held[0].n) == 0,
	    "the record that is not UTF-8 comes back byte for byte");
	is_str(f2.g.held[1].file, "stdin", "with its file");
	is_int(f2.g.held[1].lineno, 4, "and line");
	is_int(f2.g.newest, f.g.newest, "the gate's clock comes back");
	in.lineno = 5;
	line_count(&f2, &in, "t=9000002", 9);
	is_int(f2.n, 3, "the third record ahead releases the two held");
	sb_gate_free(&f.g);
	sb_gate_free(&f2.g);
	agg_free(a);
	agg_free(b);
	sb_buf_free(&text);
	sb_buf_free(&again);
}

static void
test_merge(void)
{
	struct sb_buf w = SB_BUF_INIT, text = SB_BUF_INIT, out1 = SB_BUF_INIT,
	    out2 = SB_BUF_INIT;
	struct agg *a = agg_new(&cfg);
	struct merge *m = merge_new(), *m2 = merge_new();
	struct aggstate st = { a, m, NULL }, st2 = { a, m2, NULL };
	struct sb_json js;
	char err[300], *p, *nl;

	feed(a, 0, 2000, &w);
	agg_finish(a, &w);
	sb_json_init(&js);
	for (p = w.s; p < w.s + w.len; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(w.s + w.len - p));
		if (sb_json_parse(&js, p, (size_t)(nl - p)) == -1 ||
		    merge_add(m, &js, err, sizeof err) == -1) {
			printf("# %s\n", err);
			break;
		}
	}
	aggstate_write(&st, &text);
	ok(aggstate_read(&st2, "state", text.s, text.len, 0, err,
	    sizeof err) == 0, "a merge's state loads");
	merge_finish(m, 1, &out1);
	merge_finish(m2, 1, &out2);
	ok(out1.len > 0 && out1.len == out2.len &&
	    memcmp(out1.s, out2.s, out1.len) == 0,
	    "and merges to the same bytes");
	sb_json_free(&js);
	merge_free(m);
	merge_free(m2);
	agg_free(a);
	sb_buf_free(&w);
	sb_buf_free(&text);
	sb_buf_free(&out1);
	sb_buf_free(&out2);
}

static double
seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* 20,000 series with 30 events each in their open minute. */
static void
test_size(void)
{
	struct agg_config c = {
		.widths = { 60000 }, .nwidths = 1, .lateness = 5000,
		.expire = 21600000, .max_keys = 20000, .normalize = 1,
	};
	struct agg *a = agg_new(&c), *b = agg_new(&c);
	struct sb_gate g;
	struct aggstate st = { a, NULL, &g }, st2 = { b, NULL, &g };
	struct sb_buf text = SB_BUF_INIT, out = SB_BUF_INIT;
	struct sb_event e;
	double t0, t1, t2;
	char err[300];
	int rc;

	sb_gate_init(&g, 0, "event", NULL, NULL);
	sb_event_init(&e);
	for (int i = 0; i < 20000 * 30; i++) {
		int k = (int)(next() % 20000);
		sb_buf_reset(&e.endpoint);
		sb_buf_printf(&e.endpoint, "/api/ep%d/items", k);
		sb_buf_reset(&e.service);
		sb_buf_printf(&e.service, "svc%d", k % 50);
		sb_buf_reset(&e.method);
		sb_buf_puts(&e.method, "GET");
		e.has_time = 1;
		e.time = 1795687200000LL + i / 11;
		e.status = next() % 100 == 0 ? 503 : 200;
		/* Lognormal-ish: a product of uniforms around 100 ms. */
		e.latency_ms = 100 * (0.5 + (double)(next() % 1000) / 1000) *
		    (0.5 + (double)(next() % 1000) / 1000) * 1.6;
		e.has_bytes = 1;
		e.bytes = (double)(200 + next() % 2000);
		agg_add(a, &e, &out);
	}
	sb_event_free(&e);
	t0 = seconds();
	aggstate_write(&st, &text);
	t1 = seconds();
	rc = aggstate_read(&st2, "state", text.s, text.len, 0, err, sizeof err);
	t2 = seconds();
	ok(rc == 0 && agg_stats(b)->keys == 20000, "20,000 series load");
	printf("# 20000 series: %zu bytes (%zu a series), written in %.0f ms, "
	    "read in %.0f ms\n", text.len, text.len / 20000,
	    (t1 - t0) * 1000, (t2 - t1) * 1000);
	sb_gate_free(&g);
	agg_free(a);
	agg_free(b);
	sb_buf_free(&text);
	sb_buf_free(&out);
}

int
main(void)
{
	make_events();
	test_cuts();
	test_gate();
	test_merge();
	test_size();
	return done_testing();
}
