/*
 * gen.c - the generator: plan a run, then hand out events; see gen.h.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gen.h"
#include "rng.h"
#include "timefmt.h"

#define SECOND	1000LL
#define HOUR	3600000LL
#define DAY	86400000LL

/* Noise placement has its own stream so that it does not move when the
 * traffic, the scenario or --rate-scale change. */
#define NOISE_STREAM	0x6e6f6973655f7631ULL	/* "noise_v1" */

/*
 * Diurnal load: 1 + 0.5 sin(2 pi (h - 9) / 24) at hour h UTC, so traffic
 * peaks at 1.5 times the mean at 15:00 UTC and bottoms out at half the
 * mean at 03:00 UTC; latency follows load only slightly, +-5%.
 */
#define DIURNAL_LOAD	0.5
#define DIURNAL_LATENCY	0.05
#define DIURNAL_PEAK_H	15.0

/* Effects of the noise episodes (inject(1), NOISE). */
#define BURST_TRAFFIC_X	3.0
#define GC_PAUSE_MS	300.0
#define DEPLOY_5XX	0.05
#define DEPLOY_LATENCY_X 1.5

/* Response sizes: successes vary lognormally, error bodies are small. */
#define BYTES_SIGMA	0.25

struct status_mix {
	int		 status;
	double		 cum;	/* cumulative share */
};

static const struct status_mix mix_5xx[] = {
	{ 500, 0.40 }, { 502, 0.55 }, { 503, 0.85 }, { 504, 1.0 },
};
static const struct status_mix mix_4xx[] = {
	{ 400, 0.30 }, { 401, 0.50 }, { 404, 0.90 }, { 429, 1.0 },
};

void
gen_config_init(struct gen_config *cfg)
{
	memset(cfg, 0, sizeof *cfg);
	cfg->seed = 1;
	cfg->rate_scale = 1;
	cfg->diurnal = 1;
	cfg->noise = 1;
	cfg->scenario = &gen_scenarios[0];
	cfg->target = -1;
	cfg->deg_end = GEN_UNTIL_END;
}

static int
affects(const struct gen_config *cfg, size_t i)
{
	const struct gen_scenario *sc = cfg->scenario;

	if (sc == NULL || sc->mag == GEN_MAG_NONE)
		return 0;
	if (sc->service_wide)
		return cfg->service != NULL &&
		    strcmp(gen_endpoints[i].service, cfg->service) == 0;
	return cfg->target == (int)i;
}

static void
plan_effects(struct gen *g)
{
	const struct gen_scenario *sc = g->cfg.scenario;

	for (size_t i = 0; i < gen_nendpoints; i++) {
		struct gen_effect *ef = &g->eff[i];

		ef->lat_to = 1;
		ef->lat_add = 0;
		ef->err_to = -1;
		ef->traffic_to = 1;
		ef->tail_to = 0;
		if (!affects(&g->cfg, i))
			continue;
		g->deg_eps |= 1u << i;
		switch (sc->mag) {
		case GEN_MAG_LATENCY_MS:
			/*
			 * Added, not multiplied: a dependency that got slower
			 * adds its wait to every request.  The median then goes
			 * from its baseline to the magnitude exactly, and the
			 * p95 ends near it too (1100 + ~90 ms for the orders
			 * endpoint), as in the original service's demo.
			 */
			ef->lat_add = g->cfg.magnitude - gen_endpoints[i].median_ms;
			break;
		case GEN_MAG_LATENCY_X:
			ef->lat_to = g->cfg.magnitude;
			break;
		case GEN_MAG_ERRORS:
			ef->err_to = g->cfg.magnitude;
			break;
		case GEN_MAG_TRAFFIC_X:
			ef->traffic_to = g->cfg.magnitude;
			break;
		case GEN_MAG_TAIL:
			ef->tail_to = g->cfg.magnitude;
			break;
		case GEN_MAG_NONE:
			break;
		}
		if (sc->err_to >= 0)
			ef->err_to = sc->err_to;
	}
}

static int
noise_cmp(const void *a, const void *b)
{
	const struct gen_noise *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	if (x->eps != y->eps)
		return x->eps < y->eps ? -1 : 1;
	return (x->end > y->end) - (x->end < y->end);
}

/* Episodes may fall anywhere except near the degradation window. */
static int
noise_allowed(const struct gen *g, int64_t start, int64_t end)
{
	int64_t lo, hi;

	if (g->deg_eps == 0)
		return 1;
	lo = g->cfg.deg_start - GEN_NOISE_MARGIN;
	hi = g->cfg.deg_end == GEN_UNTIL_END ? GEN_UNTIL_END :
	    g->cfg.deg_end + GEN_NOISE_MARGIN;
	return end <= lo || start >= hi;
}

/* Bit masks of what noise may hit: busy endpoints, and busy services. */
static void
noise_candidates(uint32_t *eps, size_t *neps, uint32_t *svcs, size_t *nsvcs)
{
	*neps = *nsvcs = 0;
	for (size_t i = 0; i < gen_nendpoints; i++) {
		uint32_t mask = 0;
		double rate = 0;
		size_t j;

		if (gen_endpoints[i].rate >= 1)
			eps[(*neps)++] = 1u << i;
		for (j = 0; j < i; j++)
			if (strcmp(gen_endpoints[j].service,
			    gen_endpoints[i].service) == 0)
				break;
		if (j < i)
			continue;	/* service seen already */
		for (j = i; j < gen_nendpoints; j++)
			if (strcmp(gen_endpoints[j].service,
			    gen_endpoints[i].service) == 0) {
				mask |= 1u << j;
				rate += gen_endpoints[j].rate;
			}
		if (rate >= 1)
			svcs[(*nsvcs)++] = mask;
	}
}

static void
plan_noise(struct gen *g)
{
	uint32_t eps[GEN_MAX_ENDPOINTS], svcs[GEN_MAX_ENDPOINTS];
	size_t neps, nsvcs, cap = 0;
	int64_t span = g->cfg.end - g->cfg.start;
	struct rng r;

	noise_candidates(eps, &neps, svcs, &nsvcs);
	rng_seed(&r, g->cfg.seed ^ NOISE_STREAM);
	for (int k = 0; k < GEN_NOISE_KINDS; k++) {
		const struct gen_noise_kind *nk = &gen_noise_kinds[k];
		unsigned n = rng_poisson(&r, nk->per_day * (double)span / DAY);

		for (unsigned j = 0; j < n; j++) {
			/* Every draw is made, used or not, to keep the stream aligned. */
			int64_t dur = nk->min_ms + SECOND *
			    rng_below(&r, (uint32_t)((nk->max_ms - nk->min_ms) / SECOND + 1));
			double u = rng_uniform(&r);
			uint32_t mask = nk->whole_service ?
			    svcs[rng_below(&r, (uint32_t)nsvcs)] :
			    eps[rng_below(&r, (uint32_t)neps)];
			int64_t start;

			if (span < dur)
				continue;
			start = g->cfg.start + (int64_t)(u * (double)(span - dur));
			start = (sb_floor_div(start + SECOND - 1, SECOND)) * SECOND;
			if (start + dur > g->cfg.end ||
			    !noise_allowed(g, start, start + dur))
				continue;
			if (g->nnoise == cap) {
				cap = cap ? cap * 2 : 16;
				g->noise = sb_xrealloc(g->noise, cap * sizeof *g->noise);
			}
			g->noise[g->nnoise++] = (struct gen_noise){
			    k, mask, start, start + dur };
		}
	}
	if (g->nnoise > 0)
		qsort(g->noise, g->nnoise, sizeof *g->noise, noise_cmp);
}

static int
i64_cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* Every instant at which the model changes abruptly ends a tick. */
static void
plan_breakpoints(struct gen *g)
{
	size_t cap = 3 + 2 * g->nnoise;

	g->bp = sb_xmalloc(cap * sizeof *g->bp);
	if (g->deg_eps != 0) {
		g->bp[g->nbp++] = g->cfg.deg_start;
		if (g->cfg.ramp > 0)
			g->bp[g->nbp++] = g->cfg.deg_start + g->cfg.ramp;
		if (g->cfg.deg_end != GEN_UNTIL_END)
			g->bp[g->nbp++] = g->cfg.deg_end;
	}
	for (size_t i = 0; i < g->nnoise; i++) {
		g->bp[g->nbp++] = g->noise[i].start;
		g->bp[g->nbp++] = g->noise[i].end;
	}
	qsort(g->bp, g->nbp, sizeof *g->bp, i64_cmp);
}

void
gen_init(struct gen *g, const struct gen_config *cfg)
{
	memset(g, 0, sizeof *g);
	g->cfg = *cfg;
	rng_seed(&g->rng, cfg->seed);
	g->t = cfg->start;
	plan_effects(g);
	if (cfg->noise)
		plan_noise(g);
	plan_breakpoints(g);
}

void
gen_free(struct gen *g)
{
	free(g->noise);
	free(g->bp);
	free(g->raw);
	free(g->sorted);
	memset(g, 0, sizeof *g);
}

static double
diurnal_sin(int64_t t)
{
	double h = (double)(t - sb_floor_div(t, DAY) * DAY) / HOUR;

	return sin(2 * M_PI * (h - DIURNAL_PEAK_H + 6) / 24);
}

/* Which endpoints each kind of noise hits at time t. */
static void
noise_active(struct gen *g, int64_t t, uint32_t mask[GEN_NOISE_KINDS])
{
	memset(mask, 0, GEN_NOISE_KINDS * sizeof mask[0]);
	while (g->noise_lo < g->nnoise && g->noise[g->noise_lo].end <= t)
		g->noise_lo++;
	for (size_t i = g->noise_lo; i < g->nnoise && g->noise[i].start <= t; i++)
		if (g->noise[i].end > t)
			mask[g->noise[i].kind] |= g->noise[i].eps;
}

/* How far the degradation has developed at t: -1 before or after it. */
static double
degradation_progress(const struct gen *g, int64_t t)
{
	if (g->deg_eps == 0 || t < g->cfg.deg_start || t >= g->cfg.deg_end)
		return -1;
	if (g->cfg.ramp <= 0)
		return 1;
	return fmin(1.0, (double)(t - g->cfg.deg_start) / (double)g->cfg.ramp);
}

static void
tick_params(struct gen *g, int64_t t)
{
	uint32_t noise[GEN_NOISE_KINDS];
	double load = 1, latd = 1, p;

	if (g->cfg.diurnal) {
		double s = diurnal_sin(t);
		load = 1 + DIURNAL_LOAD * s;
		latd = 1 + DIURNAL_LATENCY * s;
	}
	noise_active(g, t, noise);
	p = degradation_progress(g, t);
	for (size_t i = 0; i < gen_nendpoints; i++) {
		const struct gen_endpoint *ep = &gen_endpoints[i];
		const struct gen_effect *ef = &g->eff[i];
		struct gen_param *pa = &g->par[i];
		uint32_t bit = 1u << i;
		double rate = ep->rate * g->cfg.rate_scale * load, mult = latd;

		pa->p5xx = ep->p5xx;
		pa->p4xx = ep->p4xx;
		pa->sigma = ep->sigma;
		pa->tail = 0;
		pa->add_ms = 0;
		if (noise[GEN_NOISE_BURST] & bit)
			rate *= BURST_TRAFFIC_X;
		if (noise[GEN_NOISE_GC] & bit)
			pa->add_ms = GC_PAUSE_MS;
		if (noise[GEN_NOISE_DEPLOY] & bit) {
			mult *= DEPLOY_LATENCY_X;
			pa->p5xx = DEPLOY_5XX;
		}
		pa->p5xx_base = pa->p5xx;
		if (p >= 0 && (g->deg_eps & bit)) {
			rate *= 1 + (ef->traffic_to - 1) * p;
			mult *= 1 + (ef->lat_to - 1) * p;
			pa->add_ms += ef->lat_add * p;
			if (ef->err_to >= 0)
				pa->p5xx += (ef->err_to - pa->p5xx) * p;
			pa->tail = ef->tail_to * p;
		}
		pa->lambda = rate;
		pa->mu = log(ep->median_ms * mult);
	}
}

/* Sorts the tick's requests by offset: a counting sort, stable. */
static void
tick_sort(struct gen *g)
{
	uint32_t count[SECOND + 1];

	memset(count, 0, sizeof count);
	for (size_t i = 0; i < g->n; i++)
		count[(g->raw[i] >> 8) + 1]++;
	for (size_t i = 1; i <= SECOND; i++)
		count[i] += count[i - 1];
	for (size_t i = 0; i < g->n; i++)
		g->sorted[count[g->raw[i] >> 8]++] = g->raw[i];
}

static void
tick_build(struct gen *g)
{
	int64_t t0 = g->t, t1 = (sb_floor_div(t0, SECOND) + 1) * SECOND, dt;

	while (g->bpi < g->nbp && g->bp[g->bpi] <= t0)
		g->bpi++;
	if (g->bpi < g->nbp && g->bp[g->bpi] < t1)
		t1 = g->bp[g->bpi];
	if (t1 > g->cfg.end)
		t1 = g->cfg.end;
	dt = t1 - t0;
	tick_params(g, t0 + dt / 2);
	g->n = g->pos = 0;
	for (size_t i = 0; i < gen_nendpoints; i++) {
		unsigned k = rng_poisson(&g->rng,
		    g->par[i].lambda * (double)dt / SECOND);

		if (g->n + k > g->cap) {
			while (g->n + k > g->cap)
				g->cap = g->cap ? g->cap * 2 : 1024;
			g->raw = sb_xrealloc(g->raw, g->cap * sizeof *g->raw);
			g->sorted = sb_xrealloc(g->sorted, g->cap * sizeof *g->sorted);
		}
		for (unsigned j = 0; j < k; j++) {
			uint32_t off = (uint32_t)(rng_uniform(&g->rng) * (double)dt);
			g->raw[g->n++] = off << 8 | (uint32_t)i;
		}
	}
	tick_sort(g);
	g->tick = t0;
	g->t = t1;
}

static int
pick_status(const struct status_mix *mix, size_t n, double u)
{
	for (size_t i = 0; i + 1 < n; i++)
		if (u < mix[i].cum)
			return mix[i].status;
	return mix[n - 1].status;
}

static void
event_draw(struct gen *g, size_t i, int64_t t, struct gen_event *ev)
{
	const struct gen_endpoint *ep = &gen_endpoints[i];
	const struct gen_param *pa = &g->par[i];
	struct rng *r = &g->rng;
	double u = rng_uniform(r), z1, z2, lat;

	ev->time = t;
	ev->ep = ep;
	/*
	 * Given u < p, u / p is again uniform: one draw picks the code too.
	 * The errors a scenario adds are 503s, a dependency refusing work.
	 */
	if (u < pa->p5xx && u >= pa->p5xx_base)
		ev->status = 503;
	else if (u < pa->p5xx)
		ev->status = pick_status(mix_5xx, 4, u / fmin(pa->p5xx,
		    pa->p5xx_base));
	else if (u < pa->p5xx + pa->p4xx)
		ev->status = pick_status(mix_4xx, 4, (u - pa->p5xx) / pa->p4xx);
	else
		ev->status = ep->ok_status;

	z1 = rng_normal(r);
	z2 = rng_normal(r);
	lat = exp(pa->mu + pa->sigma * z1);
	if (pa->tail > 0 && rng_uniform(r) < pa->tail)
		lat *= 5 + 5 * rng_uniform(r);
	lat += pa->add_ms;
	ev->latency_10 = (int64_t)(lat * 10 + 0.5);

	if (ev->status >= 500)
		ev->bytes = 90 + rng_below(r, 90);
	else if (ev->status >= 400)
		ev->bytes = 60 + rng_below(r, 80);
	else
		ev->bytes = (int64_t)(ep->bytes * exp(BYTES_SIGMA * z2) + 0.5);

	ev->id[0] = ev->id[1] = 0;
	switch (ep->id) {
	case GEN_ID_NUM:
		ev->id[0] = 1 + rng_below(r, ep->id_max);
		break;
	case GEN_ID_UUID:
	case GEN_ID_HEX:
	case GEN_ID_QUERY:
		ev->id[0] = rng_next(r);
		ev->id[1] = rng_next(r);
		break;
	case GEN_ID_NONE:
		break;
	}
}

int
gen_next(struct gen *g, struct gen_event *ev)
{
	uint32_t v;

	while (g->pos == g->n) {
		if (g->t >= g->cfg.end)
			return 0;
		tick_build(g);
	}
	v = g->sorted[g->pos++];
	event_draw(g, v & 0xff, g->tick + (v >> 8), ev);
	return 1;
}
