/*
 * sigrec.c - a signal record (lib/sigrec.c), as correlate, explain and
 * alert read it: accepted or refused with a message, never a crash, and
 * a copy of what was accepted frees cleanly.
 */
#include "fuzz.h"
#include "json.h"
#include "sigrec.h"

int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	static struct sb_json js;
	static int init;
	struct sb_signal s, c;
	char why[200];

	if (!init) {
		sb_json_init(&js);
		init = 1;
	}
	if (sb_json_parse(&js, (const char *)d, n) == -1 ||
	    js.tok[0].type != SB_JOBJECT)
		return 0;
	why[0] = '\0';
	if (sb_signal_read(&s, &js, 0, why, sizeof why) == 0) {
		sb_signal_copy(&c, &s);
		(void)sb_signal_benign(&c);
		sb_signal_free(&c);
		sb_signal_free(&s);
	} else {
		FUZZ_CHECK(why[0] != '\0');
	}
	return 0;
}
