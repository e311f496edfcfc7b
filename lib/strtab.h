/*
 * strtab.h - a hash table from strings to one pointer-sized value each,
 * for the tables of names that hostile input can make large: correlate's
 * keys, alert's open alerts.  A lookup costs the same with ten names or
 * a million, so that a cap can be checked before any linear scan.
 *
 *	struct sb_strtab *t = sb_strtab_new();
 *	void **v;
 *
 *	if ((v = sb_strtab_get(t, "GET /a")) == NULL)
 *		*sb_strtab_put(t, "GET /a") = thing;
 *	sb_strtab_del(t, "GET /a");
 *	sb_strtab_free(t);
 *
 * The table owns copies of the names; the values are the caller's.
 * Allocation failure is fatal, as everywhere in libcommon (lib/buf.h).
 */
#ifndef SB_STRTAB_H
#define SB_STRTAB_H

#include <stddef.h>

struct sb_strtab;

struct sb_strtab *sb_strtab_new(void);
void	 sb_strtab_free(struct sb_strtab *);
/* The value of name, or NULL when name is not in the table. */
void	**sb_strtab_get(const struct sb_strtab *, const char *name);
/* The value of name, added (as NULL) when it was not in the table. */
void	**sb_strtab_put(struct sb_strtab *, const char *name);
/* 1 if name was there and is gone, 0 if it was not there. */
int	 sb_strtab_del(struct sb_strtab *, const char *name);
size_t	 sb_strtab_count(const struct sb_strtab *);

#endif
