/*
 * test_buf.c - lib/buf's JSON numbers: the integer path writes what
 * printf's %.6g and %.17g write, up to where those turn to exponents;
 * an exact number reads back to the same double; no "-0", no NaN.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "buf.h"
#include "../tap.h"

static const char *
num(struct sb_buf *b, double v, int exact)
{
	sb_buf_reset(b);
	if (exact)
		sb_buf_json_num_exact(b, v);
	else
		sb_buf_json_num(b, v);
	sb_buf_putc(b, '\0');
	return b->s;
}

int
main(void)
{
	static const double v[] = { 0, 1, -1, 7, 42, -42, 999999, 1e6,
	    -999999, -1e6, 123456789, 1e15, 9007199254740991.0,
	    9007199254740992.0, -9007199254740991.0, 1e17, 1e300, 0.5,
	    -2.25, 1.0 / 3, 3.1115757497097429, 1e-7, 63.5 };
	struct sb_buf b = SB_BUF_INIT;
	char want[64];
	int64_t iv[] = { 0, 5, -5, 1234567890123LL, INT64_MAX, INT64_MIN };

	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		snprintf(want, sizeof want, "%.6g", v[i]);
		is_str(num(&b, v[i], 0), want, "%%.6g of %.17g", v[i]);
		snprintf(want, sizeof want, "%.17g", v[i]);
		is_str(num(&b, v[i], 1), want, "%%.17g of %.17g", v[i]);
		ok(strtod(num(&b, v[i], 1), NULL) == v[i],
		    "%.17g reads back", v[i]);
	}
	is_str(num(&b, -0.0, 0), "0", "-0 is 0");
	is_str(num(&b, -0.0, 1), "0", "-0 is 0, exact");
	is_str(num(&b, NAN, 1), "null", "NaN is null");
	is_str(num(&b, -INFINITY, 0), "null", "-inf is null");
	for (size_t i = 0; i < sizeof iv / sizeof iv[0]; i++) {
		snprintf(want, sizeof want, "%lld", (long long)iv[i]);
		sb_buf_reset(&b);
		sb_buf_json_int(&b, iv[i]);
		sb_buf_putc(&b, '\0');
		is_str(b.s, want, "integer %s", want);
	}
	sb_buf_free(&b);
	return done_testing();
}
