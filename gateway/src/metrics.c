/* metrics.c - the gateway's counters for GET /metrics (admin.c), in the Prometheus text format.
 *
 * Every series is a fixed slot in a static array of C11 atomics, found without allocation or
 * lock: the request path adds with relaxed order (a scrape needs no consistency between
 * series, only that each counter never goes back). Labels come from fixed lists and from the
 * route table, so no client can grow the set of series, and no label carries a user id, an
 * email or a token.
 */
#include "metrics.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "pool.h"
#include "router.h"

#define ROUTES_MAX 24          /* distinct route templates; slot 0 is "none" (no route),
                                  slot 1 the web app's files */

static const char *const methods[] = {
	"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "other"
};
#define N_METHODS (sizeof methods / sizeof methods[0])

/* The statuses the gateway answers with (docs/sql-api.md, API.md); anything else: "other". */
static const unsigned statuses[] = {
	200, 201, 204, 304, 400, 401, 403, 404, 405, 409, 413, 415, 422, 429, 500, 503, 0
};
#define N_STATUSES (sizeof statuses / sizeof statuses[0])

/* Latency buckets' upper bounds, microseconds (printed as seconds). */
static const int64_t buckets_us[] = {
	1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 500000, 1000000, 2500000,
	5000000, 10000000
};
#define N_BUCKETS (sizeof buckets_us / sizeof buckets_us[0])

static const char *routes[ROUTES_MAX] = { "none", GW_METRICS_ROUTE_WEB };
static size_t      n_routes = 2;

static atomic_ulong requests[ROUTES_MAX][N_METHODS][N_STATUSES];
/* per bucket (not cumulative; the scrape sums), then +Inf */
static atomic_ulong latency[ROUTES_MAX][N_METHODS][N_BUCKETS + 1];
static atomic_ulong latency_sum_us[ROUTES_MAX][N_METHODS];
static atomic_ulong refusals[GW_REFUSED_N];
static atomic_ulong db_errors[GW_DBERR_N];

static const char *const refusal_names[GW_REFUSED_N] = { "missing", "malformed", "invalid" };
static const char *const db_error_names[GW_DBERR_N] = {
	"unavailable", "sql_error", "internal", "retried"
};

void
metrics_init(void)
{
	const struct gw_route *r;

	for (size_t i = 0; (r = router_at(i)) != NULL; i++) {
		bool seen = r->pattern == NULL;

		for (size_t k = 1; k < n_routes && !seen; k++)
			seen = strcmp(routes[k], r->pattern) == 0;
		if (!seen && n_routes < ROUTES_MAX)
			routes[n_routes++] = r->pattern;
	}
}

static size_t
metrics_route_slot(const char *pattern)
{
	if (pattern == NULL)
		return 0;
	for (size_t k = 1; k < n_routes; k++) {
		if (strcmp(routes[k], pattern) == 0)
			return k;
	}
	return 0;
}

static size_t
metrics_method_slot(const char *method)
{
	for (size_t i = 0; i + 1 < N_METHODS; i++) {
		if (strcmp(methods[i], method) == 0)
			return i;
	}
	return N_METHODS - 1;
}

static size_t
metrics_status_slot(unsigned status)
{
	for (size_t i = 0; i + 1 < N_STATUSES; i++) {
		if (statuses[i] == status)
			return i;
	}
	return N_STATUSES - 1;
}

void
metrics_request(const char *pattern, const char *method, unsigned status, int64_t duration_us)
{
	size_t r = metrics_route_slot(pattern);
	size_t m = metrics_method_slot(method);
	size_t b = 0;

	if (duration_us < 0)
		duration_us = 0;
	while (b < N_BUCKETS && duration_us > buckets_us[b])
		b++;
	atomic_fetch_add_explicit(&requests[r][m][metrics_status_slot(status)], 1,
	                          memory_order_relaxed);
	atomic_fetch_add_explicit(&latency[r][m][b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&latency_sum_us[r][m], (unsigned long) duration_us,
	                          memory_order_relaxed);
}

void
metrics_token_refused(enum gw_token_refusal why)
{
	if (why < GW_REFUSED_N)
		atomic_fetch_add_explicit(&refusals[why], 1, memory_order_relaxed);
}

void
metrics_db_error(enum gw_db_error kind)
{
	if (kind < GW_DBERR_N)
		atomic_fetch_add_explicit(&db_errors[kind], 1, memory_order_relaxed);
}

static unsigned long
metrics_load(atomic_ulong *a)
{
	return atomic_load_explicit(a, memory_order_relaxed);
}

static void
metrics_head(struct strbuf *sb, const char *name, const char *type, const char *help)
{
	strbuf_printf(sb, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void
metrics_write_requests(struct strbuf *sb)
{
	metrics_head(sb, "todo_http_requests_total", "counter",
	             "API requests answered, by route template, method and status.");
	for (size_t r = 0; r < n_routes; r++)
		for (size_t m = 0; m < N_METHODS; m++)
			for (size_t s = 0; s < N_STATUSES; s++) {
				unsigned long v = metrics_load(&requests[r][m][s]);
				char          code[16] = "other";

				if (v == 0)
					continue;
				if (statuses[s] != 0)
					snprintf(code, sizeof code, "%u", statuses[s]);
				strbuf_printf(sb, "todo_http_requests_total{route=\"%s\",method=\"%s\","
				              "status=\"%s\"} %lu\n", routes[r], methods[m], code, v);
			}
	metrics_head(sb, "todo_http_request_duration_seconds", "histogram",
	             "Time from the request line to the end of the answer, by route template "
	             "and method.");
	for (size_t r = 0; r < n_routes; r++)
		for (size_t m = 0; m < N_METHODS; m++) {
			unsigned long counts[N_BUCKETS + 1];
			unsigned long cum = 0;
			unsigned long total = 0;

			for (size_t b = 0; b <= N_BUCKETS; b++)
				total += counts[b] = metrics_load(&latency[r][m][b]);
			if (total == 0)
				continue;
			for (size_t b = 0; b < N_BUCKETS; b++) {
				cum += counts[b];
				strbuf_printf(sb, "todo_http_request_duration_seconds_bucket{route=\"%s\","
				              "method=\"%s\",le=\"%g\"} %lu\n", routes[r], methods[m],
				              (double) buckets_us[b] / 1e6, cum);
			}
			strbuf_printf(sb, "todo_http_request_duration_seconds_bucket{route=\"%s\","
			              "method=\"%s\",le=\"+Inf\"} %lu\n", routes[r], methods[m], total);
			strbuf_printf(sb, "todo_http_request_duration_seconds_sum{route=\"%s\","
			              "method=\"%s\"} %.6f\n", routes[r], methods[m],
			              (double) metrics_load(&latency_sum_us[r][m]) / 1e6);
			strbuf_printf(sb, "todo_http_request_duration_seconds_count{route=\"%s\","
			              "method=\"%s\"} %lu\n", routes[r], methods[m], total);
		}
}

static void
metrics_write_pool(struct strbuf *sb, struct gw_pool *pool)
{
	struct gw_pool_stats ps;

	pool_stats(pool, &ps);
	metrics_head(sb, "todo_pool_size", "gauge", "Connections the pool may hold (POOL_SIZE).");
	strbuf_printf(sb, "todo_pool_size %u\n", ps.size);
	metrics_head(sb, "todo_pool_open", "gauge", "Connections open or being made.");
	strbuf_printf(sb, "todo_pool_open %u\n", ps.open);
	metrics_head(sb, "todo_pool_in_use", "gauge", "Connections lent to a request.");
	strbuf_printf(sb, "todo_pool_in_use %u\n", ps.open - ps.idle);
	metrics_head(sb, "todo_pool_waiting", "gauge", "Requests waiting for a connection.");
	strbuf_printf(sb, "todo_pool_waiting %u\n", ps.waiting);
	metrics_head(sb, "todo_pool_acquire_timeouts_total", "counter",
	             "Requests that found no connection free within POOL_TIMEOUT (503).");
	strbuf_printf(sb, "todo_pool_acquire_timeouts_total %lu\n", ps.timeouts);
	metrics_head(sb, "todo_pool_connect_failures_total", "counter",
	             "New connections that could not be made.");
	strbuf_printf(sb, "todo_pool_connect_failures_total %lu\n", ps.connect_failures);
}

void
metrics_write(struct strbuf *sb, const struct gw_metrics_state *st)
{
	static const char *const states[] = { "healthy", "degraded", "unhealthy" };

	metrics_write_requests(sb);
	metrics_write_pool(sb, st->pool);
	metrics_head(sb, "todo_db_errors_total", "counter",
	             "Database calls that failed, by kind.");
	for (size_t i = 0; i < GW_DBERR_N; i++)
		strbuf_printf(sb, "todo_db_errors_total{kind=\"%s\"} %lu\n", db_error_names[i],
		              metrics_load(&db_errors[i]));
	metrics_head(sb, "todo_token_refusals_total", "counter",
	             "Bearer tokens refused (401 on a route that needs one), by reason.");
	for (size_t i = 0; i < GW_REFUSED_N; i++)
		strbuf_printf(sb, "todo_token_refusals_total{reason=\"%s\"} %lu\n", refusal_names[i],
		              metrics_load(&refusals[i]));
	metrics_head(sb, "todo_health_state", "gauge",
	             "The health check's answer (GET /api/v1/health): 1 for the current state.");
	for (size_t i = 0; i < sizeof states / sizeof states[0]; i++)
		strbuf_printf(sb, "todo_health_state{state=\"%s\"} %d\n", states[i],
		              strcmp(states[i], st->health) == 0);
	metrics_head(sb, "todo_gateway_build_info", "gauge",
	             "The gateway's build: the schema version it expects.");
	strbuf_printf(sb, "todo_gateway_build_info{schema_version=\"%s\"} 1\n",
	              TODO_SCHEMA_VERSION);
}
