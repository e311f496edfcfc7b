/*
 * otlp.c - OTLP/JSON trace requests (lib/otlp.c): every line written is a
 * valid event, and the counts add up.
 */
#include <string.h>

#include "event.h"
#include "fuzz.h"
#include "json.h"
#include "otlp.h"

int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	static struct sb_json js, line;
	static struct sb_event ev;
	static int init;
	struct sb_buf out = SB_BUF_INIT;
	struct sb_otlp_result r;
	char err[200], why[160];
	size_t lines = 0;

	if (!init) {
		sb_json_init(&js);
		sb_json_init(&line);
		sb_event_init(&ev);
		init = 1;
	}
	if (sb_json_parse(&js, (const char *)d, n) == -1)
		return 0;
	if (sb_otlp_events(&js, &out, INT64_MAX, &r, err, sizeof err) == -1) {
		FUZZ_CHECK(out.len == 0 && err[0] != '\0');
	} else {
		const char *q = out.s, *end = q == NULL ? q : q + out.len;

		while (q < end) {
			const char *nl = memchr(q, '\n', (size_t)(end - q));

			FUZZ_CHECK(nl != NULL);
			FUZZ_CHECK(sb_json_parse(&line, q, (size_t)(nl - q)) == 0);
			FUZZ_CHECK(sb_event_read(&ev, &line, 0, why,
			    sizeof why) == 0);
			lines++;
			q = nl + 1;
		}
		FUZZ_CHECK(lines == r.events);
		FUZZ_CHECK(r.events + r.ignored + r.rejected == r.spans);
	}
	sb_buf_free(&out);
	return 0;
}
