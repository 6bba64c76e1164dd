/* import_plan.c - what becomes of each staged row: today's form, today's rules, the options. */
#include "import_plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "import_progress.h"
#include "import_signal.h"
#include "sql.h"

/* The options chosen as a text[] literal ("{--skip-orphans,...}") into out. */
static void
plan_ways_out(const struct import_options *opts, char *out, size_t len)
{
	size_t o = (size_t) snprintf(out, len, "{");

	for (int i = 0; i < opts->nways_out && o < len; i++)
		o += (size_t) snprintf(out + o, len - o, "%s%s", i > 0 ? "," : "", opts->ways_out[i]);
	if (o < len)
		snprintf(out + o, len - o, "}");
}

/* One step of the plan: a phase of the progress, and its statements in order, each given
 * the chosen options as $1 when it names $1. */
struct plan_step {
	const char *what;
	const char *sql[4];
};

static const struct plan_step plan_steps[] = {
	{"normalizing users", {"SELECT pg_temp.import_users()"}},
	{"checking users", {
		"SELECT pg_temp.import_check_rules('user', 'todo.users', 'import_user', 'invalid-user')",
		"SELECT pg_temp.import_decide('user', 'import_user', $1::text[])",
		"SELECT pg_temp.import_owners()"}},
	{"normalizing tasks", {"SELECT pg_temp.import_tasks()"}},
	{"checking tasks", {
		"SELECT pg_temp.import_check_rules('task', 'todo.tasks', 'import_task', 'invalid-task')",
		"SELECT pg_temp.import_decide('task', 'import_task', $1::text[])"}},
	{"normalizing and checking sessions", {
		"SELECT pg_temp.import_sessions()",
		"SELECT pg_temp.import_check_rules('session', 'todo.sessions', 'import_session', 'invalid-session')",
		"SELECT pg_temp.import_decide('session', 'import_session', $1::text[])"}},
};

static int
plan_run_step(struct import_run *run, const struct plan_step *step, const char *ways_out, bool merge)
{
	import_progress_start(run->progress, step->what, 0);
	for (int i = 0; i < 4 && step->sql[i] != NULL; i++) {
		const char *params[1] = {ways_out};
		bool        takes = strstr(step->sql[i], "$1") != NULL;
		PGresult   *res;

		if (import_signal_caught())
			return -1;
		res = import_query(run, step->sql[i], takes ? 1 : 0, params);
		if (PQresultStatus(res) != PGRES_TUPLES_OK) {
			if (!import_signal_caught())
				db_report(run->conn, res, IMPORT_WHO, step->what);
			PQclear(res);
			return -1;
		}
		PQclear(res);
		/* --merge-duplicate-emails: right after the users are normalized, before the checks */
		if (merge && i == 0 && step == &plan_steps[0] &&
		    import_exec(run, "SELECT pg_temp.import_merge_users()", "merging users") < 0)
			return -1;
	}
	import_progress_end(run->progress, 0);
	return 0;
}

/* Reads pg_temp.import_counts into run->counts. */
static int
plan_counts(struct import_run *run)
{
	PGresult *res = import_query(run, "SELECT staged, inserted, altered, existing, merged, skipped, "
	                             "refused, blocked FROM pg_temp.import_counts()", 0, NULL);

	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != IMPORT_NENTITIES) {
		db_report(run->conn, res, IMPORT_WHO, "cannot count the plan's rows");
		PQclear(res);
		return -1;
	}
	for (int e = 0; e < IMPORT_NENTITIES; e++) {
		struct import_counts *c = &run->counts[e];
		long long            *fields[] = {&c->staged, &c->inserted, &c->altered, &c->existing,
		                                  &c->merged, &c->skipped, &c->refused, &c->blocked};

		for (int f = 0; f < (int) (sizeof fields / sizeof fields[0]); f++)
			*fields[f] = strtoll(PQgetvalue(res, e, f), NULL, 10);
	}
	PQclear(res);
	return 0;
}

int
import_plan(struct import_run *run)
{
	char ways_out[512];
	bool merge = false;

	plan_ways_out(run->opts, ways_out, sizeof ways_out);
	for (int i = 0; i < run->opts->nways_out; i++)
		merge = merge || strcmp(run->opts->ways_out[i], "--merge-duplicate-emails") == 0;

	if (import_exec(run, sql_import_normalize, "cannot load the importer's SQL (import_normalize.sql)") < 0 ||
	    import_exec(run, sql_import_check, "cannot load the importer's SQL (import_check.sql)") < 0 ||
	    import_exec(run, sql_import_decide, "cannot load the importer's SQL (import_decide.sql)") < 0)
		return -1;

	for (size_t i = 0; i < sizeof plan_steps / sizeof plan_steps[0]; i++)
		if (plan_run_step(run, &plan_steps[i], ways_out, merge) < 0)
			return -1;

	if (import_exec(run, sql_import_report, "cannot load the importer's SQL (import_report.sql)") < 0)
		return -1;
	return plan_counts(run);
}
