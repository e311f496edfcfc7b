/*
 * merge.h - aggregate --merge: window records carrying sketches in,
 * one exact window per series, start and width out.
 *
 * Partial windows of one series computed on several machines (aggregate
 * --emit-sketch on each) merge exactly: counts add, sketches merge bucket
 * by bucket, so the merged percentiles are those of the union of the
 * events.  Input may come in any order (cat host1 host2 | ...), so every
 * window is held until the end of the input and then written in the order
 * aggregate writes them: by end time, width and key.
 */
#ifndef MERGE_H
#define MERGE_H

#include <stddef.h>

#include "buf.h"
#include "json.h"

struct merge;

struct merge	*merge_new(void);
void		 merge_free(struct merge *);
/* Adds one window record (token 0 of js); -1 with a message in err. */
int		 merge_add(struct merge *, const struct sb_json *, char *err,
		    size_t errsz);
/* Writes the merged windows, with their sketches when asked. */
void		 merge_finish(struct merge *, int with_sketch, struct sb_buf *out);

/*
 * --state (aggstate.h): merge_save() appends one "part" line per window
 * held, in the order they came, so that a merge loaded from them adds up
 * in the same order to the same bits; merge_load() reads one back (token
 * 0 of js), -1 with a message in err.  merge_finish() empties the merge.
 */
void		 merge_save(const struct merge *, struct sb_buf *out);
int		 merge_load(struct merge *, const struct sb_json *, char *err,
		    size_t errsz);

#endif
