/* config.c - the gateway's settings, read once from the environment at start-up. */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_CORS_ORIGINS "http://localhost:3000"

/* Reads a decimal integer in [min, max]; unset or empty means the default. */
static int
config_uint(gw_getenv_fn get, const char *name, unsigned dflt, unsigned min, unsigned max,
            unsigned *out, char *err, size_t errlen)
{
	const char *s = get(name);
	char       *end;
	long        v;

	if (s == NULL || *s == '\0') {
		*out = dflt;
		return 0;
	}
	errno = 0;
	v = strtol(s, &end, 10);
	if (s[0] < '0' || s[0] > '9' || *end != '\0' || errno != 0 || v < (long) min ||
	    v > (long) max) {
		snprintf(err, errlen, "%s must be a whole number from %u to %u", name, min, max);
		return -1;
	}
	*out = (unsigned) v;
	return 0;
}

/* Whether libpq can parse the connection string (URI or key=value). */
static bool
config_conninfo_valid(const char *conninfo)
{
	char             *errmsg = NULL;
	PQconninfoOption *opts = PQconninfoParse(conninfo, &errmsg);

	PQfreemem(errmsg);
	if (opts == NULL)
		return false;
	PQconninfoFree(opts);
	return true;
}

int
config_load(struct gw_config *cfg, gw_getenv_fn get, char *err, size_t errlen)
{
	const char *s;

	memset(cfg, 0, sizeof *cfg);
	cfg->database_url = get("DATABASE_URL");
	if (cfg->database_url == NULL || *cfg->database_url == '\0') {
		snprintf(err, errlen, "DATABASE_URL is not set: it must hold the PostgreSQL "
		         "connection URL of the gateway's login role");
		return -1;
	}
	if (!config_conninfo_valid(cfg->database_url)) {
		/* libpq's own message may quote the faulty part, password included: not shown */
		snprintf(err, errlen, "DATABASE_URL is not a valid PostgreSQL connection URI "
		         "(postgresql://user:password@host:port/dbname)");
		return -1;
	}
	if (config_uint(get, "PORT", 8080, 1, 65535, &cfg->port, err, errlen) != 0 ||
	    config_uint(get, "POOL_SIZE", 10, 1, 1000, &cfg->pool_size, err, errlen) != 0 ||
	    config_uint(get, "POOL_TIMEOUT", 30, 0, 3600, &cfg->pool_timeout, err, errlen) != 0 ||
	    config_uint(get, "STREAM_TIMEOUT", 30, 1, 30, &cfg->stream_timeout, err, errlen) != 0 ||
	    config_uint(get, "MAINTENANCE_INTERVAL", 60, 1, 86400, &cfg->maintenance_interval, err,
	                errlen) != 0 ||
	    config_uint(get, "ADMIN_PORT", 0, 0, 65535, &cfg->admin_port, err, errlen) != 0 ||
	    config_uint(get, "STARTUP_BACKOFF_MS", 1000, 1, 60000, &cfg->startup_backoff_ms, err,
	                errlen) != 0 ||
	    config_uint(get, "MAX_CONNECTIONS", 1024, 1, 65535, &cfg->max_connections, err,
	                errlen) != 0 ||
	    config_uint(get, "MAX_CONNECTIONS_PER_ADDRESS", 128, 0, 65535, &cfg->max_per_address,
	                err, errlen) != 0)
		return -1;

	s = get("ADMIN_BIND");
	cfg->admin_bind = s != NULL && *s != '\0' ? s : "127.0.0.1";

	s = get("DOCS_SCRIPT");
	cfg->docs_script = s != NULL && *s != '\0' ? s : NULL;

	s = get("ENVIRONMENT");
	if (s == NULL || *s == '\0' || strcmp(s, "development") == 0)
		cfg->environment = GW_ENV_DEVELOPMENT;
	else if (strcmp(s, "production") == 0)
		cfg->environment = GW_ENV_PRODUCTION;
	else {
		snprintf(err, errlen, "ENVIRONMENT must be development or production");
		return -1;
	}

	s = get("LOG_LEVEL");
	cfg->log_level = GW_LOG_INFO;
	if (s != NULL && *s != '\0' && !log_level_parse(s, &cfg->log_level)) {
		snprintf(err, errlen, "LOG_LEVEL must be debug, info, warn or error");
		return -1;
	}

	cfg->web_root = get("WEB_ROOT");

	s = get("PREPARED_STATEMENTS");
	cfg->prepared_statements = true;
	if (s != NULL && *s != '\0') {
		if (strcmp(s, "off") == 0)
			cfg->prepared_statements = false;
		else if (strcmp(s, "on") != 0) {
			snprintf(err, errlen, "PREPARED_STATEMENTS must be on or off");
			return -1;
		}
	}

	s = get("TRUSTED_PROXIES");
	if (proxies_parse(&cfg->proxies, s != NULL ? s : "", err, errlen) != 0)
		return -1;

	s = get("CORS_ORIGINS");
	if (cors_parse(&cfg->cors, s != NULL ? s : DEFAULT_CORS_ORIGINS, err, errlen) != 0)
		return -1;
	/* last: nothing after it fails, so a refusal leaves nothing of it to free */
	if (replica_config_load(&cfg->replicas, get, cfg->pool_size, err, errlen) != 0) {
		cors_free(&cfg->cors);
		return -1;
	}
	return 0;
}

void
config_free(struct gw_config *cfg)
{
	cors_free(&cfg->cors);
	replica_config_free(&cfg->replicas);
}
