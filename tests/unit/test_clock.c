/*
 * test_clock.c - lib/clock: the wall clock agrees with time(3), and a
 * deadline is a normalized timespec the asked milliseconds away.
 */
#include <stdint.h>
#include <time.h>

#include "clock.h"
#include "../tap.h"

static int64_t
ms_of(const struct timespec *ts)
{
	return (int64_t)ts->tv_sec * 1000 + ts->tv_nsec / 1000000;
}

int
main(void)
{
	int64_t t0 = (int64_t)time(NULL) * 1000, w = sb_wall_ms();
	int64_t m0 = sb_monotonic_ms();
	struct timespec ts;
	const int64_t after[] = { 0, 1, 999, 1000, 1999, 2500, 86400000 };

	ok(w >= t0 && w < t0 + 2000, "wall ms within time(3)'s second");
	ok(sb_monotonic_ms() >= m0, "the monotonic clock does not go back");
	for (size_t i = 0; i < sizeof after / sizeof after[0]; i++) {
		w = sb_wall_ms();
		sb_wall_after(&ts, after[i]);
		ok(ts.tv_nsec >= 0 && ts.tv_nsec < 1000000000,
		    "%lld ms on: nanoseconds normalized", (long long)after[i]);
		ok(ms_of(&ts) - w >= after[i] && ms_of(&ts) - w < after[i] + 1000,
		    "%lld ms on: the deadline is that far",
		    (long long)after[i]);
	}
	return done_testing();
}
