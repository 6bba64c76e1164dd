/*
 * gateway/src/maintenance.c: the database's periodic upkeep that no request pays for.
 *
 * Expired Idempotency-Key answers (register's hold access tokens) are deleted by each stored
 * answer, ten at a time; without keyed traffic nothing would delete them, so this thread
 * calls api.gateway_forget_idempotency_keys() every MAINTENANCE_INTERVAL seconds, as the
 * gateway's login role (the only role that may: docs/security.md). The function deletes a
 * batch, skipping rows a request holds, and never waits; a full batch is followed by another
 * at once.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "log.h"
#include "maintenance.h"
#include "query.h"

#define MAINTENANCE_DB_TIMEOUT_S 10
#define MAINTENANCE_BATCH        1000  /* what one call deletes at most (46_api_idempotency.sql) */
#define MAINTENANCE_BATCHES_MAX  100   /* then wait for the next interval */

struct gw_maintenance {
	struct gw_pool  *pool;
	unsigned         interval_s;
	pthread_t        thread;
	pthread_mutex_t  mu;
	pthread_cond_t   wake;
	atomic_bool      stopping;
};

/* One purge call: how many answers went, or -1 (logged). */
static long
maintenance_purge(struct gw_maintenance *m)
{
	struct gw_call      call = {
		.request_id = NULL, .function = "api.gateway_forget_idempotency_keys",
		.sql = "SELECT api.gateway_forget_idempotency_keys()::text, NULL, NULL",
		.role = "none", .token = "", .user_id = "", .client_addr = "", .nargs = 0,
	};
	int64_t             now = clock_now_us();
	struct gw_deadlines dl = { now + MAINTENANCE_DB_TIMEOUT_S * GW_US_PER_SEC, 0,
	                           now + MAINTENANCE_DB_TIMEOUT_S * GW_US_PER_SEC };
	struct gw_qresult   q;
	long                gone = -1;

	switch (query_exec(m->pool, &call, &dl, &q)) {
	case GW_Q_ROW:
		if (q.data != NULL) {
			char *end;

			errno = 0;
			gone = strtol(q.data, &end, 10);
			if (errno != 0 || *end != '\0' || gone < 0)
				gone = -1;
		}
		if (gone < 0)
			log_msg(GW_LOG_WARN, NULL, "maintenance: api.gateway_forget_idempotency_keys "
			        "returned no count");
		break;
	case GW_Q_SQL_ERROR:
		log_msg(GW_LOG_WARN, NULL, "maintenance: expired Idempotency-Key answers not purged: "
		        "SQLSTATE %s: %s", q.sqlstate != NULL ? q.sqlstate : "(none)",
		        q.message != NULL ? q.message : "");
		break;
	case GW_Q_UNAVAILABLE:
	case GW_Q_INTERNAL:
	case GW_Q_STREAM:           /* never: the call is not streamed */
		log_msg(GW_LOG_WARN, NULL, "maintenance: expired Idempotency-Key answers not purged: %s",
		        q.why);
		break;
	}
	query_result_clear(&q);
	return gone;
}

static void *
maintenance_thread(void *arg)
{
	struct gw_maintenance *m = arg;

	for (;;) {
		int64_t         due = clock_now_us() + (int64_t) m->interval_s * GW_US_PER_SEC;
		struct timespec ts = { (time_t) (due / GW_US_PER_SEC),
		                       (long) (due % GW_US_PER_SEC) * 1000L };
		long            total = 0, gone = MAINTENANCE_BATCH;

		pthread_mutex_lock(&m->mu);
		while (!atomic_load(&m->stopping) &&
		       pthread_cond_timedwait(&m->wake, &m->mu, &ts) != ETIMEDOUT)
			;
		pthread_mutex_unlock(&m->mu);
		if (atomic_load(&m->stopping))
			break;
		for (int i = 0; i < MAINTENANCE_BATCHES_MAX && gone == MAINTENANCE_BATCH &&
		                !atomic_load(&m->stopping); i++) {
			gone = maintenance_purge(m);
			if (gone > 0)
				total += gone;
		}
		if (total > 0)
			log_msg(GW_LOG_INFO, NULL, "maintenance: %ld expired Idempotency-Key answers purged",
			        total);
	}
	return NULL;
}

struct gw_maintenance *
maintenance_start(struct gw_pool *pool, unsigned interval_s)
{
	struct gw_maintenance *m = calloc(1, sizeof *m);
	pthread_condattr_t     attr;

	if (m == NULL)
		return NULL;
	m->pool = pool;
	m->interval_s = interval_s;
	atomic_init(&m->stopping, false);
	if (pthread_condattr_init(&attr) != 0) {
		free(m);
		return NULL;
	}
	if (pthread_condattr_setclock(&attr, CLOCK_MONOTONIC) != 0 ||
	    pthread_mutex_init(&m->mu, NULL) != 0) {
		pthread_condattr_destroy(&attr);
		free(m);
		return NULL;
	}
	if (pthread_cond_init(&m->wake, &attr) != 0) {
		pthread_condattr_destroy(&attr);
		pthread_mutex_destroy(&m->mu);
		free(m);
		return NULL;
	}
	pthread_condattr_destroy(&attr);
	if (pthread_create(&m->thread, NULL, maintenance_thread, m) != 0) {
		pthread_cond_destroy(&m->wake);
		pthread_mutex_destroy(&m->mu);
		free(m);
		return NULL;
	}
	return m;
}

void
maintenance_stop(struct gw_maintenance *m)
{
	if (m == NULL)
		return;
	pthread_mutex_lock(&m->mu);
	atomic_store(&m->stopping, true);
	pthread_cond_signal(&m->wake);
	pthread_mutex_unlock(&m->mu);
	pthread_join(m->thread, NULL);
	pthread_cond_destroy(&m->wake);
	pthread_mutex_destroy(&m->mu);
	free(m);
}
