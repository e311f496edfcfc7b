/*
 * rng.c - xoshiro256**, normals and Poisson counts; see rng.h.
 *
 * xoshiro256** and splitmix64 are David Blackman's and Sebastiano Vigna's
 * public-domain generators (https://prng.di.unimi.it/).  Normals come from
 * the Box-Muller transform; Poisson counts from sequential inversion for
 * small means and from Hormann's PTRS ("The transformed rejection method
 * for generating Poisson random variables", 1993) for large ones, both
 * exact, so event counts have the right variance at any --rate-scale.
 */
#include <math.h>
#include <stdint.h>

#include "rng.h"

/* Inversion costs about lambda steps; PTRS a constant few. */
#define POISSON_INVERSION_MAX	30.0

static uint64_t
splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t
rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

void
rng_seed(struct rng *r, uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&seed);
	r->has_spare = 0;
	r->spare = 0;
}

uint64_t
rng_next(struct rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

double
rng_uniform(struct rng *r)
{
	return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

uint32_t
rng_below(struct rng *r, uint32_t n)
{
	return (uint32_t)(((rng_next(r) >> 32) * n) >> 32);
}

double
rng_normal(struct rng *r)
{
	double u1, u2, rad;

	if (r->has_spare) {
		r->has_spare = 0;
		return r->spare;
	}
	/* u1 in (0, 1] so that log(u1) is finite. */
	u1 = (double)((rng_next(r) >> 11) + 1) * 0x1.0p-53;
	u2 = rng_uniform(r);
	rad = sqrt(-2.0 * log(u1));
	r->spare = rad * sin(2 * M_PI * u2);
	r->has_spare = 1;
	return rad * cos(2 * M_PI * u2);
}

static unsigned
poisson_inversion(struct rng *r, double lambda)
{
	double u = rng_uniform(r), p = exp(-lambda), cdf = p;
	unsigned k = 0;

	/* The bound stops a walk that rounding keeps below u forever. */
	while (u > cdf && k < 1000) {
		k++;
		p *= lambda / k;
		cdf += p;
	}
	return k;
}

static unsigned
poisson_ptrs(struct rng *r, double lambda)
{
	double slam = sqrt(lambda), loglam = log(lambda);
	double b = 0.931 + 2.53 * slam;
	double a = -0.059 + 0.02483 * b;
	double invalpha = 1.1239 + 1.1328 / (b - 3.4);
	double vr = 0.9277 - 3.6224 / (b - 2);

	for (;;) {
		double u = rng_uniform(r) - 0.5;
		double v = rng_uniform(r);
		double us = 0.5 - fabs(u);
		double k = floor((2 * a / us + b) * u + lambda + 0.43);

		if (us >= 0.07 && v <= vr)
			return (unsigned)k;
		if (k < 0 || (us < 0.013 && v > us))
			continue;
		if (log(v) + log(invalpha) - log(a / (us * us) + b) <=
		    -lambda + k * loglam - lgamma(k + 1))
			return (unsigned)k;
	}
}

unsigned
rng_poisson(struct rng *r, double lambda)
{
	if (!(lambda > 0))
		return 0;
	if (lambda < POISSON_INVERSION_MAX)
		return poisson_inversion(r, lambda);
	return poisson_ptrs(r, lambda);
}
