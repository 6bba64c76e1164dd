/*
 * pool.c - a fixed-size pool of libpq connections, made lazily, replaced when broken.
 *
 * Fair: requests that wait for a connection are served in the order they came (a FIFO
 * queue, each waiter on a condition variable of its own). A released connection, or the
 * slot of one that was closed, is handed straight to the oldest waiter, and nobody takes a
 * connection past a queue. With one shared condition variable any waiter could be woken, and
 * a thread arriving just then could take the connection first: under load some requests
 * waited many turns, which made the tail latency (docs/benchmarks.md).
 */
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

/* One acquisition waiting in the queue; lives on its thread's stack. */
struct pool_waiter {
	pthread_cond_t      granted_cond;
	struct pool_waiter *next;
	bool                granted;    /* handed a connection (conn) or a free slot (conn NULL) */
	PGconn             *conn;
};

struct gw_pool {
	pthread_mutex_t mutex;
	pthread_condattr_t  condattr;   /* the waiters' clock: CLOCK_MONOTONIC */
	struct pool_waiter *head;       /* the oldest waiter, served first */
	struct pool_waiter *tail;
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
	struct gw_pool *pool = calloc(1, sizeof *pool);

	if (pool == NULL)
		return NULL;
	pool->idle = calloc(size, sizeof *pool->idle);
	if (pool->idle == NULL || pthread_mutex_init(&pool->mutex, NULL) != 0) {
		free(pool->idle);
		free(pool);
		return NULL;
	}
	/* waits are measured on the monotonic clock, like every deadline here */
	if (pthread_condattr_init(&pool->condattr) != 0)
		goto fail;
	if (pthread_condattr_setclock(&pool->condattr, CLOCK_MONOTONIC) != 0) {
		pthread_condattr_destroy(&pool->condattr);
		goto fail;
	}
	pool->password = pool_password(url);
	pool->url = url;
	pool->size = size;
	return pool;

fail:
	pthread_mutex_destroy(&pool->mutex);
	free(pool->idle);
	free(pool);
	return NULL;
}

/* Hands conn (NULL: a free slot, still counted in open) to the oldest waiter, if any.
 * Under the mutex. */
static bool
pool_hand_over(struct gw_pool *pool, PGconn *conn)
{
	struct pool_waiter *w = pool->head;

	if (w == NULL)
		return false;
	pool->head = w->next;
	if (pool->head == NULL)
		pool->tail = NULL;
	w->next = NULL;
	w->granted = true;
	w->conn = conn;
	pthread_cond_signal(&w->granted_cond);
	return true;
}

/* Takes w out of the queue (it gave up waiting). Under the mutex. */
static void
pool_leave_queue(struct gw_pool *pool, struct pool_waiter *w)
{
	struct pool_waiter **p = &pool->head, *prev = NULL;

	while (*p != NULL && *p != w) {
		prev = *p;
		p = &(*p)->next;
	}
	if (*p == NULL)
		return;
	*p = w->next;
	if (pool->tail == w)
		pool->tail = prev;
}

/*
 * Waits in the queue until handed a connection or a slot (GW_POOL_OK, *c set: NULL for a
 * slot), the pool closes, or ts passes. Under the mutex, which it releases while waiting.
 */
static enum gw_pool_status
pool_wait_turn(struct gw_pool *pool, const struct timespec *ts, PGconn **c)
{
	struct pool_waiter w = { .next = NULL, .granted = false, .conn = NULL };
	enum gw_pool_status status = GW_POOL_OK;

	if (pthread_cond_init(&w.granted_cond, &pool->condattr) != 0) {
		pool->timeouts++;
		return GW_POOL_TIMEOUT;
	}
	if (pool->tail != NULL)
		pool->tail->next = &w;
	else
		pool->head = &w;
	pool->tail = &w;
	pool->waiting++;
	while (!w.granted) {
		int waited = pthread_cond_timedwait(&w.granted_cond, &pool->mutex, ts);

		if (w.granted)
			break;
		if (pool->closed) {
			status = GW_POOL_CLOSED;
			break;
		}
		if (waited != 0) {
			pool->timeouts++;
			status = GW_POOL_TIMEOUT;
			break;
		}
	}
	pool->waiting--;
	if (status != GW_POOL_OK)
		pool_leave_queue(pool, &w);
	else
		*c = w.conn;
	pthread_cond_destroy(&w.granted_cond);
	return status;
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
	if (pool->closed) {
		pthread_mutex_unlock(&pool->mutex);
		return GW_POOL_CLOSED;
	}
	/* while others wait, nothing is idle and every slot is taken: the queue's end */
	if (pool->head == NULL && pool->nidle > 0 && !(fresh && pool->open < pool->size)) {
		c = pool->idle[--pool->nidle];      /* fresh: its slot is reused below */
	} else if (pool->head == NULL && pool->open < pool->size) {
		pool->open++;       /* reserve the slot; connect outside the lock */
	} else {
		enum gw_pool_status st = pool_wait_turn(pool, &ts, &c);

		if (st != GW_POOL_OK) {
			pthread_mutex_unlock(&pool->mutex);
			return st;
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
		pool->connect_failures++;
		if (pool->closed || !pool_hand_over(pool, NULL))
			pool->open--;           /* else the slot went to the oldest waiter */
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
	if (reusable && !pool->closed && pool_hand_over(pool, conn)) {
		conn = NULL;            /* the oldest waiter has it */
	} else if (reusable && !pool->closed && pool->nidle < pool->size) {
		pool->idle[pool->nidle++] = conn;
		conn = NULL;
	} else if (pool->closed || !pool_hand_over(pool, NULL))
		pool->open--;           /* else its slot went to the oldest waiter */
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
	for (struct pool_waiter *w = pool->head; w != NULL; w = w->next)
		pthread_cond_signal(&w->granted_cond);
	pthread_mutex_unlock(&pool->mutex);
}

void
pool_destroy(struct gw_pool *pool)
{
	if (pool == NULL)
		return;
	for (unsigned i = 0; i < pool->nidle; i++)
		PQfinish(pool->idle[i]);
	pthread_condattr_destroy(&pool->condattr);
	pthread_mutex_destroy(&pool->mutex);
	free(pool->password);
	free(pool->idle);
	free(pool);
}
