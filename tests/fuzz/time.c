/*
 * time.c - times and durations (lib/timefmt.c): what parses formats and
 * parses again to the same value.
 */
#include <string.h>

#include "fuzz.h"
#include "timefmt.h"

int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	char s[256], out[SB_TIME_LEN], dur[64];
	int64_t ms, again;

	if (sb_time_parse((const char *)d, n, &ms) == 0) {
		sb_time_format(ms, out);
		if (strncmp(out, "+", 1) != 0 &&
		    sb_time_parse(out, strlen(out), &again) == 0)
			FUZZ_CHECK(again == ms);
	}
	if (n >= sizeof s)
		return 0;
	memcpy(s, d, n);
	s[n] = '\0';
	if (sb_duration_parse(s, &ms) == 0 && ms >= 0) {
		sb_duration_format(ms, dur, sizeof dur);
		FUZZ_CHECK(sb_duration_parse(dur, &again) == 0 && again == ms);
	}
	return 0;
}
