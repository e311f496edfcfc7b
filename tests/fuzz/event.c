/*
 * event.c - an event line (lib/event.c, with its aliases): what
 * sb_event_read() accepts honours the event contract of
 * slowburn-records(5).
 */
#include <math.h>

#include "event.h"
#include "fuzz.h"
#include "json.h"

int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	static struct sb_json js;
	static struct sb_event ev;
	static int init;
	char why[160];

	if (!init) {
		sb_json_init(&js);
		sb_event_init(&ev);
		init = 1;
	}
	if (sb_json_parse(&js, (const char *)d, n) == -1 ||
	    js.tok[0].type != SB_JOBJECT)
		return 0;
	(void)sb_is_event(&js, 0);
	if (sb_event_read(&ev, &js, 0, why, sizeof why) == 0) {
		FUZZ_CHECK(ev.status >= 100 && ev.status <= 599);
		FUZZ_CHECK(isfinite(ev.latency_ms) && ev.latency_ms >= 0);
		FUZZ_CHECK(!ev.has_bytes || (isfinite(ev.bytes) && ev.bytes >= 0));
	} else {
		FUZZ_CHECK(why[0] != '\0');
	}
	return 0;
}
