/*
 * test_httpc.c - lib/httpc's Retry-After: delay-seconds and the three
 * HTTP-date forms of RFC 9110 section 5.6.7, and what is neither.
 */

#include "httpc.h"
#include "../tap.h"

#define T	1445412480	/* Wed, 21 Oct 2015 07:28:00 GMT */

int
main(void)
{
	is_int(sb_httpc_retry_after("120", T), 120000, "seconds");
	is_int(sb_httpc_retry_after("0", T), 0, "zero seconds");
	is_int(sb_httpc_retry_after("1000000000", T), 1000000000000LL,
	    "10^9 seconds");
	is_int(sb_httpc_retry_after("99999999999", T), -1, "too many seconds");
	is_int(sb_httpc_retry_after("", T), -1, "empty");
	is_int(sb_httpc_retry_after("5abc", T), -1, "digits then junk");
	is_int(sb_httpc_retry_after("1.5", T), -1, "a fraction");
	is_int(sb_httpc_retry_after("soon", T), -1, "a word");
	is_int(sb_httpc_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", T - 120),
	    120000, "IMF-fixdate, two minutes on");
	is_int(sb_httpc_retry_after("Wednesday, 21-Oct-15 07:28:00 GMT",
	    T - 60), 60000, "RFC 850 date");
	is_int(sb_httpc_retry_after("Wed Oct 21 07:28:00 2015", T - 5), 5000,
	    "asctime date");
	is_int(sb_httpc_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", T), 0,
	    "a date now: no wait");
	is_int(sb_httpc_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", T + 3600),
	    0, "a date past: no wait");
	return done_testing();
}
