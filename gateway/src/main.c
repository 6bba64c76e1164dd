/* main.c - start-up (config, first connection, listener), signals and orderly shutdown. */
#include <jansson.h>
#include <microhttpd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "admin.h"
#include "clock.h"
#include "config.h"
#include "docs.h"
#include "handler.h"
#include "health.h"
#include "jwks.h"
#include "log.h"
#include "maintenance.h"
#include "metrics.h"
#include "pgwait.h"
#include "pool.h"
#include "query.h"
#include "replica.h"
#include "static.h"
#include "stream.h"

#define IDLE_TIMEOUT_S      30     /* an HTTP connection silent this long is closed */
#define DRAIN_TIMEOUT_S     10     /* shutdown: how long in-flight requests may finish */
#define STARTUP_RETRIES     5      /* production: retries of the first connection */

static const char *
main_getenv(const char *name)
{
	return getenv(name);
}

__attribute__((format(printf, 2, 0)))
static void
main_mhd_log(void *cls, const char *fmt, va_list ap)
{
	(void) cls;
	log_vmsg(GW_LOG_WARN, NULL, fmt, ap);
}

/*
 * One api.health() call as todo_anon: proves the database answers, and warns when its
 * schema is not the one this gateway was built for. Returns 0 when the database answered
 * (even with an SQL error), -1 when it could not be reached (why says why).
 */
static int
main_probe(struct gw_pool *pool, char *why, size_t whylen)
{
	struct gw_call      call;
	int64_t             now = clock_now_us();
	struct gw_deadlines dl = { now + 5 * GW_US_PER_SEC, now + 5 * GW_US_PER_SEC,
		                   now + 10 * GW_US_PER_SEC };
	struct gw_qresult   q;
	char                version[64];
	int                 rc = 0;

	health_call(&call, NULL);
	switch (query_exec(pool, &call, &dl, &q)) {
	case GW_Q_ROW:
		if (!health_schema_version(q.data, version, sizeof version))
			log_msg(GW_LOG_WARN, NULL, "api.health() returned no schema_version");
		else if (strcmp(version, TODO_SCHEMA_VERSION) != 0)
			log_msg(GW_LOG_WARN, NULL, "database schema version %s differs from the "
			        "version this gateway was built for (%s)", version, TODO_SCHEMA_VERSION);
		break;
	case GW_Q_SQL_ERROR:
		log_msg(GW_LOG_WARN, NULL, "cannot read the schema version: SQLSTATE %s: %s "
		        "(is the todo extension installed?)",
		        q.sqlstate != NULL ? q.sqlstate : "(none)",
		        q.message != NULL ? q.message : "");
		break;
	case GW_Q_INTERNAL:
	case GW_Q_STREAM:           /* never: health is not streamed */
		log_msg(GW_LOG_WARN, NULL, "cannot read the schema version: %s", q.why);
		break;
	case GW_Q_UNAVAILABLE:
		snprintf(why, whylen, "%s", q.why);
		rc = -1;
		break;
	}
	query_result_clear(&q);
	return rc;
}

/*
 * The first connection. Development gives up at once; production retries STARTUP_RETRIES
 * times, waiting STARTUP_BACKOFF_MS, then twice as long each time (1, 2, 4, 8, 16 s by
 * default: a Neon compute waking up, a database still starting). Every attempt is logged
 * with libpq's reason (never the password). Returns 0 when connected, 1 when a stop
 * signal came while waiting, -1 when it gave up.
 */
static int
main_connect(const struct gw_config *cfg, struct gw_pool *pool, const sigset_t *stop)
{
	int  attempts = cfg->environment == GW_ENV_PRODUCTION ? 1 + STARTUP_RETRIES : 1;
	char why[256];

	for (int i = 1;; i++) {
		long            wait_ms = (long) cfg->startup_backoff_ms << (i - 1);
		struct timespec pause = { (time_t) (wait_ms / 1000), (wait_ms % 1000) * 1000000L };

		if (main_probe(pool, why, sizeof why) == 0) {
			if (i > 1)
				log_msg(GW_LOG_INFO, NULL, "connected to the database (attempt %d of %d)",
				        i, attempts);
			return 0;
		}
		if (i == attempts) {
			log_msg(GW_LOG_ERROR, NULL, "cannot connect to the database given by "
			        "DATABASE_URL (attempt %d of %d): %s; giving up%s", i, attempts, why,
			        attempts == 1 ? " (ENVIRONMENT=development does not retry)" : "");
			return -1;
		}
		log_msg(GW_LOG_WARN, NULL, "cannot connect to the database given by DATABASE_URL "
		        "(attempt %d of %d): %s; retrying in %ld ms", i, attempts, why, wait_ms);
		if (sigtimedwait(stop, NULL, &pause) > 0)
			return 1;
	}
}

/* Stop accepting, let in-flight requests finish (bounded), stop the daemon. */
static void
main_shutdown(struct MHD_Daemon *daemon, struct gw_admin *admin, struct gw_app *app,
              const sigset_t *stop)
{
	MHD_socket listener = MHD_quiesce_daemon(daemon);
	int64_t    deadline = clock_now_us() + DRAIN_TIMEOUT_S * GW_US_PER_SEC;
	unsigned   left;

	jwks_stop(app->jwks);       /* a fetch in progress is abandoned, its waiters answered */

	while ((left = atomic_load(&app->active)) > 0 && clock_now_us() < deadline) {
		struct timespec tick = { 0, 20 * 1000 * 1000 };

		if (sigtimedwait(stop, NULL, &tick) > 0)
			break;      /* a second signal: stop waiting */
	}
	if (left > 0) {
		log_msg(GW_LOG_WARN, NULL, "%u requests still running: abandoning them", left);
		pgwait_abort_all();
	}
	admin_stop(admin);
	replicas_close(app->replicas);
	pool_close(app->pool);
	pool_close(app->health_pool);
	MHD_stop_daemon(daemon);
	if (listener != MHD_INVALID_SOCKET)
		close(listener);
}

int
main(void)
{
	struct gw_config   cfg;
	struct gw_app      app;
	struct MHD_Daemon *daemon;
	struct gw_admin   *admin = NULL;
	struct gw_maintenance *maintenance;
	sigset_t           stop;
	char               err[256];
	int                sig = 0;
	int                rc;

	if (config_load(&cfg, main_getenv, err, sizeof err) != 0) {
		log_msg(GW_LOG_ERROR, NULL, "configuration error: %s", err);
		return 1;
	}
	log_set_level(cfg.log_level);
	json_object_seed(0);        /* jansson's hash seed, set before any thread starts */

	/* Block the stop signals in every thread: main() alone waits for them. */
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	if (pthread_sigmask(SIG_BLOCK, &stop, NULL) != 0 || signal(SIGPIPE, SIG_IGN) == SIG_ERR) {
		log_msg(GW_LOG_ERROR, NULL, "cannot set up signal handling");
		config_free(&cfg);
		return 1;
	}

	metrics_init();
	if (docs_load_script(cfg.docs_script, err, sizeof err) != 0)
		log_msg(GW_LOG_WARN, NULL, "GET /api/docs has no script: %s", err);
	memset(&app, 0, sizeof app);
	app.config = &cfg;
	atomic_init(&app.active, 0);
	query_use_prepared(cfg.prepared_statements);
	app.pool = pool_create(cfg.database_url, cfg.pool_size);
	/* health's single-flight check has a connection of its own (health.c) */
	app.health_pool = pool_create(cfg.database_url, 1);
	if (app.pool == NULL || app.health_pool == NULL) {
		log_msg(GW_LOG_ERROR, NULL, "out of memory");
		pool_destroy(app.health_pool);
		pool_destroy(app.pool);
		config_free(&cfg);
		return 1;
	}
	rc = main_connect(&cfg, app.pool, &stop);
	if (rc != 0) {
		pool_destroy(app.health_pool);
		pool_destroy(app.pool);
		config_free(&cfg);
		return rc > 0 ? 0 : 1;
	}

	if (static_web_open(cfg.web_root, &app.web) != 0) {
		pool_destroy(app.health_pool);
		pool_destroy(app.pool);
		config_free(&cfg);
		return 1;
	}
	if (stream_watchdog_start() != 0) {
		log_msg(GW_LOG_ERROR, NULL, "cannot start the streams' watchdog");
		static_close(app.web);
		pool_destroy(app.health_pool);
		pool_destroy(app.pool);
		config_free(&cfg);
		return 1;
	}
	/* the trusted issuers' keys: fetched in the background from now on (jwks.c) */
	app.jwks = jwks_start(app.pool);
	if (app.jwks == NULL)
		log_msg(GW_LOG_WARN, NULL, "cannot start the JWKS fetcher: tokens of issuers "
		        "with a JWKS URL cannot be verified until the keys are in the database");
	/* the read replicas, and their checker thread (replica.c) */
	if (cfg.replicas.n > 0) {
		app.replicas = replicas_start(&cfg.replicas, cfg.database_url);
		if (app.replicas == NULL)
			log_msg(GW_LOG_WARN, NULL, "cannot start the read replicas: every request "
			        "goes to the primary");
		else
			log_msg(GW_LOG_INFO, NULL, "read replicas: %u (REPLICA_MAX_LAG_MS %u, "
			        "REPLICA_CHECK_MS %u, REPLICA_POOL_SIZE %u)", cfg.replicas.n,
			        cfg.replicas.max_lag_ms, cfg.replicas.check_ms, cfg.replicas.pool_size);
	}
	daemon = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
	                          MHD_USE_POLL | MHD_USE_ITC | MHD_USE_ERROR_LOG,
	                          (uint16_t) cfg.port, NULL, NULL, handler_access, &app,
	                          MHD_OPTION_EXTERNAL_LOGGER, main_mhd_log, NULL,
	                          MHD_OPTION_URI_LOG_CALLBACK, handler_uri, &app,
	                          MHD_OPTION_NOTIFY_COMPLETED, handler_completed, &app,
	                          MHD_OPTION_UNESCAPE_CALLBACK, handler_unescape, NULL,
	                          MHD_OPTION_CONNECTION_LIMIT, (unsigned int) cfg.max_connections,
	                          /* an address over its share is closed at accept (0: no limit) */
	                          MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int) cfg.max_per_address,
	                          MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int) IDLE_TIMEOUT_S,
	                          MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned int) 1,
	                          MHD_OPTION_END);
	if (daemon == NULL) {
		log_msg(GW_LOG_ERROR, NULL, "cannot listen on port %u (PORT)", cfg.port);
		stream_watchdog_stop();
		replicas_free(app.replicas);
		jwks_free(app.jwks);
		static_close(app.web);
		pool_destroy(app.health_pool);
		pool_destroy(app.pool);
		config_free(&cfg);
		return 1;
	}
	if (cfg.admin_port != 0 && (admin = admin_start(&app, err, sizeof err)) == NULL) {
		log_msg(GW_LOG_ERROR, NULL, "admin listener: %s", err);
		MHD_stop_daemon(daemon);
		stream_watchdog_stop();
		replicas_free(app.replicas);
		jwks_free(app.jwks);
		pool_destroy(app.health_pool);
		pool_destroy(app.pool);
		config_free(&cfg);
		return 1;
	}
	/* expired Idempotency-Key answers purged on time, keyed traffic or not (maintenance.c) */
	maintenance = maintenance_start(app.pool, cfg.maintenance_interval);
	if (maintenance == NULL)
		log_msg(GW_LOG_WARN, NULL, "cannot start the maintenance thread: expired "
		        "Idempotency-Key answers go only with later keyed writes");
	log_msg(GW_LOG_INFO, NULL, "listening on port %u (%s, schema %s, pool %u, log %s, "
	        "connections %u, per address %u)",
	        cfg.port, cfg.environment == GW_ENV_PRODUCTION ? "production" : "development",
	        TODO_SCHEMA_VERSION, cfg.pool_size, log_level_name(cfg.log_level),
	        cfg.max_connections, cfg.max_per_address);
	if (admin != NULL)
		log_msg(GW_LOG_INFO, NULL, "admin listener on %s port %u: /live /ready /metrics",
		        cfg.admin_bind, cfg.admin_port);

	if (sigwait(&stop, &sig) != 0)
		sig = SIGTERM;
	log_msg(GW_LOG_INFO, NULL, "%s received: shutting down",
	        sig == SIGINT ? "SIGINT" : "SIGTERM");
	maintenance_stop(maintenance);
	main_shutdown(daemon, admin, &app, &stop);
	stream_watchdog_stop();
	replicas_free(app.replicas);
	jwks_free(app.jwks);
	static_close(app.web);
	pool_destroy(app.health_pool);
	pool_destroy(app.pool);
	config_free(&cfg);
	docs_free();
	log_msg(GW_LOG_INFO, NULL, "stopped");
	return 0;
}
