/* migrate_extension.c - migrating the extension todo: CREATE EXTENSION, ALTER EXTENSION UPDATE. */
#include <stdio.h>
#include <string.h>

#include "db.h"
#include "migrate_kind.h"
#include "version.h"

static int
migrate_extension_latest(struct migrate_ctx *ctx, char *out, size_t outlen)
{
	int rc = db_value(ctx->conn, ctx->who,
	                  "SELECT default_version FROM pg_catalog.pg_available_extensions "
	                  "WHERE name = 'todo'", 0, NULL, out, outlen, NULL);

	if (rc == 0)
		fprintf(stderr, "%s: the server has no extension todo: its files (todo.control, the "
		        "todo--*.sql scripts, todo.so) are not installed there (make install; "
		        "docs/operations.md), or use --plain for the plain-SQL install\n", ctx->who);
	return rc == 1 ? 0 : -1;
}

/* Versions one script away (path "from--to"), below from: the highest of them. */
static int
migrate_extension_previous(struct migrate_ctx *ctx, const char *from, char *out, size_t outlen)
{
	const char *params[] = {from};
	PGresult   *res = PQexecParams(ctx->conn,
		"SELECT target FROM pg_catalog.pg_extension_update_paths('todo') "
		"WHERE source = $1 AND path = source || '--' || target", 1, NULL, params, NULL, NULL, 0);
	const char *best = NULL;
	int         rc = -1;

	if (res == NULL || PQresultStatus(res) != PGRES_TUPLES_OK) {
		db_report(ctx->conn, res, ctx->who, "cannot read the extension's update paths");
	} else {
		for (int i = 0; i < PQntuples(res); i++) {
			const char *v = PQgetvalue(res, i, 0);

			if (version_compare(v, from) < 0 && (best == NULL || version_compare(v, best) > 0))
				best = v;
		}
		rc = 0;
		if (best != NULL && strlen(best) < outlen) {
			snprintf(out, outlen, "%s", best);
			rc = 1;
		}
	}
	PQclear(res);
	return rc;
}

/* Runs "PREFIX 'version' SUFFIX" with version quoted as a literal; 0 or -1 (reported). */
static int
migrate_extension_run(struct migrate_ctx *ctx, const char *prefix, const char *version,
                      const char *suffix)
{
	char      *literal = PQescapeLiteral(ctx->conn, version, strlen(version));
	char       sql[256];
	PGresult  *res;
	int        ok;

	if (literal == NULL) {
		db_report(ctx->conn, NULL, ctx->who, "cannot quote the version");
		return -1;
	}
	snprintf(sql, sizeof sql, "%s%s%s", prefix, literal, suffix);
	PQfreemem(literal);
	printf("applying: %s\n", sql);
	fflush(stdout);
	res = PQexec(ctx->conn, sql);
	ok = res != NULL && PQresultStatus(res) == PGRES_COMMAND_OK;
	if (!ok)
		db_report(ctx->conn, res, ctx->who, "the migration failed");
	PQclear(res);
	return ok ? 0 : -1;
}

static int
migrate_extension_apply(struct migrate_ctx *ctx, const char *from, const char *to)
{
	const char *params[] = {from, to};
	char        path[512];
	bool        isnull;
	int         rc;

	if (from[0] == '\0') {
		printf("the extension todo is not installed: creating it\n");
		return migrate_extension_run(ctx, "CREATE EXTENSION todo VERSION ", to, " CASCADE");
	}
	rc = db_value(ctx->conn, ctx->who,
	              "SELECT path FROM pg_catalog.pg_extension_update_paths('todo') "
	              "WHERE source = $1 AND target = $2", 2, params, path, sizeof path, &isnull);
	if (rc < 0)
		return -1;
	if (rc == 0 || isnull) {
		fprintf(stderr, "%s: the extension has no update path from %s to %s (no chain of "
		        "todo--A--B.sql scripts between them in the server's extension directory)\n",
		        ctx->who, from, to);
		return -1;
	}
	printf("path: %s\n", path);
	return migrate_extension_run(ctx, "ALTER EXTENSION todo UPDATE TO ", to, "");
}

const struct migrate_kind migrate_extension = {
	.kind = INSTALL_EXTENSION,
	.latest = migrate_extension_latest,
	.previous = migrate_extension_previous,
	.apply = migrate_extension_apply,
};
