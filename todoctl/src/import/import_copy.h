/* import_copy.h - the legacy rows into temporary staging tables, by COPY FROM STDIN. */
#ifndef TODOCTL_IMPORT_COPY_H
#define TODOCTL_IMPORT_COPY_H

#include "import_run.h"

/*
 * Creates the staging table of each legacy table (import_rows_staging_ddl) and streams
 * its rows into it with COPY FROM STDIN in text format: one SQLite row read, formatted
 * and sent at a time, through a buffer of a fixed size, so memory does not grow with the
 * file. Sets run->counts[].copied from COPY's own count. A signal ends the COPY with an
 * error (PQputCopyEnd). 0, or -1 after printing why.
 */
int import_copy_all(struct import_run *run);

#endif
