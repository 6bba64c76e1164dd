/* test_jsonnum.c - numbers jsonb's numeric refuses, found in JSON texts jansson accepts.
 * Each verdict is PostgreSQL 15's ('{"d":N}'::jsonb succeeds or fails with 22003). */
#include <string.h>

#include "jsonnum.h"
#include "tap.h"

static void
fits(const char *json, bool expected)
{
	ok(jsonnum_all_fit(json, strlen(json)) == expected, "%.60s: %s", json,
	   expected ? "fits numeric" : "does not fit numeric");
}

int
main(void)
{
	char long_fraction[20100];
	char max_fraction[16400];

	fits("{\"d\":1e-20000}", false);
	fits("{\"d\":-1e-20000}", false);
	fits("{\"d\":1e-16383}", true);
	fits("{\"d\":1e-16384}", false);
	fits("{\"d\":0.1e-16383}", false);
	fits("{\"d\":1.5e-16383}", false);
	fits("{\"d\":10e-16384}", false);          /* the scale counts digits, not value */
	fits("{\"d\":0e-20000}", false);
	fits("{\"d\":0.0e-16384}", false);
	fits("{\"d\":0e99999999}", true);
	fits("{\"d\":0e1073741822}", true);
	fits("{\"d\":0e1073741823}", false);       /* INT_MAX / 2: refused whatever the digits */
	fits("{\"d\":0e001073741823}", false);     /* found by fuzz/gateway_body */
	fits("{\"d\":-0.0E+1073741823}", false);
	fits("{\"d\":0.00000e5}", true);
	fits("{\"d\":1e131071}", true);
	fits("{\"d\":12e131071}", false);
	fits("{\"d\":1e2147483647}", false);
	fits("{\"d\":1e-2147483648}", false);
	fits("{\"d\":1e99999999999999999999}", false);
	fits("{\"d\":1e1000,\"e\":-1e-1000,\"f\":[0,-0,1.5,1E+2]}", true);
	fits("{\"d\":\"1e-20000\",\"1e-20000\":true}", true);   /* in strings: text */
	fits("{\"a\\\"1e-20000\":\"\\\\\",\"b\":[1e-20000]}", false);

	memcpy(long_fraction, "{\"d\":0.", 7);
	memset(long_fraction + 7, '0', 20000);
	memcpy(long_fraction + 20007, "1}", 3);
	fits(long_fraction, false);
	memcpy(max_fraction, "{\"d\":0.", 7);
	memset(max_fraction + 7, '0', 16382);
	memcpy(max_fraction + 7 + 16382, "1}", 3);
	fits(max_fraction, true);                     /* 16383 digits after the point */
	return done_testing();
}
