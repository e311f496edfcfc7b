/*
 * test_level.c - lib/level: the one severity vocabulary, names and
 * parse round-trip, order, and what is not a level.
 */
#include "level.h"
#include "../tap.h"

int
main(void)
{
	is_str(sb_level_name(SB_LV_INFO), "info", "info");
	is_str(sb_level_name(SB_LV_WARNING), "warning", "warning");
	is_str(sb_level_name(SB_LV_CRITICAL), "critical", "critical");
	is_str(sb_level_name(SB_LV_NONE), "none", "none names itself");
	is_str(sb_level_name(SB_LV_CRITICAL + 1), "critical",
	    "above critical is critical (a bumped level)");
	for (int l = SB_LV_INFO; l <= SB_LV_CRITICAL; l++)
		is_int(sb_level_parse(sb_level_name(l)), l, "%s round-trips",
		    sb_level_name(l));
	is_int(sb_level_parse("warning") > sb_level_parse("info"), 1,
	    "warning is above info");
	is_int(sb_level_parse("critical") > sb_level_parse("warning"), 1,
	    "critical is above warning");
	is_int(sb_level_parse("info") > SB_LV_NONE, 1, "info is above none");
	is_int(sb_level_parse("none"), SB_LV_NONE, "'none' is not a level");
	is_int(sb_level_parse("Critical"), SB_LV_NONE, "case matters");
	is_int(sb_level_parse("error"), SB_LV_NONE, "'error' is not ours");
	is_int(sb_level_parse(""), SB_LV_NONE, "empty");
	is_int(sb_level_parse("critical "), SB_LV_NONE, "no trailing space");
	is_int(sb_level_parse(NULL), SB_LV_NONE, "NULL: absent");
	return done_testing();
}
