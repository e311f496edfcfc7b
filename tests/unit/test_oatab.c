/*
 * test_oatab.c - lib/oatab: items in, the same items found, through
 * growth and removal; removal inside runs of one hash (the backward
 * shift), a hash of 0, an eq callback; a million items in linear time.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "hash.h"
#include "oatab.h"
#include "../tap.h"

struct thing {
	const char	*name;
	int		 v;
};

static int
thing_is(const void *item, const void *key)
{
	return strcmp(((const struct thing *)item)->name, key) == 0;
}

static uint64_t
h_of(const char *s)
{
	return sb_fnv1a64_str(SB_FNV64_INIT, s);
}

int
main(void)
{
	struct sb_oatab t;
	struct thing *p;
	uint64_t k, *q;
	size_t bad = 0;
	clock_t c0;

	sb_oatab_init(&t, sizeof(struct thing));
	ok(sb_oatab_find(&t, h_of("a"), thing_is, "a") == NULL,
	    "an empty table has nothing");
	p = sb_oatab_add(&t, h_of("a"));
	ok(p->name == NULL && p->v == 0, "a new item is zeroed");
	*p = (struct thing){ "a", 7 };
	*(struct thing *)sb_oatab_add(&t, h_of("b")) = (struct thing){ "b", 8 };
	p = sb_oatab_find(&t, h_of("a"), thing_is, "a");
	ok(p != NULL && p->v == 7, "an item added is found");
	ok(sb_oatab_find(&t, h_of("c"), thing_is, "c") == NULL,
	    "one not added is not");
	sb_oatab_del(&t, p);
	ok(sb_oatab_find(&t, h_of("a"), thing_is, "a") == NULL, "a removed");
	p = sb_oatab_find(&t, h_of("b"), thing_is, "b");
	ok(p != NULL && p->v == 8, "the other stays");
	is_int(sb_oatab_count(&t), 1, "one item");
	sb_oatab_free(&t);

	/* Items that are their own keys; every one of the same hash. */
	sb_oatab_init(&t, sizeof k);
	for (k = 1; k <= 7; k++)
		*(uint64_t *)sb_oatab_add(&t, 0) = k * 100;
	k = 300;
	sb_oatab_del(&t, sb_oatab_find(&t, 0, NULL, &k));
	for (k = 100; k <= 700; k += 100) {
		q = sb_oatab_find(&t, 0, NULL, &k);
		bad += k == 300 ? q != NULL : q == NULL || *q != k;
	}
	is_int(bad, 0, "a run of one hash (0) keeps all but the one removed");
	sb_oatab_free(&t);

	/* Runs that wrap around the end of the slots. */
	sb_oatab_init(&t, sizeof k);
	c0 = clock();
	for (k = 0; k < 1000000; k++)
		*(uint64_t *)sb_oatab_add(&t, sb_fnv1a64(SB_FNV64_INIT, &k,
		    sizeof k)) = k;
	is_int(sb_oatab_count(&t), 1000000, "a million items in");
	for (k = 0; k < 1000000; k += 2) {
		q = sb_oatab_find(&t, sb_fnv1a64(SB_FNV64_INIT, &k, sizeof k),
		    NULL, &k);
		if (q == NULL)
			bad++;
		else
			sb_oatab_del(&t, q);
	}
	for (k = 0; k < 1000000; k++) {
		q = sb_oatab_find(&t, sb_fnv1a64(SB_FNV64_INIT, &k, sizeof k),
		    NULL, &k);
		bad += k % 2 == 0 ? q != NULL : q == NULL || *q != k;
	}
	is_int(bad, 0, "every other one removed, the rest found");
	is_int(sb_oatab_count(&t), 500000, "half left");
	ok((double)(clock() - c0) / CLOCKS_PER_SEC < 20,
	    "in linear time (%.2f s of CPU)",
	    (double)(clock() - c0) / CLOCKS_PER_SEC);
	sb_oatab_free(&t);
	return done_testing();
}
