/* db.h - the connection to DATABASE_URL, small query helpers, and the database's errors. */
#ifndef TODOCTL_DB_H
#define TODOCTL_DB_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

#define DB_EXIT_FAILED 1    /* a database error, a refusal, a connection failure */
#define DB_EXIT_USAGE  2    /* bad arguments or configuration (DATABASE_URL unset) */

/*
 * Connects to DATABASE_URL and nothing else: unset or empty is an error (never a default
 * or local database). who prefixes every message ("todoctl migrate"); it must outlive the
 * connection (the notice printer keeps it). On failure prints why, never the password,
 * sets *exit_code (DB_EXIT_USAGE when DATABASE_URL is unset or unparseable,
 * DB_EXIT_FAILED when the server cannot be reached) and returns NULL. The caller owns the
 * connection (PQfinish).
 */
PGconn *db_connect(const char *who, int *exit_code);

/* "database todo on 127.0.0.1:5432 as postgres" (never the password) into buf. */
void db_describe(PGconn *conn, char *buf, size_t buflen);

/*
 * Prints "who: what: message" with the SQLSTATE, then detail, hint and context lines,
 * from res when it holds an error, else from the connection. Passwords are masked.
 */
void db_report(PGconn *conn, const PGresult *res, const char *who, const char *what);

/* The SQLSTATE of the last error db_report() printed ("" if none, or not from the server). */
const char *db_last_sqlstate(void);

/* Runs sql (bind parameters text, may be NULL when n is 0) that returns no rows.
 * Returns 0, or -1 after db_report(). */
int db_command(PGconn *conn, const char *who, const char *sql, int n, const char *const *params);

/*
 * Runs sql expecting at most one row; copies the first column of it into out (a NULL
 * value sets *isnull when isnull is not NULL, and out to ""). Returns 1 (a row), 0 (no
 * row), or -1 after db_report() (an error, more than one row, a value longer than outlen-1).
 */
int db_value(PGconn *conn, const char *who, const char *sql, int n, const char *const *params,
             char *out, size_t outlen, bool *isnull);

/* BEGIN / COMMIT / ROLLBACK: 0, or -1 after db_report() (rollback: quietly best effort). */
int  db_begin(PGconn *conn, const char *who);
int  db_commit(PGconn *conn, const char *who);
void db_rollback(PGconn *conn);

#endif
