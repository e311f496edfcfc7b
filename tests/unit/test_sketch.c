/*
 * test_sketch.c - accuracy, mergeability and the serialized form of the
 * quantile sketch (lib/sketch.h).
 *
 * Every data set comes from a fixed-seed generator, so a failure is
 * reproducible; the whole file runs in well under a second, and in a
 * few seconds under AddressSanitizer.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "json.h"
#include "sketch.h"
#include "../tap.h"

/*
 * The accuracy bound is exact in real arithmetic, but log(), the scaling
 * by 1 / ln gamma and exp() each round, to about 2e-15 of the value near
 * SB_SKETCH_MAX: a value that close to a bucket boundary can land in the
 * neighbouring bucket, and a representative can be off by as much, so an
 * error can exceed alpha by a few 1e-15 (2.6e-15 measured below).  EPS
 * allows for that and nothing more: an index one bucket off costs a
 * typical value about 2 alpha = 1e-2, eleven orders of magnitude more.
 */
#define EPS		1e-13
#define BOUND		(SB_SKETCH_ALPHA + EPS)

/*
 * The buckets of SB_SKETCH_MIN and SB_SKETCH_MAX, ceil(ln v / ln gamma);
 * test_layout() recomputes them.
 */
#define IMIN		(-690)
#define IMAX		2073
#define NMAX		(IMAX - IMIN + 1)

#define NQ		(sizeof qs / sizeof qs[0])
static const double qs[] = { 0, 0.01, 0.25, 0.5, 0.9, 0.95, 0.99, 0.999, 1 };

/* splitmix64 (Steele, Lea and Flood, OOPSLA 2014): tiny and fixed-seed. */
static uint64_t rng_state;

static void
rng_seed(uint64_t seed)
{
	rng_state = seed;
}

static uint64_t
rng_next(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform in (0, 1): 53 random bits, offset by half a step. */
static double
rng_unit(void)
{
	return ((double)(rng_next() >> 11) + 0.5) * 0x1p-53;
}

/* Box-Muller; one of the pair is thrown away for simplicity. */
static double
rng_normal(void)
{
	return sqrt(-2 * log(rng_unit())) * cos(2 * M_PI * rng_unit());
}

static double
rng_lognormal(double median, double sigma)
{
	return median * exp(sigma * rng_normal());
}

static void
shuffle(double *v, size_t n)
{
	size_t i, j;
	double t;

	for (i = n; i > 1; i--) {
		j = (size_t)(rng_next() % i);
		t = v[i - 1];
		v[i - 1] = v[j];
		v[j] = t;
	}
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void
sketch_of(struct sb_sketch *s, const double *v, size_t n)
{
	size_t i;

	sb_sketch_reset(s);
	for (i = 0; i < n; i++)
		sb_sketch_add(s, v[i]);
}

static uint64_t
bins_total(const struct sb_sketch *s)
{
	uint64_t t = 0;
	uint32_t k;

	for (k = 0; k < s->nbins; k++)
		t += s->bins[k];
	return t;
}

/*
 * Whether a and b are the same sketch: every bucket, count and extreme
 * exactly; sum exactly if exact_sum, otherwise to 1e-9 (relative),
 * because adding partial sums rounds differently from adding the values
 * one by one (the error bound is n * DBL_EPSILON, 2e-11 for n = 1e5).
 */
static int
sketch_same(const struct sb_sketch *a, const struct sb_sketch *b,
    int exact_sum)
{
	uint32_t k;

	if (a->lo != b->lo || a->nbins != b->nbins || a->zero != b->zero ||
	    a->count != b->count || a->min != b->min || a->max != b->max) {
		printf("#   lo %d/%d nbins %u/%u zero %llu/%llu "
		    "count %llu/%llu min %.17g/%.17g max %.17g/%.17g\n",
		    a->lo, b->lo,
		    a->nbins, b->nbins, (unsigned long long)a->zero,
		    (unsigned long long)b->zero, (unsigned long long)a->count,
		    (unsigned long long)b->count, a->min, b->min, a->max,
		    b->max);
		return 0;
	}
	for (k = 0; k < a->nbins; k++)
		if (a->bins[k] != b->bins[k]) {
			printf("#   bins[%u] %llu/%llu\n", k,
			    (unsigned long long)a->bins[k],
			    (unsigned long long)b->bins[k]);
			return 0;
		}
	if (exact_sum ? a->sum != b->sum :
	    fabs(a->sum - b->sum) > 1e-9 * fabs(b->sum)) {
		printf("#   sum %.17g/%.17g\n", a->sum, b->sum);
		return 0;
	}
	return 1;
}

/*
 * Checks one estimate against sorted[] (n values) and returns its
 * relative error, or -1 if it breaks the documented semantics.  Values
 * below SB_SKETCH_MIN are estimated as 0 clamped to min, hence as min;
 * values above SB_SKETCH_MAX as a point within alpha of SB_SKETCH_MAX,
 * clamped to [min, max].
 */
static double
quantile_error(const double *sorted, size_t n, double q, double est)
{
	double exact, min = sorted[0], max = sorted[n - 1];

	if (q <= 0)
		return est == min ? 0 : -1;
	if (q >= 1)
		return est == max ? 0 : -1;
	/* The rank of sketch.h, with the same expression as sketch.c. */
	exact = sorted[sb_sketch_rank(q, n)];
	if (est < min || est > max)
		return -1;
	if (exact < SB_SKETCH_MIN)
		return est == min ? 0 : -1;
	if (exact > SB_SKETCH_MAX)
		return est == min ||
		    fabs(est - SB_SKETCH_MAX) <= BOUND * SB_SKETCH_MAX ? 0 : -1;
	return fabs(est - exact) / exact;
}

/*
 * Adds v[0..n) in order to a sketch and checks count, sum, min, max and
 * every quantile of qs[].  Returns the worst relative error over the
 * in-range quantiles, or -1 after printing what went wrong.
 */
static double
check_quantiles(const double *v, size_t n)
{
	struct sb_sketch s;
	double *sorted, sum = 0, worst = 0, est, e;
	size_t i, k;

	sorted = sb_xmalloc(n * sizeof *sorted);
	memcpy(sorted, v, n * sizeof *sorted);
	qsort(sorted, n, sizeof *sorted, cmp_double);
	for (i = 0; i < n; i++)
		sum += v[i];
	sb_sketch_init(&s);
	sketch_of(&s, v, n);
	if (s.count != n || s.sum != sum || s.min != sorted[0] ||
	    s.max != sorted[n - 1] || s.count != s.zero + bins_total(&s)) {
		printf("#   count %llu sum %.17g min %.17g max %.17g\n",
		    (unsigned long long)s.count, s.sum, s.min, s.max);
		worst = -1;
	}
	for (k = 0; k < NQ && worst >= 0; k++) {
		est = sb_sketch_quantile(&s, qs[k]);
		e = quantile_error(sorted, n, qs[k], est);
		if (e < 0 || e > BOUND) {
			printf("#   q %g: estimate %.17g, exact %.17g\n", qs[k],
			    est, sorted[(size_t)(qs[k] * (double)(n - 1))]);
			worst = -1;
		} else if (e > worst)
			worst = e;
	}
	sb_sketch_free(&s);
	free(sorted);
	return worst;
}

static void
accuracy_ok(const double *v, size_t n, const char *what)
{
	double e = check_quantiles(v, n);

	ok(e >= 0, "%s: worst relative error %.6g", what, e);
}

static void
test_lognormal(void)
{
	static const double medians[] = { 0.05, 1, 120, 5000 };
	static const double sigmas[] = { 0.25, 0.5, 1, 2 };
	static const size_t ns[] = { 1, 2, 3, 10, 100, 1000, 100000 };
	enum { NM = 4, NS = 4, NN = sizeof ns / sizeof ns[0] };
	double *v = sb_xmalloc(100000 * sizeof *v), e, worst = 0;
	double median, sigma;
	size_t c, i, n;
	int bad = 0;

	rng_seed(1);
	for (c = 0; c < NM * NS * NN; c++) {
		median = medians[c / (NS * NN)];
		sigma = sigmas[c / NN % NS];
		n = ns[c % NN];
		for (i = 0; i < n; i++)
			v[i] = rng_lognormal(median, sigma);
		if ((e = check_quantiles(v, n)) < 0) {
			printf("#   median %g sigma %g n %zu\n", median, sigma,
			    n);
			bad++;
		} else if (e > worst)
			worst = e;
	}
	ok(bad == 0, "lognormal, %d medians x %d sigmas x %d sizes: worst "
	    "relative error %.6g", NM, NS, NN, worst);
	free(v);
}

static void
test_shapes(void)
{
	size_t n = 100000, i;
	double *v = sb_xmalloc(n * sizeof *v);

	rng_seed(2);
	for (i = 0; i < n; i++)
		v[i] = i % 5 == 0 ? rng_lognormal(900, 0.2) :
		    rng_lognormal(20, 0.3);
	accuracy_ok(v, n, "bimodal 20 ms and 900 ms, 4:1");
	for (i = 0; i < n; i++)
		v[i] = i % 2 ? rng_lognormal(900, 0.2) : rng_lognormal(20, 0.3);
	accuracy_ok(v, n, "bimodal 20 ms and 900 ms, 1:1 (p50 in the gap)");
	for (i = 0; i < n; i++)
		v[i] = 1000 * rng_unit();
	accuracy_ok(v, n, "uniform (0, 1000)");
	for (i = 0; i < n; i++)
		v[i] = 1 + rng_unit();
	accuracy_ok(v, n, "uniform (1, 2)");
	for (i = 0; i < n; i++)
		v[i] = SB_SKETCH_MIN * pow(SB_SKETCH_MAX / SB_SKETCH_MIN,
		    rng_unit());
	accuracy_ok(v, n, "log-uniform over [SB_SKETCH_MIN, SB_SKETCH_MAX]");
	for (i = 0; i < 1000; i++)
		v[i] = 120;
	accuracy_ok(v, 1000, "constant 120");
	for (i = 0; i < 1000; i++)
		v[i] = 0;
	accuracy_ok(v, 1000, "constant 0");
	for (i = 0; i < 10; i++)
		v[i] = i % 2 ? SB_SKETCH_MIN : SB_SKETCH_MAX;
	accuracy_ok(v, 10, "SB_SKETCH_MIN and SB_SKETCH_MAX");
	for (i = 0; i < n; i++) {
		switch (i % 20) {
		case 0:
		case 1:
			v[i] = 0;
			break;
		case 2:
			v[i] = SB_SKETCH_MIN * rng_unit();
			break;
		default:
			v[i] = rng_lognormal(0.01, 1);
		}
	}
	shuffle(v, n);
	accuracy_ok(v, n, "zeros, sub-minimum values and tiny lognormal");
	for (i = 0; i < n; i++)
		v[i] = i % 20 == 0 ? 1e10 * exp(5 * rng_unit()) :
		    rng_lognormal(120, 0.5);
	accuracy_ok(v, n, "5% above SB_SKETCH_MAX");
	for (i = 0; i < n; i++)
		v[i] = i % 2 ? 1e10 * exp(5 * rng_unit()) :
		    rng_lognormal(1e8, 1);
	accuracy_ok(v, n, "half above SB_SKETCH_MAX");
	free(v);
}

/* Values above SB_SKETCH_MAX, where clamping decides the answers. */
static void
test_huge(void)
{
	struct sb_sketch s;

	sb_sketch_init(&s);
	sb_sketch_add(&s, 5e9);
	sb_sketch_add(&s, 6e9);
	sb_sketch_add(&s, 7e9);
	sb_sketch_add(&s, 1e300);
	ok(s.nbins == 1 && s.lo == IMAX && s.bins[0] == 4,
	    "values above SB_SKETCH_MAX share the bucket of SB_SKETCH_MAX");
	ok(s.min == 5e9 && s.max == 1e300 && s.sum == 5e9 + 6e9 + 7e9 + 1e300,
	    "min, max and sum stay exact above SB_SKETCH_MAX");
	ok(sb_sketch_quantile(&s, 0.5) == 5e9,
	    "a quantile above SB_SKETCH_MAX is clamped to min");
	ok(sb_sketch_quantile(&s, 1) == 1e300, "q = 1 gives the exact max");
	sb_sketch_add(&s, 100);
	ok(fabs(sb_sketch_quantile(&s, 0.5) - SB_SKETCH_MAX) <=
	    BOUND * SB_SKETCH_MAX,
	    "otherwise it is within alpha of SB_SKETCH_MAX");
	sb_sketch_free(&s);
}

/* Where the first values land: the bucket convention of sketch.h. */
static void
test_layout(void)
{
	double lg = log1p(2 * SB_SKETCH_ALPHA / (1 - SB_SKETCH_ALPHA));
	struct sb_sketch s;

	ok(ceil(log(SB_SKETCH_MIN) / lg) == IMIN &&
	    ceil(log(SB_SKETCH_MAX) / lg) == IMAX,
	    "buckets run from %d to %d", IMIN, IMAX);
	sb_sketch_init(&s);
	sb_sketch_add(&s, 1);
	ok(s.lo == 0 && s.nbins == 1 && s.bins[0] == 1,
	    "1 is in bucket 0: ceil, not floor + 1");
	sb_sketch_add(&s, 0);
	sb_sketch_add(&s, 1e12);
	ok(fabs(sb_sketch_quantile(&s, 0.5) - 2 / (1 + (1 + SB_SKETCH_ALPHA) /
	    (1 - SB_SKETCH_ALPHA))) < 1e-15,
	    "bucket 0 stands for 2 / (gamma + 1)");
	sb_sketch_reset(&s);
	sb_sketch_add(&s, SB_SKETCH_MIN);
	ok(s.zero == 0 && s.lo == IMIN, "SB_SKETCH_MIN is in bucket %d", IMIN);
	sb_sketch_add(&s, nextafter(SB_SKETCH_MIN, 0));
	ok(s.zero == 1 && s.nbins == 1, "just below it is the zero bucket");
	sb_sketch_reset(&s);
	sb_sketch_add(&s, SB_SKETCH_MAX);
	ok(s.lo == IMAX && s.nbins == 1, "SB_SKETCH_MAX is in bucket %d", IMAX);
	sb_sketch_add(&s, SB_SKETCH_MIN);
	ok(s.lo == IMIN && s.nbins == NMAX && s.bins[0] == 1 &&
	    s.bins[NMAX - 1] == 1, "the widest range holds %d buckets", NMAX);
	sb_sketch_free(&s);
}

/*
 * Single values at, and a few ulps either side of, every bucket boundary
 * gamma^i, and on a dense geometric sweep of the whole range.  Each goes
 * between a 0 and a 1e12 so that clamping to [min, max] cannot hide a
 * wrong bucket.  The boundaries come from long double, which is correct
 * to a fraction of an ulp of a double.
 */
static double
single_error(struct sb_sketch *s, double v)
{
	double est;

	sb_sketch_reset(s);
	sb_sketch_add(s, 0);
	sb_sketch_add(s, v);
	sb_sketch_add(s, 1e12);
	est = sb_sketch_quantile(s, 0.5);
	return (double)(fabsl((long double)est - v) / v);
}

static void
test_boundaries(void)
{
	long double lg = log1pl(2 * 0.005L / (1 - 0.005L));
	struct sb_sketch s;
	double v, e, worst = 0, worst_v = 0;
	int i, d, bad = 0;

	sb_sketch_init(&s);
	for (i = IMIN; i <= IMAX; i++) {
		v = (double)expl(i * lg);
		for (d = 0; d < 4; d++)
			v = nextafter(v, 0);
		for (d = -4; d <= 4; d++, v = nextafter(v, INFINITY)) {
			if (v < SB_SKETCH_MIN || v > SB_SKETCH_MAX)
				continue;
			e = single_error(&s, v);
			if (e > BOUND && bad++ < 5)
				printf("#   %.17g: error %.17g\n", v, e);
			if (e > worst) {
				worst = e;
				worst_v = v;
			}
		}
	}
	ok(bad == 0, "values at bucket boundaries +-4 ulps: worst error "
	    "alpha %+.3g at %.17g", worst - SB_SKETCH_ALPHA, worst_v);
	worst = 0;
	bad = 0;
	for (v = SB_SKETCH_MIN; v <= SB_SKETCH_MAX; v *= 1.0001) {
		e = single_error(&s, v);
		if (e > BOUND && bad++ < 5)
			printf("#   %.17g: error %.17g\n", v, e);
		if (e > worst)
			worst = e;
	}
	ok(bad == 0, "a sweep of [SB_SKETCH_MIN, SB_SKETCH_MAX] in steps of "
	    "1e-4: worst error %.6g", worst);
	sb_sketch_free(&s);
}

static void
test_quantile_edges(void)
{
	struct sb_sketch s;

	sb_sketch_init(&s);
	ok(isnan(sb_sketch_quantile(&s, 0)) && isnan(sb_sketch_quantile(&s,
	    0.5)) && isnan(sb_sketch_quantile(&s, 1)),
	    "an empty sketch has no quantiles");
	sb_sketch_add(&s, 42.5);
	ok(sb_sketch_quantile(&s, 0) == 42.5 &&
	    sb_sketch_quantile(&s, 0.5) == 42.5 &&
	    sb_sketch_quantile(&s, 1) == 42.5, "one value is every quantile");
	sb_sketch_add(&s, 3.25);
	sb_sketch_add(&s, 5e-4);
	ok(sb_sketch_quantile(&s, -1) == 5e-4 && sb_sketch_quantile(&s, 2) ==
	    42.5, "q below 0 gives min, above 1 gives max");
	is_int(sb_sketch_rank(0.99, 100), 98, "nearest rank: p99 of 100 is the 99th");
	is_int(sb_sketch_rank(0.99, 50), 49, "p99 of 50 is the maximum");
	is_int(sb_sketch_rank(0.5, 3), 1, "p50 of 3 is the middle");
	is_int(sb_sketch_rank(0.5, 4), 1, "p50 of 4 is the 2nd");
	is_int(sb_sketch_rank(0.95, 20), 18, "p95 of 20 is the 19th");
	is_int(sb_sketch_rank(0.29, 100), 28, "0.29 * 100 rounding up does not skip a rank");
	is_int(sb_sketch_rank(0.0, 5), 0, "q 0 is the first");
	is_int(sb_sketch_rank(1.0, 5), 4, "q 1 is the last");
	is_int(sb_sketch_rank(0.001, 1), 0, "one value");
	ok(sb_sketch_quantile(&s, 0.3) == 5e-4,
	    "the zero bucket stands for 0, clamped to min");
	sb_sketch_free(&s);
}

/* The same values in any order make the same sketch. */
static void
test_order(void)
{
	size_t n = 20000, i;
	double *v = sb_xmalloc(n * sizeof *v);
	struct sb_sketch a, b, c;

	rng_seed(3);
	for (i = 0; i < n; i++)
		v[i] = i % 50 == 0 ? 0 : rng_lognormal(120, 2);
	sb_sketch_init(&a);
	sb_sketch_init(&b);
	sb_sketch_init(&c);
	sketch_of(&a, v, n);
	qsort(v, n, sizeof *v, cmp_double);
	sketch_of(&b, v, n);
	for (i = 0; i < n / 2; i++) {
		double t = v[i];

		v[i] = v[n - 1 - i];
		v[n - 1 - i] = t;
	}
	sketch_of(&c, v, n);
	ok(sketch_same(&a, &b, 0) && sketch_same(&a, &c, 0) &&
	    a.bins[0] != 0 && a.bins[a.nbins - 1] != 0,
	    "shuffled, ascending and descending input give the same sketch");
	sb_sketch_free(&a);
	sb_sketch_free(&b);
	sb_sketch_free(&c);
	free(v);
}

static void
test_reset(void)
{
	struct sb_sketch s, t;
	uint64_t *bins;
	uint32_t cap;
	int i;

	sb_sketch_init(&s);
	sb_sketch_init(&t);
	for (i = 1; i <= 1000; i++)
		sb_sketch_add(&s, i);
	bins = s.bins;
	cap = s.cap;
	sb_sketch_reset(&s);
	ok(s.bins == bins && s.cap == cap && cap > 0,
	    "reset keeps the bucket array");
	ok(s.count == 0 && s.nbins == 0 && s.zero == 0 && s.sum == 0 &&
	    s.min == 0 && s.max == 0 && s.lo == 0 &&
	    isnan(sb_sketch_quantile(&s, 0.5)), "reset empties the sketch");
	for (i = 500; i >= 0; i--) {
		sb_sketch_add(&s, i * 0.5);
		sb_sketch_add(&t, i * 0.5);
	}
	ok(sketch_same(&s, &t, 1), "a reset sketch fills like a new one");
	sb_sketch_free(&s);
	ok(s.bins == NULL && s.cap == 0 && s.count == 0,
	    "free leaves an empty sketch");
	sb_sketch_free(&t);
}

/* Data for the merge tests: zeros, tiny, typical and huge values. */
static void
mixed_data(double *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		switch (i % 100) {
		case 0:
			v[i] = 0;
			break;
		case 1:
			v[i] = 1e-4;
			break;
		case 2:
			v[i] = 3e9;
			break;
		default:
			v[i] = i % 3 ? rng_lognormal(20, 0.3) :
			    rng_lognormal(900, 1);
		}
	}
	shuffle(v, n);
}

static void
test_merge(void)
{
	enum { N = 40000, PARTS = 8 };
	static const int tree[PARTS] = { 3, 0, 6, 5, 1, 7, 2, 4 };
	struct sb_sketch u, a, b, e, p[PARTS], m;
	double *v = sb_xmalloc(N * sizeof *v);
	size_t i, cut = N / 3, part = N / PARTS;
	int k, okay;

	rng_seed(4);
	mixed_data(v, N);
	sb_sketch_init(&u);
	sb_sketch_init(&a);
	sb_sketch_init(&b);
	sb_sketch_init(&e);
	sb_sketch_init(&m);
	sketch_of(&u, v, N);
	sketch_of(&a, v, cut);
	sketch_of(&b, v + cut, N - cut);
	sb_sketch_merge(&a, &b);
	ok(sketch_same(&a, &u, 0), "merge(A, B) is the sketch of A and B");
	sketch_of(&a, v, cut);
	sb_sketch_merge(&b, &a);
	ok(sketch_same(&b, &u, 0), "merge(B, A) is too");
	for (k = 0; k < (int)NQ; k++)
		if (sb_sketch_quantile(&b, qs[k]) !=
		    sb_sketch_quantile(&u, qs[k]))
			break;
	ok(k == (int)NQ, "and gives the same quantiles");

	sb_sketch_merge(&e, &a);
	ok(sketch_same(&e, &a, 1), "merging into an empty sketch copies");
	sb_sketch_reset(&e);
	sb_sketch_merge(&a, &e);
	sketch_of(&b, v, cut);
	ok(sketch_same(&a, &b, 1), "merging an empty sketch changes nothing");
	sb_sketch_merge(&e, &e);
	ok(e.count == 0 && e.nbins == 0 && e.min == 0 && e.max == 0,
	    "two empty sketches merge into an empty one");

	/* Disjoint ranges, each side with something the other lacks. */
	for (i = 0; i < 1000; i++)
		v[i] = i % 10 ? 0.01 + 0.09 * rng_unit() : 0;
	for (; i < 3000; i++)
		v[i] = 1e5 + 9e5 * rng_unit();
	sketch_of(&u, v, 3000);
	sketch_of(&a, v, 1000);
	sketch_of(&b, v + 1000, 2000);
	sb_sketch_merge(&a, &b);
	sketch_of(&b, v + 1000, 2000);
	sketch_of(&e, v, 1000);
	sb_sketch_merge(&b, &e);
	ok(sketch_same(&a, &u, 0) && sketch_same(&b, &u, 0),
	    "disjoint ranges merge either way, up and down");

	/* Eight parts merged in three orders. */
	mixed_data(v, N);
	sketch_of(&u, v, N);
	for (k = 0; k < PARTS; k++) {
		sb_sketch_init(&p[k]);
		sketch_of(&p[k], v + (size_t)k * part, part);
	}
	sb_sketch_reset(&m);
	for (k = 0; k < PARTS; k++)
		sb_sketch_merge(&m, &p[k]);
	okay = sketch_same(&m, &u, 0);
	sb_sketch_reset(&m);
	for (k = PARTS - 1; k >= 0; k--)
		sb_sketch_merge(&m, &p[k]);
	okay = okay && sketch_same(&m, &u, 0);
	sb_sketch_reset(&m);
	for (k = 0; k < PARTS; k++)
		sb_sketch_merge(&m, &p[tree[k]]);
	okay = okay && sketch_same(&m, &u, 0);
	ok(okay, "an %d-way merge in three orders is the sketch of the union",
	    PARTS);
	/* Pairwise, as a tree: (0+1)+(2+3), ..., then the halves. */
	for (k = 0; k < PARTS; k += 2)
		sb_sketch_merge(&p[k], &p[k + 1]);
	sb_sketch_merge(&p[0], &p[2]);
	sb_sketch_merge(&p[4], &p[6]);
	sb_sketch_merge(&p[4], &p[0]);
	ok(sketch_same(&p[4], &u, 0), "and so is a tree of pairwise merges");
	for (k = 0; k < PARTS; k++)
		sb_sketch_free(&p[k]);

	sketch_of(&a, v, cut);
	sb_sketch_merge(&a, &a);
	sketch_of(&b, v, cut);
	for (i = 0; i < cut; i++)
		sb_sketch_add(&b, v[i]);
	ok(sketch_same(&a, &b, 0), "a sketch merged with itself counts twice");

	sb_sketch_free(&u);
	sb_sketch_free(&a);
	sb_sketch_free(&b);
	sb_sketch_free(&e);
	sb_sketch_free(&m);
	free(v);
}

/*
 * Parses text and reads the sketch at path (NULL: the whole text); -2 if
 * the text is not JSON or has no such member, else what
 * sb_sketch_read() returns.  err gets the message.
 */
static int
read_text(struct sb_sketch *s, const char *text, const char *path, char *err,
    size_t errsz)
{
	struct sb_json js;
	long t = 0;
	int rc;

	sb_json_init(&js);
	if (sb_json_parse(&js, text, strlen(text)) == -1) {
		snprintf(err, errsz, "bad json: %s", js.err);
		sb_json_free(&js);
		return -2;
	}
	if (path != NULL && (t = sb_json_path(&js, 0, path)) < 0) {
		snprintf(err, errsz, "no '%s'", path);
		sb_json_free(&js);
		return -2;
	}
	rc = sb_sketch_read(s, &js, (size_t)t, err, errsz);
	sb_json_free(&js);
	return rc;
}

/* Write, read back, write again: the same sketch and the same bytes. */
static int
round_trip(const struct sb_sketch *s)
{
	struct sb_buf b1 = SB_BUF_INIT, b2 = SB_BUF_INIT;
	struct sb_sketch r;
	char err[128];
	size_t k;
	int same;

	sb_sketch_init(&r);
	sb_sketch_add(&r, 77);		/* reading replaces, not merges */
	sb_sketch_write(s, &b1);
	if (read_text(&r, b1.s, NULL, err, sizeof err) != 0) {
		printf("#   %s\n", err);
		same = 0;
	} else
		same = sketch_same(&r, s, 1);
	for (k = 0; same && k < NQ; k++) {
		double x = sb_sketch_quantile(s, qs[k]);
		double y = sb_sketch_quantile(&r, qs[k]);

		same = (isnan(x) && isnan(y)) || x == y;
	}
	sb_sketch_write(&r, &b2);
	same = same && strcmp(b1.s, b2.s) == 0;
	sb_buf_free(&b1);
	sb_buf_free(&b2);
	sb_sketch_free(&r);
	return same;
}

static void
test_write(void)
{
	struct sb_sketch s;
	struct sb_buf b = SB_BUF_INIT;

	sb_sketch_init(&s);
	sb_sketch_write(&s, &b);
	is_str(b.s, "{\"alpha\":0.005,\"count\":0,\"sum\":0,\"min\":0,"
	    "\"max\":0,\"zero\":0,\"lo\":0,\"bins\":[]}", "an empty sketch");
	sb_sketch_add(&s, 1);
	sb_sketch_add(&s, 0);
	sb_sketch_add(&s, 1.015);
	sb_sketch_add(&s, 1);
	sb_buf_reset(&b);
	sb_sketch_write(&s, &b);
	is_str(b.s, "{\"alpha\":0.005,\"count\":4,\"sum\":3.0149999999999997,"
	    "\"min\":0,\"max\":1.0149999999999999,\"zero\":1,\"lo\":0,"
	    "\"bins\":[2,0,1]}", "a small sketch, sum, min and max exact");
	sb_sketch_reset(&s);
	sb_sketch_add(&s, 2e-4);
	sb_buf_reset(&b);
	sb_sketch_write(&s, &b);
	is_str(b.s, "{\"alpha\":0.005,\"count\":1,"
	    "\"sum\":0.00020000000000000001,\"min\":0.00020000000000000001,"
	    "\"max\":0.00020000000000000001,\"zero\":1,\"lo\":0,\"bins\":[]}",
	    "only the zero bucket");
	sb_buf_free(&b);
	sb_sketch_free(&s);
}

static void
test_round_trip(void)
{
	enum { N = 30000 };
	double *v = sb_xmalloc(N * sizeof *v);
	struct sb_sketch s, a, b, m, ra, rb;
	struct sb_buf buf = SB_BUF_INIT;
	char err[128];
	size_t i;

	sb_sketch_init(&s);
	ok(round_trip(&s), "an empty sketch reads back");
	sb_sketch_add(&s, 0);
	ok(round_trip(&s), "a zero reads back");
	sb_sketch_add(&s, 1e300);
	ok(round_trip(&s), "a huge value reads back");
	rng_seed(5);
	mixed_data(v, N);
	sketch_of(&s, v, N);
	ok(round_trip(&s), "mixed data reads back exactly");
	for (i = 0; i < N; i++)
		v[i] = SB_SKETCH_MIN * pow(SB_SKETCH_MAX / SB_SKETCH_MIN,
		    (double)i / (N - 1));
	sketch_of(&s, v, N);
	ok(s.nbins == NMAX && round_trip(&s),
	    "a sketch with all %d buckets reads back", NMAX);

	/* Partial windows from two machines, merged after the trip. */
	mixed_data(v, N);
	sb_sketch_init(&a);
	sb_sketch_init(&b);
	sb_sketch_init(&m);
	sb_sketch_init(&ra);
	sb_sketch_init(&rb);
	sketch_of(&a, v, N / 4);
	sketch_of(&b, v + N / 4, N - N / 4);
	sb_sketch_write(&a, &buf);
	read_text(&ra, buf.s, NULL, err, sizeof err);
	sb_buf_reset(&buf);
	sb_buf_puts(&buf, "{\"key\":\"GET /\",\"sketch\":");
	sb_sketch_write(&b, &buf);
	sb_buf_puts(&buf, "}");
	ok(read_text(&rb, buf.s, "sketch", err, sizeof err) == 0,
	    "a sketch inside a record reads back");
	sb_sketch_merge(&ra, &rb);
	sb_sketch_merge(&m, &a);
	sb_sketch_merge(&m, &b);
	ok(sketch_same(&ra, &m, 1), "merging read-back sketches is exact");

	ok(read_text(&s, "{\"alpha\":0.005,\"count\":2,\"sum\":2,\"min\":1,"
	    "\"max\":1,\"zero\":0,\"lo\":-2,\"bins\":[0,0,2,0]}", NULL, err,
	    sizeof err) == 0 && s.lo == 0 && s.nbins == 1 && s.bins[0] == 2,
	    "zero counts at either end are trimmed");
	ok(read_text(&s, "{\"bins\":[1],\"lo\":0,\"zero\":0,\"max\":1,"
	    "\"min\":1,\"sum\":1,\"count\":1,\"alpha\":5e-3,\"extra\":[1]}",
	    NULL, err, sizeof err) == 0 && s.count == 1,
	    "members in any order, unknown members ignored");

	sb_buf_free(&buf);
	sb_sketch_free(&s);
	sb_sketch_free(&a);
	sb_sketch_free(&b);
	sb_sketch_free(&m);
	sb_sketch_free(&ra);
	sb_sketch_free(&rb);
	free(v);
}

/*
 * Malformed sketches and the message for each, in single quotes for
 * legibility: quotes() turns them into JSON.
 */
static const struct {
	const char	*json;
	const char	*err;
} bad_input[] = {
	{ "[]", "sketch is not an object" },
	{ "{}", "sketch has no 'alpha'" },
	{ "{'alpha':0.01}", "sketch 'alpha' is 0.01, expected 0.005" },
	{ "{'alpha':'0.005'}", "sketch 'alpha' is not a number" },
	{ "{'alpha':0.005}", "sketch has no 'count'" },
	{ "{'alpha':0.005,'count':-1}", "sketch 'count' is negative" },
	{ "{'alpha':0.005,'count':1.5}", "sketch 'count' is not an integer" },
	{ "{'alpha':0.005,'count':'1'}", "sketch 'count' is not an integer" },
	{ "{'alpha':0.005,'count':1e30}", "sketch 'count' is not an integer" },
	{ "{'alpha':0.005,'count':1}", "sketch has no 'sum'" },
	{ "{'alpha':0.005,'count':1,'sum':null}",
	    "sketch 'sum' is not a finite number" },
	{ "{'alpha':0.005,'count':1,'sum':1e999}",
	    "sketch 'sum' is not a finite number" },
	{ "{'alpha':0.005,'count':1,'sum':-1}", "sketch 'sum' is negative" },
	{ "{'alpha':0.005,'count':1,'sum':1,'min':-1}",
	    "sketch 'min' is negative" },
	{ "{'alpha':0.005,'count':1,'sum':1,'min':1,'max':true}",
	    "sketch 'max' is not a finite number" },
	{ "{'alpha':0.005,'count':1,'sum':1,'min':1,'max':1}",
	    "sketch has no 'zero'" },
	{ "{'alpha':0.005,'count':1,'sum':1,'min':1,'max':1,'zero':[]}",
	    "sketch 'zero' is not an integer" },
	{ "{'alpha':0.005,'count':1,'sum':1,'min':1,'max':1,'zero':0}",
	    "sketch has no 'lo'" },
	{ "{'alpha':0.005,'count':1,'sum':1,'min':1,'max':1,'zero':0,"
	    "'lo':0.5}", "sketch 'lo' is not an integer" },
	{ "{'alpha':0.005,'count':1,'sum':1,'min':1,'max':1,'zero':0,"
	    "'lo':-691}", "sketch 'lo' is -691, outside [-690, 2073]" },
	{ "{'alpha':0.005,'count':1,'sum':1,'min':1,'max':1,'zero':0,"
	    "'lo':2074}", "sketch 'lo' is 2074, outside [-690, 2073]" },
	{ "{'alpha':0.005,'count':1,'sum':1,'min':1,'max':1,'zero':2,"
	    "'lo':0}", "sketch 'zero' exceeds 'count'" },
	{ "{'alpha':0.005,'count':1,'sum':1,'min':1,'max':1,'zero':0,"
	    "'lo':0}", "sketch has no 'bins'" },
	{ "{'alpha':0.005,'count':1,'sum':1,'min':1,'max':1,'zero':0,"
	    "'lo':0,'bins':{}}", "sketch 'bins' is not an array of counts" },
	{ "{'alpha':0.005,'count':1,'sum':1,'min':1,'max':1,'zero':0,"
	    "'lo':0,'bins':['1']}", "sketch 'bins' is not an array of counts" },
	{ "{'alpha':0.005,'count':1,'sum':1,'min':1,'max':1,'zero':0,"
	    "'lo':0,'bins':[[1]]}", "sketch 'bins' is not an array of counts" },
	{ "{'alpha':0.005,'count':1,'sum':1,'min':1,'max':1,'zero':0,"
	    "'lo':0,'bins':[0.5,0.5]}",
	    "sketch 'bins' is not an array of counts" },
	{ "{'alpha':0.005,'count':3,'sum':1,'min':1,'max':1,'zero':0,"
	    "'lo':0,'bins':[2,-1]}", "sketch 'bins' hold a negative count" },
	{ "{'alpha':0.005,'count':1,'sum':1,'min':1,'max':1,'zero':0,"
	    "'lo':2073,'bins':[1,0]}", "sketch 'bins' reach past bucket 2073" },
	{ "{'alpha':0.005,'count':1,'sum':1,'min':1,'max':1,'zero':0,"
	    "'lo':0,'bins':[2]}", "sketch 'count' does not match its bins" },
	{ "{'alpha':0.005,'count':3,'sum':1,'min':1,'max':1,'zero':0,"
	    "'lo':0,'bins':[2]}", "sketch 'count' does not match its bins" },
	{ "{'alpha':0.005,'count':9223372036854775807,'sum':1,'min':1,"
	    "'max':1,'zero':0,'lo':0,'bins':[9223372036854775807,"
	    "9223372036854775807]}", "sketch 'count' does not match its bins" },
	{ "{'alpha':0.005,'count':0,'sum':1,'min':0,'max':0,'zero':0,"
	    "'lo':0,'bins':[]}",
	    "sketch 'sum', 'min' and 'max' are not 0 in an empty sketch" },
	{ "{'alpha':0.005,'count':0,'sum':0,'min':0,'max':1,'zero':0,"
	    "'lo':0,'bins':[0]}",
	    "sketch 'sum', 'min' and 'max' are not 0 in an empty sketch" },
	{ "{'alpha':0.005,'count':1,'sum':1,'min':2,'max':1,'zero':0,"
	    "'lo':0,'bins':[1]}", "sketch 'max' is less than 'min'" },
	{ "{'alpha':0.005,'count':2,'sum':1,'min':1,'max':1,'zero':1,"
	    "'lo':0,'bins':[1]}", "sketch 'min' does not match 'zero'" },
	{ "{'alpha':0.005,'count':1,'sum':0,'min':0,'max':0,'zero':0,"
	    "'lo':0,'bins':[1]}", "sketch 'min' does not match 'zero'" },
	{ "{'alpha':0.005,'count':1,'sum':1,'min':1,'max':1,'zero':1,"
	    "'lo':0,'bins':[]}", "sketch 'min' does not match 'zero'" },
	{ "{'alpha':0.005,'count':2,'sum':0,'min':0,'max':0,'zero':1,"
	    "'lo':0,'bins':[1]}", "sketch 'max' does not match its bins" },
	{ "{'alpha':0.005,'count':1,'sum':1,'min':1,'max':1,'zero':0,"
	    "'lo':5,'bins':[1]}", "sketch 'min' does not match its bins" },
	{ "{'alpha':0.005,'count':2,'sum':1,'min':1,'max':1,'zero':0,"
	    "'lo':0,'bins':[1,0,0,1]}",
	    "sketch 'max' does not match its bins" },
	{ "{'alpha':0.005,'count':2,'sum':1e10,'min':1,'max':5e9,"
	    "'zero':0,'lo':0,'bins':[1,1]}",
	    "sketch 'max' does not match its bins" },
};

/* A copy of s with every ' made a ", in buf. */
static const char *
quotes(const char *s, struct sb_buf *buf)
{
	sb_buf_reset(buf);
	for (; *s != '\0'; s++)
		sb_buf_putc(buf, *s == '\'' ? '"' : *s);
	return buf->s;
}

static void
test_read_errors(void)
{
	struct sb_sketch s;
	struct sb_json js;
	struct sb_buf buf = SB_BUF_INIT, buf2 = SB_BUF_INIT;
	char err[128], tiny[8];
	const char *json;
	size_t i;
	int rc;

	sb_sketch_init(&s);
	for (i = 0; i < sizeof bad_input / sizeof bad_input[0]; i++) {
		sb_sketch_add(&s, 5);	/* a failed read leaves it empty */
		strcpy(err, "(none)");
		json = quotes(bad_input[i].json, &buf);
		rc = read_text(&s, json, NULL, err, sizeof err);
		if (!ok(rc == -1 && strcmp(err, bad_input[i].err) == 0 &&
		    s.count == 0 && s.nbins == 0, "rejects %s", json))
			printf("#   rc %d, '%s', expected '%s'\n", rc, err,
			    bad_input[i].err);
	}
	sb_buf_reset(&buf);
	sb_buf_puts(&buf, "{'alpha':0.005,'count':2,'sum':2,'min':1e-3,"
	    "'max':1e9,'zero':0,'lo':-690,'bins':[1");
	for (i = 1; i < NMAX; i++)
		sb_buf_puts(&buf, ",0");
	sb_buf_puts(&buf, ",1]}");
	json = quotes(buf.s, &buf2);
	ok(read_text(&s, json, NULL, err, sizeof err) == -1 &&
	    strcmp(err, "sketch 'bins' reach past bucket 2073") == 0,
	    "%d buckets are too many", NMAX + 1);
	sb_buf_free(&buf);
	sb_buf_free(&buf2);
	ok(read_text(&s, "{\"alpha\":0.01}", NULL, tiny, sizeof tiny) == -1 &&
	    strcmp(tiny, "sketch ") == 0, "a short err buffer is truncated");
	sb_json_init(&js);
	sb_json_parse(&js, "{}", 2);
	ok(sb_sketch_read(&s, &js, 0, NULL, 0) == -1,
	    "err may be NULL with errsz 0");
	ok(sb_sketch_read(&s, &js, 7, err, sizeof err) == -1 &&
	    strcmp(err, "sketch is not an object") == 0,
	    "a token index past the end is not an object");
	sb_json_free(&js);
	sb_sketch_free(&s);
}

/*
 * Mutated serializations: whatever parses must either read into a sketch
 * that keeps the invariants or fail with a message and an empty sketch.
 */
static void
test_read_mutations(void)
{
	static const char alphabet[] = "0123456789-+.eE,:[]{}\" ";
	struct sb_sketch s, r;
	struct sb_buf src = SB_BUF_INIT, mut = SB_BUF_INIT;
	char err[128];
	double v[200];
	int i, n, bad = 0, read = 0, rejected = 0, rc;
	size_t at;

	rng_seed(6);
	sb_sketch_init(&s);
	sb_sketch_init(&r);
	for (i = 0; i < 200; i++)
		v[i] = i % 17 == 0 ? 0 : rng_lognormal(5, 0.3);
	sketch_of(&s, v, 200);
	sb_sketch_write(&s, &src);
	for (n = 0; n < 20000; n++) {
		sb_buf_reset(&mut);
		sb_buf_add(&mut, src.s, src.len);
		for (i = 0; i < 1 + n % 3; i++) {
			at = (size_t)(rng_next() % mut.len);
			mut.s[at] = alphabet[rng_next() %
			    (sizeof alphabet - 1)];
		}
		err[0] = '\0';
		rc = read_text(&r, mut.s, NULL, err, sizeof err);
		if (rc == -2)
			continue;
		if (rc == 0) {
			read++;
			if (r.count != r.zero + bins_total(&r) ||
			    (r.nbins > 0 && (r.bins[0] == 0 ||
			    r.bins[r.nbins - 1] == 0 || r.lo < IMIN ||
			    r.lo + (int)r.nbins - 1 > IMAX)) || r.min > r.max)
				bad++;
		} else {
			rejected++;
			if (err[0] == '\0' || r.count != 0 || r.nbins != 0)
				bad++;
		}
	}
	ok(bad == 0, "20000 mutations: %d read, %d rejected, none broken",
	    read, rejected);
	sb_buf_free(&src);
	sb_buf_free(&mut);
	sb_sketch_free(&s);
	sb_sketch_free(&r);
}

int
main(void)
{
	test_layout();
	test_boundaries();
	test_lognormal();
	test_shapes();
	test_huge();
	test_quantile_edges();
	test_order();
	test_reset();
	test_merge();
	test_write();
	test_round_trip();
	test_read_errors();
	test_read_mutations();
	return done_testing();
}
