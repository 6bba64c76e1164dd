/* import_rows.h - the legacy format: its tables and columns, and one row as a COPY line. */
#ifndef TODOCTL_IMPORT_ROWS_H
#define TODOCTL_IMPORT_ROWS_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>

/*
 * How a legacy column is read. What the importer does to a value here is specific to the
 * old format (docs/import.md, "Normalizations"); every rule of today's schema is applied
 * by the database afterwards. A value that cannot be read as its kind is staged as NULL
 * with the text found in the column's "_raw" twin, so the database can say why.
 */
enum import_column_kind {
	IMPORT_COL_ID,          /* INTEGER PRIMARY KEY: bigint */
	IMPORT_COL_REF,         /* an id of another table (user_id): bigint, else _raw */
	IMPORT_COL_TEXT,        /* text as stored */
	IMPORT_COL_TIMESTAMP,   /* naive UTC or ISO 8601: timestamptz, else _raw */
	IMPORT_COL_DUE,         /* the same, but blank ('' or spaces) is NULL: due_date */
	IMPORT_COL_BOOL,        /* 0 or 1: boolean, else _raw */
	IMPORT_COL_TAGS,        /* comma-separated as typed: text[] of its items */
	IMPORT_COL_UNUSED       /* must exist, never read (session.token) */
};

struct import_column {
	const char             *name;
	enum import_column_kind kind;
};

struct import_table {
	const char                 *legacy;    /* its SQLite table: "user" */
	const char                 *staging;   /* the temporary table it is copied into */
	const char                 *label;     /* "users", for messages */
	const struct import_column *columns;
	int                         ncolumns;
};

enum import_entity { IMPORT_USERS, IMPORT_TASKS, IMPORT_SESSIONS, IMPORT_NENTITIES };

extern const struct import_table import_tables[IMPORT_NENTITIES];

/*
 * Bits of the staging column "notes": what C normalized in the row, for the report's
 * counts (the SQL of sql/import_normalize.sql reads the same values).
 */
#define IMPORT_NOTE_DUE_BLANK     0x01   /* due_date '' or spaces: NULL */
#define IMPORT_NOTE_DUE_NAIVE     0x02   /* due_date without an offset: taken as UTC */
#define IMPORT_NOTE_DUE_OFFSET    0x04   /* due_date with an offset other than Z: converted */
#define IMPORT_NOTE_DUE_DATE      0x08   /* due_date a date alone: midnight UTC */
#define IMPORT_NOTE_TAGS_EMPTY    0x10   /* empty items of tags (',,') dropped */

/* A growable byte buffer; owns data. */
struct import_buf {
	char  *data;
	size_t len;
	size_t cap;
};

/* Appends n bytes; false when out of memory (the buffer is left as it was). */
bool import_buf_add(struct import_buf *buf, const char *s, size_t n);
void import_buf_free(struct import_buf *buf);

/*
 * The CREATE TEMP TABLE statement of t's staging table into buf: each column in its
 * staged type, a _raw text twin for the kinds that have one, then "notes" (the bits
 * above) and "unreadable" (the columns whose value was not UTF-8 text). False when out
 * of memory.
 */
bool import_rows_staging_ddl(const struct import_table *t, struct import_buf *buf);

/* The column list of COPY into t's staging table ("id, user_id, user_id_raw, ..."). */
bool import_rows_copy_columns(const struct import_table *t, struct import_buf *buf);

/*
 * Appends the current row of st (a statement from import_source_select over t's columns
 * but the unused ones, in order) to buf as one line of COPY's text format. scratch is the
 * caller's work space (reused from row to row). False when out of memory.
 */
bool import_rows_format(const struct import_table *t, sqlite3_stmt *st, struct import_buf *buf,
                        struct import_buf *scratch);

/* What a legacy timestamp looked like. */
enum import_ts_form {
	IMPORT_TS_INVALID,   /* none of the below: left to the database's todo.parse_timestamp */
	IMPORT_TS_DATE,      /* YYYY-MM-DD: midnight UTC, as the API reads it */
	IMPORT_TS_NAIVE,     /* no offset: UTC, as the old app wrote it */
	IMPORT_TS_UTC,       /* Z or +00:00 */
	IMPORT_TS_OFFSET     /* another offset: converted to UTC by the database */
};

#define IMPORT_TS_MAX 64   /* out's size for import_rows_timestamp */

/*
 * Parses a legacy timestamp of len bytes: YYYY-MM-DD, or YYYY-MM-DD[Tt ]HH:MM:SS[.digits]
 * with an optional Z or +HH:MM/-HH:MM; spaces around it are dropped; the date and time
 * are checked against the calendar. Writes into out (IMPORT_TS_MAX bytes) the value as
 * PostgreSQL reads it with its zone explicit ("2026-03-01 10:00:00+00"); returns its form.
 */
enum import_ts_form import_rows_timestamp(const char *s, size_t len, char *out);

#endif
