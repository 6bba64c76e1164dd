/* import_rows.c - the legacy format: its tables and columns, and one row as a COPY line. */
#include "import_rows.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct import_column import_user_columns[] = {
	{"id", IMPORT_COL_ID},
	{"username", IMPORT_COL_TEXT},
	{"email", IMPORT_COL_TEXT},
	{"hashed_password", IMPORT_COL_TEXT},
	{"created_at", IMPORT_COL_TIMESTAMP},
	{"updated_at", IMPORT_COL_TIMESTAMP},
};

static const struct import_column import_task_columns[] = {
	{"id", IMPORT_COL_ID},
	{"user_id", IMPORT_COL_REF},
	{"title", IMPORT_COL_TEXT},
	{"description", IMPORT_COL_TEXT},
	{"due_date", IMPORT_COL_DUE},
	{"priority", IMPORT_COL_TEXT},
	{"tags", IMPORT_COL_TAGS},
	{"recursion_pattern", IMPORT_COL_TEXT},
	{"completed", IMPORT_COL_BOOL},
	{"created_at", IMPORT_COL_TIMESTAMP},
	{"updated_at", IMPORT_COL_TIMESTAMP},
};

static const struct import_column import_session_columns[] = {
	{"id", IMPORT_COL_ID},
	{"user_id", IMPORT_COL_REF},
	{"token_jti", IMPORT_COL_TEXT},
	{"token", IMPORT_COL_UNUSED},
	{"expires_at", IMPORT_COL_TIMESTAMP},
	{"revoked", IMPORT_COL_BOOL},
	{"created_at", IMPORT_COL_TIMESTAMP},
};

#define IMPORT_NCOLS(a) ((int) (sizeof (a) / sizeof (a)[0]))

const struct import_table import_tables[IMPORT_NENTITIES] = {
	{"user", "legacy_user", "users", import_user_columns, IMPORT_NCOLS(import_user_columns)},
	{"task", "legacy_task", "tasks", import_task_columns, IMPORT_NCOLS(import_task_columns)},
	{"session", "legacy_session", "sessions", import_session_columns, IMPORT_NCOLS(import_session_columns)},
};

bool
import_buf_add(struct import_buf *buf, const char *s, size_t n)
{
	if (buf->len + n + 1 > buf->cap) {
		size_t cap = buf->cap > 0 ? buf->cap : 256;
		char  *data;

		while (cap < buf->len + n + 1)
			cap *= 2;
		data = realloc(buf->data, cap);
		if (data == NULL)
			return false;
		buf->data = data;
		buf->cap = cap;
	}
	memcpy(buf->data + buf->len, s, n);
	buf->len += n;
	buf->data[buf->len] = '\0';
	return true;
}

static bool
import_buf_str(struct import_buf *buf, const char *s)
{
	return import_buf_add(buf, s, strlen(s));
}

void
import_buf_free(struct import_buf *buf)
{
	free(buf->data);
	buf->data = NULL;
	buf->len = buf->cap = 0;
}

/* Whether the column kind has a text twin "_raw" for values it cannot read. */
static bool
import_has_raw(enum import_column_kind kind)
{
	return kind == IMPORT_COL_REF || kind == IMPORT_COL_TIMESTAMP || kind == IMPORT_COL_DUE ||
	       kind == IMPORT_COL_BOOL;
}

static const char *
import_staged_type(enum import_column_kind kind)
{
	switch (kind) {
	case IMPORT_COL_ID:
	case IMPORT_COL_REF:
		return "bigint";
	case IMPORT_COL_TIMESTAMP:
	case IMPORT_COL_DUE:
		return "timestamptz";
	case IMPORT_COL_BOOL:
		return "boolean";
	case IMPORT_COL_TAGS:
		return "text[]";
	case IMPORT_COL_TEXT:
	case IMPORT_COL_UNUSED:
		break;
	}
	return "text";
}

bool
import_rows_staging_ddl(const struct import_table *t, struct import_buf *buf)
{
	bool ok = import_buf_str(buf, "CREATE TEMP TABLE ") && import_buf_str(buf, t->staging) &&
	          import_buf_str(buf, " (");

	for (int i = 0; ok && i < t->ncolumns; i++) {
		const struct import_column *c = &t->columns[i];

		if (c->kind == IMPORT_COL_UNUSED)
			continue;
		ok = import_buf_str(buf, c->name) && import_buf_str(buf, " ") &&
		     import_buf_str(buf, import_staged_type(c->kind)) &&
		     import_buf_str(buf, c->kind == IMPORT_COL_ID ? " NOT NULL, " : ", ");
		if (ok && import_has_raw(c->kind))
			ok = import_buf_str(buf, c->name) && import_buf_str(buf, "_raw text, ");
	}
	return ok && import_buf_str(buf, "notes integer NOT NULL, unreadable text[]) ON COMMIT DROP");
}

bool
import_rows_copy_columns(const struct import_table *t, struct import_buf *buf)
{
	bool ok = true;

	for (int i = 0; ok && i < t->ncolumns; i++) {
		const struct import_column *c = &t->columns[i];

		if (c->kind == IMPORT_COL_UNUSED)
			continue;
		ok = import_buf_str(buf, c->name) && import_buf_str(buf, ", ");
		if (ok && import_has_raw(c->kind))
			ok = import_buf_str(buf, c->name) && import_buf_str(buf, "_raw, ");
	}
	return ok && import_buf_str(buf, "notes, unreadable");
}

/* Length of the valid UTF-8 sequence at s (of at most n bytes), or 0. */
static size_t
import_utf8_char(const unsigned char *s, size_t n)
{
	uint32_t c;
	size_t   len;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xC2 && s[0] <= 0xDF)
		len = 2, c = s[0] & 0x1F;
	else if (s[0] >= 0xE0 && s[0] <= 0xEF)
		len = 3, c = s[0] & 0x0F;
	else if (s[0] >= 0xF0 && s[0] <= 0xF4)
		len = 4, c = s[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3F);
	}
	/* overlong forms, surrogates, beyond U+10FFFF */
	if ((len == 3 && c < 0x800) || (len == 4 && (c < 0x10000 || c > 0x10FFFF)) ||
	    (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	return len;
}

/* Whether s (n bytes) is UTF-8 without NUL: text PostgreSQL can hold. */
static bool
import_is_text(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *) s;

	for (size_t i = 0; i < n;) {
		size_t len;

		if (p[i] == '\0')
			return false;
		len = import_utf8_char(p + i, n - i);
		if (len == 0)
			return false;
		i += len;
	}
	return true;
}

/* Appends s (n bytes) escaped for COPY's text format. */
static bool
import_copy_escape(struct import_buf *buf, const char *s, size_t n)
{
	size_t start = 0;

	for (size_t i = 0; i < n; i++) {
		const char *esc;

		switch (s[i]) {
		case '\\': esc = "\\\\"; break;
		case '\n': esc = "\\n"; break;
		case '\r': esc = "\\r"; break;
		case '\t': esc = "\\t"; break;
		default: continue;
		}
		if (!import_buf_add(buf, s + start, i - start) || !import_buf_add(buf, esc, 2))
			return false;
		start = i + 1;
	}
	return import_buf_add(buf, s + start, n - start);
}

static bool
import_is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* Two or four digits at s as a number, or -1. */
static int
import_digits(const char *s, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static int
import_days_in_month(int year, int month)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

	return month == 2 && leap ? 29 : days[month - 1];
}

enum import_ts_form
import_rows_timestamp(const char *s, size_t len, char *out)
{
	const char *end = s + len;
	int         year, month, day, hour = 0, minute = 0, second = 0;
	const char *frac = NULL;
	int         nfrac = 0;
	char        zone[8] = "+00";
	enum import_ts_form form;

	while (s < end && import_is_blank(*s))
		s++;
	while (end > s && import_is_blank(end[-1]))
		end--;
	if (end - s < 10 || s[4] != '-' || s[7] != '-')
		return IMPORT_TS_INVALID;
	year = import_digits(s, 4);
	month = import_digits(s + 5, 2);
	day = import_digits(s + 8, 2);
	if (year < 1 || month < 1 || month > 12 || day < 1 || day > import_days_in_month(year, month))
		return IMPORT_TS_INVALID;
	s += 10;
	if (s == end) {
		form = IMPORT_TS_DATE;
	} else {
		if (end - s < 9 || (*s != 'T' && *s != 't' && *s != ' ') || s[3] != ':' || s[6] != ':')
			return IMPORT_TS_INVALID;
		hour = import_digits(s + 1, 2);
		minute = import_digits(s + 4, 2);
		second = import_digits(s + 7, 2);
		if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59)
			return IMPORT_TS_INVALID;
		s += 9;
		if (s < end && *s == '.') {
			frac = ++s;
			while (s < end && *s >= '0' && *s <= '9')
				s++;
			nfrac = (int) (s - frac);
			if (nfrac < 1 || nfrac > 9)
				return IMPORT_TS_INVALID;
		}
		if (s == end) {
			form = IMPORT_TS_NAIVE;
		} else if (end - s == 1 && (*s == 'Z' || *s == 'z')) {
			form = IMPORT_TS_UTC;
		} else if (end - s == 6 && (*s == '+' || *s == '-') && s[3] == ':') {
			int oh = import_digits(s + 1, 2), om = import_digits(s + 4, 2);

			if (oh < 0 || oh > 15 || om < 0 || om > 59)
				return IMPORT_TS_INVALID;
			snprintf(zone, sizeof zone, "%c%02d:%02d", *s, oh, om);
			form = oh == 0 && om == 0 ? IMPORT_TS_UTC : IMPORT_TS_OFFSET;
		} else {
			return IMPORT_TS_INVALID;
		}
	}
	snprintf(out, IMPORT_TS_MAX, "%04d-%02d-%02d %02d:%02d:%02d%s%.*s%s", year, month, day, hour,
	         minute, second, nfrac > 0 ? "." : "", nfrac, frac != NULL ? frac : "", zone);
	return form;
}

/* One value read from SQLite: its storage class, and its text (NULL for SQL NULL). */
struct import_value {
	int         type;        /* SQLITE_INTEGER, SQLITE_FLOAT, SQLITE_TEXT, SQLITE_BLOB, SQLITE_NULL */
	sqlite3_int64 integer;   /* when SQLITE_INTEGER */
	const char *s;
	size_t      n;
	char        digits[24];  /* the text of an integer */
};

/* Reads column i of st's current row. The storage class is read first: SQLite leaves it
 * undefined once a value has been converted. */
static void
import_value_read(sqlite3_stmt *st, int i, struct import_value *v)
{
	v->type = sqlite3_column_type(st, i);
	v->s = NULL;
	v->n = 0;
	if (v->type == SQLITE_NULL)
		return;
	if (v->type == SQLITE_INTEGER) {
		v->integer = sqlite3_column_int64(st, i);
		v->n = (size_t) snprintf(v->digits, sizeof v->digits, "%lld", (long long) v->integer);
		v->s = v->digits;
		return;
	}
	/* a real as SQLite writes it; text and blobs as stored */
	v->s = (const char *) sqlite3_column_text(st, i);
	v->n = (size_t) sqlite3_column_bytes(st, i);
	if (v->s == NULL)
		v->s = "";
}

/*
 * The items of a comma-separated tag list as an array literal, escaped for COPY, into
 * buf. An item that is empty or only ASCII blanks is dropped (',,', ', ,': *notes gets
 * IMPORT_NOTE_TAGS_EMPTY); every other item is kept as typed: todo.normalize_tags trims,
 * lowercases, deduplicates and judges it.
 */
static bool
import_tags(struct import_buf *buf, struct import_buf *scratch, const char *s, size_t n, int *notes)
{
	size_t start = 0;
	bool   first = true;

	scratch->len = 0;
	if (!import_buf_add(scratch, "{", 1))
		return false;
	for (size_t i = 0; i <= n; i++) {
		const char *item;
		size_t      len;
		bool        blank = true;

		if (i < n && s[i] != ',')
			continue;
		item = s + start;
		len = i - start;
		start = i + 1;
		for (size_t k = 0; k < len && blank; k++)
			blank = import_is_blank(item[k]);
		if (blank) {
			if (n > 0)
				*notes |= IMPORT_NOTE_TAGS_EMPTY;
			continue;
		}
		if (!import_buf_add(scratch, first ? "\"" : ",\"", first ? 1 : 2))
			return false;
		first = false;
		for (size_t k = 0; k < len; k++) {
			if ((item[k] == '"' || item[k] == '\\') && !import_buf_add(scratch, "\\", 1))
				return false;
			if (!import_buf_add(scratch, item + k, 1))
				return false;
		}
		if (!import_buf_add(scratch, "\"", 1))
			return false;
	}
	return import_buf_add(scratch, "}", 1) && import_copy_escape(buf, scratch->data, scratch->len);
}

/* Appends COPY's NULL (\N) or s escaped, then a tab. */
static bool
import_field(struct import_buf *buf, const char *s, size_t n)
{
	bool ok = s == NULL ? import_buf_str(buf, "\\N") : import_copy_escape(buf, s, n);

	return ok && import_buf_str(buf, "\t");
}

/* Appends the value of a timestamp column (and its _raw twin). */
static bool
import_timestamp_field(struct import_buf *buf, const struct import_column *c,
                       const struct import_value *v, int *notes)
{
	char                ts[IMPORT_TS_MAX];
	enum import_ts_form form = IMPORT_TS_INVALID;
	bool                blank = true;

	if (v->s == NULL)
		return import_field(buf, NULL, 0) && import_field(buf, NULL, 0);
	for (size_t k = 0; k < v->n && blank; k++)
		blank = import_is_blank(v->s[k]);
	if (c->kind == IMPORT_COL_DUE && blank) {
		*notes |= IMPORT_NOTE_DUE_BLANK;
		return import_field(buf, NULL, 0) && import_field(buf, NULL, 0);
	}
	if (v->type == SQLITE_TEXT && v->n < IMPORT_TS_MAX)
		form = import_rows_timestamp(v->s, v->n, ts);
	if (form == IMPORT_TS_INVALID)
		return import_field(buf, NULL, 0) && import_field(buf, v->s, v->n);
	if (c->kind == IMPORT_COL_DUE)
		*notes |= form == IMPORT_TS_DATE ? IMPORT_NOTE_DUE_DATE :
		          form == IMPORT_TS_NAIVE ? IMPORT_NOTE_DUE_NAIVE :
		          form == IMPORT_TS_OFFSET ? IMPORT_NOTE_DUE_OFFSET : 0;
	return import_field(buf, ts, strlen(ts)) && import_field(buf, NULL, 0);
}

bool
import_rows_format(const struct import_table *t, sqlite3_stmt *st, struct import_buf *buf,
                   struct import_buf *scratch)
{
	char   unreadable[512] = "";   /* the names of the columns that are not text */
	size_t ulen = 0;
	int    notes = 0;
	bool   ok = true;

	for (int i = 0, col = 0; ok && i < t->ncolumns; i++) {
		const struct import_column *c = &t->columns[i];
		struct import_value         v;

		if (c->kind == IMPORT_COL_UNUSED)
			continue;
		import_value_read(st, col++, &v);
		if (v.s != NULL && !import_is_text(v.s, v.n)) {
			int w = snprintf(unreadable + ulen, sizeof unreadable - ulen, "%s\"%s\"",
			                 ulen > 0 ? "," : "", c->name);

			if (w > 0 && (size_t) w < sizeof unreadable - ulen)
				ulen += (size_t) w;
			ok = import_field(buf, NULL, 0) && (!import_has_raw(c->kind) || import_field(buf, NULL, 0));
			continue;
		}
		switch (c->kind) {
		case IMPORT_COL_ID:
		case IMPORT_COL_REF:
			if (v.type == SQLITE_INTEGER)
				ok = import_field(buf, v.s, v.n) && (c->kind == IMPORT_COL_ID || import_field(buf, NULL, 0));
			else   /* an id column that is not the rowid, or a reference that is not a number */
				ok = import_field(buf, NULL, 0) && (c->kind == IMPORT_COL_ID || import_field(buf, v.s, v.n));
			break;
		case IMPORT_COL_TIMESTAMP:
		case IMPORT_COL_DUE:
			ok = import_timestamp_field(buf, c, &v, &notes);
			break;
		case IMPORT_COL_BOOL:
			if (v.type == SQLITE_INTEGER && (v.integer == 0 || v.integer == 1))
				ok = import_field(buf, v.integer == 1 ? "t" : "f", 1) && import_field(buf, NULL, 0);
			else
				ok = import_field(buf, NULL, 0) && import_field(buf, v.s, v.n);
			break;
		case IMPORT_COL_TAGS:
			ok = (v.s == NULL ? import_buf_str(buf, "{}") : import_tags(buf, scratch, v.s, v.n, &notes)) &&
			     import_buf_str(buf, "\t");
			break;
		case IMPORT_COL_TEXT:
		case IMPORT_COL_UNUSED:
			ok = import_field(buf, v.s, v.n);
			break;
		}
	}
	if (ok) {
		char tail[32];

		snprintf(tail, sizeof tail, "%d\t", notes);
		ok = import_buf_str(buf, tail);
	}
	if (ok && ulen > 0)
		ok = import_buf_str(buf, "{") && import_buf_str(buf, unreadable) && import_buf_str(buf, "}\n");
	else if (ok)
		ok = import_buf_str(buf, "\\N\n");
	return ok;
}
