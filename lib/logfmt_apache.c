/*
 * logfmt_apache.c - Apache's combined format with %D, the time taken
 * to serve the request in microseconds, appended:
 *
 *	LogFormat "%h %l %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-Agent}i\" %D" slowburn
 *
 * %b is "-" for an empty body, read as no size; %D is the latency.
 */
#include <stdio.h>

#include "logfmt_impl.h"

static const struct lf_combined_names names = { "%t", "%r", "%>s", "%b" };

static int
apache_read(struct sb_event *ev, struct sb_json *js, const char *s, size_t n,
    char *err, size_t errsz)
{
	struct lf_cur c = { s, s + n };
	struct lf_field f = { "", 0 };
	int64_t bytes, us;
	char show[LF_SHOW];

	if (lf_combined(&c, ev, &bytes, &names, err, errsz) == -1)
		return -1;
	if (lf_token(&c, &f) == -1) {
		snprintf(err, errsz, "no '%%D' after the combined fields (add "
		    "it to LogFormat; see slowburn-records(5))");
		return -1;
	}
	if (lf_uint(&f, &us) == -1 || f.s[0] == '+' || !lf_at_end(&c)) {
		snprintf(err, errsz, "'%%D' is not microseconds: '%s'",
		    lf_show(&f, show));
		return -1;
	}
	lf_set_numbers(ev, us, bytes);
	return 0;
}

const struct sb_logfmt sb_logfmt_apache = { "apache", apache_read };
