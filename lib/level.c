/*
 * level.c - severity names (see level.h).
 */
#include <string.h>

#include "level.h"

const char *
sb_level_name(int l)
{
	if (l >= SB_LV_CRITICAL)
		return "critical";
	if (l == SB_LV_WARNING)
		return "warning";
	if (l == SB_LV_INFO)
		return "info";
	return "none";
}

enum sb_level
sb_level_parse(const char *s)
{
	if (s == NULL)
		return SB_LV_NONE;
	for (int l = SB_LV_INFO; l <= SB_LV_CRITICAL; l++)
		if (strcmp(s, sb_level_name(l)) == 0)
			return (enum sb_level)l;
	return SB_LV_NONE;
}
