/* import_apply.h - the plan's rows into the todo tables, and the proof they arrived intact. */
#ifndef TODOCTL_IMPORT_APPLY_H
#define TODOCTL_IMPORT_APPLY_H

#include "import_run.h"

/* What the verification found for one table: the rows to insert as staged (source,
 * after normalization) and as the target holds them, each a count and a checksum. */
struct import_verified {
	long long source_rows;
	long long target_rows;
	char      source_sum[48];
	char      target_sum[48];
};

/*
 * Inserts the rows the plan imports (users, then tasks in batches of opts->batch_rows
 * with progress, then sessions), in the caller's transaction; then computes, for each
 * table, the count and content checksum of the rows as staged and as inserted
 * (sql/import_apply.sql) into verified. 0 when every pair is equal and the counts are the
 * plan's; -1 after printing why otherwise (the caller rolls back).
 */
int import_apply(struct import_run *run, struct import_verified verified[IMPORT_NENTITIES]);

#endif
