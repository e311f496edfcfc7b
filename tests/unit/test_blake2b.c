/*
 * test_blake2b.c - BLAKE2b against RFC 7693 appendix A and, for the
 * 16-byte digests the store uses, at the block boundaries (answers from
 * Python's hashlib.blake2b, an independent implementation).
 */
#include <stdio.h>
#include <string.h>

#include "blake2b.h"
#include "../tap.h"

static const char *
b2(const void *p, size_t n, size_t outlen)
{
	static char s[2 * SB_BLAKE2B_MAX + 1];
	unsigned char d[SB_BLAKE2B_MAX];

	sb_blake2b(p, n, d, outlen);
	for (size_t i = 0; i < outlen; i++)
		snprintf(s + 2 * i, 3, "%02x", d[i]);
	return s;
}

int
main(void)
{
	char a[1000];

	memset(a, 'a', sizeof a);
	is_str(b2("abc", 3, 64),
	    "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d1"
	    "7d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923",
	    "RFC 7693 appendix A: BLAKE2b-512 of abc");
	is_str(b2("", 0, 16), "cae66941d9efbd404e4d88758ea67670",
	    "the empty message, 16 bytes");
	is_str(b2("abc", 3, 16), "cf4ab791c62b8d2b2109c90275287816",
	    "abc, 16 bytes: the length is a parameter, not a truncation");
	is_str(b2(a, 128, 16), "1271d28e731afb57bdfba6bdaf3501be",
	    "128 bytes: one full block, compressed as the last");
	is_str(b2(a, 129, 16), "68b7bafbad5055c4ebe6eb170a0f8524",
	    "129 bytes: a second block of one byte");
	is_str(b2(a, 1000, 16), "a0e5a332e985551c28a377c40f4139c3",
	    "1000 bytes: eight blocks");
	is_str(b2("{\"type\":\"alert\"}", 16, 16),
	    "8c1146afc309681607a48d4039e89016", "a record line");
	return done_testing();
}
