/*
 * table.h - detect's series by (key, width): the table detect.c keeps and
 * state.c saves to and restores from --state.  The table owns its series;
 * table_free() frees them with series_free().
 */
#ifndef DETECT_TABLE_H
#define DETECT_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"
#include "oatab.h"

struct table {
	struct sb_oatab	 index;		/* of struct series *, by key, width */
	struct series	**list;		/* creation order: the state file's */
	size_t		 nlist, listcap;
};

void	 table_init(struct table *);
void	 table_free(struct table *);
/* The series of key (n bytes) and width, or NULL. */
struct series *table_find(const struct table *, const char *key, size_t n,
	    int64_t width);
/* Adds a series table_find() does not know. */
void	 table_add(struct table *, struct series *);

struct sb_state;

/* 0, or -1 after a message on stderr; state_load() 0 also without a file. */
int	 state_load(struct sb_state *, const struct model_config *,
	    struct table *);
int	 state_save(struct sb_state *, const struct model_config *,
	    const struct table *);

#endif
