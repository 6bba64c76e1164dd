/* import.c - todoctl import: the command line, and one import as one transaction. */
#include "import.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "import_apply.h"
#include "import_copy.h"
#include "import_plan.h"
#include "import_progress.h"
#include "import_report.h"
#include "import_run.h"
#include "import_signal.h"
#include "import_source.h"
#include "locks.h"

#define IMPORT_BATCH_ROWS 100000

/* The ways out, as sql/import_decide.sql names them; getopt_long's long_options below
 * list them in the same order (their value is OPT_WAY_OUT + the index here). */
static const char *const import_ways_out[] = {
	"--merge-duplicate-emails",
	"--skip-invalid-users",
	"--skip-orphans",
	"--drop-invalid-tags",
	"--skip-invalid-tasks",
	"--skip-invalid-sessions",
};
#define IMPORT_NWAYS_OUT ((int) (sizeof import_ways_out / sizeof import_ways_out[0]))

enum { OPT_REPORT = 256, OPT_BATCH_ROWS, OPT_WAY_OUT };

static void
import_usage(FILE *out)
{
	fputs("usage: todoctl import [OPTIONS] FILE\n"
	      "\n"
	      "Imports the old app's SQLite database FILE (todo_app.db) into the database at\n"
	      "DATABASE_URL: its users (with their bcrypt hashes: they log in with their old\n"
	      "passwords), their tasks, and their sessions that have neither expired nor been\n"
	      "revoked. DATABASE_URL must connect as a superuser or a role with BYPASSRLS (the\n"
	      "import writes the rows of every user). FILE is opened read-only and never written.\n"
	      "\n"
	      "All or nothing: one transaction; before it commits, the count and a checksum of\n"
	      "each table's rows are compared between the source (after normalization) and the\n"
	      "target. Any problem, error, mismatch or signal rolls it back. Re-runnable: rows\n"
	      "keep their legacy ids, and a second run imports nothing twice.\n"
	      "\n"
	      "Every row is imported as is, imported with a documented normalization, or listed\n"
	      "in the report with its id and reason. Rows today's rules refuse make the import\n"
	      "fail, unless an option below says what to do with their kind:\n"
	      "  --merge-duplicate-emails  users whose emails are equal ignoring case become the\n"
	      "                            earliest of them; the others' tasks go to it\n"
	      "  --skip-invalid-users      leave out users that break a rule (username, email,\n"
	      "                            password hash, dates), with their tasks and sessions\n"
	      "  --skip-orphans            leave out tasks and sessions whose user is not in FILE\n"
	      "  --drop-invalid-tags       drop the tags today's rules refuse (over 10 characters,\n"
	      "                            blanks inside, beyond the 20th), keep the task\n"
	      "  --skip-invalid-tasks      leave out tasks that break a rule (title, dates,\n"
	      "                            priority, recursion pattern, tags)\n"
	      "  --skip-invalid-sessions   leave out sessions that break a rule\n"
	      "\n"
	      "other options:\n"
	      "  -n, --dry-run             plan and report only; change nothing (exit 0 when the\n"
	      "                            import would go through with these options)\n"
	      "  --report FILE             write the report to FILE instead of standard output\n"
	      "  -q, --quiet               no progress on standard error\n"
	      "  --batch-rows N            tasks inserted per statement (default 100000)\n"
	      "\n"
	      "exit status: 0 imported (or nothing to import, or a dry run that would import),\n"
	      "1 refused or failed (the database is as it was), 2 usage or configuration error.\n"
	      "See docs/import.md.\n", out);
}

/* Parses argv into opts. 0, 1 (--help printed), or -1 after printing why. */
static int
import_parse(int argc, char **argv, struct import_options *opts)
{
	static const struct option long_options[] = {
		{"dry-run", no_argument, NULL, 'n'},
		{"report", required_argument, NULL, OPT_REPORT},
		{"quiet", no_argument, NULL, 'q'},
		{"batch-rows", required_argument, NULL, OPT_BATCH_ROWS},
		{"help", no_argument, NULL, 'h'},
		{"merge-duplicate-emails", no_argument, NULL, OPT_WAY_OUT + 0},
		{"skip-invalid-users", no_argument, NULL, OPT_WAY_OUT + 1},
		{"skip-orphans", no_argument, NULL, OPT_WAY_OUT + 2},
		{"drop-invalid-tags", no_argument, NULL, OPT_WAY_OUT + 3},
		{"skip-invalid-tasks", no_argument, NULL, OPT_WAY_OUT + 4},
		{"skip-invalid-sessions", no_argument, NULL, OPT_WAY_OUT + 5},
		{NULL, 0, NULL, 0},
	};
	bool chosen[IMPORT_NWAYS_OUT] = {false};
	int  c;

	memset(opts, 0, sizeof *opts);
	opts->batch_rows = IMPORT_BATCH_ROWS;
	optind = 1;
	opterr = 0;   /* our own messages, prefixed like the others */
	while ((c = getopt_long(argc, argv, ":nqh", long_options, NULL)) != -1) {
		switch (c) {
		case 'n':
			opts->dry_run = true;
			break;
		case 'q':
			opts->quiet = true;
			break;
		case 'h':
			import_usage(stdout);
			return 1;
		case OPT_REPORT:
			opts->report = optarg;
			break;
		case OPT_BATCH_ROWS: {
			char *end;

			opts->batch_rows = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || opts->batch_rows < 1) {
				fprintf(stderr, IMPORT_WHO ": --batch-rows takes a positive number, not \"%s\"\n", optarg);
				return -1;
			}
			break;
		}
		default:
			if (c >= OPT_WAY_OUT && c < OPT_WAY_OUT + IMPORT_NWAYS_OUT) {
				chosen[c - OPT_WAY_OUT] = true;
				break;
			}
			fprintf(stderr, IMPORT_WHO ": %s option %s (todoctl import --help lists them)\n",
			        c == ':' ? "missing the value of" : "unknown", argv[optind - 1]);
			return -1;
		}
	}
	for (int i = 0; i < IMPORT_NWAYS_OUT; i++)
		if (chosen[i])
			opts->ways_out[opts->nways_out++] = import_ways_out[i];
	if (argc - optind != 1) {
		fprintf(stderr, IMPORT_WHO ": %s (todoctl import --help)\n",
		        argc - optind == 0 ? "which legacy file? usage: todoctl import [OPTIONS] FILE"
		                           : "one legacy file at a time");
		return -1;
	}
	opts->source = argv[optind];
	return 0;
}

/* The value of a one-row, one-column query into out; 0, or -1 after printing why. */
static int
import_query_value(struct import_run *run, const char *sql, char *out, size_t len)
{
	return db_value(run->conn, IMPORT_WHO, sql, 0, NULL, out, len, NULL) == 1 ? 0 : -1;
}

/*
 * What the connection may do: it must bypass row-level security (a superuser, or
 * BYPASSRLS with the privileges of todo_owner), and the schema must have the legacy ids
 * (1.1 on). 0, or -1 after printing why.
 */
static int
import_preflight(struct import_run *run)
{
	char role[256], verdict[64];

	if (import_query_value(run, "SELECT current_user", role, sizeof role) < 0 ||
	    import_query_value(run,
	                 "SELECT CASE WHEN r.rolsuper THEN 'superuser' WHEN NOT r.rolbypassrls THEN 'no bypassrls' "
	                 "WHEN n.oid IS NULL THEN 'ok' "   /* no schema: said below */
	                 "WHEN has_schema_privilege(n.oid, 'USAGE') "
	                 "AND NOT EXISTS (SELECT FROM pg_catalog.pg_class c WHERE c.relnamespace = n.oid "
	                 "AND c.relname IN ('users', 'tasks', 'sessions') AND NOT has_table_privilege(c.oid, 'SELECT, INSERT')) "
	                 "AND NOT EXISTS (SELECT FROM pg_catalog.pg_proc p WHERE p.pronamespace = n.oid "
	                 "AND p.proname IN ('normalize_tags', 'parse_timestamp', 'trim_space', 'normalize_recurrence') "
	                 "AND NOT has_function_privilege(p.oid, 'EXECUTE')) THEN 'ok' "
	                 "ELSE 'no privileges' END "
	                 "FROM pg_catalog.pg_roles r LEFT JOIN pg_catalog.pg_namespace n ON n.nspname = 'todo' "
	                 "WHERE r.rolname = current_user",
	                 verdict, sizeof verdict) < 0)
		return -1;
	if (strcmp(verdict, "no bypassrls") == 0) {
		fprintf(stderr, IMPORT_WHO ": refused: role %s is neither a superuser nor has BYPASSRLS. "
		        "The import writes the rows of every user, which row-level security forbids to "
		        "anybody else: connect as a superuser, or ALTER ROLE %s BYPASSRLS and GRANT todo_owner "
		        "TO %s\n", role, role, role);
		return -1;
	}
	if (strcmp(verdict, "no privileges") == 0) {
		fprintf(stderr, IMPORT_WHO ": refused: role %s has BYPASSRLS but may not read and insert "
		        "into the todo tables or call their functions: GRANT todo_owner TO %s, or connect "
		        "as a superuser\n", role, role);
		return -1;
	}
	if (import_query_value(run,
	                 "SELECT count(*) FROM pg_catalog.pg_attribute "
	                 "WHERE attrelid IN (to_regclass('todo.users'), to_regclass('todo.tasks'), to_regclass('todo.sessions')) "
	                 "AND attname = 'legacy_id' AND NOT attisdropped", verdict, sizeof verdict) < 0)
		return -1;
	if (strcmp(verdict, "3") != 0) {
		fprintf(stderr, IMPORT_WHO ": refused: the database has no todo schema of version 1.1 or "
		        "later (todo.users, todo.tasks and todo.sessions with their legacy_id columns): "
		        "todoctl migrate up first\n");
		return -1;
	}
	return 0;
}

/* The session's settings, then BEGIN, the transaction's settings and the locks: one
 * import at a time per database, and none during a migration (locks.h). */
static int
import_begin(struct import_run *run)
{
	static const char *const session[] = {
		"SET application_name = 'todoctl import'",
		"SET client_encoding = 'UTF8'",
		/* the staging tables live in these; set before the first temporary table */
		"SET temp_buffers = '1GB'",
		/* a killed importer's query is cancelled within a second, not run to its end */
		"SELECT pg_catalog.set_config('client_connection_check_interval', '1s', false) "
		"WHERE pg_catalog.current_setting('server_version_num')::int >= 140000",
	};
	static const char *const local[] = {
		"SET LOCAL search_path = pg_catalog, pg_temp",
		"SET LOCAL TimeZone = 'UTC'",
		"SET LOCAL DateStyle = 'ISO, YMD'",
		"SET LOCAL statement_timeout = 0",
		"SET LOCAL lock_timeout = 0",
		"SET LOCAL idle_in_transaction_session_timeout = 0",
		"SET LOCAL work_mem = '256MB'",
		"SET LOCAL jit = off",
	};
	char got[8];

	for (size_t i = 0; i < sizeof session / sizeof session[0]; i++)
		if (import_exec(run, session[i], "cannot configure the session") < 0)
			return -1;
	if (db_begin(run->conn, IMPORT_WHO) < 0)
		return -1;
	for (size_t i = 0; i < sizeof local / sizeof local[0]; i++)
		if (import_exec(run, local[i], "cannot configure the transaction") < 0)
			return -1;
	if (import_query_value(run, "SELECT pg_catalog.pg_try_advisory_xact_lock_shared(" LOCKS_MIGRATE ")",
	                 got, sizeof got) < 0)
		return -1;
	if (strcmp(got, "t") != 0) {
		import_progress_note(run->progress, "waiting for the todoctl migrate running on this database");
		if (import_exec(run, "SELECT pg_catalog.pg_advisory_xact_lock_shared(" LOCKS_MIGRATE ")",
		                "cannot lock") < 0)
			return -1;
	}
	if (import_query_value(run, "SELECT pg_catalog.pg_try_advisory_xact_lock(" LOCKS_IMPORT ")", got, sizeof got) < 0)
		return -1;
	if (strcmp(got, "t") != 0) {
		import_progress_note(run->progress, "waiting for another todoctl import on this database "
		                     "(or for the server to end the transaction of a killed one)");
		if (import_exec(run, "SELECT pg_catalog.pg_advisory_xact_lock(" LOCKS_IMPORT ")", "cannot lock") < 0)
			return -1;
	}
	return 0;
}

/* Every legacy row counted once: in the file, copied, planned, and in one outcome. */
static int
import_accounting(struct import_run *run)
{
	for (int e = 0; e < IMPORT_NENTITIES; e++) {
		const struct import_counts *c = &run->counts[e];
		long long sum = c->inserted + c->altered + c->existing + c->merged + c->skipped + c->refused + c->blocked;

		if (c->copied != c->in_file || c->staged != c->in_file || sum != c->in_file) {
			fprintf(stderr, IMPORT_WHO ": %s: the rows do not add up: %lld in the file, %lld copied, "
			        "%lld planned, %lld with an outcome\n", import_tables[e].label, c->in_file, c->copied,
			        c->staged, sum);
			return -1;
		}
	}
	return 0;
}

/* Runs the import in its transaction; returns the exit status. The caller rolls back
 * when it is not 0 (and after a dry run). */
static int
import_run(struct import_run *run, const char *target)
{
	struct import_verified verified[IMPORT_NENTITIES];
	long long              refused = 0, blocked = 0, to_insert = 0, existing = 0;

	if (import_begin(run) < 0 || import_copy_all(run) < 0 || import_plan(run) < 0 ||
	    import_report_plan(run, target) < 0 || import_accounting(run) < 0)
		return DB_EXIT_FAILED;
	for (int e = 0; e < IMPORT_NENTITIES; e++) {
		refused += run->counts[e].refused;
		blocked += run->counts[e].blocked;
		to_insert += run->counts[e].inserted + run->counts[e].altered;
		existing += run->counts[e].existing;
	}
	if (refused > 0) {
		import_report_result(run, "refused: %lld rows have problems that no option given resolves "
		                     "(and %lld rows wait on refused users): see the lines marked refused and "
		                     "the problems above; nothing changed", refused, blocked);
		fprintf(stderr, IMPORT_WHO ": refused: %lld rows have problems no option given resolves "
		        "(see the report); nothing changed\n", refused);
		return DB_EXIT_FAILED;
	}
	if (run->opts->dry_run) {
		import_report_result(run, "dry run: the import would insert %lld rows (%lld already imported); "
		                     "nothing changed", to_insert, existing);
		return 0;
	}
	if (to_insert == 0) {
		import_report_result(run, "nothing to import: %lld rows already imported, the others listed "
		                     "above; nothing changed", existing);
		return 0;
	}
	if (import_apply(run, verified) < 0)
		return DB_EXIT_FAILED;
	import_report_verified(run, verified);
	if (import_signal_caught())
		return DB_EXIT_FAILED;
	if (db_commit(run->conn, IMPORT_WHO) < 0)
		return DB_EXIT_FAILED;
	import_report_result(run, "imported: %lld users, %lld tasks, %lld sessions (%lld rows already imported)",
	                     run->counts[IMPORT_USERS].inserted + run->counts[IMPORT_USERS].altered,
	                     run->counts[IMPORT_TASKS].inserted + run->counts[IMPORT_TASKS].altered,
	                     run->counts[IMPORT_SESSIONS].inserted + run->counts[IMPORT_SESSIONS].altered,
	                     existing);
	if (import_signal_caught())
		import_progress_note(run->progress, "a signal came during the commit, too late: the import is committed");
	return 0;
}

int
import_main(int argc, char **argv)
{
	struct import_options opts;
	struct import_run     run;
	char                  target[512];
	int                   rc;
	bool                  committed = false;

	rc = import_parse(argc, argv, &opts);
	if (rc != 0)
		return rc > 0 ? 0 : DB_EXIT_USAGE;
	memset(&run, 0, sizeof run);
	run.opts = &opts;
	run.conn = db_connect(IMPORT_WHO, &rc);
	if (run.conn == NULL)
		return rc;
	rc = DB_EXIT_FAILED;
	run.progress = import_progress_new(opts.quiet);
	if (run.progress == NULL || import_preflight(&run) < 0)
		goto done;
	run.source = import_source_open(opts.source);
	if (run.source == NULL)
		goto done;
	for (int e = 0; e < IMPORT_NENTITIES; e++)
		if ((run.counts[e].in_file = import_source_count(run.source, &import_tables[e])) < 0)
			goto done;
	run.report = opts.report != NULL ? fopen(opts.report, "w") : stdout;
	if (run.report == NULL) {
		perror(opts.report);
		goto done;
	}
	db_describe(run.conn, target, sizeof target);
	import_progress_note(run.progress, "%s -> %s%s", opts.source, target, opts.dry_run ? " (dry run)" : "");
	if (import_signal_install(run.conn) < 0)
		goto done;
	rc = import_run(&run, target);
	committed = rc == 0 && !opts.dry_run && PQtransactionStatus(run.conn) == PQTRANS_IDLE;
	if (!committed) {
		int signo = import_signal_caught();

		db_rollback(run.conn);
		if (signo != 0) {
			rc = DB_EXIT_FAILED;
			import_report_result(&run, "interrupted by signal %d (%s): rolled back, nothing changed", signo,
			                     strsignal(signo));
			fprintf(stderr, IMPORT_WHO ": interrupted by %s: rolled back, nothing changed\n", strsignal(signo));
		} else if (rc != 0 && run.result_written) {
			/* refused: said so already */
		} else if (rc != 0 && PQstatus(run.conn) == CONNECTION_OK) {
			import_report_result(&run, "failed: rolled back, nothing changed");
			fprintf(stderr, IMPORT_WHO ": failed: rolled back, nothing changed\n");
		} else if (rc != 0) {
			if (!run.result_written)
				import_report_result(&run, "failed: the connection is lost; nothing was committed");
			fprintf(stderr, IMPORT_WHO ": failed: the connection is lost; the server rolls back "
			        "what was not committed, so nothing changed\n");
		}
	}
	import_signal_remove();
done:
	if (run.report != NULL && run.report != stdout)
		fclose(run.report);
	import_source_close(run.source);
	import_progress_free(run.progress);
	PQfinish(run.conn);
	return rc;
}
