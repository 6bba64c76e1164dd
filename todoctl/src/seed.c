/* seed.c - todoctl seed: the development user test@example.com and its five tasks. */
#include "seed.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "migrate/install.h"
#include "sql.h"

#define SEED_WHO   "todoctl seed"
#define SEED_TASKS 5

static void
seed_usage(FILE *out)
{
	fputs("usage: todoctl seed\n"
	      "\n"
	      "Creates, in the database at DATABASE_URL (an admin connection), the development user\n"
	      "test@example.com (username test, password Test123!@#) and its five tasks: two\n"
	      "pending, three completed, with due dates in the future and tags. Idempotent: a rerun\n"
	      "changes nothing, and completes a partial seed without duplicating anything. One\n"
	      "transaction. Refuses to run when ENVIRONMENT=production.\n", out);
}

int
seed_main(int argc, char **argv)
{
	const char          *env = getenv("ENVIRONMENT");
	PGconn              *conn;
	PGresult            *res;
	struct install_state state;
	char                 where[512];
	int                  rc;

	if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		seed_usage(stdout);
		return 0;
	}
	if (argc != 1) {
		fprintf(stderr, SEED_WHO ": takes no arguments (todoctl seed --help)\n");
		return DB_EXIT_USAGE;
	}
	if (env != NULL && strcmp(env, "production") == 0) {
		fprintf(stderr, SEED_WHO ": refused: ENVIRONMENT is production, and the seed creates "
		        "a user with a published password; it is for development databases only\n");
		return DB_EXIT_FAILED;
	}
	conn = db_connect(SEED_WHO, &rc);
	if (conn == NULL)
		return rc;
	db_describe(conn, where, sizeof where);
	printf(SEED_WHO ": %s\n", where);
	rc = DB_EXIT_FAILED;
	if (db_begin(conn, SEED_WHO) < 0 || install_detect(conn, SEED_WHO, &state) < 0)
		goto done;
	if (state.kind == INSTALL_NONE) {
		fprintf(stderr, SEED_WHO ": the todo schema is not installed in this database: "
		        "todoctl migrate up first\n");
		goto done;
	}
	res = PQexec(conn, sql_seed);
	if (res == NULL || PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1 ||
	    PQnfields(res) != 3) {
		db_report(conn, res, SEED_WHO, "the seed failed");
		PQclear(res);
		goto done;
	}
	if (strcmp(PQgetvalue(res, 0, 0), "t") == 0)
		printf("user test@example.com: created (username test, password Test123!@#)\n");
	else
		printf("user test@example.com: present, left as it is\n");
	printf("tasks: %s created, %s of %d present\n", PQgetvalue(res, 0, 1), PQgetvalue(res, 0, 2),
	       SEED_TASKS);
	if (strcmp(PQgetvalue(res, 0, 0), "f") == 0 && strcmp(PQgetvalue(res, 0, 1), "0") == 0)
		printf("nothing to do: the seed was complete\n");
	PQclear(res);
	if (db_commit(conn, SEED_WHO) < 0)
		goto done;
	rc = 0;
done:
	if (rc != 0) {
		db_rollback(conn);
		fprintf(stderr, SEED_WHO ": rolled back: nothing changed\n");
	}
	PQfinish(conn);
	return rc;
}
