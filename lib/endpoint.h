/*
 * endpoint.h - endpoint normalisation and series keys.
 *
 * sb_endpoint_normalize() turns a request path into its route so that
 * /api/orders/8812 and /api/orders/9120 are one series:
 *	- the query string (from '?') and fragment (from '#') are dropped;
 *	- a path segment that is all digits, a UUID (8-4-4-4-12 hex), or a
 *	  run of 16 or more hex digits becomes "{id}";
 *	- everything else is kept byte for byte.
 *
 * sb_series_key() builds the key of slowburn-records(5):
 * "[service ]METHOD endpoint", parts omitted when empty.
 */
#ifndef SB_ENDPOINT_H
#define SB_ENDPOINT_H

#include <stddef.h>

#include "buf.h"

/* Appends the normalised form of path[0..n) to out. */
void	 sb_endpoint_normalize(const char *path, size_t n, struct sb_buf *out);
/* Appends the series key to out; method is upper-cased. */
void	 sb_series_key(const char *service, const char *method,
	    const char *endpoint, struct sb_buf *out);

#endif
