/*
 * record.c - one line, one record; see record.h.
 */
#include "record.h"

int
sb_record_parse(struct sb_json *js, struct sb_reader *in, const char *s,
    size_t n, long *type)
{
	long t;

	if (sb_json_parse(js, s, n) == -1)
		return sb_reader_bad(in, "invalid JSON: %s at byte %zu",
		    js->err, js->errpos + 1);
	if (js->tok[0].type != SB_JOBJECT)
		return sb_reader_bad(in, "not a JSON object");
	if (type == NULL)
		return 1;
	t = sb_json_member(js, 0, "type");
	if (t >= 0 && js->tok[t].type != SB_JSTRING)
		return sb_reader_bad(in, "'type' is not a string");
	*type = t;
	return 1;
}
