/*
 * noise.h - what alert(1) leaves out, in event time: silences, and the
 * inhibition of warnings by a critical alert of the same service.  When
 * and how often the rest is notified (group wait and interval, repeats,
 * resolves) is group.h's.
 *
 * Silences and inhibition keep an alert from every sink, console
 * included, and with it its resolve.  Silences live in a state location
 * (a file, or "store:NAME" in the storage backend's state area) and are
 * read again every few seconds, so that "alert silence add" reaches a
 * running alert.
 */
#ifndef NOISE_H
#define NOISE_H

#include <stddef.h>
#include <stdint.h>

#include "payload.h"

/*
 * Without a location, silences are NOISE_SILENCES in the storage backend
 * that the environment configures (STORAGE_BACKEND, default SQLite
 * data/alerts.db), where "alert silence add" puts them.  Delivery never
 * creates a SQLite database to read them from: while the file does not
 * exist there are none, and it is looked for again at every reload.
 */
#define NOISE_SILENCES	"store:alert.silences"

struct noise_config {
	int		 inhibit;	/* default 1 */
	const char	*silences;	/* location, or NULL: the default */
	size_t		 max_alerts;	/* open alerts held; default 10000 */
};

/* Silences read from a location, and held by alert silence add. */
#define NOISE_SILENCES_MAX	1000

enum noise_verdict {
	NOISE_DROP,		/* silenced or inhibited: no sink */
	NOISE_SEND,		/* every sink (remote ones through its group) */
	NOISE_OVER		/* a new alert beyond --max-alerts: no sink */
};

struct noise;

void	 noise_config_init(struct noise_config *);
/* NULL with err set when the silences cannot be read. */
struct noise *noise_open(const struct noise_config *, char *err, size_t errsz);
void	 noise_close(struct noise *);
/* The verdict for one alert; why holds a line to record, or "". */
enum noise_verdict noise_admit(struct noise *, const struct alert_view *,
	    char *why, size_t whysz);

/* Records refused as NOISE_OVER so far. */
uint64_t noise_over(const struct noise *);

/*
 * The silences of an open location, as "alert silence" (silence.h) edits
 * them.  A matcher is "NAME=VALUE", "NAME!=VALUE", "NAME~REGEX" or
 * "NAME!~REGEX" on key, service, severity or id.
 */
#define NOISE_MATCHERS_MAX	8

struct noise_silence {
	const char	*match[NOISE_MATCHERS_MAX];	/* "key~/api/export" */
	int		 nmatch;
	int64_t		 starts, ends, created;
	const char	*comment, *author;	/* or NULL */
};

/* 0 if text is a matcher, else -1 with why. */
int	 noise_matcher_check(const char *text, char *why, size_t whysz);
/*
 * Adds a silence (its strings copied) and saves the location: 0 with id,
 * its stable name (the same silence gives the same id); -2 when
 * NOISE_SILENCES_MAX are in place once the expired are dropped; -1 when
 * it cannot be saved (said on stderr).
 */
int	 noise_silence_add(struct noise *, const struct noise_silence *,
	    int64_t now, char id[9]);
size_t	 noise_silence_count(const struct noise *);
/* The i-th silence, its strings the engine's (valid until the next call). */
void	 noise_silence_get(const struct noise *, size_t i,
	    struct noise_silence *, char id[9]);
/* Ends silence id now and saves: 1, 0 when there is no such silence, -1
 * when it cannot be saved (said on stderr). */
int	 noise_silence_expire(struct noise *, const char *id, int64_t now);

#endif
