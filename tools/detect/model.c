/*
 * model.c - baselines and change detectors; detect.1 holds the formulas.
 */
#include <fnmatch.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "detector.h"
#include "model.h"

#define DAY_MS		86400000LL
#define HOUR_MS		3600000LL
#define MAD_TO_SIGMA	1.2533141373155	/* sqrt(pi/2): mean |dev| to sigma */
#define LOG_SPREAD_MIN	0.02		/* 2% on a log scale */
#define RAW_SLOW	50		/* the long-run spread learns 50x slower */
#define RAW_SPREAD_MIN	1.5		/* of the long-run spread */
#define RAW_SPREAD_SLOW	10		/* the spread learns 10x slower than the level */
#define WEEK_MIN_DAYS	14		/* of history before the weekly profile */
#define WEEK_MIN_HOURS	2		/* of windows in each of its buckets */
#define PROFILE_TRIAL	288		/* windows a profile is weighed over */
#define PROFILE_BETTER	0.8		/* its residuals against the simpler's */

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
	c->err_cusum_ratio = 4;
	c->err_cusum_h = 10;
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
	c->novel_rmargin = 0.2;
	c->novel_rearm = 12 * HOUR_MS;
	c->rebase = 24 * HOUR_MS;
	/* The SRE workbook's page and ticket pairs. */
	c->pair[0] = (struct slo_pair){ SB_SLO_PAGE_BURN, 3600000, 300000 };
	c->pair[1] = (struct slo_pair){ SB_SLO_TICKET_BURN, 6 * 3600000LL,
	    1800000 };
	c->npair = 2;
}

void
model_finish(struct model_config *c)
{
	for (int k = 0; k < ndetectors; k++)
		if (detectors[k]->configure != NULL)
			detectors[k]->configure(c);
}

struct series *
series_new(const struct model_config *c, const char *key, size_t keylen,
    int64_t width)
{
	size_t total = 0, ssize[32];
	uint32_t b, run = 0, mask[MODEL_MAX_METRICS];
	struct series *s;
	int k;

	/* The detectors of each metric, and so its size. */
	(void)detectors_layout();
	for (int i = 0; i < c->nmetric; i++) {
		mask[i] = 0;
		for (k = 0; k < ndetectors; k++)
			if (!(detectors_series & 1u << k) &&
			    detectors[k]->watches(&c->metric[i]))
				mask[i] |= 1u << k;
		total += detectors_size[mask[i]];
	}

	/* The series' detectors that run: a pointer each after the metrics. */
	for (b = detectors_series; b; b &= b - 1) {
		k = detector_first(b);
		if ((ssize[k] = detectors[k]->series_size(c, width)) > 0)
			run |= 1u << k;
	}
	s = sb_xcalloc(1, sizeof *s + total +
	    (run ? (size_t)ndetectors * sizeof(void *) : 0));
	s->nmetric = c->nmetric;
	total = 0;
	for (int i = 0; i < c->nmetric; i++) {
		s->moff[i] = (uint16_t)total;
		series_metric(s, i)->dmask = mask[i];
		total += detectors_size[mask[i]];
	}
	s->key = sb_xmalloc(keylen + 1);
	memcpy(s->key, key, keylen);
	s->key[keylen] = '\0';
	s->keylen = keylen;
	s->width = width;
	s->shifting = 1;	/* a state loaded may hold one */
	s->floor_err = c->floor_err;
	s->floor_ms = c->floor_ms;
	for (int i = 0; i < c->nfloor; i++)	/* the last match wins */
		if (fnmatch(c->floor[i].glob, s->key, 0) == 0) {
			if (c->floor[i].kind == FLOOR_ERRORS)
				s->floor_err = c->floor[i].value;
			else
				s->floor_ms = c->floor[i].value;
		}
	for (int i = 0; i < c->nmetric; i++) {
		struct mstate *m = series_metric(s, i);
		if (c->metric[i].kind == MK_RAW) {
			m->week = sb_xcalloc(1, sizeof *m->week);
			s->weekly = 1;
		}
	}
	if (run) {
		s->sstate = (void **)(void *)(s->mem + total);
		for (b = run; b; b &= b - 1) {
			k = detector_first(b);
			s->sstate[k] = sb_xcalloc(1, ssize[k]);
		}
	}
	return s;
}

void
series_free(struct series *s)
{
	if (s == NULL)
		return;
	for (int i = 0; i < s->nmetric; i++)
		free(series_metric(s, i)->week);
	for (int k = 0; s->sstate != NULL && k < ndetectors; k++)
		free(s->sstate[k]);
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
 * The spread of a metric: the recent mean deviation (glob, about 50
 * minutes of memory; RAW_SPREAD_SLOW times more for a value) as a
 * standard deviation, with a floor.  On the log scale of latency the
 * floor is 2%.  A --metric value (MK_RAW) is any gauge or count,
 * quantised, spiky or flat for hours, so its floor is RAW_SPREAD_MIN
 * times its long-run spread: the mean deviation from its long-run level,
 * or from the profile once that predicts (aux, learned RAW_SLOW times
 * slower, about two days of memory).  A quiet hour then does not shrink
 * the yardstick below what the series does over days, and the first
 * change of one unit after a flat stretch is not thousands of spreads.
 */
static double
spread_of(const struct mstate *m, enum metric_kind kind, double mu)
{
	double s = MAD_TO_SIGMA * m->glob.d, lo;

	if (kind == MK_LOG)
		lo = LOG_SPREAD_MIN;
	else if (kind == MK_RAW)
		lo = max_d(max_d(1e-9, 1e-3 * fabs(mu)),
		    RAW_SPREAD_MIN * MAD_TO_SIGMA * m->aux.d);
	else
		lo = max_d(1e-9, 1e-3 * fabs(mu));
	return s > lo ? s : lo;
}

/*
 * Where a window centred at t falls in the day, and in the week if a
 * metric keeps a weekly profile, for every metric of the series: worked
 * out once a window, not once a metric, as it takes 64-bit divisions and
 * floor()s.
 */
struct tod {
	int		 young;	/* less than a day of history */
	int		 hour;	/* the bucket t falls in */
	int		 j, k;	/* the buckets whose centres bracket t */
	double		 frac;	/* t's place from centre j to k */
	int		 wold;	/* WEEK_MIN_DAYS of history */
	int		 whour, wj, wk;	/* the same in the hours of the week */
	double		 wfrac;
	double		 wmin;	/* windows a weekly bucket needs */
};

static void
tod_of(const struct series *s, int64_t t, struct tod *td)
{
	const int64_t week_ms = 7 * DAY_MS;
	int64_t ms = ((t % DAY_MS) + DAY_MS) % DAY_MS, wms;
	double u = (double)ms / HOUR_MS - 0.5, wu;
	int j = (int)floor(u), wj;

	td->young = t - (int64_t)s->first < DAY_MS;
	td->hour = (int)(ms / HOUR_MS);
	td->frac = u - j;
	td->k = (j + 1) % MODEL_HOURS;
	td->j = (j + MODEL_HOURS) % MODEL_HOURS;
	if (!s->weekly)
		return;
	wms = ((t % week_ms) + week_ms) % week_ms;
	wu = (double)wms / HOUR_MS - 0.5;
	wj = (int)floor(wu);
	td->wold = t - (int64_t)s->first >= WEEK_MIN_DAYS * DAY_MS;
	td->whour = (int)(wms / HOUR_MS);
	td->wfrac = wu - wj;
	td->wk = (wj + 1) % MODEL_WEEK;
	td->wj = (wj + MODEL_WEEK) % MODEL_WEEK;
	td->wmin = (double)WEEK_MIN_HOURS * HOUR_MS / (double)s->width;
}

/*
 * Whether the time-of-day profile gives a metric's expected value for a
 * window centred at td: once the series has a day of history and both
 * buckets that bracket it hold profile_min samples.
 */
static int
seasonal(const struct model_config *c, const struct mstate *m,
    const struct tod *td)
{
	return !td->young && m->prof[td->j].n >= c->profile_min &&
	    m->prof[td->k].n >= c->profile_min;
}

/* The daily profile between the centres of the hours that bracket td. */
static double
daily_at(const struct mstate *m, const struct tod *td)
{
	return (1 - td->frac) * m->prof[td->j].mu +
	    td->frac * m->prof[td->k].mu;
}

/*
 * Whether a MK_RAW metric's hour-of-week profile can predict for td: two
 * weeks of history, and WEEK_MIN_HOURS of windows in each bucket that
 * brackets it (two hours of each weekday, two weeks of 5m windows).
 */
static int
weekly_ready(const struct mstate *m, const struct tod *td)
{
	return m->week != NULL && td->wold &&
	    m->week->prof[td->wj].n >= td->wmin &&
	    m->week->prof[td->wk].n >= td->wmin;
}

static double
weekly_at(const struct mstate *m, const struct tod *td)
{
	return (1 - td->wfrac) * m->week->prof[td->wj].mu +
	    td->wfrac * m->week->prof[td->wk].mu;
}

/* The daily profile's level without its shape: its mean over the day. */
static double
daily_mean(const struct mstate *m)
{
	double sum = 0;
	int n = 0;

	for (int h = 0; h < MODEL_HOURS; h++)
		if (m->prof[h].n > 0) {
			sum += m->prof[h].mu;
			n++;
		}
	return n > 0 ? sum / n : m->glob.mu;
}

/*
 * Whether a trial (struct week) has shown the more detailed of two
 * profiles to predict better: PROFILE_TRIAL windows weighed, and its
 * mean absolute residual (d) below PROFILE_BETTER times the simpler
 * one's (mu).
 */
static int
better(const struct base *trial)
{
	return trial->n >= PROFILE_TRIAL &&
	    trial->d < PROFILE_BETTER * trial->mu;
}

/*
 * The expected value of a metric for a window centred at t: the global
 * level until seasonal(), then the time-of-day profile, interpolated
 * between the centres of adjacent hour buckets.  A MK_RAW metric weighs
 * the profiles it may take, as seasonality is learned, not assumed: the
 * hour-of-week profile where the data show a week, once it predicts
 * better than the daily one (weekends, holidays that the daily cycle
 * alone calls anomalies every Saturday); else the daily profile where the
 * data show a day, once it predicts better than its own mean over the
 * day; else that mean, the profile's level without its shape.  A series
 * without a daily cycle (spikes at random hours, a CPU that wanders for
 * days), or whose cycle is small against its noise, would otherwise
 * expect at each hour what that hour did the days before: yesterday's
 * burst at ten makes today's ordinary ten o'clock low.
 */
static double
expected_at(const struct model_config *c, const struct mstate *m,
    const struct tod *td)
{
	if (!seasonal(c, m, td))
		return m->glob.mu;
	if (m->week == NULL)
		return daily_at(m, td);
	if (weekly_ready(m, td) && better(&m->week->err))
		return weekly_at(m, td);
	if (m->week->shape.n < PROFILE_TRIAL || better(&m->week->shape))
		return daily_at(m, td);
	return daily_mean(m);
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
 * evidence of the window (low-count windows move it less).  The spread
 * learns at rate / dslow (a running mean first too).
 */
static void
base_learn(struct base *b, double x, double dev, double w2, double rate,
    double dslow, double s, int robust)
{
	double a, ad, dx;

	if (b->n < 1) {
		b->mu = x;
		b->d = 0;
		b->n = 1;
		return;
	}
	a = 1 / (b->n + 1);
	ad = max_d(a, rate / dslow);
	if (a < rate)
		a = rate;
	dx = x - b->mu;
	dev = fabs(dev);
	if (robust) {
		dx = max_d(-3 * s, min_d(3 * s, dx));
		dev = min_d(dev, 4 * s);
	}
	b->mu += a * w2 * dx;
	b->d += ad * (dev - b->d);
	b->n += 1;
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

static int
series_degraded(const struct model_config *c, const struct series *s)
{
	for (int i = 0; i < c->nmetric; i++) {
		struct mstate *m = series_metric(s, i);
		for (uint32_t b = m->dmask; b; b &= b - 1) {
			int k = detector_first(b);
			if (detectors[k]->active(dstate(m, k)))
				return 1;
		}
	}
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

/* One window of a trial: the residuals of the simpler and the other. */
static void
trial_learn(struct base *trial, double rate, double simple, double detailed)
{
	double a = max_d(rate, 1 / (trial->n + 1));

	trial->mu += a * (fabs(simple) - trial->mu);
	trial->d += a * (fabs(detailed) - trial->d);
	trial->n += 1;
}

/*
 * The hour-of-week profile of a MK_RAW metric, and the trials of the
 * profiles (expected_at()): the residuals of each while it predicts,
 * before this window moves them, over about two days.  The daily
 * profile's shape is weighed on every window, those that a detector
 * calls anomalous included: where a flat level would have expected them
 * is the evidence for it.  A bucket of the week sees one hour a week and
 * learns at seven times the daily profile's rate, with the same clipped
 * step.  Like every baseline it learns nothing while a detector is
 * active, except while it holds fewer than wmin windows: a Saturday that
 * the daily profile calls an anomaly must still teach the weekly one what
 * Saturdays are like.
 */
static void
learn_week(const struct model_config *c, struct series *s, const struct obs *o,
    const double *xs, const double *sd, const struct tod *td, int degraded)
{
	if (!s->weekly)
		return;
	for (int i = 0; i < c->nmetric; i++) {
		struct mstate *m = series_metric(s, i);
		struct week *wk = m->week;
		double v = xs[i];

		if (wk == NULL || !o->has[i])
			continue;
		if (seasonal(c, m, td))
			trial_learn(&wk->shape, s->rate / RAW_SLOW,
			    v - daily_mean(m), v - daily_at(m, td));
		if (degraded && wk->prof[td->whour].n >= td->wmin)
			continue;
		if (seasonal(c, m, td) && weekly_ready(m, td))
			trial_learn(&wk->err, s->rate / RAW_SLOW,
			    v - daily_at(m, td), v - weekly_at(m, td));
		base_learn(&wk->prof[td->whour], v, 0, 1, s->prate * 7, 1,
		    sd[i], m->glob.n >= c->warmup);
	}
}

/* A floor reached, a latency's CUSUM building up: metric x learns nothing. */
static int
metric_held(const struct dctx *x)
{
	for (uint32_t b = x->m->dmask & detectors_holds; b; b &= b - 1) {
		int k = detector_first(b);
		if (detectors[k]->holds(x, dstate(x->m, k)))
			return 1;
	}
	return 0;
}

/*
 * A new normal.  Nothing learns while a detector is active, so a series
 * whose level moved for good (a resized instance, a new release) would
 * stay degraded for ever, and every later change of it would join that
 * one episode unseen.  Once a series has been degraded for c->rebase
 * without a break, each metric's baselines (level, long-run level, both
 * profiles) move by its recent residual, an EWMA of about an hour: the
 * shift is the new normal, the detectors clear as their z falls, and
 * learning resumes.  Neither an error count (a rate, not a level) nor a
 * metric whose learning is held moves: a latency above its floor (a
 * broken endpoint is never normal) or with its rising CUSUM at
 * --learn-hold (a creep is never the new normal).  A
 * series still degraded after the shift (one whose spread changed, not
 * its level) shifts again a c->rebase later, by what is left.
 */
static void
rebase(const struct model_config *c, struct series *s, const struct obs *o,
    const double *xs, const double *e, int degraded)
{
	double a;

	if (c->rebase <= 0 || (!degraded && !s->shifting))
		return;
	s->shifting = degraded;
	for (int i = 0; i < c->nmetric; i++) {
		struct mstate *m = series_metric(s, i);
		struct shift *sh = &m->shift;
		struct dctx x;
		double r;

		if (!degraded) {
			if (sh->n > 0)
				sh->since = sh->res = sh->n = 0;
			continue;
		}
		if (!o->has[i] || c->metric[i].kind == MK_ERRORS ||
		    m->glob.n < c->warmup)
			continue;
		x = (struct dctx){ .c = c, .s = s, .def = &c->metric[i],
		    .m = m, .o = o, .i = i };
		r = xs[i] - e[i];
		if (sh->n < 1)
			sh->since = (double)o->start;
		sh->n += 1;
		a = max_d(1 / sh->n, rate_for(1.0 / 60, o->width));
		sh->res += a * (r - sh->res);
		if ((double)o->start - sh->since < (double)c->rebase ||
		    metric_held(&x))
			continue;
		m->glob.mu += sh->res;
		m->aux.mu += sh->res;
		for (int h = 0; h < MODEL_HOURS; h++)
			if (m->prof[h].n > 0)
				m->prof[h].mu += sh->res;
		for (int h = 0; m->week != NULL && h < MODEL_WEEK; h++)
			if (m->week->prof[h].n > 0)
				m->week->prof[h].mu += sh->res;
		sh->since = sh->res = sh->n = 0;
	}
}

static void
learn(const struct model_config *c, struct series *s, const struct obs *o,
    const double *xs, const double *e, const double *sd, double w,
    const struct tod *td)
{
	double rate, prate;

	rate = s->rate;
	prate = s->prate;

	for (int i = 0; i < c->nmetric; i++) {
		const struct metric_def *def = &c->metric[i];
		struct mstate *m = series_metric(s, i);
		struct dctx x = { .c = c, .s = s, .def = def, .m = m, .o = o,
		    .i = i };
		int warm = m->glob.n >= c->warmup;
		double v, w2 = 1;

		if (!o->has[i] || metric_held(&x))
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
			v = (double)o->errors;
			if (warm && v > cap)
				v = cap;
			base_learn(&m->glob, v, 0, 1, rate / 4, 1, 0, 0);
			base_learn(&m->aux, (double)o->count, 0, 1,
			    rate / 4, 1, 0, 0);
			continue;
		}
		v = xs[i];
		if (def->kind == MK_LOG)
			w2 = w * w;
		base_learn(&m->glob, v, (v - e[i]) * (def->kind == MK_LOG ?
		    w : 1), w2, rate, def->kind == MK_RAW ? RAW_SPREAD_SLOW : 1,
		    sd[i], warm);
		/*
		 * A value's long-run level and spread, the spread measured
		 * from the expected value once the profile gives it: the
		 * daily cycle is not noise.
		 */
		if (def->kind == MK_RAW)
			base_learn(&m->aux, v, seasonal(c, m, td) ? v - e[i] :
			    v - m->aux.mu, 1, rate / RAW_SLOW, 1, 0, 0);
		base_learn(&m->prof[td->hour], v, 0, w2, prate, 1, sd[i],
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
	int n = 0, degraded;

	if (s->seen == 0)
		s->first = (double)o->start;
	s->seen += 1;
	s->last_end = (double)(o->start + o->width);
	tod_of(s, mid, &td);

	for (int i = 0; i < c->nmetric; i++) {
		const struct mstate *m = series_metric(s, i);
		/* Once here: the detectors and learn() need it. */
		x[i] = 0;	/* unused without an observation */
		if (o->has[i] && c->metric[i].kind != MK_ERRORS)
			x[i] = c->metric[i].kind == MK_LOG ?
			    log(max_d(o->x[i], 1e-3)) : o->x[i];
		e[i] = expected_at(c, m, &td);
		sd[i] = spread_of(m, c->metric[i].kind, e[i]);
		/* Evidence weight of latency: sqrt(count / expected count). */
		if (c->metric[i].kind == MK_COUNT && o->has[i] &&
		    m->glob.n >= c->warmup && e[i] > 0 &&
		    (double)o->count < e[i])
			w = sqrt((double)o->count / e[i]);
	}
	for (int i = 0; i < c->nmetric; i++) {
		struct mstate *m = series_metric(s, i);
		struct dctx ctx = { .c = c, .s = s, .def = &c->metric[i],
		    .m = m, .o = o, .i = i, .x = x[i], .e = e[i], .sd = sd[i],
		    .w = w, .seasonal = seasonal(c, m, &td), .out = out,
		    .n = &n };
		uint32_t mask = m->dmask, b;
		int k;

		for (b = mask & detectors_always; b; b &= b - 1) {
			k = detector_first(b);
			detectors[k]->update(&ctx, dstate(m, k));
		}
		if (m->glob.n < c->warmup)
			continue;
		if (!o->has[i]) {
			for (int dir = 0; dir < 2; dir++)
				for (b = mask & detectors_idle; b; b &= b - 1) {
					k = detector_first(b);
					detectors[k]->idle(&ctx, dstate(m, k),
					    dir);
				}
			continue;
		}
		for (b = mask & ~detectors_always; b; b &= b - 1) {
			k = detector_first(b);
			ctx.lead = lead != NULL && lead->dmask & 1u << k ?
			    (const char *)lead + detector_off[lead->dmask][k] :
			    NULL;
			detectors[k]->update(&ctx, dstate(m, k));
		}
		for (b = mask & detectors_finish; b; b &= b - 1) {
			k = detector_first(b);
			detectors[k]->finish(&ctx, dstate(m, k));
		}
		if (c->metric[i].fast == 1)
			lead = m;
	}
	/*
	 * The series' detectors (the SLO burn rates: against the objective,
	 * not a baseline, so no warm-up and no freezing).
	 */
	if (s->sstate != NULL) {
		struct dctx ctx = { .c = c, .s = s, .o = o, .out = out,
		    .n = &n };
		for (uint32_t b = detectors_series; b; b &= b - 1) {
			int k = detector_first(b);
			if (s->sstate[k] != NULL)
				detectors[k]->update(&ctx, s->sstate[k]);
		}
	}
	if (s->rate == 0) {
		s->rate = rate_for(c->learn, o->width);
		s->prate = rate_for(c->profile_learn, o->width);
	}
	/* Before learn(): the residuals are those of the profiles before. */
	degraded = series_degraded(c, s);
	rebase(c, s, o, x, e, degraded);
	learn_week(c, s, o, x, sd, &td, degraded);
	if (!degraded)
		learn(c, s, o, x, e, sd, w, &td);
	return n;
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
	const struct mstate *m = series_metric(s, i);
	double e;

	if (m->glob.n < c->warmup)
		return NAN;
	if (c->metric[i].kind == MK_ERRORS)
		return m->aux.mu > 0 ? m->glob.mu / m->aux.mu : NAN;
	e = expected(c, s, m, start + width / 2);
	return c->metric[i].kind == MK_LOG ? exp(e) : e;
}
