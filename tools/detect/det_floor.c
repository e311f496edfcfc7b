/*
 * det_floor.c - floor: an error rate or a latency that is never normal,
 * whatever the baseline has learned (an endpoint broken from its first
 * minute would otherwise teach it that failing is normal).  The error
 * rate and the median and p95 latency, in windows of at least min_count
 * requests, are compared with the key's floors; two windows in a row at
 * or above fire the detector, which needs no warm-up and stays active
 * while the windows stay there.  Windows at or above a floor are not
 * learned (holds()).
 */
#include "detector.h"

struct floor_state {
	struct det	 d;
};

static int
floor_watches(const struct metric_def *def)
{
	return def->kind == MK_ERRORS || (def->kind == MK_LOG && def->fast > 0);
}

static void
floor_update(const struct dctx *x, void *st)
{
	const struct model_config *c = x->c;
	const struct obs *o = x->o;
	struct det *d = &((struct floor_state *)st)->d;
	int i = x->i, errors = x->def->kind == MK_ERRORS, beyond = 0, s;
	double v = NAN;

	/* The window's value, once: the test and the signal use it. */
	if (o->has[i])
		v = errors ? (o->count > 0 ?
		    (double)o->errors / (double)o->count : 0) : o->x[i];
	if (o->has[i] && o->has_count && o->count >= c->min_count &&
	    o->count > 0)
		beyond = v >= (errors ? x->s->floor_err : x->s->floor_ms);
	d->hist = ((d->hist << 1) | (uint32_t)beyond) & 3u;
	s = det_step(c, d, d->hist == 3, beyond, o->start + o->width -
	    2 * o->width);
	if (s) {
		struct signal *g = sig_new(x, SB_FAM_FLOOR, 0, s, d->since);
		g->value = v;
		g->baseline = errors ? x->s->floor_err : x->s->floor_ms;
		g->spread = 0;
		g->score = g->value / g->baseline;
		if (o->has_count)
			g->count = (double)o->count;
	}
}

/*
 * Once the metric is warm, a latency window without an observation runs
 * the floor's clock a second time and a clearing is written as a novel
 * signal, as detect has always done (the floor shares the novelty
 * detector's slot of version 2's state); kept so that the signals do not
 * move.
 */
static void
floor_idle(const struct dctx *x, void *st, int dir)
{
	struct det *d = &((struct floor_state *)st)->d;

	if (dir == 0 && x->def->kind == MK_LOG && det_idle(x->c, d) == 2)
		sig_new(x, SB_FAM_NOVEL, 0, 2, d->since);
}

static int
floor_active(const void *st)
{
	return ((const struct floor_state *)st)->d.active;
}

/* Bit 0 of the history is this window: at or above the floor. */
static int
floor_holds(const struct dctx *x, const void *st)
{
	(void)x;
	return ((const struct floor_state *)st)->d.hist & 1u;
}

static const struct dmember floor_members[] = {
	DM_STRUCT("up", struct floor_state, d, det_members),
};

static void
floor_legacy(const struct metric_def *def, void *st,
    const struct legacy_state *l)
{
	(void)def;
	det_legacy(&((struct floor_state *)st)->d, l->det[2][0]);
}

const struct detector floor_detector = {
	.name = "floor",
	.size = sizeof(struct floor_state),
	.watches = floor_watches,
	.always = 1,
	.update = floor_update,
	.idle = floor_idle,
	.active = floor_active,
	.holds = floor_holds,
	.members = floor_members,
	.nmembers = 1,
	.legacy = floor_legacy,
};
