/* tags.c: normalization and validation of task tags: normalize_tags */
#include "postgres.h"

#include "catalog/pg_collation.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/formatting.h"
#include "utils/json.h"

#include "todo.h"

PG_FUNCTION_INFO_V1(normalize_tags);

#define TAG_MAX_CHARS		10
#define TAGS_MAX			20
/* a tag named in an error message is cut after this many characters */
#define TAG_MAX_SHOWN_CHARS	40

/* one normalized tag: trimmed and lowercased, not NUL-terminated */
typedef struct Tag
{
	const char *str;
	int			len;
} Tag;

static void TagError(const char *fmt,...) pg_attribute_printf(1, 2) pg_attribute_noreturn();

/*
 * Raise TD422 with the message, and as DETAIL the JSON object the SQL API
 * specifies for validation errors (docs/sql-api.md), naming the field "tags".
 */
static void
TagError(const char *fmt,...)
{
	StringInfoData message;
	StringInfoData detail;

	initStringInfo(&message);
	for (;;)
	{
		va_list		args;
		int			needed;

		va_start(args, fmt);
		needed = appendStringInfoVA(&message, fmt, args);
		va_end(args);
		if (needed == 0)
			break;
		enlargeStringInfo(&message, needed);
	}

	initStringInfo(&detail);
	appendStringInfoString(&detail, "{\"details\": [{\"field\": \"tags\", \"message\": ");
	escape_json(&detail, message.data);
	appendStringInfoString(&detail, "}]}");

	ereport(ERROR,
			(errcode(ERRCODE_TODO_VALIDATION_FAILED),
			 errmsg_internal("%s", message.data),
			 errdetail_internal("%s", detail.data)));
}

/* Unicode White_Space property (PropList.txt) */
static bool
IsWhiteSpace(pg_wchar c)
{
	return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 ||
		c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 ||
		c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

/* Unicode general category Cc */
static bool
IsControl(pg_wchar c)
{
	return c <= 0x1F || (c >= 0x7F && c <= 0x9F);
}

/*
 * The tag for an error message: as given (trimmed), cut after
 * TAG_MAX_SHOWN_CHARS characters, control characters written as \uXXXX so
 * that a message never carries raw control bytes (a terminal escape, say).
 */
static char *
TagForMessage(const char *str, int len)
{
	const unsigned char *p = (const unsigned char *) str;
	const unsigned char *end = p + len;
	StringInfoData shown;
	int			chars = 0;

	initStringInfo(&shown);
	for (; p < end && chars < TAG_MAX_SHOWN_CHARS; chars++)
	{
		int			charlen = pg_utf_mblen(p);
		pg_wchar	c = utf8_to_unicode(p);

		if (IsControl(c))
			appendStringInfo(&shown, "\\u%04X", (unsigned int) c);
		else
			appendBinaryStringInfo(&shown, (const char *) p, charlen);
		p += charlen;
	}
	if (p < end)
		appendStringInfoString(&shown, "...");
	return shown.data;
}

/*
 * Normalize one tag of valid UTF-8: trim white space at both ends, lowercase
 * with the database's default collation, then check the rules.
 */
static Tag
TagNormalize(const char *str, int len)
{
	const unsigned char *start = (const unsigned char *) str;
	const unsigned char *end = start + len;
	const unsigned char *p;
	bool		has_space = false;
	bool		has_comma = false;
	bool		has_control = false;
	Tag			tag;

	while (start < end && IsWhiteSpace(utf8_to_unicode(start)))
		start += pg_utf_mblen(start);
	while (end > start)
	{
		const unsigned char *last = end - 1;

		while (last > start && (*last & 0xC0) == 0x80)
			last--;
		if (!IsWhiteSpace(utf8_to_unicode(last)))
			break;
		end = last;
	}
	if (start == end)
		TagError("empty tag");

	tag.str = str_tolower((const char *) start, end - start, DEFAULT_COLLATION_OID);
	tag.len = strlen(tag.str);

	for (p = (const unsigned char *) tag.str; *p != '\0'; p += pg_utf_mblen(p))
	{
		pg_wchar	c = utf8_to_unicode(p);

		if (IsControl(c))
			has_control = true;
		else if (IsWhiteSpace(c))
			has_space = true;
		else if (c == ',')
			has_comma = true;
	}

	if (has_control)
		TagError("tag \"%s\" contains a control character",
				 TagForMessage((const char *) start, end - start));
	if (has_space)
		TagError("tag \"%s\" contains whitespace",
				 TagForMessage((const char *) start, end - start));
	if (has_comma)
		TagError("tag \"%s\" contains a comma",
				 TagForMessage((const char *) start, end - start));
	if (pg_mbstrlen_with_len(tag.str, tag.len) > TAG_MAX_CHARS)
		TagError("tag \"%s\" is longer than %d characters",
				 TagForMessage((const char *) start, end - start),
				 TAG_MAX_CHARS);

	return tag;
}

static int
TagCmp(const void *a, const void *b)
{
	const Tag  *x = (const Tag *) a;
	const Tag  *y = (const Tag *) b;
	int			cmp = memcmp(x->str, y->str, Min(x->len, y->len));

	return cmp != 0 ? cmp : (x->len > y->len) - (x->len < y->len);
}

static bool
TagEquals(const Tag *x, const Tag *y)
{
	return x->len == y->len && memcmp(x->str, y->str, x->len) == 0;
}

/* number of distinct tags among n; sorts them */
static int
TagsCountDistinct(Tag *tags, int n)
{
	int			count = n > 0 ? 1 : 0;
	int			i;

	qsort(tags, n, sizeof(Tag), TagCmp);
	for (i = 1; i < n; i++)
		if (!TagEquals(&tags[i - 1], &tags[i]))
			count++;
	return count;
}

/*
 * normalize_tags(tags text[]) returns text[]
 *
 * Each tag trimmed (Unicode White_Space) and lowercased, then 1 to 10
 * characters without white space, comma or control character; duplicates
 * removed, keeping the first; at most 20.  Any violation raises TD422 naming
 * the tag.  The result is a one-dimensional array with lower bound 1, so that
 * normalize_tags(tags) = tags holds exactly for normalized arrays.
 */
Datum
normalize_tags(PG_FUNCTION_ARGS)
{
	ArrayType  *input = PG_GETARG_ARRAYTYPE_P(0);
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	Tag		   *tags;
	Tag			kept[TAGS_MAX];
	Datum		result[TAGS_MAX];
	int			nkept = 0;
	int			i;

	if (ARR_NDIM(input) == 0)
		PG_RETURN_ARRAYTYPE_P(construct_empty_array(TEXTOID));
	if (ARR_NDIM(input) != 1)
		TagError("tags must be a one-dimensional array");

	deconstruct_array(input, TEXTOID, -1, false, TYPALIGN_INT,
					  &elems, &nulls, &n);

	/* every tag is checked first, so that the count comes last */
	tags = palloc(n * sizeof(Tag));
	for (i = 0; i < n; i++)
	{
		if (nulls[i])
			TagError("tags must not contain null");
		tags[i] = TagNormalize(VARDATA_ANY(elems[i]),
							   VARSIZE_ANY_EXHDR(elems[i]));
	}

	/* keep first occurrences, in order */
	for (i = 0; i < n; i++)
	{
		bool		seen = false;
		int			j;

		for (j = 0; j < nkept && !seen; j++)
			seen = TagEquals(&kept[j], &tags[i]);
		if (seen)
			continue;
		if (nkept == TAGS_MAX)
			TagError("too many tags: %d (at most %d)",
					 TagsCountDistinct(tags, n), TAGS_MAX);
		kept[nkept] = tags[i];
		result[nkept] = PointerGetDatum(cstring_to_text_with_len(tags[i].str,
																 tags[i].len));
		nkept++;
	}

	PG_RETURN_ARRAYTYPE_P(construct_array(result, nkept, TEXTOID,
										  -1, false, TYPALIGN_INT));
}
