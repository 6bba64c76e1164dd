/* sqlscan.c - what todoctl must know of a plain SQL script before it runs it. */
#include "sqlscan.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

struct sqlscan {
	const char *p;
	int         line;
	int         atomic;   /* inside BEGIN ATOMIC ... END (a function body): ';' ends nothing */
	int         cases;    /* CASE ... END nesting inside it */
};

static void
sqlscan_advance(struct sqlscan *s)
{
	if (*s->p == '\n')
		s->line++;
	s->p++;
}

/* Skips to just past the closing quote q ('' or "" inside are doubled quotes; backslash
 * escapes when escapes is set). */
static void
sqlscan_quoted(struct sqlscan *s, char q, bool escapes)
{
	sqlscan_advance(s);
	while (*s->p != '\0') {
		if (escapes && *s->p == '\\' && s->p[1] != '\0') {
			sqlscan_advance(s);
			sqlscan_advance(s);
		} else if (*s->p == q && s->p[1] == q) {
			s->p += 2;
		} else if (*s->p == q) {
			s->p++;
			return;
		} else {
			sqlscan_advance(s);
		}
	}
}

/* At '$': skips a dollar-quoted string if one starts here; false when it is not one. */
static bool
sqlscan_dollar(struct sqlscan *s)
{
	const char *t = s->p + 1;
	size_t      taglen;

	if (*t != '$' && !isalpha((unsigned char) *t) && *t != '_')
		return false;
	while (isalnum((unsigned char) *t) || *t == '_')
		t++;
	if (*t != '$')
		return false;
	taglen = (size_t) (t - s->p) + 1;    /* "$tag$" */
	for (const char *q = s->p + taglen; *q != '\0'; q++)
		if (*q == '$' && strncmp(q, s->p, taglen) == 0) {
			const char *end = q + taglen;

			while (s->p < end)
				sqlscan_advance(s);
			return true;
		}
	while (*s->p != '\0')        /* unterminated: the server will say so */
		sqlscan_advance(s);
	return true;
}

/* Skips white space and comments. */
static void
sqlscan_blank(struct sqlscan *s)
{
	for (;;) {
		if (isspace((unsigned char) *s->p)) {
			sqlscan_advance(s);
		} else if (s->p[0] == '-' && s->p[1] == '-') {
			while (*s->p != '\0' && *s->p != '\n')
				s->p++;
		} else if (s->p[0] == '/' && s->p[1] == '*') {
			int depth = 0;

			do {
				if (s->p[0] == '/' && s->p[1] == '*') {
					depth++;
					s->p += 2;
				} else if (s->p[0] == '*' && s->p[1] == '/') {
					depth--;
					s->p += 2;
				} else {
					sqlscan_advance(s);
				}
			} while (depth > 0 && *s->p != '\0');
		} else {
			return;
		}
	}
}

/* The word at p (letters and '_'), upper-cased into out; p is left after it. */
static void
sqlscan_word(struct sqlscan *s, char *out, size_t outlen)
{
	size_t n = 0;

	while (isalpha((unsigned char) *s->p) || *s->p == '_') {
		if (n + 1 < outlen)
			out[n++] = (char) toupper((unsigned char) *s->p);
		s->p++;
	}
	out[n] = '\0';
}

/* Whether a statement beginning with first (then second) leaves or starts a transaction. */
static bool
sqlscan_transaction_control(const char *first, const char *second)
{
	static const char *const words[] = {"BEGIN", "START", "COMMIT", "END", "ABORT"};

	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
		if (strcmp(first, words[i]) == 0)
			return true;
	if (strcmp(first, "ROLLBACK") == 0)
		return strcmp(second, "TO") != 0;
	return strcmp(first, "PREPARE") == 0 && strcmp(second, "TRANSACTION") == 0;
}

/* A word inside a statement: follows BEGIN ATOMIC ... END bodies (SQL-standard function
 * bodies, whose statements end with ';' too). */
static void
sqlscan_body_word(struct sqlscan *s)
{
	char word[16], next[16];

	sqlscan_word(s, word, sizeof word);
	while (isalnum((unsigned char) *s->p) || *s->p == '_')
		s->p++;
	if (strcmp(word, "BEGIN") == 0) {
		const char *save = s->p;
		int         save_line = s->line;

		sqlscan_blank(s);
		sqlscan_word(s, next, sizeof next);
		if (strcmp(next, "ATOMIC") == 0) {
			s->atomic++;
			return;
		}
		s->p = save;
		s->line = save_line;
	} else if (s->atomic > 0 && strcmp(word, "CASE") == 0) {
		s->cases++;
	} else if (s->atomic > 0 && strcmp(word, "END") == 0) {
		if (s->cases > 0)
			s->cases--;
		else
			s->atomic--;
	}
}

int
sqlscan_check(const char *sql, char *why, size_t whylen)
{
	struct sqlscan s = {sql, 1, 0, 0};
	bool           statement_start = true;

	while (*s.p != '\0') {
		if (statement_start) {
			char first[16], second[16] = "";
			int  line;

			sqlscan_blank(&s);
			line = s.line;
			if (*s.p == '\\') {
				snprintf(why, whylen, "line %d: a psql meta-command (\\%.20s...): scripts "
				         "must be plain SQL", line, s.p + 1);
				return -1;
			}
			sqlscan_word(&s, first, sizeof first);
			sqlscan_blank(&s);
			if (first[0] != '\0') {
				const char *save = s.p;
				int         save_line = s.line;

				sqlscan_word(&s, second, sizeof second);
				s.p = save;
				s.line = save_line;
			}
			if (sqlscan_transaction_control(first, second)) {
				snprintf(why, whylen, "line %d: %s%s%s: todoctl runs the scripts in its own "
				         "transaction, so they must not begin or end one", line, first,
				         second[0] != '\0' ? " " : "", second);
				return -1;
			}
			statement_start = false;
			continue;
		}
		switch (*s.p) {
		case ';':
			statement_start = s.atomic == 0;
			s.p++;
			break;
		case '\'':
			sqlscan_quoted(&s, '\'', s.p > sql && (s.p[-1] == 'E' || s.p[-1] == 'e'));
			break;
		case '"':
			sqlscan_quoted(&s, '"', false);
			break;
		case '$':
			if (!sqlscan_dollar(&s))
				s.p++;
			break;
		case '-':
		case '/':
			if ((s.p[0] == '-' && s.p[1] == '-') || (s.p[0] == '/' && s.p[1] == '*'))
				sqlscan_blank(&s);
			else
				s.p++;
			break;
		case '\n':
			sqlscan_advance(&s);
			/* psql reads a backslash at a line's start as a meta-command, mid-statement too */
			if (*s.p == '\\') {
				snprintf(why, whylen, "line %d: a psql meta-command: scripts must be plain SQL",
				         s.line);
				return -1;
			}
			break;
		default:
			if (isalpha((unsigned char) *s.p) &&
			    (s.p == sql || !(isalnum((unsigned char) s.p[-1]) || s.p[-1] == '_' || s.p[-1] == '$')))
				sqlscan_body_word(&s);
			else
				sqlscan_advance(&s);
			break;
		}
	}
	return 0;
}
