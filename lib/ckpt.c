/*
 * ckpt.c - checkpoint records in a stage; see ckpt.h.
 */
#include <err.h>
#include <stdio.h>

#include "ckpt.h"

/* Opens spec (gen: generation seq of it) and runs fn on it. */
static int
with_state(struct sb_ckpt_stage *c, int gen, uint64_t seq,
    int (*fn)(void *, struct sb_state *), const char *where)
{
	struct sb_state *st;
	char why[512];
	int rc;

	st = gen ? sb_state_open_gen(c->spec, seq, why, sizeof why) :
	    sb_state_open(c->spec, why, sizeof why);
	if (st == NULL) {
		warnx("%s%s%s", where != NULL ? where : "",
		    where != NULL ? ": " : "", why);
		c->broken |= fn == c->load;
		return -1;
	}
	if ((rc = fn(c->ctx, st)) == -1 && fn == c->load)
		c->broken = 1;
	sb_state_close(st);
	return rc;
}

int
sb_ckpt_record(struct sb_ckpt_stage *c, const struct sb_json *js, size_t obj,
    long type, const char *where)
{
	int64_t seq;
	long t;
	int resume;

	if (type < 0 || !sb_json_streq(js, (size_t)type, "checkpoint")) {
		if (c->spec == NULL || c->started)
			return 0;
		c->started = 1;
		return with_state(c, 0, 0, c->load, NULL) == -1 ? -1 : 0;
	}
	if (c->spec == NULL)
		return 1;
	t = sb_json_member(js, obj, "seq");
	if (t < 0 || sb_json_int(js, (size_t)t, &seq) != 0 || seq < 0) {
		warnx("%s: a checkpoint record without a \"seq\" >= 0", where);
		return -1;
	}
	t = sb_json_member(js, obj, "resume");
	resume = t >= 0 && js->tok[t].type == SB_JTRUE;
	if (resume) {
		if (c->started) {
			warnx("%s: a resume checkpoint that is not the first "
			    "record", where);
			return -1;
		}
		c->started = 1;
		if (seq == 0)
			return 1;	/* from the start of the stream: empty */
		return with_state(c, 1, (uint64_t)seq, c->load, where) == -1 ?
		    -1 : 1;
	}
	if (!c->started) {
		c->started = 1;
		if (with_state(c, 0, 0, c->load, NULL) == -1)
			return -1;
	}
	if ((c->out != NULL && sb_out_flush(c->out) != 0) ||
	    with_state(c, 1, (uint64_t)seq, c->save, where) == -1)
		return -1;
	c->saved++;
	return 1;
}

int
sb_ckpt_line(struct sb_ckpt_stage *c, const struct sb_json *js, size_t obj,
    long type, const struct sb_reader *in)
{
	char where[300];

	/* After the first record, only a checkpoint costs more than this. */
	if (c->spec == NULL || (c->started && (type < 0 ||
	    !sb_json_streq(js, (size_t)type, "checkpoint"))))
		return 0;
	snprintf(where, sizeof where, "%s:%llu", in->name,
	    (unsigned long long)in->lineno);
	return sb_ckpt_record(c, js, obj, type, where);
}

int
sb_ckpt_end(struct sb_ckpt_stage *c)
{
	if (c->spec == NULL || c->started)
		return 0;
	c->started = 1;
	return with_state(c, 0, 0, c->load, NULL);
}
