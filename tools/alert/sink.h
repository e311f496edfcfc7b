/*
 * sink.h - where alert(1) delivers records.
 *
 * A sink is a table of operations and its private state.  alert parses
 * each record once into a struct delivery and hands it to every sink
 * configured; a sink never sees a record it cannot use (alert drops
 * everything but signals and alerts before delivery).
 *
 *	const struct sink_ops *ops = &console_sink;
 *	struct sink s = { ops, NULL };
 *	if (ops->open(&s, &cfg) == -1) ...
 *	ops->deliver(&s, &d);		for each record
 *	ops->notify(&s, &nt);		remote sinks: a group's notification
 *	ops->flush(&s);			when alert waits for input
 *	ops->close(&s);
 *
 * Contract, so that Slack, webhook, PagerDuty and exec sinks plug in:
 *   - open() may fail (-1, message already printed): alert exits 1.
 *   - deliver() returns 0 when the record is delivered or durably queued,
 *     -1 on a failure the sink could not absorb (alert then exits 1
 *     after closing every sink); retries and back-off are the sink's own.
 *   - notify() (remote sinks only; NULL for the others) adds the
 *     messages of one group notification (group.h) to the spool, inside
 *     a spool batch: it only formats.  Remote sinks take alerts only this
 *     way; their deliver() sends what the spool holds for them.
 *   - flush() pushes out what is buffered; called whenever alert is about
 *     to wait for input, and before close().
 *   - close() releases everything; it is called exactly once after a
 *     successful open(), and returns -1 when something the sink took
 *     was not delivered (pending in the spool, or refused for good).
 * Records borrow their memory from alert and are valid only during
 * deliver(): a sink that queues must copy raw.
 */
#ifndef SINK_H
#define SINK_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "group.h"
#include "json.h"
#include "payload.h"
#include "sigrec.h"
#include "spool.h"

enum record_kind { REC_SIGNAL, REC_ALERT };

struct delivery {
	enum record_kind	 kind;
	const char		*raw;		/* the record's JSON text */
	size_t			 rawlen;
	const struct sb_json	*js;		/* parsed; token 0 the record */
	const struct sb_signal	*sig;		/* REC_SIGNAL */
	const struct alert_view	*av;		/* REC_ALERT */
};

/* How remote sinks retry; shared by all of them. */
struct delivery_policy {
	int		 retries;	/* attempts after the first */
	int64_t		 retry_base_ms;	/* first back-off, doubled each time */
	int64_t		 retry_max_ms;	/* back-off cap */
	long		 connect_ms;	/* libcurl connect timeout */
	long		 total_ms;	/* libcurl total timeout */
	int64_t		 exec_timeout_ms;
	uint64_t	 seed;		/* jitter */
};

struct sink_config {
	FILE		*out;
	int		 color;		/* console: 1 use ANSI colours */
	/* Remote sinks (webhook, slack, pagerduty, exec): */
	const char	*target;	/* URL, routing key or command; secret */
	const char	*pd_url;	/* PagerDuty events endpoint */
	const char *const *headers;	/* "Name: value", NULL-terminated */
	const char	*external_url;	/* the dashboard, no trailing '/'; or NULL */
	int64_t		 am_repeat_ms;	/* alertmanager: re-post firing alerts */
	struct spool	*spool;
	const struct delivery_policy *pol;
};

struct sink;

struct sink_ops {
	const char	*name;
	int		(*open)(struct sink *, const struct sink_config *);
	int		(*deliver)(struct sink *, const struct delivery *);
	int		(*notify)(struct sink *, const struct notification *);
	int		(*flush)(struct sink *);
	int		(*close)(struct sink *);
};

/* What a remote sink's attempts came to, for --metrics-file. */
struct sink_stats {
	uint64_t	 sent;		/* accepted */
	uint64_t	 failed;	/* transient: kept, tried again */
	uint64_t	 refused;	/* permanent: dropped */
	uint64_t	 retries;	/* attempts after a failed one */
};

struct sink {
	const struct sink_ops	*ops;
	void			*priv;
	struct sink_stats	 stats;
};

extern const struct sink_ops console_sink;
extern const struct sink_ops json_sink;
extern const struct sink_ops webhook_sink;
extern const struct sink_ops slack_sink;
extern const struct sink_ops pagerduty_sink;
extern const struct sink_ops exec_sink;
/*
 * Alertmanager's API v2: not grouped here (Alertmanager groups); each
 * alert record is spooled as a POST when deliver() gets it, and the
 * alerts firing are posted again every am_repeat_ms of wall time.
 */
extern const struct sink_ops alertmanager_sink;

/* The spool's name of the alerts the alertmanager sink keeps firing. */
#define AM_FIRING_SPOOL	"alertmanager-firing"

/*
 * Sends what a remote sink's spool holds, unless it rests after failed
 * retries; 0, or -1 when the spool could not be saved.
 */
int	 remote_idle(struct sink *);
/* 1 for the sinks of remote.c (they take remote_idle()), else 0. */
int	 sink_is_remote(const struct sink *);
/*
 * The resolve of an alert that noise control dropped: the alertmanager
 * sink still posts it when it posted the alert firing, as Alertmanager
 * would otherwise be told it fires until this alert stops re-posting it;
 * other sinks ignore it.  0, or -1 when the spool could not be saved.
 */
int	 remote_dropped_resolve(struct sink *, const struct alert_view *);

#endif
