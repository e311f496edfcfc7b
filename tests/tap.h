/*
 * tap.h - the Test Anything Protocol in a few lines, for prove(1).
 *
 *	ok(x == 1, "x is one");
 *	is_int(got, 42, "answer");
 *	return done_testing();
 */
#ifndef TAP_H
#define TAP_H
#include <stdio.h>
#include <string.h>
static int tap_n, tap_fail;
#define ok(c, ...) (++tap_n, (c) ? (printf("ok %d - ", tap_n), printf(__VA_ARGS__), puts(""), 1) : \
	(++tap_fail, printf("not ok %d - ", tap_n), printf(__VA_ARGS__), printf("\n#   at %s:%d\n", __FILE__, __LINE__), 0))
#define is_int(a, b, ...) (ok((long long)(a) == (long long)(b), __VA_ARGS__) || \
	(printf("#   got %lld, expected %lld\n", (long long)(a), (long long)(b)), 0))
#define is_str(a, b, ...) (ok(strcmp((a), (b)) == 0, __VA_ARGS__) || \
	(printf("#   got '%s', expected '%s'\n", (a), (b)), 0))
#define done_testing() (printf("1..%d\n", tap_n), tap_fail != 0)
#endif
