/*
 * clock.c - the monotonic clock; see clock.h.
 */
#include <time.h>

#include "clock.h"

int64_t
sb_monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t
sb_monotonic_ms(void)
{
	return sb_monotonic_ns() / 1000000;
}
