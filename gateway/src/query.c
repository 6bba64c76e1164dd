/* query.c - the one transaction per request: context + API call, pipelined, one round trip. */
#include "query.h"

#include <poll.h>
#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "error.h"
#include "log.h"
#include "pgwait.h"

/* docs/sql-api.md, statement 1. Transaction-local settings only: pooler-safe. */
static const char context_sql[] =
	"SELECT pg_catalog.set_config('role', $1, true), "
	"pg_catalog.set_config('app.token', $2, true), "
	"pg_catalog.set_config('app.user_id', $3, true)";

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

/* Sends everything buffered, reading meanwhile so the server never blocks on us. */
static enum gw_qstatus
query_flush(PGconn *conn, int64_t deadline, struct gw_qresult *out)
{
	int rc;

	while ((rc = PQflush(conn)) == 1) {
		enum gw_wait w = pgwait_socket(PQsocket(conn), POLLIN | POLLOUT, deadline);

		if (w == GW_WAIT_TIMEOUT)
			return query_lost(conn, out, "timed out sending");
		if (w == GW_WAIT_ERROR || !PQconsumeInput(conn))
			return query_lost(conn, out, "send failed");
	}
	return rc == 0 ? GW_Q_ROW : query_lost(conn, out, "send failed");
}

/* The next result (NULL between statements), waiting for input until deadline. */
static enum gw_qstatus
query_next(PGconn *conn, int64_t deadline, PGresult **res, struct gw_qresult *out)
{
	*res = NULL;
	while (PQisBusy(conn)) {
		enum gw_wait w = pgwait_socket(PQsocket(conn), POLLIN, deadline);

		if (w == GW_WAIT_TIMEOUT)
			return query_lost(conn, out, "timed out waiting for the database");
		if (w == GW_WAIT_ERROR || !PQconsumeInput(conn))
			return query_lost(conn, out, "receive failed");
	}
	*res = PQgetResult(conn);
	if (PQstatus(conn) != CONNECTION_OK) {
		PQclear(*res);
		*res = NULL;
		return query_lost(conn, out, "connection lost");
	}
	return GW_Q_ROW;
}

/* Takes an error result as the request's outcome (keeps the first one only). */
static void
query_keep_error(PGresult *res, struct gw_qresult *out)
{
	if (out->res != NULL) {
		PQclear(res);
		return;
	}
	out->res = res;
	out->status = GW_Q_SQL_ERROR;
	out->sqlstate = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	out->message = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	out->detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
}

/* Reads one statement's results: its result, then the NULL that ends it. Keeps the api row
 * when keep_row, else clears a successful result. */
static enum gw_qstatus
query_read_statement(PGconn *conn, int64_t deadline, bool keep_row, struct gw_qresult *out)
{
	PGresult *res;

	if (query_next(conn, deadline, &res, out) != GW_Q_ROW)
		return out->status;
	switch (PQresultStatus(res)) {
	case PGRES_TUPLES_OK:
		if (keep_row && out->res == NULL)
			out->res = res;
		else
			PQclear(res);
		break;
	case PGRES_FATAL_ERROR:
		query_keep_error(res, out);
		break;
	case PGRES_PIPELINE_ABORTED:    /* an earlier statement failed */
		PQclear(res);
		break;
	default:
		snprintf(out->why, sizeof out->why, "unexpected result status %s",
		         PQresStatus(PQresultStatus(res)));
		PQclear(res);
		out->status = GW_Q_INTERNAL;
		return out->status;
	}
	if (query_next(conn, deadline, &res, out) != GW_Q_ROW)
		return out->status;
	if (res != NULL) {
		PQclear(res);
		snprintf(out->why, sizeof out->why, "more than one result for a statement");
		out->status = GW_Q_INTERNAL;
	}
	return out->status;
}

/* The pipeline itself: both statements, one Sync, one flush, then read back. */
static enum gw_qstatus
query_pipeline(PGconn *conn, const struct gw_call *call, int64_t deadline,
               struct gw_qresult *out)
{
	const char *context[3] = { call->role, call->token != NULL ? call->token : "",
	                           call->user_id != NULL ? call->user_id : "" };
	PGresult   *res;

	if (PQenterPipelineMode(conn) != 1 ||
	    PQsendQueryParams(conn, context_sql, 3, NULL, context, NULL, NULL, 0) != 1 ||
	    PQsendQueryParams(conn, call->sql, call->nargs, NULL, call->args, NULL, NULL, 0) != 1 ||
	    PQpipelineSync(conn) != 1)
		return query_lost(conn, out, "cannot queue the pipeline");
	out->round_trips = 1;
	out->status = GW_Q_ROW;
	if (query_flush(conn, deadline, out) != GW_Q_ROW ||
	    query_read_statement(conn, deadline, false, out) == GW_Q_UNAVAILABLE ||
	    out->status == GW_Q_INTERNAL ||
	    query_read_statement(conn, deadline, true, out) == GW_Q_UNAVAILABLE ||
	    out->status == GW_Q_INTERNAL)
		return out->status;
	/* the Sync: the implicit transaction is over (committed, or rolled back on error) */
	if (query_next(conn, deadline, &res, out) != GW_Q_ROW)
		return out->status;
	if (PQresultStatus(res) != PGRES_PIPELINE_SYNC) {
		snprintf(out->why, sizeof out->why, "expected the pipeline sync, got %s",
		         PQresStatus(PQresultStatus(res)));
		out->status = GW_Q_INTERNAL;
	}
	PQclear(res);
	if (out->status != GW_Q_INTERNAL && PQexitPipelineMode(conn) != 1) {
		snprintf(out->why, sizeof out->why, "cannot leave pipeline mode");
		out->status = GW_Q_INTERNAL;
	}
	return out->status;
}

/* Reads data / meta / error from the api.result row. */
static void
query_take_row(struct gw_qresult *out)
{
	PGresult *r = out->res;

	if (r == NULL || PQntuples(r) != 1 || PQnfields(r) != 3) {
		snprintf(out->why, sizeof out->why, "expected one api.result row, got %d rows",
		         r != NULL ? PQntuples(r) : 0);
		out->status = GW_Q_INTERNAL;
		return;
	}
	out->data = PQgetisnull(r, 0, 0) ? NULL : PQgetvalue(r, 0, 0);
	out->meta = PQgetisnull(r, 0, 1) ? NULL : PQgetvalue(r, 0, 1);
	out->error = PQgetisnull(r, 0, 2) ? NULL : PQgetvalue(r, 0, 2);
}

/* Whether conn may serve another request: alive, idle, out of pipeline mode. */
static bool
query_conn_reusable(PGconn *conn, const struct gw_qresult *out)
{
	if (out->status == GW_Q_UNAVAILABLE)
		return false;
	if (out->status == GW_Q_SQL_ERROR && error_sqlstate_is_connection(out->sqlstate))
		return false;
	return PQstatus(conn) == CONNECTION_OK && PQtransactionStatus(conn) == PQTRANS_IDLE &&
	       PQpipelineStatus(conn) == PQ_PIPELINE_OFF;
}

static const char *
query_outcome(const struct gw_qresult *out)
{
	switch (out->status) {
	case GW_Q_ROW: return out->error != NULL ? "committed error" : "ok";
	case GW_Q_SQL_ERROR: return "error";
	case GW_Q_UNAVAILABLE: return "unavailable";
	case GW_Q_INTERNAL: break;
	}
	return "internal";
}

enum gw_qstatus
query_exec(struct gw_pool *pool, const struct gw_call *call, const struct gw_deadlines *dl,
           struct gw_qresult *out)
{
	PGconn             *conn;
	enum gw_pool_status ps;
	int64_t             t0;

	memset(out, 0, sizeof *out);
	ps = pool_acquire(pool, dl->acquire_by, dl->connect_by, &conn, out->why, sizeof out->why);
	if (ps != GW_POOL_OK) {
		if (ps == GW_POOL_TIMEOUT)
			snprintf(out->why, sizeof out->why, "no database connection free in time");
		else if (ps == GW_POOL_CLOSED)
			snprintf(out->why, sizeof out->why, "shutting down");
		out->status = GW_Q_UNAVAILABLE;
		return out->status;
	}
	t0 = clock_now_us();
	query_pipeline(conn, call,
	               dl->query_by != 0 ? dl->query_by : t0 + GW_QUERY_TIMEOUT_S * GW_US_PER_SEC,
	               out);
	if (out->status == GW_Q_SQL_ERROR && error_sqlstate_is_connection(out->sqlstate)) {
		snprintf(out->why, sizeof out->why, "%s: %s", out->sqlstate,
		         out->message != NULL ? out->message : "");
		out->status = GW_Q_UNAVAILABLE;
	} else if (out->status == GW_Q_ROW)
		query_take_row(out);
	log_db_call(call->request_id, call->function, clock_ms_between(t0, clock_now_us()),
	            query_outcome(out));
	pool_release(pool, conn, query_conn_reusable(conn, out));
	return out->status;
}

void
query_result_clear(struct gw_qresult *out)
{
	PQclear(out->res);
	out->res = NULL;
	out->data = out->meta = out->error = NULL;
	out->sqlstate = out->message = out->detail = NULL;
}
