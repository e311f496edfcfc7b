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

#define AV_MAX_NUMBERS	5	/* "key numbers" taken from the signals */

struct alert_view {
	char		*id;		/* "" when absent */
	char		*state;		/* "firing", "resolved", ... */
	char		*severity;	/* "warning" when absent */
	char		*key;
	char		*service;	/* "" when absent */
	char		*summary;	/* NULL when not explained */
	char		*explanation;	/* NULL when not explained */
	int64_t		 started, at, resolved;
	int		 has_started, has_resolved;
	char		**insights;
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
 * "service" or "key", the label the group shares.
 */
void	 payload_alertmanager(struct sb_buf *, const struct alert_view *const *,
	    size_t n, const char *group_by);
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
