/* import_source.h - the legacy SQLite file, opened read-only and never written. */
#ifndef TODOCTL_IMPORT_SOURCE_H
#define TODOCTL_IMPORT_SOURCE_H

#include <sqlite3.h>

#include "import_rows.h"

struct import_source;

/*
 * Opens the SQLite file at path read-only and immutable (SQLITE_OPEN_READONLY, URI
 * "file:...?mode=ro&immutable=1": SQLite takes no lock and writes nothing, not even a
 * journal). Refuses, saying why, a path that is not a regular file, and a file with a
 * non-empty -wal or -journal beside it: an immutable open would not see what those hold.
 * Then checks the legacy schema: the three tables, each with its columns, id its INTEGER
 * PRIMARY KEY, and no column the importer would not carry. Returns NULL after printing why.
 */
struct import_source *import_source_open(const char *path);

void import_source_close(struct import_source *src);

/* The number of rows of t, or -1 after printing why. */
long long import_source_count(struct import_source *src, const struct import_table *t);

/*
 * A statement reading every row of t by id: its columns but the unused ones, in order.
 * NULL after printing why. The caller steps it and finalizes it (sqlite3_finalize).
 */
sqlite3_stmt *import_source_select(struct import_source *src, const struct import_table *t);

/* The message of the last SQLite error on src. */
const char *import_source_error(struct import_source *src);

/* The tables of the file other than the three, comma-separated ("" when none): not
 * imported, named in the report. */
const char *import_source_other_tables(struct import_source *src);

#endif
