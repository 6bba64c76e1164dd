/* metrics.h - the gateway's counters for GET /metrics (admin.c), in the Prometheus text format. */
#ifndef GW_METRICS_H
#define GW_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "strbuf.h"

struct gw_pool;

/*
 * What a request is counted under: the route's path template (never the raw path: no user
 * id or task id reaches a label), the method (one of a fixed list, else "other") and the
 * status (one of a fixed list, else "other"); the web app's files are route "web", a path
 * nobody answers is route "none". The counters are process-wide C11 atomics,
 * added to with relaxed order: the request path pays a few uncontended increments.
 */

/* The route label of the web app's files (handler.c sets it as the request's pattern). */
#define GW_METRICS_ROUTE_WEB "web"

/* Once, before any request: the route templates of router.c become label slots. */
void metrics_init(void);

/* One finished request. pattern: the route template, NULL when no route matched the path;
 * duration_us from the request line to completion. */
void metrics_request(const char *pattern, const char *method, unsigned status,
                     int64_t duration_us);

/* Why a bearer token was refused (401 on a route that needs one). */
enum gw_token_refusal {
	GW_REFUSED_MISSING,        /* no Authorization header */
	GW_REFUSED_MALFORMED,      /* not "Bearer <token68>" */
	GW_REFUSED_INVALID,        /* the database refused it: signature, expiry, revoked, ... */
	GW_REFUSED_N
};
void metrics_token_refused(enum gw_token_refusal why);

/* Database errors, by what the gateway saw. */
enum gw_db_error {
	GW_DBERR_UNAVAILABLE,      /* no connection in time, connection lost, timed out: 503 */
	GW_DBERR_SQL,              /* the server raised an SQL error */
	GW_DBERR_INTERNAL,         /* an answer of the wrong shape, out of memory: 500 */
	GW_DBERR_RETRIED,          /* a connection found closed: the call ran once more */
	GW_DBERR_N
};
void metrics_db_error(enum gw_db_error kind);

/* What the scrape reports beside the counters (read by admin.c at each scrape). */
struct gw_metrics_state {
	struct gw_pool *pool;          /* the requests' pool */
	const char     *health;        /* the last health check's answer: "healthy", "degraded"
	                                  or "unhealthy" */
};

/* Appends every metric to sb (# HELP, # TYPE, samples). */
void metrics_write(struct strbuf *sb, const struct gw_metrics_state *st);

#endif
