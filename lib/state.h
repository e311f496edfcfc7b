/*
 * state.h - where a tool keeps what must outlive it (--state): detector
 * baselines, open incidents.
 *
 * A state location is either a file name, replaced atomically on every
 * save (lib/file.h), or "store:NAME": the key NAME in the key-value state
 * area of the storage backend that the environment configures
 * (STORAGE_BACKEND and friends, lib/store.h), so that a tool restarted on
 * another machine finds its state where the data is.  With the memory
 * backend such state lives only as long as the process.
 *
 *	struct sb_state *st = sb_state_open("store:detect", err, sizeof err);
 *	struct sb_buf b = SB_BUF_INIT;
 *
 *	switch (sb_state_load(st, &b)) {
 *	case 1:	... parse b ...; break;
 *	case 0:	... first run ...; break;
 *	default: errx(1, "%s", sb_state_error(st));
 *	}
 *	...
 *	if (sb_state_save(st, data, len) == -1)
 *		warnx("%s", sb_state_error(st));
 *	sb_state_close(st);
 */
#ifndef SB_STATE_H
#define SB_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

struct sb_state;

/* NULL with a message in err if spec names a backend that cannot open. */
struct sb_state	*sb_state_open(const char *spec, char *err, size_t errsz);
void		 sb_state_close(struct sb_state *);
/* 1 and the saved bytes appended to out; 0 when nothing was saved yet. */
int		 sb_state_load(struct sb_state *, struct sb_buf *out);
int		 sb_state_save(struct sb_state *, const void *, size_t);
/*
 * Generation seq of the state at spec, for a stage's checkpoints
 * (slowburn-records(5), checkpoint): kept beside it, at spec ".ck0" or
 * ".ck1" (seq modulo 2), so that a stage one checkpoint ahead of the one
 * committed still has the committed one.  Its save writes the line
 * {"checkpoint":seq} before the bytes; its load gives the bytes after it
 * (1), or fails (-1) when that generation was never saved or has been
 * overwritten by another.
 */
struct sb_state	*sb_state_open_gen(const char *spec, uint64_t seq, char *err,
		    size_t errsz);
/* Why the last call failed, naming the location. */
const char	*sb_state_error(const struct sb_state *);
/* The file name, or "store:NAME": for messages such as FILE:LINE. */
const char	*sb_state_name(const struct sb_state *);

#endif
