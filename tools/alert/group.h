/*
 * group.h - Alertmanager's grouping for the remote sinks, in event time.
 *
 * Alerts with the same group label (the service, or the key with
 * --group-by key; an alert without a service goes by its key) form a
 * group.  The clock is the newest "at" of the signals and alerts read
 * (group_clock()), never the wall clock, so that a replay notifies as a
 * live run would.  A new group waits wait_ms before its first
 * notification, so that alerts arriving together go out as one message;
 * after that the group's changes (a new alert, a change of severity, a
 * resolve) go out at the next tick of a grid of interval_ms started at
 * the first notification, and an unchanged group with alerts firing is
 * notified again at the first tick repeat_ms after its last
 * notification.  A notification lists every alert of the group: those
 * firing and those resolved since the last one (with send_resolved).
 * The resolve of an alert whose firing was never notified (it resolved
 * while its group waited) is not sent; neither are resolves without
 * send_resolved.  group_flush_all() sends what is pending at once, at
 * the end of input.
 *
 * Durability: an alert that waits in a group is an item of the spool's
 * sink "group" (its record as the body) from group_add() on; the
 * messages a notification makes (emit()) and the removal of those items
 * are saved in one atomic spool change.  grouper_open() puts the items
 * an earlier run left back into their groups.
 */
#ifndef GROUP_H
#define GROUP_H

#include <stddef.h>
#include <stdint.h>

#include "payload.h"
#include "spool.h"

#define GROUP_SPOOL_SINK	"group"

struct group_config {
	const char	*group_by;	/* "service" (default) or "key" */
	int64_t		 wait_ms;	/* default 30s */
	int64_t		 interval_ms;	/* default 5m */
	int64_t		 repeat_ms;	/* default 4h */
	int		 send_resolved;	/* default 1 */
};

/* One notification of one group: what each remote sink formats. */
struct notification {
	const char		*group_by;
	const char		*ids;		/* "a1,a2": for the spool and messages */
	size_t			 n;		/* at least 1 */
	const struct alert_view	*const *alerts;	/* in the order they joined */
	const char *const	*raws;		/* their latest records */
	const size_t		*rawlens;
	const unsigned char	*news;		/* 1: changed since the last one */
	int			 repeat;	/* nothing changed: --repeat-interval */
};

/*
 * emit() spools one message per remote sink (inside a spool batch: it
 * cannot fail there); it returns 0.
 */
typedef int	(*group_emit_fn)(void *ctx, const struct notification *);

struct grouper;

void	 group_config_init(struct group_config *);
/* Never fails; the held alerts of an earlier run are back in groups. */
struct grouper *grouper_open(const struct group_config *, struct spool *,
	    group_emit_fn, void *ctx);
void	 grouper_close(struct grouper *);
/*
 * These return 0, or -1 when the spool could not be saved (reported).
 * group_clock() moves the clock to at (never back) and notifies the
 * groups due by then; group_add() puts an alert into its group (the
 * caller has decided it is to be delivered) and notifies it when it is
 * due at once (a --group-wait or --group-interval of 0).
 */
int	 group_clock(struct grouper *, int64_t at);
int	 group_add(struct grouper *, const struct alert_view *, const char *raw,
	    size_t rawlen);
int	 group_flush_all(struct grouper *);

#endif
