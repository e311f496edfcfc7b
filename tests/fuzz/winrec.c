/*
 * winrec.c - a window record (lib/winrec.c), as detect, aggregate
 * --merge and dashboard read it: accepted or refused with a message and
 * the member at fault, never a crash; what is accepted keeps the
 * promises of winrec.h; and what the strict reading accepts, every
 * tool's reading accepts too (the default is the strictest).
 */
#include <string.h>

#include "fuzz.h"
#include "json.h"
#include "winrec.h"

static const int tool_flags[] = {
	SB_WIN_EPOCH | SB_WIN_END | SB_WIN_SPARSE | SB_WIN_LOOSE_LABELS |
	    SB_WIN_ANY_CODES,				/* detect */
	SB_WIN_YEAR | SB_WIN_MERGE_WORDS,		/* aggregate --merge */
	SB_WIN_LISTING | SB_WIN_EPOCH,			/* dashboard */
};

/* The promises of an accepted window read with flags. */
static void
check_read(const struct sb_window *w, const struct sb_json *js, int flags)
{
	size_t it = 0;
	uint64_t n, sum[2] = { 0, 0 };
	int code;

	FUZZ_CHECK(w->key >= 0 && js->tok[w->key].type == SB_JSTRING);
	FUZZ_CHECK(w->bad == -1);
	if (flags & SB_WIN_LISTING)
		return;
	FUZZ_CHECK(w->width >= 1 && w->width <= 366 * 86400000LL);
	FUZZ_CHECK(w->count >= 0 && w->errors >= 0 && w->client_errors >= 0);
	FUZZ_CHECK(w->errors <= w->count);
	if (!(flags & SB_WIN_SPARSE)) {
		FUZZ_CHECK(w->has & SB_WH_COUNT);
		FUZZ_CHECK(w->errors + w->client_errors <= w->count);
		FUZZ_CHECK(w->bytes_n <= w->count && w->bytes_sum >= 0);
	}
	if (!(flags & SB_WIN_LOOSE_LABELS))
		FUZZ_CHECK((w->service < 0) == (w->tok[SB_WM_SERVICE] < 0));
	if (w->codes < 0 || (flags & SB_WIN_ANY_CODES))
		return;
	FUZZ_CHECK(js->tok[w->codes].type == SB_JOBJECT);
	while (sb_window_code_next(w, js, &it, &code, &n) == 1) {
		FUZZ_CHECK(code >= 400 && code <= 599);
		sum[code >= 500] += n;
	}
	if (!(flags & SB_WIN_SPARSE))
		FUZZ_CHECK(sum[1] <= (uint64_t)w->errors &&
		    sum[0] <= (uint64_t)w->client_errors);
}

int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	static struct sb_json js;
	static int init;
	struct sb_window w;
	char why[200];
	int strict;

	if (!init) {
		sb_json_init(&js);
		init = 1;
	}
	if (sb_json_parse(&js, (const char *)d, n) == -1 ||
	    js.tok[0].type != SB_JOBJECT)
		return 0;
	why[0] = '\0';
	strict = sb_window_read(&w, &js, 0, 0, why, sizeof why) == 0;
	if (strict)
		check_read(&w, &js, 0);
	else
		FUZZ_CHECK(why[0] != '\0' && w.bad >= 0 && w.bad < SB_WM_N);
	for (size_t i = 0; i < sizeof tool_flags / sizeof tool_flags[0]; i++) {
		why[0] = '\0';
		if (sb_window_read(&w, &js, 0, tool_flags[i], why,
		    sizeof why) == 0)
			check_read(&w, &js, tool_flags[i]);
		else
			FUZZ_CHECK(!strict && why[0] != '\0' &&
			    w.bad >= 0 && w.bad < SB_WM_N);
	}
	return 0;
}
