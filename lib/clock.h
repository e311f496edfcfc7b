/*
 * clock.h - the monotonic clock, for timeouts, rate limits and latency
 * measurements.  Never for record times: those are event time
 * (slowburn(7), CONVENTIONS).
 */
#ifndef SB_CLOCK_H
#define SB_CLOCK_H

#include <stdint.h>

int64_t	 sb_monotonic_ms(void);
int64_t	 sb_monotonic_ns(void);

#endif
