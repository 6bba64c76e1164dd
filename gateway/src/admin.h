/* admin.h - the admin listener (ADMIN_PORT): GET /live, /ready, /metrics for operators. */
#ifndef GW_ADMIN_H
#define GW_ADMIN_H

#include <stddef.h>

#include "app.h"

struct gw_admin;

/*
 * Starts the admin listener on ADMIN_BIND:ADMIN_PORT with its own thread; app is borrowed
 * and must outlive it. Returns NULL with err set when it cannot listen. Call only when
 * app->config->admin_port is not 0 (unset: no admin listener, as with PostgREST).
 *
 *   GET /live      200 "live": the process answers
 *   GET /ready     200 "ready" only while the database answers, its schema is the one
 *                  this gateway expects and the pool is not exhausted (every connection
 *                  lent and requests waiting); else 503 with the reason
 *   GET /metrics   the Prometheus text format (metrics.h)
 */
struct gw_admin *admin_start(struct gw_app *app, char *err, size_t errlen);
void admin_stop(struct gw_admin *admin);

#endif
