/*
 * det_level.c - level (a sustained level shift, m of n windows, with the
 * fast and step rules of latency) and cusum (drift), both directions,
 * for MK_LOG and MK_RAW metrics, weighed against the series' own tails.
 * One detector: the two share the tails and take turns by direction,
 * and the order of their signals is part of detect's output.
 */
#include "detector.h"

/*
 * The tail of one direction of a metric's z-scores: excursions beyond
 * TAIL_U spreads (runs of windows), counted and summed by their peaks,
 * all decayed per window.
 */
struct tail {
	double		 e;		/* excursions */
	double		 w;		/* windows */
	double		 x;		/* the peaks' excess over TAIL_U */
	double		 peak;		/* this excursion's, 0 outside one */
};

struct level_state {
	struct det	 lv[2];		/* up, down */
	struct cusum	 cu[2];
	struct tail	 tail[2];
};

static int
level_watches(const struct metric_def *def)
{
	return def->kind == MK_LOG || def->kind == MK_RAW;
}

/*
 * The series' own tail.  A z-score is a distance in spreads, and what a
 * distance means depends on the series: on a quiet one 4 spreads is
 * rare, on a spiky one (bursts of CPU, a heavy-tailed latency) it comes
 * every hour.  So each direction counts its excursions, runs of windows
 * beyond TAIL_U spreads, and their peaks, and models the tail beyond
 * TAIL_U as exponential (peaks over a threshold with the Generalised
 * Pareto shape 0, as SPOT does): an excursion starts with probability
 * r per window and its peak exceeds TAIL_U + t with probability
 * e^(-t / m), m the mean excess.  The z that one window in 1 / tail_q
 * reaches is then
 *	z* = TAIL_U + m ln(r / tail_q),
 * and the detectors see z / max(1, z* / z*0), z*0 that of a normal
 * series (the priors: TAIL_P0 and TAIL_M0, worth TAIL_W0 windows and
 * TAIL_K0 excursions, so that a young series is taken for normal).  On
 * normal noise the factor is 1 and nothing changes.  An excursion is
 * counted when it ends, so an incident in progress does not raise the
 * bar it is measured against, and counts once however long it lasts.
 * The counts decay by 1 / TAIL_HORIZON a window.
 */
#define TAIL_U		3.0
#define TAIL_P0		1.35e-3		/* P(N(0, 1) > 3) */
#define TAIL_M0		0.3		/* its mean excess over 3, about */
#define TAIL_W0		1000.0
#define TAIL_K0		3.0
#define TAIL_HORIZON	20000.0

static double
tail_z(const struct model_config *c, double r, double m)
{
	return r > c->tail_q ? TAIL_U + m * log(r / c->tail_q) : TAIL_U;
}

/*
 * Without an excursion yet, r is at most TAIL_P0 and m is TAIL_M0: the
 * factor is 1, and the two logarithms a window are saved.  z*0 is the
 * same for every window of a run: it is worked out once.
 */
static double
tail_factor(const struct model_config *c, const struct tail *t)
{
	static double q = -1, z0;
	double r, m;

	if (t->e <= 0)
		return 1;
	if (c->tail_q != q) {
		q = c->tail_q;
		z0 = tail_z(c, TAIL_P0, TAIL_M0);
	}
	r = (t->e + TAIL_P0 * TAIL_W0) / (t->w + TAIL_W0);
	m = (t->x + TAIL_M0 * TAIL_K0) / (t->e + TAIL_K0);
	return max_d(1, tail_z(c, r, m) / z0);
}

/* A z signed for its direction, on the series' tail: only towards it. */
static double
toward(const struct model_config *c, const struct tail *t, double zz)
{
	return zz > 0 ? zz / tail_factor(c, t) : zz;
}

static void
tail_learn(struct tail *t, double zz)
{
	const double keep = 1 - 1 / TAIL_HORIZON;

	if (zz > TAIL_U) {
		t->peak = max_d(t->peak, zz - TAIL_U);
	} else if (t->peak > 0) {
		t->e += 1;
		t->x += t->peak;
		t->peak = 0;
	}
	t->w += 1;
	t->e *= keep;
	t->w *= keep;
	t->x *= keep;
}


/*
 * lead: the median's state when def is p95 (fast 2), for the step rule:
 * bits 2 and 3 of fhist remember the windows whose fast z came with a
 * move of at least step_ratio on the log scale.
 */
static void
level_update(const struct dctx *x, void *st)
{
	const struct model_config *c = x->c;
	const struct metric_def *def = x->def;
	const struct obs *o = x->o;
	struct level_state *m = st;
	const struct level_state *lead = def->fast == 2 ? x->lead : NULL;
	int64_t at = o->start + o->width;
	int log_scale = def->kind == MK_LOG;
	double z, e = x->e;

	z = x->w * (x->x - e) / x->sd;
	for (int dir = 0; dir < 2; dir++) {
		/*
		 * The tails weigh the m-of-n rule and the CUSUM; the fast and
		 * step rules of latency keep the raw z, as each asks for two
		 * windows far beyond what any excursion of noise reaches.
		 */
		double zr = dir ? -z : z, zz = toward(c, &m->tail[dir], zr);
		struct det *lv = &m->lv[dir];
		struct cusum *cu = &m->cu[dir];
		uint32_t h = (lv->hist << 1 | (zz >= c->level_z)) & 0xffffu;
		double move = log_scale ? (dir ? e - x->x : x->x - e) : 0;
		int big = zr >= (def->fast == 2 ? c->level_z : c->fast_z) &&
		    move >= log(c->step_ratio);
		uint32_t fh = ((lv->fhist << 1 | (zr >= c->fast_z)) & 3u) |
		    ((((lv->fhist >> 2) << 1) | (uint32_t)big) & 3u) << 2;
		uint32_t mask = (1u << c->level_n) - 1;
		int fire, s, back;

		lv->hist = h;
		lv->fhist = fh;
		fire = popcount(h & mask) >= c->level_m;
		back = oldest_bit(h, c->level_n);
		if (!fire && def->fast == 1 && (fh & 3u) == 3) {
			fire = 1;
			back = 2;
		}
		/*
		 * A step of the whole distribution: p95 and the median both
		 * moved by step_ratio in two consecutive windows, the median
		 * beyond fast_z and p95 beyond level_z.  A deploy (x1.5 for a
		 * minute) moves no percentile that far; a GC pause of seconds
		 * moves the tail, not the median.
		 */
		if (!fire && def->fast == 2 && lead != NULL &&
		    (fh >> 2) == 3 && ((lead->lv[dir].fhist >> 2) & 3u) == 3) {
			fire = 1;
			back = 2;
		}
		s = det_step(c, lv, fire, zz >= c->level_z / 2,
		    at - back * o->width);
		if (s) {
			struct signal *g = sig_new(x, SB_FAM_LEVEL, dir, s,
			    lv->since);
			g->score = z;
		}

		s = cusum_step(c, cu, zz, o->start, c->cusum_k, c->cusum_clip);
		if (s) {
			struct signal *g = sig_new(x, SB_FAM_DRIFT, dir, s,
			    cu->since);
			g->score = cu->cus;
		}
		tail_learn(&m->tail[dir], dir ? -z : z);
	}
}

static void
level_idle(const struct dctx *x, void *st, int dir)
{
	struct level_state *m = st;

	if (det_idle(x->c, &m->lv[dir]) == 2)
		sig_new(x, SB_FAM_LEVEL, dir, 2, m->lv[dir].since);
	if (cusum_idle(x->c, &m->cu[dir]) == 2)
		sig_new(x, SB_FAM_DRIFT, dir, 2, m->cu[dir].since);
}

/*
 * Fill in the numbers every signal of this metric shares, those of the
 * detectors that ran after this one too.
 */
static void
level_finish(const struct dctx *x, void *st)
{
	int log_scale = x->def->kind == MK_LOG;
	double e = x->e, sd = x->sd, z = x->w * (x->x - e) / sd;

	(void)st;
	for (int k = 0; k < *x->n; k++) {
		struct signal *g = &x->out[k];
		if (g->metric != x->i)
			continue;
		g->value = x->o->x[x->i];
		g->baseline = log_scale ? exp(e) : e;
		g->spread = log_scale ? exp(e) * (exp(sd) - 1) : sd;
		if (g->family == SB_FAM_LEVEL)
			g->score = g->down ? -z : z;
	}
}

static int
level_active(const void *st)
{
	const struct level_state *m = st;

	return m->lv[0].active || m->lv[1].active || m->cu[0].active ||
	    m->cu[1].active;
}

/*
 * Nor does a latency learn while its CUSUM up builds up (S >= hold h): a
 * creep is not to be absorbed into the baseline in the windows before it
 * is found.  Not downwards: falling latency is good news, and a slow
 * fall (the night, before the time-of-day profile knows it) must be
 * learned, not held until a CUSUM down fires on it.  Nor for other
 * metrics, whose direction means nothing to us and which may wander.
 */
static int
level_holds(const struct dctx *x, const void *st)
{
	const struct level_state *m = st;

	return x->def->kind == MK_LOG && x->m->glob.n >= x->c->warmup &&
	    m->cu[0].cus >= x->c->hold * x->c->cusum_h;
}

static const struct dmember tail_members[] = {
	DM_NUMBERS("e", struct tail, e, 1),
	DM_NUMBERS("w", struct tail, w, 1),
	DM_NUMBERS("x", struct tail, x, 1),
	DM_NUMBERS("peak", struct tail, peak, 1),
};

static const struct dmember level_members[] = {
	DM_STRUCT("up", struct level_state, lv[0], det_members),
	DM_STRUCT("down", struct level_state, lv[1], det_members),
	DM_STRUCT("cusum_up", struct level_state, cu[0], cusum_members),
	DM_STRUCT("cusum_down", struct level_state, cu[1], cusum_members),
	DM_STRUCT("tail_up", struct level_state, tail[0], tail_members),
	DM_STRUCT("tail_down", struct level_state, tail[1], tail_members),
};

static void
level_legacy(const struct metric_def *def, void *st,
    const struct legacy_state *l)
{
	struct level_state *m = st;

	(void)def;
	for (int dir = 0; dir < 2; dir++) {
		det_legacy(&m->lv[dir], l->det[0][dir]);
		cusum_legacy(&m->cu[dir], l->det[1][dir]);
		if (l->tail[dir] != NULL) {
			m->tail[dir].e = l->tail[dir][0];
			m->tail[dir].w = l->tail[dir][1];
			m->tail[dir].x = l->tail[dir][2];
			m->tail[dir].peak = l->tail[dir][3];
		}
	}
}

const struct detector level_detector = {
	.name = "level",
	.size = sizeof(struct level_state),
	.watches = level_watches,
	.update = level_update,
	.idle = level_idle,
	.finish = level_finish,
	.active = level_active,
	.holds = level_holds,
	.members = level_members,
	.nmembers = 6,
	.legacy = level_legacy,
};
