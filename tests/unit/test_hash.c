/*
 * test_hash.c - lib/hash: FNV-1a against the published test vectors
 * (the FNV reference page, and Go's hash/fnv tests), and a hash carried
 * across pieces equal to the hash of the whole.
 */
#include <stdint.h>
#include <string.h>

#include "hash.h"
#include "../tap.h"

static const struct {
	const char	*s;
	uint32_t	 h32;
	uint64_t	 h64;
} vec[] = {
	{ "",		0x811c9dc5u, 0xcbf29ce484222325ULL },
	{ "a",		0xe40c292cu, 0xaf63dc4c8601ec8cULL },
	{ "ab",		0x4d2505cau, 0x089c4407b545986aULL },
	{ "abc",	0x1a47e90bu, 0xe71fa2190541574bULL },
	{ "foobar",	0xbf9cf968u, 0x85944171f73967e8ULL },
};

int
main(void)
{
	const char *whole = "GET /checkout\0001970-01-01T00:00:00Z";
	size_t wlen = 13 + 1 + 20;
	uint64_t h64;
	uint32_t h32;

	for (size_t i = 0; i < sizeof vec / sizeof vec[0]; i++) {
		const char *s = vec[i].s;

		ok(sb_fnv1a32(SB_FNV32_INIT, s, strlen(s)) == vec[i].h32,
		    "fnv1a32 \"%s\"", s);
		ok(sb_fnv1a32_str(SB_FNV32_INIT, s) == vec[i].h32,
		    "fnv1a32_str \"%s\"", s);
		ok(sb_fnv1a64(SB_FNV64_INIT, s, strlen(s)) == vec[i].h64,
		    "fnv1a64 \"%s\"", s);
		ok(sb_fnv1a64_str(SB_FNV64_INIT, s) == vec[i].h64,
		    "fnv1a64_str \"%s\"", s);
	}

	h32 = sb_fnv1a32_str(SB_FNV32_INIT, "GET /checkout");
	h32 = sb_fnv1a32(h32, "", 1);
	h32 = sb_fnv1a32_str(h32, "1970-01-01T00:00:00Z");
	ok(h32 == sb_fnv1a32(SB_FNV32_INIT, whole, wlen),
	    "32 bits: pieces hash as the whole, NUL included");
	h64 = sb_fnv1a64_str(SB_FNV64_INIT, "GET /checkout");
	h64 = sb_fnv1a64(h64, "", 1);
	h64 = sb_fnv1a64_str(h64, "1970-01-01T00:00:00Z");
	ok(h64 == sb_fnv1a64(SB_FNV64_INIT, whole, wlen),
	    "64 bits: pieces hash as the whole, NUL included");
	ok(sb_fnv1a64(12345, "", 0) == 12345, "no bytes leave the hash");
	return done_testing();
}
