/*
 * test_auth.c - sb_secret_eq, the token comparison of ingestd(8) and
 * dashboard(1): every byte counts, wherever it differs, and no prefix,
 * extension or empty string passes.  Its timing is by construction (one
 * pass over the whole expected secret, no early exit), not measured here.
 */
#include <string.h>

#include "auth.h"
#include "../tap.h"

int
main(void)
{
	char tok[65], given[80];
	int missed = 0, passed = 0;

	for (int i = 0; i < 64; i++)
		tok[i] = (char)('a' + (i * 7) % 26);
	tok[64] = '\0';

	ok(sb_secret_eq(tok, tok), "the token itself is accepted");
	memcpy(given, tok, sizeof tok);
	ok(sb_secret_eq(given, tok), "an equal copy is accepted");

	/* One byte off, at each position, by each bit. */
	for (int i = 0; i < 64; i++)
		for (int bit = 0; bit < 8; bit++) {
			memcpy(given, tok, sizeof tok);
			given[i] = (char)(given[i] ^ (1 << bit));
			if (given[i] == '\0')
				continue;
			missed += sb_secret_eq(given, tok);
		}
	is_int(missed, 0, "a difference in any one bit of any byte is refused");

	/* Every prefix, and the token with more after it. */
	for (int n = 0; n < 64; n++) {
		memcpy(given, tok, (size_t)n);
		given[n] = '\0';
		passed += sb_secret_eq(given, tok);
	}
	is_int(passed, 0, "no prefix of the token, the empty one included, is accepted");
	memcpy(given, tok, 64);
	strcpy(given + 64, "x");
	ok(!sb_secret_eq(given, tok), "the token with one more byte is refused");
	ok(sb_secret_eq("", ""), "an empty secret equals an empty one");
	ok(!sb_secret_eq(tok, ""), "a token does not match an empty secret");
	return done_testing();
}
