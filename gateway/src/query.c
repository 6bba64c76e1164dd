/* query.c - the one transaction per request: context + API call, pipelined, one round trip. */
#include "query.h"

#include <libpq-events.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "error.h"
#include "log.h"
#include "pgwait.h"

/* docs/sql-api.md, statement 1. Transaction-local settings only: pooler-safe. The first
 * keeps the call's parameters (a password, a token) out of the server log when it fails,
 * whatever the server's log_parameter_max_length_on_error (docs/security.md). */
static const char context_sql[] =
	"SELECT pg_catalog.set_config('log_parameter_max_length_on_error', '0', true), "
	"pg_catalog.set_config('role', $1, true), "
	"pg_catalog.set_config('app.token', $2, true), "
	"pg_catalog.set_config('app.user_id', $3, true), "
	"pg_catalog.set_config('app.client_addr', $4, true)";

/*
 * Protocol-level prepared statements (PREPARED_STATEMENTS, on by default; docs/sql-api.md).
 * Each connection parses and plans the context statement and each route's call once, the
 * first time it sends them, in the same pipeline (Parse, then Bind/Execute), and afterwards
 * only binds and executes them: parsing and planning both statements was about a sixth of
 * the server's CPU per request. A statement is named after a hash of its text, and the
 * names a connection holds are kept with the PGconn (libpq instance data, freed with it; a
 * reset connection holds none). The call is parsed after the context statement ran, so as
 * the request role. Off: unnamed statements, as before, for poolers that cannot carry
 * named statements (PgBouncer before 1.21 in transaction mode).
 */
static bool query_prepared = true;

#define QUERY_PREPARED_MAX 32       /* names one connection keeps; more run unnamed */

struct query_names {
	unsigned n;
	uint64_t hash[QUERY_PREPARED_MAX];
};

void
query_use_prepared(bool on)
{
	query_prepared = on;
}

/* libpq event procedure: owns the connection's query_names. */
static int
query_conn_event(PGEventId id, void *info, void *pass)
{
	(void) pass;
	if (id == PGEVT_CONNRESET) {
		struct query_names *names = PQinstanceData(((PGEventConnReset *) info)->conn,
		                                           query_conn_event);

		if (names != NULL)
			names->n = 0;
	} else if (id == PGEVT_CONNDESTROY)
		free(PQinstanceData(((PGEventConnDestroy *) info)->conn, query_conn_event));
	return 1;
}

/* The names conn holds, NULL when statements go unnamed (off, or out of memory). */
static struct query_names *
query_conn_names(PGconn *conn)
{
	struct query_names *names;

	if (!query_prepared)
		return NULL;
	names = PQinstanceData(conn, query_conn_event);
	if (names != NULL)
		return names;
	if (PQregisterEventProc(conn, query_conn_event, "todo-gateway statements", NULL) != 1)
		return NULL;
	names = calloc(1, sizeof *names);
	if (names != NULL && PQsetInstanceData(conn, query_conn_event, names) != 1) {
		free(names);
		names = NULL;
	}
	return names;
}

/* FNV-1a, 64 bits: the statement's name. */
static uint64_t
query_hash(const char *sql)
{
	uint64_t h = 14695981039346656037ULL;

	for (const unsigned char *p = (const unsigned char *) sql; *p != '\0'; p++)
		h = (h ^ *p) * 1099511628211ULL;
	return h;
}

static bool
query_names_has(const struct query_names *names, uint64_t hash)
{
	for (unsigned i = 0; i < names->n; i++)
		if (names->hash[i] == hash)
			return true;
	return false;
}

/* What the pipeline's results answer, in order (query_read). */
enum query_step { QUERY_PREPARE, QUERY_CONTEXT, QUERY_CALL, QUERY_SYNC };

struct query_plan {
	unsigned        n;
	enum query_step step[5];
	uint64_t        hash[5];        /* of a QUERY_PREPARE step */
};

/*
 * Queues one statement: Parse first when conn does not hold it yet (names NULL: unnamed,
 * parsed each time). Returns 1, or 0 when libpq refused it.
 */
static int
query_send(PGconn *conn, struct query_names *names, struct query_plan *plan,
           enum query_step step, const char *sql, int nargs, const char *const *args)
{
	char     name[24];
	uint64_t hash = query_hash(sql);
	bool     held = names != NULL && query_names_has(names, hash);

	if (names == NULL || (!held && names->n + 2 > QUERY_PREPARED_MAX)) {
		plan->step[plan->n++] = step;
		return PQsendQueryParams(conn, sql, nargs, NULL, args, NULL, NULL, 0);
	}
	snprintf(name, sizeof name, "gw_%016llx", (unsigned long long) hash);
	if (!held) {
		if (PQsendPrepare(conn, name, sql, nargs, NULL) != 1)
			return 0;
		plan->hash[plan->n] = hash;
		plan->step[plan->n++] = QUERY_PREPARE;
	}
	plan->step[plan->n++] = step;
	return PQsendQueryPrepared(conn, name, nargs, args, NULL, NULL, 0);
}

/* Marks out unavailable (the connection is gone) with libpq's message. */
static enum gw_qstatus
query_lost(PGconn *conn, struct gw_qresult *out, const char *what)
{
	const char *m = PQerrorMessage(conn);

	snprintf(out->why, sizeof out->why, "%s%s%s", what, *m != '\0' ? ": " : "", m);
	out->why[strcspn(out->why, "\n")] = '\0';
	out->status = GW_Q_UNAVAILABLE;
	return out->status;
}

/* Sends everything buffered, reading meanwhile so the server never blocks on us.
 * *timed_out tells a missed deadline from a failed send. */
static enum gw_qstatus
query_flush(PGconn *conn, int64_t deadline, struct gw_qresult *out, bool *timed_out)
{
	int rc;

	*timed_out = false;
	while ((rc = PQflush(conn)) == 1) {
		enum gw_wait w = pgwait_socket(PQsocket(conn), POLLIN | POLLOUT, deadline);

		if (w == GW_WAIT_TIMEOUT) {
			*timed_out = true;
			return query_lost(conn, out, "timed out sending");
		}
		if (w == GW_WAIT_ERROR || !PQconsumeInput(conn))
			return query_lost(conn, out, "send failed");
	}
	return rc == 0 ? GW_Q_ROW : query_lost(conn, out, "send failed");
}

/*
 * The next result (NULL at the end of a statement's results), waiting for input until
 * deadline. When the connection fails, libpq still hands out what it read before (a
 * server's parting error, with its SQLSTATE, comes before the end-of-file): such a result
 * is returned; a failure with nothing left to return marks out unavailable.
 */
static enum gw_qstatus
query_next(PGconn *conn, int64_t deadline, PGresult **res, struct gw_qresult *out)
{
	*res = NULL;
	while (PQisBusy(conn)) {
		enum gw_wait w = pgwait_socket(PQsocket(conn), POLLIN, deadline);

		if (w == GW_WAIT_TIMEOUT)
			return query_lost(conn, out, "timed out waiting for the database");
		if (w == GW_WAIT_ERROR)
			return query_lost(conn, out, "receive failed");
		if (!PQconsumeInput(conn))
			break;              /* lost: PQgetResult returns what was read, or the error */
	}
	*res = PQgetResult(conn);
	if (*res == NULL && PQstatus(conn) != CONNECTION_OK)
		return query_lost(conn, out, "connection lost");
	return GW_Q_ROW;
}

/* Takes an error result as the request's outcome. The first error is the cause and later
 * ones are dropped; a row read before it is void (the transaction did not commit, or its
 * outcome is unknown), so the error replaces it. */
static void
query_keep_error(PGresult *res, struct gw_qresult *out)
{
	if (out->status == GW_Q_SQL_ERROR) {
		PQclear(res);
		return;
	}
	PQclear(out->res);
	out->res = res;
	out->status = GW_Q_SQL_ERROR;
	out->sqlstate = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	out->message = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	out->detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
}

/*
 * Whether a server error ended the session on the server's own initiative while it was
 * idle or had not yet finished the statement at hand: 57P01 "terminating connection due
 * to administrator command" (pg_terminate_backend, a fast shutdown, a Neon compute
 * suspending) or 57P05 (idle_session_timeout). The server queues its results in order, so
 * such an error read before the context statement's result proves that statement, and so
 * the call after it, never completed. Other errors prove nothing of the kind: a pooler's
 * "server conn crashed?" (08P01) may come after the server committed and died.
 */
static bool
query_parting_error(const char *sqlstate)
{
	return sqlstate != NULL && (strcmp(sqlstate, "57P01") == 0 || strcmp(sqlstate, "57P05") == 0);
}

/*
 * Reads the pipeline's results, as plan lists them: each Parse's (one result, then NULL;
 * the connection holds the statement from then on, names), the context statement's
 * (likewise), the call's (likewise; its row is kept), then the Sync's. *retry_safe is set
 * when the first thing the server said was a parting error (see query_parting_error): the
 * session ended before the context statement completed, so the call never ran.
 */
static enum gw_qstatus
query_read(PGconn *conn, int64_t deadline, const struct query_plan *plan,
           struct query_names *names, bool stream, struct gw_qresult *out, bool *retry_safe)
{
	unsigned  stmt = 0;         /* index in plan: the step whose results come */
	unsigned  sync = plan->n - 1;
	int       nres = 0;         /* results of the current statement */
	PGresult *res;

	for (bool first = true;; first = false) {
		if (query_next(conn, deadline, &res, out) != GW_Q_ROW)
			return out->status;
		if (first)
			*retry_safe = res != NULL && PQresultStatus(res) == PGRES_FATAL_ERROR &&
			              query_parting_error(PQresultErrorField(res, PG_DIAG_SQLSTATE));
		if (res == NULL) {          /* end of a statement's results */
			if (stmt < sync && nres == 1) {
				stmt++;
				nres = 0;
				/* a streamed call: its rows one result each (libpq applies the mode to
				 * the statement whose results come next, which is now the call) */
				if (stream && plan->step[stmt] == QUERY_CALL && out->status == GW_Q_ROW &&
				    PQsetSingleRowMode(conn) != 1) {
					snprintf(out->why, sizeof out->why, "cannot enter single-row mode");
					out->status = GW_Q_INTERNAL;
					return out->status;
				}
				continue;
			}
			if (stmt == sync && nres == 1 && out->status == GW_Q_SQL_ERROR) {
				nres = 0;           /* an error at the Sync ends like a statement */
				continue;
			}
			snprintf(out->why, sizeof out->why, "a statement ended with %d results", nres);
			out->status = GW_Q_INTERNAL;
			return out->status;
		}
		nres++;
		switch (PQresultStatus(res)) {
		case PGRES_PIPELINE_SYNC:
			PQclear(res);
			if (stmt != sync) {
				snprintf(out->why, sizeof out->why, "the pipeline sync came early");
				out->status = GW_Q_INTERNAL;
			}
			return out->status;
		case PGRES_FATAL_ERROR:     /* a statement failed, the commit failed, or lost */
			query_keep_error(res, out);
			break;
		case PGRES_PIPELINE_ABORTED:    /* an earlier statement failed */
			PQclear(res);
			break;
		case PGRES_COMMAND_OK:
			if (plan->step[stmt] == QUERY_PREPARE && nres == 1) {
				if (names != NULL && names->n < QUERY_PREPARED_MAX &&
				    !query_names_has(names, plan->hash[stmt]))
					names->hash[names->n++] = plan->hash[stmt];
				PQclear(res);
				break;
			}
			goto unexpected;
		case PGRES_SINGLE_TUPLE:
			if (stream && plan->step[stmt] == QUERY_CALL && nres == 1 &&
			    out->status == GW_Q_ROW && out->res == NULL) {
				/* the first row: the rest is read as the client takes it */
				out->res = res;
				out->status = GW_Q_STREAM;
				return out->status;
			}
			goto unexpected;
		case PGRES_TUPLES_OK:
			if (plan->step[stmt] == QUERY_CALL && nres == 1 && out->status == GW_Q_ROW &&
			    out->res == NULL) {
				out->res = res;
				break;
			}
			if (plan->step[stmt] == QUERY_CONTEXT && nres == 1) {
				PQclear(res);
				break;
			}
			/* FALLTHROUGH */
		default:
		unexpected:
			snprintf(out->why, sizeof out->why, "unexpected result %s for statement %u",
			         PQresStatus(PQresultStatus(res)), stmt + 1);
			PQclear(res);
			out->status = GW_Q_INTERNAL;
			return out->status;
		}
		if (PQstatus(conn) != CONNECTION_OK)   /* a kept error tells why better than libpq */
			return out->status == GW_Q_SQL_ERROR ? out->status
			                                     : query_lost(conn, out, "connection lost");
	}
}

/*
 * The pipeline itself: both statements, one Sync, one flush, then read back. *retry_safe
 * tells whether the call certainly did not run, so that running it again on another
 * connection cannot do it twice: the Sync was never sent whole (the implicit transaction
 * commits only at the Sync), or the server's first answer was a parting error.
 */
static enum gw_qstatus
query_pipeline(PGconn *conn, const struct gw_call *call, int64_t deadline,
               struct gw_qresult *out, bool *retry_safe)
{
	const char *context[4] = { call->role, call->token != NULL ? call->token : "",
	                           call->user_id != NULL ? call->user_id : "",
	                           call->client_addr != NULL ? call->client_addr : "" };
	struct query_names *names = query_conn_names(conn);
	struct query_plan   plan = { 0 };
	bool                timed_out;

	*retry_safe = false;
	out->status = GW_Q_ROW;
	if (PQenterPipelineMode(conn) != 1 ||
	    query_send(conn, names, &plan, QUERY_CONTEXT, context_sql, 4, context) != 1 ||
	    query_send(conn, names, &plan, QUERY_CALL, call->sql, call->nargs, call->args) != 1 ||
	    PQpipelineSync(conn) != 1) {
		*retry_safe = true;
		return query_lost(conn, out, "cannot send the pipeline");
	}
	out->round_trips++;
	if (query_flush(conn, deadline, out, &timed_out) != GW_Q_ROW) {
		*retry_safe = !timed_out;
		return out->status;
	}
	plan.step[plan.n++] = QUERY_SYNC;
	query_read(conn, deadline, &plan, names, call->stream, out, retry_safe);
	if (out->status == GW_Q_STREAM)
		return out->status;     /* mid-pipeline: query_stream_next reads the rest */
	if ((out->status == GW_Q_ROW || out->status == GW_Q_SQL_ERROR) &&
	    PQstatus(conn) == CONNECTION_OK && PQexitPipelineMode(conn) != 1) {
		snprintf(out->why, sizeof out->why, "cannot leave pipeline mode");
		out->status = GW_Q_INTERNAL;
	}
	return out->status;
}

/* Reads data / meta / error from the api.result row, and the key columns after them. */
static void
query_take_row(struct gw_qresult *out)
{
	PGresult *r = out->res;

	if (r == NULL || PQntuples(r) != 1 || PQnfields(r) < 3 ||
	    PQnfields(r) > 3 + GW_QUERY_KEYS_MAX) {
		snprintf(out->why, sizeof out->why, "expected one api.result row, got %d rows",
		         r != NULL ? PQntuples(r) : 0);
		out->status = GW_Q_INTERNAL;
		return;
	}
	out->data = PQgetisnull(r, 0, 0) ? NULL : PQgetvalue(r, 0, 0);
	out->meta = PQgetisnull(r, 0, 1) ? NULL : PQgetvalue(r, 0, 1);
	out->error = PQgetisnull(r, 0, 2) ? NULL : PQgetvalue(r, 0, 2);
	for (int i = 3; i < PQnfields(r); i++)
		out->keys[i - 3] = PQgetisnull(r, 0, i) ? NULL : PQgetvalue(r, 0, i);
}

/* Whether conn may serve another request: alive, idle, out of pipeline mode. */
static bool
query_conn_reusable(PGconn *conn, const struct gw_qresult *out)
{
	if (out->status == GW_Q_UNAVAILABLE)
		return false;
	if (out->status == GW_Q_SQL_ERROR && error_sqlstate_is_connection(out->sqlstate))
		return false;
	/* 26000: a statement this connection was thought to hold is gone (DISCARD, a pooler
	 * that switched server connections): a new connection starts with none */
	if (out->status == GW_Q_SQL_ERROR && out->sqlstate != NULL &&
	    strcmp(out->sqlstate, "26000") == 0)
		return false;
	return PQstatus(conn) == CONNECTION_OK && PQtransactionStatus(conn) == PQTRANS_IDLE &&
	       PQpipelineStatus(conn) == PQ_PIPELINE_OFF;
}

static const char *
query_outcome(const struct gw_qresult *out)
{
	switch (out->status) {
	case GW_Q_ROW: return out->error != NULL ? "committed error" : "ok";
	case GW_Q_STREAM: return "streaming";
	case GW_Q_SQL_ERROR: return "error";
	case GW_Q_UNAVAILABLE: return "unavailable";
	case GW_Q_INTERNAL: break;
	}
	return "internal";
}

/* One attempt on one connection; *retry_safe as for query_pipeline. *query_by, when 0, is
 * set to the default bound counted from the acquisition. */
static enum gw_qstatus
query_attempt(struct gw_pool *pool, const struct gw_call *call, const struct gw_deadlines *dl,
              bool fresh, int64_t *query_by, struct gw_qresult *out, bool *retry_safe)
{
	PGconn             *conn;
	enum gw_pool_status ps;
	int64_t             t0;

	*retry_safe = false;
	ps = pool_acquire(pool, dl->acquire_by, dl->connect_by, fresh, &conn, out->why,
	                  sizeof out->why);
	if (ps != GW_POOL_OK) {
		if (ps == GW_POOL_TIMEOUT)
			snprintf(out->why, sizeof out->why, "no database connection free in time");
		else if (ps == GW_POOL_CLOSED)
			snprintf(out->why, sizeof out->why, "shutting down");
		out->status = GW_Q_UNAVAILABLE;
		return out->status;
	}
	t0 = clock_now_us();
	if (*query_by == 0)
		*query_by = t0 + GW_QUERY_TIMEOUT_S * GW_US_PER_SEC;
	{
		unsigned sent_before = out->round_trips;

		query_pipeline(conn, call, *query_by, out, retry_safe);
		/* sent this time and not certainly unrun: a lost answer may hide a commit */
		out->may_have_run = out->round_trips > sent_before && !*retry_safe;
	}
	if (out->status == GW_Q_SQL_ERROR &&
	    (error_sqlstate_is_connection(out->sqlstate) || PQstatus(conn) != CONNECTION_OK)) {
		/* the server's parting error, or an error followed by the loss of the connection */
		snprintf(out->why, sizeof out->why, "%s%s: %s",
		         error_sqlstate_is_connection(out->sqlstate) ? "" : "connection lost after ",
		         out->sqlstate != NULL ? out->sqlstate : "error",
		         out->message != NULL ? out->message : PQerrorMessage(conn));
		out->why[strcspn(out->why, "\n")] = '\0';
		out->status = GW_Q_UNAVAILABLE;
	} else if (out->status == GW_Q_ROW)
		query_take_row(out);
	log_db_call(call->request_id, call->function, clock_ms_between(t0, clock_now_us()),
	            query_outcome(out));
	if (out->status == GW_Q_STREAM) {
		/* held until the stream ends (query_stream_next) or is given up */
		out->pool = pool;
		out->conn = conn;
		out->query_by = *query_by;
		return out->status;
	}
	pool_release(pool, conn, query_conn_reusable(conn, out));
	return out->status;
}

enum gw_qstatus
query_exec(struct gw_pool *pool, const struct gw_call *call, const struct gw_deadlines *dl,
           struct gw_qresult *out)
{
	int64_t query_by = dl->query_by;    /* a retry keeps the first attempt's deadline */
	bool    retry_safe;

	memset(out, 0, sizeof *out);
	if (query_attempt(pool, call, dl, false, &query_by, out, &retry_safe) != GW_Q_UNAVAILABLE ||
	    !retry_safe)
		return out->status;
	log_msg(GW_LOG_INFO, call->request_id, "%s: the connection closed before the call ran "
	        "(%s); running it once more on a new connection", call->function, out->why);
	query_result_clear(out);
	out->why[0] = '\0';
	out->retried = true;
	return query_attempt(pool, call, dl, true, &query_by, out, &retry_safe);
}

/* The stream failed: out says why, the connection is closed. */
static enum gw_qstatus
query_stream_fail(struct gw_qresult *out, enum gw_qstatus status)
{
	out->status = status;
	query_stream_close(out);
	return status;
}

enum gw_qstatus
query_stream_next(struct gw_qresult *out, PGresult **row)
{
	PGresult *res;

	*row = NULL;
	if (out->conn == NULL) {
		snprintf(out->why, sizeof out->why, "the stream has no connection");
		out->status = GW_Q_INTERNAL;
		return out->status;
	}
	if (query_next(out->conn, out->query_by, &res, out) != GW_Q_ROW)
		return query_stream_fail(out, GW_Q_UNAVAILABLE);
	if (res != NULL && PQresultStatus(res) == PGRES_SINGLE_TUPLE) {
		*row = res;
		return GW_Q_STREAM;
	}
	if (res == NULL || PQresultStatus(res) != PGRES_TUPLES_OK) {
		/* the call failed mid-way: its error is the cause */
		if (res != NULL && PQresultStatus(res) == PGRES_FATAL_ERROR) {
			snprintf(out->why, sizeof out->why, "failed mid-stream: SQLSTATE %s: %s",
			         PQresultErrorField(res, PG_DIAG_SQLSTATE) != NULL
			         ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : "(none)",
			         PQresultErrorMessage(res));
			out->why[strcspn(out->why, "\n")] = '\0';
		} else
			snprintf(out->why, sizeof out->why, "unexpected result %s mid-stream",
			         res != NULL ? PQresStatus(PQresultStatus(res)) : "(none)");
		PQclear(res);
		return query_stream_fail(out, GW_Q_INTERNAL);
	}
	PQclear(res);
	/* the call's end (NULL), then the Sync: the implicit transaction committed */
	if (query_next(out->conn, out->query_by, &res, out) != GW_Q_ROW)
		return query_stream_fail(out, GW_Q_UNAVAILABLE);
	if (res != NULL) {
		snprintf(out->why, sizeof out->why, "a result after the streamed rows: %s",
		         PQresStatus(PQresultStatus(res)));
		PQclear(res);
		return query_stream_fail(out, GW_Q_INTERNAL);
	}
	if (query_next(out->conn, out->query_by, &res, out) != GW_Q_ROW)
		return query_stream_fail(out, GW_Q_UNAVAILABLE);
	if (res == NULL || PQresultStatus(res) != PGRES_PIPELINE_SYNC) {
		snprintf(out->why, sizeof out->why, "the commit failed: %s",
		         res != NULL ? PQresultErrorMessage(res) : "no sync");
		out->why[strcspn(out->why, "\n")] = '\0';
		PQclear(res);
		return query_stream_fail(out, GW_Q_INTERNAL);
	}
	PQclear(res);
	if (PQexitPipelineMode(out->conn) != 1) {
		snprintf(out->why, sizeof out->why, "cannot leave pipeline mode");
		return query_stream_fail(out, GW_Q_INTERNAL);
	}
	out->stream_ended = true;
	query_stream_close(out);
	return GW_Q_STREAM;
}

void
query_stream_close(struct gw_qresult *out)
{
	PGconn *conn = out->conn;

	if (conn == NULL)
		return;
	out->conn = NULL;
	/* reusable only when the whole pipeline was read: idle, out of pipeline mode */
	pool_release(out->pool, conn, out->stream_ended &&
	             PQstatus(conn) == CONNECTION_OK && PQtransactionStatus(conn) == PQTRANS_IDLE &&
	             PQpipelineStatus(conn) == PQ_PIPELINE_OFF);
}

void
query_result_clear(struct gw_qresult *out)
{
	query_stream_close(out);
	PQclear(out->res);
	out->res = NULL;
	out->data = out->meta = out->error = NULL;
	for (int i = 0; i < GW_QUERY_KEYS_MAX; i++)
		out->keys[i] = NULL;
	out->sqlstate = out->message = out->detail = NULL;
}
