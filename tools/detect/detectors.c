/*
 * detectors.c - the table of detectors, in the order they run on each
 * metric of a window (which is the order of their signals), and what
 * they share.
 */
#include "detector.h"

extern const struct detector traffic_detector, binomial_detector,
    errcusum_detector, level_detector, novel_detector, floor_detector,
    slo_detector;

/*
 * The floor runs first on every window (it is "always"), the others once
 * the metric is warm.  A window without an observation runs the idle
 * steps of level, novel and floor, in that order, direction by direction.
 * The SLO burn rates, a detector of the series, run after every metric.
 */
const struct detector *const detectors[] = {
	&traffic_detector,
	&binomial_detector,
	&errcusum_detector,
	&level_detector,
	&novel_detector,
	&floor_detector,
	&slo_detector,
};
const int ndetectors = sizeof detectors / sizeof detectors[0];

uint16_t detector_off[1u << DETECTORS_MAX][DETECTORS_MAX];
uint16_t detectors_size[1u << DETECTORS_MAX];
uint32_t detectors_always, detectors_idle, detectors_finish, detectors_holds,
    detectors_series;

size_t
detectors_layout(void)
{
	static size_t size;
	const size_t base = (sizeof(struct mstate) + 7) & ~(size_t)7;
	uint32_t metric = 0;

	if (size != 0)
		return size;
	_Static_assert(sizeof detectors / sizeof detectors[0] <= DETECTORS_MAX,
	    "more detectors than DETECTORS_MAX");
	for (int k = 0; k < ndetectors; k++) {
		const struct detector *d = detectors[k];
		if (d->series_size != NULL) {
			detectors_series |= 1u << k;
			continue;	/* its state is the series' */
		}
		metric |= 1u << k;
		detectors_always |= (uint32_t)(d->always != 0) << k;
		detectors_idle |= (uint32_t)(d->idle != NULL) << k;
		detectors_finish |= (uint32_t)(d->finish != NULL) << k;
		detectors_holds |= (uint32_t)(d->holds != NULL) << k;
	}
	/* Each mask's states in table order, after the baselines. */
	for (uint32_t mask = 0; mask < 1u << DETECTORS_MAX; mask++) {
		size_t off = base;
		for (int k = 0; k < ndetectors; k++) {
			if (!(mask & metric & 1u << k))
				continue;
			detector_off[mask][k] = (uint16_t)off;
			off += (detectors[k]->size + 7) & ~(size_t)7;
		}
		detectors_size[mask] = (uint16_t)off;
	}
	return size = detectors_size[metric];
}

const struct dmember det_members[6] = {
	DM_MEMBER("active", struct det, active, DM_INT),
	DM_MEMBER("quiet", struct det, quiet, DM_INT),
	DM_MEMBER("hist", struct det, hist, DM_U32),
	DM_MEMBER("fhist", struct det, fhist, DM_U32),
	DM_MEMBER("windows", struct det, windows, DM_I64),
	DM_MEMBER("since", struct det, since, DM_I64),
};

const struct dmember cusum_members[7] = {
	DM_MEMBER("active", struct cusum, active, DM_INT),
	DM_MEMBER("quiet", struct cusum, quiet, DM_INT),
	DM_NUMBERS("run", struct cusum, run, 1),
	DM_NUMBERS("sum", struct cusum, cus, 1),
	DM_MEMBER("windows", struct cusum, windows, DM_I64),
	DM_MEMBER("since", struct cusum, since, DM_I64),
	DM_MEMBER("start", struct cusum, start, DM_I64),
};

void
det_legacy(struct det *d, const double *v)
{
	if (v == NULL)
		return;
	d->active = (int)v[0];
	d->quiet = (int)v[1];
	d->hist = (uint32_t)v[2];
	d->fhist = (uint32_t)v[3];
	d->windows = (int64_t)v[4];
	d->since = (int64_t)v[5];
}

void
cusum_legacy(struct cusum *cu, const double *v)
{
	if (v == NULL)
		return;
	cu->active = (int)v[0];
	cu->quiet = (int)v[1];
	cu->run = v[2];
	cu->windows = (int64_t)v[4];
	cu->since = (int64_t)v[5];
	cu->cus = v[6];
	cu->start = (int64_t)v[7];
}
