/* replica_config.h - the read replicas' settings (DATABASE_READ_URL and REPLICA_*). */
#ifndef GW_REPLICA_CONFIG_H
#define GW_REPLICA_CONFIG_H

#include <stddef.h>

#define GW_REPLICAS_MAX 8

struct gw_replica_config {
	char       *urls;                  /* owned: a copy of DATABASE_READ_URL, split in place
	                                      (holds secrets: never logged) */
	const char *url[GW_REPLICAS_MAX];  /* into urls; url[0 .. n-1] */
	unsigned    n;                     /* 0: no replicas, every request to the primary */
	unsigned    max_lag_ms;            /* REPLICA_MAX_LAG_MS, default 2000: a replica further
	                                      behind the primary is out of rotation */
	unsigned    check_ms;              /* REPLICA_CHECK_MS, default 250: how often each
	                                      replica's replay position is read */
	unsigned    pool_size;             /* REPLICA_POOL_SIZE: connections to each replica,
	                                      default POOL_SIZE */
};

/*
 * Reads the settings through get (getenv, or a table in tests). DATABASE_READ_URL holds one
 * or more PostgreSQL URIs separated by spaces (a URI has no space; it may hold commas, for
 * libpq's several hosts). Returns 0, or -1 with a message naming the variable in err (never
 * a value), having released what it took. On success release with replica_config_free().
 */
int replica_config_load(struct gw_replica_config *rc, const char *(*get)(const char *name),
                        unsigned pool_size, char *err, size_t errlen);
void replica_config_free(struct gw_replica_config *rc);

#endif
