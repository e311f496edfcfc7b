/*
 * buf.h - growable byte buffers and the one JSON writer.
 *
 * A struct sb_buf owns its memory; s is always NUL-terminated (after the
 * first append), so it can be handed to printf-like functions.  Output
 * records are built with the sb_buf_json_* helpers so that every tool
 * formats numbers, strings and times the same way, byte for byte:
 *
 *	struct sb_buf b = SB_BUF_INIT;
 *	sb_buf_puts(&b, "{\"key\":");
 *	sb_buf_json_str(&b, key, strlen(key));
 *	sb_buf_puts(&b, ",\"at\":");
 *	sb_buf_json_time(&b, at_ms);
 *	sb_buf_puts(&b, "}\n");
 *	fwrite(b.s, 1, b.len, stdout);
 *	sb_buf_free(&b);
 *
 * Allocation failure is fatal (abort() after a message): a filter in a
 * pipe has no better recovery, and it keeps every caller simple.
 */
#ifndef SB_BUF_H
#define SB_BUF_H

#include <stddef.h>
#include <stdint.h>

struct sb_buf {
	char	*s;
	size_t	 len;
	size_t	 cap;
};

#define SB_BUF_INIT { NULL, 0, 0 }

void	 sb_buf_init(struct sb_buf *);
void	 sb_buf_free(struct sb_buf *);
void	 sb_buf_reset(struct sb_buf *);		/* len = 0, keeps memory */
void	 sb_buf_grow(struct sb_buf *, size_t extra);
void	 sb_buf_add(struct sb_buf *, const void *, size_t);
void	 sb_buf_puts(struct sb_buf *, const char *);
void	 sb_buf_putc(struct sb_buf *, int);
void	 sb_buf_printf(struct sb_buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));

/* A JSON string literal, quotes included; s must be valid UTF-8. */
void	 sb_buf_json_str(struct sb_buf *, const char *s, size_t n);
/* A number with 6 significant digits; non-finite values become null. */
void	 sb_buf_json_num(struct sb_buf *, double);
/* A number that reads back to the same double (%.17g). */
void	 sb_buf_json_num_exact(struct sb_buf *, double);
void	 sb_buf_json_int(struct sb_buf *, int64_t);
/* A quoted RFC 3339 UTC time with milliseconds. */
void	 sb_buf_json_time(struct sb_buf *, int64_t ms);

/* Allocation helpers with the same fatal-on-failure policy. */
void	*sb_xmalloc(size_t);
void	*sb_xcalloc(size_t, size_t);
void	*sb_xrealloc(void *, size_t);
char	*sb_xstrdup(const char *);

#endif
