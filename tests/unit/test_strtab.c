/*
 * test_strtab.c - lib/strtab: names in, the same values out, through
 * growth and deletion; a million names in linear time.
 */
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "strtab.h"
#include "../tap.h"

int
main(void)
{
	struct sb_strtab *t = sb_strtab_new();
	char name[32];
	void **v;
	size_t bad = 0;
	clock_t c0;

	ok(sb_strtab_get(t, "a") == NULL, "an empty table has nothing");
	*sb_strtab_put(t, "a") = (void *)(uintptr_t)7;
	v = sb_strtab_get(t, "a");
	ok(v != NULL && *v == (void *)(uintptr_t)7, "a value put is got");
	ok(sb_strtab_put(t, "a") == v, "putting a name again gives its slot");
	is_int(sb_strtab_count(t), 1, "one name");
	ok(sb_strtab_get(t, "") == NULL, "the empty name is another name");
	*sb_strtab_put(t, "") = (void *)(uintptr_t)8;
	is_int(sb_strtab_del(t, "a"), 1, "a deleted");
	is_int(sb_strtab_del(t, "a"), 0, "not twice");
	ok(sb_strtab_get(t, "a") == NULL, "a is gone");
	ok(*sb_strtab_get(t, "") == (void *)(uintptr_t)8, "the other stays");

	c0 = clock();
	for (uintptr_t i = 0; i < 1000000; i++) {
		snprintf(name, sizeof name, "GET /k%lu", (unsigned long)i);
		*sb_strtab_put(t, name) = (void *)(i + 1);
	}
	is_int(sb_strtab_count(t), 1000001, "a million names in");
	for (uintptr_t i = 0; i < 1000000; i += 2) {
		snprintf(name, sizeof name, "GET /k%lu", (unsigned long)i);
		bad += sb_strtab_del(t, name) != 1;
	}
	for (uintptr_t i = 0; i < 1000000; i++) {
		snprintf(name, sizeof name, "GET /k%lu", (unsigned long)i);
		v = sb_strtab_get(t, name);
		bad += i % 2 == 0 ? v != NULL : v == NULL || *v != (void *)(i + 1);
	}
	is_int(bad, 0, "every other one deleted, the rest as put");
	is_int(sb_strtab_count(t), 500001, "half left");
	ok((double)(clock() - c0) / CLOCKS_PER_SEC < 20,
	    "in linear time (%.2f s of CPU)",
	    (double)(clock() - c0) / CLOCKS_PER_SEC);
	sb_strtab_free(t);
	return done_testing();
}
