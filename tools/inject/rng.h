/*
 * rng.h - a small deterministic random number generator and the
 * distributions inject(1) draws from.
 *
 * The generator is xoshiro256** seeded through splitmix64, so any 64-bit
 * seed, 0 included, gives a well-mixed state, and a seed gives the same
 * sequence on every machine and in every run.  The state is a plain
 * struct owned by the caller; nothing here allocates or keeps globals.
 *
 *	struct rng r;
 *
 *	rng_seed(&r, 42);
 *	double ms = 120 * exp(0.35 * rng_normal(&r));	(lognormal, median 120)
 *	unsigned n = rng_poisson(&r, 5.0);		(arrivals in one second)
 */
#ifndef INJECT_RNG_H
#define INJECT_RNG_H

#include <stdint.h>

struct rng {
	uint64_t	 s[4];
	int		 has_spare;	/* Box-Muller makes normals in pairs */
	double		 spare;
};

void	 rng_seed(struct rng *, uint64_t seed);
uint64_t rng_next(struct rng *);
/* Uniform in [0, 1), 53 random bits. */
double	 rng_uniform(struct rng *);
/* Uniform in [0, n) for n > 0 (multiply-shift; bias below n / 2^32). */
uint32_t rng_below(struct rng *, uint32_t n);
/* Standard normal. */
double	 rng_normal(struct rng *);
/* Poisson with mean lambda >= 0. */
unsigned rng_poisson(struct rng *, double lambda);

#endif
