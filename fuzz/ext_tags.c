/*
 * ext_tags.c - tag normalization, normalize_tags(text[]) of extension/src/tags.c, through
 * the PostgreSQL shim (shim/): the function as the server calls it, on arrays laid out as
 * the server lays them out.
 *
 * Input: a byte of flags (dimensions, lower bound), then the tags separated by NUL (text
 * cannot hold NUL); a tag of the single byte 0xFF is SQL NULL. Inputs with a tag that is
 * not UTF-8 are skipped: the server never passes such text.
 * Properties: either a result or TD422 and nothing else; a result is one-dimensional with
 * lower bound 1, at most 20 distinct tags of 1-10 characters without white space, comma or
 * control character, exactly the first occurrences of the tags normalized one by one, and
 * normalizing it again changes nothing; an error's message holds no raw control character
 * and its DETAIL is the contract's JSON {"details":[{"field":"tags","message":...}]}.
 */
#include "pgshim.h"

#include <jansson.h>

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "mb/pg_wchar.h"
#include "utils/array.h"

#include "fuzz.h"

extern Datum normalize_tags(PG_FUNCTION_ARGS);

#define MAX_TAGS 64

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	shim_init();
	return 0;
}

struct call {
	ArrayType *in;
	ArrayType *out;
};

static void
call_normalize(void *arg)
{
	struct call *c = arg;

	c->out = DatumGetArrayTypeP(DirectFunctionCall1(normalize_tags, PointerGetDatum(c->in)));
}

/* the tags of a one-dimensional array without nulls */
static int
elements(ArrayType *a, Datum **elems)
{
	bool *nulls;
	int   n;

	deconstruct_array(a, TEXTOID, -1, false, TYPALIGN_INT, elems, &nulls, &n);
	for (int i = 0; i < n; i++)
		FUZZ_CHECK(!nulls[i]);
	return n;
}

static bool
same_text(Datum a, Datum b)
{
	return VARSIZE_ANY_EXHDR(DatumGetPointer(a)) == VARSIZE_ANY_EXHDR(DatumGetPointer(b)) &&
	       memcmp(VARDATA_ANY(DatumGetPointer(a)), VARDATA_ANY(DatumGetPointer(b)),
	              VARSIZE_ANY_EXHDR(DatumGetPointer(a))) == 0;
}

static bool
forbidden(pg_wchar c)
{
	return c <= 0x20 || (c >= 0x7F && c <= 0xA0) || c == ',' || c == 0x1680 ||
	       (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F ||
	       c == 0x205F || c == 0x3000;
}

static void
check_tag(Datum d)
{
	const char *s = VARDATA_ANY(DatumGetPointer(d));
	int         len = VARSIZE_ANY_EXHDR(DatumGetPointer(d));
	int         chars = 0;

	FUZZ_CHECK(len > 0 && fuzz_utf8_valid(s, len) && memchr(s, '\0', len) == NULL);
	for (int i = 0; i < len; i += pg_utf_mblen((const unsigned char *) s + i), chars++)
		FUZZ_CHECK(!forbidden(utf8_to_unicode((const unsigned char *) s + i)));
	FUZZ_CHECK(chars >= 1 && chars <= 10);
}

static void
check_error(void)
{
	json_t     *detail;
	json_t     *item;
	const char *m = shim_error.message;

	FUZZ_CHECK(strcmp(shim_error.sqlstate, "TD422") == 0);
	FUZZ_CHECK(m != NULL && fuzz_utf8_valid(m, strlen(m)));
	for (const unsigned char *p = (const unsigned char *) m; *p; p++)
		FUZZ_CHECK(*p >= 0x20 && *p != 0x7F && !(p[0] == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F));
	FUZZ_CHECK(shim_error.detail != NULL);
	detail = json_loads(shim_error.detail, 0, NULL);
	FUZZ_CHECK(json_is_object(detail) && json_object_size(detail) == 1);
	item = json_array_get(json_object_get(detail, "details"), 0);
	FUZZ_CHECK(json_array_size(json_object_get(detail, "details")) == 1);
	FUZZ_CHECK(json_is_string(json_object_get(item, "field")) &&
	           strcmp(json_string_value(json_object_get(item, "field")), "tags") == 0);
	FUZZ_CHECK(json_is_string(json_object_get(item, "message")) &&
	           strcmp(json_string_value(json_object_get(item, "message")), m) == 0);
	json_decref(detail);
}

static void
run(const uint8_t *data, size_t size)
{
	char       *tags[MAX_TAGS];
	int         lens[MAX_TAGS];
	int         n = 0;
	int         flags = data[0];
	int         ndims = 1;
	struct call c;
	Datum      *out;
	int         nout;

	for (size_t i = 1; i <= size && n < MAX_TAGS;) {
		const uint8_t *nul = memchr(data + i, '\0', size - i);
		size_t         len = nul != NULL ? (size_t) (nul - (data + i)) : size - i;

		if (len == 1 && data[i] == 0xFF)
			tags[n] = NULL;
		else if (!fuzz_utf8_valid((const char *) data + i, len))
			return;
		else
			tags[n] = (char *) data + i;
		lens[n++] = (int) len;
		i += len + 1;
	}
	if ((flags & 3) == 1 && n >= 2 && n % 2 == 0)
		ndims = 2;
	if ((flags & 3) == 2)
		n = 0;      /* the empty array */
	c.in = shim_text_array(n, tags, lens, ndims, 2, (flags & 4) ? -3 : 1);
	c.out = NULL;

	if (!shim_try(call_normalize, &c)) {
		check_error();
		return;
	}
	FUZZ_CHECK(ARR_NDIM(c.out) == (n == 0 ? 0 : 1));
	FUZZ_CHECK(ndims == 1);
	if (n == 0)
		return;
	FUZZ_CHECK(ARR_LBOUND(c.out)[0] == 1 && !ARR_HASNULL(c.out));
	nout = elements(c.out, &out);
	FUZZ_CHECK(nout >= 1 && nout <= 20);

	/* the first occurrences of the tags normalized one by one, in order */
	{
		int kept = 0;

		for (int i = 0; i < n; i++) {
			struct call one;
			Datum      *single;
			bool        seen = false;

			FUZZ_CHECK(tags[i] != NULL);
			one.in = shim_text_array(1, &tags[i], &lens[i], 1, 1, 1);
			FUZZ_CHECK(shim_try(call_normalize, &one));
			FUZZ_CHECK(elements(one.out, &single) == 1);
			for (int k = 0; k < kept && !seen; k++)
				seen = same_text(out[k], single[0]);
			if (!seen) {
				FUZZ_CHECK(kept < nout && same_text(out[kept], single[0]));
				kept++;
			}
		}
		FUZZ_CHECK(kept == nout);
	}
	for (int i = 0; i < nout; i++) {
		check_tag(out[i]);
		for (int k = 0; k < i; k++)
			FUZZ_CHECK(!same_text(out[i], out[k]));
	}

	/* normalized tags are a fixed point */
	{
		struct call again = { c.out, NULL };
		Datum      *out2;

		FUZZ_CHECK(shim_try(call_normalize, &again));
		FUZZ_CHECK(VARSIZE(again.out) == VARSIZE(c.out) &&
		           memcmp(again.out, c.out, VARSIZE(c.out)) == 0);
		FUZZ_CHECK(elements(again.out, &out2) == nout);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size >= 1)
		run(data, size);
	shim_reset();
	return 0;
}
