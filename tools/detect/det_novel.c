/*
 * det_novel.c - novel: never seen before, for MK_RAW metrics.
 */
#include <math.h>
#include <string.h>

#include "detector.h"

#define STRETCH_N	10	/* windows of the recent mean z */
#define STRETCH_HORIZON	8640.0	/* windows of its long-run law */
#define STRETCH_READY	2016	/* windows learned before it is tested */

/*
 * The records of a metric: the highest and lowest value, and residual
 * from the expected value (smoothed over two windows), it has had.
 */
struct novel {
	double		 vmax, vmin;	/* values */
	double		 rmax, rmin;	/* residuals */
	double		 r1;		/* the previous window's residual */
	double		 n;		/* windows seen */
	double		 first;		/* ms: the first one's start */
	double		 last[2];	/* ms: when it last fired, up, down */
	double		 rfirst;	/* ms: the first residual from the
					   profile; 0: none yet */
	/* The unusual: the mean z of the last windows, and its law. */
	double		 law[3];	/* long-run mean, mean square, windows */
	double		 recent[STRETCH_N];	/* z, the newest first */
};

struct novel_state {
	struct det	 d[2];		/* up, down */
	struct novel	 nov;
};

#define DAY_MS		86400000LL
#define RESIDUAL_DAYS	2	/* of residuals before they are tested */

/*
 * The unusual, for what is not a record: a burst of tweets lower than
 * the highest the series has had, a dip longer than the dips it has, a
 * level that moved within the range the series has covered.  The mean
 * z of the last STRETCH_N windows (this one included, each clipped at
 * cusum_clip) is weighed against its own law, its long-run mean and
 * standard deviation over about STRETCH_HORIZON windows, learned from
 * every window right after its test (a running mean first), as the anomaly
 * likelihood of Numenta's HTM does with its averaging and history
 * windows, whose defaults these are.  A recent mean level_z + 1 of those
 * standard deviations from the long-run mean is unusual, up or down as
 * it lies: one more than --level-z, as it is tested both ways and the
 * mean of ten windows of a series that wanders (a temperature, a
 * queue) has a longer tail than a normal law.  The law sets the
 * yardstick from the series itself: ten windows of independent noise
 * average out to a third of a spread, ten of a series that wanders do
 * not.  Tested once STRETCH_READY windows are learned.  1 up, -1 down,
 * 0.
 *
 * Unlike a residual record, a stretch may fire on a window that is not
 * itself level_z / 2 spreads out: a gauge shifted by its own swing
 * (t3038) never has such a window, nor has noise whose level moved by
 * under two spreads for an hour or two.  Measured with scripts/nab
 * before the daily profile's trial (model.c, expected_at()), when the
 * whole corpus scored 74.8: asking for one takes 6 alarms outside the
 * NAB windows away for no window lost (raw 57.54 -> 57.91) but loses
 * both; letting a stretch fast_z + 1 standard deviations out fire anyway
 * keeps the gauge, not the moved noise; a bar of z >= 1, z > 0 or z >=
 * the recent mean gains nothing; a clip of 2, 2.5, 3 or 4 scored 70.0,
 * 73.4, 74.8 or 74.5, and a threshold of level_z + 1.1, 1.25 or 1.5,
 * 74.9, 75.0 or 73.2.
 */
static int
stretch(const struct model_config *c, struct novel *nv, double z)
{
	double mean = 0, var, a;
	int un = 0;

	z = max_d(-c->cusum_clip, min_d(c->cusum_clip, z));
	memmove(nv->recent + 1, nv->recent,
	    (STRETCH_N - 1) * sizeof(double));
	nv->recent[0] = z;
	for (int j = 0; j < STRETCH_N; j++)
		mean += nv->recent[j];
	mean /= STRETCH_N;
	var = nv->law[1] - nv->law[0] * nv->law[0];
	if (nv->law[2] >= STRETCH_READY && var > 0 &&
	    fabs(mean - nv->law[0]) >= (c->level_z + 1) * sqrt(var))
		un = mean > nv->law[0] ? 1 : -1;

	nv->law[2] += 1;
	a = max_d(1 / nv->law[2], 1 / STRETCH_HORIZON);
	nv->law[0] += a * (mean - nv->law[0]);
	nv->law[1] += a * (mean * mean - nv->law[1]);
	return un;
}

static int
novel_watches(const struct metric_def *def)
{
	return def->kind == MK_RAW;
}

/*
 * Novelty: a value, or a residual from the expected value (the
 * time-of-day profile), beyond anything the series has had: more than
 * novel_margin spreads past its record high or low.  What is labelled an
 * anomaly on real series is mostly what has never happened there before;
 * a record is rare by construction (about ln n of them in n windows of
 * stationary noise), and more so with the margin.  The residual is
 * smoothed (half of it from the window, half from before) so that one
 * odd window is not a record of it.  The records learn from every
 * window, after the test; the test of values starts when the metric is
 * warm and the series has a day of history.  Residuals are kept only
 * from the profile: before it, the expected value is the recent level
 * and its residuals are the daily cycle itself (a square wave's edges
 * would set records that hide a day without its high phase), so their
 * records start with the first window the profile predicts, and are
 * tested from RESIDUAL_DAYS later.  A residual record is one of this
 * window too: the window itself beyond level_z / 2 spreads its way, as
 * an activation needs to stay on (a window back near its expected value
 * after a far one can set the record of their mean).  A novelty fires at
 * most once per novel_rearm in each direction: a new alarm needs a while
 * without one; a fall after a rise is news of its own.  It stays active
 * while the window is beyond level_z / 2 spreads its way.
 */
static void
novel_update(const struct dctx *ctx, void *st)
{
	const struct model_config *c = ctx->c;
	const struct obs *o = ctx->o;
	struct novel_state *m = st;
	struct novel *nv = &m->nov;
	double x = ctx->x, r = ctx->x - ctx->e;
	double z = ctx->w * (ctx->x - ctx->e) / ctx->sd;
	int64_t at = o->start + o->width;
	/* The residual is smoothed: the mean of this window's and the last. */
	double rs = nv->n < 1 ? r : (r + nv->r1) / 2;
	double mv = c->novel_margin * (nv->vmax - nv->vmin);
	double mr = c->novel_rmargin * (nv->rmax - nv->rmin);
	int ready = nv->n >= c->warmup &&
	    (double)o->start >= nv->first + DAY_MS;
	int rready = nv->rfirst > 0 &&
	    (double)o->start >= nv->rfirst + RESIDUAL_DAYS * DAY_MS;

	int un = stretch(c, nv, z);

	for (int dir = 0; dir < 2; dir++) {
		struct det *d = &m->d[dir];
		int far = (dir ? -z : z) >= c->level_z / 2;
		int rec = dir ? x < nv->vmin - mv ||
		    (rready && far && rs < nv->rmin - mr) || un < 0 :
		    x > nv->vmax + mv || (rready && far && rs > nv->rmax + mr) ||
		    un > 0;
		int fire = ready && rec &&
		    (double)at - nv->last[dir] >= (double)c->novel_rearm;
		int s = det_step(c, d, fire, far, at - o->width);

		if (fire && s == 1 && d->windows == 1)
			nv->last[dir] = (double)at;
		if (s) {
			struct signal *g = sig_new(ctx, SB_FAM_NOVEL, dir, s,
			    d->since);
			g->score = dir ? -z : z;
		}
	}
	if (nv->n < 1) {
		nv->first = (double)o->start;
		nv->vmax = nv->vmin = x;
	}
	if (ctx->seasonal && nv->rfirst <= 0) {
		nv->rfirst = (double)o->start;
		nv->rmax = nv->rmin = rs;
	}
	nv->vmax = max_d(nv->vmax, x);
	nv->vmin = min_d(nv->vmin, x);
	if (ctx->seasonal) {
		nv->rmax = max_d(nv->rmax, rs);
		nv->rmin = min_d(nv->rmin, rs);
	}
	nv->r1 = r;
	nv->n += 1;
}


static void
novel_idle(const struct dctx *x, void *st, int dir)
{
	struct det *d = &((struct novel_state *)st)->d[dir];

	if (det_idle(x->c, d) == 2)
		sig_new(x, SB_FAM_NOVEL, dir, 2, d->since);
}

static int
novel_active(const void *st)
{
	const struct novel_state *m = st;

	return m->d[0].active || m->d[1].active;
}

static const struct dmember records_members[] = {
	DM_NUMBERS("vmax", struct novel, vmax, 1),
	DM_NUMBERS("vmin", struct novel, vmin, 1),
	DM_NUMBERS("rmax", struct novel, rmax, 1),
	DM_NUMBERS("rmin", struct novel, rmin, 1),
	DM_NUMBERS("r1", struct novel, r1, 1),
	DM_NUMBERS("n", struct novel, n, 1),
	DM_NUMBERS("first", struct novel, first, 1),
	/* Up's; an earlier detect kept one for both: it is up's now. */
	DM_NUMBERS("last", struct novel, last[0], 1),
	DM_NUMBERS("last_down", struct novel, last[1], 1),
	DM_NUMBERS("rfirst", struct novel, rfirst, 1),
	/* The law of the mean |z| that detect 0.9.0 kept: dropped. */
	DM_RETIRE("dist"),
	DM_NUMBERS("law", struct novel, law, 3),
	DM_NUMBERS("recent", struct novel, recent, STRETCH_N),
};

static const struct dmember novel_members[] = {
	DM_STRUCT("up", struct novel_state, d[0], det_members),
	DM_STRUCT("down", struct novel_state, d[1], det_members),
	DM_STRUCT("records", struct novel_state, nov, records_members),
};

static void
novel_legacy(const struct metric_def *def, void *st,
    const struct legacy_state *l)
{
	struct novel_state *m = st;

	(void)def;
	det_legacy(&m->d[0], l->det[2][0]);
	det_legacy(&m->d[1], l->det[2][1]);
	if (l->nov != NULL) {
		m->nov.vmax = l->nov[0];
		m->nov.vmin = l->nov[1];
		m->nov.rmax = l->nov[2];
		m->nov.rmin = l->nov[3];
		m->nov.r1 = l->nov[4];
		m->nov.n = l->nov[5];
		m->nov.first = l->nov[6];
		m->nov.last[0] = m->nov.last[1] = l->nov[7];
	}
}

const struct detector novel_detector = {
	.name = "novel",
	.size = sizeof(struct novel_state),
	.watches = novel_watches,
	.update = novel_update,
	.idle = novel_idle,
	.active = novel_active,
	.members = novel_members,
	.nmembers = 3,
	.legacy = novel_legacy,
};
