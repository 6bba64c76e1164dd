/* test_freshness.c - the per-user last-write table: kept per key and kind, only raised,
 * bounded, and a collision errs towards the primary (a later time, never an earlier one). */
#include <stdio.h>

#include "freshness.h"
#include "tap.h"

int
main(void)
{
	struct gw_freshness *f = freshness_create();
	char                 key[32];
	unsigned             later = 0;

	ok(f != NULL, "created");
	is_int(freshness_last(f, 't', "tok-a"), 0, "a key never written: 0");
	freshness_note(f, 't', "tok-a", 1000);
	is_int(freshness_last(f, 't', "tok-a"), 1000, "its write's time");
	freshness_note(f, 't', "tok-a", 500);
	is_int(freshness_last(f, 't', "tok-a"), 1000, "an earlier time never lowers it");
	freshness_note(f, 't', "tok-a", 2000);
	is_int(freshness_last(f, 't', "tok-a"), 2000, "a later one raises it");
	freshness_note(f, 't', NULL, 9000);
	freshness_note(f, 'u', "", 9000);
	is_int(freshness_last(f, 't', NULL), 0, "a NULL key: nothing recorded, 0");
	is_int(freshness_last(f, 'u', ""), 0, "an empty key: nothing recorded, 0");
	is_int(freshness_last(NULL, 't', "tok-a"), 0, "no table: 0");

	/* more keys than slots: every key still reads at least its own write's time */
	for (unsigned i = 0; i < 2 * GW_FRESHNESS_SLOTS; i++) {
		snprintf(key, sizeof key, "user-%u", i);
		freshness_note(f, 'u', key, 10000 + i);
	}
	for (unsigned i = 0; i < 2 * GW_FRESHNESS_SLOTS; i++) {
		int64_t t;

		snprintf(key, sizeof key, "user-%u", i);
		t = freshness_last(f, 'u', key);
		if (t < 10000 + (int64_t) i)
			break;
		later += t > 10000 + (int64_t) i;
	}
	ok(later > 0, "twice as many keys as slots: some share a slot (%u read a later time)", later);
	{
		unsigned lower = 0;

		for (unsigned i = 0; i < 2 * GW_FRESHNESS_SLOTS; i++) {
			snprintf(key, sizeof key, "user-%u", i);
			lower += freshness_last(f, 'u', key) < 10000 + (int64_t) i;
		}
		is_int(lower, 0, "and none reads a time before its own write");
	}
	freshness_free(f);
	freshness_free(NULL);
	return done_testing();
}
