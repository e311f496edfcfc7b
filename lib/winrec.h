/*
 * winrec.h - window records (slowburn-records(5), window; aggregate(1),
 * OUTPUT) read into a struct, once, for every tool that reads them:
 * detect(1), aggregate(1) --merge and dashboard(1).
 *
 * Reading is two steps, which sb_window_read() takes together.
 * sb_window_scan() finds the record's top-level members in one pass over
 * its names (a repeated name: the last one wins, as in sb_json_member()),
 * so that a filter reading a million windows a second pays for each name
 * once; sb_window_check() then reads and checks what was found.  A caller
 * that must see "type" before it knows the record is a window (detect)
 * scans every record and checks only the windows.
 *
 * By default a window is read as strictly as the strictest tool read it
 * before, which is what slowburn-records(5) describes:
 *
 *	key			a string
 *	service, method, endpoint	strings, when present
 *	start			an RFC 3339 time (a string without escapes)
 *	width_s			a number of seconds in 0.001..604800 (a week)
 *	count, errors, client_errors	integers >= 0, errors at most count,
 *				errors + client_errors at most count
 *	late, bytes_n		integers >= 0 when present; bytes_n at most count
 *	bytes_sum		a number >= 0 when present
 *	codes			null, or an object whose names are status codes
 *				in 400..599 and whose values integers >= 0, the
 *				5xx ones adding up to at most errors and the 4xx
 *				ones to at most client_errors
 *	partial			true, or anything else for false
 *
 * and the faults are checked in that order.  "latency_ms" and "sketch"
 * are found, not read: their readers are the caller's (detect's --metric
 * paths, lib/sketch).  "end" is read only under SB_WIN_END or
 * SB_WIN_LISTING.  The SB_WIN_* flags below keep the leniency that each
 * tool had, and documents in its page, so that no tool's output changed
 * when this reader replaced theirs:
 *
 *	detect(1)		SB_WIN_EPOCH | SB_WIN_END | SB_WIN_SPARSE |
 *				SB_WIN_LOOSE_LABELS | SB_WIN_ANY_CODES
 *	aggregate(1) --merge	SB_WIN_YEAR | SB_WIN_MERGE_WORDS
 *	dashboard(1)		SB_WIN_LISTING | SB_WIN_EPOCH
 *
 * A struct sb_window borrows: its tokens index the struct sb_json it was
 * read from, which must outlive it.  It owns nothing, so there is nothing
 * to free, and reading allocates nothing (but an escaped time under
 * SB_WIN_LISTING, freed at once).  Nothing here exits.
 */
#ifndef SB_WINREC_H
#define SB_WINREC_H

#include <stddef.h>
#include <stdint.h>

#include "json.h"

/* The members a window may have, in the order aggregate writes them. */
enum sb_wmember { SB_WM_TYPE, SB_WM_KEY, SB_WM_SERVICE, SB_WM_METHOD,
	SB_WM_ENDPOINT, SB_WM_START, SB_WM_END, SB_WM_WIDTH, SB_WM_COUNT,
	SB_WM_ERRORS, SB_WM_CLIENT_ERRORS, SB_WM_CODES, SB_WM_LATENCY,
	SB_WM_LATE, SB_WM_PARTIAL, SB_WM_BYTES_N, SB_WM_BYTES_SUM,
	SB_WM_SKETCH, SB_WM_N };

/* What was read (bits of struct sb_window's has). */
#define SB_WH_WIDTH	0x01	/* width_s */
#define SB_WH_END	0x02	/* end (SB_WIN_END without width_s, or LISTING) */
#define SB_WH_COUNT	0x04	/* count (and errors, but under LISTING) */
#define SB_WH_ERRORS	0x08	/* errors */

struct sb_window {
	long		 tok[SB_WM_N];	/* sb_window_scan(): each member's
					   value token, -1 when absent */
	/* The rest is sb_window_check()'s, zero for what it did not read. */
	unsigned	 has;		/* SB_WH_* */
	long		 key;		/* a string token */
	long		 service, method, endpoint;	/* string tokens, or -1 */
	int64_t		 start;		/* ms since the epoch */
	int64_t		 width;		/* ms: width_s * 1000 rounded, or
					   end - start; 0 under LISTING */
	double		 width_s;	/* as written (SB_WH_WIDTH) */
	int64_t		 end;		/* SB_WH_END */
	int64_t		 count, errors, client_errors;
	int64_t		 late, bytes_n;	/* 0 when absent */
	double		 bytes_sum;	/* 0 when absent */
	double		 fcount, ferrors;	/* LISTING: any finite numbers */
	long		 codes;		/* a checked object, or -1 (absent, null) */
	int		 partial;	/* "partial":true */
	int		 bad;		/* after a fault: the SB_WM_* member */
};

/* Flags of sb_window_check() and sb_window_read(). */
#define SB_WIN_EPOCH	0x01	/* start and end may be epoch numbers
				   (seconds; detect(1), dashboard(1)) */
#define SB_WIN_END	0x02	/* without width_s, the width is end - start,
				   within a week (detect(1)) */
#define SB_WIN_SPARSE	0x04	/* count may be absent, and errors with it;
				   client_errors, late, bytes_n, bytes_sum and
				   partial are not read: a window of --metric
				   values (detect(1)) */
#define SB_WIN_LOOSE_LABELS 0x08 /* service, method or endpoint of another
				   type is taken as absent (detect(1) copies
				   them into signals when they are strings) */
#define SB_WIN_ANY_CODES 0x10	/* codes may name any status code 100..599
				   with any number >= 0, unchecked against the
				   counts, and every fault of it has one
				   message (detect(1)) */
#define SB_WIN_YEAR	0x20	/* width_s up to 366 days (aggregate --merge) */
#define SB_WIN_MERGE_WORDS 0x40	/* aggregate --merge's messages, and errors
				   not above count checked only as part of
				   errors + client_errors, as it did */
#define SB_WIN_LISTING	0x80	/* the dashboard's listing: only key and start
				   must be right (start may be an escaped
				   string); width_s, end, count and errors are
				   read when they are a number or a time, as
				   any finite number (count and errors into
				   fcount and ferrors), and taken as absent
				   otherwise; nothing else is read */

/* The SB_WM_ index of the member called name, or -1. */
int	 sb_window_member(const char *name);
/* Finds the members of object obj of js into w->tok. */
void	 sb_window_scan(struct sb_window *w, const struct sb_json *js,
	    size_t obj);
/*
 * Reads and checks the members sb_window_scan() found.  0 on success;
 * -1 with a message such as "missing 'key'" in why and the member at
 * fault in w->bad.  The members read before the fault stay read.
 */
int	 sb_window_check(struct sb_window *w, const struct sb_json *js,
	    int flags, char *why, size_t whysz);
/* Both; -1 with "not an object" when obj is not one. */
int	 sb_window_read(struct sb_window *w, const struct sb_json *js,
	    size_t obj, int flags, char *why, size_t whysz);

/*
 * The next status code of a window's checked "codes" (read without
 * SB_WIN_ANY_CODES): 1 with *code and *n, 0 past the last.  *it starts
 * at 0.
 */
int	 sb_window_code_next(const struct sb_window *w,
	    const struct sb_json *js, size_t *it, int *code, uint64_t *n);

/*
 * The member that places a window in time, "start", for rank 0; NULL
 * past it (lib/record.c, for stores).  A static string.
 */
const char	*sb_window_time_name(int rank);

#endif
