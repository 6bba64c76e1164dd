/* health.h - GET /api/v1/health: the database's schema version against the built one. */
#ifndef GW_HEALTH_H
#define GW_HEALTH_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "query.h"

#ifndef TODO_SCHEMA_VERSION
#error "build with -DTODO_SCHEMA_VERSION=\"x.y\" (the Makefile reads extension/todo.control)"
#endif

/* The health answer: HTTP status, the envelope's data, and its error (NULL when none). */
struct gw_health {
	unsigned    status;           /* 200 or 503 */
	const char *data;             /* static JSON text */
	enum gw_err error;            /* meaningful only when has_error */
	bool        has_error;
};

/*
 * The schema version in api.health()'s data ({"schema_version":"1.0"}), copied into out
 * (size outlen). Returns false when data holds no such string.
 */
bool health_schema_version(const char *data, char *out, size_t outlen);

/*
 * Decides the answer from the api.health() call's outcome (status, then data):
 *   row, same version     200 {"status":"healthy","database":"connected",
 *                              "migration":"up-to-date"}
 *   row, other version    200 {"status":"degraded","database":"connected",
 *                              "migration":"out-of-date"}
 *   unavailable (no connection free in time, database unreachable, lost, too slow)
 *                         503 {"status":"unhealthy","database":"disconnected",
 *                              "migration":"unknown"}
 *   any other failure     503 {"status":"unhealthy","database":"connected",
 *                              "migration":"unknown"}
 * A 503 carries the payload in `data` AND the envelope's error 503 "unavailable", so clients
 * reading only `error` (as for every other non-2xx answer) see a normal API error.
 */
void health_assess(const struct gw_qresult *q, const char *expected_version,
                   struct gw_health *out);

#endif
