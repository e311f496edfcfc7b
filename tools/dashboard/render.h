/*
 * render.h - the pages (html.c) and the JSON API (api.c).
 *
 * Every function appends to a caller's buffer and does no I/O.  Every
 * string that comes from the data goes through html_text() (pages) or
 * sb_buf_json_str() (API), never straight into the output.
 */
#ifndef DASH_RENDER_H
#define DASH_RENDER_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "data.h"

/* What a request asked for, validated. */
struct view {
	int64_t		 since, until;	/* ms, [since, until) */
	char		 range[8];	/* "1h", "6h", "24h", "7d" or "custom" */
	const char	*key;		/* NULL: none */
	const char	*filter;	/* overview: key substring */
	int		 severity;	/* alerts: SB_LV_NONE for any */
	const char	*state;		/* alerts: NULL for any */
	int		 refresh;	/* seconds; 0: off */
};

/* HTML-escapes s[0..n) for text and double-quoted attributes alike. */
void	 html_text(struct sb_buf *, const char *s, size_t n);
void	 html_str(struct sb_buf *, const char *s);
/* Percent-encodes s for a URL query value (then safe in an attribute). */
void	 url_value(struct sb_buf *, const char *s);

void	 html_overview(struct sb_buf *, const struct view *,
	    const struct dash_overview *);
void	 html_endpoint(struct sb_buf *, const struct view *,
	    const struct dash_series *, const struct dash_alerts *,
	    const struct sb_buf *signals);
void	 html_alerts(struct sb_buf *, const struct view *,
	    const struct dash_alerts *);
void	 html_error(struct sb_buf *, int status, const char *msg);

void	 api_endpoints(struct sb_buf *, const struct view *,
	    const struct dash_overview *);
void	 api_series(struct sb_buf *, const struct view *,
	    const struct dash_series *);
void	 api_alerts(struct sb_buf *, const struct view *,
	    const struct dash_alerts *);
void	 api_error(struct sb_buf *, int status, const char *msg);

#endif
