/*
 * payload.h - the bodies alert(1) sends: Alertmanager webhook v4, Slack
 * Block Kit, PagerDuty Events API v2.  Pure functions: no I/O, no
 * globals, so that tests reach them through the golden files.
 *
 * An alert record is read once into a struct alert_view, which owns
 * copies of every string it holds (av_free() releases them).  The
 * payload functions append to a buffer the caller owns; they never fail.
 */
#ifndef PAYLOAD_H
#define PAYLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "json.h"
#include "level.h"

#define AV_MAX_NUMBERS	5	/* "key numbers" taken from the signals */

/* Members the record itself gave (given), apart from the defaults. */
#define AV_GIVEN_ID		0x01
#define AV_GIVEN_SEVERITY	0x02
#define AV_GIVEN_STARTED	0x04	/* "started" */
#define AV_GIVEN_AT		0x08	/* "at" */
#define AV_GIVEN_RESOLVED	0x10	/* "resolved_at" */

struct alert_view {
	char		*id;		/* "" when absent */
	char		*state;		/* "firing", "resolved", ... */
	char		*severity;	/* "warning" when absent */
	enum sb_level	 level;		/* of severity; SB_LV_NONE: other */
	char		*key;
	char		*service;	/* "" when absent */
	char		*summary;	/* NULL when not explained */
	char		*explanation;	/* NULL when not explained */
	int64_t		 started, at, resolved;
	int		 has_started, has_resolved;
	unsigned	 given;		/* AV_GIVEN_* */
	char		**insights;	/* NULL: no non-empty array */
	size_t		 ninsights;
	char		**recs;
	size_t		 nrecs;
	char		*numbers[AV_MAX_NUMBERS];	/* "latency_p95 290.1 (baseline 121)" */
	size_t		 nnumbers;
};

/* 0; -1 when token 0 of js is not an alert with string key and state. */
int	 av_read(struct alert_view *, const struct sb_json *);
void	 av_free(struct alert_view *);
/* A deep copy, to av_free() in its turn. */
void	 av_copy(struct alert_view *dst, const struct alert_view *src);
int	 av_resolved(const struct alert_view *);

/* The one-line fallback: "[WARNING] firing KEY: SUMMARY". */
void	 av_title(const struct alert_view *, struct sb_buf *);

/*
 * Alertmanager webhook v4 for the n alerts of one group; group_by is
 * "service" or "key", the label the group shares; external_url (the
 * dashboard's address, no trailing slash) or NULL.
 */
void	 payload_alertmanager(struct sb_buf *, const struct alert_view *const *,
	    size_t n, const char *group_by, const char *external_url);
/*
 * One postable alert of Alertmanager's API v2 (an element of the array
 * POST /api/v2/alerts takes): labels, annotations, startsAt, endsAt when
 * resolved (omitted while firing: Alertmanager then ends the alert after
 * its resolve_timeout unless it is posted again), generatorURL.  The
 * object never holds endsAt while firing, so that am_alert_ended() can
 * end it later.
 */
void	 payload_am_alert(struct sb_buf *, const struct alert_view *,
	    const char *external_url);
/* A firing object of payload_am_alert() (len bytes) with endsAt at. */
void	 am_alert_ended(struct sb_buf *, const char *obj, size_t len,
	    int64_t at);
/*
 * Alertmanager's fingerprint of the alert's labels, as its API and its
 * webhook show it (printed "%016llx"): prometheus/common's
 * model.LabelSet.Fingerprint().
 */
uint64_t am_fingerprint(const struct alert_view *);
/*
 * The dashboard page of the incident: external_url/alerts?key=KEY&since=
 * STARTED, the alert history of its key from its start (dashboard(1)).
 */
void	 am_incident_url(struct sb_buf *, const char *external_url,
	    const struct alert_view *);
/* Slack incoming webhook: Block Kit blocks and a text fallback. */
void	 payload_slack(struct sb_buf *, const struct alert_view *const *,
	    size_t n);
/* PagerDuty Events API v2: one event (trigger or resolve) per alert. */
void	 payload_pagerduty(struct sb_buf *, const struct alert_view *,
	    const char *routing_key);

/*
 * Appends at most max bytes of s to b, cut at a UTF-8 boundary (at a
 * space when one is near) and ended with an ellipsis when cut.
 */
void	 text_truncate(struct sb_buf *, const char *s, size_t max);

#endif
