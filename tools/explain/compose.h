/*
 * compose.h - the words of explain: an alert record read into a struct,
 * and its summary, explanation, insights and recommendations composed
 * from a template set.  No I/O.
 */
#ifndef COMPOSE_H
#define COMPOSE_H

#include <stdint.h>

#include "buf.h"
#include "json.h"
#include "sigrec.h"
#include "templates.h"

/*
 * One member of the alert's "peaks" (correlate(1)): the signal of a
 * metric that moved furthest, and its value in the newest window.
 */
struct peak_in {
	struct sb_signal sig;
	int64_t		 first_at, last_at;	/* INT64_MIN: absent */
	double		 last_value;
};

struct alert_in {
	char		*id, *state, *severity, *key, *service;
	char		**keys;
	size_t		 nkeys;
	int64_t		 started, at, resolved_at;	/* INT64_MIN: absent */
	struct sb_signal	*sigs;
	size_t		 nsigs;
	struct peak_in	*peaks;
	size_t		 npeaks;
};

/* 0, or -1 with why; the struct owns what it holds. */
int	 alert_read(struct alert_in *, const struct sb_json *, char *why,
	    size_t whysz);
void	 alert_free(struct alert_in *);

/*
 * Appends ,"summary":..,"explanation":..,"insights":[..],
 * "recommendations":[..] to out.
 */
void	 compose(const struct alert_in *, const struct tmpl_set *,
	    struct sb_buf *out);

#endif
