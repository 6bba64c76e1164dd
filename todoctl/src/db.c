/* db.c - the connection to DATABASE_URL, small query helpers, and the database's errors. */
#include "db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DB_MESSAGE_MAX 4096

/* The connection's password (from DATABASE_URL or libpq's defaults), to mask in messages,
 * and the prefix of the notices the server sends. */
static char        db_password[256];
static const char *db_who = "todoctl";
static char        db_sqlstate[6];

/* Copies msg into out with every occurrence of the password replaced by "***". */
static void
db_mask(const char *msg, char *out, size_t outlen)
{
	size_t plen = strlen(db_password);
	size_t o = 0;

	if (outlen == 0)
		return;
	while (*msg != '\0' && o + 1 < outlen) {
		if (plen > 0 && strncmp(msg, db_password, plen) == 0) {
			int n = snprintf(out + o, outlen - o, "***");

			o = n < 0 || (size_t) n >= outlen - o ? outlen - 1 : o + (size_t) n;
			msg += plen;
			continue;
		}
		out[o++] = *msg++;
	}
	out[o] = '\0';
}

/* Prints one line "who: label: text" (text masked, its final newline dropped). */
static void
db_print(const char *who, const char *label, const char *text)
{
	char   masked[DB_MESSAGE_MAX];
	size_t len;

	db_mask(text, masked, sizeof masked);
	len = strlen(masked);
	while (len > 0 && (masked[len - 1] == '\n' || masked[len - 1] == ' '))
		masked[--len] = '\0';
	if (label != NULL)
		fprintf(stderr, "%s: %s: %s\n", who, label, masked);
	else
		fprintf(stderr, "%s: %s\n", who, masked);
}

/* Server notices and warnings (CREATE EXTENSION ... CASCADE's "installing required
 * extension") go to stderr, one line each. */
static void
db_notice(void *arg, const PGresult *res)
{
	const char *severity = PQresultErrorField(res, PG_DIAG_SEVERITY_NONLOCALIZED);
	const char *message = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	char        label[64];

	snprintf(label, sizeof label, "database %s", severity != NULL ? severity : "NOTICE");
	for (char *p = label; *p != '\0'; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char) (*p - 'A' + 'a');
	(void) arg;
	db_print(db_who, label, message != NULL ? message : "");
}

/* Remembers the password the connection string carries, if any. */
static void
db_remember_password(const PQconninfoOption *opts)
{
	db_password[0] = '\0';
	for (const PQconninfoOption *o = opts; o != NULL && o->keyword != NULL; o++)
		if (strcmp(o->keyword, "password") == 0 && o->val != NULL)
			snprintf(db_password, sizeof db_password, "%s", o->val);
}

PGconn *
db_connect(const char *who, int *exit_code)
{
	const char       *url = getenv("DATABASE_URL");
	const char *const keywords[] = {"dbname", "fallback_application_name", NULL};
	const char       *values[] = {url, "todoctl", NULL};
	PQconninfoOption *opts;
	char             *parse_error = NULL;
	PGconn           *conn;

	if (url == NULL || *url == '\0') {
		fprintf(stderr, "%s: DATABASE_URL is not set: it must hold the connection URL of an "
		        "admin role (a superuser or the owner of the todo extension), e.g. "
		        "postgresql://USER:PASSWORD@HOST:5432/DBNAME; todoctl connects to no other "
		        "database\n", who);
		*exit_code = DB_EXIT_USAGE;
		return NULL;
	}
	/* libpq's parse errors may quote the string, password included: not shown */
	opts = PQconninfoParse(url, &parse_error);
	PQfreemem(parse_error);
	if (opts == NULL) {
		fprintf(stderr, "%s: DATABASE_URL is not a valid connection string (a URL "
		        "postgresql://USER:PASSWORD@HOST:PORT/DBNAME or key=value pairs)\n", who);
		*exit_code = DB_EXIT_USAGE;
		return NULL;
	}
	db_remember_password(opts);
	PQconninfoFree(opts);

	conn = PQconnectdbParams(keywords, values, 1);
	if (conn == NULL) {
		fprintf(stderr, "%s: out of memory\n", who);
		*exit_code = DB_EXIT_FAILED;
		return NULL;
	}
	if (PQstatus(conn) != CONNECTION_OK) {
		char what[512];

		snprintf(what, sizeof what, "cannot connect to DATABASE_URL (database %s as %s)",
		         PQdb(conn) != NULL ? PQdb(conn) : "?", PQuser(conn) != NULL ? PQuser(conn) : "?");
		db_print(who, what, PQerrorMessage(conn));
		PQfinish(conn);
		*exit_code = DB_EXIT_FAILED;
		return NULL;
	}
	/* the password libpq actually used (it may come from ~/.pgpass) */
	if (PQpass(conn) != NULL && *PQpass(conn) != '\0')
		snprintf(db_password, sizeof db_password, "%s", PQpass(conn));
	db_who = who;
	PQsetNoticeReceiver(conn, db_notice, NULL);
	*exit_code = 0;
	return conn;
}

void
db_describe(PGconn *conn, char *buf, size_t buflen)
{
	const char *host = PQhost(conn);
	const char *port = PQport(conn);

	snprintf(buf, buflen, "database %s on %s%s%s as %s", PQdb(conn),
	         host != NULL && *host != '\0' ? host : "localhost",
	         port != NULL && *port != '\0' ? ":" : "", port != NULL ? port : "", PQuser(conn));
}

void
db_report(PGconn *conn, const PGresult *res, const char *who, const char *what)
{
	const char *primary = res != NULL ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	const char *sqlstate, *detail, *hint, *context;
	char        line[DB_MESSAGE_MAX];

	db_sqlstate[0] = '\0';
	if (primary == NULL) {
		const char *msg = conn != NULL ? PQerrorMessage(conn) : "";

		if (res != NULL && *PQresultErrorMessage(res) != '\0')
			msg = PQresultErrorMessage(res);
		db_print(who, what, *msg != '\0' ? msg : "unexpected result from the database");
		return;
	}
	sqlstate = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
	hint = PQresultErrorField(res, PG_DIAG_MESSAGE_HINT);
	context = PQresultErrorField(res, PG_DIAG_CONTEXT);
	if (sqlstate != NULL)
		snprintf(db_sqlstate, sizeof db_sqlstate, "%s", sqlstate);
	snprintf(line, sizeof line, "%s (SQLSTATE %s)", primary, sqlstate != NULL ? sqlstate : "?");
	db_print(who, what, line);
	if (detail != NULL)
		db_print(who, "detail", detail);
	if (hint != NULL)
		db_print(who, "hint", hint);
	if (context != NULL)
		db_print(who, "context", context);
}

const char *
db_last_sqlstate(void)
{
	return db_sqlstate;
}

int
db_command(PGconn *conn, const char *who, const char *sql, int n, const char *const *params)
{
	PGresult *res = PQexecParams(conn, sql, n, NULL, params, NULL, NULL, 0);
	int       ok = res != NULL && (PQresultStatus(res) == PGRES_COMMAND_OK ||
	                               PQresultStatus(res) == PGRES_TUPLES_OK);

	if (!ok)
		db_report(conn, res, who, "database error");
	PQclear(res);
	return ok ? 0 : -1;
}

int
db_value(PGconn *conn, const char *who, const char *sql, int n, const char *const *params,
         char *out, size_t outlen, bool *isnull)
{
	PGresult *res = PQexecParams(conn, sql, n, NULL, params, NULL, NULL, 0);
	int       rc = -1;

	if (outlen > 0)
		out[0] = '\0';
	if (isnull != NULL)
		*isnull = false;
	if (res == NULL || PQresultStatus(res) != PGRES_TUPLES_OK || PQnfields(res) < 1) {
		db_report(conn, res, who, "database error");
	} else if (PQntuples(res) > 1) {
		fprintf(stderr, "%s: expected at most one row, got %d\n", who, PQntuples(res));
	} else if (PQntuples(res) == 0) {
		rc = 0;
	} else if (PQgetisnull(res, 0, 0)) {
		if (isnull != NULL)
			*isnull = true;
		rc = 1;
	} else if ((size_t) PQgetlength(res, 0, 0) >= outlen) {
		fprintf(stderr, "%s: a value from the database is longer than %zu bytes\n", who,
		        outlen > 0 ? outlen - 1 : 0);
	} else {
		memcpy(out, PQgetvalue(res, 0, 0), (size_t) PQgetlength(res, 0, 0) + 1);
		rc = 1;
	}
	PQclear(res);
	return rc;
}

int
db_begin(PGconn *conn, const char *who)
{
	return db_command(conn, who, "BEGIN", 0, NULL);
}

int
db_commit(PGconn *conn, const char *who)
{
	return db_command(conn, who, "COMMIT", 0, NULL);
}

void
db_rollback(PGconn *conn)
{
	PQclear(PQexec(conn, "ROLLBACK"));
}
