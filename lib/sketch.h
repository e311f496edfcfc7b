/*
 * sketch.h - a mergeable log-bucket quantile sketch (DDSketch-style).
 *
 * A value v > 0 falls into bucket i = ceil(log(v) / log(gamma)), with
 * gamma = (1 + a) / (1 - a) and a = SB_SKETCH_ALPHA, so every value in a
 * bucket lies within a relative distance a of the bucket's representative
 * 2 gamma^i / (gamma + 1).  A quantile estimate is therefore within a
 * relative error a of the exact value of the same rank (Masson, Rim and
 * Lee, "DDSketch", VLDB 2019).  Values below SB_SKETCH_MIN share a zero
 * bucket and values above SB_SKETCH_MAX are counted at SB_SKETCH_MAX, so
 * one sketch never holds more than 2,764 buckets.  count, sum, min
 * and max are exact.
 *
 * Merging adds bucket counts, so the merge of two sketches equals the
 * sketch of the union of their inputs exactly; that is what makes
 * partial windows from several machines combinable.
 *
 * Quantiles use the nearest rank: the value of 1-based rank ceil(q n) in
 * sorted order, as HdrHistogram and most latency tools report it, so that
 * a p99 of fewer than 100 requests is their maximum rather than an
 * optimistic lower value.  The estimate is the representative of the
 * bucket holding that value, clamped to [min, max]; it is within a
 * relative error a of the exact value for values in [SB_SKETCH_MIN,
 * SB_SKETCH_MAX] (up to a few 1e-15 of floating-point rounding).
 * Below SB_SKETCH_MIN the estimate is min; above SB_SKETCH_MAX it is
 * within a of SB_SKETCH_MAX.  An empty sketch has count, sum, min and max
 * 0, so an all-zero struct is a valid empty sketch.
 *
 * A sketch owns its bucket array; sb_sketch_free() releases it.
 */
#ifndef SB_SKETCH_H
#define SB_SKETCH_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "json.h"

#define SB_SKETCH_ALPHA	0.005
#define SB_SKETCH_MIN	1e-3	/* ms: below this, the zero bucket */
#define SB_SKETCH_MAX	1e9	/* ms: about 11.6 days */

struct sb_sketch {
	uint64_t	*bins;		/* bins[k] counts bucket lo + k */
	int32_t		 lo;		/* bucket index of bins[0] */
	uint32_t	 nbins;		/* buckets in use, from lo */
	uint32_t	 cap;		/* allocated entries */
	uint64_t	 zero;		/* values < SB_SKETCH_MIN */
	uint64_t	 count;
	double		 sum;
	double		 min;
	double		 max;
};

void	 sb_sketch_init(struct sb_sketch *);
void	 sb_sketch_free(struct sb_sketch *);
/* Empties the sketch and keeps its memory. */
void	 sb_sketch_reset(struct sb_sketch *);
/* v must be finite and >= 0. */
void	 sb_sketch_add(struct sb_sketch *, double v);
/* NAN when empty; q in [0, 1]; q <= 0 (or NaN) gives min, q >= 1 max. */
double	 sb_sketch_quantile(const struct sb_sketch *, double q);
/* The 0-based index of the nearest-rank value: ceil(q n) - 1, at least 0. */
uint64_t sb_sketch_rank(double q, uint64_t n);
void	 sb_sketch_merge(struct sb_sketch *dst, const struct sb_sketch *src);

/*
 * Serialized form, one JSON object:
 *	{"alpha":0.005,"count":N,"sum":S,"min":A,"max":B,"zero":Z,
 *	 "lo":I,"bins":[c0,c1,...]}
 * with bins[k] the count of bucket lo + k.  sum, min and max are written
 * exactly (%.17g) so that a merge of read-back sketches is exact too.
 */
void	 sb_sketch_write(const struct sb_sketch *, struct sb_buf *);
/*
 * Reads object token t into an initialised sketch; -1 with a message in
 * err if it is not a sketch, leaving the sketch empty.
 */
int	 sb_sketch_read(struct sb_sketch *, const struct sb_json *, size_t t,
	    char *err, size_t errsz);

#endif
