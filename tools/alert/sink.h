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
 *	ops->flush(&s);			when alert waits for input
 *	ops->close(&s);
 *
 * Contract, so that Slack, webhook, PagerDuty and exec sinks plug in:
 *   - open() may fail (-1, message already printed): alert exits 1.
 *   - deliver() returns 0 when the record is delivered or durably queued,
 *     -1 on a failure the sink could not absorb (alert then exits 1
 *     after closing every sink); retries and back-off are the sink's own.
 *   - flush() pushes out what is buffered; called whenever alert is about
 *     to wait for input, and before close().
 *   - close() releases everything; it is called exactly once after a
 *     successful open().
 * Records borrow their memory from alert and are valid only during
 * deliver(): a sink that queues must copy raw.
 */
#ifndef SINK_H
#define SINK_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "json.h"
#include "sigrec.h"

enum record_kind { REC_SIGNAL, REC_ALERT };

struct delivery {
	enum record_kind	 kind;
	const char		*raw;		/* the record's JSON text */
	size_t			 rawlen;
	const struct sb_json	*js;		/* parsed; token 0 the record */
	const struct sb_signal	*sig;		/* REC_SIGNAL */
};

struct sink_config {
	FILE		*out;
	int		 color;		/* console: 1 use ANSI colours */
};

struct sink;

struct sink_ops {
	const char	*name;
	int		(*open)(struct sink *, const struct sink_config *);
	int		(*deliver)(struct sink *, const struct delivery *);
	int		(*flush)(struct sink *);
	void		(*close)(struct sink *);
};

struct sink {
	const struct sink_ops	*ops;
	void			*priv;
};

extern const struct sink_ops console_sink;
extern const struct sink_ops json_sink;

#endif
