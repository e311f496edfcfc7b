/*
 * sigrec.h - signal records (slowburn-records(5)) read into a struct, and
 * the small judgements that correlate, explain and alert share: detector
 * families, metric classes, the benign direction and a signal's
 * magnitude level.
 *
 * A struct sb_signal owns every string it points to, the raw record text
 * included; sb_signal_free() releases them.
 */
#ifndef SB_SIGREC_H
#define SB_SIGREC_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "json.h"
#include "level.h"

enum sb_metric_class { SB_MC_LATENCY, SB_MC_ERRORS, SB_MC_TRAFFIC, SB_MC_OTHER };

/*
 * Detector families: the name detect(1) writes in a signal's "detector"
 * (sb_family_detector(): "cusum") and the family's own, by which
 * correlate, explain and alert group signals (sb_family_name():
 * "drift").  SB_FAM_OTHER: a detector of no family detect knows.
 */
enum sb_family { SB_FAM_LEVEL, SB_FAM_DRIFT, SB_FAM_RATE, SB_FAM_TRAFFIC,
	SB_FAM_SLO, SB_FAM_NOVEL, SB_FAM_FLOOR, SB_FAM_OTHER };

/*
 * The burn rates of the SRE workbook's page and ticket pairs: detect's
 * default --slo-pair factors, and where an SLO signal becomes critical
 * and a warning.
 */
#define SB_SLO_PAGE_BURN	14.4
#define SB_SLO_TICKET_BURN	6.0

/* Optional members present (bits of struct sb_signal's has). */
#define SB_SIG_BASELINE	0x01
#define SB_SIG_SPREAD	0x02
#define SB_SIG_SCORE	0x04
#define SB_SIG_SINCE	0x08
#define SB_SIG_WINDOWS	0x10
#define SB_SIG_EXPECTED	0x20
#define SB_SIG_COUNT	0x40
#define SB_SIG_ERRORS	0x80
#define SB_SIG_BURN		0x100
#define SB_SIG_PVALUE	0x200
#define SB_SIG_OBJECTIVE	0x400

/*
 * A signal's "context": its window's value and baseline of the metrics
 * explain quotes, and the window's status codes (detect(1), CONTEXT).
 */
enum { SB_CX_COUNT, SB_CX_ERROR_RATE, SB_CX_P50, SB_CX_P95, SB_CX_P99,
	SB_CX_N };
#define SB_CX_CODES	8

struct sb_sigctx {
	unsigned	 has, has_base;		/* bits 1 << SB_CX_* */
	double		 value[SB_CX_N], baseline[SB_CX_N];
	int		 ncodes;		/* ascending, at most SB_CX_CODES */
	int		 code[SB_CX_CODES];
	double		 ncode[SB_CX_CODES];
};

struct sb_signal {
	char		*key;
	char		*service;	/* member, or from the key; may be NULL */
	char		*method;	/* may be NULL */
	char		*endpoint;	/* may be NULL */
	char		*metric;
	char		*detector;
	enum sb_family	 family;	/* sb_family_parse(detector) */
	int		 dir;		/* +1 up, -1 down, 0 not given */
	int		 cleared;	/* "state":"cleared" */
	unsigned	 has;		/* SB_SIG_* */
	int64_t		 at;
	int64_t		 since;		/* at when absent */
	double		 value, baseline, spread, score;
	double		 expected, count, errors, burn_rate, p_value;
	double		 objective;	/* slo: 0.999 for 99.9% */
	int64_t		 windows;
	double		 width_s;	/* the window width, 60 when absent */
	struct sb_sigctx ctx;
	char		*raw;		/* the record's JSON text */
	size_t		 rawlen;
};

/*
 * Reads the signal object at token obj (raw text taken from js).  0 on
 * success; -1 with a message such as "missing 'metric'" in why.
 */
int	 sb_signal_read(struct sb_signal *, const struct sb_json *, size_t obj,
	    char *why, size_t whysz);
void	 sb_signal_free(struct sb_signal *);
void	 sb_signal_copy(struct sb_signal *dst, const struct sb_signal *src);
/*
 * The member that places a signal in time, "at", for rank 0; NULL past
 * it (lib/record.c, for stores).  A static string.
 */
const char	*sb_signal_time_name(int rank);

/* Name of an SB_CX_* metric as a signal names it: "latency_p95". */
const char	*sb_cx_name(int);

const char	*sb_family_detector(enum sb_family);
const char	*sb_family_name(enum sb_family);
/* The family of a detector's name or an alias; SB_FAM_OTHER if none. */
enum sb_family	 sb_family_parse(const char *detector);
/* sb_family_name() of the detector's family, or the detector itself. */
const char	*sb_detector_family(const char *detector);
enum sb_metric_class sb_metric_class(const char *metric);
/* 1 for a move in the good direction: latency or error rate down. */
int	 sb_signal_benign(const struct sb_signal *);
/* The magnitude rule of correlate(1), SEVERITY. */
enum sb_level sb_signal_level(const struct sb_signal *);
/* value / baseline (or / expected for traffic); 0 when unknown. */
double	 sb_signal_ratio(const struct sb_signal *);

#endif
