/* app.h - what every request needs: configuration, pools, the JWKS fetcher, the count of
 * running requests. */
#ifndef GW_APP_H
#define GW_APP_H

#include <stdatomic.h>

#include "config.h"
#include "jwks.h"
#include "pool.h"
#include "replica.h"
#include "static.h"

/* What every callback needs. Owned by main(); outlives the daemon. */
struct gw_app {
	const struct gw_config *config;
	struct gw_pool         *pool;
	struct gw_pool         *health_pool; /* one connection for health checks; NULL: pool */
	struct gw_replicas     *replicas;   /* read replicas (replica.c); NULL: none */
	struct gw_jwks         *jwks;       /* the trusted issuers' keys (jwks.c); NULL: none */
	atomic_uint             active;     /* requests between URI callback and completion */
	struct gw_static       *web;        /* the web app at / (static.c); NULL: none */
};

#endif
