/* test_config.c - the environment: defaults, ENVIRONMENT, numbers, messages without values. */
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "tap.h"

/* The fake environment: NAME=value pairs, NULL-terminated. */
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

#define URL "DATABASE_URL=postgresql://todo_gateway:s3cret-pw@127.0.0.1:5432/todo?sslmode=require"

/* Loads vars; returns config_load's result, with the message in err. */
static int
load(struct gw_config *cfg, const char *const *vars, char *err, size_t errlen)
{
	int rc;

	env = vars;
	err[0] = '\0';
	rc = config_load(cfg, fake_getenv, err, errlen);
	if (rc == 0)
		config_free(cfg);
	return rc;
}

int
main(void)
{
	struct gw_config cfg;
	char             err[256];

	{
		static const char *const v[] = { URL, NULL };

		is_int(load(&cfg, v, err, sizeof err), 0, "defaults load");
		is_int(cfg.environment, GW_ENV_DEVELOPMENT, "ENVIRONMENT defaults to development");
		is_int(cfg.pool_size, 10, "POOL_SIZE defaults to 10");
		is_int(cfg.pool_timeout, 30, "POOL_TIMEOUT defaults to 30 s");
		is_int(cfg.startup_backoff_ms, 1000, "STARTUP_BACKOFF_MS defaults to 1000");
		is_int(cfg.max_connections, 1024, "MAX_CONNECTIONS defaults to 1024");
		is_int(cfg.max_per_address, 128, "MAX_CONNECTIONS_PER_ADDRESS defaults to 128");
		ok(cfg.web_root == NULL, "WEB_ROOT unset: NULL (web/ next to the executable)");
	}
	{
		static const char *const v[] = { URL, "MAX_CONNECTIONS=10", "MAX_CONNECTIONS_PER_ADDRESS=0",
			                         NULL };

		is_int(load(&cfg, v, err, sizeof err), 0, "connection limits load");
		is_int(cfg.max_connections, 10, "MAX_CONNECTIONS=10");
		is_int(cfg.max_per_address, 0, "MAX_CONNECTIONS_PER_ADDRESS=0 (no per-address limit)");
	}
	{
		static const char *const v[] = { URL, "MAX_CONNECTIONS=0", NULL };

		is_int(load(&cfg, v, err, sizeof err), -1, "MAX_CONNECTIONS=0 refused");
		ok(strstr(err, "MAX_CONNECTIONS") != NULL, "the message names MAX_CONNECTIONS");
	}
	{
		static const char *const v[] = { URL, "MAX_CONNECTIONS_PER_ADDRESS=-1", NULL };

		is_int(load(&cfg, v, err, sizeof err), -1, "MAX_CONNECTIONS_PER_ADDRESS=-1 refused");
	}
	{
		static const char *const v[] = { URL, "ENVIRONMENT=production", "STARTUP_BACKOFF_MS=50",
			                         "POOL_SIZE=2", "POOL_TIMEOUT=2", "WEB_ROOT=", NULL };

		is_int(load(&cfg, v, err, sizeof err), 0, "production with short backoff loads");
		is_int(cfg.environment, GW_ENV_PRODUCTION, "ENVIRONMENT=production");
		is_int(cfg.startup_backoff_ms, 50, "STARTUP_BACKOFF_MS=50");
		is_str(cfg.web_root, "", "WEB_ROOT= empty: kept empty (no web app)");
		is_int(cfg.pool_size, 2, "POOL_SIZE=2");
		is_int(cfg.pool_timeout, 2, "POOL_TIMEOUT=2");
	}
	{
		static const char *const v[] = { URL, "ENVIRONMENT=development", NULL };

		is_int(load(&cfg, v, err, sizeof err), 0, "ENVIRONMENT=development loads");
		is_int(cfg.environment, GW_ENV_DEVELOPMENT, "ENVIRONMENT=development");
	}
	{
		static const char *const v[] = { URL, "ENVIRONMENT=staging", NULL };

		is_int(load(&cfg, v, err, sizeof err), -1, "unknown ENVIRONMENT refused");
		ok(strstr(err, "ENVIRONMENT") != NULL && strstr(err, "production") != NULL,
		   "unknown ENVIRONMENT: the message names the variable and the choices (%s)", err);
	}
	{
		static const char *const v[] = { URL, "ENVIRONMENT=Production", NULL };

		is_int(load(&cfg, v, err, sizeof err), -1, "ENVIRONMENT is case-sensitive");
	}
	{
		static const char *const v[] = { URL, "STARTUP_BACKOFF_MS=0", NULL };

		is_int(load(&cfg, v, err, sizeof err), -1, "STARTUP_BACKOFF_MS=0 refused");
		ok(strstr(err, "STARTUP_BACKOFF_MS") != NULL, "the message names STARTUP_BACKOFF_MS");
	}
	{
		static const char *const v[] = { URL, "STARTUP_BACKOFF_MS=1s", NULL };

		is_int(load(&cfg, v, err, sizeof err), -1, "STARTUP_BACKOFF_MS=1s refused");
	}
	{
		static const char *const v[] = { URL, NULL };

		is_int(load(&cfg, v, err, sizeof err), 0, "defaults load (PREPARED_STATEMENTS)");
		ok(cfg.prepared_statements, "PREPARED_STATEMENTS defaults to on");
	}
	{
		static const char *const v[] = { URL, "PREPARED_STATEMENTS=off", NULL };

		is_int(load(&cfg, v, err, sizeof err), 0, "PREPARED_STATEMENTS=off loads");
		ok(!cfg.prepared_statements, "PREPARED_STATEMENTS=off");
	}
	{
		static const char *const v[] = { URL, "PREPARED_STATEMENTS=on", NULL };

		is_int(load(&cfg, v, err, sizeof err), 0, "PREPARED_STATEMENTS=on loads");
		ok(cfg.prepared_statements, "PREPARED_STATEMENTS=on");
	}
	{
		static const char *const v[] = { URL, "PREPARED_STATEMENTS=yes", NULL };

		is_int(load(&cfg, v, err, sizeof err), -1, "PREPARED_STATEMENTS=yes refused");
		ok(strstr(err, "PREPARED_STATEMENTS") != NULL, "the message names PREPARED_STATEMENTS");
	}
	{
		static const char *const v[] = { URL, "POOL_SIZE=0", NULL };

		is_int(load(&cfg, v, err, sizeof err), -1, "POOL_SIZE=0 refused");
	}
	{
		static const char *const v[] = { NULL };

		is_int(load(&cfg, v, err, sizeof err), -1, "no DATABASE_URL refused");
		ok(strstr(err, "DATABASE_URL") != NULL, "the message names DATABASE_URL");
	}
	{
		static const char *const v[] = { "DATABASE_URL=postgresql://u:s3cret-pw@h/db?no_such_option=1", NULL };

		is_int(load(&cfg, v, err, sizeof err), -1, "unparsable DATABASE_URL refused");
		ok(strstr(err, "s3cret-pw") == NULL, "its message does not quote the password");
	}
	return done_testing();
}
