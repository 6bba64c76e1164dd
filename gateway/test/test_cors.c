/* test_cors.c - CORS: origin list, origin echoed, headers; configuration from the environment. */
#include <stdlib.h>

#include "config.h"
#include "cors.h"
#include "tap.h"

/* A fake environment for config_load: NAME=value pairs. */
static const char *const *fake_env;

static const char *
fake_getenv(const char *name)
{
	size_t n = strlen(name);

	for (const char *const *e = fake_env; *e != NULL; e++) {
		if (strncmp(*e, name, n) == 0 && (*e)[n] == '=')
			return *e + n + 1;
	}
	return NULL;
}

static int
load(struct gw_config *cfg, char *err, size_t errlen, const char *const *env)
{
	fake_env = env;
	err[0] = '\0';
	return config_load(cfg, fake_getenv, err, errlen);
}

static void
config_error(const char *const *env, const char *variable)
{
	struct gw_config cfg;
	char             err[256];

	is_int(load(&cfg, err, sizeof err, env), -1, "config refused: %s", env[1] ? env[1] : env[0]);
	ok(strstr(err, variable) != NULL, "message names %s: %s", variable, err);
	ok(strstr(err, "s3cret") == NULL, "message does not echo the value");
}

int
main(void)
{
	struct gw_cors   c;
	struct gw_config cfg;
	char             err[256];

	ok(cors_parse(&c, "http://localhost:3000", err, sizeof err) == 0, "one origin");
	ok(cors_allowed(&c, "http://localhost:3000"), "exact match");
	ok(cors_allowed(&c, "HTTP://LOCALHOST:3000"),
	       "case-insensitive");
	ok(!cors_allowed(&c, "http://localhost:3001"), "other port");
	ok(!cors_allowed(&c, "http://localhost"), "no port");
	ok(!cors_allowed(&c, "https://localhost:3000"), "other scheme");
	ok(!cors_allowed(&c, "http://localhost:3000.evil.com"), "suffix attack");
	ok(!cors_allowed(&c, "null"), "null origin");
	ok(!cors_allowed(&c, NULL), "no Origin header");
	cors_free(&c);

	ok(cors_parse(&c, " https://a.example.com , http://b.example.com:8080/,,", err,
	              sizeof err) == 0, "list with spaces, trailing slash, empty entries");
	is_int(c.count, 2, "two origins");
	ok(cors_allowed(&c, "https://a.example.com"), "first");
	ok(cors_allowed(&c, "http://b.example.com:8080"),
	       "second, slash trimmed");
	cors_free(&c);

	ok(cors_parse(&c, "", err, sizeof err) == 0 && c.count == 0, "empty list allows none");
	cors_free(&c);
	ok(cors_parse(&c, "*", err, sizeof err) != 0, "no wildcard");
	ok(cors_parse(&c, "localhost:3000", err, sizeof err) != 0, "scheme required");
	ok(cors_parse(&c, "http://a.com/path", err, sizeof err) != 0, "no path");
	ok(cors_parse(&c, "http://a.com\r\nX: y", err, sizeof err) != 0, "no CRLF");
	ok(strstr(err, "CORS_ORIGINS") != NULL, "error names CORS_ORIGINS");

	/* configuration */
	{
		const char *const env[] = { "DATABASE_URL=postgresql://u:s3cret@h/db", NULL };

		ok(load(&cfg, err, sizeof err, env) == 0, "defaults load");
		is_int(cfg.port, 8080, "PORT default");
		is_int(cfg.pool_size, 10, "POOL_SIZE default");
		is_int(cfg.pool_timeout, 30, "POOL_TIMEOUT default");
		is_int(cfg.environment, GW_ENV_DEVELOPMENT, "ENVIRONMENT default");
		is_int(cfg.log_level, GW_LOG_INFO, "LOG_LEVEL default");
		ok(cors_allowed(&cfg.cors, "http://localhost:3000"),
		       "CORS_ORIGINS default");
		config_free(&cfg);
	}
	{
		const char *const env[] = { "DATABASE_URL=postgresql://h/db", "PORT=9000", "POOL_SIZE=3",
			                    "POOL_TIMEOUT=0", "ENVIRONMENT=production",
			                    "LOG_LEVEL=debug", "CORS_ORIGINS=https://app.io", NULL };

		ok(load(&cfg, err, sizeof err, env) == 0, "explicit settings load");
		ok(cfg.port == 9000 && cfg.pool_size == 3 && cfg.pool_timeout == 0 &&
		   cfg.environment == GW_ENV_PRODUCTION && cfg.log_level == GW_LOG_DEBUG,
		   "explicit settings read");
		ok(!cors_allowed(&cfg.cors, "http://localhost:3000"), "default replaced");
		config_free(&cfg);
	}
	{
		const char *const e1[] = { "PORT=80", NULL };
		const char *const e2[] = { "DATABASE_URL=", NULL };
		const char *const e3[] = { "DATABASE_URL=postgresql://h/db", "PORT=80a", NULL };
		const char *const e4[] = { "DATABASE_URL=postgresql://h/db", "PORT=70000", NULL };
		const char *const e5[] = { "DATABASE_URL=postgresql://h/db", "POOL_SIZE=0", NULL };
		const char *const e6[] = { "DATABASE_URL=postgresql://h/db", "POOL_TIMEOUT=-1", NULL };
		const char *const e7[] = { "DATABASE_URL=postgresql://h/db", "ENVIRONMENT=staging", NULL };
		const char *const e8[] = { "DATABASE_URL=postgresql://h/db", "LOG_LEVEL=verbose", NULL };
		const char *const e9[] = { "DATABASE_URL=postgresql://h/db", "POOL_SIZE= 5", NULL };
		const char *const e10[] = { "DATABASE_URL=postgresql://h/db", "CORS_ORIGINS=s3cret", NULL };
		const char *const e11[] = { "DATABASE_URL=postgresql://u:s3cret%zz@h/db", NULL };
		const char *const e12[] = { "DATABASE_URL=s3cret", NULL };

		config_error(e1, "DATABASE_URL");
		config_error(e2, "DATABASE_URL");
		config_error(e3, "PORT");
		config_error(e4, "PORT");
		config_error(e5, "POOL_SIZE");
		config_error(e6, "POOL_TIMEOUT");
		config_error(e7, "ENVIRONMENT");
		config_error(e8, "LOG_LEVEL");
		config_error(e9, "POOL_SIZE");
		config_error(e10, "CORS_ORIGINS");
		config_error(e11, "DATABASE_URL");
		config_error(e12, "DATABASE_URL");
	}

	/* the origin echoed, and the headers of each kind of response */
	{
		struct gw_cors   list;
		struct gw_header hd[GW_CORS_HEADERS_MAX];
		char             e[128];
		size_t           n;

		ok(cors_parse(&list, "https://app.example.com", e, sizeof e) == 0, "headers: parse");
		is_str(cors_origin(&list, "HTTPS://APP.example.com"), "HTTPS://APP.example.com",
		       "origin: an allowed one is echoed as sent");
		is_str(cors_origin(&list, "https://evil.example.com"), NULL, "origin: other: none");
		is_str(cors_origin(&list, NULL), NULL, "origin: absent: none");
		cors_free(&list);

		n = cors_headers(NULL, "GET, OPTIONS", hd);
		ok(n == 1 && strcmp(hd[0].name, "Vary") == 0 && strcmp(hd[0].value, "Origin") == 0,
		   "headers: no allowed origin: Vary: Origin alone");
		n = cors_headers("https://a.example", NULL, hd);
		is_int(n, 3, "headers: allowed origin: three");
		ok(strcmp(hd[1].name, "Access-Control-Allow-Origin") == 0 &&
		   strcmp(hd[1].value, "https://a.example") == 0, "headers: the origin echoed");
		ok(strcmp(hd[2].name, "Access-Control-Expose-Headers") == 0 &&
		   strcmp(hd[2].value, "Idempotent-Replayed, Location, Retry-After, Server-Timing, "
		                         "WWW-Authenticate, X-Request-Id") == 0,
		   "headers: exposed");
		n = cors_headers("https://a.example", "GET, HEAD, POST, OPTIONS", hd);
		is_int(n, GW_CORS_HEADERS_MAX, "headers: preflight: six");
		ok(strcmp(hd[3].name, "Access-Control-Allow-Methods") == 0 &&
		   strcmp(hd[3].value, "GET, HEAD, POST, OPTIONS") == 0, "preflight: the Allow list");
		ok(strcmp(hd[4].name, "Access-Control-Allow-Headers") == 0 &&
		   strcmp(hd[4].value, "Authorization, Content-Type, Idempotency-Key") == 0,
		   "preflight: headers (Idempotency-Key too)");
		ok(strcmp(hd[5].name, "Access-Control-Max-Age") == 0 &&
		   strcmp(hd[5].value, "600") == 0, "preflight: max age");
	}
	return done_testing();
}
