/*
 * det_errcusum.c - cusum on errors: the error excess accumulated, a
 * CUSUM up over the log-likelihood ratio of each window's errors, a
 * Poisson count at err_cusum_ratio times the baseline against one at the
 * baseline (p0 as the binomial detector's):
 *
 *	u = errors ln(ratio) - count p0 (ratio - 1)
 *
 * Page's CUSUM of the likelihood ratio is the quickest test of a rate
 * that rose by the ratio (Lorden's optimality); at low traffic, where a
 * window expects a fraction of an error, each error counts ln(ratio)
 * whatever the count, where a variance-stabilised z of so small a count
 * is neither normal nor sensitive.  It fires when the sum reaches
 * err_cusum_h nats (a likelihood ratio of e^10 by default: by Wald's
 * bound, at least 22,000 windows of normal traffic between two false
 * alarms); a window adds at most err_cusum_clip, so a minute of failures
 * cannot fire it alone.
 */
#include "detector.h"

struct errcusum_state {
	struct cusum	 cu;
	/* Since the sum last left 0: errors, requests, expected errors. */
	double		 run[3];
};

static int
errcusum_watches(const struct metric_def *def)
{
	return def->kind == MK_ERRORS;
}

/* cusum_step() counts in units of the shared cusum_h: nats to them. */
static void
errcusum_configure(struct model_config *c)
{
	c->err_cusum_lr = log(c->err_cusum_ratio);
	c->err_cusum_to_h = c->cusum_h / c->err_cusum_h;
	c->err_cusum_clip_h = c->err_cusum_to_h * c->err_cusum_clip;
}

static void
errcusum_update(const struct dctx *x, void *st)
{
	const struct model_config *c = x->c;
	const struct obs *o = x->o;
	struct errcusum_state *ec = st;
	struct cusum *cu = &ec->cu;
	double p0 = error_p0(c, x->m), ex = (double)o->count * p0;
	double to_h = c->err_cusum_to_h, prev = cu->cus;
	int s, was = cu->active;

	s = cusum_step(c, cu, to_h * ((double)o->errors * c->err_cusum_lr -
	    ex * (c->err_cusum_ratio - 1)), o->start, 0, c->err_cusum_clip_h);
	/*
	 * The signal reports the errors of the run the sum stands for, not
	 * of this window alone: a window without errors is no news while
	 * the excess of the run still holds the detector.
	 */
	if (!was && prev <= 0 && cu->cus > 0)
		memset(ec->run, 0, sizeof ec->run);
	if (was || cu->active || cu->cus > 0) {
		ec->run[0] += (double)o->errors;
		ec->run[1] += (double)o->count;
		ec->run[2] += ex;
	} else
		memset(ec->run, 0, sizeof ec->run);
	if (s) {
		struct signal *g = sig_new(x, SB_FAM_DRIFT, 0, s, cu->since);
		double n = ec->run[1];
		g->value = n > 0 ? ec->run[0] / n : 0;
		g->baseline = p0;
		g->spread = n > 0 ? sqrt(p0 * (1 - p0) / n) : NAN;
		g->score = cu->cus / to_h;	/* nats */
		g->expected = ec->run[2];
		g->count = n;
		g->errors = ec->run[0];
	}
}

static int
errcusum_active(const void *st)
{
	return ((const struct errcusum_state *)st)->cu.active;
}

static const struct dmember errcusum_members[] = {
	DM_STRUCT("up", struct errcusum_state, cu, cusum_members),
	DM_NUMBERS("run", struct errcusum_state, run, 3),
};

/*
 * Versions 1 and 2 summed z-scores, not likelihood ratios; both sums
 * step in units of cusum_h, so the old one is carried as the share of
 * the threshold it had reached, and an active CUSUM stays active.
 */
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
	.configure = errcusum_configure,
	.watches = errcusum_watches,
	.update = errcusum_update,
	.active = errcusum_active,
	.members = errcusum_members,
	.nmembers = 2,
	.legacy = errcusum_legacy,
};
