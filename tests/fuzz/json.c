/*
 * json.c - the JSON tokenizer (lib/json.c), differentially against
 * jansson: both must accept and reject the same inputs (json.h), but for
 * the two documented differences: numbers out of a double's or int64's
 * range (jansson refuses them, json.h leaves range to the caller) and a
 * NUL byte right after a number or literal (jansson loses it in its
 * look-ahead and accepts).  On acceptance both must see the same top-level
 * type and size, and the token tree must be well formed.
 */
#include <jansson.h>
#include <string.h>

#include "fuzz.h"
#include "json.h"

static struct sb_json js;

static int
jtype(const json_t *j)
{
	switch (json_typeof(j)) {
	case JSON_OBJECT:	return SB_JOBJECT;
	case JSON_ARRAY:	return SB_JARRAY;
	case JSON_STRING:	return SB_JSTRING;
	case JSON_INTEGER:
	case JSON_REAL:		return SB_JNUMBER;
	case JSON_TRUE:		return SB_JTRUE;
	case JSON_FALSE:	return SB_JFALSE;
	case JSON_NULL:		return SB_JNULL;
	}
	return 0;
}

static size_t
jsize(const json_t *j)
{
	if (json_is_object(j))
		return json_object_size(j);
	if (json_is_array(j))
		return json_array_size(j);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	static int init;
	json_error_t e;
	json_t *j;
	int ours;

	if (!init) {
		sb_json_init(&js);
		init = 1;
	}
	ours = sb_json_parse(&js, (const char *)d, n) == 0;
	j = json_loadb((const char *)d, n, JSON_DECODE_ANY, &e);
	if (ours && j == NULL) {
		/* Range is the caller's (json.h); jansson checks it. */
		FUZZ_CHECK(strstr(e.text, "overflow") != NULL ||
		    strstr(e.text, "too big") != NULL);
	} else if (!ours && j != NULL) {
		FUZZ_CHECK(memchr(d, '\0', n) != NULL);
	} else if (ours) {
		FUZZ_CHECK(js.ntok > 0 && js.tok[0].skip == js.ntok);
		FUZZ_CHECK(js.tok[0].type == jtype(j));
		/* jansson keeps the last of a repeated key */
		FUZZ_CHECK(js.tok[0].type == SB_JOBJECT ?
		    js.tok[0].size >= jsize(j) : js.tok[0].size == jsize(j));
	} else {
		FUZZ_CHECK(js.ntok == 0 && js.errpos <= n);
	}
	json_decref(j);
	return 0;
}
