/*
 * aggstate.c - the state file of aggregate --state; see aggstate.h.
 */
#include <stdio.h>
#include <string.h>

#include "aggstate.h"
#include "json.h"
#include "reader.h"

void
aggstate_write(const struct aggstate *st, struct sb_buf *out)
{
	struct sb_buf body = SB_BUF_INIT;
	size_t lines = 0;

	if (st->merge != NULL) {
		merge_save(st->merge, &body);
	} else {
		sb_buf_puts(&body, "{\"type\":\"gate\",\"gate\":");
		sb_gate_write(st->gate, &body);
		sb_buf_puts(&body, "}\n");
		agg_save(st->agg, &body);
	}
	for (size_t i = 0; i < body.len; i++)
		lines += body.s[i] == '\n';
	sb_buf_printf(out, "{\"type\":\"aggregate_state\",\"version\":%d,"
	    "\"mode\":\"%s\",\"lines\":%zu}\n", AGGSTATE_VERSION,
	    st->merge != NULL ? "merge" : "events", lines);
	if (body.len > 0)
		sb_buf_add(out, body.s, body.len);
	sb_buf_free(&body);
}

/* The header line; -1 with a message in err. */
static int
read_header(const struct aggstate *st, const struct sb_json *js,
    int64_t *lines, char *err, size_t errsz)
{
	const char *mode = st->merge != NULL ? "merge" : "events";
	int64_t v;
	long t;

	t = js->type;
	if (t < 0 || !sb_json_streq(js, (size_t)t, "aggregate_state")) {
		snprintf(err, errsz, "not an aggregate state");
		return -1;
	}
	t = sb_json_member(js, 0, "version");
	if (t < 0 || sb_json_int(js, (size_t)t, &v) == -1 ||
	    v != AGGSTATE_VERSION) {
		snprintf(err, errsz, "not an aggregate state of a version this "
		    "aggregate reads (%d)", AGGSTATE_VERSION);
		return -1;
	}
	t = sb_json_member(js, 0, "mode");
	if (t < 0 || (!sb_json_streq(js, (size_t)t, "events") &&
	    !sb_json_streq(js, (size_t)t, "merge"))) {
		snprintf(err, errsz, "'mode' is not \"events\" or \"merge\"");
		return -1;
	}
	if (!sb_json_streq(js, (size_t)t, mode)) {
		snprintf(err, errsz, "the state is of aggregate %s, this run "
		    "%s", st->merge != NULL ? "without --merge" : "--merge",
		    st->merge != NULL ? "merges" : "does not merge");
		return -1;
	}
	t = sb_json_member(js, 0, "lines");
	if (t < 0 || sb_json_int(js, (size_t)t, lines) == -1 || *lines < 0) {
		snprintf(err, errsz, "'lines' is not a number of lines");
		return -1;
	}
	return 0;
}

/* A line after the header; -1 with a message in err. */
static int
read_body(const struct aggstate *st, const struct sb_json *js, int strict,
    int *gate_seen, char *err, size_t errsz)
{
	long t = js->type;

	if (st->merge != NULL)
		return merge_load(st->merge, js, err, errsz);
	if (t >= 0 && sb_json_streq(js, (size_t)t, "gate")) {
		if (*gate_seen) {
			snprintf(err, errsz, "a second 'gate' line");
			return -1;
		}
		*gate_seen = 1;
		t = sb_json_member(js, 0, "gate");
		if (t < 0) {
			snprintf(err, errsz, "no 'gate' in the 'gate' line");
			return -1;
		}
		return sb_gate_read(st->gate, js, (size_t)t, strict, err,
		    errsz);
	}
	return agg_load(st->agg, js, err, errsz);
}

int
aggstate_read(const struct aggstate *st, const char *name, const char *data,
    size_t len, int strict, char *err, size_t errsz)
{
	struct sb_reader in;
	struct sb_json js;
	char why[300], *line;
	int64_t lines = -1;
	int gate_seen = 0, rc = 0;
	size_t n;

	sb_reader_open_mem(&in, name, data, len);
	in.max_line = len + 1;
	sb_json_init(&js);
	while (rc == 0 && sb_reader_next(&in, &line, &n, -1) == SB_READ_LINE) {
		if (sb_json_parse(&js, line, n) == -1) {
			snprintf(why, sizeof why, "invalid JSON: %s", js.err);
			rc = -1;
		} else if (js.tok[0].type != SB_JOBJECT) {
			snprintf(why, sizeof why, "not a JSON object");
			rc = -1;
		} else if (in.lineno == 1) {
			rc = read_header(st, &js, &lines, why, sizeof why);
		} else if ((int64_t)in.lineno - 1 > lines) {
			snprintf(why, sizeof why, "more lines than the %lld "
			    "the header says", (long long)lines);
			rc = -1;
		} else {
			rc = read_body(st, &js, strict, &gate_seen, why,
			    sizeof why);
		}
		if (rc == -1)
			snprintf(err, errsz, "%s:%llu: %s", name,
			    (unsigned long long)in.lineno, why);
	}
	if (rc == 0 && in.lineno == 0) {
		snprintf(err, errsz, "%s: empty, not an aggregate state", name);
		rc = -1;
	} else if (rc == 0 && (int64_t)in.lineno - 1 != lines) {
		snprintf(err, errsz, "%s: cut short: %lld lines expected, %llu "
		    "read", name, (long long)lines,
		    (unsigned long long)(in.lineno - 1));
		rc = -1;
	} else if (rc == 0 && st->merge == NULL &&
	    (!gate_seen || agg_load_end(st->agg, why, sizeof why) == -1)) {
		if (!gate_seen)
			snprintf(why, sizeof why, "no 'gate' line");
		snprintf(err, errsz, "%s: %s", name, why);
		rc = -1;
	}
	sb_reader_close(&in);
	sb_json_free(&js);
	return rc;
}
