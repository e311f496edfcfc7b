/*
 * sketch.c - the log-bucket quantile sketch; see sketch.h.
 *
 * Bucket i holds the values v with gamma^(i-1) < v <= gamma^i, that is
 * i = ceil(ln v / ln gamma).  Its representative 2 gamma^i / (gamma + 1)
 * simplifies to (1 - a) gamma^i, because gamma + 1 = 2 / (1 - a): it is
 * a below the top of the bucket and, since (1 - a) gamma = 1 + a, a above
 * the bottom, so no value of the bucket is further than a (relative) from
 * it (Masson, Rim and Lee, "DDSketch", VLDB 2019, section 2).
 *
 * Invariants, which make a sketch a pure function of the multiset of its
 * inputs (so that merge and union agree bucket for bucket):
 *  - bins[0] and bins[nbins - 1] are non-zero: the range is exactly the
 *    lowest to the highest bucket in use, whatever the order of arrival;
 *  - an empty sketch has every field 0 (lo, nbins, count, sum, min, max);
 *    bins and cap may still hold memory, which sb_sketch_reset() keeps.
 *  - SKETCH_IMIN <= lo and lo + nbins - 1 <= SKETCH_IMAX.
 *
 * The hot path is sb_sketch_add(): one log(), one multiply, a compare and
 * an increment, with a reallocation only when the range has to grow.
 */
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sketch.h"

/*
 * ln gamma = ln(1.005 / 0.995) and its inverse, correctly rounded (worked
 * out to 50 digits with Python's decimal module; 0x1.47aec7708d3c1p-7 and
 * 0x1.8fff258b92e6dp+6).  They are literals rather than computed once
 * with log() for two reasons: C11 has no constant log(), so that would
 * cost a branch or an init call on the hot path, and rounding gamma to a
 * double first would move ln gamma by 2e-14 of itself.
 */
static const double log_gamma = 0.010000083334583356;
static const double inv_log_gamma = 99.999166661111038;

/*
 * Buckets of SB_SKETCH_MIN and SB_SKETCH_MAX: ceil(ln 1e-3 / ln gamma) =
 * ceil(-690.77) and ceil(ln 1e9 / ln gamma) = ceil(2072.31).  Neither is
 * near an integer, so no rounding can move them.
 */
#define SKETCH_IMIN	(-690)
#define SKETCH_IMAX	2073
#define SKETCH_NMAX	((uint32_t)(SKETCH_IMAX - SKETCH_IMIN + 1))

/*
 * v in [SB_SKETCH_MIN, SB_SKETCH_MAX], so x in [-690.8, 2072.4] and the
 * truncation cannot overflow; adding (x > t) turns truncation into ceil
 * for either sign without a libm call or a branch.
 */
static inline int32_t
bucket_index(double v)
{
	double x = log(v) * inv_log_gamma;
	int32_t t = (int32_t)x;

	return t + (x > t);
}

/* (1 - a) gamma^i: see the top of the file. */
static double
bucket_value(int32_t i)
{
	return (1 - SB_SKETCH_ALPHA) * exp(i * log_gamma);
}

void
sb_sketch_init(struct sb_sketch *s)
{
	memset(s, 0, sizeof *s);
	s->bins = NULL;
}

void
sb_sketch_free(struct sb_sketch *s)
{
	free(s->bins);
	sb_sketch_init(s);
}

void
sb_sketch_reset(struct sb_sketch *s)
{
	s->lo = 0;
	s->nbins = 0;
	s->zero = 0;
	s->count = 0;
	s->sum = 0;
	s->min = 0;
	s->max = 0;
}

/* Room for n buckets; n <= SKETCH_NMAX. */
static void
sketch_reserve(struct sb_sketch *s, uint32_t n)
{
	uint32_t cap;

	if (n <= s->cap)
		return;
	cap = s->cap < 64 ? 64 : s->cap;
	while (cap < n)
		cap *= 2;
	if (cap > SKETCH_NMAX)
		cap = SKETCH_NMAX;
	s->bins = sb_xrealloc(s->bins, cap * sizeof *s->bins);
	s->cap = cap;
}

/*
 * Widens the range to include buckets ilo..ihi, with zero counts in the
 * new buckets.  Growing downwards shifts the counts up with memmove(): a
 * struct has no room to remember slack below bins[0], and the range
 * settles after the first few hundred values of a window anyway.
 */
static void
sketch_cover(struct sb_sketch *s, int32_t ilo, int32_t ihi)
{
	int32_t lo = ilo, hi = ihi;
	uint32_t n, shift = 0, old = s->nbins;

	if (old > 0) {
		int32_t ohi = s->lo + (int32_t)old - 1;

		if (s->lo < lo)
			lo = s->lo;
		if (ohi > hi)
			hi = ohi;
		shift = (uint32_t)(s->lo - lo);
	}
	n = (uint32_t)(hi - lo) + 1;
	if (n == old)
		return;
	sketch_reserve(s, n);
	if (shift > 0 && old > 0)
		memmove(s->bins + shift, s->bins, old * sizeof *s->bins);
	memset(s->bins, 0, shift * sizeof *s->bins);
	memset(s->bins + shift + old, 0, (n - shift - old) * sizeof *s->bins);
	s->lo = lo;
	s->nbins = n;
}

void
sb_sketch_add(struct sb_sketch *s, double v)
{
	int32_t i;
	uint32_t k;

	if (s->count++ == 0) {
		s->min = v;
		s->max = v;
	} else {
		s->min = v < s->min ? v : s->min;
		s->max = v > s->max ? v : s->max;
	}
	s->sum += v;
	/* Written so that a NaN, against the contract, lands here too. */
	if (!(v >= SB_SKETCH_MIN)) {
		s->zero++;
		return;
	}
	i = bucket_index(v < SB_SKETCH_MAX ? v : SB_SKETCH_MAX);
	/* Below lo wraps around to a huge k: one test for both sides. */
	k = (uint32_t)(i - s->lo);
	if (k >= s->nbins) {
		sketch_cover(s, i, i);
		k = (uint32_t)(i - s->lo);
	}
	s->bins[k]++;
}

uint64_t
sb_sketch_rank(double q, uint64_t n)
{
	double r = q * (double)n;

	/*
	 * q n can round up past an integer (0.29 * 100 = 29.000000000000004);
	 * a relative nudge keeps ceil() from skipping to the next rank.
	 */
	r = ceil(r - r * 1e-12);
	if (!(r >= 1))
		return 0;
	if (r >= (double)n)
		return n - 1;
	return (uint64_t)r - 1;
}

double
sb_sketch_quantile(const struct sb_sketch *s, double q)
{
	uint64_t rank, cum;
	uint32_t k;
	double v;

	if (s->count == 0)
		return NAN;
	if (!(q > 0))
		return s->min;
	if (q >= 1)
		return s->max;
	rank = sb_sketch_rank(q, s->count);
	cum = s->zero;
	v = 0;
	if (rank >= cum) {
		for (k = 0; k < s->nbins; k++) {
			cum += s->bins[k];
			if (rank < cum)
				break;
		}
		/* Unreachable while count == zero + the bins. */
		v = k < s->nbins ? bucket_value(s->lo + (int32_t)k) : s->max;
	}
	if (v < s->min)
		v = s->min;
	if (v > s->max)
		v = s->max;
	return v;
}

void
sb_sketch_merge(struct sb_sketch *dst, const struct sb_sketch *src)
{
	uint32_t k, off;

	if (src->count == 0)
		return;
	if (dst->count == 0) {
		dst->min = src->min;
		dst->max = src->max;
	} else {
		dst->min = src->min < dst->min ? src->min : dst->min;
		dst->max = src->max > dst->max ? src->max : dst->max;
	}
	dst->count += src->count;
	dst->sum += src->sum;
	dst->zero += src->zero;
	if (src->nbins == 0)
		return;
	sketch_cover(dst, src->lo, src->lo + (int32_t)src->nbins - 1);
	off = (uint32_t)(src->lo - dst->lo);
	for (k = 0; k < src->nbins; k++)
		dst->bins[off + k] += src->bins[k];
}

void
sb_sketch_write(const struct sb_sketch *s, struct sb_buf *b)
{
	uint32_t first = 0, last = s->nbins, k;
	int empty = s->count == 0;

	while (first < last && s->bins[first] == 0)
		first++;
	while (last > first && s->bins[last - 1] == 0)
		last--;
	/* %g gives "0.005"; %.17g would give 0.0050000000000000001. */
	sb_buf_puts(b, "{\"alpha\":");
	sb_buf_json_num(b, SB_SKETCH_ALPHA);
	sb_buf_puts(b, ",\"count\":");
	sb_buf_json_int(b, (int64_t)s->count);
	sb_buf_puts(b, ",\"sum\":");
	sb_buf_json_num_exact(b, s->sum);
	sb_buf_puts(b, ",\"min\":");
	sb_buf_json_num_exact(b, empty ? 0 : s->min);
	sb_buf_puts(b, ",\"max\":");
	sb_buf_json_num_exact(b, empty ? 0 : s->max);
	sb_buf_puts(b, ",\"zero\":");
	sb_buf_json_int(b, (int64_t)s->zero);
	sb_buf_puts(b, ",\"lo\":");
	sb_buf_json_int(b, first < last ? s->lo + (int32_t)first : 0);
	sb_buf_puts(b, ",\"bins\":[");
	for (k = first; k < last; k++) {
		if (k > first)
			sb_buf_putc(b, ',');
		sb_buf_json_int(b, (int64_t)s->bins[k]);
	}
	sb_buf_puts(b, "]}");
}

/*
 * Reading.  Everything comes from untrusted input: sizes are checked
 * before anything is allocated, counts are summed without overflow, and
 * the scalar fields must agree with the buckets.  On failure the sketch
 * is left empty, never half-read.
 */

static int
read_fail(char *err, size_t errsz, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
read_fail(char *err, size_t errsz, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && errsz > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errsz, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static long
read_member(const struct sb_json *js, size_t t, const char *key, char *err,
    size_t errsz)
{
	long m = sb_json_member(js, t, key);

	if (m < 0)
		read_fail(err, errsz, "sketch has no '%s'", key);
	return m;
}

static int
read_count(const struct sb_json *js, size_t t, const char *key,
    uint64_t *out, char *err, size_t errsz)
{
	long m = read_member(js, t, key, err, errsz);
	int64_t v;

	if (m < 0)
		return -1;
	if (sb_json_int(js, (size_t)m, &v) == -1)
		return read_fail(err, errsz, "sketch '%s' is not an integer",
		    key);
	if (v < 0)
		return read_fail(err, errsz, "sketch '%s' is negative", key);
	*out = (uint64_t)v;
	return 0;
}

static int
read_value(const struct sb_json *js, size_t t, const char *key, double *out,
    char *err, size_t errsz)
{
	long m = read_member(js, t, key, err, errsz);

	if (m < 0)
		return -1;
	if (sb_json_number(js, (size_t)m, out) == -1)
		return read_fail(err, errsz,
		    "sketch '%s' is not a finite number", key);
	if (*out < 0)
		return read_fail(err, errsz, "sketch '%s' is negative", key);
	return 0;
}

static int
read_alpha(const struct sb_json *js, size_t t, char *err, size_t errsz)
{
	long m = read_member(js, t, "alpha", err, errsz);
	double a;

	if (m < 0)
		return -1;
	if (sb_json_number(js, (size_t)m, &a) == -1)
		return read_fail(err, errsz, "sketch 'alpha' is not a number");
	/* Another alpha means other buckets: merging them would be wrong. */
	if (a != SB_SKETCH_ALPHA)
		return read_fail(err, errsz,
		    "sketch 'alpha' is %g, expected %g", a, SB_SKETCH_ALPHA);
	return 0;
}

/*
 * Fills s->bins from array token a, whose first bucket is lo, and trims
 * zero counts off both ends.  *total is the sum of the counts, which the
 * caller has bounded by limit (<= INT64_MAX) so that it cannot overflow.
 */
static int
read_bins(struct sb_sketch *s, const struct sb_json *js, size_t a,
    int64_t lo, uint64_t limit, uint64_t *total, char *err, size_t errsz)
{
	const char *what = "sketch 'bins' is not an array of counts";
	size_t n, k, e, first, last;
	int64_t c;

	if (js->tok[a].type != SB_JARRAY)
		return read_fail(err, errsz, "%s", what);
	n = js->tok[a].size;
	if (n > 0 && (n > SKETCH_NMAX || lo + (int64_t)n - 1 > SKETCH_IMAX))
		return read_fail(err, errsz,
		    "sketch 'bins' reach past bucket %d", SKETCH_IMAX);
	sketch_reserve(s, (uint32_t)n);
	*total = 0;
	for (k = 0, e = a + 1; k < n; k++, e = js->tok[e].skip) {
		if (sb_json_int(js, e, &c) == -1)
			return read_fail(err, errsz, "%s", what);
		if (c < 0)
			return read_fail(err, errsz,
			    "sketch 'bins' hold a negative count");
		if ((uint64_t)c > limit - *total)
			return read_fail(err, errsz,
			    "sketch 'count' does not match its bins");
		*total += (uint64_t)c;
		s->bins[k] = (uint64_t)c;
	}
	for (first = 0; first < n && s->bins[first] == 0; first++)
		continue;
	for (last = n; last > first && s->bins[last - 1] == 0; last--)
		continue;
	if (first > 0)
		memmove(s->bins, s->bins + first,
		    (last - first) * sizeof *s->bins);
	s->lo = first < last ? (int32_t)(lo + (int64_t)first) : 0;
	s->nbins = (uint32_t)(last - first);
	return 0;
}

/*
 * min and max must fit the buckets.  The bucket of min (when nothing is
 * in the zero bucket) must be lo and that of max the last one; one
 * bucket of slack is allowed because another machine's log() may round a
 * value right at a boundary the other way.
 */
static int
read_check(const struct sb_sketch *s, char *err, size_t errsz)
{
	int32_t hi = s->lo + (int32_t)s->nbins - 1;
	double bot, top;

	if (s->count == 0) {
		if (s->sum != 0 || s->min != 0 || s->max != 0)
			return read_fail(err, errsz, "sketch 'sum', 'min' and "
			    "'max' are not 0 in an empty sketch");
		return 0;
	}
	if (s->max < s->min)
		return read_fail(err, errsz, "sketch 'max' is less than 'min'");
	if ((s->zero > 0) != (s->min < SB_SKETCH_MIN))
		return read_fail(err, errsz,
		    "sketch 'min' does not match 'zero'");
	if ((s->nbins > 0) != (s->max >= SB_SKETCH_MIN))
		return read_fail(err, errsz,
		    "sketch 'max' does not match its bins");
	if (s->nbins == 0)
		return 0;
	bot = s->min < SB_SKETCH_MAX ? s->min : SB_SKETCH_MAX;
	if (s->zero == 0 && abs(bucket_index(bot) - s->lo) > 1)
		return read_fail(err, errsz,
		    "sketch 'min' does not match its bins");
	top = s->max < SB_SKETCH_MAX ? s->max : SB_SKETCH_MAX;
	if (abs(bucket_index(top) - hi) > 1)
		return read_fail(err, errsz,
		    "sketch 'max' does not match its bins");
	return 0;
}

static int
read_object(struct sb_sketch *s, const struct sb_json *js, size_t t,
    char *err, size_t errsz)
{
	uint64_t count = 0, zero = 0, total = 0;
	long m;
	int64_t lo;

	if (t >= js->ntok || js->tok[t].type != SB_JOBJECT)
		return read_fail(err, errsz, "sketch is not an object");
	if (read_alpha(js, t, err, errsz) == -1 ||
	    read_count(js, t, "count", &count, err, errsz) == -1 ||
	    read_value(js, t, "sum", &s->sum, err, errsz) == -1 ||
	    read_value(js, t, "min", &s->min, err, errsz) == -1 ||
	    read_value(js, t, "max", &s->max, err, errsz) == -1 ||
	    read_count(js, t, "zero", &zero, err, errsz) == -1)
		return -1;
	if ((m = read_member(js, t, "lo", err, errsz)) < 0)
		return -1;
	if (sb_json_int(js, (size_t)m, &lo) == -1)
		return read_fail(err, errsz, "sketch 'lo' is not an integer");
	if (lo < SKETCH_IMIN || lo > SKETCH_IMAX)
		return read_fail(err, errsz, "sketch 'lo' is %" PRId64
		    ", outside [%d, %d]", lo, SKETCH_IMIN, SKETCH_IMAX);
	if (zero > count)
		return read_fail(err, errsz, "sketch 'zero' exceeds 'count'");
	if ((m = read_member(js, t, "bins", err, errsz)) < 0)
		return -1;
	if (read_bins(s, js, (size_t)m, lo, count - zero, &total, err,
	    errsz) == -1)
		return -1;
	if (total != count - zero)
		return read_fail(err, errsz,
		    "sketch 'count' does not match its bins");
	s->count = count;
	s->zero = zero;
	return read_check(s, err, errsz);
}

int
sb_sketch_read(struct sb_sketch *s, const struct sb_json *js, size_t t,
    char *err, size_t errsz)
{
	if (read_object(s, js, t, err, errsz) == -1) {
		sb_sketch_reset(s);
		return -1;
	}
	return 0;
}
