/*
 * det_binomial.c - binomial: the error rate, honest at low traffic.
 */
#include "detector.h"

/*
 * The errors and counts of the last MODEL_RING windows, newest first
 * from ring_head.  Each is stored twice, at i and i + MODEL_RING, so
 * that the history is one run of memory that neither wraps nor has to be
 * shifted along each window.
 */
struct binomial_state {
	struct det	 d;
	double		 ring_e[2 * MODEL_RING], ring_n[2 * MODEL_RING];
	double		 ring_bits;	/* windows filled in the ring */
	int		 ring_head;	/* 0 .. MODEL_RING - 1 */
};

static int
binomial_watches(const struct metric_def *def)
{
	return def->kind == MK_ERRORS;
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
binomial_update(const struct dctx *x, void *st)
{
	const struct model_config *c = x->c;
	const struct obs *o = x->o;
	struct binomial_state *m = st;
	int64_t at = o->start + o->width, e_sum = 0, n_sum = 0;
	struct det *d = &m->d;
	double p0 = error_p0(c, x->m), pw = 1, pp = 1;
	const double *re, *rn;		/* the ring, newest first */
	int s, back = 1, h;

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
	s = det_step(c, d, pp < c->err_p,
	    pw < c->err_window_p, at - back * o->width);
	if (s == 2)
		m->ring_bits = 0;	/* start pooling afresh: no re-firing */
	if (s) {
		struct signal *g = sig_new(x, SB_FAM_RATE, 0, s, d->since);
		g->value = n_sum > 0 ? (double)e_sum / n_sum : 0;
		g->baseline = p0;
		g->spread = n_sum > 0 ? sqrt(p0 * (1 - p0) / n_sum) : NAN;
		g->p_value = pp;
		g->score = -log10(fmax(pp, 1e-300));
		g->expected = n_sum * p0;
		g->count = (double)n_sum;
		g->errors = (double)e_sum;
	}
}

static int
binomial_active(const void *st)
{
	return ((const struct binomial_state *)st)->d.active;
}

static const struct dmember binomial_members[] = {
	DM_STRUCT("up", struct binomial_state, d, det_members),
	{ "errors", offsetof(struct binomial_state, ring_e), DM_RING,
	    MODEL_RING, offsetof(struct binomial_state, ring_head), NULL, 0 },
	{ "counts", offsetof(struct binomial_state, ring_n), DM_RING,
	    MODEL_RING, offsetof(struct binomial_state, ring_head), NULL, 0 },
	DM_NUMBERS("filled", struct binomial_state, ring_bits, 1),
};

static void
binomial_legacy(const struct metric_def *def, void *st,
    const struct legacy_state *l)
{
	struct binomial_state *b = st;

	(void)def;
	det_legacy(&b->d, l->det[0][0]);
	b->ring_head = 0;
	for (int r = 0; r < MODEL_RING; r++) {
		b->ring_e[r] = b->ring_e[MODEL_RING + r] = l->ring_e[r];
		b->ring_n[r] = b->ring_n[MODEL_RING + r] = l->ring_n[r];
	}
	b->ring_bits = l->ring_bits;
}

const struct detector binomial_detector = {
	.name = "binomial",
	.size = sizeof(struct binomial_state),
	.watches = binomial_watches,
	.update = binomial_update,
	.active = binomial_active,
	.members = binomial_members,
	.nmembers = 4,
	.legacy = binomial_legacy,
};
