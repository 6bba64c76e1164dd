/* install.c - which kind of todo install a database has, and at which version. */
#include "install.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "db.h"

const char *
install_kind_name(enum install_kind kind)
{
	switch (kind) {
	case INSTALL_EXTENSION:
		return "extension todo";
	case INSTALL_PLAIN:
		return "plain-SQL install";
	case INSTALL_NONE:
		break;
	}
	return "nothing installed";
}

/* The one version row of todo.schema_version into out; 0, or -1 after printing why. */
static int
install_plain_version(PGconn *conn, const char *who, char *out, size_t outlen)
{
	PGresult *res = PQexec(conn, "SELECT version FROM todo.schema_version");
	int       rc = -1;

	if (res == NULL || PQresultStatus(res) != PGRES_TUPLES_OK || PQnfields(res) != 1)
		db_report(conn, res, who, "cannot read todo.schema_version");
	else if (PQntuples(res) != 1)
		fprintf(stderr, "%s: todo.schema_version holds %d rows: a plain-SQL install keeps "
		        "exactly one (its version)\n", who, PQntuples(res));
	else if (PQgetisnull(res, 0, 0) || !version_valid(PQgetvalue(res, 0, 0)))
		fprintf(stderr, "%s: todo.schema_version holds no valid version\n", who);
	else {
		snprintf(out, outlen, "%s", PQgetvalue(res, 0, 0));
		rc = 0;
	}
	PQclear(res);
	return rc;
}

int
install_detect(PGconn *conn, const char *who, struct install_state *out)
{
	char version[VERSION_MAX];
	bool isnull;
	int  rc;

	memset(out, 0, sizeof *out);
	out->kind = INSTALL_NONE;
	rc = db_value(conn, who, "SELECT extversion FROM pg_catalog.pg_extension WHERE extname = 'todo'",
	              0, NULL, version, sizeof version, &isnull);
	if (rc < 0)
		return -1;
	if (rc == 1) {
		out->kind = INSTALL_EXTENSION;
		snprintf(out->version, sizeof out->version, "%s", version);
		return 0;
	}
	rc = db_value(conn, who, "SELECT pg_catalog.to_regclass('todo.schema_version') IS NOT NULL",
	              0, NULL, version, sizeof version, &isnull);
	if (rc < 0)
		return -1;
	if (strcmp(version, "t") != 0)
		return 0;
	if (install_plain_version(conn, who, out->version, sizeof out->version) < 0)
		return -1;
	out->kind = INSTALL_PLAIN;
	return 0;
}
