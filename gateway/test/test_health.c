/* test_health.c - health payloads; the answer cache: freshness, single flight, start-up, stuck
 * check; the one api.health() call. */
#include <pthread.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "health.h"
#include "router.h"
#include "tap.h"

#define MS GW_US_PER_MS
#define T0 (INT64_C(1000) * GW_US_PER_SEC)     /* an arbitrary monotonic time */

static void
payload(enum gw_qstatus st, const char *data, const char *error, unsigned status,
       const char *payload, const char *name)
{
	struct gw_qresult q;
	struct gw_health  h;

	memset(&q, 0, sizeof q);
	q.status = st;
	q.data = data;
	q.error = error;
	health_assess(&q, "1.0", &h);
	is_int(h.status, status, "health %s: status", name);
	is_str(h.data, payload, "health %s: payload", name);
	ok(h.has_error == (status != 200), "health %s: error iff not 200", name);
	{
		/* /ready and /metrics name the state as the payload does (admin.c) */
		char want[64];

		snprintf(want, sizeof want, "{\"status\":\"%s\"", health_state_name(&h));
		ok(strncmp(payload, want, strlen(want)) == 0, "health %s: state name %s", name,
		   health_state_name(&h));
	}
}

static struct gw_health
answer(unsigned status)
{
	struct gw_qresult q;
	struct gw_health  h;

	memset(&q, 0, sizeof q);
	q.status = status == 200 ? GW_Q_ROW : GW_Q_UNAVAILABLE;
	q.data = "{\"schema_version\":\"1.0\"}";
	health_assess(&q, "1.0", &h);
	return h;
}

/* lookup at now, never waiting: the step, and the answer's status (0 when CHECK) */
static unsigned
look(struct gw_health_cache *c, int64_t now, enum gw_health_step *step)
{
	struct gw_health h = { 0, NULL, GW_ERR_UNAVAILABLE, false };

	*step = health_cache_lookup(c, now, 0, &h);
	return *step == GW_HEALTH_CHECK ? 0 : h.status;
}

struct waiter {
	struct gw_health_cache *cache;
	enum gw_health_step     step;
	struct gw_health        h;
	int64_t                 waited_us;
};

static void *
wait_thread(void *arg)
{
	struct waiter *w = arg;
	int64_t        t = clock_now_us();

	w->step = health_cache_lookup(w->cache, t, t + 5 * GW_US_PER_SEC, &w->h);
	w->waited_us = clock_now_us() - t;
	return NULL;
}

int
main(void)
{
	struct gw_health_cache c = GW_HEALTH_CACHE_INIT;
	struct gw_health       up = answer(200);
	struct gw_health       down = answer(503);
	struct gw_health       h;
	enum gw_health_step    step;
	unsigned               st;
	char                   v[16];

	ok(GW_HEALTH_REFRESH_MS + 200 < 1000 && GW_HEALTH_RETRY_MS + 2 * 200 < 1000,
	   "a state change shows within 1 s (interval + one or two 200 ms checks)");
	ok(GW_HEALTH_RETRY_MS <= GW_HEALTH_REFRESH_MS, "a 503 is checked again sooner than a 200");

	/* start-up: the first request checks; others wait for it, bounded by their budget */
	st = look(&c, T0, &step);
	is_int(step, GW_HEALTH_CHECK, "no answer yet: the first request checks");
	step = health_cache_lookup(&c, T0 + 1 * MS, clock_now_us() - 1, &h);
	is_int(step, GW_HEALTH_ANSWER, "start-up, check running, budget spent: answers");
	is_int(h.status, 503, "... 503");
	is_str(h.data,
	       "{\"status\":\"unhealthy\",\"database\":\"disconnected\",\"migration\":\"unknown\"}",
	       "... disconnected");
	health_cache_publish(&c, T0, T0 + 5 * MS, &up);

	/* fresh for GW_HEALTH_REFRESH_MS after the check ended */
	st = look(&c, T0 + 5 * MS, &step);
	ok(step == GW_HEALTH_ANSWER && st == 200, "just checked: 200 from the cache");
	st = look(&c, T0 + 5 * MS + (GW_HEALTH_REFRESH_MS - 1) * MS, &step);
	ok(step == GW_HEALTH_ANSWER && st == 200, "refresh interval not over: cached");
	st = look(&c, T0 + 1 * MS, &step);
	ok(step == GW_HEALTH_ANSWER && st == 200,
	   "a request that began before the check ended: cached");

	/* stale: exactly one request checks, the others answer the last state at once */
	int64_t t1 = T0 + 5 * MS + GW_HEALTH_REFRESH_MS * MS;

	st = look(&c, t1, &step);
	is_int(step, GW_HEALTH_CHECK, "interval over: this request checks");
	st = look(&c, t1 + 1 * MS, &step);
	ok(step == GW_HEALTH_ANSWER && st == 200, "check running: others answer the last state");
	st = look(&c, t1 + 150 * MS, &step);
	ok(step == GW_HEALTH_ANSWER && st == 200,
	   "check running 150 ms: still the last state, no second check");

	/* the database went away: the failed check is published like a good one */
	health_cache_publish(&c, t1, t1 + 180 * MS, &down);
	st = look(&c, t1 + 181 * MS, &step);
	ok(step == GW_HEALTH_ANSWER && st == 503, "failed check: 503 from the cache");
	st = look(&c, t1 + 180 * MS + (GW_HEALTH_RETRY_MS - 1) * MS, &step);
	ok(step == GW_HEALTH_ANSWER && st == 503,
	   "failed check: not retried within the retry interval");

	/* it comes back at t2: the first request after the interval sees it */
	int64_t t2 = t1 + 181 * MS;
	int64_t t3 = t1 + 180 * MS + GW_HEALTH_RETRY_MS * MS;

	st = look(&c, t3, &step);
	is_int(step, GW_HEALTH_CHECK, "failed state older than the retry interval: a new check");
	st = look(&c, t3 + 1 * MS, &step);
	ok(step == GW_HEALTH_ANSWER && st == 503, "while it runs: the last state (503), no wait");
	health_cache_publish(&c, t3, t3 + 2 * MS, &up);
	st = look(&c, t3 + 3 * MS, &step);
	ok(step == GW_HEALTH_ANSWER && st == 200, "back: 200");
	ok(t3 + 3 * MS - t2 < GW_US_PER_SEC, "healthy again %lld ms after the database came back",
	   (long long) ((t3 + 3 * MS - t2) / MS));

	/* a stuck check is replaced; its late answer is dropped */
	int64_t t4 = t3 + 2 * MS + GW_HEALTH_REFRESH_MS * MS;
	int64_t t5 = t4 + GW_HEALTH_STUCK_MS * MS;

	st = look(&c, t4, &step);
	is_int(step, GW_HEALTH_CHECK, "stale again: a check (that will hang)");
	st = look(&c, t5 - 1, &step);
	ok(step == GW_HEALTH_ANSWER && st == 200, "check running under the stuck limit: last state");
	st = look(&c, t5, &step);
	is_int(step, GW_HEALTH_CHECK, "check running past the stuck limit: another request checks");
	health_cache_publish(&c, t5, t5 + 1 * MS, &down);
	health_cache_publish(&c, t4, t5 + 2 * MS, &up);
	st = look(&c, t5 + 3 * MS, &step);
	ok(step == GW_HEALTH_ANSWER && st == 503, "the stuck check's late answer is dropped");
	st = look(&c, t5 + 1 * MS + GW_HEALTH_REFRESH_MS * MS, &step);
	is_int(step, GW_HEALTH_CHECK, "and it did not leave a check marked as running");
	health_cache_publish(&c, t5 + 1 * MS + GW_HEALTH_REFRESH_MS * MS,
	                     t5 + 2 * MS + GW_HEALTH_REFRESH_MS * MS, &up);

	/* start-up wait with real threads: the waiter gets the first check's answer */
	{
		struct gw_health_cache c2 = GW_HEALTH_CACHE_INIT;
		struct waiter          w = { &c2, GW_HEALTH_CHECK,
		                             { 0, NULL, GW_ERR_UNAVAILABLE, false }, 0 };
		pthread_t              th;
		struct timespec        pause = { 0, 50 * 1000 * 1000 };
		int64_t                began = clock_now_us();

		is_int(health_cache_lookup(&c2, began, began, &h), GW_HEALTH_CHECK,
		       "threads: the first request checks");
		pthread_create(&th, NULL, wait_thread, &w);
		nanosleep(&pause, NULL);
		health_cache_publish(&c2, began, clock_now_us(), &up);
		pthread_join(th, NULL);
		ok(w.step == GW_HEALTH_ANSWER && w.h.status == 200,
		   "threads: a request arriving during the first check gets its answer");
		ok(w.waited_us < GW_US_PER_SEC, "threads: ... as soon as it is published (%lld ms)",
		   (long long) (w.waited_us / MS));
		pthread_mutex_destroy(&c2.mutex);
		pthread_cond_destroy(&c2.published);
	}
	pthread_mutex_destroy(&c.mutex);
	pthread_cond_destroy(&c.published);

	/* payloads */
	ok(health_schema_version("{\"schema_version\": \"1.0\"}", v, sizeof v) &&
	   strcmp(v, "1.0") == 0, "schema_version read");
	ok(!health_schema_version("{\"schema_version\": 1}", v, sizeof v), "not a string");
	ok(!health_schema_version("nonsense", v, sizeof v), "not JSON");
	payload(GW_Q_ROW, "{\"schema_version\":\"1.0\"}", NULL, 200,
	       "{\"status\":\"healthy\",\"database\":\"connected\",\"migration\":\"up-to-date\"}",
	       "same version");
	payload(GW_Q_ROW, "{\"schema_version\":\"0.9\"}", NULL, 200,
	       "{\"status\":\"degraded\",\"database\":\"connected\",\"migration\":\"out-of-date\"}",
	       "other version");
	payload(GW_Q_ROW, "{}", NULL, 200,
	       "{\"status\":\"degraded\",\"database\":\"connected\",\"migration\":\"out-of-date\"}",
	       "no version");
	payload(GW_Q_UNAVAILABLE, NULL, NULL, 503,
	       "{\"status\":\"unhealthy\",\"database\":\"disconnected\",\"migration\":\"unknown\"}",
	       "database away");
	payload(GW_Q_SQL_ERROR, NULL, NULL, 503,
	       "{\"status\":\"unhealthy\",\"database\":\"connected\",\"migration\":\"unknown\"}",
	       "api.health failed");

	/* one definition of the call: the route table and the start-up probe use health's */
	{
		struct gw_call  call;
		struct gw_match m;

		health_call(&call, "rid");
		is_str(call.sql, "SELECT data, meta, error FROM api.health()", "call: the SQL");
		ok(strcmp(call.role, GW_ROLE_ANON) == 0 && call.nargs == 0 &&
		   strcmp(call.token, "") == 0 && strcmp(call.user_id, "") == 0,
		   "call: anonymous, no arguments, no token, no user");
		is_str(call.request_id, "rid", "call: the request id");
		ok(router_match("GET", "/api/v1/health", &m) == 0 && m.route != NULL &&
		   strcmp(m.route->sql, call.sql) == 0, "the health route's SQL is the same definition");
		router_match_clear(&m);
	}
	return done_testing();
}
