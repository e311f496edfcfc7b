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
int		 spool_remove(struct spool *, struct spool_item *);
struct spool_item *spool_first(struct spool *, const char *sink);
size_t		 spool_count(const struct spool *, const char *sink);
const char	*spool_error(const struct spool *);
/* The location, or NULL when in memory. */
const char	*spool_name(const struct spool *);
/* Messages for sinks other than these (NULL-terminated), for a warning. */
size_t		 spool_orphans(const struct spool *, const char *const *sinks);

#endif
