/* admin.c - the admin listener (ADMIN_PORT): GET /live, /ready, /metrics for operators.
 *
 * A second libmicrohttpd daemon on its own address (127.0.0.1 by default), so probes and
 * scrapes never reach the public port and the public port never serves them. It shares the
 * health check's cache with GET /api/v1/health (a probe does not add database load beyond
 * one check per 250 ms) and reads the counters of metrics.c.
 */
#include "admin.h"

#include <microhttpd.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "health.h"
#include "log.h"
#include "metrics.h"
#include "replica.h"
#include "strbuf.h"

#define ADMIN_CONNECTIONS  16             /* a scraper and a few probes */
#define ADMIN_TIMEOUT_S    10
#define METRICS_MAX        ((size_t) 1 << 20)

struct gw_admin {
	struct MHD_Daemon *daemon;
	struct gw_app     *app;
};

/* The pool the health check uses (its own connection when main.c made one). */
static struct gw_pool *
admin_health_pool(const struct gw_app *app)
{
	return app->health_pool != NULL ? app->health_pool : app->pool;
}

/* Whether the gateway can serve: "" when ready, else why not (static text). */
static const char *
admin_not_ready(struct gw_app *app)
{
	struct gw_health     h;
	struct gw_pool_stats ps;
	unsigned             trips = 0;

	health_current(admin_health_pool(app), NULL, &trips, &h);
	if (h.status != 200)
		return "the database is unreachable or failing";
	if (strcmp(health_state_name(&h), "healthy") != 0)
		return "the database schema is not the version this gateway expects";
	pool_stats(app->pool, &ps);
	if (ps.open - ps.idle >= ps.size && ps.waiting > 0)
		return "every pooled connection is in use and requests are waiting";
	return "";
}

static char *
admin_metrics(struct gw_app *app, size_t *len)
{
	struct gw_metrics_state st;
	struct gw_health        h;
	struct strbuf           sb;

	health_last(&h);            /* a scrape never makes a database call */
	st.pool = app->pool;
	st.health = health_state_name(&h);
	strbuf_init(&sb, METRICS_MAX);
	metrics_write(&sb, &st);
	if (app->replicas != NULL)
		replicas_write_metrics(app->replicas, &sb);
	return strbuf_steal(&sb, len);
}

static enum MHD_Result
admin_reply(struct MHD_Connection *con, unsigned status, const char *type, char *body,
            size_t len, bool owned)
{
	struct MHD_Response *resp;
	enum MHD_Result      rc;

	resp = MHD_create_response_from_buffer(len, body, owned ? MHD_RESPMEM_MUST_FREE
	                                                        : MHD_RESPMEM_MUST_COPY);
	if (resp == NULL) {
		if (owned)
			free(body);
		return MHD_NO;
	}
	if (MHD_add_response_header(resp, "Content-Type", type) != MHD_YES ||
	    MHD_add_response_header(resp, "Cache-Control", "no-store") != MHD_YES ||
	    (status == 405 && MHD_add_response_header(resp, "Allow", "GET, HEAD") != MHD_YES)) {
		MHD_destroy_response(resp);
		return MHD_NO;
	}
	rc = MHD_queue_response(con, status, resp);
	MHD_destroy_response(resp);
	return rc;
}

static enum MHD_Result
admin_access(void *cls, struct MHD_Connection *con, const char *url, const char *method,
             const char *version, const char *upload_data, size_t *upload_data_size,
             void **con_cls)
{
	static const char text[] = "text/plain; charset=utf-8";
	struct gw_admin  *admin = cls;
	char              msg[128];

	(void) version;
	(void) upload_data;
	if (*con_cls == NULL) {             /* first call: headers only */
		*con_cls = admin;
		return MHD_YES;
	}
	if (*upload_data_size != 0) {       /* a body is ignored */
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (strcmp(url, "/live") != 0 && strcmp(url, "/ready") != 0 && strcmp(url, "/metrics") != 0)
		return admin_reply(con, 404, text, (char *) "not found\n", 10, false);
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return admin_reply(con, 405, text, (char *) "method not allowed\n", 19, false);
	if (strcmp(url, "/live") == 0)
		return admin_reply(con, 200, text, (char *) "live\n", 5, false);
	if (strcmp(url, "/ready") == 0) {
		const char *why = admin_not_ready(admin->app);
		int         n;

		if (*why == '\0' && admin->app->replicas != NULL) {
			/* a replica out of rotation leaves the gateway ready: the primary serves */
			struct strbuf sb;
			size_t        len = 0;
			char         *body;

			strbuf_init(&sb, 4096);
			strbuf_puts(&sb, "ready\n");
			replicas_describe(admin->app->replicas, &sb);
			body = strbuf_steal(&sb, &len);
			if (body == NULL)
				return admin_reply(con, 500, text, (char *) "out of memory\n", 14, false);
			return admin_reply(con, 200, text, body, len, true);
		}
		if (*why == '\0')
			return admin_reply(con, 200, text, (char *) "ready\n", 6, false);
		n = snprintf(msg, sizeof msg, "not ready: %s\n", why);
		return admin_reply(con, 503, text, msg, n > 0 ? (size_t) n : 0, false);
	} else {
		size_t len = 0;
		char  *body = admin_metrics(admin->app, &len);

		if (body == NULL)
			return admin_reply(con, 500, text, (char *) "out of memory\n", 14, false);
		return admin_reply(con, 200, "text/plain; version=0.0.4; charset=utf-8", body, len,
		                   true);
	}
}

__attribute__((format(printf, 2, 0)))
static void
admin_mhd_log(void *cls, const char *fmt, va_list ap)
{
	(void) cls;
	log_vmsg(GW_LOG_WARN, NULL, fmt, ap);
}

struct gw_admin *
admin_start(struct gw_app *app, char *err, size_t errlen)
{
	const struct gw_config *cfg = app->config;
	struct addrinfo         hints;
	struct addrinfo        *ai = NULL;
	struct gw_admin        *admin;
	char                    port[8];
	unsigned                flags = MHD_USE_THREAD_PER_CONNECTION |
	                                MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL |
	                                MHD_USE_ERROR_LOG;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
	snprintf(port, sizeof port, "%u", cfg->admin_port);
	if (getaddrinfo(cfg->admin_bind, port, &hints, &ai) != 0 || ai == NULL) {
		snprintf(err, errlen, "ADMIN_BIND must be a numeric IPv4 or IPv6 address");
		return NULL;
	}
	admin = calloc(1, sizeof *admin);
	if (admin == NULL) {
		freeaddrinfo(ai);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	admin->app = app;
	if (ai->ai_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	admin->daemon = MHD_start_daemon(flags, (uint16_t) cfg->admin_port, NULL, NULL,
	                                 admin_access, admin,
	                                 MHD_OPTION_SOCK_ADDR, ai->ai_addr,
	                                 MHD_OPTION_EXTERNAL_LOGGER, admin_mhd_log, NULL,
	                                 MHD_OPTION_CONNECTION_LIMIT,
	                                 (unsigned int) ADMIN_CONNECTIONS,
	                                 MHD_OPTION_CONNECTION_TIMEOUT,
	                                 (unsigned int) ADMIN_TIMEOUT_S,
	                                 MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned int) 1,
	                                 MHD_OPTION_END);
	freeaddrinfo(ai);
	if (admin->daemon == NULL) {
		snprintf(err, errlen, "cannot listen on %s port %u (ADMIN_BIND, ADMIN_PORT)",
		         cfg->admin_bind, cfg->admin_port);
		free(admin);
		return NULL;
	}
	return admin;
}

void
admin_stop(struct gw_admin *admin)
{
	if (admin == NULL)
		return;
	MHD_stop_daemon(admin->daemon);
	free(admin);
}
