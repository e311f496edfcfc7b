/*
 * blake2b.h - BLAKE2b (RFC 7693), unkeyed, for content digests.
 *
 *	unsigned char d[16];
 *	sb_blake2b(line, len, d, sizeof d);
 *
 * outlen is 1 to 64 bytes; a shorter digest is a different hash, not a
 * prefix of the longer one (the length is a parameter of BLAKE2b).  The
 * store identifies a record by the 16-byte digest of its line (store.h).
 * The caller owns out; nothing is kept between calls.
 */
#ifndef SB_BLAKE2B_H
#define SB_BLAKE2B_H

#include <stddef.h>

#define SB_BLAKE2B_MAX	64

void	 sb_blake2b(const void *data, size_t len, unsigned char *out,
	    size_t outlen);

#endif
