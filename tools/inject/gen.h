/*
 * gen.h - the traffic model of inject(1), as a pure iterator.
 *
 * gen_init() plans a run from a fully resolved struct gen_config: where
 * the noise episodes fall and how the scenario changes which endpoints.
 * gen_next() then yields one request event at a time, in non-decreasing
 * time order, as fast as the caller takes them.  Nothing here reads the
 * clock, does I/O or keeps global state: the same config always yields
 * the same events, so a file writer and a real-time HTTP sender can feed
 * from the very same sequence.
 *
 *	struct gen_config cfg;
 *	struct gen g;
 *	struct gen_event ev;
 *	struct sb_buf b = SB_BUF_INIT;
 *
 *	gen_config_init(&cfg);
 *	cfg.start = t0;
 *	cfg.end = t0 + 3600000;
 *	gen_init(&g, &cfg);
 *	while (gen_next(&g, &ev))
 *		gen_event_json(&ev, &b);	(one JSONL line per event)
 *	gen_free(&g);
 *
 * Time advances in ticks of at most one second, cut short at every
 * point where something changes (a noise episode or the degradation
 * starts or ends), so steps happen at their exact millisecond.  In each
 * tick every endpoint gets a Poisson number of requests at its current
 * rate, spread uniformly over the tick and merged in time order; each
 * request's status, latency and size are drawn as it is handed out.
 *
 * The tables (gen_endpoints, gen_scenarios, gen_noise_kinds) are
 * constant data in scenario.c.  struct gen owns its arrays; gen_free()
 * releases them.  Events point into the endpoint table and stay valid.
 */
#ifndef INJECT_GEN_H
#define INJECT_GEN_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "rng.h"

#define GEN_MAX_ENDPOINTS	32	/* endpoint sets are bit masks */
#define GEN_UNTIL_END		INT64_MAX

/* What replaces "{id}" in an endpoint's route to make a request path. */
enum gen_id {
	GEN_ID_NONE,
	GEN_ID_NUM,		/* 1..id_max */
	GEN_ID_UUID,		/* random version 4 UUID */
	GEN_ID_HEX,		/* 24 hex digits */
	GEN_ID_QUERY		/* no id; a query string "?q=WORD" follows */
};

struct gen_endpoint {
	const char	*service;
	const char	*method;
	const char	*route;		/* normalised: what aggregate keys on */
	enum gen_id	 id;
	uint32_t	 id_max;
	int		 ok_status;	/* status of a success: 200 or 201 */
	double		 rate;		/* requests/s, before --rate-scale */
	double		 median_ms;	/* of the lognormal latency */
	double		 sigma;		/* of ln(latency) */
	double		 p5xx;		/* baseline fraction of 5xx */
	double		 p4xx;		/* baseline fraction of 4xx */
	double		 bytes;		/* median size of a success response */
};

/* What --magnitude sets in a scenario. */
enum gen_mag {
	GEN_MAG_NONE,
	GEN_MAG_LATENCY_MS,	/* the median latency reached, ms */
	GEN_MAG_LATENCY_X,	/* the latency multiplier reached */
	GEN_MAG_ERRORS,		/* the 5xx fraction reached */
	GEN_MAG_TRAFFIC_X,	/* the traffic multiplier reached */
	GEN_MAG_TAIL		/* the fraction of slow requests reached */
};

struct gen_scenario {
	const char	*name;
	const char	*target;	/* a key, or a service if service_wide */
	int		 service_wide;
	int64_t		 ramp;		/* ms from start to full size */
	int64_t		 lasts;		/* ms; GEN_UNTIL_END: to the end */
	enum gen_mag	 mag;
	double		 magnitude;	/* default of --magnitude */
	double		 mag_min;
	double		 mag_max;
	double		 err_to;	/* 5xx fraction reached besides, or -1 */
	const char	*summary;	/* one line for --list */
};

struct gen_noise_kind {
	const char	*name;
	double		 per_day;	/* mean episodes per simulated day */
	int64_t		 min_ms;	/* duration, whole seconds */
	int64_t		 max_ms;
	int		 whole_service;	/* else one endpoint */
};

enum { GEN_NOISE_BURST, GEN_NOISE_GC, GEN_NOISE_DEPLOY, GEN_NOISE_KINDS };

extern const struct gen_endpoint gen_endpoints[];
extern const size_t gen_nendpoints;
extern const struct gen_scenario gen_scenarios[];
extern const size_t gen_nscenarios;
extern const struct gen_noise_kind gen_noise_kinds[GEN_NOISE_KINDS];

/* Noise episodes keep this far from the degradation window. */
#define GEN_NOISE_MARGIN	(15 * 60000)

struct gen_config {
	int64_t		 start;		/* ms since the epoch */
	int64_t		 end;		/* exclusive */
	uint64_t	 seed;
	double		 rate_scale;
	int		 diurnal;
	int		 noise;
	const struct gen_scenario *scenario;	/* gen_scenarios[0]: none */
	int		 target;	/* endpoint index, -1 if service_wide */
	const char	*service;	/* the service if service_wide */
	int64_t		 deg_start;	/* ms since the epoch */
	int64_t		 deg_end;	/* exclusive, or GEN_UNTIL_END */
	int64_t		 ramp;		/* ms */
	double		 magnitude;
};

/* How the scenario changes one endpoint at full size. */
struct gen_effect {
	double		 lat_to;	/* latency multiplier; 1: none */
	double		 lat_add;	/* ms added to every request; 0: none */
	double		 err_to;	/* 5xx fraction; < 0: unchanged */
	double		 traffic_to;	/* rate multiplier; 1: none */
	double		 tail_to;	/* fraction of slow requests; 0: none */
};

struct gen_noise {
	int		 kind;		/* GEN_NOISE_* */
	uint32_t	 eps;		/* endpoints affected, a bit mask */
	int64_t		 start;
	int64_t		 end;		/* exclusive */
};

/* The state of each endpoint during the current tick. */
struct gen_param {
	double		 lambda;	/* requests/s */
	double		 mu;		/* ln(median latency) */
	double		 sigma;
	double		 p5xx;
	double		 p5xx_base;	/* of p5xx, the share with the usual mix */
	double		 p4xx;
	double		 tail;
	double		 add_ms;
};

struct gen_event {
	int64_t		 time;		/* ms since the epoch */
	const struct gen_endpoint *ep;
	int		 status;
	int64_t		 latency_10;	/* latency in tenths of a ms */
	int64_t		 bytes;
	uint64_t	 id[2];		/* random bits for the path's id */
};

struct gen {
	struct gen_config cfg;
	struct rng	 rng;
	uint32_t	 deg_eps;	/* endpoints the scenario changes */
	struct gen_effect eff[GEN_MAX_ENDPOINTS];
	struct gen_noise *noise;	/* sorted by start */
	size_t		 nnoise;
	size_t		 noise_lo;	/* every episode before it has ended */
	int64_t		*bp;		/* breakpoints, sorted */
	size_t		 nbp;
	size_t		 bpi;
	struct gen_param par[GEN_MAX_ENDPOINTS];
	int64_t		 t;		/* where the next tick starts */
	int64_t		 tick;		/* where the current tick started */
	uint32_t	*raw;		/* this tick's requests: offset << 8 | ep */
	uint32_t	*sorted;
	size_t		 n;
	size_t		 pos;
	size_t		 cap;
};

/* Defaults: no scenario, seed 1, scale 1, diurnal and noise on. */
void	 gen_config_init(struct gen_config *);
void	 gen_init(struct gen *, const struct gen_config *);
/* 1 and *ev filled, or 0 once cfg.end is reached. */
int	 gen_next(struct gen *, struct gen_event *);
void	 gen_free(struct gen *);

/* Appends the event's JSONL line, newline included. */
void	 gen_event_json(const struct gen_event *, struct sb_buf *);
/* Appends the truth and noise records of the run (see inject(1)). */
void	 gen_truth_json(const struct gen *, struct sb_buf *);

/* Table look-ups; -1 or NULL if there is no such thing. */
const struct gen_scenario *gen_scenario_find(const char *name);
int	 gen_endpoint_find(const char *key);
const char *gen_service_find(const char *name);
/* Appends "service METHOD route", the series key aggregate makes. */
void	 gen_endpoint_key(const struct gen_endpoint *, struct sb_buf *);
/* The latency quantile q of an endpoint whose fraction tail of slow
 * requests takes 5 to 10 times longer, at latency multiplier mult. */
double	 gen_latency_quantile(const struct gen_endpoint *, double mult,
	    double tail, double q);

#endif
