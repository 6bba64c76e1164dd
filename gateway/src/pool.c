/* pool.c - a fixed-size pool of libpq connections, made lazily, replaced when broken. */
#include "pool.h"

#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "log.h"
#include "pgwait.h"

struct gw_pool {
	pthread_mutex_t mutex;
	pthread_cond_t  freed;      /* signalled when a connection or a slot becomes free */
	const char     *url;        /* borrowed: DATABASE_URL */
	char           *password;   /* owned copy of the URL's password, to mask it in messages */
	unsigned        size;
	unsigned        open;       /* connections idle, in use, or being made */
	unsigned        nidle;
	PGconn        **idle;       /* owned stack of nidle idle connections (capacity size) */
	bool            closed;
	unsigned        waiting;    /* for pool_stats(): acquisitions in the wait below */
	unsigned long   timeouts;
	unsigned long   connect_failures;
};

/* The password in a connection string, or NULL (none, unparsable, out of memory). */
static char *
pool_password(const char *url)
{
	PQconninfoOption *opts = PQconninfoParse(url, NULL);
	char             *password = NULL;

	for (PQconninfoOption *o = opts; o != NULL && o->keyword != NULL; o++) {
		if (strcmp(o->keyword, "password") == 0 && o->val != NULL && *o->val != '\0')
			password = strdup(o->val);
	}
	PQconninfoFree(opts);
	return password;
}

struct gw_pool *
pool_create(const char *url, unsigned size)
{
	struct gw_pool    *pool = calloc(1, sizeof *pool);
	pthread_condattr_t attr;

	if (pool == NULL)
		return NULL;
	pool->idle = calloc(size, sizeof *pool->idle);
	if (pool->idle == NULL || pthread_mutex_init(&pool->mutex, NULL) != 0) {
		free(pool->idle);
		free(pool);
		return NULL;
	}
	/* waits are measured on the monotonic clock, like every deadline here */
	if (pthread_condattr_init(&attr) != 0 ||
	    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC) != 0 ||
	    pthread_cond_init(&pool->freed, &attr) != 0) {
		pthread_mutex_destroy(&pool->mutex);
		free(pool->idle);
		free(pool);
		return NULL;
	}
	pthread_condattr_destroy(&attr);
	pool->password = pool_password(url);
	pool->url = url;
	pool->size = size;
	return pool;
}

/* Server notices (RAISE NOTICE, shutdown warnings) go to the debug log, not to stderr. */
static void
pool_notice(void *arg, const char *message)
{
	(void) arg;
	log_msg(GW_LOG_DEBUG, NULL, "database notice: %s", message);
}

/* Copies libpq's message for conn into err, without the trailing newline, and with the
 * password (should libpq ever quote it) masked. */
static void
pool_conn_error(const char *password, PGconn *conn, const char *fallback, char *err,
                size_t errlen)
{
	const char *m = conn != NULL ? PQerrorMessage(conn) : "";
	char       *p;

	snprintf(err, errlen, "%s", *m != '\0' ? m : fallback);
	err[strcspn(err, "\n")] = '\0';
	while (password != NULL && (p = strstr(err, password)) != NULL)
		memset(p, '*', strlen(password));
}

/* Makes one connection by deadline (non-blocking libpq connect). NULL with err on failure. */
static PGconn *
pool_connect(const struct gw_pool *pool, int64_t deadline, char *err, size_t errlen)
{
	/* Defaults first: keys in DATABASE_URL (dbname, expanded last) override them. */
	static const char *const keys[] = {
		"application_name", "connect_timeout", "keepalives_idle", "keepalives_interval",
		"keepalives_count", "dbname", NULL
	};
	const char *values[] = { "todo-gateway", "5", "30", "10", "3", pool->url, NULL };
	PostgresPollingStatusType st = PGRES_POLLING_WRITING;
	PGconn     *conn = PQconnectStartParams(keys, values, 1);

	if (conn == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	while (PQstatus(conn) != CONNECTION_BAD && st != PGRES_POLLING_OK) {
		short        ev = st == PGRES_POLLING_READING ? POLLIN : POLLOUT;
		enum gw_wait w = pgwait_socket(PQsocket(conn), ev, deadline);

		if (w != GW_WAIT_READY) {
			snprintf(err, errlen, "%s", w == GW_WAIT_TIMEOUT ? "connection timed out"
			                                                 : "connection failed");
			PQfinish(conn);
			return NULL;
		}
		st = PQconnectPoll(conn);
		if (st == PGRES_POLLING_FAILED)
			break;
	}
	if (PQstatus(conn) != CONNECTION_OK) {
		pool_conn_error(pool->password, conn, "connection failed", err, errlen);
		PQfinish(conn);
		return NULL;
	}
	if (PQsetnonblocking(conn, 1) != 0) {
		pool_conn_error(pool->password, conn, "cannot make the connection non-blocking", err,
		                errlen);
		PQfinish(conn);
		return NULL;
	}
	PQsetNoticeProcessor(conn, pool_notice, NULL);
	return conn;
}

/*
 * Whether an idle connection still looks usable: open, outside any transaction, and its
 * socket silent. An idle connection has nothing to hear: whatever arrives (a server's
 * parting "terminating connection due to administrator command", a pooler's idle timeout,
 * end-of-file) means it is closing, so it is replaced rather than read. Reading it here
 * would also lose the SQLSTATE of a parting error (libpq takes it as a mere notice while
 * idle). Costs one poll(2).
 */
static bool
pool_idle_alive(PGconn *conn)
{
	struct pollfd pfd = { .fd = PQsocket(conn), .events = POLLIN, .revents = 0 };

	if (PQstatus(conn) != CONNECTION_OK || PQtransactionStatus(conn) != PQTRANS_IDLE ||
	    pfd.fd < 0)
		return false;
	return poll(&pfd, 1, 0) == 0;
}

enum gw_pool_status
pool_acquire(struct gw_pool *pool, int64_t wait_by, int64_t connect_by, bool fresh,
             PGconn **conn, char *err, size_t errlen)
{
	struct timespec ts = {
		.tv_sec = (time_t) (wait_by / GW_US_PER_SEC),
		.tv_nsec = (long) (wait_by % GW_US_PER_SEC) * 1000,
	};
	PGconn         *c = NULL;

	*conn = NULL;
	pthread_mutex_lock(&pool->mutex);
	for (;;) {
		if (pool->closed) {
			pthread_mutex_unlock(&pool->mutex);
			return GW_POOL_CLOSED;
		}
		if (pool->nidle > 0 && !(fresh && pool->open < pool->size)) {
			c = pool->idle[--pool->nidle];      /* fresh: its slot is reused below */
			break;
		}
		if (pool->open < pool->size) {
			pool->open++;       /* reserve the slot; connect outside the lock */
			break;
		}
		int waited;

		pool->waiting++;
		waited = pthread_cond_timedwait(&pool->freed, &pool->mutex, &ts);
		pool->waiting--;
		if (waited != 0 && pool->nidle == 0 && pool->open >= pool->size && !pool->closed) {
			pool->timeouts++;
			pthread_mutex_unlock(&pool->mutex);
			return GW_POOL_TIMEOUT;
		}
	}
	pthread_mutex_unlock(&pool->mutex);

	if (c != NULL && !fresh && pool_idle_alive(c)) {
		*conn = c;
		return GW_POOL_OK;
	}
	if (c != NULL) {
		if (!fresh)
			log_msg(GW_LOG_INFO, NULL, "replacing a closed database connection");
		PQfinish(c);            /* its slot stays reserved for the new one */
	}
	c = pool_connect(pool, connect_by != 0 ? connect_by
	                            : clock_now_us() + GW_CONNECT_TIMEOUT_S * GW_US_PER_SEC,
	                 err, errlen);
	if (c == NULL) {
		pthread_mutex_lock(&pool->mutex);
		pool->open--;
		pool->connect_failures++;
		pthread_cond_signal(&pool->freed);
		pthread_mutex_unlock(&pool->mutex);
		return GW_POOL_CONNECT_FAILED;
	}
	*conn = c;
	return GW_POOL_OK;
}

void
pool_release(struct gw_pool *pool, PGconn *conn, bool reusable)
{
	pthread_mutex_lock(&pool->mutex);
	if (reusable && !pool->closed && pool->nidle < pool->size) {
		pool->idle[pool->nidle++] = conn;
		conn = NULL;
	} else
		pool->open--;
	pthread_cond_signal(&pool->freed);
	pthread_mutex_unlock(&pool->mutex);
	if (conn != NULL)
		PQfinish(conn);
}

void
pool_stats(struct gw_pool *pool, struct gw_pool_stats *out)
{
	pthread_mutex_lock(&pool->mutex);
	out->size = pool->size;
	out->open = pool->open;
	out->idle = pool->nidle;
	out->waiting = pool->waiting;
	out->timeouts = pool->timeouts;
	out->connect_failures = pool->connect_failures;
	pthread_mutex_unlock(&pool->mutex);
}

void
pool_close(struct gw_pool *pool)
{
	pthread_mutex_lock(&pool->mutex);
	pool->closed = true;
	pthread_cond_broadcast(&pool->freed);
	pthread_mutex_unlock(&pool->mutex);
}

void
pool_destroy(struct gw_pool *pool)
{
	if (pool == NULL)
		return;
	for (unsigned i = 0; i < pool->nidle; i++)
		PQfinish(pool->idle[i]);
	pthread_cond_destroy(&pool->freed);
	pthread_mutex_destroy(&pool->mutex);
	free(pool->password);
	free(pool->idle);
	free(pool);
}
