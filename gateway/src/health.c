/* health.c - GET /api/v1/health: the schema version, checked at most every 250 ms.
 *
 * A health request does not go to the database each time: that would cap health at the
 * database's round-trip rate (about 8,000-14,000 a second on the 2-core bench machine) and
 * let a load balancer's probes compete with real requests for the pool. Instead:
 *
 *   - the answer (healthy / degraded / unhealthy) is reused for GW_HEALTH_REFRESH_MS
 *     (250 ms) after the check that produced it ended;
 *   - when it is older, the first request to notice checks the database (api.health(),
 *     within the 200 ms budget below, on a connection of its own when main.c
 *     provides one, so that requests filling the pool do not make the database look gone)
 *     and publishes the answer; this is single-flight: while that check runs, every other
 *     request answers at once with the previous answer, so a check hanging on a dead
 *     database (up to its 180 ms deadline) never delays anyone but the request making it;
 *   - a failed check is published like a good one: a database that is down gives 503 to
 *     every request without waiting, and is checked again GW_HEALTH_RETRY_MS (100 ms)
 *     later, so that health comes back soon after the database does;
 *   - at start-up, before any answer exists, requests arriving while the first check runs
 *     wait for it (no longer than their own 200 ms budget: then 503 disconnected);
 *   - a check still running after GW_HEALTH_STUCK_MS (which a 200 ms budget makes
 *     impossible unless a bug leaks one) is replaced by a new one; the late answer, if it
 *     ever comes, is dropped because a newer check has begun.
 *
 * Staleness: a 200 is at most 250 ms plus one check (<= 200 ms) old, so a database that
 * goes away is reported unhealthy within 450 ms; a 503 is at most 100 ms plus one check
 * old, so one that comes back is reported healthy within 300 ms (plus one more check when
 * its first new connection misses the 170 ms budget, as a database just started under a
 * full CPU can). The state is a few words under one mutex held for a copy; the condition
 * variable only serves the start-up wait.
 */
#include "health.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "log.h"
#include "response.h"
#include "router.h"

/* Health must answer within 200 ms even when the database is away. */
#define HEALTH_ACQUIRE_MS 100
#define HEALTH_CONNECT_MS 170
#define HEALTH_QUERY_MS   180
#define HEALTH_WAIT_MS    190     /* start-up: waiting for another request's first check */

/* The last health answer, shared by all request threads. */
static struct gw_health_cache health_cache = GW_HEALTH_CACHE_INIT;

static const char healthy[] =
	"{\"status\":\"healthy\",\"database\":\"connected\",\"migration\":\"up-to-date\"}";
static const char degraded[] =
	"{\"status\":\"degraded\",\"database\":\"connected\",\"migration\":\"out-of-date\"}";
static const char disconnected[] =
	"{\"status\":\"unhealthy\",\"database\":\"disconnected\",\"migration\":\"unknown\"}";
static const char broken[] =
	"{\"status\":\"unhealthy\",\"database\":\"connected\",\"migration\":\"unknown\"}";

bool
health_schema_version(const char *data, char *out, size_t outlen)
{
	json_t     *root = data != NULL ? json_loads(data, 0, NULL) : NULL;
	const char *v = json_string_value(json_object_get(root, "schema_version"));
	bool        found = v != NULL && strlen(v) < outlen;

	if (found)
		snprintf(out, outlen, "%s", v);
	json_decref(root);
	return found;
}

void
health_assess(const struct gw_qresult *q, const char *expected_version, struct gw_health *out)
{
	char version[64];

	out->status = 200;
	out->has_error = false;
	out->error = GW_ERR_UNAVAILABLE;
	if (q->status == GW_Q_ROW && q->error == NULL) {
		bool same = health_schema_version(q->data, version, sizeof version) &&
		            strcmp(version, expected_version) == 0;

		out->data = same ? healthy : degraded;
		return;
	}
	out->status = 503;
	out->has_error = true;
	out->data = q->status == GW_Q_UNAVAILABLE ? disconnected : broken;
}

void
health_disconnected(struct gw_health *out)
{
	out->status = 503;
	out->data = disconnected;
	out->error = GW_ERR_UNAVAILABLE;
	out->has_error = true;
}

enum gw_health_step
health_cache_lookup(struct gw_health_cache *cache, int64_t now_us, int64_t wait_by_us,
                    struct gw_health *out)
{
	struct timespec by = {
		.tv_sec = (time_t) (wait_by_us / GW_US_PER_SEC),
		.tv_nsec = (long) (wait_by_us % GW_US_PER_SEC) * 1000,
	};
	enum gw_health_step step = GW_HEALTH_ANSWER;
	int64_t             ttl_ms;

	pthread_mutex_lock(&cache->mutex);
	ttl_ms = cache->last.status == 200 ? GW_HEALTH_REFRESH_MS : GW_HEALTH_RETRY_MS;
	if (cache->known && now_us - cache->checked_us < ttl_ms * GW_US_PER_MS)
		*out = cache->last;                             /* fresh */
	else if (!cache->checking ||
	         now_us - cache->check_began_us >= GW_HEALTH_STUCK_MS * GW_US_PER_MS) {
		cache->checking = true;                         /* this request checks */
		cache->check_began_us = now_us;
		step = GW_HEALTH_CHECK;
	} else {
		/* another request is checking: the previous answer, or (start-up) wait for it */
		while (!cache->known && cache->checking &&
		       pthread_cond_clockwait(&cache->published, &cache->mutex, CLOCK_MONOTONIC,
		                              &by) == 0)
			;                                       /* until published or timed out */
		if (cache->known)
			*out = cache->last;
		else
			health_disconnected(out);
	}
	pthread_mutex_unlock(&cache->mutex);
	return step;
}

void
health_cache_publish(struct gw_health_cache *cache, int64_t began_us, int64_t now_us,
                     const struct gw_health *h)
{
	pthread_mutex_lock(&cache->mutex);
	if (!cache->known || began_us >= cache->last_began_us) {
		cache->last = *h;
		cache->known = true;
		cache->checked_us = now_us;
		cache->last_began_us = began_us;
	}
	if (cache->checking && cache->check_began_us == began_us)
		cache->checking = false;
	pthread_cond_broadcast(&cache->published);
	pthread_mutex_unlock(&cache->mutex);
}

void
health_call(struct gw_call *call, const char *request_id)
{
	memset(call, 0, sizeof *call);
	call->request_id = request_id;
	call->function = router_route(GW_ROUTE_HEALTH)->function;
	call->sql = router_route(GW_ROUTE_HEALTH)->sql;
	call->role = GW_ROLE_ANON;
	call->token = "";
	call->user_id = "";
}

/* Checks the database for health: api.health() within the 200 ms budget from t0. */
static void
health_check(struct gw_pool *pool, const char *request_id, unsigned *round_trips, int64_t t0,
             struct gw_health *h)
{
	struct gw_deadlines dl = { t0 + HEALTH_ACQUIRE_MS * GW_US_PER_MS,
		                   t0 + HEALTH_CONNECT_MS * GW_US_PER_MS,
		                   t0 + HEALTH_QUERY_MS * GW_US_PER_MS };
	struct gw_call      call;
	struct gw_qresult   q;

	health_call(&call, request_id);
	query_exec(pool, &call, &dl, &q);
	*round_trips += q.round_trips;
	if (q.status == GW_Q_SQL_ERROR)
		log_msg(GW_LOG_ERROR, request_id, "api.health failed: SQLSTATE %s: %s",
		        q.sqlstate != NULL ? q.sqlstate : "(none)",
		        q.message != NULL ? q.message : "(no message)");
	else if (q.status != GW_Q_ROW)
		log_msg(GW_LOG_WARN, request_id, "health: %s", q.why);
	health_assess(&q, TODO_SCHEMA_VERSION, h);
	query_result_clear(&q);
}

/* The last answer, checked again after 250 ms (a 503: 100 ms). */
void
health_current(struct gw_pool *pool, const char *request_id, unsigned *round_trips,
               struct gw_health *h)
{
	int64_t t0 = clock_now_us();

	if (health_cache_lookup(&health_cache, t0, t0 + HEALTH_WAIT_MS * GW_US_PER_MS, h) ==
	    GW_HEALTH_CHECK) {
		health_check(pool, request_id, round_trips, t0, h);
		health_cache_publish(&health_cache, t0, clock_now_us(), h);
	}
}

void
health_last(struct gw_health *h)
{
	pthread_mutex_lock(&health_cache.mutex);
	if (health_cache.known)
		*h = health_cache.last;
	else
		health_disconnected(h);
	pthread_mutex_unlock(&health_cache.mutex);
}

const char *
health_state_name(const struct gw_health *h)
{
	if (h->data == healthy)
		return "healthy";
	return h->data == degraded ? "degraded" : "unhealthy";
}

void
health_respond(struct gw_pool *pool, const char *request_id, unsigned *round_trips,
               struct gw_reply *reply)
{
	struct gw_health h;
	struct gw_error  err;

	health_current(pool, request_id, round_trips, &h);
	memset(reply, 0, sizeof *reply);
	reply->status = h.status;
	if (h.has_error) {
		error_set(&err, h.error, "database unavailable");
		reply->retry_after = err.retry_after;
		reply->body = response_envelope(h.status, h.data, NULL, &err, &reply->body_len);
		error_clear(&err);
	} else
		reply->body = response_envelope(h.status, h.data, NULL, NULL, &reply->body_len);
}
