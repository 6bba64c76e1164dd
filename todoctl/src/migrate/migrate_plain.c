/* migrate_plain.c - migrating the plain-SQL install: its scripts, applied in one transaction. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "db.h"
#include "migrate_kind.h"
#include "sqlscan.h"
#include "version.h"

#define MIGRATE_PLAIN_SCRIPT_MAX (64L * 1024 * 1024)   /* bytes in one script */
#define MIGRATE_PLAIN_STEPS_MAX  64                    /* scripts in one chain */

/* Lists the scripts' directory once; 0, or -1 after printing why. */
static int
migrate_plain_load(struct migrate_ctx *ctx)
{
	if (ctx->plain_loaded)
		return 0;
	if (plain_dir_load(&ctx->plain, ctx->plain_path, ctx->who) < 0) {
		plain_dir_free(&ctx->plain);
		return -1;
	}
	ctx->plain_loaded = true;
	return 0;
}

static int
migrate_plain_latest(struct migrate_ctx *ctx, char *out, size_t outlen)
{
	if (migrate_plain_load(ctx) < 0)
		return -1;
	if (plain_dir_latest(&ctx->plain, out, outlen) == 0) {
		fprintf(stderr, "%s: no plain-SQL scripts (" PLAIN_PREFIX "*.sql) in %s\n", ctx->who,
		        ctx->plain.path);
		return -1;
	}
	return 0;
}

static int
migrate_plain_previous(struct migrate_ctx *ctx, const char *from, char *out, size_t outlen)
{
	if (migrate_plain_load(ctx) < 0)
		return -1;
	return plain_dir_previous(&ctx->plain, from, out, outlen);
}

/* Reads a whole script into a NUL-terminated buffer the caller frees; NULL after printing why. */
static char *
migrate_plain_read(struct migrate_ctx *ctx, const char *file)
{
	FILE       *f = fopen(file, "rb");
	struct stat st;
	char       *sql = NULL;

	if (f == NULL) {
		fprintf(stderr, "%s: cannot open %s: %s\n", ctx->who, file, strerror(errno));
		return NULL;
	}
	if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
		fprintf(stderr, "%s: %s is not a regular file\n", ctx->who, file);
	} else if (st.st_size > MIGRATE_PLAIN_SCRIPT_MAX) {
		fprintf(stderr, "%s: %s is larger than %ld bytes\n", ctx->who, file, MIGRATE_PLAIN_SCRIPT_MAX);
	} else if ((sql = malloc((size_t) st.st_size + 1)) == NULL) {
		fprintf(stderr, "%s: out of memory\n", ctx->who);
	} else if (fread(sql, 1, (size_t) st.st_size, f) != (size_t) st.st_size || ferror(f)) {
		fprintf(stderr, "%s: cannot read %s\n", ctx->who, file);
		free(sql);
		sql = NULL;
	} else if (memchr(sql, '\0', (size_t) st.st_size) != NULL) {
		fprintf(stderr, "%s: %s holds a NUL byte: not an SQL script\n", ctx->who, file);
		free(sql);
		sql = NULL;
	} else {
		sql[st.st_size] = '\0';
	}
	fclose(f);
	return sql;
}

/* Runs one script, then records its version in todo.schema_version; 0 or -1 (reported). */
static int
migrate_plain_step(struct migrate_ctx *ctx, const struct plain_script *script)
{
	char        name[2 * VERSION_MAX + 32], file[PATH_MAX + sizeof name + 1], what[512];
	const char *params[] = {script->to};
	char       *sql;
	PGresult   *res;
	int         ok;

	plain_dir_name(script, name, sizeof name);
	if ((size_t) snprintf(file, sizeof file, "%s/%s", ctx->plain.path, name) >= sizeof file) {
		fprintf(stderr, "%s: the path of %s is too long\n", ctx->who, name);
		return -1;
	}
	if ((sql = migrate_plain_read(ctx, file)) == NULL)
		return -1;
	if (sqlscan_check(sql, what, sizeof what) < 0) {
		fprintf(stderr, "%s: %s, %s\n", ctx->who, file, what);
		free(sql);
		return -1;
	}
	printf("applying: %s\n", file);
	fflush(stdout);
	/* several statements in one simple query: all of them, or none with the transaction */
	res = PQexec(ctx->conn, sql);
	free(sql);
	ok = res != NULL && (PQresultStatus(res) == PGRES_COMMAND_OK ||
	                     PQresultStatus(res) == PGRES_TUPLES_OK ||
	                     PQresultStatus(res) == PGRES_EMPTY_QUERY);
	snprintf(what, sizeof what, "%s failed", name);
	if (!ok)
		db_report(ctx->conn, res, ctx->who, what);
	PQclear(res);
	if (!ok)
		return -1;
	if (PQtransactionStatus(ctx->conn) != PQTRANS_INTRANS) {
		fprintf(stderr, "%s: %s ends the transaction (COMMIT or ROLLBACK at its top level): "
		        "todoctl runs a whole chain in one transaction, so its scripts must not; the "
		        "database may be left between versions: check it with todoctl migrate status\n",
		        ctx->who, name);
		return -1;
	}
	if (db_value(ctx->conn, ctx->who, "SELECT pg_catalog.to_regclass('todo.schema_version') IS NOT NULL",
	             0, NULL, what, sizeof what, NULL) < 0)
		return -1;
	if (strcmp(what, "t") != 0) {
		fprintf(stderr, "%s: after %s there is no table todo.schema_version: the scripts of "
		        "a plain-SQL install must create it\n", ctx->who, name);
		return -1;
	}
	/* the scripts set the version themselves; a script that did not is completed here */
	return db_command(ctx->conn, ctx->who,
	                  "WITH updated AS (UPDATE todo.schema_version SET version = $1 "
	                  "WHERE version IS DISTINCT FROM $1 RETURNING 1) "
	                  "INSERT INTO todo.schema_version (version) SELECT $1 "
	                  "WHERE NOT EXISTS (SELECT FROM todo.schema_version)", 1, params);
}

static int
migrate_plain_apply(struct migrate_ctx *ctx, const char *from, const char *to)
{
	size_t steps[MIGRATE_PLAIN_STEPS_MAX], n;
	int    rc;

	if (migrate_plain_load(ctx) < 0)
		return -1;
	rc = plain_dir_chain(&ctx->plain, from, to, steps, MIGRATE_PLAIN_STEPS_MAX, &n);
	if (rc < 0) {
		fprintf(stderr, "%s: out of memory\n", ctx->who);
		return -1;
	}
	if (rc == 0) {
		char found[2048];

		plain_dir_list(&ctx->plain, found, sizeof found);
		if (from[0] == '\0')
			fprintf(stderr, "%s: cannot install version %s of the plain-SQL install: %s has "
			        "neither " PLAIN_PREFIX "%s.sql nor an older install script with upgrade "
			        "scripts up to %s (found: %s)\n", ctx->who, to, ctx->plain.path, to, to, found);
		else
			fprintf(stderr, "%s: no chain of scripts from %s to %s in %s: a script is "
			        "missing, e.g. " PLAIN_PREFIX "%s--%s.sql (found: %s)\n", ctx->who, from, to,
			        ctx->plain.path, from, to, found);
		return -1;
	}
	if (from[0] == '\0')
		printf("the plain-SQL install is not there: installing it from %s\n", ctx->plain.path);
	for (size_t i = 0; i < n; i++)
		if (migrate_plain_step(ctx, &ctx->plain.scripts[steps[i]]) < 0)
			return -1;
	return 0;
}

const struct migrate_kind migrate_plain = {
	.kind = INSTALL_PLAIN,
	.latest = migrate_plain_latest,
	.previous = migrate_plain_previous,
	.apply = migrate_plain_apply,
};
