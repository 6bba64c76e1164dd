/* import_run.h - one run of todoctl import: its options, and what the steps share (the
 * calls that run SQL: import_run.c). */
#ifndef TODOCTL_IMPORT_RUN_H
#define TODOCTL_IMPORT_RUN_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdio.h>

#include "import_rows.h"
#include "import_who.h"

/* The ways out (docs/import.md): the option names, as sql/import_decide.sql knows them. */
#define IMPORT_MAX_WAYS_OUT 8

struct import_options {
	const char *source;                          /* the legacy file */
	bool        dry_run;                         /* --dry-run: report, change nothing */
	const char *report;                          /* --report FILE, or NULL: stdout */
	bool        quiet;                           /* --quiet: no progress, no phase lines */
	long        batch_rows;                      /* --batch-rows: tasks per INSERT */
	const char *ways_out[IMPORT_MAX_WAYS_OUT];   /* the chosen ones: "--skip-orphans", ... */
	int         nways_out;
};

/* Rows of one legacy table by outcome (sql/import_report.sql, pg_temp.import_counts). */
struct import_counts {
	long long in_file;     /* counted in SQLite */
	long long copied;      /* COPY's count */
	long long staged;      /* rows of the plan */
	long long inserted;    /* new, imported as is or with the documented normalizations */
	long long altered;     /* new, imported with a change an option chose */
	long long existing;    /* imported by an earlier run */
	long long merged;      /* users merged into another */
	long long skipped;
	long long refused;     /* a problem no option given resolves */
	long long blocked;     /* tasks and sessions of refused users */
};

struct import_progress;
struct import_source;

struct import_run {
	const struct import_options *opts;
	PGconn                      *conn;
	struct import_source        *source;
	struct import_progress      *progress;
	FILE                        *report;
	bool                         result_written;   /* the report's last line is out */
	struct import_counts         counts[IMPORT_NENTITIES];
};

/*
 * Runs sql like PQexecParams (PQexec when nparams is 0: several statements allowed),
 * waiting for the server with poll so that the progress line keeps ticking and a signal
 * interrupts the wait. Returns the last result, or the first error (the caller PQclears
 * it); NULL when the query could not be sent (PQresultStatus(NULL) is a fatal error).
 */
PGresult *import_query(struct import_run *run, const char *sql, int nparams, const char *const *params);

/* Runs sql (no parameters; several statements allowed), its rows ignored; 0, or -1 after
 * printing the error with what. Runs nothing once a signal has come (import_signal.h). */
int import_exec(struct import_run *run, const char *sql, const char *what);

#endif
