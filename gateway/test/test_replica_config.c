/* test_replica_config.c - DATABASE_READ_URL split on spaces (commas kept), REPLICA_* bounds,
 * messages without values. */
#include <string.h>

#include "replica_config.h"
#include "tap.h"

static const char *const *env;

static const char *
fake_getenv(const char *name)
{
	size_t n = strlen(name);

	for (const char *const *e = env; *e != NULL; e++) {
		if (strncmp(*e, name, n) == 0 && (*e)[n] == '=')
			return *e + n + 1;
	}
	return NULL;
}

static int
load(struct gw_replica_config *rc, const char *const *vars, char *err, size_t errlen)
{
	env = vars;
	err[0] = '\0';
	return replica_config_load(rc, fake_getenv, 7, err, errlen);
}

int
main(void)
{
	struct gw_replica_config rc;
	char                     err[256];

	{
		static const char *const v[] = { NULL };

		is_int(load(&rc, v, err, sizeof err), 0, "no DATABASE_READ_URL: accepted");
		is_int(rc.n, 0, "no replicas");
		is_int(rc.max_lag_ms, 2000, "REPLICA_MAX_LAG_MS defaults to 2000");
		is_int(rc.check_ms, 250, "REPLICA_CHECK_MS defaults to 250");
		is_int(rc.pool_size, 7, "REPLICA_POOL_SIZE defaults to POOL_SIZE");
		replica_config_free(&rc);
	}
	{
		static const char *const v[] = {
			"DATABASE_READ_URL=  postgresql://u:pw@r1:5432/todo \t"
			"postgres://u:pw@r2a:5432,r2b:5433/todo?target_session_attrs=any  ", NULL };

		is_int(load(&rc, v, err, sizeof err), 0, "two URIs, spaces around: accepted");
		is_int(rc.n, 2, "two replicas");
		is_str(rc.url[0], "postgresql://u:pw@r1:5432/todo", "the first URI");
		is_str(rc.url[1], "postgres://u:pw@r2a:5432,r2b:5433/todo?target_session_attrs=any",
		       "the second, its commas (several hosts) kept");
		replica_config_free(&rc);
	}
	{
		static const char *const v[] = { "DATABASE_READ_URL=", NULL };

		is_int(load(&rc, v, err, sizeof err), 0, "empty DATABASE_READ_URL: no replicas");
		is_int(rc.n, 0, "none");
		replica_config_free(&rc);
	}
	{
		static const char *const v[] = {
			"DATABASE_READ_URL=host=r1 password=s3cret-pw dbname=todo", NULL };

		is_int(load(&rc, v, err, sizeof err), -1, "the key=value form is refused (it has spaces)");
		ok(strstr(err, "DATABASE_READ_URL item 1") != NULL, "the message names the item");
		ok(strstr(err, "s3cret-pw") == NULL, "and never quotes it");
	}
	{
		static const char *const v[] = {
			"DATABASE_READ_URL=postgresql://u:pw@r1/todo postgresql://u:s3cret-pw@r2/db?no_such_option=1",
			NULL };

		is_int(load(&rc, v, err, sizeof err), -1, "an unparsable second URI is refused");
		ok(strstr(err, "item 2") != NULL, "the message names item 2");
		ok(strstr(err, "s3cret-pw") == NULL, "and never quotes its password");
	}
	{
		static const char *const v[] = {
			"DATABASE_READ_URL=postgresql://a/x postgresql://b/x postgresql://c/x "
			"postgresql://d/x postgresql://e/x postgresql://f/x postgresql://g/x "
			"postgresql://h/x postgresql://i/x", NULL };

		is_int(load(&rc, v, err, sizeof err), -1, "nine replicas: more than the most");
	}
	{
		static const char *const v[] = { "REPLICA_CHECK_MS=500", "REPLICA_MAX_LAG_MS=999", NULL };

		is_int(load(&rc, v, err, sizeof err), -1, "a lag bound under two checks is refused");
		ok(strstr(err, "REPLICA_MAX_LAG_MS") != NULL, "the message names REPLICA_MAX_LAG_MS");
	}
	{
		static const char *const v[] = { "REPLICA_CHECK_MS=5", NULL };

		is_int(load(&rc, v, err, sizeof err), -1, "REPLICA_CHECK_MS=5 refused (10 at least)");
	}
	{
		static const char *const v[] = { "REPLICA_POOL_SIZE=0", NULL };

		is_int(load(&rc, v, err, sizeof err), -1, "REPLICA_POOL_SIZE=0 refused");
	}
	{
		static const char *const v[] = { "REPLICA_MAX_LAG_MS=500", "REPLICA_CHECK_MS=100",
			                         "REPLICA_POOL_SIZE=3", NULL };

		is_int(load(&rc, v, err, sizeof err), 0, "the three numbers set");
		is_int(rc.max_lag_ms, 500, "max lag");
		is_int(rc.check_ms, 100, "check interval");
		is_int(rc.pool_size, 3, "pool size");
		replica_config_free(&rc);
	}
	return done_testing();
}
