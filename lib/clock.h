/*
 * clock.h - the monotonic clock, for timeouts, rate limits and latency
 * measurements; and the wall clock, for what a person or a peer reads
 * (metrics' timestamps, HTTP dates, silences' times, the time a tool
 * was started at).  Never for record times: those are event time
 * (slowburn(7), CONVENTIONS).
 */
#ifndef SB_CLOCK_H
#define SB_CLOCK_H

#include <stdint.h>
#include <time.h>

int64_t	 sb_monotonic_ms(void);
int64_t	 sb_monotonic_ns(void);
/* The wall clock (CLOCK_REALTIME), in milliseconds since the epoch. */
int64_t	 sb_wall_ms(void);
/* *ts set to the wall clock ms milliseconds from now: the deadline of a
 * pthread_cond_timedwait(). */
void	 sb_wall_after(struct timespec *ts, int64_t ms);

#endif
