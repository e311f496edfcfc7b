/*
 * ingest.c - ingestd's body decoding (tools/ingestd/body.c): gzip, one
 * object, arrays, NDJSON.  Every line it keeps is one JSON object and a
 * valid event; accepted and rejected add up to the items; gunzip never
 * passes its limit.
 */
#include <string.h>

#include "../../tools/ingestd/body.h"
#include "fuzz.h"

#define MAX_INFLATE	(1 << 20)

static void
check_body(const char *s, size_t n)
{
	struct ingest_parser p;
	struct ingest_result r;
	struct sb_json js;
	struct sb_event ev;
	char why[160];
	size_t lines = 0;

	ingest_parser_init(&p);
	p.max_ahead = 5 * 60000;
	ingest_result_init(&r);
	sb_json_init(&js);
	sb_event_init(&ev);
	(void)ingest_parse(&p, s, n, 1764165787000, &r);
	const char *q = r.lines.s, *end = q == NULL ? q : q + r.lines.len;

	while (q < end) {
		const char *nl = memchr(q, '\n', (size_t)(end - q));

		FUZZ_CHECK(nl != NULL);
		FUZZ_CHECK(sb_json_parse(&js, q, (size_t)(nl - q)) == 0);
		FUZZ_CHECK(js.tok[0].type == SB_JOBJECT);
		FUZZ_CHECK(sb_event_read(&ev, &js, 0, why, sizeof why) == 0);
		FUZZ_CHECK(ev.has_time);
		lines++;
		q = nl + 1;
	}
	FUZZ_CHECK(lines == r.accepted);
	FUZZ_CHECK(r.listed <= INGEST_MAX_ERRORS && r.listed <= r.rejected);
	sb_event_free(&ev);
	sb_json_free(&js);
	ingest_result_free(&r);
	ingest_parser_free(&p);
}

int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	struct sb_buf out = SB_BUF_INIT;

	check_body((const char *)d, n);
	if (n >= 2 && d[0] == 0x1f && d[1] == 0x8b) {
		const char *why;
		int rc = ingest_gunzip((const char *)d, n, MAX_INFLATE, 100,
		    &out, &why);

		FUZZ_CHECK(rc == INGEST_GZ_OK || rc == INGEST_GZ_BIG ||
		    rc == INGEST_GZ_RATIO ||
		    (rc == INGEST_GZ_BAD && why != NULL));
		if (rc == 0) {
			FUZZ_CHECK(out.len <= MAX_INFLATE);
			check_body(out.s, out.len);
		}
	}
	sb_buf_free(&out);
	return 0;
}
