/* mb.c - the database encoding (UTF-8), lowercasing as the libc provider does it
 * (towlower in C.UTF-8), and escape_json as utils/adt/json.c writes it. */
#include "pgshim.h"

#include <locale.h>
#include <wctype.h>

#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "utils/formatting.h"
#include "utils/json.h"

void
shim_init(void)
{
	if (setlocale(LC_CTYPE, "C.UTF-8") == NULL) {
		fprintf(stderr, "pgshim: no C.UTF-8 locale\n");
		abort();
	}
}

int
GetDatabaseEncoding(void)
{
	return PG_UTF8;
}

bool
pg_verifymbstr(const char *mbstr, int len, bool noError)
{
	if (pg_encoding_verifymbstr(PG_UTF8, mbstr, len) == len)
		return true;
	if (!noError)
		ereport(ERROR, (errcode(ERRCODE_CHARACTER_NOT_IN_REPERTOIRE),
		                errmsg("invalid byte sequence for encoding \"UTF8\"")));
	return false;
}

int
pg_mbstrlen_with_len(const char *mbstr, int limit)
{
	int len = 0;

	while (limit > 0 && *mbstr) {
		int l = pg_utf_mblen((const unsigned char *) mbstr);

		limit -= l;
		mbstr += l;
		len++;
	}
	return len;
}

/* char by char: decode, towlower, encode (the result may be longer or shorter) */
char *
str_tolower(const char *buff, size_t nbytes, Oid collid)
{
	char                *out = palloc(nbytes * 4 + 1);
	const unsigned char *p = (const unsigned char *) buff;
	const unsigned char *end = p + nbytes;
	unsigned char       *o = (unsigned char *) out;

	while (p < end && *p != '\0') {
		int      l = pg_utf_mblen(p);
		pg_wchar c = utf8_to_unicode(p);

		unicode_to_utf8((pg_wchar) towlower((wint_t) c), o);
		o += pg_utf_mblen(o);
		p += l;
	}
	*o = '\0';
	return out;
}

void
escape_json(StringInfo buf, const char *str)
{
	appendStringInfoCharMacro(buf, '"');
	for (const char *p = str; *p; p++) {
		switch (*p) {
		case '\b': appendStringInfoString(buf, "\\b"); break;
		case '\f': appendStringInfoString(buf, "\\f"); break;
		case '\n': appendStringInfoString(buf, "\\n"); break;
		case '\r': appendStringInfoString(buf, "\\r"); break;
		case '\t': appendStringInfoString(buf, "\\t"); break;
		case '"': appendStringInfoString(buf, "\\\""); break;
		case '\\': appendStringInfoString(buf, "\\\\"); break;
		default:
			if ((unsigned char) *p < ' ')
				appendStringInfo(buf, "\\u%04x", (int) *p);
			else
				appendStringInfoCharMacro(buf, *p);
			break;
		}
	}
	appendStringInfoCharMacro(buf, '"');
}
