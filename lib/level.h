/*
 * level.h - the one severity vocabulary: "info", "warning", "critical"
 * (correlate(1), SEVERITY), as jq's jv_kind and jv_kind_name.
 *
 * Records carry a severity as a string; tools read it with
 * sb_level_parse() and compare the enum, never the string.  Names are
 * static strings the caller must not free.
 */
#ifndef SB_LEVEL_H
#define SB_LEVEL_H

/* SB_LV_NONE: absent, unknown, or "any" in a filter.  Ordered: a higher
 * level is more severe. */
enum sb_level { SB_LV_NONE = -1, SB_LV_INFO, SB_LV_WARNING, SB_LV_CRITICAL };

/* "info", "warning", "critical"; "none" for SB_LV_NONE (or any other
 * value below SB_LV_INFO); above SB_LV_CRITICAL is "critical". */
const char	*sb_level_name(int);
/* The level a name spells; SB_LV_NONE for NULL or any other string. */
enum sb_level	 sb_level_parse(const char *);

#endif
