/*
 * hash.h - FNV-1a, 32 and 64 bits (http://www.isthe.com/chongo/tech/comp/fnv/),
 * the one hash of slowburn's tables, shard routing and stable ids.
 *
 * Each function takes the running hash and returns it advanced over more
 * bytes, so that a caller can hash several pieces as one:
 *
 *	uint64_t h = SB_FNV64_INIT;
 *
 *	h = sb_fnv1a64_str(h, key);
 *	h = sb_fnv1a64(h, "\0", 1);
 *	h = sb_fnv1a64_str(h, service);
 *
 * Not for hostile-collision resistance nor for anything secret.  The
 * byte-range versions are inline: aggregate hashes every event's key.
 */
#ifndef SB_HASH_H
#define SB_HASH_H

#include <stddef.h>
#include <stdint.h>

/* The offset bases, the hash of no bytes. */
#define SB_FNV32_INIT	2166136261u
#define SB_FNV64_INIT	14695981039346656037ULL
#define SB_FNV32_PRIME	16777619u
#define SB_FNV64_PRIME	1099511628211ULL

static inline uint32_t
sb_fnv1a32(uint32_t h, const void *p, size_t n)
{
	const unsigned char *s = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ s[i]) * SB_FNV32_PRIME;
	return h;
}

static inline uint64_t
sb_fnv1a64(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ s[i]) * SB_FNV64_PRIME;
	return h;
}

/* The same over a NUL-terminated string, its NUL not included. */
uint32_t sb_fnv1a32_str(uint32_t h, const char *s);
uint64_t sb_fnv1a64_str(uint64_t h, const char *s);

#endif
