/*
 * model.c - baselines and change detectors; detect.1 holds the formulas.
 */
#include <fnmatch.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "model.h"

#define DAY_MS		86400000LL
#define HOUR_MS		3600000LL
#define MAD_TO_SIGMA	1.2533141373155	/* sqrt(pi/2): mean |dev| to sigma */
#define LOG_SPREAD_MIN	0.02		/* 2% on a log scale */

void
model_defaults(struct model_config *c)
{
	memset(c, 0, sizeof *c);
	c->warmup = 30;
	c->learn = 0.02;
	c->profile_learn = 0.005;
	c->profile_min = 30;
	c->min_count = 10;
	c->level_z = 4;
	c->level_m = 3;
	c->level_n = 4;
	c->fast_z = 8;
	c->step_ratio = 1.6;
	c->cusum_k = 1;
	c->cusum_h = 8;
	c->cusum_clip = 3;
	c->err_cusum_k = 0.75;
	c->err_cusum_clip = 4;
	c->hold = 0.25;
	c->err_p = 1e-3;
	c->err_window_p = 0.05;
	c->err_floor = 0.0005;
	c->err_trim = 2;
	c->err_n = 16;
	c->err_min_count = 50;
	c->traffic_p = 1e-3;
	c->traffic_m = 4;
	c->traffic_n = 5;
	c->clear_p = 0.01;
	c->clear = 3;
	c->tail_q = 1e-4;
	c->floor_err = 0.5;
	c->floor_ms = 20000;
	c->novel_margin = 0.02;
	c->novel_rmargin = 0.1;
	c->novel_rearm = 12 * HOUR_MS;
	/* The SRE workbook's page and ticket pairs. */
	c->pair[0] = (struct slo_pair){ 14.4, 3600000, 300000 };
	c->pair[1] = (struct slo_pair){ 6, 6 * 3600000LL, 1800000 };
	c->npair = 2;
}

struct series *
series_new(const struct model_config *c, const char *key, size_t keylen,
    int64_t width)
{
	struct series *s;

	s = sb_xcalloc(1, sizeof *s + (size_t)c->nmetric * sizeof s->m[0]);
	s->key = sb_xmalloc(keylen + 1);
	memcpy(s->key, key, keylen);
	s->key[keylen] = '\0';
	s->keylen = keylen;
	s->width = width;
	s->floor_err = c->floor_err;
	s->floor_ms = c->floor_ms;
	for (int i = 0; i < c->nfloor; i++)	/* the last match wins */
		if (fnmatch(c->floor[i].glob, s->key, 0) == 0) {
			if (c->floor[i].kind == FLOOR_ERRORS)
				s->floor_err = c->floor[i].value;
			else
				s->floor_ms = c->floor[i].value;
		}
	if (c->nslo > 0) {
		int64_t longest = 0;
		for (int p = 0; p < c->npair; p++)
			if (c->pair[p].long_ms > longest)
				longest = c->pair[p].long_ms;
		s->slo_cap = (int)((longest + width - 1) / width) + 1;
		s->slo_ring = sb_xcalloc((size_t)s->slo_cap *
		    SLO_STRIDE(c->nslo), sizeof(double));
	}
	return s;
}

void
series_free(struct series *s)
{
	if (s == NULL)
		return;
	free(s->slo_ring);
	free(s->key);
	free(s);
}

/*
 * Regularized incomplete gamma functions P(a, x) and Q(a, x), by series
 * and continued fraction (Numerical Recipes, 2nd ed., 6.2).
 */
static double
gamma_p_series(double a, double x)
{
	double ap = a, sum = 1.0 / a, del = sum;

	for (int i = 0; i < 500; i++) {
		ap += 1;
		del *= x / ap;
		sum += del;
		if (fabs(del) < fabs(sum) * 1e-14)
			break;
	}
	return sum * exp(-x + a * log(x) - lgamma(a));
}

static double
gamma_q_fraction(double a, double x)
{
	const double tiny = 1e-300;
	double b = x + 1 - a, c = 1 / tiny, d = 1 / b, h = d;

	for (int i = 1; i < 500; i++) {
		double an = -i * (i - a), del;
		b += 2;
		d = an * d + b;
		if (fabs(d) < tiny)
			d = tiny;
		c = b + an / c;
		if (fabs(c) < tiny)
			c = tiny;
		d = 1 / d;
		del = d * c;
		h *= del;
		if (fabs(del - 1) < 1e-14)
			break;
	}
	return exp(-x + a * log(x) - lgamma(a)) * h;
}

static double
gamma_p(double a, double x)
{
	if (x <= 0)
		return 0;
	return x < a + 1 ? gamma_p_series(a, x) : 1 - gamma_q_fraction(a, x);
}

static double
gamma_q(double a, double x)
{
	if (x <= 0)
		return 1;
	return x < a + 1 ? 1 - gamma_p_series(a, x) : gamma_q_fraction(a, x);
}

/* P(X >= k) for X ~ Poisson(mu); k may be fractional (quasi-Poisson). */
double
poisson_upper(double k, double mu)
{
	if (k <= 0)
		return 1;
	if (mu <= 0)
		return 0;
	return gamma_p(k, mu);
}

/* P(X <= k) for X ~ Poisson(mu). */
double
poisson_lower(double k, double mu)
{
	if (k < 0)
		return 0;
	if (mu <= 0)
		return 1;
	return gamma_q(k + 1, mu);
}

/* P(X >= k) for X ~ Binomial(n, p), summing the pmf upward from k. */
double
binom_upper(int64_t k, int64_t n, double p)
{
	double lt, t, sum, ratio;

	if (k <= 0)
		return 1;
	if (k > n || p <= 0)
		return 0;
	if (p >= 1)
		return 1;
	lt = lgamma((double)n + 1) - lgamma((double)k + 1) -
	    lgamma((double)(n - k) + 1) + k * log(p) + (n - k) * log1p(-p);
	t = exp(lt);
	sum = t;
	ratio = p / (1 - p);
	for (int64_t i = k; i < n; i++) {
		t *= (double)(n - i) / (double)(i + 1) * ratio;
		sum += t;
		if (t < sum * 1e-12)
			break;
	}
	return sum > 1 ? 1 : sum;
}

/*
 * fmax() and fmin() as glibc has them on x86-64 (maxsd and minsd: the
 * second argument when the two compare equal, the other one when one is
 * a NaN), but inline: the compiler may not turn the library functions
 * into one instruction, since the instruction gets NaN wrong, and a
 * window used to make about forty calls.  Same results bit for bit, so
 * the signals do not move.
 */
static inline double
max_d(double x, double y)
{
	return x > y ? x : isnan(y) ? x : y;
}

static inline double
min_d(double x, double y)
{
	return x < y ? x : isnan(y) ? x : y;
}

static int
popcount(uint32_t v)
{
	int n = 0;

	for (; v; v &= v - 1)
		n++;
	return n;
}

/* Windows back to the oldest set bit of the last n, 1 for bit 0 alone. */
static int
oldest_bit(uint32_t v, int n)
{
	v &= n >= 32 ? ~0u : (1u << n) - 1;
	return v == 0 ? 1 : 32 - __builtin_clz(v);
}

static double
spread_of(const struct base *b, enum metric_kind kind, double mu)
{
	double s = MAD_TO_SIGMA * b->d, lo;

	if (kind == MK_LOG)
		lo = LOG_SPREAD_MIN;
	else
		lo = max_d(1e-9, 1e-3 * fabs(mu));
	return s > lo ? s : lo;
}

/*
 * Where a window centred at t falls in the day, for every metric of the
 * series: worked out once a window, not once a metric, as it takes two
 * 64-bit divisions and a floor().
 */
struct tod {
	int		 young;	/* less than a day of history */
	int		 hour;	/* the bucket t falls in */
	int		 j, k;	/* the buckets whose centres bracket t */
	double		 frac;	/* t's place from centre j to k */
};

static void
tod_of(const struct series *s, int64_t t, struct tod *td)
{
	int64_t ms = ((t % DAY_MS) + DAY_MS) % DAY_MS;
	double u = (double)ms / HOUR_MS - 0.5;
	int j = (int)floor(u);

	td->young = t - (int64_t)s->first < DAY_MS;
	td->hour = (int)(ms / HOUR_MS);
	td->frac = u - j;
	td->k = (j + 1) % MODEL_HOURS;
	td->j = (j + MODEL_HOURS) % MODEL_HOURS;
}

/*
 * The expected value of a metric for a window centred at t: the
 * time-of-day profile, interpolated between the centres of adjacent hour
 * buckets, once the series has a day of history and both buckets hold
 * profile_min samples; the global level before that.
 */
static double
expected_at(const struct model_config *c, const struct mstate *m,
    const struct tod *td)
{
	const struct base *pj = &m->prof[td->j], *pk = &m->prof[td->k];

	if (td->young || pj->n < c->profile_min || pk->n < c->profile_min)
		return m->glob.mu;
	return (1 - td->frac) * pj->mu + td->frac * pk->mu;
}

static double
expected(const struct model_config *c, const struct series *s,
    const struct mstate *m, int64_t t)
{
	struct tod td;

	tod_of(s, t, &td);
	return expected_at(c, m, &td);
}

/*
 * EWMA learning with a robust step: the weight is 1/(n+1) until that
 * falls below rate (a running mean first), the step of the level is
 * clipped to 3 spreads and the deviation fed to the spread to 4, so that
 * one wild window moves neither much.  w2 weighs the step by the
 * evidence of the window (low-count windows move it less).
 */
static void
base_learn(struct base *b, double x, double dev, double w2, double rate,
    double s, int robust)
{
	double a, dx;

	if (b->n < 1) {
		b->mu = x;
		b->d = 0;
		b->n = 1;
		return;
	}
	a = 1 / (b->n + 1);
	if (a < rate)
		a = rate;
	dx = x - b->mu;
	dev = fabs(dev);
	if (robust) {
		dx = max_d(-3 * s, min_d(3 * s, dx));
		dev = min_d(dev, 4 * s);
	}
	b->mu += a * w2 * dx;
	b->d += a * (dev - b->d);
	b->n += 1;
}

/*
 * One detector in one direction: becomes active when fire, stays active
 * while sustain (this window still supports it), clears after c->clear windows of neither.
 * Returns 0 (silent), 1 (active: emit) or 2 (cleared: emit).
 */
static int
det_step(const struct model_config *c, struct det *d, int fire, int sustain,
    int64_t since)
{
	if (!d->active) {
		if (!fire)
			return 0;
		d->active = 1;
		d->quiet = 0;
		d->windows = 1;
		d->since = (double)since;
		return 1;
	}
	d->windows += 1;
	if (sustain)
		d->quiet = 0;
	else
		d->quiet += 1;
	if (d->quiet >= c->clear) {
		d->active = 0;
		d->quiet = 0;
		d->hist = 0;
		d->fhist = 0;
		d->cus = 0;
		return 2;
	}
	return 1;
}

/*
 * A one-sided CUSUM over zz, the z-score signed for its direction:
 * S = max(0, S + min(zz, clip) - k), fires at S >= h and is capped at h
 * while active.  An active one is cleared by c->clear windows whose mean
 * clipped z is below k: a run that starts at the first window below k and
 * is given up (the detector is supported) as soon as its mean reaches k.
 * So a level back within k spreads of the baseline clears it even when
 * single windows still cross k.  In hist: the sum of the run.
 */
static int
cusum_step(const struct model_config *c, struct det *cu, double zz,
    int64_t start, double k, double clip)
{
	double prev = cu->cus, zc = min_d(zz, clip);

	cu->cus = max_d(0, prev + zc - k);
	if (prev <= 0 && cu->cus > 0)
		cu->cus_start = (double)start;
	if (!cu->active) {
		if (cu->cus < c->cusum_h)
			return 0;
		cu->active = 1;
		cu->quiet = 0;
		cu->hist = 0;
		cu->windows = 1;
		cu->since = cu->cus_start;
		cu->cus = c->cusum_h;	/* bounded, so it clears soon */
		return 1;
	}
	cu->windows += 1;
	if (cu->cus > c->cusum_h)
		cu->cus = c->cusum_h;
	if (cu->quiet > 0 || zc < k) {
		cu->quiet += 1;
		cu->hist += zc;
		if (cu->hist >= k * cu->quiet) {
			cu->quiet = 0;
			cu->hist = 0;
		}
	}
	if (cu->quiet >= c->clear) {
		cu->active = 0;
		cu->quiet = 0;
		cu->hist = 0;
		cu->fhist = 0;
		cu->cus = 0;
		return 2;
	}
	return 1;
}

/*
 * The variance-stabilised distance of a count x from its expectation mu
 * (Anscombe): about N(0, 1) for a Poisson count, whatever mu.
 */
static double
count_z(double x, double mu)
{
	return 2 * (sqrt(max_d(x, 0) + 0.375) - sqrt(max_d(mu, 0) + 0.375));
}

/* A detector with no observation this window: only the clock runs. */
static int
det_idle(const struct model_config *c, struct det *d)
{
	if (!d->active)
		return 0;
	return det_step(c, d, 0, 0, 0);
}

static struct signal *
sig_new(struct signal *out, int *n, int metric, enum family f, int down,
    int state, int64_t at, const struct det *d)
{
	struct signal *g = &out[(*n)++];

	memset(g, 0, sizeof *g);
	g->metric = metric;
	g->family = f;
	g->down = down;
	g->cleared = state == 2;
	g->at = at;
	g->since = (int64_t)d->since;
	g->value = g->baseline = g->spread = g->score = NAN;
	g->p_value = g->expected = g->count = g->errors = g->dispersion = NAN;
	return g;
}

/*
 * The series' own tail.  A z-score is a distance in spreads, and what a
 * distance means depends on the series: on a quiet one 4 spreads is
 * rare, on a spiky one (bursts of CPU, a heavy-tailed latency) it comes
 * every hour.  So each direction counts its excursions, runs of windows
 * beyond TAIL_U spreads, and their peaks, and models the tail beyond
 * TAIL_U as exponential (peaks over a threshold with the Generalised
 * Pareto shape 0, as SPOT does): an excursion starts with probability
 * r per window and its peak exceeds TAIL_U + t with probability
 * e^(-t / m), m the mean excess.  The z that one window in 1 / tail_q
 * reaches is then
 *	z* = TAIL_U + m ln(r / tail_q),
 * and the detectors see z / max(1, z* / z*0), z*0 that of a normal
 * series (the priors: TAIL_P0 and TAIL_M0, worth TAIL_W0 windows and
 * TAIL_K0 excursions, so that a young series is taken for normal).  On
 * normal noise the factor is 1 and nothing changes.  An excursion is
 * counted when it ends, so an incident in progress does not raise the
 * bar it is measured against, and counts once however long it lasts.
 * The counts decay by 1 / TAIL_HORIZON a window.
 */
#define TAIL_U		3.0
#define TAIL_P0		1.35e-3		/* P(N(0, 1) > 3) */
#define TAIL_M0		0.3		/* its mean excess over 3, about */
#define TAIL_W0		1000.0
#define TAIL_K0		3.0
#define TAIL_HORIZON	20000.0

static double
tail_z(const struct model_config *c, double r, double m)
{
	return r > c->tail_q ? TAIL_U + m * log(r / c->tail_q) : TAIL_U;
}

/*
 * Without an excursion yet, r is at most TAIL_P0 and m is TAIL_M0: the
 * factor is 1, and the two logarithms a window are saved.  z*0 is the
 * same for every window of a run: it is worked out once.
 */
static double
tail_factor(const struct model_config *c, const struct tail *t)
{
	static double q = -1, z0;
	double r, m;

	if (t->e <= 0)
		return 1;
	if (c->tail_q != q) {
		q = c->tail_q;
		z0 = tail_z(c, TAIL_P0, TAIL_M0);
	}
	r = (t->e + TAIL_P0 * TAIL_W0) / (t->w + TAIL_W0);
	m = (t->x + TAIL_M0 * TAIL_K0) / (t->e + TAIL_K0);
	return max_d(1, tail_z(c, r, m) / z0);
}

/* A z signed for its direction, on the series' tail: only towards it. */
static double
toward(const struct model_config *c, const struct tail *t, double zz)
{
	return zz > 0 ? zz / tail_factor(c, t) : zz;
}

static void
tail_learn(struct tail *t, double zz)
{
	const double keep = 1 - 1 / TAIL_HORIZON;

	if (zz > TAIL_U) {
		t->peak = max_d(t->peak, zz - TAIL_U);
	} else if (t->peak > 0) {
		t->e += 1;
		t->x += t->peak;
		t->peak = 0;
	}
	t->w += 1;
	t->e *= keep;
	t->w *= keep;
	t->x *= keep;
}

/*
 * Novelty: a value, or a residual from the expected value (the
 * time-of-day profile once learned), beyond anything the series has had:
 * more than novel_margin spreads past its record high or low.  What is
 * labelled an anomaly on real series is mostly what has never happened
 * there before; a record is rare by construction (about ln n of them in
 * n windows of stationary noise), and more so with the margin.  The
 * residual is smoothed (half of it from the window, half from before)
 * so that one odd window is not a record of it.  The records learn from
 * every window, after the test; the test starts when the metric is warm
 * and the series has a day of history, and a novelty fires at most once
 * per novel_rearm: a new alarm needs a while without one.  It stays
 * active while the window is beyond level_z / 2 spreads its way.
 */
static void
watch_novel(const struct model_config *c, struct mstate *m,
    const struct obs *o, int i, double x, double r, double z,
    struct signal *out, int *n)
{
	struct novel *nv = &m->nov;
	int64_t at = o->start + o->width;
	/* The residual is smoothed: the mean of this window's and the last. */
	double rs = nv->n < 1 ? r : (r + nv->r1) / 2;
	double mv = c->novel_margin * (nv->vmax - nv->vmin);
	double mr = c->novel_rmargin * (nv->rmax - nv->rmin);
	int ready = nv->n >= c->warmup &&
	    (double)o->start >= nv->first + DAY_MS;

	for (int dir = 0; dir < 2; dir++) {
		struct det *d = &m->det[2][dir];
		int rec = dir ? x < nv->vmin - mv || rs < nv->rmin - mr :
		    x > nv->vmax + mv || rs > nv->rmax + mr;
		int fire = ready && rec &&
		    (double)at - nv->last >= (double)c->novel_rearm;
		int st = det_step(c, d, fire, (dir ? -z : z) >= c->level_z / 2,
		    at - o->width);

		if (fire && st == 1 && d->windows == 1)
			nv->last = (double)at;
		if (st) {
			struct signal *g = sig_new(out, n, i, F_NOVEL, dir, st,
			    at, d);
			g->score = dir ? -z : z;
		}
	}
	if (nv->n < 1) {
		nv->first = (double)o->start;
		nv->vmax = nv->vmin = x;
		nv->rmax = nv->rmin = rs;
	}
	nv->vmax = max_d(nv->vmax, x);
	nv->vmin = min_d(nv->vmin, x);
	nv->rmax = max_d(nv->rmax, rs);
	nv->rmin = min_d(nv->rmin, rs);
	nv->r1 = r;
	nv->n += 1;
}

/*
 * Floors: an error rate or a latency that is never normal, whatever the
 * baseline has learned (an endpoint broken from its first minute would
 * otherwise teach it that failing is normal).  The error rate and the
 * median and p95 latency, in windows of at least min_count requests,
 * are compared with the key's floors; two windows in a row at or above
 * fire the detector, which needs no warm-up and stays active while the
 * windows stay there.  Windows at or above a floor are not learned.
 */
static int
floored(const struct model_config *c, const struct series *s,
    const struct metric_def *def, const struct obs *o, int i, double *v)
{
	if (!o->has[i] || !o->has_count || o->count < c->min_count ||
	    o->count <= 0)
		return 0;
	if (def->kind == MK_ERRORS) {
		*v = (double)o->errors / (double)o->count;
		return *v >= s->floor_err;
	}
	if (def->kind == MK_LOG && def->fast > 0) {
		*v = o->x[i];
		return *v >= s->floor_ms;
	}
	return 0;
}

static void
watch_floor(const struct model_config *c, const struct series *s,
    const struct metric_def *def, struct mstate *m, const struct obs *o,
    int i, struct signal *out, int *n)
{
	struct det *d = &m->det[2][0];
	int64_t at = o->start + o->width;
	double v = NAN;
	int beyond = floored(c, s, def, o, i, &v), st;

	d->hist = (((uint32_t)d->hist << 1) | beyond) & 3u;
	st = det_step(c, d, d->hist == 3, beyond, at - 2 * o->width);
	if (st) {
		struct signal *g = sig_new(out, n, i, F_FLOOR, 0, st, at, d);
		g->value = o->has[i] ? (def->kind == MK_ERRORS ?
		    (o->count > 0 ? (double)o->errors / (double)o->count : 0) :
		    o->x[i]) : v;
		g->baseline = def->kind == MK_ERRORS ? s->floor_err :
		    s->floor_ms;
		g->spread = 0;
		g->score = g->value / g->baseline;
		if (o->has_count)
			g->count = (double)o->count;
	}
}

/* Level shift and CUSUM for MK_LOG and MK_RAW metrics. */
/*
 * lead: the median's state when def is p95 (fast 2), for the step rule:
 * bits 2 and 3 of fhist remember the windows whose fast z came with a
 * move of at least step_ratio on the log scale.
 */
static void
watch_level(const struct model_config *c, const struct metric_def *def,
    struct mstate *m, const struct obs *o, int i, double x, double e,
    double sd, double w, const struct mstate *lead, struct signal *out,
    int *n)
{
	int64_t at = o->start + o->width;
	int log_scale = def->kind == MK_LOG;
	double z;

	if (!o->has[i]) {
		for (int dir = 0; dir < 2; dir++)
			for (int slot = 0; slot < 3; slot++)
				if (det_idle(c, &m->det[slot][dir]) == 2)
					sig_new(out, n, i, slot == 2 ? F_NOVEL :
					    slot ? F_CUSUM : F_LEVEL, dir, 2, at,
					    &m->det[slot][dir]);
		return;
	}
	z = w * (x - e) / sd;
	for (int dir = 0; dir < 2; dir++) {
		/*
		 * The tails weigh the m-of-n rule and the CUSUM; the fast and
		 * step rules of latency keep the raw z, as each asks for two
		 * windows far beyond what any excursion of noise reaches.
		 */
		double zr = dir ? -z : z, zz = toward(c, &m->tail[dir], zr);
		struct det *lv = &m->det[0][dir], *cu = &m->det[1][dir];
		uint32_t h = ((uint32_t)lv->hist << 1 | (zz >= c->level_z)) &
		    0xffffu;
		double move = log_scale ? (dir ? e - x : x - e) : 0;
		int big = zr >= (def->fast == 2 ? c->level_z : c->fast_z) &&
		    move >= log(c->step_ratio);
		uint32_t fh = (((uint32_t)lv->fhist << 1 |
		    (zr >= c->fast_z)) & 3u) |
		    (((((uint32_t)lv->fhist >> 2) << 1) | big) & 3u) << 2;
		uint32_t mask = (1u << c->level_n) - 1;
		int fire, st, back;

		lv->hist = h;
		lv->fhist = fh;
		fire = popcount(h & mask) >= c->level_m;
		back = oldest_bit(h, c->level_n);
		if (!fire && def->fast == 1 && (fh & 3u) == 3) {
			fire = 1;
			back = 2;
		}
		/*
		 * A step of the whole distribution: p95 and the median both
		 * moved by step_ratio in two consecutive windows, the median
		 * beyond fast_z and p95 beyond level_z.  A deploy (x1.5 for a minute) moves no percentile
		 * that far; a GC pause of seconds moves the tail, not the
		 * median.
		 */
		if (!fire && def->fast == 2 && lead != NULL &&
		    (fh >> 2) == 3 &&
		    (((uint32_t)lead->det[0][dir].fhist >> 2) & 3u) == 3) {
			fire = 1;
			back = 2;
		}
		st = det_step(c, lv, fire, zz >= c->level_z / 2,
		    at - back * o->width);
		if (st) {
			struct signal *g = sig_new(out, n, i, F_LEVEL, dir,
			    st, at, lv);
			g->score = z;
		}

		st = cusum_step(c, cu, zz, o->start, c->cusum_k, c->cusum_clip);
		if (st) {
			struct signal *g = sig_new(out, n, i, F_CUSUM, dir,
			    st, at, cu);
			g->score = cu->cus;
		}
		tail_learn(&m->tail[dir], dir ? -z : z);
	}
	if (def->kind == MK_RAW)
		watch_novel(c, m, o, i, x, x - e, z, out, n);
	/* Fill in the numbers every signal of this metric shares. */
	for (int k = 0; k < *n; k++) {
		struct signal *g = &out[k];
		if (g->metric != i)
			continue;
		g->value = o->x[i];
		g->baseline = log_scale ? exp(e) : e;
		g->spread = log_scale ? exp(e) * (exp(sd) - 1) : sd;
		if (g->family == F_LEVEL)
			g->score = g->down ? -z : z;
	}
}

/* Quasi-Poisson test of the request count against its expectation. */
static void
watch_traffic(const struct model_config *c, struct mstate *m,
    const struct obs *o, int i, double e, double sd, struct signal *out,
    int *n)
{
	int64_t at = o->start + o->width;
	double lam = max_d(e, 0), x = (double)o->count, phi, band;
	uint32_t mask = (1u << c->traffic_n) - 1;

	phi = lam > 0 ? max_d(1, sd * sd / lam) : 1;
	band = 2 * sqrt(lam * phi);	/* inside it p > clear_p: skip */
	for (int dir = 0; dir < 2; dir++) {
		struct det *d = &m->det[0][dir];
		double p = 1;
		int st;

		if (!dir && x > lam + band)
			p = poisson_upper(x / phi, lam / phi);
		else if (dir && x < lam - band)
			p = poisson_lower(x / phi, lam / phi);
		d->hist = (((uint32_t)d->hist << 1) | (p < c->traffic_p)) &
		    0xffffu;
		st = det_step(c, d,
		    popcount((uint32_t)d->hist & mask) >= c->traffic_m,
		    p < c->clear_p, at - oldest_bit((uint32_t)d->hist,
		    c->traffic_n) * o->width);
		if (st) {
			struct signal *g = sig_new(out, n, i, F_TRAFFIC, dir,
			    st, at, d);
			g->value = x;
			g->baseline = lam;
			g->expected = lam;
			g->spread = band / 2;
			g->dispersion = phi;
			g->p_value = p;
			g->score = -log10(fmax(p, 1e-300));
		}
	}
}

/*
 * Most pooled error counts are near what the baseline expects, and an
 * inactive detector only needs to know whether a horizon's p-value is
 * below err_p.  binom_upper(), three lgamma() and a sum of tens of terms,
 * ran for a quarter of all windows, nearly always to say no, and took a
 * twentieth of detect's time.  Slud's inequality (Ann. Probab. 5, 1977)
 * bounds the tail from below by the normal one: for p <= 1/4 and
 * np <= k <= n,
 *	P(X >= k) >= 1 - Phi((k - np) / sqrt(np(1 - p))).
 * So when that normal tail at k + 1 (np <= k + 1 without arguing about
 * the rounding of np) is at least 4 err_p / nh, the horizon can neither
 * fire nor be the smallest p-value of a test that does, and
 * binom_upper() need not be called: the outcome is the same.  The
 * factor 4 covers the rounding of binom_upper(), far smaller while
 * n <= 2^30 (lgamma(n) below 2^35).  An active detector, whose signal
 * reports the p-value, always computes it.
 *
 * quiet_z2() is the square of the z at which that normal tail is
 * 4 target, or -1 where the bound is of no use; it is remembered, as
 * target is the same for every window.
 */
static double
quiet_z2(double target)
{
	static double last = -1, z2;
	double lo = 0, hi = 40;

	if (target == last)
		return z2;
	last = target;
	if (!(4 * target >= 1e-100 && 4 * target < 0.5))
		return z2 = -1;
	/* Bisection: 1 - Phi(lo) >= 4 target stays true. */
	for (int i = 0; i < 100; i++) {
		double mid = (lo + hi) / 2;
		if (0.5 * erfc(mid / M_SQRT2) >= 4 * target)
			lo = mid;
		else
			hi = mid;
	}
	return z2 = lo * lo;
}

/* Whether P(X >= k), X ~ Binomial(n, p), is surely above the z2 tail. */
static int
surely_quiet(int64_t k, int64_t n, double p, double z2)
{
	double mu, dk;

	if (z2 < 0 || p > 0.25 || k >= n || n > (1 << 30))
		return 0;
	mu = (double)n * p;
	dk = (double)(k + 1) - mu;
	return dk * dk <= z2 * mu * (1 - p);
}

/*
 * Binomial test of the errors pooled over the last 4, 8, .. err_n windows, leaving
 * out the err_trim windows with the most errors (a deploy or a restart
 * that fails requests for a minute is not a trend), against the baseline
 * rate p0 = level(errors) / level(count), never below err_floor.
 */
static void
watch_errors(const struct model_config *c, struct mstate *m,
    const struct obs *o, int i, struct signal *out, int *n)
{
	int64_t at = o->start + o->width, e_sum = 0, n_sum = 0;
	struct det *d = &m->det[0][0];
	double p0 = c->err_floor, pw = 1, pp = 1;
	const double *re, *rn;		/* the ring, newest first */
	int st, back = 1, h;

	if (m->aux.mu > 0 && m->glob.mu / m->aux.mu > p0)
		p0 = m->glob.mu / m->aux.mu;
	h = m->ring_head = (m->ring_head + MODEL_RING - 1) % MODEL_RING;
	m->ring_e[h] = m->ring_e[h + MODEL_RING] = (double)o->errors;
	m->ring_n[h] = m->ring_n[h + MODEL_RING] = (double)o->count;
	re = m->ring_e + h;
	rn = m->ring_n + h;
	if (m->ring_bits < MODEL_RING)
		m->ring_bits += 1;
	/*
	 * Scan horizons of 4, 8, ... err_n windows: short ones see a steep
	 * rise, long ones accumulate a slow one.  The smallest p-value,
	 * times the number of horizons (Bonferroni), is the test.
	 */
	int nh = (c->err_n + 3) / 4, top[MODEL_RING];
	int64_t es = 0, ns = 0;
	int ntop = 0, b = 1;
	double z2 = d->active ? -1 : quiet_z2(c->err_p / nh);

	/* One pass, keeping the err_trim largest windows out of the sums. */
	for (int k = 0; k < c->err_n && k < m->ring_bits; k++) {
		int j = ntop;
		if (re[k] > rn[k] * p0)
			b = k + 1;
		if (ntop < c->err_trim) {
			ntop++;
		} else if (c->err_trim == 0 ||
		    re[k] <= re[top[ntop - 1]]) {
			es += (int64_t)re[k];
			ns += (int64_t)rn[k];
			j = -1;
		} else {
			int drop = top[ntop - 1];	/* leaves the top set */
			es += (int64_t)re[drop];
			ns += (int64_t)rn[drop];
			j = ntop - 1;
		}
		if (j >= 0) {
			while (j > 0 && re[top[j - 1]] < re[k]) {
				top[j] = top[j - 1];
				j--;
			}
			top[j] = k;
		}
		if ((k % 4 == 3 || k == c->err_n - 1) &&
		    ns >= c->err_min_count && (double)es > ns * p0 &&
		    !surely_quiet(es, ns, p0, z2)) {
			double p = min_d(1, nh * binom_upper(es, ns, p0));
			if (p < pp) {
				pp = p;
				e_sum = es;
				n_sum = ns;
				back = b;
			}
		}
	}
	if (d->active && o->count > 0 && (double)o->errors > o->count * p0)
		pw = binom_upper(o->errors, o->count, p0);
	st = det_step(c, d, pp < c->err_p,
	    pw < c->err_window_p, at - back * o->width);
	if (st == 2)
		m->ring_bits = 0;	/* start pooling afresh: no re-firing */
	if (st) {
		struct signal *g = sig_new(out, n, i, F_BINOMIAL, 0, st, at, d);
		g->value = n_sum > 0 ? (double)e_sum / n_sum : 0;
		g->baseline = p0;
		g->spread = n_sum > 0 ? sqrt(p0 * (1 - p0) / n_sum) : NAN;
		g->p_value = pp;
		g->score = -log10(fmax(pp, 1e-300));
		g->expected = n_sum * p0;
		g->count = (double)n_sum;
		g->errors = (double)e_sum;
	}
	/*
	 * The same errors, accumulated: CUSUM up over the variance-stabilised
	 * count of errors of each window, z = count_z(errors, count p0).
	 */
	{
		struct det *cu = &m->det[1][0];
		double ex = (double)o->count * p0;

		st = cusum_step(c, cu, count_z((double)o->errors, ex), o->start,
		    c->err_cusum_k, c->err_cusum_clip);
		if (st) {
			struct signal *g = sig_new(out, n, i, F_CUSUM, 0, st,
			    at, cu);
			g->value = o->count > 0 ?
			    (double)o->errors / (double)o->count : 0;
			g->baseline = p0;
			g->spread = o->count > 0 ?
			    sqrt(p0 * (1 - p0) / (double)o->count) : NAN;
			g->score = cu->cus;
			g->expected = ex;
			g->count = (double)o->count;
			g->errors = (double)o->errors;
		}
	}
}

/*
 * The share of requests slower than t from three percentiles: the points
 * (ln p50, 0), (ln p95, z95), (ln p99, z99) on the normal quantile scale,
 * joined by straight lines and extended beyond both ends with the
 * nearest segment, are the quantile function of a piecewise log-normal
 * distribution; the share is 1 - Phi(z(ln t)).  Exact for a log-normal.
 */
#define Z95	1.6448536269514722
#define Z99	2.3263478740408408
double
slo_slow_share(double p50, double p95, double p99, double t)
{
	double l50, l95, l99, lt, z, la, lb, za, zb;

	l50 = log(fmax(p50, 1e-3));
	l95 = log(fmax(p95, 1e-3));
	l99 = log(fmax(p99, 1e-3));
	if (l95 < l50)
		l95 = l50;
	if (l99 < l95)
		l99 = l95;
	lt = log(fmax(t, 1e-3));
	if (lt <= l95) {
		la = l50; lb = l95; za = 0; zb = Z95;
	} else {
		la = l95; lb = l99; za = Z95; zb = Z99;
	}
	/* A flat segment is a jump: the slope of a 1e-9 rise. */
	z = za + (lt - la) * (zb - za) / fmax(lb - la, 1e-9);
	return 0.5 * erfc(z / M_SQRT2);
}

/*
 * Multi-window SLO burn rates (detect.1, --slo): the window goes into the
 * ring, then for every SLO and window pair
 *	burn = (bad / requests over the window) / (1 - objective)
 * over the long and the short window.  A pair is tested once the
 * series' history covers its long window and each of its windows holds
 * at least 1 / (factor (1 - objective)) requests; it fires when both
 * burns are >= its factor.  The SLO's detector reports the firing pair
 * of the highest factor, or, when none fires, the pair it reported last.
 */
static void
watch_slo(const struct model_config *c, struct series *s,
    const struct obs *o, struct signal *out, int *n)
{
	int stride = SLO_STRIDE(c->nslo);
	int64_t at = o->start + o->width;
	double nl[MODEL_MAX_PAIRS] = { 0 }, ns[MODEL_MAX_PAIRS] = { 0 };
	double bl[MODEL_MAX_SLO][MODEL_MAX_PAIRS] = { { 0 } };
	double bs[MODEL_MAX_SLO][MODEL_MAX_PAIRS] = { { 0 } };
	double *e;

	if (!o->has_count)
		return;
	s->slo_head = (s->slo_head + 1) % s->slo_cap;
	e = s->slo_ring + (size_t)s->slo_head * stride;
	e[0] = (double)o->start;
	e[1] = (double)o->count;
	for (int k = 0; k < c->nslo; k++)
		e[2 + k] = c->slo[k].kind == SLO_AVAILABILITY ?
		    (double)o->errors : o->slow;
	if (s->slo_n < s->slo_cap)
		s->slo_n++;
	/* Newest first: the ring is in time order. */
	for (int j = 0; j < s->slo_n; j++) {
		int idx = ((s->slo_head - j) % s->slo_cap + s->slo_cap) %
		    s->slo_cap;
		const double *r = s->slo_ring + (size_t)idx * stride;
		int any = 0;

		for (int p = 0; p < c->npair; p++) {
			if (r[0] < (double)(at - c->pair[p].long_ms))
				continue;
			any = 1;
			nl[p] += r[1];
			for (int k = 0; k < c->nslo; k++)
				bl[k][p] += r[2 + k];
			if (r[0] < (double)(at - c->pair[p].short_ms))
				continue;
			ns[p] += r[1];
			for (int k = 0; k < c->nslo; k++)
				bs[k][p] += r[2 + k];
		}
		if (!any)
			break;
	}
	for (int k = 0; k < c->nslo; k++) {
		struct det *d = &s->slo_det[k];
		double budget = 1 - c->slo[k].objective, err_l[MODEL_MAX_PAIRS];
		int best = -1, st, p;

		for (p = 0; p < c->npair; p++) {
			const struct slo_pair *pr = &c->pair[p];
			double need = 1 / (pr->factor * budget);

			err_l[p] = nl[p] > 0 ? bl[k][p] / nl[p] : 0;
			bl[k][p] = err_l[p] / budget;
			bs[k][p] = ns[p] > 0 ? bs[k][p] / ns[p] / budget : 0;
			if ((double)(at - (int64_t)s->first) < (double)pr->long_ms ||
			    nl[p] < need || ns[p] < need)
				continue;
			if (bl[k][p] >= pr->factor && bs[k][p] >= pr->factor &&
			    (best < 0 || pr->factor > c->pair[best].factor))
				best = p;
		}
		st = det_step(c, d, best >= 0, best >= 0, best >= 0 ?
		    at - c->pair[best].short_ms : 0);
		if (best >= 0)
			s->slo_pair[k] = best;
		if (st) {
			struct signal *g;
			double r;

			p = (int)s->slo_pair[k];
			r = err_l[p];
			g = sig_new(out, n, 0, F_SLO, 0, st, at, d);
			g->slo = k + 1;
			g->value = bl[k][p];
			g->baseline = 1;
			g->spread = nl[p] > 0 ?
			    sqrt(r * (1 - r) / nl[p]) / budget : 0;
			g->score = fmin(bl[k][p], bs[k][p]);
			g->count = nl[p];
			g->burn_short = bs[k][p];
			g->window_long_s = (double)c->pair[p].long_ms / 1000;
			g->window_short_s = (double)c->pair[p].short_ms / 1000;
			g->objective = c->slo[k].objective;
			g->factor = c->pair[p].factor;
		}
	}
}

/* --state: per SLO its detector and pair, then the ring. */
size_t
slo_state_count(const struct model_config *c, const struct series *s)
{
	if (c->nslo == 0)
		return 0;
	return (size_t)c->nslo * 9 + 3 +
	    (size_t)s->slo_cap * SLO_STRIDE(c->nslo);
}

static void
slo_visit(const struct model_config *c, struct series *s, double *v,
    int load)
{
	size_t k = 0, nr = (size_t)s->slo_cap * SLO_STRIDE(c->nslo);
#define F(x) do { if (load) (x) = v[k]; else v[k] = (x); k++; } while (0)
	for (int i = 0; i < c->nslo; i++) {
		struct det *d = &s->slo_det[i];
		F(d->active); F(d->quiet); F(d->hist); F(d->fhist);
		F(d->windows); F(d->since); F(d->cus); F(d->cus_start);
		F(s->slo_pair[i]);
	}
	if (load) {
		s->slo_cap = (int)v[k++];
		s->slo_head = (int)v[k++];
		s->slo_n = (int)v[k++];
	} else {
		v[k++] = s->slo_cap;
		v[k++] = s->slo_head;
		v[k++] = s->slo_n;
	}
	for (size_t i = 0; i < nr; i++)
		F(s->slo_ring[i]);
#undef F
}

void
slo_state_save(const struct model_config *c, const struct series *s,
    double *out)
{
	slo_visit(c, (struct series *)s, out, 0);
}

int
slo_state_load(const struct model_config *c, struct series *s,
    const double *in, size_t n)
{
	size_t base = (size_t)c->nslo * 9;

	if (c->nslo == 0 || n != slo_state_count(c, s) ||
	    in[base] != s->slo_cap || in[base + 1] < 0 ||
	    in[base + 1] >= s->slo_cap || in[base + 2] < 0 ||
	    in[base + 2] > s->slo_cap)
		return -1;
	for (int i = 0; i < c->nslo; i++)
		if (in[i * 9 + 8] < 0 || in[i * 9 + 8] >= c->npair)
			return -1;
	slo_visit(c, s, (double *)in, 1);
	return 0;
}

static int
series_degraded(const struct model_config *c, const struct series *s)
{
	for (int i = 0; i < c->nmetric; i++)
		for (int k = 0; k < 6; k++)
			if (s->m[i].det[k / 2][k % 2].active)
				return 1;
	return 0;
}

/*
 * Learning rates are given per minute of data, so that a 5m series
 * forgets as fast in time as a 1m one: a = 1 - (1 - rate)^(width/1m).
 */
static double
rate_for(double rate, int64_t width)
{
	return -expm1(log1p(-fmin(rate, 0.999999)) * (double)width / 60000);
}

static void
learn(const struct model_config *c, struct series *s, const struct obs *o,
    const double *xs, const double *e, const double *sd, double w, int hour)
{
	double rate, prate;

	if (s->rate == 0) {
		s->rate = rate_for(c->learn, o->width);
		s->prate = rate_for(c->profile_learn, o->width);
	}
	rate = s->rate;
	prate = s->prate;

	for (int i = 0; i < c->nmetric; i++) {
		const struct metric_def *def = &c->metric[i];
		struct mstate *m = &s->m[i];
		int warm = m->glob.n >= c->warmup;
		double x, w2 = 1, fv;

		if (!o->has[i] || floored(c, s, def, o, i, &fv))
			continue;
		if (def->kind == MK_ERRORS) {
			/*
			 * Errors are rare: a quarter of the learning rate, and
			 * a window counts for at most the 95th percentile of
			 * what the baseline expects of it, so neither a burst
			 * nor the first minutes of a creep are learned.
			 */
			double ex = (double)o->count * (m->aux.mu > 0 ?
			    m->glob.mu / m->aux.mu : 0);
			double cap = ex + 2 * sqrt(ex) + 1;
			x = (double)o->errors;
			if (warm && x > cap)
				x = cap;
			base_learn(&m->glob, x, 0, 1, rate / 4, 0, 0);
			base_learn(&m->aux, (double)o->count, 0, 1,
			    rate / 4, 0, 0);
			continue;
		}
		/*
		 * Nor does a latency learn while its CUSUM up builds up (S >=
		 * hold h): a creep is not to be absorbed into the baseline in
		 * the windows before it is found.  Not downwards: falling
		 * latency is good news, and a slow fall (the night, before the
		 * time-of-day profile knows it) must be learned, not held until
		 * a CUSUM down fires on it.  Nor for other metrics, whose
		 * direction means nothing to us and which may wander.
		 */
		if (def->kind == MK_LOG && warm &&
		    m->det[1][0].cus >= c->hold * c->cusum_h)
			continue;
		x = xs[i];
		if (def->kind == MK_LOG)
			w2 = w * w;
		base_learn(&m->glob, x, (x - e[i]) * (def->kind == MK_LOG ?
		    w : 1), w2, rate, sd[i], warm);
		base_learn(&m->prof[hour], x, 0, w2, prate, sd[i],
		    warm);
	}
}

int
series_update(const struct model_config *c, struct series *s,
    const struct obs *o, struct signal *out)
{
	int64_t mid = o->start + o->width / 2;
	double e[MODEL_MAX_METRICS], sd[MODEL_MAX_METRICS], w = 1;
	double x[MODEL_MAX_METRICS];	/* on the model's scale: log for MK_LOG */
	const struct mstate *lead = NULL;
	struct tod td;
	int n = 0;

	if (s->seen == 0)
		s->first = (double)o->start;
	s->seen += 1;
	s->last_end = (double)(o->start + o->width);
	tod_of(s, mid, &td);

	for (int i = 0; i < c->nmetric; i++) {
		/* Once here: both watch_level() and learn() need it. */
		x[i] = 0;	/* unused without an observation */
		if (o->has[i] && c->metric[i].kind != MK_ERRORS)
			x[i] = c->metric[i].kind == MK_LOG ?
			    log(max_d(o->x[i], 1e-3)) : o->x[i];
		e[i] = expected_at(c, &s->m[i], &td);
		sd[i] = spread_of(&s->m[i].glob, c->metric[i].kind, e[i]);
		/* Evidence weight of latency: sqrt(count / expected count). */
		if (c->metric[i].kind == MK_COUNT && o->has[i] &&
		    s->m[i].glob.n >= c->warmup && e[i] > 0 &&
		    (double)o->count < e[i])
			w = sqrt((double)o->count / e[i]);
	}
	for (int i = 0; i < c->nmetric; i++) {
		const struct metric_def *def = &c->metric[i];
		struct mstate *m = &s->m[i];

		if (def->kind == MK_ERRORS || (def->kind == MK_LOG &&
		    def->fast > 0))
			watch_floor(c, s, def, m, o, i, out, &n);
		if (m->glob.n < c->warmup)
			continue;
		switch (def->kind) {
		case MK_COUNT:
			if (o->has[i])
				watch_traffic(c, m, o, i, e[i], sd[i], out, &n);
			break;
		case MK_ERRORS:
			if (o->has[i])
				watch_errors(c, m, o, i, out, &n);
			break;
		case MK_LOG:
		case MK_RAW:
			watch_level(c, def, m, o, i, x[i], e[i], sd[i], w,
			    def->fast == 2 ? lead : NULL, out, &n);
			if (def->fast == 1 && o->has[i])
				lead = m;
			break;
		}
	}
	/* Against the objective, not a baseline: no warm-up, no freezing. */
	if (c->nslo > 0)
		watch_slo(c, s, o, out, &n);
	if (!series_degraded(c, s))
		learn(c, s, o, x, e, sd, w, td.hour);
	return n;
}

/*
 * The state of one metric as a flat array of numbers, for --state.  The
 * numbers of version 1 of the file (MSTATE_V1 of them: the baselines,
 * the level and CUSUM detectors, the error ring) come first, in their
 * old order, and what later versions added follows: a file of version 1
 * loads into its prefix, and the rest starts afresh, as in a new series
 * (the tails at their priors, the novelty records learning from its
 * next window).
 */
#define NDET	8
#define MSTATE_V1	(3 * (2 + MODEL_HOURS) + 4 * NDET + 2 * MODEL_RING + 1)
size_t
mstate_count(void)
{
	return MSTATE_V1 + 2 * NDET + 2 * 4 + 8;
}

size_t
mstate_count_v1(void)
{
	return MSTATE_V1;
}

/* On load, only the first nf numbers are there. */
static void
mstate_visit(struct mstate *m, double *v, int load, size_t nf)
{
	size_t k = 0;
#define F(x) do { if (!load) v[k] = (x); else if (k < nf) (x) = v[k]; \
	k++; } while (0)
	struct base *bases[2 + MODEL_HOURS];

	bases[0] = &m->glob;
	bases[1] = &m->aux;
	for (int h = 0; h < MODEL_HOURS; h++)
		bases[2 + h] = &m->prof[h];
	for (int b = 0; b < 2 + MODEL_HOURS; b++) {
		F(bases[b]->mu);
		F(bases[b]->d);
		F(bases[b]->n);
	}
	for (int i = 0; i < 6; i++) {
		struct det *d;
		if (i == 4) {
			/* Newest first, wherever ring_head is: one copy. */
			if (load)
				m->ring_head = 0;
			for (int r = 0; r < MODEL_RING; r++) {
				F(m->ring_e[m->ring_head + r]);
				F(m->ring_n[m->ring_head + r]);
				if (load) {
					m->ring_e[MODEL_RING + r] =
					    m->ring_e[r];
					m->ring_n[MODEL_RING + r] =
					    m->ring_n[r];
				}
			}
			F(m->ring_bits);
		}
		d = &m->det[i / 2][i % 2];
		F(d->active); F(d->quiet); F(d->hist); F(d->fhist);
		F(d->windows); F(d->since); F(d->cus); F(d->cus_start);
	}
	for (int dir = 0; dir < 2; dir++) {
		F(m->tail[dir].e); F(m->tail[dir].w);
		F(m->tail[dir].x); F(m->tail[dir].peak);
	}
	F(m->nov.vmax); F(m->nov.vmin); F(m->nov.rmax); F(m->nov.rmin);
	F(m->nov.r1); F(m->nov.n); F(m->nov.first); F(m->nov.last);
#undef F
}

void
mstate_save(const struct mstate *m, double *out)
{
	mstate_visit((struct mstate *)m, out, 0, mstate_count());
}

void
mstate_load(struct mstate *m, const double *in, size_t n)
{
	mstate_visit(m, (double *)in, 1, n);
}

/*
 * The baseline of metric i for a window that starts at start: on the
 * metric's own scale (ms for latency, a share of requests for errors,
 * requests for the count), the time-of-day profile included; NaN while
 * the metric warms up.  It gives a signal its context (detect.1,
 * CONTEXT); the detectors never call it.
 */
double
series_baseline(const struct model_config *c, const struct series *s, int i,
    int64_t start, int64_t width)
{
	const struct mstate *m = &s->m[i];
	double e;

	if (m->glob.n < c->warmup)
		return NAN;
	if (c->metric[i].kind == MK_ERRORS)
		return m->aux.mu > 0 ? m->glob.mu / m->aux.mu : NAN;
	e = expected(c, s, m, start + width / 2);
	return c->metric[i].kind == MK_LOG ? exp(e) : e;
}
