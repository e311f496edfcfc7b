/*
 * det_errcusum.c - cusum on errors: the error excess accumulated, a
 * CUSUM up over the variance-stabilised count of errors of each window,
 * z = count_z(errors, count p0), p0 as the binomial detector's.
 */
#include "detector.h"

struct errcusum_state {
	struct cusum	 cu;
};

static int
errcusum_watches(const struct metric_def *def)
{
	return def->kind == MK_ERRORS;
}

static void
errcusum_update(const struct dctx *x, void *st)
{
	const struct model_config *c = x->c;
	const struct obs *o = x->o;
	struct cusum *cu = &((struct errcusum_state *)st)->cu;
	double p0 = error_p0(c, x->m), ex = (double)o->count * p0;
	int s;

	s = cusum_step(c, cu, count_z((double)o->errors, ex), o->start,
	    c->err_cusum_k, c->err_cusum_clip);
	if (s) {
		struct signal *g = sig_new(x, SB_FAM_DRIFT, 0, s, cu->since);
		g->value = o->count > 0 ?
		    (double)o->errors / (double)o->count : 0;
		g->baseline = p0;
		g->spread = o->count > 0 ?
		    sqrt(p0 * (1 - p0) / (double)o->count) : NAN;
		g->score = cu->cus;
		g->expected = ex;
		g->count = (double)o->count;
		g->errors = (double)o->errors;
	}
}

static int
errcusum_active(const void *st)
{
	return ((const struct errcusum_state *)st)->cu.active;
}

static const struct dmember errcusum_members[] = {
	DM_STRUCT("up", struct errcusum_state, cu, cusum_members),
};

static void
errcusum_legacy(const struct metric_def *def, void *st,
    const struct legacy_state *l)
{
	(void)def;
	cusum_legacy(&((struct errcusum_state *)st)->cu, l->det[1][0]);
}

const struct detector errcusum_detector = {
	.name = "error_cusum",
	.size = sizeof(struct errcusum_state),
	.watches = errcusum_watches,
	.update = errcusum_update,
	.active = errcusum_active,
	.members = errcusum_members,
	.nmembers = 1,
	.legacy = errcusum_legacy,
};
