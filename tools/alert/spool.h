/*
 * spool.h - the messages each sink has not yet accepted, in order, and
 * kept where a restart finds them: a file (rewritten atomically on every
 * change, lib/file.h) or "store:NAME" in the storage backend's state
 * area (lib/state.h).  Without a location the spool lives in memory only.
 *
 * The spool is one list for all sinks; every message names its sink, so
 * a sink replays its own messages in the order they were added.  Saved
 * as JSON lines: {"sink":"webhook","seq":7,"id":"9f3c2a71","body":"..."}.
 *
 * A group message (group.h) is one item whose id lists the ids of its
 * alerts, comma-separated; alerts waiting in a group are items of the
 * sink "group" whose body is the alert record.
 *
 * The spool owns the items and their copies of name and body; an item
 * returned by spool_first() is valid until spool_remove() of it.
 */
#ifndef SPOOL_H
#define SPOOL_H

#include <stddef.h>
#include <stdint.h>

struct spool_item {
	char			*sink;
	char			*id;		/* the alert's, for messages */
	uint64_t		 seq;
	char			*body;
	size_t			 len;
	struct spool_item	*next;
};

struct spool;

/* NULL location: memory only.  NULL with err set if it cannot be read. */
struct spool	*spool_open(const char *location, char *err, size_t errsz);
void		 spool_close(struct spool *);
/* 0, or -1 with spool_error() when the new list could not be saved. */
int		 spool_add(struct spool *, const char *sink, const char *id,
		    const char *body, size_t len);
/* As spool_add(), returning the new item; NULL on failure. */
struct spool_item *spool_put(struct spool *, const char *sink, const char *id,
		    const char *body, size_t len);
int		 spool_remove(struct spool *, struct spool_item *);
struct spool_item *spool_first(struct spool *, const char *sink);
/* The item after it for the same sink, or NULL. */
struct spool_item *spool_next(struct spool_item *, const char *sink);
size_t		 spool_count(const struct spool *, const char *sink);
const char	*spool_error(const struct spool *);
/*
 * 0 when the last save failed (a full disk): the location then holds an
 * older list than memory; 1 otherwise.
 */
int		 spool_saved(const struct spool *);
/* The location, or NULL when in memory. */
const char	*spool_name(const struct spool *);
/*
 * Changes between spool_begin() and spool_commit() are saved together, in
 * one atomic rewrite: spool_add() and spool_remove() cannot fail inside;
 * spool_commit() returns 0, or -1 with spool_error() (memory keeps the
 * changes then).  Batches nest; the outermost commit saves.
 */
void		 spool_begin(struct spool *);
int		 spool_commit(struct spool *);
/* Alerts in the messages pending for sink: each id of each item. */
size_t		 spool_alerts(const struct spool *, const char *sink);
/* Messages for sinks other than these (NULL-terminated), for a warning. */
size_t		 spool_orphans(const struct spool *, const char *const *sinks);

#endif
