/* import_report.h - the import's report: what became of every row, and why. */
#ifndef TODOCTL_IMPORT_REPORT_H
#define TODOCTL_IMPORT_REPORT_H

#include "import_apply.h"
#include "import_run.h"

/*
 * The report (docs/import.md, "The report"), to run->report: a header (source, target,
 * mode, options), one tab-separated line per row that is not imported as is or with the
 * documented normalizations (streamed from the database with COPY, so a report of a
 * million lines takes no memory), then the summary: counts by table and outcome, the
 * normalizations made, the problems by kind with their ways out. Read from the plan's
 * temporary tables, so before the transaction ends. 0, or -1 after printing why.
 */
int import_report_plan(struct import_run *run, const char *target);

/* The verification's figures, after the inserts. */
void import_report_verified(struct import_run *run, const struct import_verified verified[IMPORT_NENTITIES]);

/* The last line: the result ("imported", "dry run", "refused: ..."). */
void import_report_result(struct import_run *run, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
