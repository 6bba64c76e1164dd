/*
 * todoctl_import.c - todoctl import's reading of the legacy SQLite file
 * (todoctl/src/import/import_source.c: open read-only and immutable, the schema checks,
 * the per-table SELECT; import_rows.c: each row as a line of COPY text, timestamps).
 *
 * Input: a flags byte choosing the schema (the old app's, or one with an extra column, an
 * id that is not the INTEGER PRIMARY KEY, a missing column, an extra table), then rows:
 * a byte naming the table, then for each of its columns a value of any storage class
 * (NULL, integer, real, text or blob of any bytes). They are written to a fresh file with
 * SQLite, which the importer then opens.
 * Properties: the file opens exactly when its schema is the old app's; the count and the
 * rows read are those written, in id order; every row is one line of COPY text: valid
 * UTF-8 without NUL or raw newline, only COPY's escapes, one field per staging column;
 * a timestamp the parser accepts is written in the one form PostgreSQL reads back.
 * FUZZ_VERBOSE=1 shows the importer's messages (hidden otherwise: it explains every
 * refusal).
 */
#include <fcntl.h>
#include <stdbool.h>
#include <unistd.h>

#include <sqlite3.h>

#include "fuzz.h"
#include "import_rows.h"
#include "import_source.h"

#define SCHEMA_EXTRA_COLUMN 0x01
#define SCHEMA_TEXT_ID      0x02
#define SCHEMA_NO_TAGS      0x04
#define SCHEMA_OTHER_TABLE  0x08

static char dir[64];
static char path[4096];
static bool verbose;

static void
remove_dir(void)
{
	unlink(path);
	rmdir(dir);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";

	(void) argc;
	(void) argv;
	snprintf(dir, sizeof dir, "%s/todoctl-fuzz-XXXXXX", base);
	FUZZ_CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof path, "%s/todo_app.db", dir);
	verbose = getenv("FUZZ_VERBOSE") != NULL;
	atexit(remove_dir);
	return 0;
}

/* the old app's schema without its constraints, so that any value can be stored */
static void
create_schema(sqlite3 *db, int flags)
{
	char sql[2048];

	snprintf(sql, sizeof sql,
	         "CREATE TABLE user (id %s PRIMARY KEY, username VARCHAR(30), email VARCHAR(255),"
	         " hashed_password VARCHAR(255), created_at DATETIME, updated_at DATETIME);"
	         "CREATE TABLE task (id INTEGER PRIMARY KEY, user_id INTEGER, title VARCHAR(200),"
	         " description VARCHAR, due_date VARCHAR(50), priority VARCHAR(6), %s"
	         " recursion_pattern VARCHAR(100), completed BOOLEAN, created_at DATETIME,"
	         " updated_at DATETIME %s);"
	         "CREATE TABLE session (id INTEGER PRIMARY KEY, user_id INTEGER,"
	         " token_jti VARCHAR(255), token VARCHAR(255), expires_at DATETIME,"
	         " revoked BOOLEAN, created_at DATETIME);%s",
	         flags & SCHEMA_TEXT_ID ? "TEXT" : "INTEGER",
	         flags & SCHEMA_NO_TAGS ? "" : "tags VARCHAR,",
	         flags & SCHEMA_EXTRA_COLUMN ? ", extra TEXT" : "",
	         flags & SCHEMA_OTHER_TABLE ? "CREATE TABLE notes (x);" : "");
	FUZZ_CHECK(sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK);
}

/* Binds one value from the input at *p; false when the input is used up. */
static bool
bind_value(sqlite3_stmt *st, int col, const uint8_t **p, const uint8_t *end)
{
	uint8_t kind;
	size_t  n;

	if (*p >= end)
		return false;
	kind = *(*p)++;
	switch (kind % 5) {
	case 0:
		return sqlite3_bind_null(st, col) == SQLITE_OK;
	case 1:
	case 2: {
		int64_t i = 0;
		double  d;

		n = (size_t) (end - *p) < 8 ? (size_t) (end - *p) : 8;
		memcpy(&i, *p, n);
		*p += n;
		if (kind % 5 == 1)
			return sqlite3_bind_int64(st, col, kind & 0x80 ? (int64_t) (int8_t) i : i) == SQLITE_OK;
		memcpy(&d, &i, sizeof d);
		return sqlite3_bind_double(st, col, d) == SQLITE_OK;
	}
	default:
		n = *p < end ? *(*p)++ : 0;
		n = n <= (size_t) (end - *p) ? n : (size_t) (end - *p);
		if (kind % 5 == 3)
			FUZZ_CHECK(sqlite3_bind_text(st, col, (const char *) *p, (int) n, SQLITE_TRANSIENT) == SQLITE_OK);
		else
			FUZZ_CHECK(sqlite3_bind_blob(st, col, *p, (int) n, SQLITE_TRANSIENT) == SQLITE_OK);
		*p += n;
		return true;
	}
}

/* Writes the rows of the input; the number of rows of each table in counts. */
static void
write_file(const uint8_t *p, const uint8_t *end, int flags, long long counts[IMPORT_NENTITIES])
{
	sqlite3 *db;

	unlink(path);
	FUZZ_CHECK(sqlite3_open(path, &db) == SQLITE_OK);
	/* a scratch file: no journal, no sync */
	FUZZ_CHECK(sqlite3_exec(db, "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF", NULL, NULL,
	                        NULL) == SQLITE_OK);
	create_schema(db, flags);
	FUZZ_CHECK(sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK);
	while (p < end) {
		int                        e = *p++ % IMPORT_NENTITIES;
		const struct import_table *t = &import_tables[e];
		int                        ncols = t->ncolumns + (e == IMPORT_TASKS && (flags & SCHEMA_EXTRA_COLUMN)) -
		                 (e == IMPORT_TASKS && (flags & SCHEMA_NO_TAGS));
		char                       sql[256];
		sqlite3_stmt              *st;
		bool                       complete = true;

		snprintf(sql, sizeof sql, "INSERT OR IGNORE INTO \"%s\" VALUES (?%s)", t->legacy,
		         &",?,?,?,?,?,?,?,?,?,?,?"[2 * (12 - ncols)]);
		FUZZ_CHECK(sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK);
		for (int c = 1; c <= ncols && complete; c++)
			complete = bind_value(st, c, &p, end);
		/* an id that is not an integer cannot go into an INTEGER PRIMARY KEY: skipped */
		if (complete && sqlite3_step(st) == SQLITE_DONE && sqlite3_changes(db) == 1)
			counts[e]++;
		sqlite3_finalize(st);
	}
	FUZZ_CHECK(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK);
	FUZZ_CHECK(sqlite3_close(db) == SQLITE_OK);
}

/* the staging columns of t: a field each, then notes and unreadable */
static int
staging_fields(const struct import_table *t)
{
	int n = 2;

	for (int i = 0; i < t->ncolumns; i++) {
		enum import_column_kind k = t->columns[i].kind;

		if (k == IMPORT_COL_UNUSED)
			continue;
		n += 1 + (k == IMPORT_COL_REF || k == IMPORT_COL_TIMESTAMP || k == IMPORT_COL_DUE ||
		          k == IMPORT_COL_BOOL);
	}
	return n;
}

static void
check_line(const struct import_table *t, const char *line, size_t len)
{
	int fields = 1;

	FUZZ_CHECK(len > 0 && line[len - 1] == '\n' && memchr(line, '\n', len) == line + len - 1);
	FUZZ_CHECK(memchr(line, '\0', len) == NULL && memchr(line, '\r', len) == NULL);
	FUZZ_CHECK(fuzz_utf8_valid(line, len));
	for (size_t i = 0; i + 1 < len; i++) {
		if (line[i] == '\t')
			fields++;
		else if (line[i] == '\\') {
			FUZZ_CHECK(strchr("\\ntrN", line[i + 1]) != NULL && line[i + 1] != '\0');
			i++;
		}
	}
	FUZZ_CHECK(fields == staging_fields(t));
}

static void
check_timestamp(const char *s, size_t n)
{
	char                out[IMPORT_TS_MAX];
	enum import_ts_form form = import_rows_timestamp(s, n, out);
	size_t              len;

	if (form == IMPORT_TS_INVALID)
		return;
	len = strlen(out);
	/* "YYYY-MM-DD HH:MM:SS[.f{1,9}]+HH[:MM]" */
	FUZZ_CHECK(len >= 22 && len < IMPORT_TS_MAX);
	FUZZ_CHECK(out[4] == '-' && out[7] == '-' && out[10] == ' ' && out[13] == ':' && out[16] == ':');
	FUZZ_CHECK(strspn(out, "0123456789-: .+") == len);
	FUZZ_CHECK(strchr(out + 19, '+') != NULL || strchr(out + 19, '-') != NULL);
}

static void
read_file(int flags, const long long counts[IMPORT_NENTITIES])
{
	struct import_source *src;
	int                   saved = -1;
	bool                  refusable = flags & (SCHEMA_EXTRA_COLUMN | SCHEMA_TEXT_ID | SCHEMA_NO_TAGS);

	if (!verbose) {
		int null = open("/dev/null", O_WRONLY);

		saved = dup(2);
		FUZZ_CHECK(null >= 0 && saved >= 0 && dup2(null, 2) == 2);
		close(null);
	}
	src = import_source_open(path);
	if (saved >= 0) {
		FUZZ_CHECK(dup2(saved, 2) == 2);
		close(saved);
	}
	FUZZ_CHECK((src == NULL) == refusable);
	if (src == NULL)
		return;
	FUZZ_CHECK(strcmp(import_source_other_tables(src), flags & SCHEMA_OTHER_TABLE ? "notes" : "") == 0);

	for (int e = 0; e < IMPORT_NENTITIES; e++) {
		const struct import_table *t = &import_tables[e];
		struct import_buf          line = { 0 };
		struct import_buf          scratch = { 0 };
		sqlite3_stmt              *st;
		long long                  rows = 0;
		sqlite3_int64              last = 0;

		FUZZ_CHECK(import_source_count(src, t) == counts[e]);
		st = import_source_select(src, t);
		FUZZ_CHECK(st != NULL);
		while (sqlite3_step(st) == SQLITE_ROW) {
			/* ids in order (the first column is id) */
			FUZZ_CHECK(rows == 0 || sqlite3_column_int64(st, 0) > last);
			last = sqlite3_column_int64(st, 0);
			for (int c = 0; c < sqlite3_column_count(st); c++)
				if (sqlite3_column_type(st, c) == SQLITE_TEXT)
					check_timestamp((const char *) sqlite3_column_text(st, c),
					                (size_t) sqlite3_column_bytes(st, c));
			line.len = 0;
			FUZZ_CHECK(import_rows_format(t, st, &line, &scratch));
			check_line(t, line.data, line.len);
			rows++;
		}
		FUZZ_CHECK(sqlite3_finalize(st) == SQLITE_OK);
		FUZZ_CHECK(rows == counts[e]);
		import_buf_free(&line);
		import_buf_free(&scratch);
	}
	import_source_close(src);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	long long counts[IMPORT_NENTITIES] = { 0 };
	int       flags;

	if (size < 1)
		return 0;
	flags = data[0];
	write_file(data + 1, data + size, flags, counts);
	read_file(flags, counts);
	unlink(path);
	return 0;
}
