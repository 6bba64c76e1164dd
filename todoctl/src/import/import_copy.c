/* import_copy.c - the legacy rows into temporary staging tables, by COPY FROM STDIN. */
#include "import_copy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "import_progress.h"
#include "import_signal.h"
#include "import_source.h"

#define COPY_FLUSH_BYTES (256 * 1024)   /* sent to the server when the buffer holds this much */

/* Sends buf's bytes as COPY data and empties it. 0, or -1 after printing why. */
static int
copy_send(struct import_run *run, struct import_buf *buf)
{
	if (buf->len == 0)
		return 0;
	if (PQputCopyData(run->conn, buf->data, (int) buf->len) != 1) {
		db_report(run->conn, NULL, IMPORT_WHO, "COPY failed");
		return -1;
	}
	buf->len = 0;
	return 0;
}

/*
 * Ends the COPY: with an error message (the server aborts it) when why is not NULL.
 * Returns COPY's row count, or -1 after printing why it failed.
 */
static long long
copy_end(struct import_run *run, const char *why)
{
	PGresult *res;
	long long n = -1;

	if (PQputCopyEnd(run->conn, why) != 1) {
		db_report(run->conn, NULL, IMPORT_WHO, "COPY failed");
		return -1;
	}
	while ((res = PQgetResult(run->conn)) != NULL) {
		if (PQresultStatus(res) == PGRES_COMMAND_OK && why == NULL)
			n = strtoll(PQcmdTuples(res), NULL, 10);
		else if (why == NULL)
			db_report(run->conn, res, IMPORT_WHO, "COPY failed");
		PQclear(res);
	}
	return n;
}

/* One legacy table into its staging table. */
static int
copy_table(struct import_run *run, const struct import_table *t, struct import_counts *counts)
{
	struct import_buf line = {0}, scratch = {0}, sql = {0};
	sqlite3_stmt     *st = NULL;
	PGresult         *res;
	long long         rows = 0;
	char              what[64];
	const char       *failure = NULL;
	int               step;

	if (!import_buf_add(&sql, "COPY ", 5) || !import_buf_add(&sql, t->staging, strlen(t->staging)) ||
	    !import_buf_add(&sql, " (", 2) || !import_rows_copy_columns(t, &sql) ||
	    !import_buf_add(&sql, ") FROM STDIN", 12)) {
		fprintf(stderr, IMPORT_WHO ": out of memory\n");
		import_buf_free(&sql);
		return -1;
	}
	st = import_source_select(run->source, t);
	if (st == NULL) {
		import_buf_free(&sql);
		return -1;
	}
	res = PQexec(run->conn, sql.data);
	import_buf_free(&sql);
	if (PQresultStatus(res) != PGRES_COPY_IN) {
		db_report(run->conn, res, IMPORT_WHO, "cannot start the COPY");
		PQclear(res);
		sqlite3_finalize(st);
		return -1;
	}
	PQclear(res);

	snprintf(what, sizeof what, "copying %s", t->label);
	import_progress_start(run->progress, what, counts->in_file);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if (import_signal_caught()) {
			failure = "interrupted";
			break;
		}
		if (!import_rows_format(t, st, &line, &scratch)) {
			failure = "out of memory";
			break;
		}
		rows++;
		if (line.len >= COPY_FLUSH_BYTES && copy_send(run, &line) < 0) {
			failure = "the COPY failed";
			break;
		}
		if ((rows & 1023) == 0)
			import_progress_update(run->progress, rows);
	}
	/* every break sets failure: without one, the loop ended on SQLITE_DONE or an error */
	if (failure == NULL && step != SQLITE_DONE) {
		fprintf(stderr, IMPORT_WHO ": cannot read table %s: %s\n", t->legacy,
		        import_source_error(run->source));
		failure = "the legacy file cannot be read";
	}
	if (failure == NULL && copy_send(run, &line) < 0)
		failure = "the COPY failed";
	if (failure == NULL) {
		counts->copied = copy_end(run, NULL);
	} else {
		if (strcmp(failure, "out of memory") == 0)
			fprintf(stderr, IMPORT_WHO ": out of memory\n");
		copy_end(run, failure);
		counts->copied = -1;
	}
	sqlite3_finalize(st);
	import_buf_free(&line);
	import_buf_free(&scratch);
	if (counts->copied < 0)
		return -1;
	import_progress_end(run->progress, counts->copied);
	return 0;
}

int
import_copy_all(struct import_run *run)
{
	for (int e = 0; e < IMPORT_NENTITIES; e++) {
		const struct import_table *t = &import_tables[e];
		struct import_buf          ddl = {0};
		int                        rc;

		if (!import_rows_staging_ddl(t, &ddl)) {
			fprintf(stderr, IMPORT_WHO ": out of memory\n");
			return -1;
		}
		rc = import_exec(run, ddl.data, "cannot create a staging table");
		import_buf_free(&ddl);
		if (rc < 0 || copy_table(run, t, &run->counts[e]) < 0)
			return -1;
	}
	/* the plan's joins are planned with real row counts */
	return import_exec(run, "ANALYZE legacy_user, legacy_task, legacy_session", "cannot analyze the staging tables");
}
