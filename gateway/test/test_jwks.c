/* test_jwks.c - the JWKS fetcher's pure parts: the refresh request in a TD401 DETAIL, the
 * cache lifetime from Cache-Control, which URLs and addresses may be fetched; and the
 * fetcher's thread started and stopped with no database to talk to. */
#include "clock.h"
#include "jwks.h"
#include "tap.h"

static void
cache(const char *header, unsigned expected)
{
	is_int(jwks_cache_seconds(header), expected, "Cache-Control %s: %u s",
	       header != NULL ? header : "(none)", expected);
}

static void
url(const char *u, bool expected)
{
	char why[128] = "";

	ok(jwks_url_allowed(u, why, sizeof why) == expected, "%s %s%s%s", u,
	   expected ? "allowed" : "refused", expected ? "" : ": ", why);
}

int
main(void)
{
	char name[16];

	ok(jwks_refresh_detail("{\"jwks_refresh\": \"betterauth\"}", name, sizeof name) &&
	   strcmp(name, "betterauth") == 0, "DETAIL {\"jwks_refresh\": \"betterauth\"} names it");
	ok(!jwks_refresh_detail(NULL, name, sizeof name), "no DETAIL: no refresh");
	ok(!jwks_refresh_detail("not json", name, sizeof name), "DETAIL not JSON: no refresh");
	ok(!jwks_refresh_detail("{\"jwks_refresh\": 5}", name, sizeof name), "a number: no refresh");
	ok(!jwks_refresh_detail("{\"jwks_refresh\": \"\"}", name, sizeof name), "empty: no refresh");
	ok(!jwks_refresh_detail("[\"jwks_refresh\"]", name, sizeof name), "an array: no refresh");
	ok(!jwks_refresh_detail("{\"jwks_refresh\": \"a-name-longer-than-16\"}", name, sizeof name),
	   "a name longer than the buffer: no refresh");

	cache(NULL, GW_JWKS_DEFAULT_CACHE_S);
	cache("", GW_JWKS_DEFAULT_CACHE_S);
	cache("public", GW_JWKS_DEFAULT_CACHE_S);
	cache("max-age=45", 45);
	cache("public, max-age=3600", 3600);
	cache("Max-Age=120, must-revalidate", 120);
	cache("max-age = 90", 90);
	cache("max-age=\"60\"", 60);
	cache("max-age=1", GW_JWKS_MIN_INTERVAL_S);
	cache("max-age=0", GW_JWKS_MIN_INTERVAL_S);
	cache("max-age=31536000", GW_JWKS_MAX_CACHE_S);
	cache("max-age=99999999999999999999999999", GW_JWKS_MAX_CACHE_S);
	cache("max-age=-5", GW_JWKS_DEFAULT_CACHE_S);
	cache("max-age=abc", GW_JWKS_DEFAULT_CACHE_S);
	cache("max-age", GW_JWKS_DEFAULT_CACHE_S);
	cache("s-maxage=10", GW_JWKS_DEFAULT_CACHE_S);
	cache("no-cache", GW_JWKS_MIN_INTERVAL_S);
	cache("no-store, max-age=600", GW_JWKS_MIN_INTERVAL_S);
	cache("no-transform, max-age=600", 600);

	url("https://auth.example.com/api/auth/jwks", true);
	url("HTTPS://auth.example.com:8443/jwks", true);
	url("http://127.0.0.1:3000/api/auth/jwks", true);
	url("http://127.8.9.10/jwks", true);
	url("http://localhost:3000/api/auth/jwks", true);
	url("http://[::1]:3000/jwks", true);
	url("http://auth.example.com/api/auth/jwks", false);
	url("http://10.0.0.1/jwks", false);
	url("http://128.0.0.1/jwks", false);
	url("http://localhost.example.com/jwks", false);
	url("http://[::2]/jwks", false);
	url("ftp://127.0.0.1/jwks", false);
	url("file:///etc/passwd", false);
	url("gopher://127.0.0.1/", false);
	url("not a url", false);
	url("", false);

	ok(jwks_ip_loopback("127.0.0.1") && jwks_ip_loopback("127.255.0.9") &&
	   jwks_ip_loopback("::1") && jwks_ip_loopback("::ffff:127.0.0.1"),
	   "loopback addresses: 127.0.0.0/8, ::1, IPv4-mapped 127/8");
	ok(!jwks_ip_loopback("10.1.2.3") && !jwks_ip_loopback("::ffff:10.0.0.1") &&
	   !jwks_ip_loopback("fe80::1") && !jwks_ip_loopback(NULL) && !jwks_ip_loopback("localhost"),
	   "other addresses, names and NULL are not");
	/* the fetcher without a database: a refresh asked for is answered false, in time */
	{
		struct gw_pool   *pool = pool_create("postgresql://todo_gateway@127.0.0.1:1/none", 1);
		struct gw_jwks   *j = pool != NULL ? jwks_start(pool) : NULL;
		struct gw_qresult q = { .status = GW_Q_SQL_ERROR, .sqlstate = "TD401",
		                        .detail = "{\"jwks_refresh\": \"nowhere\"}" };
		int64_t           t0 = clock_now_us();

		ok(j != NULL, "the fetcher starts (its database unreachable)");
		ok(!jwks_refresh_for(j, &q, "test"), "TD401 asking for an issuer it cannot read: no rerun");
		ok(clock_now_us() - t0 < (GW_JWKS_WAIT_S + 1) * GW_US_PER_SEC,
		   "... answered within the wait bound");
		q.sqlstate = "TD403";
		ok(!jwks_refresh_for(j, &q, "test"), "another SQLSTATE: no refresh, no rerun");
		q.status = GW_Q_ROW;
		q.error = "{\"sqlstate\": \"TD401\", \"detail\": {\"jwks_refresh\": \"nowhere\"}}";
		ok(!jwks_refresh_for(j, &q, "test"), "the same as a committed error: no rerun either");
		ok(!jwks_refresh_for(NULL, &q, "test"), "no fetcher: no rerun");
		jwks_free(j);
		pool_destroy(pool);
	}
	return done_testing();
}
