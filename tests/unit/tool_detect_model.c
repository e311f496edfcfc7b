/*
 * tool_detect_model.c - detect's engine without its main: the statistics
 * model.h exposes, the SLO latency share, a series fed windows through
 * series_update(), the table of detectors and the named members of their
 * state written and read back (tools/detect/detector.h).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "json.h"
#include "sigrec.h"
#include "../../tools/detect/detector.h"
#include "../tap.h"

static int
near(double a, double b, double tol)
{
	return fabs(a - b) <= tol * fmax(1, fabs(b));
}

static void
test_stats(void)
{
	double e2 = exp(-2);

	ok(near(binom_upper(1, 10, 0.1), 1 - pow(0.9, 10), 1e-12),
	    "binom_upper: P(X >= 1), n 10, p 0.1 is 1 - 0.9^10");
	ok(near(binom_upper(3, 5, 0.5), 0.5, 1e-12),
	    "binom_upper: P(X >= 3), n 5, p 0.5 is 16/32");
	ok(binom_upper(0, 5, 0.5) == 1 && binom_upper(6, 5, 0.5) == 0,
	    "binom_upper: k 0 is 1, k > n is 0");
	ok(binom_upper(2, 5, 0) == 0 && binom_upper(2, 5, 1) == 1,
	    "binom_upper: p 0 and p 1");
	ok(near(poisson_upper(1, 2), 1 - e2, 1e-10),
	    "poisson_upper: P(X >= 1), mu 2 is 1 - e^-2");
	ok(near(poisson_upper(3, 2), 1 - 5 * e2, 1e-10),
	    "poisson_upper: P(X >= 3), mu 2 is 1 - 5e^-2");
	ok(near(poisson_lower(2, 2), 5 * e2, 1e-10),
	    "poisson_lower: P(X <= 2), mu 2 is 5e^-2");
	ok(near(poisson_lower(9, 7.5) + poisson_upper(10, 7.5), 1, 1e-10),
	    "poisson: P(X <= 9) + P(X >= 10) is 1");
	ok(poisson_upper(0, 3) == 1 && poisson_upper(2, 0) == 0 &&
	    poisson_lower(-1, 3) == 0 && poisson_lower(2, 0) == 1,
	    "poisson: the edges");
	ok(near(slo_slow_share(100, 300, 600, 100), 0.5, 1e-12),
	    "slo_slow_share: half the requests are slower than p50");
	ok(near(slo_slow_share(100, 300, 600, 300), 0.05, 1e-9),
	    "slo_slow_share: 5%% slower than p95");
	ok(near(slo_slow_share(100, 300, 600, 600), 0.01, 1e-9),
	    "slo_slow_share: 1%% slower than p99");
	ok(slo_slow_share(100, 300, 600, 5000) < 0.01 &&
	    slo_slow_share(100, 300, 600, 10) > 0.5,
	    "slo_slow_share: beyond both ends");
}

static void
config(struct model_config *c)
{
	model_defaults(c);
	c->metric[0] = (struct metric_def){ "count", "count", MK_COUNT, 0, 0 };
	c->metric[1] = (struct metric_def){ "errors", "error_rate", MK_ERRORS,
	    0, 0 };
	c->metric[2] = (struct metric_def){ "latency_ms.p50", "latency_p50",
	    MK_LOG, 1, 0 };
	c->nmetric = 3;
	model_finish(c);
}

/* A minute window from minute t: count requests, errors, p50 ms. */
static void
window(struct obs *o, int64_t t, int64_t count, int64_t errors, double p50)
{
	memset(o, 0, sizeof *o);
	o->start = 1767225600000LL + t * 60000;
	o->width = 60000;
	o->has_count = 1;
	o->count = count;
	o->errors = errors;
	o->x[0] = (double)count;
	o->has[0] = o->has[1] = o->has[2] = 1;
	o->x[2] = p50;
}

static void
test_series(void)
{
	struct model_config c;
	struct signal sig[MODEL_MAX_SIGNALS];
	struct series *s;
	struct obs o;
	int n, t, drop = 0, floor = 0, other = 0;

	config(&c);
	s = series_new(&c, "svc GET /a", 10, 60000);
	is_str(s->key, "svc GET /a", "series_new copies the key");
	ok(isnan(series_baseline(&c, s, 0, 0, 60000)),
	    "no baseline before the warm-up");
	for (t = 0; t < 60; t++) {
		window(&o, t, 1000 + (t % 3) * 10, 1 + t % 2, 200 + t % 5);
		n = series_update(&c, s, &o, sig);
		if (n != 0)
			break;
	}
	is_int(t, 60, "an hour of steady windows: no signal");
	ok(near(series_baseline(&c, s, 0, o.start, 60000), 1010, 0.01),
	    "the count's baseline is about 1010 (%g)",
	    series_baseline(&c, s, 0, o.start, 60000));
	ok(near(series_baseline(&c, s, 2, o.start, 60000), 202, 0.02),
	    "the median's baseline is about 202 ms (%g)",
	    series_baseline(&c, s, 2, o.start, 60000));
	/* Traffic falls to a tenth, errors to a half, latency to 30 s. */
	for (; t < 66; t++) {
		window(&o, t, 100, 50, 30000);
		n = series_update(&c, s, &o, sig);
		for (int i = 0; i < n; i++) {
			if (sig[i].family == SB_FAM_TRAFFIC && sig[i].down &&
			    sig[i].metric == 0)
				drop++;
			else if (sig[i].family == SB_FAM_FLOOR)
				floor++;
			else
				other++;
		}
	}
	ok(drop > 0, "a drop to a tenth: traffic down signals (%d)", drop);
	ok(floor > 0, "errors and latency past their floors: floor signals "
	    "(%d)", floor);
	is_str(sb_family_detector(SB_FAM_TRAFFIC), "traffic",
	    "written as detector traffic");
	ok(other >= 0, "other signals: %d", other);
	series_free(s);
	series_free(NULL);	/* a no-op, as free(NULL) */
}

static void
test_table(void)
{
	size_t size = detectors_layout();
	uint32_t metric = 0;
	int names = 1, aligned = 1, order = 1, lean = 1;

	ok(ndetectors >= 6, "the table holds the detectors (%d)", ndetectors);
	is_int(detectors_layout(), size, "the layout is done once");
	for (int k = 0; k < ndetectors; k++) {
		for (int j = 0; j < k; j++)
			if (strcmp(detectors[j]->name, detectors[k]->name) == 0)
				names = 0;
		if (!(detectors_series & 1u << k))
			metric |= 1u << k;
	}
	is_int(detectors_size[metric], size, "every detector: the full size");
	/* Each set of detectors: its states in order, apart, within its size. */
	for (uint32_t mask = 0; mask < 1u << DETECTORS_MAX; mask++) {
		size_t last = 0, lastsize = 0, sum = sizeof(struct mstate);

		if (mask & ~metric)
			continue;
		for (int k = 0; k < ndetectors; k++) {
			size_t off = detector_off[mask][k];

			if (!(mask & 1u << k))
				continue;
			sum += detectors[k]->size;
			if (off % 8 != 0)
				aligned = 0;
			if (off < sizeof(struct mstate) || off < last + lastsize ||
			    off + detectors[k]->size > detectors_size[mask])
				order = 0;
			last = off;
			lastsize = detectors[k]->size;
		}
		if (detectors_size[mask] % 8 != 0 ||
		    detectors_size[mask] > sum + 8 * (size_t)(ndetectors + 1))
			lean = 0;
	}
	ok(names, "every detector has its own name");
	ok(aligned, "every state is aligned to 8 bytes");
	ok(order, "the states do not overlap and fit the metric's size");
	ok(lean, "a metric's size is its detectors' states, padded to 8");
}

/* A detector of the series: one state a series, only when it runs. */
static void
test_series_detectors(void)
{
	struct model_config c;
	struct series *s;
	int slo = -1, inmask = 0;

	for (int k = 0; k < ndetectors; k++)
		if (strcmp(detectors[k]->name, "slo") == 0)
			slo = k;
	ok(slo >= 0 && (detectors_series & 1u << slo),
	    "slo is in the table, a detector of the series");
	if (slo < 0)
		return;
	model_defaults(&c);
	c.metric[0] = (struct metric_def){ "count", "count", MK_COUNT, 0, 0 };
	c.metric[1] = (struct metric_def){ "errors", "error_rate", MK_ERRORS,
	    0, 0 };
	c.nmetric = 2;
	s = series_new(&c, "GET /a", 6, 60000);
	ok(s->sstate == NULL, "without --slo a series has no series state");
	series_free(s);
	c.slo[0] = (struct slo_def){ SLO_AVAILABILITY, 0.999, 0 };
	c.nslo = 1;
	s = series_new(&c, "GET /a", 6, 60000);
	ok(s->sstate != NULL && s->sstate[slo] != NULL,
	    "with --slo it has the SLO state");
	for (int i = 0; i < c.nmetric; i++)
		inmask |= (int)(series_metric(s, i)->dmask & detectors_series);
	is_int(inmask, 0, "no metric runs a detector of the series");
	series_free(s);
	c.err_cusum_ratio = 3;
	c.err_cusum_h = 8;
	model_finish(&c);
	ok(c.err_cusum_lr == log(3) && c.err_cusum_to_h == c.cusum_h / 8 &&
	    c.err_cusum_clip_h == c.cusum_h / 8 * c.err_cusum_clip,
	    "model_finish: the error CUSUM's constants, from the options");
}

static void
test_members(void)
{
	struct det d = { 1, 2, 0x15, 3, 40, 1767225600000LL }, z, back;
	struct cusum cu = { 0 }, cb;
	struct sb_buf b = SB_BUF_INIT;
	struct sb_json js;
	char why[200];

	memset(&z, 0, sizeof z);
	ok(dm_put(&b, "up", det_members, 6, &z) == 0 && b.len == 0,
	    "a zero detector writes nothing");
	sb_buf_putc(&b, '{');
	ok(dm_put(&b, "up", det_members, 6, &d) == 1, "a set one writes");
	sb_buf_putc(&b, '}');
	sb_buf_putc(&b, '\0');
	is_str(b.s, "{\"up\":{\"active\":1,\"quiet\":2,\"hist\":21,\"fhist\":3,"
	    "\"windows\":40,\"since\":1767225600000}}", "by name");
	sb_json_init(&js);
	ok(sb_json_parse(&js, b.s, b.len - 1) == 0, "the members parse");
	memset(&back, 0, sizeof back);
	ok(dm_get(&js, 2, "up", det_members, 6, &back, why, sizeof why) == 0 &&
	    memcmp(&back, &d, sizeof d) == 0, "and read back the same");
	/* Doubles round trip exactly. */
	cu.run = 0.1 + 0.2;
	cu.cus = 1.0 / 3;
	cu.start = 5;
	b.len = 0;
	sb_buf_putc(&b, '{');
	(void)dm_put(&b, "c", cusum_members, 7, &cu);
	sb_buf_putc(&b, '}');
	memset(&cb, 0, sizeof cb);
	ok(sb_json_parse(&js, b.s, b.len) == 0 &&
	    dm_get(&js, 2, "c", cusum_members, 7, &cb, why, sizeof why) == 0 &&
	    cb.run == cu.run && cb.cus == cu.cus && cb.start == 5,
	    "doubles read back to the same bits");
	b.len = 0;
	sb_buf_puts(&b, "{\"up\":{\"active\":1,\"flux\":2}}");
	ok(sb_json_parse(&js, b.s, b.len) == 0 &&
	    dm_get(&js, 2, "up", det_members, 6, &back, why, sizeof why) == -1,
	    "an unknown member is refused");
	is_str(why, "'up' has a member 'flux' this detect does not know",
	    "and named");
	sb_json_free(&js);
	sb_buf_free(&b);
}

static void
test_families(void)
{
	int ok_all = 1;

	for (int f = 0; f < SB_FAM_OTHER; f++)
		if ((int)sb_family_parse(sb_family_detector(f)) != f ||
		    (int)sb_family_parse(sb_family_name(f)) != f)
			ok_all = 0;
	ok(ok_all, "every family parses back from both its names");
	is_str(sb_family_name(sb_family_parse("cusum")), "drift",
	    "cusum is of the drift family");
	is_str(sb_family_name(sb_family_parse("binomial")), "rate",
	    "binomial is of the rate family");
	is_str(sb_family_detector(SB_FAM_SLO), "slo_burn",
	    "slo is written slo_burn");
	is_int(sb_family_parse("spectral"), SB_FAM_OTHER, "an unknown one");
	is_str(sb_detector_family("spectral"), "spectral",
	    "keeps its own name as family");
}

int
main(void)
{
	test_stats();
	test_series();
	test_table();
	test_series_detectors();
	test_members();
	test_families();
	return done_testing();
}
