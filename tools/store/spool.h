/*
 * spool.h - the journal of `store put --spool DIR`: batches that could
 * not be written to the backend, one file each, replayed oldest first.
 *
 * Files are DIR/NNNNNNNNNNNNNNNNNNNN.jsonl, the lines exactly as read,
 * written to a temporary name, fsync'ed and renamed, so a crash leaves
 * either a whole batch or none.  A lock file keeps a second `store put`
 * out of the same directory.  A file is removed only after its records
 * were written to the backend, so a crash between the two replays them
 * rather than losing them, and the store skips what it already has.
 */
#ifndef STORE_SPOOL_H
#define STORE_SPOOL_H

#include <stdint.h>

#include "store.h"

struct spool {
	char		*dir;
	int		 lockfd;
	uint64_t	 next;		/* number of the next file */
	uint64_t	 files;		/* files waiting */
	uint64_t	 records;	/* records written to it by this run */
};

/* 0, or -1 with a message in err. */
int	 spool_open(struct spool *, const char *dir, char *err, size_t errsz);
void	 spool_close(struct spool *);
/* Journals every line of the batch; 0, or -1 with errno set. */
int	 spool_write(struct spool *, const struct sb_store_batch *);
/*
 * Writes the waiting files to the store, oldest first.  0 when none is
 * left, -1 when the store failed (sb_store_error() says why) or a file
 * could not be read (reported).  *replayed counts the records written.
 */
int	 spool_replay(struct spool *, struct sb_store *, uint64_t *replayed);

#endif
