/*
 * sigrec.h - signal records (DESIGN.md section 2) read into a struct, and
 * the small judgements that correlate, explain and alert share: detector
 * families, metric classes, the benign direction and a signal's
 * magnitude level.
 *
 * This file is compiled into all three tools (explain and alert include
 * sigrec.c from here); it belongs in lib/ as lib/signal.c once the
 * detection chain settles.
 *
 * A struct sigrec owns every string it points to, the raw record text
 * included; sigrec_free() releases them.
 */
#ifndef SIGREC_H
#define SIGREC_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "json.h"

enum metric_class { MC_LATENCY, MC_ERRORS, MC_TRAFFIC, MC_OTHER };
enum level { LV_INFO, LV_WARNING, LV_CRITICAL };

/* Optional members present (bits of struct sigrec's has). */
#define SR_BASELINE	0x01
#define SR_SPREAD	0x02
#define SR_SCORE	0x04
#define SR_SINCE	0x08
#define SR_WINDOWS	0x10
#define SR_EXPECTED	0x20
#define SR_COUNT	0x40
#define SR_ERRORS	0x80
#define SR_BURN		0x100
#define SR_PVALUE	0x200

struct sigrec {
	char		*key;
	char		*service;	/* member, or from the key; may be NULL */
	char		*method;	/* may be NULL */
	char		*endpoint;	/* may be NULL */
	char		*metric;
	char		*detector;
	int		 dir;		/* +1 up, -1 down, 0 not given */
	int		 cleared;	/* "state":"cleared" */
	unsigned	 has;		/* SR_* */
	int64_t		 at;
	int64_t		 since;		/* at when absent */
	double		 value, baseline, spread, score;
	double		 expected, count, errors, burn_rate, p_value;
	int64_t		 windows;
	char		*raw;		/* the record's JSON text */
	size_t		 rawlen;
};

/*
 * Reads the signal object at token obj (raw text taken from js).  0 on
 * success; -1 with a message such as "missing 'metric'" in why.
 */
int	 sigrec_read(struct sigrec *, const struct sb_json *, size_t obj,
	    char *why, size_t whysz);
void	 sigrec_free(struct sigrec *);
void	 sigrec_copy(struct sigrec *dst, const struct sigrec *src);

/* "level", "drift", "rate", "traffic", "slo", or the detector itself. */
const char	*detector_family(const char *detector);
enum metric_class metric_class(const char *metric);
/* 1 for a move in the good direction: latency or error rate down. */
int	 sigrec_benign(const struct sigrec *);
/* The magnitude rule of correlate(1), SEVERITY. */
enum level sigrec_level(const struct sigrec *);
/* value / baseline (or / expected for traffic); 0 when unknown. */
double	 sigrec_ratio(const struct sigrec *);
const char	*level_name(int);
/* 0..2 for "info", "warning", "critical"; -1 otherwise. */
int	 level_parse(const char *);

/* Byte span [*a, *b) of the JSON text of token t, quotes included. */
void	 json_span(const struct sb_json *, size_t t, size_t *a, size_t *b);
/* A string member copied (NULL if absent); -1 if present but not a string. */
int	 json_get_str(const struct sb_json *, size_t obj, const char *name,
	    char **out);
/* A time member (RFC 3339 string or epoch number): 1 found, 0 absent, -1 bad. */
int	 json_get_time(const struct sb_json *, size_t obj, const char *name,
	    int64_t *out);
/* A finite number member: 1 found, 0 absent or null, -1 bad. */
int	 json_get_num(const struct sb_json *, size_t obj, const char *name,
	    double *out);

#endif
