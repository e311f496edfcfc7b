/*
 * reader.c - the JSONL line splitter (lib/reader.c) on arbitrary bytes:
 * lines never hold a newline, are never longer than max_line, and cover
 * no more bytes than the input.
 */
#include <string.h>

#include "fuzz.h"
#include "reader.h"

int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	struct sb_reader r;
	char *line;
	size_t len, total = 0;
	int rc;

	sb_reader_open_mem(&r, "fuzz", (const char *)d, n);
	r.max_line = 1024;
	while ((rc = sb_reader_next(&r, &line, &len, -1)) == SB_READ_LINE) {
		FUZZ_CHECK(memchr(line, '\n', len) == NULL);
		FUZZ_CHECK(len <= r.max_line);
		total += len;
	}
	FUZZ_CHECK(rc == SB_READ_EOF);
	FUZZ_CHECK(total <= n);
	sb_reader_close(&r);
	return 0;
}
