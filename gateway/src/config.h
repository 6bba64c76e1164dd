/* config.h - the gateway's settings, read once from the environment at start-up. */
#ifndef GW_CONFIG_H
#define GW_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "clientaddr.h"
#include "cors.h"
#include "log.h"
#include "replica_config.h"

enum gw_environment {
	GW_ENV_DEVELOPMENT,     /* fail at once when the database is unreachable */
	GW_ENV_PRODUCTION       /* retry the first connection with backoff */
};

struct gw_config {
	const char         *database_url;   /* borrowed from the environment; holds a secret */
	unsigned            port;            /* PORT, default 8080 */
	enum gw_environment environment;     /* ENVIRONMENT, default development */
	enum gw_log_level   log_level;       /* LOG_LEVEL, default info */
	unsigned            pool_size;       /* POOL_SIZE, default 10 */
	unsigned            pool_timeout;    /* POOL_TIMEOUT seconds, default 30 */
	unsigned            maintenance_interval; /* MAINTENANCE_INTERVAL seconds, 1 to 86400
	                                        * (maintenance.c: expired Idempotency-Key answers) */
	unsigned            stream_timeout;  /* STREAM_TIMEOUT seconds, 1 to 30 (the bound of
	                                        * every call), default 30: the most a streamed
	                                        * list holds its database connection, however
	                                        * slowly its client reads (stream.c) */
	bool                prepared_statements; /* PREPARED_STATEMENTS on|off, default on:
	                                        * named statements, parsed once a connection
	                                        * (query.c); off behind a pooler that cannot
	                                        * carry them (PgBouncer < 1.21, transaction mode) */
	unsigned            startup_backoff_ms; /* STARTUP_BACKOFF_MS, default 1000: production's
	                                        * first wait between start-up connection
	                                        * attempts, doubled after each */
	unsigned            max_connections; /* MAX_CONNECTIONS, default 1024: HTTP connections
	                                        * at once (one thread each) */
	unsigned            max_per_address; /* MAX_CONNECTIONS_PER_ADDRESS, default 128, 0 for
	                                        * none: connections at once from one client
	                                        * address (slow clients from one address cannot
	                                        * take every slot; docs/security.md) */
	struct gw_cors      cors;            /* CORS_ORIGINS, default http://localhost:3000 */
	unsigned            admin_port;      /* ADMIN_PORT, default 0: no admin listener (admin.h) */
	const char         *admin_bind;      /* ADMIN_BIND, default 127.0.0.1: its address */
	const char         *docs_script;     /* DOCS_SCRIPT: Redoc's bundle for /api/docs; default
	                                        NULL: build/vendor/ beside the executable (docs.h) */
	struct gw_proxies   proxies;         /* TRUSTED_PROXIES, default none: the proxies whose
	                                        * X-Forwarded-For names the client (clientaddr.h) */
	struct gw_replica_config replicas;   /* DATABASE_READ_URL, REPLICA_* (replica_config.h) */
	const char         *web_root;        /* WEB_ROOT, borrowed: the web app's files; NULL
	                                        * (unset): web/ next to the executable when it
	                                        * is there; "": no web app (static.h) */
};

/* Where settings come from: getenv in production, a table in tests. */
typedef const char *(*gw_getenv_fn)(const char *name);

/* Fills cfg. Returns 0, or -1 with a message naming the faulty variable in err (the
 * message never contains a setting's value). On success release with config_free(). */
int  config_load(struct gw_config *cfg, gw_getenv_fn get, char *err, size_t errlen);
void config_free(struct gw_config *cfg);

#endif
