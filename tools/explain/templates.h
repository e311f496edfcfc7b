/*
 * templates.h - explain's text templates: NAME = TEXT lines with {name}
 * placeholders; see explain(1), TEMPLATES, and examples/templates.txt.
 *
 * A struct tmpl_set owns its strings.  Several entries may share a name
 * (the rec.* lists); tmpl_get() returns the first, tmpl_next() the rest.
 */
#ifndef TEMPLATES_H
#define TEMPLATES_H

#include <stddef.h>

#include "buf.h"

struct tmpl {
	char	*name;
	char	*text;
};

struct tmpl_set {
	struct tmpl	*v;
	size_t		 n;
};

extern const char templates_builtin[];

/*
 * Adds the templates of text (named file, for messages) to the set.  With
 * replace, a name the text defines drops that name's earlier entries.
 * 0, or -1 with "FILE:LINE: what is wrong" in err.
 */
int	 tmpl_load(struct tmpl_set *, const char *text, const char *file,
	    int replace, char *err, size_t errsz);
void	 tmpl_free(struct tmpl_set *);
/* Index of the first (or next after i) entry named name, or -1. */
long	 tmpl_find(const struct tmpl_set *, const char *name, long after);

/*
 * Expands text into out; lookup appends a placeholder's value to out and
 * returns 0, or -1 when it has none for this alert ("?" is written).
 */
typedef int (*tmpl_lookup)(void *ctx, const char *name, struct sb_buf *out);
void	 tmpl_expand(const char *text, tmpl_lookup, void *ctx,
	    struct sb_buf *out);

#endif
