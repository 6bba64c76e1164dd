/* import_report.c - the import's report: what became of every row, and why. */
#include "import_report.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "import_source.h"

/* Writes a COPY text line (values already escaped by COPY: tab, newline, backslash) with
 * any other control byte written \xNN, so a report never carries a raw escape sequence. */
static void
report_copy_line(FILE *out, const char *s, int n)
{
	for (int i = 0; i < n; i++) {
		unsigned char c = (unsigned char) s[i];

		if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7F)
			fprintf(out, "\\x%02X", c);
		else
			fputc(c, out);
	}
}

/* Streams the result of a COPY ... TO STDOUT query into the report. */
static int
report_copy(struct import_run *run, const char *sql)
{
	PGresult *res = PQexec(run->conn, sql);
	char     *line;
	int       n;
	int       rc = 0;

	if (PQresultStatus(res) != PGRES_COPY_OUT) {
		db_report(run->conn, res, IMPORT_WHO, "cannot read the report");
		PQclear(res);
		return -1;
	}
	PQclear(res);
	while ((n = PQgetCopyData(run->conn, &line, 0)) > 0) {
		report_copy_line(run->report, line, n);
		PQfreemem(line);
	}
	if (n == -2)
		rc = -1;
	while ((res = PQgetResult(run->conn)) != NULL) {
		if (PQresultStatus(res) != PGRES_COMMAND_OK) {
			db_report(run->conn, res, IMPORT_WHO, "cannot read the report");
			rc = -1;
		}
		PQclear(res);
	}
	return rc;
}

/* ", 3 skipped" when n is not 0 (always when force). */
static void
report_count(FILE *out, long long n, const char *what, bool force)
{
	if (n != 0 || force)
		fprintf(out, ", %lld %s", n, what);
}

static void
report_summary_counts(struct import_run *run)
{
	for (int e = 0; e < IMPORT_NENTITIES; e++) {
		const struct import_counts *c = &run->counts[e];

		fprintf(run->report, "%s: %lld in file: %lld new", import_tables[e].label, c->in_file,
		        c->inserted + c->altered);
		if (c->altered > 0)
			fprintf(run->report, " (%lld altered by an option)", c->altered);
		report_count(run->report, c->existing, "already imported", true);
		report_count(run->report, c->merged, "merged into another user", false);
		report_count(run->report, c->skipped, "skipped", false);
		report_count(run->report, c->refused, "refused", false);
		report_count(run->report, c->blocked, "waiting on a refused user", false);
		fputc('\n', run->report);
	}
}

/* Prints each row of a query as "prefix: col1: col2 ...", formatted by fmt of the row. */
static int
report_rows(struct import_run *run, const char *sql, void (*print)(FILE *, PGresult *, int))
{
	PGresult *res = import_query(run, sql, 0, NULL);

	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		db_report(run->conn, res, IMPORT_WHO, "cannot read the report");
		PQclear(res);
		return -1;
	}
	for (int i = 0; i < PQntuples(res); i++)
		print(run->report, res, i);
	PQclear(res);
	return 0;
}

static void
report_normalization(FILE *out, PGresult *res, int i)
{
	const char *rows = PQgetvalue(res, i, 1);

	fprintf(out, "normalized: %s (%s row%s)\n", PQgetvalue(res, i, 0), rows, strcmp(rows, "1") == 0 ? "" : "s");
}

static void
report_problem_kind(FILE *out, PGresult *res, int i)
{
	const char *rows = PQgetvalue(res, i, 2), *problems = PQgetvalue(res, i, 3);

	fprintf(out, "problem: %s: %s row%s %s (%s problem%s; way out: %s)\n", PQgetvalue(res, i, 0), rows,
	        strcmp(rows, "1") == 0 ? "" : "s", PQgetvalue(res, i, 1), problems,
	        strcmp(problems, "1") == 0 ? "" : "s", PQgetvalue(res, i, 4));
}

int
import_report_plan(struct import_run *run, const char *target)
{
	FILE *out = run->report;

	fprintf(out, "# todoctl import report\n");
	fprintf(out, "# source: %s (%lld users, %lld tasks, %lld sessions)\n", run->opts->source,
	        run->counts[IMPORT_USERS].in_file, run->counts[IMPORT_TASKS].in_file,
	        run->counts[IMPORT_SESSIONS].in_file);
	if (*import_source_other_tables(run->source) != '\0')
		fprintf(out, "# not imported, not part of the old app's schema: table %s\n",
		        import_source_other_tables(run->source));
	fprintf(out, "# target: %s\n", target);
	fprintf(out, "# mode: %s\n", run->opts->dry_run ? "dry run (nothing is written)" : "import");
	fprintf(out, "# options:");
	for (int i = 0; i < run->opts->nways_out; i++)
		fprintf(out, " %s", run->opts->ways_out[i]);
	fprintf(out, "%s\n", run->opts->nways_out == 0 ? " none" : "");
	fprintf(out, "# table\tlegacy_id\toutcome\tkind\tfield\tdetail\n");
	fflush(out);
	if (report_copy(run, "COPY (SELECT * FROM import_report_lines) TO STDOUT") < 0)
		return -1;
	fprintf(out, "# summary\n");
	report_summary_counts(run);
	if (report_rows(run, "SELECT what, rows FROM pg_temp.import_normalizations()", report_normalization) < 0 ||
	    report_rows(run, "SELECT kind, outcome, rows, problems, way_out FROM pg_temp.import_problem_kinds()",
	                report_problem_kind) < 0)
		return -1;
	fflush(out);
	return 0;
}

void
import_report_verified(struct import_run *run, const struct import_verified verified[IMPORT_NENTITIES])
{
	for (int e = 0; e < IMPORT_NENTITIES; e++)
		fprintf(run->report, "verified: %s: source (after normalization) %lld rows, checksum %s; "
		        "target %lld rows, checksum %s\n", import_tables[e].label, verified[e].source_rows,
		        verified[e].source_sum, verified[e].target_rows, verified[e].target_sum);
	fflush(run->report);
}

void
import_report_result(struct import_run *run, const char *fmt, ...)
{
	va_list ap;

	if (run->report == NULL)
		return;
	run->result_written = true;
	fputs("result: ", run->report);
	va_start(ap, fmt);
	vfprintf(run->report, fmt, ap);
	va_end(ap);
	fputc('\n', run->report);
	fflush(run->report);
}
