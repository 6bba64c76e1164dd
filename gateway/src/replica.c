/* replica.c - read replicas: a pool per replica, the checker that keeps each one's
 * freshness, and a read sent to a replica or to the primary (gateway/README.md,
 * "Read replicas"; docs/decisions.md). */
#include "replica.h"

#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "freshness.h"
#include "log.h"
#include "pgwait.h"

#define REPLICA_CHECK_TIMEOUT_MS 1000  /* one check query, connection included */

/* The primary's WAL position at a time: everything committed before t is at or below lsn. */
struct replica_sample {
	int64_t  t;
	uint64_t lsn;
};

/* Why a read went to the primary (the reason label of /metrics). */
enum replica_fallback {
	FB_NONE_IN_ROTATION,    /* no replica reachable, a standby, within the lag bound */
	FB_RECENT_WRITE,        /* none has replayed the user's last write yet */
	FB_UNAVAILABLE,         /* the chosen replica could not answer: marked down */
	FB_BUSY,                /* no connection to it free within the pool wait */
	FB_WRITE,               /* the call tried to write (25006) */
	FB_CONFLICT,            /* a recovery conflict cancelled it (40001, 40P01) */
	FB_TOKEN,               /* the replica refused the token (TD401) */
	FB_N,
	FB_NONE = FB_N          /* the replica's answer is kept */
};

static const char *const fallback_names[FB_N] = {
	"none_in_rotation", "recent_write", "unavailable", "busy", "write", "conflict", "token"
};

struct replica {
	const char     *url;            /* borrowed from the config */
	struct gw_pool *pool;           /* the requests' connections */
	struct gw_pool *check;          /* the checker's own connection: a busy pool never
	                                   makes the replica look unreachable */
	atomic_llong    fresh_as_of;    /* clock_now_us(): all committed before it is replayed
	                                   here; 0 never known */
	atomic_bool     down;           /* a check or a request could not reach it */
	atomic_bool     standby;        /* the last check found it in recovery */
	atomic_ulong    reads;          /* reads it answered */
	/* the checker's own: the state it last logged */
	int             logged;         /* -1 none yet, 0 out of rotation, 1 in rotation */
};

struct gw_replicas {
	const struct gw_replica_config *cfg;
	unsigned               n;
	struct replica         r[GW_REPLICAS_MAX];
	struct gw_pool        *primary;        /* one connection: the checker's position reads */
	struct gw_freshness   *fresh;          /* per user: the last write's time */
	atomic_uint            next;           /* round robin */
	atomic_ulong           fallbacks[FB_N];
	/* the checker's ring of the primary's positions (its thread alone touches it) */
	struct replica_sample *ring;
	unsigned               ring_size;
	unsigned               ring_n;         /* samples held, up to ring_size */
	unsigned               ring_next;      /* where the next one goes */
	/* the checker thread and how it is stopped */
	pthread_t              thread;
	pthread_mutex_t        mu;
	pthread_cond_t         wake;
	bool                   stopping;       /* under mu */
	bool                   joined;
};

/* --- one small query on a pooled connection, by a deadline ------------------------------ */

/* Runs sql (no parameters) on conn until deadline; its one row result, or NULL (the
 * connection is then not reusable unless idle). The caller clears the result. */
static PGresult *
replica_query(PGconn *conn, const char *sql, int64_t deadline)
{
	PGresult *res = NULL;
	int       rc;

	if (PQsendQueryParams(conn, sql, 0, NULL, NULL, NULL, NULL, 0) != 1)
		return NULL;
	while ((rc = PQflush(conn)) == 1) {
		if (pgwait_socket(PQsocket(conn), POLLIN | POLLOUT, deadline) != GW_WAIT_READY ||
		    !PQconsumeInput(conn))
			return NULL;
	}
	if (rc != 0)
		return NULL;
	for (;;) {
		PGresult *r;

		while (PQisBusy(conn)) {
			if (pgwait_socket(PQsocket(conn), POLLIN, deadline) != GW_WAIT_READY ||
			    !PQconsumeInput(conn)) {
				PQclear(res);
				return NULL;
			}
		}
		r = PQgetResult(conn);
		if (r == NULL)
			break;
		if (res == NULL && PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
			res = r;
		else
			PQclear(r);
	}
	return res;
}

static bool
replica_conn_reusable(PGconn *conn)
{
	return PQstatus(conn) == CONNECTION_OK && PQtransactionStatus(conn) == PQTRANS_IDLE;
}

/* A non-negative int8 column of res's row, or false when NULL or not a number. */
static bool
replica_column_u64(const PGresult *res, int col, uint64_t *out)
{
	const char *s;
	char       *end;

	if (PQnfields(res) <= col || PQgetisnull(res, 0, col))
		return false;
	s = PQgetvalue(res, 0, col);
	if (*s < '0' || *s > '9')
		return false;
	*out = strtoull(s, &end, 10);
	return *end == '\0';
}

/* --- the checker ------------------------------------------------------------------------ */

/* The primary's write position now: the commits that had returned to their clients when
 * it was asked are at or below it (synchronous_commit on: a commit returns once written).
 * pg_current_wal_lsn() rather than the insert position: a replica that has replayed
 * everything reports the same value, where the insert position can point past a page
 * header it will never report. */
static const char primary_sql[] =
	"SELECT (pg_catalog.pg_current_wal_lsn() OPERATOR(pg_catalog.-) "
	"'0/0'::pg_catalog.pg_lsn)::pg_catalog.int8";

static const char replica_sql[] =
	"SELECT pg_catalog.pg_is_in_recovery()::pg_catalog.int4, "
	"(pg_catalog.pg_last_wal_replay_lsn() OPERATOR(pg_catalog.-) "
	"'0/0'::pg_catalog.pg_lsn)::pg_catalog.int8";

/* Reads one position; false when the server could not be asked (why says why). */
static bool
replica_ask(struct gw_pool *pool, const char *sql, uint64_t *a, uint64_t *b, bool *b_null,
            char *why, size_t whylen)
{
	int64_t   deadline = clock_now_us() + REPLICA_CHECK_TIMEOUT_MS * GW_US_PER_MS;
	PGconn   *conn;
	PGresult *res;
	bool      ok;

	*why = '\0';
	if (pool_acquire(pool, deadline, deadline, false, &conn, why, whylen) != GW_POOL_OK) {
		if (*why == '\0')
			snprintf(why, whylen, "no connection in time");
		return false;
	}
	res = replica_query(conn, sql, deadline);
	ok = res != NULL && replica_column_u64(res, 0, a);
	if (ok && b != NULL)
		*b_null = !replica_column_u64(res, 1, b);
	if (!ok) {
		const char *m = PQerrorMessage(conn);

		snprintf(why, whylen, "%s", *m != '\0' ? m : "no answer in time");
		why[strcspn(why, "\n")] = '\0';
	}
	PQclear(res);
	pool_release(pool, conn, res != NULL && replica_conn_reusable(conn));
	return ok;
}

/* Logs a change of a replica's rotation state (the checker's thread). */
static void
replica_log_state(struct replica *r, unsigned i, bool in, const char *why)
{
	if (r->logged == (int) in)
		return;
	if (in)
		log_msg(GW_LOG_INFO, NULL, "replica %u: in rotation", i);
	else
		log_msg(GW_LOG_WARN, NULL, "replica %u: out of rotation: %s", i, why);
	r->logged = in;
}

/* Whether r may serve reads at now (any thread). */
static bool
replica_in_rotation(const struct gw_replicas *rs, struct replica *r, int64_t now)
{
	int64_t fresh = atomic_load(&r->fresh_as_of);

	return !atomic_load(&r->down) && atomic_load(&r->standby) && fresh != 0 &&
	       now - fresh <= (int64_t) rs->cfg->max_lag_ms * GW_US_PER_MS;
}

static void
replica_check_one(struct gw_replicas *rs, unsigned i)
{
	struct replica *r = &rs->r[i];
	uint64_t        recovering = 0;
	uint64_t        replayed = 0;
	bool            no_position = true;
	char            why[256];
	int64_t         now;

	if (!replica_ask(r->check, replica_sql, &recovering, &replayed, &no_position, why,
	                 sizeof why)) {
		atomic_store(&r->down, true);
		/* a standby that crashed may come back behind where it was: unknown until checked */
		atomic_store(&r->fresh_as_of, 0);
		replica_log_state(r, i, false, why[0] != '\0' ? why : "unreachable");
		return;
	}
	atomic_store(&r->down, false);
	atomic_store(&r->standby, recovering == 1 && !no_position);
	if (recovering != 1 || no_position) {
		replica_log_state(r, i, false, "not a standby (pg_is_in_recovery() is false)");
		return;
	}
	/* the latest sample it has replayed: it is fresh as of that sample's time, even when
	 * that is older than before (its replay position went back: a restarted standby); none
	 * replayed: unknown */
	{
		int64_t fresh = 0;

		for (unsigned k = 0; k < rs->ring_n; k++) {
			const struct replica_sample *s =
				&rs->ring[(rs->ring_next + rs->ring_size - 1 - k) % rs->ring_size];

			if (s->lsn <= replayed) {
				fresh = s->t;
				break;
			}
		}
		atomic_store(&r->fresh_as_of, fresh);
	}
	now = clock_now_us();
	if (replica_in_rotation(rs, r, now))
		replica_log_state(r, i, true, NULL);
	else {
		snprintf(why, sizeof why, "lagging more than REPLICA_MAX_LAG_MS (%u ms)",
		         rs->cfg->max_lag_ms);
		replica_log_state(r, i, false, why);
	}
}

static void
replica_check_all(struct gw_replicas *rs)
{
	struct replica_sample s;
	char                  why[256];

	s.t = clock_now_us();       /* before asking: commits done by now are in the answer */
	if (replica_ask(rs->primary, primary_sql, &s.lsn, NULL, NULL, why, sizeof why)) {
		rs->ring[rs->ring_next] = s;
		rs->ring_next = (rs->ring_next + 1) % rs->ring_size;
		if (rs->ring_n < rs->ring_size)
			rs->ring_n++;
	} else
		/* no new sample: the replicas' freshness stands still, their lag grows */
		log_msg(GW_LOG_DEBUG, NULL, "replica check: cannot read the primary's WAL "
		        "position: %s", why);
	for (unsigned i = 0; i < rs->n; i++)
		replica_check_one(rs, i);
}

static void *
replica_thread(void *arg)
{
	struct gw_replicas *rs = arg;

	pthread_mutex_lock(&rs->mu);
	while (!rs->stopping) {
		int64_t         next;
		struct timespec ts;

		pthread_mutex_unlock(&rs->mu);
		replica_check_all(rs);
		next = clock_now_us() + (int64_t) rs->cfg->check_ms * GW_US_PER_MS;
		ts.tv_sec = (time_t) (next / GW_US_PER_SEC);
		ts.tv_nsec = (long) (next % GW_US_PER_SEC) * 1000L;
		pthread_mutex_lock(&rs->mu);
		while (!rs->stopping && clock_now_us() < next)
			pthread_cond_timedwait(&rs->wake, &rs->mu, &ts);
	}
	pthread_mutex_unlock(&rs->mu);
	return NULL;
}

/* --- start and stop ---------------------------------------------------------------------- */

static void
replicas_destroy_pools(struct gw_replicas *rs)
{
	for (unsigned i = 0; i < rs->n; i++) {
		pool_destroy(rs->r[i].pool);
		pool_destroy(rs->r[i].check);
	}
	pool_destroy(rs->primary);
}

struct gw_replicas *
replicas_start(const struct gw_replica_config *rc, const char *primary_url)
{
	struct gw_replicas *rs = calloc(1, sizeof *rs);
	pthread_condattr_t  attr;
	bool                ok = rs != NULL;

	if (!ok)
		return NULL;
	rs->cfg = rc;
	rs->n = rc->n;
	atomic_init(&rs->next, 0);
	for (int k = 0; k < FB_N; k++)
		atomic_init(&rs->fallbacks[k], 0);
	/* enough samples to find a replica as far behind as the bound, and a few more */
	rs->ring_size = rc->max_lag_ms / rc->check_ms + 4;
	rs->ring = calloc(rs->ring_size, sizeof *rs->ring);
	rs->fresh = freshness_create();
	rs->primary = pool_create(primary_url, 1);
	ok = rs->ring != NULL && rs->fresh != NULL && rs->primary != NULL;
	for (unsigned i = 0; i < rs->n; i++) {
		struct replica *r = &rs->r[i];

		r->url = rc->url[i];
		r->logged = -1;
		atomic_init(&r->fresh_as_of, 0);
		atomic_init(&r->down, false);
		atomic_init(&r->standby, false);
		atomic_init(&r->reads, 0);
		r->pool = pool_create(r->url, rc->pool_size);
		r->check = pool_create(r->url, 1);
		ok = ok && r->pool != NULL && r->check != NULL;
	}
	if (ok && pthread_condattr_init(&attr) == 0) {
		/* the wait is on clock_now_us()'s clock */
		ok = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC) == 0 &&
		     pthread_mutex_init(&rs->mu, NULL) == 0;
		if (ok && pthread_cond_init(&rs->wake, &attr) != 0) {
			pthread_mutex_destroy(&rs->mu);
			ok = false;
		}
		pthread_condattr_destroy(&attr);
		if (ok && pthread_create(&rs->thread, NULL, replica_thread, rs) != 0) {
			pthread_cond_destroy(&rs->wake);
			pthread_mutex_destroy(&rs->mu);
			ok = false;
		}
	} else
		ok = false;
	if (!ok) {
		replicas_destroy_pools(rs);
		freshness_free(rs->fresh);
		free(rs->ring);
		free(rs);
		return NULL;
	}
	return rs;
}

void
replicas_close(struct gw_replicas *rs)
{
	if (rs == NULL || rs->joined)
		return;
	pthread_mutex_lock(&rs->mu);
	rs->stopping = true;
	pthread_cond_broadcast(&rs->wake);
	pthread_mutex_unlock(&rs->mu);
	pthread_join(rs->thread, NULL);
	rs->joined = true;
	for (unsigned i = 0; i < rs->n; i++) {
		pool_close(rs->r[i].pool);
		pool_close(rs->r[i].check);
	}
	pool_close(rs->primary);
}

void
replicas_free(struct gw_replicas *rs)
{
	if (rs == NULL)
		return;
	replicas_close(rs);
	replicas_destroy_pools(rs);
	pthread_cond_destroy(&rs->wake);
	pthread_mutex_destroy(&rs->mu);
	freshness_free(rs->fresh);
	free(rs->ring);
	free(rs);
}

/* --- requests ---------------------------------------------------------------------------- */

static int64_t
replica_last_write(struct gw_replicas *rs, const struct gw_read_keys *keys)
{
	int64_t t = freshness_last(rs->fresh, 't', keys->token);
	int64_t u = freshness_last(rs->fresh, 'u', keys->user_id);

	return t > u ? t : u;
}

/* The next replica in rotation fresh as of wrote, or NULL with *why set. */
static struct replica *
replica_pick(struct gw_replicas *rs, int64_t wrote, unsigned *index, enum replica_fallback *why)
{
	int64_t  now = clock_now_us();
	unsigned start = atomic_fetch_add_explicit(&rs->next, 1, memory_order_relaxed);

	*why = FB_NONE_IN_ROTATION;
	for (unsigned k = 0; k < rs->n; k++) {
		unsigned        i = (start + k) % rs->n;
		struct replica *r = &rs->r[i];

		if (!replica_in_rotation(rs, r, now))
			continue;
		if (atomic_load(&r->fresh_as_of) <= wrote) {
			*why = FB_RECENT_WRITE;
			continue;
		}
		*index = i;
		return r;
	}
	return NULL;
}

/* Whether every connection of r's pool is lent (an acquisition then waits). */
static bool
replica_pool_full(struct replica *r)
{
	struct gw_pool_stats ps;

	pool_stats(r->pool, &ps);
	return ps.open >= ps.size && ps.idle == 0;
}

/* Whether a replica's outcome is not to be kept (FB_NONE: keep it). */
static enum replica_fallback
replica_verdict(const struct gw_qresult *q)
{
	if (q->status == GW_Q_UNAVAILABLE)
		return FB_UNAVAILABLE;
	if (q->status != GW_Q_SQL_ERROR || q->sqlstate == NULL)
		return FB_NONE;
	if (strcmp(q->sqlstate, "25006") == 0)
		return FB_WRITE;
	if (strcmp(q->sqlstate, "40001") == 0 || strcmp(q->sqlstate, "40P01") == 0)
		return FB_CONFLICT;
	if (strcmp(q->sqlstate, "TD401") == 0)
		return FB_TOKEN;
	return FB_NONE;
}

enum gw_qstatus
replicas_read(struct gw_replicas *rs, struct gw_pool *primary, const struct gw_call *call,
              const struct gw_read_keys *keys, int64_t wait_us, struct gw_qresult *out)
{
	enum replica_fallback why;
	unsigned              i = 0;
	unsigned              trips = 0;
	struct replica       *r = replica_pick(rs, replica_last_write(rs, keys), &i, &why);
	struct gw_deadlines   dl = { 0, 0, 0 };

	if (r != NULL && replica_pool_full(r)) {
		/* every connection lent: the primary at once, rather than wait POOL_TIMEOUT here
		 * and then again there; busy, not down, so it stays in rotation */
		log_msg(GW_LOG_DEBUG, call->request_id, "%s: replica %u: busy; running it on the "
		        "primary", call->function, i);
		why = FB_BUSY;
		r = NULL;
	}
	if (r != NULL) {
		dl.acquire_by = clock_now_us() + wait_us;
		query_exec(r->pool, call, &dl, out);
		why = replica_verdict(out);
		if (why == FB_UNAVAILABLE && out->round_trips == 0 && replica_pool_full(r))
			why = FB_BUSY;      /* nothing sent, every connection lent: busy, not down */
		if (why == FB_NONE) {
			atomic_fetch_add_explicit(&r->reads, 1, memory_order_relaxed);
			return out->status;
		}
		if (why == FB_UNAVAILABLE && !atomic_exchange(&r->down, true))
			log_msg(GW_LOG_WARN, call->request_id, "replica %u: out of rotation until it "
			        "answers a check: %s", i, out->why);
		log_msg(GW_LOG_DEBUG, call->request_id, "%s: replica %u: %s; running it on the "
		        "primary", call->function, i, fallback_names[why]);
		trips = out->round_trips;
		query_result_clear(out);
	}
	atomic_fetch_add_explicit(&rs->fallbacks[why], 1, memory_order_relaxed);
	dl.acquire_by = clock_now_us() + wait_us;
	query_exec(primary, call, &dl, out);
	out->round_trips += trips;
	/* what the replica could not write, it did (a stream: once it committed, stream.c) */
	if (why == FB_WRITE && out->status == GW_Q_STREAM)
		out->write_at_end = true;
	else if (why == FB_WRITE && (out->status == GW_Q_ROW ||
	                             (out->status == GW_Q_UNAVAILABLE && out->may_have_run)))
		replicas_note_write(rs, keys);
	return out->status;
}

void
replicas_note_write(struct gw_replicas *rs, const struct gw_read_keys *keys)
{
	int64_t now = clock_now_us();

	freshness_note(rs->fresh, 't', keys->token, now);
	freshness_note(rs->fresh, 'u', keys->user_id, now);
}

/* --- what operators see ------------------------------------------------------------------ */

void
replicas_write_metrics(struct gw_replicas *rs, struct strbuf *sb)
{
	int64_t now = clock_now_us();

	strbuf_puts(sb, "# HELP todo_replica_in_rotation Whether the replica serves reads "
	            "(reachable, a standby, within REPLICA_MAX_LAG_MS).\n"
	            "# TYPE todo_replica_in_rotation gauge\n");
	for (unsigned i = 0; i < rs->n; i++)
		strbuf_printf(sb, "todo_replica_in_rotation{replica=\"%u\"} %d\n", i,
		              replica_in_rotation(rs, &rs->r[i], now) ? 1 : 0);
	strbuf_puts(sb, "# HELP todo_replica_lag_seconds How far behind the primary the "
	            "replica was found: now minus the time as of which it has replayed every "
	            "commit (to within REPLICA_CHECK_MS).\n"
	            "# TYPE todo_replica_lag_seconds gauge\n");
	for (unsigned i = 0; i < rs->n; i++) {
		int64_t fresh = atomic_load(&rs->r[i].fresh_as_of);

		if (fresh != 0)
			strbuf_printf(sb, "todo_replica_lag_seconds{replica=\"%u\"} %.3f\n", i,
			              (double) (now - fresh) / (double) GW_US_PER_SEC);
		else
			strbuf_printf(sb, "todo_replica_lag_seconds{replica=\"%u\"} +Inf\n", i);
	}
	strbuf_puts(sb, "# HELP todo_replica_reads_total Read-only requests a replica answered.\n"
	            "# TYPE todo_replica_reads_total counter\n");
	for (unsigned i = 0; i < rs->n; i++)
		strbuf_printf(sb, "todo_replica_reads_total{replica=\"%u\"} %lu\n", i,
		              atomic_load_explicit(&rs->r[i].reads, memory_order_relaxed));
	strbuf_puts(sb, "# HELP todo_replica_fallbacks_total Read-only requests the primary "
	            "answered, by why no replica did.\n"
	            "# TYPE todo_replica_fallbacks_total counter\n");
	for (int k = 0; k < FB_N; k++)
		strbuf_printf(sb, "todo_replica_fallbacks_total{reason=\"%s\"} %lu\n",
		              fallback_names[k],
		              atomic_load_explicit(&rs->fallbacks[k], memory_order_relaxed));
}

void
replicas_describe(struct gw_replicas *rs, struct strbuf *sb)
{
	int64_t now = clock_now_us();

	for (unsigned i = 0; i < rs->n; i++) {
		struct replica *r = &rs->r[i];
		int64_t         fresh = atomic_load(&r->fresh_as_of);
		double          lag = (double) (now - fresh) / (double) GW_US_PER_SEC;

		if (replica_in_rotation(rs, r, now))
			strbuf_printf(sb, "replica %u: in rotation, lag %.3f s\n", i, lag);
		else if (atomic_load(&r->down))
			strbuf_printf(sb, "replica %u: out of rotation: unreachable\n", i);
		else if (!atomic_load(&r->standby))
			strbuf_printf(sb, "replica %u: out of rotation: not a standby (or not "
			              "checked yet)\n", i);
		else
			strbuf_printf(sb, "replica %u: out of rotation: lag %.3f s over "
			              "REPLICA_MAX_LAG_MS\n", i, lag);
	}
}
