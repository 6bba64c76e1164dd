/* health.h - GET /api/v1/health: the schema version, checked at most every 250 ms. */
#ifndef GW_HEALTH_H
#define GW_HEALTH_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "query.h"

struct gw_reply;

/* The health answer: HTTP status, the envelope's data, and its error (NULL when none). */
struct gw_health {
	unsigned    status;           /* 200 or 503 */
	const char *data;             /* static JSON text */
	enum gw_err error;            /* meaningful only when has_error */
	bool        has_error;
};

/*
 * The answer health_respond() gives, without the reply: the admin listener's /ready and
 * /metrics (admin.c) share the cache and the single-flight check with the route.
 */
void health_current(struct gw_pool *pool, const char *request_id, unsigned *round_trips,
                    struct gw_health *h);
/* The last answer published, without checking (before any: 503 disconnected). */
void health_last(struct gw_health *h);
/* "healthy", "degraded" or "unhealthy": h's data's status. */
const char *health_state_name(const struct gw_health *h);

#ifndef TODO_SCHEMA_VERSION
#error "build with -DTODO_SCHEMA_VERSION=\"x.y\" (the Makefile reads extension/todo.control)"
#endif

/*
 * How long a health answer is reused (ms, on the monotonic clock, counted from the end of
 * the check that produced it): a 200 for GW_HEALTH_REFRESH_MS, a 503 for GW_HEALTH_RETRY_MS
 * (a check against a database that is down costs one refused connection; checking it
 * sooner brings health back sooner). One request at a time checks the database; a change
 * of the database's state shows after at most that plus one check (<= 200 ms).
 */
#define GW_HEALTH_REFRESH_MS 250
#define GW_HEALTH_RETRY_MS   100
/* A check still running after this long is presumed lost and another request takes over. */
#define GW_HEALTH_STUCK_MS   1000

/*
 * Fills call with the api.health() call as the route table (router.c) defines it, anonymous
 * and without arguments: health checks and the start-up probe (main.c) both make it.
 * request_id is borrowed.
 */
void health_call(struct gw_call *call, const char *request_id);

/*
 * GET /api/v1/health: the last answer, or (when it is due) a check of the database on pool
 * within the 200 ms budget, published for the requests that follow. Fills reply (the
 * envelope, Retry-After on a 503) and adds the round trips made to *round_trips.
 */
void health_respond(struct gw_pool *pool, const char *request_id, unsigned *round_trips,
                    struct gw_reply *reply);


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

/* The 503 "disconnected" answer (no check could be made in time). */
void health_disconnected(struct gw_health *out);

/*
 * The last answer and the single-flight check behind it, shared by every request thread.
 * Initialize with GW_HEALTH_CACHE_INIT; the members are private to health.c.
 */
struct gw_health_cache {
	pthread_mutex_t  mutex;
	pthread_cond_t   published;      /* broadcast when a check publishes its answer */
	struct gw_health last;           /* valid when known */
	bool             known;          /* a check has published */
	int64_t          checked_us;     /* when last was published */
	int64_t          last_began_us;  /* when the check that produced last began */
	bool             checking;       /* a check is running ... */
	int64_t          check_began_us; /* ... since then */
};

#define GW_HEALTH_CACHE_INIT \
	{ PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, { 0, NULL, GW_ERR_UNAVAILABLE, \
	  false }, false, 0, 0, false, 0 }

enum gw_health_step {
	GW_HEALTH_ANSWER,   /* *out holds the answer */
	GW_HEALTH_CHECK     /* the caller checks the database, then calls health_cache_publish() */
};

/*
 * What a health request at now_us (clock_now_us()) answers:
 *   - the last answer while it is younger than GW_HEALTH_REFRESH_MS (a 503:
 *     GW_HEALTH_RETRY_MS): ANSWER;
 *   - else, when no check is running (or one is stuck), this request becomes the one that
 *     checks: CHECK, and it must call health_cache_publish(cache, now_us, ...) whatever
 *     happens;
 *   - else (another request is checking) the last answer, however old (at most
 *     GW_HEALTH_REFRESH_MS plus the running check's time): ANSWER, without waiting;
 *   - with no answer yet (start-up), wait for the running check until wait_by_us
 *     (CLOCK_MONOTONIC, microseconds), then its answer, or 503 disconnected: ANSWER.
 */
enum gw_health_step health_cache_lookup(struct gw_health_cache *cache, int64_t now_us,
                                        int64_t wait_by_us, struct gw_health *out);

/*
 * Publishes the answer of the check that health_cache_lookup() began at began_us, at
 * now_us. An answer older than the one already published (a stuck check finishing late)
 * is dropped.
 */
void health_cache_publish(struct gw_health_cache *cache, int64_t began_us, int64_t now_us,
                          const struct gw_health *h);

#endif
