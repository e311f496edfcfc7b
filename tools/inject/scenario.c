/*
 * scenario.c - the data of the traffic model: endpoints, scenarios and
 * noise, and the look-ups over them.  inject(1) documents every number
 * here; change the man page with the table.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "gen.h"

#define MINUTE	60000LL
#define HOUR	(60 * MINUTE)

/*
 * About 41 requests/s in all, so a simulated day is about 3.5 million
 * events.  The rates, medians and error rates are those of the original
 * service's demo data where it had them: checkout's order look-up at a
 * 120 ms median is the latency-ramp target, the payments POST at tens of
 * requests/s the error-creep target.  The report export, at one request
 * every two minutes, is there to show how detectors cope with sparse
 * series; the health check is fast and never fails.
 */
const struct gen_endpoint gen_endpoints[] = {
	{ "checkout", "GET", "/api/orders/{id}", GEN_ID_NUM, 99999, 200,
	    5.0, 120, 0.35, 0.002, 0.015, 1030 },
	{ "checkout", "POST", "/api/orders", GEN_ID_NONE, 0, 201,
	    1.5, 210, 0.40, 0.003, 0.03, 640 },
	{ "checkout", "GET", "/api/cart", GEN_ID_NONE, 0, 200,
	    3.0, 45, 0.30, 0.001, 0.005, 820 },
	{ "payments", "POST", "/api/payments", GEN_ID_NONE, 0, 201,
	    12.0, 240, 0.40, 0.002, 0.02, 410 },
	{ "payments", "GET", "/api/payments/{id}", GEN_ID_HEX, 0, 200,
	    1.0, 60, 0.30, 0.001, 0.01, 530 },
	{ "catalog", "GET", "/api/products", GEN_ID_NONE, 0, 200,
	    6.0, 80, 0.35, 0.001, 0.005, 5400 },
	{ "catalog", "GET", "/api/products/{id}", GEN_ID_NUM, 20000, 200,
	    5.0, 35, 0.30, 0.001, 0.02, 2100 },
	{ "catalog", "GET", "/api/search", GEN_ID_QUERY, 0, 200,
	    3.0, 150, 0.50, 0.002, 0.01, 3800 },
	{ "users", "GET", "/api/users/{id}", GEN_ID_NUM, 500000, 200,
	    2.0, 25, 0.30, 0.001, 0.01, 720 },
	{ "users", "GET", "/api/sessions/{id}", GEN_ID_UUID, 0, 200,
	    1.5, 12, 0.25, 0.0005, 0.03, 260 },
	{ "reports", "GET", "/api/reports/export", GEN_ID_NONE, 0, 200,
	    0.5 / 60, 2400, 0.60, 0.005, 0.005, 250000 },
	{ "gateway", "GET", "/health", GEN_ID_NONE, 0, 200,
	    1.0, 2, 0.20, 0, 0, 15 },
};
const size_t gen_nendpoints = sizeof gen_endpoints / sizeof gen_endpoints[0];
_Static_assert(sizeof gen_endpoints / sizeof gen_endpoints[0] <= GEN_MAX_ENDPOINTS,
    "endpoint sets are 32-bit masks");

const struct gen_scenario gen_scenarios[] = {
	{ "none", NULL, 0, 0, GEN_UNTIL_END, GEN_MAG_NONE, 0, 0, 0, -1,
	    "baseline traffic and noise only" },
	{ "latency-ramp", "checkout GET /api/orders/{id}", 0,
	    5 * MINUTE, GEN_UNTIL_END, GEN_MAG_LATENCY_MS, 1100, 0.1, 1e6, -1,
	    "every request gains up to 980 ms: median 120 -> 1100 ms, then stays" },
	{ "latency-creep", "catalog GET /api/search", 0,
	    2 * HOUR, GEN_UNTIL_END, GEN_MAG_LATENCY_X, 1.5, 0.01, 1000, -1,
	    "latency rises linearly by 50%, then stays" },
	{ "error-creep", "payments POST /api/payments", 0,
	    1 * HOUR, GEN_UNTIL_END, GEN_MAG_ERRORS, 0.03, 0, 1, -1,
	    "5xx rate rises linearly to 3%, then stays" },
	{ "step", "users GET /api/users/{id}", 0,
	    0, GEN_UNTIL_END, GEN_MAG_LATENCY_X, 2, 0.01, 1000, -1,
	    "latency doubles at once" },
	{ "traffic-drop", "catalog GET /api/products", 0,
	    0, GEN_UNTIL_END, GEN_MAG_TRAFFIC_X, 0.1, 0, 1000, -1,
	    "traffic falls to 10% at once" },
	{ "tail", "catalog GET /api/products/{id}", 0,
	    30 * MINUTE, GEN_UNTIL_END, GEN_MAG_TAIL, 0.03, 0, 1, -1,
	    "a share growing to 3% of requests takes 5 to 10 times longer" },
	{ "service-wide", "checkout", 1,
	    10 * MINUTE, GEN_UNTIL_END, GEN_MAG_LATENCY_X, 1.8, 0.01, 1000, 0.02,
	    "every endpoint: latency x1.8 and 5xx rate to 2%" },
	{ "recovery", "payments POST /api/payments", 0,
	    0, 30 * MINUTE, GEN_MAG_LATENCY_X, 2, 0.01, 1000, 0.03,
	    "latency x2 and 5xx rate 3% for 30m, then back to normal" },
};
const size_t gen_nscenarios = sizeof gen_scenarios / sizeof gen_scenarios[0];

/*
 * Excursions a good detector must not alert on.  Bursts and GC pauses
 * hit one endpoint with at least one request/s, deploys every endpoint of
 * a service with at least one request/s in all.
 */
const struct gen_noise_kind gen_noise_kinds[GEN_NOISE_KINDS] = {
	[GEN_NOISE_BURST] =	{ "burst", 3, 60000, 120000, 0 },
	[GEN_NOISE_GC] =	{ "gc-pause", 4, 10000, 20000, 0 },
	[GEN_NOISE_DEPLOY] =	{ "deploy", 2, 60000, 60000, 1 },
};

const struct gen_scenario *
gen_scenario_find(const char *name)
{
	for (size_t i = 0; i < gen_nscenarios; i++)
		if (strcmp(gen_scenarios[i].name, name) == 0)
			return &gen_scenarios[i];
	return NULL;
}

void
gen_endpoint_key(const struct gen_endpoint *ep, struct sb_buf *b)
{
	sb_buf_puts(b, ep->service);
	sb_buf_putc(b, ' ');
	sb_buf_puts(b, ep->method);
	sb_buf_putc(b, ' ');
	sb_buf_puts(b, ep->route);
}

/* A key may leave out the service when the rest is unambiguous. */
int
gen_endpoint_find(const char *key)
{
	char full[256], bare[256];
	int found = -1;

	for (size_t i = 0; i < gen_nendpoints; i++) {
		const struct gen_endpoint *ep = &gen_endpoints[i];

		snprintf(full, sizeof full, "%s %s %s", ep->service,
		    ep->method, ep->route);
		snprintf(bare, sizeof bare, "%s %s", ep->method, ep->route);
		if (strcmp(key, full) == 0)
			return (int)i;
		if (strcmp(key, bare) == 0)
			found = found == -1 ? (int)i : -2;
	}
	return found >= 0 ? found : -1;
}

const char *
gen_service_find(const char *name)
{
	for (size_t i = 0; i < gen_nendpoints; i++)
		if (strcmp(gen_endpoints[i].service, name) == 0)
			return gen_endpoints[i].service;
	return NULL;
}

/* Upper tail of the standard normal. */
static double
normal_q(double z)
{
	return 0.5 * erfc(z / M_SQRT2);
}

/*
 * P(latency > x): the lognormal, mixed with a share tail of requests
 * whose latency is multiplied by U ~ uniform(5, 10), the mixture
 * integrated over U by the midpoint rule.
 */
static double
latency_sf(double lx, double mu, double sigma, double tail)
{
	const int steps = 200;
	double slow = 0;

	for (int i = 0; i < steps; i++) {
		double u = 5 + 5 * (i + 0.5) / steps;
		slow += normal_q((lx - mu - log(u)) / sigma);
	}
	return (1 - tail) * normal_q((lx - mu) / sigma) + tail * slow / steps;
}

double
gen_latency_quantile(const struct gen_endpoint *ep, double mult,
    double tail, double q)
{
	double mu = log(ep->median_ms * mult), sigma = ep->sigma;
	double lo = mu - 10 * sigma, hi = mu + log(10) + 10 * sigma;

	/* Bisection on ln(x): the survival function falls monotonically. */
	for (int i = 0; i < 100; i++) {
		double mid = (lo + hi) / 2;
		if (latency_sf(mid, mu, sigma, tail) > 1 - q)
			lo = mid;
		else
			hi = mid;
	}
	return exp((lo + hi) / 2);
}
