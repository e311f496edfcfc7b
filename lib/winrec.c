/*
 * winrec.c - window records read into a struct (winrec.h).
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "event.h"
#include "timefmt.h"
#include "winrec.h"

#define WEEK_S	(7 * 86400.0)
#define YEAR_S	(366 * 86400.0)
#define WEEK_MS	(7 * 86400000LL)

static const char *const member_name[SB_WM_N] = {
	"type", "key", "service", "method", "endpoint", "start", "end",
	"width_s", "count", "errors", "client_errors", "codes", "latency_ms",
	"late", "partial", "bytes_n", "bytes_sum", "sketch"
};

/*
 * 1 if s[0..len) is name, whose length is len (3 to 13).  Names are
 * compared a word at a time, the first and the last (overlapping) word of
 * each, not byte by byte: a million windows a second means fifteen
 * million names.
 */
static int
same_name(const char *s, const char *name, size_t len)
{
	uint64_t a, b, c, d;
	uint32_t e, f, g, h;

	if (len >= 8) {
		memcpy(&a, s, 8);
		memcpy(&b, name, 8);
		memcpy(&c, s + len - 8, 8);
		memcpy(&d, name + len - 8, 8);
		return a == b && c == d;
	}
	if (len >= 4) {
		memcpy(&e, s, 4);
		memcpy(&f, name, 4);
		memcpy(&g, s + len - 4, 4);
		memcpy(&h, name + len - 4, 4);
		return e == f && g == h;
	}
	return s[0] == name[0] && s[1] == name[1] && s[2] == name[2];
}

/*
 * The member a plain (unescaped) name names, or -1.  A window has a dozen
 * or more members, so the candidate is picked by length and first byte
 * and only that one name is compared.
 */
static int
member_of(const char *s, size_t len)
{
	int j;

	switch (len) {
	case 3:
		j = s[0] == 'k' ? SB_WM_KEY : SB_WM_END;
		break;
	case 4:
		j = s[0] == 't' ? SB_WM_TYPE : SB_WM_LATE;
		break;
	case 5:
		j = s[0] == 's' ? SB_WM_START : s[2] == 'd' ? SB_WM_CODES :
		    SB_WM_COUNT;
		break;
	case 6:
		j = s[0] == 'e' ? SB_WM_ERRORS : s[0] == 'm' ? SB_WM_METHOD :
		    SB_WM_SKETCH;
		break;
	case 7:
		j = s[0] == 'w' ? SB_WM_WIDTH : s[0] == 's' ? SB_WM_SERVICE :
		    s[0] == 'b' ? SB_WM_BYTES_N : SB_WM_PARTIAL;
		break;
	case 8:
		j = SB_WM_ENDPOINT;
		break;
	case 9:
		j = SB_WM_BYTES_SUM;
		break;
	case 10:
		j = SB_WM_LATENCY;
		break;
	case 13:
		j = SB_WM_CLIENT_ERRORS;
		break;
	default:
		return -1;
	}
	return same_name(s, member_name[j], len) ? j : -1;
}

int
sb_window_member(const char *name)
{
	for (int j = 0; j < SB_WM_N; j++)
		if (strcmp(name, member_name[j]) == 0)
			return j;
	return -1;
}

void
sb_window_scan(struct sb_window *w, const struct sb_json *js, size_t obj)
{
	size_t k = obj + 1;

	for (int i = 0; i < SB_WM_N; i++)
		w->tok[i] = -1;
	for (size_t i = 0; i < js->tok[obj].size; i++) {
		const struct sb_jtok *t = &js->tok[k];
		size_t v = k + 1;
		int j;

		if (t->escaped) {
			for (j = 0; j < SB_WM_N; j++)
				if (sb_json_streq(js, k, member_name[j]))
					w->tok[j] = (long)v;
		} else if ((j = member_of(js->src + t->start,
		    t->end - t->start)) >= 0)
			w->tok[j] = (long)v;
		k = js->tok[v].skip;
	}
}

static int fail(struct sb_window *, int, char *, size_t, const char *, ...)
    __attribute__((format(printf, 5, 6)));

static int
fail(struct sb_window *w, int member, char *why, size_t whysz,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, whysz, fmt, ap);
	va_end(ap);
	w->bad = member;
	return -1;
}

/* An escaped string unescaped, then parsed: the dashboard's leniency. */
static int
escaped_time(const struct sb_json *js, size_t t, int64_t *ms)
{
	struct sb_buf b = SB_BUF_INIT;
	int rc;

	sb_json_str(js, t, &b);
	rc = b.len > 0 ? sb_time_parse(b.s, b.len, ms) : -1;
	sb_buf_free(&b);
	return rc;
}

/* 0 and *ms for a time member of token t as flags allow; -1 otherwise. */
static int
read_time(const struct sb_json *js, long t, int flags, int64_t *ms)
{
	const struct sb_jtok *k = &js->tok[t];
	double v;

	if (k->type == SB_JSTRING && !k->escaped)
		return sb_time_parse(js->src + k->start, k->end - k->start, ms);
	if (k->type == SB_JNUMBER && (flags & SB_WIN_EPOCH))
		return sb_json_number(js, (size_t)t, &v) == 0 ?
		    sb_time_from_epoch(v, ms) : -1;
	if (k->type == SB_JSTRING && (flags & SB_WIN_LISTING))
		return escaped_time(js, (size_t)t, ms);
	return -1;
}

/* 0 and *v for an integer token >= 0; -1 otherwise. */
static int
read_count(const struct sb_json *js, long t, int64_t *v)
{
	return sb_json_int(js, (size_t)t, v) == -1 || *v < 0 ? -1 : 0;
}

/* The message for a count that is not one, in the caller's words. */
static int
bad_count(struct sb_window *w, int m, int flags, char *why, size_t whysz)
{
	return fail(w, m, why, whysz, (flags & SB_WIN_MERGE_WORDS) ?
	    "'%s' is not a count" : "'%s' is not a non-negative integer",
	    member_name[m]);
}

/* An optional count: 0 when absent. */
static int
opt_count(struct sb_window *w, const struct sb_json *js, int m, int flags,
    int64_t *v, char *why, size_t whysz)
{
	if (w->tok[m] >= 0 && read_count(js, w->tok[m], v) == -1)
		return bad_count(w, m, flags, why, whysz);
	return 0;
}

static int
check_labels(struct sb_window *w, const struct sb_json *js, int flags,
    char *why, size_t whysz)
{
	long *dst[] = { &w->service, &w->method, &w->endpoint };

	for (int i = 0; i < 3; i++) {
		long t = w->tok[SB_WM_SERVICE + i];

		*dst[i] = t >= 0 && js->tok[t].type == SB_JSTRING ? t : -1;
		if (t >= 0 && *dst[i] < 0 && !(flags & SB_WIN_LOOSE_LABELS))
			return fail(w, SB_WM_SERVICE + i, why, whysz,
			    "'%s' is not a string", member_name[SB_WM_SERVICE + i]);
	}
	return 0;
}

static int
check_width(struct sb_window *w, const struct sb_json *js, int flags,
    char *why, size_t whysz)
{
	int merge = flags & SB_WIN_MERGE_WORDS;
	double max = (flags & SB_WIN_YEAR) ? YEAR_S : WEEK_S, v;
	long t;

	if ((t = w->tok[SB_WM_WIDTH]) >= 0) {
		if (sb_json_number(js, (size_t)t, &v) == -1 || !(v >= 0.001) ||
		    v > max)
			return fail(w, SB_WM_WIDTH, why, whysz, merge ?
			    "'width_s' is not a width in seconds" :
			    "'width_s' is not a number of seconds in 0.001..%.0f",
			    max);
		w->has |= SB_WH_WIDTH;
		w->width_s = v;
		w->width = llround(v * 1000);
		return 0;
	}
	if (!(flags & SB_WIN_END) || (t = w->tok[SB_WM_END]) < 0)
		return fail(w, SB_WM_WIDTH, why, whysz, "%s", merge ?
		    "'width_s' is not a width in seconds" :
		    (flags & SB_WIN_END) ? "missing 'width_s' and 'end'" :
		    "missing 'width_s'");
	if (read_time(js, t, flags, &w->end) == -1)
		return fail(w, SB_WM_END, why, whysz,
		    "'end' is not an RFC 3339 time");
	if (w->end <= w->start || w->end - w->start > WEEK_MS)
		return fail(w, SB_WM_END, why, whysz,
		    "'end' is not within a week after 'start'");
	w->has |= SB_WH_END;
	w->width = w->end - w->start;
	return 0;
}

/* count, errors, client_errors, late, bytes_n. */
static int
check_counts(struct sb_window *w, const struct sb_json *js, int flags,
    char *why, size_t whysz)
{
	int merge = flags & SB_WIN_MERGE_WORDS;
	long t;

	if ((t = w->tok[SB_WM_COUNT]) < 0) {
		if (flags & SB_WIN_SPARSE)
			return 0;
		return fail(w, SB_WM_COUNT, why, whysz, "missing 'count'");
	}
	if (read_count(js, t, &w->count) == -1)
		return bad_count(w, SB_WM_COUNT, flags, why, whysz);
	w->has |= SB_WH_COUNT | SB_WH_ERRORS;
	if ((t = w->tok[SB_WM_ERRORS]) < 0)
		return fail(w, SB_WM_ERRORS, why, whysz, "missing 'errors'");
	if (read_count(js, t, &w->errors) == -1 ||
	    (!merge && w->errors > w->count))
		return fail(w, SB_WM_ERRORS, why, whysz, "%s", merge ?
		    "'errors' is not a count" :
		    "'errors' is not an integer in 0..count");
	if (flags & SB_WIN_SPARSE)
		return 0;
	if ((t = w->tok[SB_WM_CLIENT_ERRORS]) < 0)
		return fail(w, SB_WM_CLIENT_ERRORS, why, whysz,
		    "missing 'client_errors'");
	if (read_count(js, t, &w->client_errors) == -1)
		return bad_count(w, SB_WM_CLIENT_ERRORS, flags, why, whysz);
	if (opt_count(w, js, SB_WM_LATE, flags, &w->late, why, whysz) == -1)
		return -1;
	/* Both are at most INT64_MAX: their sum fits. */
	if ((uint64_t)w->errors + (uint64_t)w->client_errors >
	    (uint64_t)w->count)
		return fail(w, SB_WM_CLIENT_ERRORS, why, whysz,
		    "'errors' and 'client_errors' exceed 'count'");
	return opt_count(w, js, SB_WM_BYTES_N, flags, &w->bytes_n, why, whysz);
}

/* detect's check: names status codes, values numbers without a minus. */
static int
check_any_codes(struct sb_window *w, const struct sb_json *js, long t,
    char *why, size_t whysz)
{
	if (js->tok[t].type == SB_JOBJECT) {
		size_t k;

		for (k = (size_t)t + 1; k < js->tok[t].skip;
		    k = js->tok[k + 1].skip)
			/* A JSON number without a minus: a count (no strtod). */
			if (sb_status_name(js, k) == -1 ||
			    js->tok[k + 1].type != SB_JNUMBER ||
			    js->src[js->tok[k + 1].start] == '-')
				break;
		if (k == js->tok[t].skip)
			return 0;
	}
	return fail(w, SB_WM_CODES, why, whysz, "'codes' is not an object of "
	    "status codes and counts");
}

static int
check_codes(struct sb_window *w, const struct sb_json *js, int flags,
    char *why, size_t whysz)
{
	long t = w->tok[SB_WM_CODES];
	uint64_t sum[2] = { 0, 0 };
	int64_t v;
	int code;

	w->codes = -1;
	if (t < 0 || js->tok[t].type == SB_JNULL)
		return 0;
	if (flags & SB_WIN_ANY_CODES) {
		if (check_any_codes(w, js, t, why, whysz) == -1)
			return -1;
		w->codes = t;
		return 0;
	}
	if (js->tok[t].type != SB_JOBJECT)
		return fail(w, SB_WM_CODES, why, whysz,
		    "'codes' is not an object");
	for (size_t k = (size_t)t + 1; k < js->tok[t].skip;
	    k = js->tok[k + 1].skip) {
		const struct sb_jtok *name = &js->tok[k];

		if ((code = sb_status_name(js, k)) < 400)
			return fail(w, SB_WM_CODES, why, whysz, "'codes' holds "
			    "'%.*s', not a status code in 400..599",
			    (int)(name->end - name->start > 20 ? 20 :
			    name->end - name->start), js->src + name->start);
		if (read_count(js, (long)k + 1, &v) == -1)
			return fail(w, SB_WM_CODES, why, whysz,
			    "'codes.%d' is not a count", code);
		/* Saturating: three codes of INT64_MAX would wrap. */
		sum[code >= 500] = (uint64_t)v > UINT64_MAX - sum[code >= 500] ?
		    UINT64_MAX : sum[code >= 500] + (uint64_t)v;
	}
	if (!(flags & SB_WIN_SPARSE) && (sum[1] > (uint64_t)w->errors ||
	    sum[0] > (uint64_t)w->client_errors))
		return fail(w, SB_WM_CODES, why, whysz, "'codes' count more "
		    "than 'errors' or 'client_errors'");
	w->codes = t;
	return 0;
}

/* bytes_sum, bytes_n against count, partial. */
static int
check_tail(struct sb_window *w, const struct sb_json *js, char *why,
    size_t whysz)
{
	long t = w->tok[SB_WM_BYTES_SUM];

	if (t >= 0 && (sb_json_number(js, (size_t)t, &w->bytes_sum) == -1 ||
	    w->bytes_sum < 0))
		return fail(w, SB_WM_BYTES_SUM, why, whysz,
		    "'bytes_sum' is not a number >= 0");
	if (w->bytes_n > w->count)
		return fail(w, SB_WM_BYTES_N, why, whysz,
		    "'bytes_n' exceeds 'count'");
	t = w->tok[SB_WM_PARTIAL];
	w->partial = t >= 0 && js->tok[t].type == SB_JTRUE;
	return 0;
}

/* A number member, if it is one. */
static int
listed_num(const struct sb_window *w, const struct sb_json *js, int m,
    double *v)
{
	return w->tok[m] >= 0 && sb_json_number(js, (size_t)w->tok[m], v) == 0;
}

/* SB_WIN_LISTING: key and start checked, the rest taken if usable. */
static void
read_listed(struct sb_window *w, const struct sb_json *js, int flags)
{
	if (listed_num(w, js, SB_WM_WIDTH, &w->width_s))
		w->has |= SB_WH_WIDTH;
	if (w->tok[SB_WM_END] >= 0 &&
	    read_time(js, w->tok[SB_WM_END], flags, &w->end) == 0)
		w->has |= SB_WH_END;
	if (listed_num(w, js, SB_WM_COUNT, &w->fcount))
		w->has |= SB_WH_COUNT;
	if (listed_num(w, js, SB_WM_ERRORS, &w->ferrors))
		w->has |= SB_WH_ERRORS;
}

int
sb_window_check(struct sb_window *w, const struct sb_json *js, int flags,
    char *why, size_t whysz)
{
	long t;

	/* Everything but tok[], which the scan filled. */
	memset((char *)w + offsetof(struct sb_window, has), 0,
	    sizeof *w - offsetof(struct sb_window, has));
	w->key = w->service = w->method = w->endpoint = w->codes = -1;
	w->bad = -1;
	if ((t = w->tok[SB_WM_KEY]) < 0)
		return fail(w, SB_WM_KEY, why, whysz, "missing 'key'");
	if (js->tok[t].type != SB_JSTRING)
		return fail(w, SB_WM_KEY, why, whysz, "'key' is not a string");
	w->key = t;
	if (!(flags & SB_WIN_LISTING) &&
	    check_labels(w, js, flags, why, whysz) == -1)
		return -1;
	if ((t = w->tok[SB_WM_START]) < 0)
		return fail(w, SB_WM_START, why, whysz, "%s",
		    (flags & SB_WIN_MERGE_WORDS) ?
		    "'start' is not an RFC 3339 time" : "missing 'start'");
	if (read_time(js, t, flags, &w->start) == -1)
		return fail(w, SB_WM_START, why, whysz,
		    "'start' is not an RFC 3339 time");
	if (flags & SB_WIN_LISTING) {
		read_listed(w, js, flags);
		return 0;
	}
	if (check_width(w, js, flags, why, whysz) == -1 ||
	    check_counts(w, js, flags, why, whysz) == -1 ||
	    check_codes(w, js, flags, why, whysz) == -1)
		return -1;
	if (flags & SB_WIN_SPARSE)
		return 0;
	return check_tail(w, js, why, whysz);
}

int
sb_window_read(struct sb_window *w, const struct sb_json *js, size_t obj,
    int flags, char *why, size_t whysz)
{
	if (obj >= js->ntok || js->tok[obj].type != SB_JOBJECT) {
		memset(w, 0, sizeof *w);
		return fail(w, -1, why, whysz, "not an object");
	}
	sb_window_scan(w, js, obj);
	return sb_window_check(w, js, flags, why, whysz);
}

int
sb_window_code_next(const struct sb_window *w, const struct sb_json *js,
    size_t *it, int *code, uint64_t *n)
{
	int64_t v;

	if (w->codes < 0)
		return 0;
	if (*it == 0)
		*it = (size_t)w->codes + 1;
	if (*it >= js->tok[w->codes].skip)
		return 0;
	*code = sb_status_name(js, *it);
	*n = sb_json_int(js, *it + 1, &v) == 0 && v >= 0 ? (uint64_t)v : 0;
	*it = js->tok[*it + 1].skip;
	return 1;
}

const char *
sb_window_time_name(int rank)
{
	return rank == 0 ? member_name[SB_WM_START] : NULL;
}
