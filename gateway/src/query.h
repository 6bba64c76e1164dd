/* query.h - the one transaction per request: context + API call, pipelined, one round trip. */
#ifndef GW_QUERY_H
#define GW_QUERY_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>

#include "pool.h"

#define GW_QUERY_TIMEOUT_S 30      /* default bound on one transaction, after acquisition */

#define GW_QUERY_KEYS_MAX  3       /* text columns a call may select after data, meta, error */
#define GW_CALL_ARGS_MAX   5       /* bind parameters of a call (a write under a key: 5) */

#define GW_ROLE_ANON "todo_anon"
#define GW_ROLE_USER "todo_user"

/* One API call as docs/sql-api.md describes it. All pointers are borrowed. */
struct gw_call {
	const char *request_id;    /* for logs */
	const char *function;      /* for logs: "api.task_get" */
	const char *sql;           /* "SELECT data, meta, error FROM api.task_get($1)", possibly
	                              followed by up to GW_QUERY_KEYS_MAX key columns */
	const char *role;          /* GW_ROLE_ANON or GW_ROLE_USER */
	const char *token;         /* bearer token, "" when none */
	const char *user_id;       /* {user_id} path segment, "" when none */
	const char *client_addr;   /* the client's address (clientaddr.h), "" when unknown */
	int         nargs;
	const char *args[GW_CALL_ARGS_MAX];   /* text values; NULL is SQL NULL */
	bool        stream;        /* the call's rows are read one at a time (query_stream_next) */
};

/* When to give up (clock_now_us() times). 0 means the default, counted from that step. */
struct gw_deadlines {
	int64_t acquire_by;        /* a pooled connection free (required, never 0) */
	int64_t connect_by;        /* a new connection made (0: GW_CONNECT_TIMEOUT_S) */
	int64_t query_by;          /* the transaction done (0: GW_QUERY_TIMEOUT_S) */
};

enum gw_qstatus {
	GW_Q_ROW,           /* one api.result row: data / meta / error are set */
	GW_Q_STREAM,        /* a streamed call's first row is in res; the connection is held
	                       until query_stream_next() reaches the end or query_stream_close() */
	GW_Q_SQL_ERROR,     /* the server raised an error: sqlstate / message / detail are set */
	GW_Q_UNAVAILABLE,   /* no connection, connection lost, timed out: answer 503 */
	GW_Q_INTERNAL       /* anything else unexpected (wrong result shape, ...): answer 500 */
};

/* Owns res; every pointer below points into it (NULL stands for SQL NULL / absent). */
struct gw_qresult {
	enum gw_qstatus status;
	PGresult   *res;
	const char *data;
	const char *meta;
	const char *error;
	const char *keys[GW_QUERY_KEYS_MAX];   /* the columns after error, when the call selects
	                                          them (task_create: user_id and id, for Location;
	                                          a write under a key: replayed third) */
	const char *sqlstate;
	const char *message;
	const char *detail;
	unsigned    round_trips;   /* pipelines sent: 0, 1, or 2 when retried */
	bool        retried;       /* the first connection was found closed: run once more */
	bool        may_have_run;  /* the call was sent and not found certainly unrun: it may
	                              have committed even when the answer was lost */
	struct gw_pool *pool;      /* GW_Q_STREAM: where the held connection goes back */
	PGconn     *conn;          /* GW_Q_STREAM: the connection, mid-transaction; NULL once
	                              released */
	int64_t     query_by;      /* GW_Q_STREAM: the bound on the whole transaction */
	bool        stream_ended;  /* GW_Q_STREAM: every row read, the transaction committed */
	bool        write_at_end;  /* GW_Q_STREAM: a call that may write (replica.h): its token
	                              and user are stamped at the commit, not at the first row */
	char        why[256];      /* for UNAVAILABLE / INTERNAL: the cause, for the log only */
};

/*
 * Runs call in one transaction on a pooled connection: acquire, pipeline (context
 * statement, API call, one Sync), read, release (a broken connection is closed, its slot
 * reused). Fills out; release it with query_result_clear() whatever the status.
 *
 * When the connection turns out to be closed and the call certainly did not run (the
 * Sync was never sent whole, or the server's first answer was its parting error 57P01 /
 * 57P05: a backend terminated while idle, Neon suspending its compute), the call runs once
 * more on a new connection, within the same deadlines; never a third time. A connection
 * lost after the call may have run (no answer at all, a pooler's error, an error in place
 * of the Sync) is not retried: the request is unavailable (503) with an unknown outcome.
 */
/* Whether connections prepare their statements (PREPARED_STATEMENTS, default on; see
 * query.c). Set once at start-up, before any query. */
void query_use_prepared(bool on);

enum gw_qstatus query_exec(struct gw_pool *pool, const struct gw_call *call,
                           const struct gw_deadlines *dl, struct gw_qresult *out);
/* Releases out's result; a connection still held by a stream is closed (query_stream_close). */
void query_result_clear(struct gw_qresult *out);

/*
 * The next row of a streamed call (out->status GW_Q_STREAM), waiting until out->query_by:
 * GW_Q_STREAM with *row set (a PGRES_SINGLE_TUPLE result, the caller's to clear), or
 * GW_Q_STREAM with *row NULL at the end: the rest of the pipeline read, the transaction
 * committed, out->stream_ended set and the connection given back to the pool. Anything
 * else (the database's error, the connection lost, the deadline passed) returns that
 * status with out->why set, and the connection closed.
 */
enum gw_qstatus query_stream_next(struct gw_qresult *out, PGresult **row);

/*
 * Gives a streamed call's connection back: to the pool when the stream ended, else closed
 * (the client went away or the stream failed mid-way: the server then ends the
 * transaction, and no state of it can reach another request). Idempotent.
 */
void query_stream_close(struct gw_qresult *out);

#endif
