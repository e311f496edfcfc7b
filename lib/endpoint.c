/*
 * endpoint.c - endpoint normalisation and series keys; see endpoint.h.
 */

#include "endpoint.h"

static int
is_hex(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	    (c >= 'A' && c <= 'F');
}

static int
is_uuid(const char *s, size_t n)
{
	if (n != 36)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return 0;
		} else if (!is_hex((unsigned char)s[i])) {
			return 0;
		}
	}
	return 1;
}

/* An id segment: all digits, a UUID, or 16 or more hex digits. */
static int
is_id(const char *s, size_t n)
{
	size_t i, digits = 0, hex = 0;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		digits += c >= '0' && c <= '9';
		hex += is_hex(c);
	}
	return digits == n || (hex == n && n >= 16) || is_uuid(s, n);
}

void
sb_endpoint_normalize(const char *path, size_t n, struct sb_buf *out)
{
	size_t i = 0;

	for (size_t k = 0; k < n; k++)
		if (path[k] == '?' || path[k] == '#') {
			n = k;
			break;
		}
	while (i < n) {
		size_t j = i;

		while (j < n && path[j] != '/')
			j++;
		if (is_id(path + i, j - i))
			sb_buf_add(out, "{id}", 4);
		else
			sb_buf_add(out, path + i, j - i);
		if (j < n)
			sb_buf_putc(out, '/');
		i = j + 1;
	}
}

void
sb_series_key(const char *service, const char *method, const char *endpoint,
    struct sb_buf *out)
{
	if (service != NULL && *service != '\0') {
		sb_buf_puts(out, service);
		sb_buf_putc(out, ' ');
	}
	if (method != NULL && *method != '\0') {
		for (const char *p = method; *p != '\0'; p++)
			sb_buf_putc(out, *p >= 'a' && *p <= 'z' ? *p - 32 : *p);
		sb_buf_putc(out, ' ');
	}
	sb_buf_puts(out, endpoint);
}
