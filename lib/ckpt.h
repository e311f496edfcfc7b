/*
 * ckpt.h - checkpoint records in a stage: the stages of a worker on a
 * shard stream save their state where `store xread` says (a checkpoint
 * record), and a restarted worker's stages take it back (a resume
 * record), so that the worker goes on from its last committed checkpoint
 * instead of replaying its stream from the start (slowburn-records(5),
 * checkpoint; store(1), xread).
 *
 *	{"type":"checkpoint","stream":"ev:0","id":"1733...-0","seq":17}
 *	{"type":"checkpoint","stream":"ev:0","id":"1733...-0","seq":17,
 *	 "resume":true}
 *
 * A stage with --state calls sb_ckpt_record() for every record, before it
 * does anything with it, and sb_ckpt_end() at the end of its input.  Its
 * state is loaded then, not at start: on the first record, from
 * generation seq of a resume record (lib/state.h, sb_state_open_gen), or
 * from --state itself for any other record; a resume record of seq 0
 * means the start of the stream, and an empty state.  Each checkpoint
 * record saves generation seq, then goes on down the pipe as any other
 * record.  After
 * a load that failed (broken), the stage must not save its state: what it
 * holds is not what the location held.
 */
#ifndef SB_CKPT_H
#define SB_CKPT_H

#include <stdint.h>

#include "buf.h"
#include "json.h"
#include "reader.h"
#include "state.h"

struct sb_ckpt_stage {
	const char	*spec;		/* --state; NULL: records pass */
	void		*ctx;
	/* Load into, or save from, the stage's state: 0, or -1 reported. */
	int		(*load)(void *ctx, struct sb_state *);
	int		(*save)(void *ctx, struct sb_state *);
	/*
	 * The stage's output, flushed (sb_out_flush) before each save: what
	 * a saved state says was written must be down the pipe.  NULL: none.
	 */
	struct sb_buf	*out;
	int		 started;	/* the state is loaded */
	int		 broken;	/* a load failed: save nothing */
	uint64_t	 saved;		/* checkpoint records saved */
};

/*
 * Record obj of js, whose "type" is token type (-1: none): 1 if it is a
 * checkpoint record, handled; 0 if it is another, to handle as usual;
 * -1 on failure, reported with warnx() naming where (FILE:LINE).
 */
int	 sb_ckpt_record(struct sb_ckpt_stage *, const struct sb_json *js,
	    size_t obj, long type, const char *where);
/*
 * The same for a record read from in, named FILE:LINE in messages; cheap
 * for the records after the first that are not checkpoints (type -1:
 * the record has no "type", as an event).
 */
int	 sb_ckpt_line(struct sb_ckpt_stage *, const struct sb_json *js,
	    size_t obj, long type, const struct sb_reader *in);
/* The end of the input: the state, if no record loaded it. */
int	 sb_ckpt_end(struct sb_ckpt_stage *);

#endif
