/* import_apply.c - the plan's rows into the todo tables, and the proof they arrived intact. */
#include "import_apply.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "import_progress.h"
#include "import_signal.h"
#include "sql.h"

static const char *const apply_targets[IMPORT_NENTITIES][2] = {
	{"todo.users", "import_user"},
	{"todo.tasks", "import_task"},
	{"todo.sessions", "import_session"},
};

/* Inserts the rows of entity e with ord in (lo, hi]; their number, or -1 after printing why. */
static long long
apply_batch(struct import_run *run, int e, long long lo, long long hi)
{
	char        slo[24], shi[24];
	const char *params[4] = {apply_targets[e][0], apply_targets[e][1], slo, shi};
	PGresult   *res;
	long long   n = -1;

	if (import_signal_caught())
		return -1;
	snprintf(slo, sizeof slo, "%lld", lo);
	snprintf(shi, sizeof shi, "%lld", hi);
	res = import_query(run, "SELECT pg_temp.import_insert($1::regclass, $2::regclass, $3, $4)", 4, params);
	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1)
		n = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	else if (!import_signal_caught())
		db_report(run->conn, res, IMPORT_WHO, "the insert failed");
	PQclear(res);
	return n;
}

/* The highest ord of entity e's staged rows (0 when none). */
static long long
apply_last_ord(struct import_run *run, int e)
{
	char      sql[128];
	PGresult *res;
	long long n = -1;

	snprintf(sql, sizeof sql, "SELECT coalesce(max(ord), 0) FROM %s", apply_targets[e][1]);
	res = import_query(run, sql, 0, NULL);
	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1)
		n = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	else if (!import_signal_caught())
		db_report(run->conn, res, IMPORT_WHO, "cannot read the plan");
	PQclear(res);
	return n;
}

static int
apply_entity(struct import_run *run, int e)
{
	const struct import_counts *c = &run->counts[e];
	long long                   total = c->inserted + c->altered;
	long long                   last = apply_last_ord(run, e);
	long long                   done = 0;
	long long                   batch = e == IMPORT_TASKS ? run->opts->batch_rows : last;
	char                        what[64];

	if (last < 0)
		return -1;
	snprintf(what, sizeof what, "inserting %s", import_tables[e].label);
	import_progress_start(run->progress, what, total);
	for (long long lo = 0; lo < last; lo += batch) {
		long long n = apply_batch(run, e, lo, lo + batch < last ? lo + batch : last);

		if (n < 0)
			return -1;
		done += n;
		import_progress_update(run->progress, done);
	}
	import_progress_end(run->progress, done);
	if (done != total) {
		fprintf(stderr, IMPORT_WHO ": %s: %lld rows inserted, the plan has %lld\n",
		        import_tables[e].label, done, total);
		return -1;
	}
	return 0;
}

static int
apply_verify(struct import_run *run, int e, struct import_verified *v)
{
	const char *params[2] = {apply_targets[e][0], apply_targets[e][1]};
	PGresult   *res;

	if (import_signal_caught())
		return -1;
	res = import_query(run, "SELECT source_rows, source_sum, target_rows, target_sum "
	                   "FROM pg_temp.import_verify($1::regclass, $2::regclass)", 2, params);
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
		if (!import_signal_caught())
			db_report(run->conn, res, IMPORT_WHO, "the verification failed");
		PQclear(res);
		return -1;
	}
	v->source_rows = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	snprintf(v->source_sum, sizeof v->source_sum, "%s", PQgetvalue(res, 0, 1));
	v->target_rows = strtoll(PQgetvalue(res, 0, 2), NULL, 10);
	snprintf(v->target_sum, sizeof v->target_sum, "%s", PQgetvalue(res, 0, 3));
	PQclear(res);
	if (v->source_rows != v->target_rows || strcmp(v->source_sum, v->target_sum) != 0 ||
	    v->source_rows != run->counts[e].inserted + run->counts[e].altered) {
		fprintf(stderr, IMPORT_WHO ": verification failed for %s: source (after normalization) %lld rows, "
		        "checksum %s; target %lld rows, checksum %s; the plan inserts %lld\n",
		        import_tables[e].label, v->source_rows, v->source_sum, v->target_rows, v->target_sum,
		        run->counts[e].inserted + run->counts[e].altered);
		return -1;
	}
	return 0;
}

int
import_apply(struct import_run *run, struct import_verified verified[IMPORT_NENTITIES])
{
	if (import_exec(run, sql_import_apply, "cannot load the importer's SQL (import_apply.sql)") < 0)
		return -1;
	for (int e = 0; e < IMPORT_NENTITIES; e++)
		if (apply_entity(run, e) < 0)
			return -1;
	import_progress_start(run->progress, "verifying counts and checksums", 0);
	for (int e = 0; e < IMPORT_NENTITIES; e++)
		if (apply_verify(run, e, &verified[e]) < 0)
			return -1;
	import_progress_end(run->progress, 0);
	return 0;
}
