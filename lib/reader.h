/*
 * reader.h - the one JSONL reader, and bad-line reporting.
 *
 * A reader yields the lines of one input (a file, or stdin for "-") with
 * their line numbers, without the newline (and without a trailing CR).
 * Blank lines are skipped.  A line longer than max_line bytes is reported
 * and skipped without being held in memory, so memory stays bounded
 * whatever the input.  A last line without a newline is still returned:
 * a truncated record then fails to parse and is reported like any other.
 *
 * Every tool reports a bad line the same way, through sb_reader_bad():
 *
 *	aggregate: events.jsonl:42: 'latency_ms' is not a number
 *
 * Reports are rate-limited (a burst of 20, then one a second, with a
 * count of what was suppressed) and every bad line is counted; at exit
 * sb_reader_summary() prints the totals if anything was bad.  With strict
 * set, the first bad line is fatal: sb_reader_bad() returns -1 and the
 * tool exits 1.
 *
 *	struct sb_reader r;
 *	char *line;
 *	size_t len;
 *	int rc;
 *
 *	if (sb_reader_open(&r, "-") == -1)
 *		err(1, "stdin");
 *	while ((rc = sb_reader_next(&r, &line, &len, -1)) == SB_READ_LINE)
 *		...;
 *	if (rc == SB_READ_ERROR)
 *		exit(1);
 *	sb_reader_close(&r);
 *
 * The line returned belongs to the reader and is valid until the next call.
 */
#ifndef SB_READER_H
#define SB_READER_H

#include <stddef.h>
#include <stdint.h>

#define SB_READ_LINE	 1
#define SB_READ_EOF	 0	/* end of input, or a stop was requested */
#define SB_READ_ERROR	-1	/* I/O error or strict bad line; already reported */
#define SB_READ_TIMEOUT	-2	/* no complete line within timeout_ms */

#define SB_MAX_LINE_DEFAULT	(1024 * 1024)

struct sb_reader {
	const char	*name;		/* "stdin" or the path, for messages */
	int		 fd;
	char		*buf;
	size_t		 cap;
	size_t		 start;		/* first unconsumed byte */
	size_t		 end;		/* one past the last byte read */
	size_t		 scan;		/* bytes from start already known newline-free */
	int		 eof;
	int		 skipping;	/* discarding the rest of an overlong line */
	uint64_t	 lineno;	/* number of the line last returned */
	size_t		 max_line;
	int		 strict;
};

/*
 * The main loop every filter shares: sb_input_run() reads the operands in
 * order (stdin when argc is 0, and for "-"), hands each line to line(),
 * calls idle() when no complete line came within idle_ms (if >= 0), and
 * after each of those writes out (if set) and calls after() (if set).
 * An operand that cannot be opened is reported and skipped; a line() that
 * returns -1 (a bad line under --strict) or a read error stops the loop.
 * Returns 0, or 1 if anything failed, or if lines were reported bad and
 * not one line was usable (line() returned 0 without reporting it).
 * A stop signal ends it as EOF does.
 */
struct sb_input {
	size_t		 max_line;	/* 0: SB_MAX_LINE_DEFAULT */
	int		 strict;
	int		 idle_ms;	/* < 0: never idle */
	int		(*line)(void *ctx, struct sb_reader *, char *, size_t);
	void		(*idle)(void *ctx);
	void		(*after)(void *ctx);
	struct sb_buf	*out;		/* if set: sb_out() before after() */
	void		*ctx;
};

int	 sb_input_run(const struct sb_input *, int argc, char **argv);

/*
 * A filter's standard output, fully buffered in 64 KiB (the reader
 * flushes it before it waits, so nothing lingers).  sb_out_init() at
 * start; sb_out() writes a tool's record buffer and empties it, after
 * each line (struct sb_input's out does it); sb_out_end() writes the rest
 * and flushes at exit.  A failed write is fatal, as a failed allocation
 * is: "TOOL: stdout: reason" and exit 1.
 */
struct sb_buf;
void	 sb_out_init(void);
void	 sb_out(struct sb_buf *);
void	 sb_out_end(struct sb_buf *);
/*
 * sb_out() and a flush, waiting for the reader: before a checkpoint that
 * says these records were written, so that a kill -9 after it cannot
 * lose them.  0, or -1 when the reader has gone (nothing more will reach
 * it: the caller should not claim it did).
 */
int	 sb_out_flush(struct sb_buf *);

/* Global counters shared by every reader of the process. */
struct sb_input_stats {
	uint64_t	 lines;		/* lines read, bad ones included */
	uint64_t	 bad;		/* lines reported and skipped */
	uint64_t	 suppressed;	/* reports not printed, rate limit */
};
extern struct sb_input_stats sb_input_stats;

/*
 * A task of the process on the wall clock (lib/metrics.c writes its file
 * so): the reader calls tick() before each read(2), and while it waits
 * for input it wakes when the ms that tick() returned have passed, so the
 * task runs on time even when the input is quiet.  NULL: none.
 */
void	 sb_reader_tick(int (*tick)(void));

/* 0, or -1 with errno set (nothing printed). */
int	 sb_reader_open(struct sb_reader *, const char *path);
/* Reads the lines of data[0..len) (copied), named name in messages. */
void	 sb_reader_open_mem(struct sb_reader *, const char *name,
	    const char *data, size_t len);
void	 sb_reader_close(struct sb_reader *);
/* timeout_ms < 0 waits for ever; see SB_READ_* for the results. */
int	 sb_reader_next(struct sb_reader *, char **line, size_t *len,
	    int timeout_ms);
/* Reports the current line as bad; -1 if strict (the tool then exits 1). */
int	 sb_reader_bad(struct sb_reader *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* Same rate-limited "TOOL: FILE:LINE: ..." report for a line that is not
 * bad but worth a word (a late event); neither counted nor fatal. */
void	 sb_reader_note(struct sb_reader *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* "aggregate: 3 bad lines skipped of 1200 read" when any line was bad. */
void	 sb_reader_summary(void);

#endif
