/*
 * det_traffic.c - traffic: a quasi-Poisson test of the request count
 * against its expectation, up (surge) and down (drop), m of n windows.
 */
#include "detector.h"

struct traffic_state {
	struct det	 d[2];		/* up, down */
};

static int
traffic_watches(const struct metric_def *def)
{
	return def->kind == MK_COUNT;
}

static void
traffic_update(const struct dctx *x, void *st)
{
	const struct model_config *c = x->c;
	const struct obs *o = x->o;
	int64_t at = o->start + o->width;
	double lam = max_d(x->e, 0), v = (double)o->count, phi, band;
	uint32_t mask = (1u << c->traffic_n) - 1;

	phi = lam > 0 ? max_d(1, x->sd * x->sd / lam) : 1;
	band = 2 * sqrt(lam * phi);	/* inside it p > clear_p: skip */
	for (int dir = 0; dir < 2; dir++) {
		struct det *d = &((struct traffic_state *)st)->d[dir];
		double p = 1;
		int s;

		if (!dir && v > lam + band)
			p = poisson_upper(v / phi, lam / phi);
		else if (dir && v < lam - band)
			p = poisson_lower(v / phi, lam / phi);
		d->hist = ((d->hist << 1) | (p < c->traffic_p)) & 0xffffu;
		s = det_step(c, d, popcount(d->hist & mask) >= c->traffic_m,
		    p < c->clear_p, at - oldest_bit(d->hist, c->traffic_n) *
		    o->width);
		if (s) {
			struct signal *g = sig_new(x, SB_FAM_TRAFFIC, dir, s,
			    d->since);
			g->value = v;
			g->baseline = lam;
			g->expected = lam;
			g->spread = band / 2;
			g->dispersion = phi;
			g->p_value = p;
			g->score = -log10(fmax(p, 1e-300));
		}
	}
}

static int
traffic_active(const void *st)
{
	const struct traffic_state *t = st;

	return t->d[0].active || t->d[1].active;
}

static const struct dmember traffic_members[] = {
	DM_STRUCT("up", struct traffic_state, d[0], det_members),
	DM_STRUCT("down", struct traffic_state, d[1], det_members),
};

static void
traffic_legacy(const struct metric_def *def, void *st,
    const struct legacy_state *l)
{
	struct traffic_state *t = st;

	(void)def;
	det_legacy(&t->d[0], l->det[0][0]);
	det_legacy(&t->d[1], l->det[0][1]);
}

const struct detector traffic_detector = {
	.name = "traffic",
	.size = sizeof(struct traffic_state),
	.watches = traffic_watches,
	.update = traffic_update,
	.active = traffic_active,
	.members = traffic_members,
	.nmembers = 2,
	.legacy = traffic_legacy,
};
