/*
 * hash.c - FNV-1a over strings; see hash.h.
 */
#include "hash.h"

uint32_t
sb_fnv1a32_str(uint32_t h, const char *s)
{
	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * SB_FNV32_PRIME;
	return h;
}

uint64_t
sb_fnv1a64_str(uint64_t h, const char *s)
{
	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * SB_FNV64_PRIME;
	return h;
}
