/*
 * logfmt_impl.h - what the format files of logfmt.h share: a cursor over
 * one line, its field scanners, and the checked setters of event members.
 * Only lib/logfmt*.c include it.
 *
 * A scanner reads one field at the cursor and moves past it; it returns
 * 0 with the field's bytes in *f, or -1 when the field is not there (the
 * line ended, a quote or bracket was never closed).  None of them
 * allocates: fields point into the line.
 */
#ifndef SB_LOGFMT_IMPL_H
#define SB_LOGFMT_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "event.h"
#include "logfmt.h"

struct lf_cur {
	const char	*p;
	const char	*end;
};

struct lf_field {
	const char	*s;
	size_t		 n;
};

/* Skips blanks, then a run of non-blank bytes. */
int	 lf_token(struct lf_cur *, struct lf_field *);
/* Skips blanks, then "..." with backslash escapes; f is what is inside. */
int	 lf_quoted(struct lf_cur *, struct lf_field *);
/* Skips blanks, then [...]; f is what is inside. */
int	 lf_bracket(struct lf_cur *, struct lf_field *);
/* 1 if only blanks are left. */
int	 lf_at_end(struct lf_cur *);

/*
 * f for an error message: at most LF_SHOW - 4 bytes, anything but
 * printable ASCII shown as '?', so a message is always valid UTF-8.
 */
#define LF_SHOW	48
const char *lf_show(const struct lf_field *, char out[LF_SHOW]);
/* 1 if f is "-". */
int	 lf_dash(const struct lf_field *);
/* An HTTP status 100..599; -1 else. */
int	 lf_status(const struct lf_field *);
/* A decimal integer >= 0 (at most 18 digits, a leading '+' allowed). */
int	 lf_uint(const struct lf_field *, int64_t *);
/* An integer >= -1 as HAProxy writes its timers (a leading '+' allowed). */
int	 lf_int(const struct lf_field *, int64_t *);
/*
 * Decimal seconds ("0.123", "12", "1.5") as whole microseconds, exactly:
 * no binary rounding between the log and the event.  At most 9 integer
 * digits; fraction digits beyond the sixth are truncated.
 */
int	 lf_seconds_us(const struct lf_field *, int64_t *);
/*
 * nginx's $upstream_response_time: one time per upstream tried,
 * "0.010, 0.020 : 0.005" ('-' for one that gave none), summed.  0 and
 * *us, 1 when every entry is '-', -1 when it is no such list.
 */
int	 lf_upstream_times(const struct lf_field *, int64_t *us);

/*
 * The request line "METHOD TARGET [PROTOCOL]" into ev's method and
 * endpoint; an absolute target (http://host:port/path, as load balancers
 * log it) keeps only its path.  -1 with err.
 */
int	 lf_request(struct sb_event *, const struct lf_field *, char *err,
	    size_t errsz);
/* Sets a string member from f: at most max bytes of UTF-8, no controls. */
int	 lf_set(struct sb_buf *, const struct lf_field *, const char *name,
	    size_t max, char *err, size_t errsz);
/*
 * The fields of the combined log format that nginx and Apache share,
 * "ADDR IDENT USER [TIME] "REQUEST" STATUS BYTES "REFERER" "AGENT"",
 * into ev (time, method, endpoint, status) and *bytes (-1 for "-");
 * the cursor is left after the agent.  Messages name the fields as
 * the server's configuration spells them, from nm.
 */
struct lf_combined_names {
	const char	*time, *request, *status, *bytes;
};
int	 lf_combined(struct lf_cur *, struct sb_event *, int64_t *bytes,
	    const struct lf_combined_names *, char *err, size_t errsz);
/* Sets ev's latency and bytes; has_bytes from bytes >= 0. */
void	 lf_set_numbers(struct sb_event *, int64_t latency_us, int64_t bytes);

#endif
