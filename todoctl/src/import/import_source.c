/* import_source.c - the legacy SQLite file, opened read-only and never written. */
#include "import_source.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "import_who.h"

struct import_source {
	sqlite3 *db;
	char     other_tables[1024];
};

/* Appends path to uri percent-encoded, as SQLite's URI file names want. */
static bool
import_source_uri(const char *path, char *uri, size_t urilen)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t            o = 0;
	int               n = snprintf(uri, urilen, "file:");

	if (n < 0 || (size_t) n >= urilen)
		return false;
	o = (size_t) n;
	for (const unsigned char *p = (const unsigned char *) path; *p != '\0'; p++) {
		bool plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		             (*p >= '0' && *p <= '9') || strchr("/-._~", *p) != NULL;

		if (o + 4 >= urilen)
			return false;
		if (plain) {
			uri[o++] = (char) *p;
		} else {
			uri[o++] = '%';
			uri[o++] = hex[*p >> 4];
			uri[o++] = hex[*p & 15];
		}
	}
	n = snprintf(uri + o, urilen - o, "?mode=ro&immutable=1");
	return n > 0 && (size_t) n < urilen - o;
}

/* Whether path+suffix exists with content: a write-ahead log or a hot journal. */
static bool
import_source_sidecar(const char *path, const char *suffix)
{
	char        name[4096];
	struct stat st;

	if ((size_t) snprintf(name, sizeof name, "%s%s", path, suffix) >= sizeof name)
		return false;
	return stat(name, &st) == 0 && st.st_size > 0;
}

/* Checks t's columns in the file: every one present, id the INTEGER PRIMARY KEY, none
 * else. Prints each problem; returns 0 or -1. */
static int
import_source_check_table(struct import_source *src, const struct import_table *t)
{
	sqlite3_stmt *st;
	bool          seen[16] = {false};
	int           rc = 0;
	int           ncolumns = 0;

	if (sqlite3_prepare_v2(src->db, "SELECT name, type, pk FROM pragma_table_info(?1)", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_bind_text(st, 1, t->legacy, -1, SQLITE_STATIC) != SQLITE_OK) {
		fprintf(stderr, IMPORT_WHO ": cannot read the legacy schema: %s\n", sqlite3_errmsg(src->db));
		sqlite3_finalize(st);
		return -1;
	}
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *name = (const char *) sqlite3_column_text(st, 0);
		const char *type = (const char *) sqlite3_column_text(st, 1);
		int         i;

		ncolumns++;
		for (i = 0; i < t->ncolumns; i++)
			if (name != NULL && strcmp(name, t->columns[i].name) == 0)
				break;
		if (i == t->ncolumns) {
			fprintf(stderr, IMPORT_WHO ": table %s has a column %s that the old app did not have "
			        "(LEGACY.md): the importer would not carry it, so it refuses the file\n",
			        t->legacy, name != NULL ? name : "?");
			rc = -1;
			continue;
		}
		seen[i] = true;
		if (t->columns[i].kind == IMPORT_COL_ID &&
		    (sqlite3_column_int(st, 2) != 1 || type == NULL || strcasecmp(type, "INTEGER") != 0)) {
			fprintf(stderr, IMPORT_WHO ": table %s: column id is not its INTEGER PRIMARY KEY\n", t->legacy);
			rc = -1;
		}
	}
	if (sqlite3_finalize(st) != SQLITE_OK) {
		fprintf(stderr, IMPORT_WHO ": cannot read the legacy schema: %s\n", sqlite3_errmsg(src->db));
		return -1;
	}
	if (ncolumns == 0) {
		fprintf(stderr, IMPORT_WHO ": the file has no table %s: is it the old app's todo_app.db?\n", t->legacy);
		return -1;
	}
	for (int i = 0; i < t->ncolumns; i++) {
		if (!seen[i]) {
			fprintf(stderr, IMPORT_WHO ": table %s has no column %s: is it the old app's todo_app.db?\n",
			        t->legacy, t->columns[i].name);
			rc = -1;
		}
	}
	return rc;
}

/* Lists the tables other than the legacy ones into src->other_tables. */
static int
import_source_list_tables(struct import_source *src)
{
	sqlite3_stmt *st;
	size_t        o = 0;

	if (sqlite3_prepare_v2(src->db,
	                       "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
	                       "AND name NOT IN ('user', 'task', 'session') ORDER BY name", -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, IMPORT_WHO ": cannot read the legacy file: %s\n", sqlite3_errmsg(src->db));
		return -1;
	}
	while (sqlite3_step(st) == SQLITE_ROW && o + 1 < sizeof src->other_tables) {
		int n = snprintf(src->other_tables + o, sizeof src->other_tables - o, "%s%s", o > 0 ? ", " : "",
		                 (const char *) sqlite3_column_text(st, 0));

		o = n < 0 || (size_t) n >= sizeof src->other_tables - o ? sizeof src->other_tables - 1 : o + (size_t) n;
	}
	if (sqlite3_finalize(st) != SQLITE_OK) {
		/* "file is not a database" shows here, at the first read */
		fprintf(stderr, IMPORT_WHO ": cannot read the legacy file: %s\n", sqlite3_errmsg(src->db));
		return -1;
	}
	return 0;
}

struct import_source *
import_source_open(const char *path)
{
	struct import_source *src;
	struct stat           st;
	char                  uri[8192];
	int                   rc = 0;

	if (stat(path, &st) != 0) {
		fprintf(stderr, IMPORT_WHO ": %s: %s\n", path, strerror(errno));
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		fprintf(stderr, IMPORT_WHO ": %s: not a regular file\n", path);
		return NULL;
	}
	if (import_source_sidecar(path, "-wal") || import_source_sidecar(path, "-journal")) {
		fprintf(stderr, IMPORT_WHO ": %s has a write-ahead log or a rollback journal beside it "
		        "(%s-wal or %s-journal): the old app is running, or stopped in the middle of a "
		        "write. The importer opens the file immutable and would not see those changes. "
		        "Stop the old app, open the file once with sqlite3 (it checkpoints or rolls back), "
		        "then import\n", path, path, path);
		return NULL;
	}
	if (!import_source_uri(path, uri, sizeof uri)) {
		fprintf(stderr, IMPORT_WHO ": %s: path too long\n", path);
		return NULL;
	}
	src = calloc(1, sizeof *src);
	if (src == NULL) {
		fprintf(stderr, IMPORT_WHO ": out of memory\n");
		return NULL;
	}
	if (sqlite3_open_v2(uri, &src->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL) != SQLITE_OK) {
		fprintf(stderr, IMPORT_WHO ": cannot open %s: %s\n", path,
		        src->db != NULL ? sqlite3_errmsg(src->db) : "out of memory");
		import_source_close(src);
		return NULL;
	}
	if (import_source_list_tables(src) < 0) {
		import_source_close(src);
		return NULL;
	}
	for (int e = 0; e < IMPORT_NENTITIES; e++)
		if (import_source_check_table(src, &import_tables[e]) < 0)
			rc = -1;
	if (rc < 0) {
		import_source_close(src);
		return NULL;
	}
	return src;
}

void
import_source_close(struct import_source *src)
{
	if (src == NULL)
		return;
	sqlite3_close(src->db);
	free(src);
}

long long
import_source_count(struct import_source *src, const struct import_table *t)
{
	char          sql[128];
	sqlite3_stmt *st;
	long long     n = -1;

	snprintf(sql, sizeof sql, "SELECT count(*) FROM \"%s\"", t->legacy);
	if (sqlite3_prepare_v2(src->db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	if (sqlite3_finalize(st) != SQLITE_OK || n < 0) {
		fprintf(stderr, IMPORT_WHO ": cannot count the rows of table %s: %s\n", t->legacy,
		        sqlite3_errmsg(src->db));
		return -1;
	}
	return n;
}

sqlite3_stmt *
import_source_select(struct import_source *src, const struct import_table *t)
{
	struct import_buf sql = {0};
	sqlite3_stmt     *st = NULL;
	bool              ok = import_buf_add(&sql, "SELECT ", 7);
	bool              first = true;

	for (int i = 0; ok && i < t->ncolumns; i++) {
		if (t->columns[i].kind == IMPORT_COL_UNUSED)
			continue;
		ok = import_buf_add(&sql, first ? "\"" : ", \"", first ? 1 : 3) &&
		     import_buf_add(&sql, t->columns[i].name, strlen(t->columns[i].name)) &&
		     import_buf_add(&sql, "\"", 1);
		first = false;
	}
	ok = ok && import_buf_add(&sql, " FROM \"", 7) && import_buf_add(&sql, t->legacy, strlen(t->legacy)) &&
	     import_buf_add(&sql, "\" ORDER BY \"id\"", 15);
	if (!ok)
		fprintf(stderr, IMPORT_WHO ": out of memory\n");
	else if (sqlite3_prepare_v2(src->db, sql.data, -1, &st, NULL) != SQLITE_OK)
		fprintf(stderr, IMPORT_WHO ": cannot read table %s: %s\n", t->legacy, sqlite3_errmsg(src->db));
	import_buf_free(&sql);
	return st;
}

const char *
import_source_error(struct import_source *src)
{
	return sqlite3_errmsg(src->db);
}

const char *
import_source_other_tables(struct import_source *src)
{
	return src->other_tables;
}
