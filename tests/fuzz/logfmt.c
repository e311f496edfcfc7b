/*
 * logfmt.c - the access-log formats (lib/logfmt*.c) through the one event
 * reader (lib/evread.c): the first byte picks the format, the rest is a
 * line of it.  What is accepted honours the event contract.
 */
#include <math.h>
#include <string.h>

#include "evread.h"
#include "fuzz.h"

static const char *const names[] = { "nginx", "nginx-json", "apache",
	"haproxy", "envoy", "alb" };
#define NFMT	(sizeof names / sizeof names[0])

int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	static struct sb_evread rd[NFMT];
	static int init;
	char why[200];
	long type;
	size_t f;

	if (!init) {
		for (f = 0; f < NFMT; f++) {
			int known;
			const struct sb_logfmt *fmt = sb_logfmt_find(names[f],
			    &known);

			FUZZ_CHECK(fmt != NULL);
			sb_evread_init(&rd[f], fmt, NULL);
		}
		init = 1;
	}
	if (n == 0)
		return 0;
	f = d[0] % NFMT;
	why[0] = '\0';
	if (sb_evread_parse(&rd[f], (const char *)d + 1, n - 1, &type, why,
	    sizeof why) == SB_EV_EVENT) {
		const struct sb_event *ev = &rd[f].ev;

		FUZZ_CHECK(ev->status >= 100 && ev->status <= 599);
		FUZZ_CHECK(isfinite(ev->latency_ms) && ev->latency_ms >= 0);
		FUZZ_CHECK(ev->endpoint.len > 0);
	} else {
		FUZZ_CHECK(why[0] != '\0');
	}
	return 0;
}
