/* replica_config.c - the read replicas' settings (DATABASE_READ_URL and REPLICA_*). */
#include "replica_config.h"

#include <errno.h>
#include <libpq-fe.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A decimal whole number in [min, max]; unset or empty: dflt. */
static int
replica_config_uint(const char *(*get)(const char *), const char *name, unsigned dflt,
                    unsigned min, unsigned max, unsigned *out, char *err, size_t errlen)
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

/* A URI libpq accepts (the key=value form has spaces of its own: not a list item). */
static bool
replica_config_uri_valid(const char *uri)
{
	char             *errmsg = NULL;
	PQconninfoOption *opts;

	if (strncmp(uri, "postgresql://", 13) != 0 && strncmp(uri, "postgres://", 11) != 0)
		return false;
	opts = PQconninfoParse(uri, &errmsg);
	PQfreemem(errmsg);      /* it may quote the URI, password included: never shown */
	if (opts == NULL)
		return false;
	PQconninfoFree(opts);
	return true;
}

int
replica_config_load(struct gw_replica_config *rc, const char *(*get)(const char *name),
                    unsigned pool_size, char *err, size_t errlen)
{
	const char *s = get("DATABASE_READ_URL");
	char       *save = NULL;

	memset(rc, 0, sizeof *rc);
	if (replica_config_uint(get, "REPLICA_CHECK_MS", 250, 10, 60000, &rc->check_ms, err,
	                        errlen) != 0 ||
	    replica_config_uint(get, "REPLICA_MAX_LAG_MS", 2000, 1, 3600000, &rc->max_lag_ms, err,
	                        errlen) != 0 ||
	    replica_config_uint(get, "REPLICA_POOL_SIZE", pool_size, 1, 1000, &rc->pool_size, err,
	                        errlen) != 0)
		return -1;
	/* the lag is known to within one check: a bound tighter than two checks would keep
	 * even a replica that is up to date out of rotation half of the time */
	if (rc->max_lag_ms < 2 * rc->check_ms) {
		snprintf(err, errlen, "REPLICA_MAX_LAG_MS must be at least twice REPLICA_CHECK_MS");
		return -1;
	}
	if (s == NULL)
		return 0;
	rc->urls = strdup(s);
	if (rc->urls == NULL) {
		snprintf(err, errlen, "out of memory reading DATABASE_READ_URL");
		return -1;
	}
	for (char *tok = strtok_r(rc->urls, " \t\n", &save); tok != NULL;
	     tok = strtok_r(NULL, " \t\n", &save)) {
		if (rc->n == GW_REPLICAS_MAX) {
			snprintf(err, errlen, "DATABASE_READ_URL holds more than %d URLs",
			         GW_REPLICAS_MAX);
			replica_config_free(rc);
			return -1;
		}
		if (!replica_config_uri_valid(tok)) {
			snprintf(err, errlen, "DATABASE_READ_URL item %u is not a valid PostgreSQL "
			         "connection URI (postgresql://user:password@host:port/dbname; several "
			         "are separated by spaces)", rc->n + 1);
			replica_config_free(rc);
			return -1;
		}
		rc->url[rc->n++] = tok;
	}
	return 0;
}

void
replica_config_free(struct gw_replica_config *rc)
{
	free(rc->urls);
	memset(rc, 0, sizeof *rc);
}
