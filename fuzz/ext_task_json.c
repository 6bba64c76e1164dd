/*
 * ext_task_json.c - the Task object's values as extension/src/task_json.c writes them: text
 * (title, description; the stack buffer under 1024 bytes, the heap above), a uuid, and
 * tags (text[] with nulls and dimensions), through the PostgreSQL shim (shim/). The file is
 * included to reach its static writers; task_json() itself needs the catalogs (the row
 * type, the enums), which the shim does not fake, and timestamps are left to the server's
 * own datetime code: both are covered by sql/task_json.sql.
 *
 * Input: a flags byte, a byte repeating the description, then NUL-separated fields: title,
 * description, 16 bytes of uuid (shorter: zero-padded), then tags (0xFF alone: NULL).
 * Inputs with text that is not UTF-8 are skipped (the server holds none).
 * Properties: the result is one JSON object that reads back (PostgreSQL's JSON parser,
 * de-escaping) as exactly the
 * values written, the uuid as uuid_out writes it; tags of more than one dimension are
 * refused (and nothing else is).
 */
#include "../extension/src/task_json.c"

#include "common/jsonapi.h"
#include "mb/pg_wchar.h"

#include "fuzz.h"
#include "pgshim.h"

#define MAX_FIELDS 40
#define MAX_DESCRIPTION (64 * 1024)

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	shim_init();
	return 0;
}

struct render {
	Datum          title;
	Datum          description;
	Datum          id;
	Datum          tags;
	StringInfoData out;
};

static void
render(void *arg)
{
	struct render *r = arg;

	initStringInfo(&r->out);
	appendStringInfoString(&r->out, "{\"id\":");
	TaskJsonAppendUuid(&r->out, r->id);
	appendStringInfoString(&r->out, ",\"title\":");
	TaskJsonAppendText(&r->out, r->title);
	appendStringInfoString(&r->out, ",\"description\":");
	TaskJsonAppendText(&r->out, r->description);
	appendStringInfoString(&r->out, ",\"tags\":");
	TaskJsonAppendTags(&r->out, r->tags);
	appendStringInfoChar(&r->out, '}');
}

/* the result read back: each scalar with the member it is in */
typedef struct readback {
	JsonLexContext *lex;
	int             objects;
	int             arrays;
	int             n;
	char           *field[MAX_FIELDS + 3];
	char           *value[MAX_FIELDS + 3];      /* NULL for null */
} readback;

static void
rb_object(void *state)
{
	((readback *) state)->objects++;
}

static void
rb_array(void *state)
{
	((readback *) state)->arrays++;
}

static void
rb_field(void *state, char *fname, bool isnull)
{
	readback *rb = state;

	FUZZ_CHECK(rb->n < MAX_FIELDS + 3);
	rb->field[rb->n] = fname;
}

static void
rb_scalar(void *state, char *token, JsonTokenType type)
{
	readback *rb = state;

	FUZZ_CHECK(type == JSON_TOKEN_STRING || type == JSON_TOKEN_NULL);
	FUZZ_CHECK(rb->n < MAX_FIELDS + 3);
	if (rb->n > 0 && rb->field[rb->n] == NULL)
		rb->field[rb->n] = rb->field[rb->n - 1];    /* an element of the tags array */
	rb->value[rb->n++] = type == JSON_TOKEN_STRING ? token : NULL;
}

static void
check_string(const readback *rb, int i, const char *name, const char *s, size_t n)
{
	FUZZ_CHECK(i < rb->n && strcmp(rb->field[i], name) == 0 && rb->value[i] != NULL);
	FUZZ_CHECK(strlen(rb->value[i]) == n && memcmp(rb->value[i], s, n) == 0);
}

static void
run(const uint8_t *data, size_t size)
{
	const char    *fields[MAX_FIELDS];
	int            lens[MAX_FIELDS];
	int            n = 0;
	bool           short_header = data[0] & 1;
	int            ndims = (data[0] & 6) == 6 ? 2 : 1;
	int            repeat = 1 + data[1] % 64;
	char          *description;
	int            dlen;
	pg_uuid_t      uuid = { { 0 } };
	char           uuid_text[37];
	struct render  r;
	readback       rb = { 0 };
	JsonSemAction  sem = { 0 };
	int            ntags;

	for (size_t i = 2; i <= size && n < MAX_FIELDS;) {
		const uint8_t *nul = memchr(data + i, '\0', size - i);
		size_t         len = nul != NULL ? (size_t) (nul - (data + i)) : size - i;

		fields[n] = (const char *) data + i;
		lens[n++] = (int) len;
		i += len + 1;
	}
	while (n < 3) {
		fields[n] = "";
		lens[n++] = 0;
	}
	for (int i = 0; i < n; i++)
		if (i != 2 && !(i > 2 && lens[i] == 1 && (uint8_t) fields[i][0] == 0xFF) &&
		    !fuzz_utf8_valid(fields[i], lens[i]))
			return;

	dlen = lens[1] * repeat;
	if (dlen > MAX_DESCRIPTION)
		return;
	description = palloc(Max(dlen, 1));
	for (int k = 0; k < repeat; k++)
		memcpy(description + k * lens[1], fields[1], lens[1]);
	memcpy(uuid.data, fields[2], Min(lens[2], UUID_LEN));
	ntags = n - 3;
	if (ndims == 2 && (ntags < 2 || ntags % 2 != 0))
		ndims = 1;
	{
		char *tagv[MAX_FIELDS];

		for (int i = 0; i < ntags; i++)
			tagv[i] = lens[3 + i] == 1 && (uint8_t) fields[3 + i][0] == 0xFF ? NULL
			                                                               : (char *) fields[3 + i];
		r.tags = PointerGetDatum(shim_text_array(ntags, tagv, lens + 3, ndims, 2, 1));
	}
	r.title = PointerGetDatum(shim_text(fields[0], lens[0], short_header));
	r.description = PointerGetDatum(shim_text(description, dlen, short_header));
	r.id = UUIDPGetDatum(&uuid);

	if (!shim_try(render, &r)) {
		FUZZ_CHECK(ndims == 2 && strcmp(shim_error.sqlstate, "2202E") == 0);
		return;
	}
	FUZZ_CHECK(ndims == 1);
	rb.lex = makeJsonLexContextCstringLen(r.out.data, r.out.len, PG_UTF8, true);
	sem.semstate = &rb;
	sem.object_start = rb_object;
	sem.array_start = rb_array;
	sem.object_field_start = rb_field;
	sem.scalar = rb_scalar;
	FUZZ_CHECK(pg_parse_json(rb.lex, &sem) == JSON_SUCCESS);
	FUZZ_CHECK(rb.objects == 1 && rb.arrays == 1 && rb.n == 3 + ntags);
	snprintf(uuid_text, sizeof uuid_text,
	         "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
	         uuid.data[0], uuid.data[1], uuid.data[2], uuid.data[3], uuid.data[4], uuid.data[5],
	         uuid.data[6], uuid.data[7], uuid.data[8], uuid.data[9], uuid.data[10],
	         uuid.data[11], uuid.data[12], uuid.data[13], uuid.data[14], uuid.data[15]);
	check_string(&rb, 0, "id", uuid_text, 36);
	check_string(&rb, 1, "title", fields[0], lens[0]);
	check_string(&rb, 2, "description", description, dlen);
	for (int i = 0; i < ntags; i++) {
		if (lens[3 + i] == 1 && (uint8_t) fields[3 + i][0] == 0xFF)
			FUZZ_CHECK(strcmp(rb.field[3 + i], "tags") == 0 && rb.value[3 + i] == NULL);
		else
			check_string(&rb, 3 + i, "tags", fields[3 + i], lens[3 + i]);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size >= 2)
		run(data, size);
	shim_reset();
	return 0;
}
