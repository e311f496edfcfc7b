/*
 * templates.c - explain's templates file (tools/explain/templates.c): a
 * file is loaded or refused with "FILE:LINE: what", and every template it
 * holds expands, whatever its placeholders.
 */
#include <string.h>

#include "../../tools/explain/templates.h"
#include "fuzz.h"

static int
lookup(void *ctx, const char *name, struct sb_buf *out)
{
	(void)ctx;
	if (name[0] == 'x')
		return -1;
	sb_buf_puts(out, name);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	struct tmpl_set set;
	struct sb_buf text = SB_BUF_INIT, out = SB_BUF_INIT;
	char err[300];

	sb_buf_add(&text, d, n);
	sb_buf_putc(&text, '\0');
	memset(&set, 0, sizeof set);
	if (tmpl_load(&set, text.s, "fuzz", 0, err, sizeof err) == -1) {
		FUZZ_CHECK(strncmp(err, "fuzz:", 5) == 0);
	} else {
		for (size_t i = 0; i < set.n; i++) {
			sb_buf_reset(&out);
			tmpl_expand(set.v[i].text, lookup, NULL, &out);
		}
	}
	tmpl_free(&set);
	sb_buf_free(&text);
	sb_buf_free(&out);
	return 0;
}
