/*
 * jsonb.c - a model of what jwt.c asks of jsonb and numeric: jsonb_in parses with
 * PostgreSQL's own JSON lexer (libpgcommon, the de-escaping one, as jsonb_in does) and
 * refuses, with numeric_in's error, a number numeric cannot store (../numeric_model.h); the value is
 * a tree behind a Jsonb header whose root flags are the real ones (JB_ROOT_IS_OBJECT
 * works), read by getKeyJsonValueFromContainer and findJsonbValueFromContainer. A numeric
 * is a long double: exact enough for comparing times in microseconds.
 */
#include "pgshim.h"

#include "common/jsonapi.h"
#include "fmgr.h"
#include "mb/pg_wchar.h"
#include "utils/fmgrprotos.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"

#include "numeric_model.h"

struct NumericData {
	long double v;
};

typedef enum { SJ_OBJECT, SJ_ARRAY, SJ_STRING, SJ_NUMBER, SJ_TRUE, SJ_FALSE, SJ_NULL } sj_kind;

typedef struct sj_node {
	sj_kind          kind;
	char            *str;       /* SJ_STRING */
	Numeric          num;       /* SJ_NUMBER */
	int              n;         /* SJ_OBJECT, SJ_ARRAY: members */
	int              cap;
	char           **keys;      /* SJ_OBJECT */
	struct sj_node **vals;
} sj_node;

/* what a JsonbContainer points to here: the real header word, then the node */
typedef struct sj_container {
	uint32   header;
	uint32   pad;
	sj_node *node;
} sj_container;

#define SJ_MAX_DEPTH 10000

typedef struct sj_state {
	sj_node *root;
	sj_node *stack[SJ_MAX_DEPTH];
	int      depth;
	char    *key;
} sj_state;

static sj_node *
sj_new(sj_kind kind)
{
	sj_node *n = palloc0(sizeof(sj_node));

	n->kind = kind;
	return n;
}

static void
sj_add(sj_state *s, sj_node *n)
{
	sj_node *parent;

	if (s->depth == 0) {
		s->root = n;
		return;
	}
	parent = s->stack[s->depth - 1];
	if (parent->n == parent->cap) {
		parent->cap = parent->cap > 0 ? parent->cap * 2 : 4;
		parent->keys = parent->keys != NULL ? repalloc(parent->keys, parent->cap * sizeof(char *))
		                                    : palloc(parent->cap * sizeof(char *));
		parent->vals = parent->vals != NULL ? repalloc(parent->vals, parent->cap * sizeof(sj_node *))
		                                    : palloc(parent->cap * sizeof(sj_node *));
	}
	parent->keys[parent->n] = parent->kind == SJ_OBJECT ? s->key : NULL;
	parent->vals[parent->n] = n;
	parent->n++;
}

static void
sj_push(sj_state *s, sj_kind kind)
{
	sj_node *n = sj_new(kind);

	sj_add(s, n);
	if (s->depth == SJ_MAX_DEPTH)
		ereport(ERROR, (errcode(ERRCODE_STATEMENT_TOO_COMPLEX),
		                errmsg("stack depth limit exceeded")));
	s->stack[s->depth++] = n;
}

static void
sj_object_start(void *state)
{
	sj_push(state, SJ_OBJECT);
}

static void
sj_array_start(void *state)
{
	sj_push(state, SJ_ARRAY);
}

static void
sj_end(void *state)
{
	((sj_state *) state)->depth--;
}

static void
sj_field(void *state, char *fname, bool isnull)
{
	((sj_state *) state)->key = fname;
}

/* numeric_in's limits on a JSON number (the lexer checked its syntax): numeric_model.h */
static Numeric
sj_numeric(const char *token)
{
	Numeric num;

	if (!fuzz_numeric_fits(token, strlen(token)))
		ereport(ERROR, (errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
		                errmsg("value overflows numeric format")));
	num = palloc(sizeof(struct NumericData));
	num->v = strtold(token, NULL);
	return num;
}

static void
sj_scalar(void *state, char *token, JsonTokenType type)
{
	sj_node *n;

	switch (type) {
	case JSON_TOKEN_STRING:
		n = sj_new(SJ_STRING);
		n->str = token;
		break;
	case JSON_TOKEN_NUMBER:
		n = sj_new(SJ_NUMBER);
		n->num = sj_numeric(token);
		break;
	case JSON_TOKEN_TRUE:
		n = sj_new(SJ_TRUE);
		break;
	case JSON_TOKEN_FALSE:
		n = sj_new(SJ_FALSE);
		break;
	default:
		n = sj_new(SJ_NULL);
		break;
	}
	sj_add(state, n);
}

static sj_container *
sj_container_of(sj_node *n)
{
	sj_container *c = palloc0(sizeof(sj_container));

	c->header = (n->kind == SJ_OBJECT ? JB_FOBJECT : JB_FARRAY) | ((uint32) n->n & JB_CMASK);
	if (n->kind != SJ_OBJECT && n->kind != SJ_ARRAY)
		c->header = JB_FARRAY | JB_FSCALAR | 1;
	c->node = n;
	return c;
}

Datum
jsonb_in(PG_FUNCTION_ARGS)
{
	char           *json = PG_GETARG_CSTRING(0);
	sj_state       *state = palloc0(sizeof(sj_state));
	JsonSemAction   sem = { 0 };
	JsonLexContext *lex = makeJsonLexContextCstringLen(json, strlen(json), PG_UTF8, true);
	sj_container   *root;
	Jsonb          *jb;

	sem.semstate = state;
	sem.object_start = sj_object_start;
	sem.object_end = sj_end;
	sem.array_start = sj_array_start;
	sem.array_end = sj_end;
	sem.object_field_start = sj_field;
	sem.scalar = sj_scalar;
	if (pg_parse_json(lex, &sem) != JSON_SUCCESS)
		ereport(ERROR, (errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
		                errmsg("invalid input syntax for type json")));
	root = sj_container_of(state->root);
	jb = palloc0(VARHDRSZ + sizeof(sj_container));
	SET_VARSIZE(jb, VARHDRSZ + sizeof(sj_container));
	memcpy(&jb->root, root, sizeof(sj_container));
	PG_RETURN_POINTER(jb);
}

static sj_node *
sj_node_of(JsonbContainer *c)
{
	sj_container sc;

	memcpy(&sc, c, sizeof sc);
	return sc.node;
}

static void
sj_value(sj_node *n, JsonbValue *v)
{
	switch (n->kind) {
	case SJ_STRING:
		v->type = jbvString;
		v->val.string.val = n->str;
		v->val.string.len = strlen(n->str);
		break;
	case SJ_NUMBER:
		v->type = jbvNumeric;
		v->val.numeric = n->num;
		break;
	case SJ_TRUE:
	case SJ_FALSE:
		v->type = jbvBool;
		v->val.boolean = n->kind == SJ_TRUE;
		break;
	case SJ_NULL:
		v->type = jbvNull;
		break;
	case SJ_OBJECT:
	case SJ_ARRAY:
		v->type = jbvBinary;
		v->val.binary.data = (JsonbContainer *) sj_container_of(n);
		v->val.binary.len = sizeof(sj_container);
		break;
	}
}

/* jsonb keeps the last of duplicate keys */
JsonbValue *
getKeyJsonValueFromContainer(JsonbContainer *container, const char *keyVal, int keyLen,
                             JsonbValue *res)
{
	sj_node *n = sj_node_of(container);

	if (n->kind != SJ_OBJECT)
		return NULL;
	for (int i = n->n - 1; i >= 0; i--) {
		if ((int) strlen(n->keys[i]) == keyLen && memcmp(n->keys[i], keyVal, keyLen) == 0) {
			if (res == NULL)
				res = palloc(sizeof(JsonbValue));
			sj_value(n->vals[i], res);
			return res;
		}
	}
	return NULL;
}

/* strings in an array: what jwt.c looks for (aud) */
JsonbValue *
findJsonbValueFromContainer(JsonbContainer *container, uint32 flags, JsonbValue *key)
{
	sj_node *n = sj_node_of(container);

	if (!(flags & JB_FARRAY) || n->kind != SJ_ARRAY || key->type != jbvString)
		return NULL;
	for (int i = 0; i < n->n; i++) {
		sj_node *e = n->vals[i];

		if (e->kind == SJ_STRING && (int) strlen(e->str) == key->val.string.len &&
		    memcmp(e->str, key->val.string.val, key->val.string.len) == 0) {
			JsonbValue *v = palloc(sizeof(JsonbValue));

			sj_value(e, v);
			return v;
		}
	}
	return NULL;
}

Numeric
int64_div_fast_to_numeric(int64 val1, int log10val2)
{
	Numeric num = palloc(sizeof(struct NumericData));

	num->v = (long double) val1;
	for (int i = 0; i < log10val2; i++)
		num->v /= 10;
	return num;
}

Datum
numeric_cmp(PG_FUNCTION_ARGS)
{
	Numeric a = (Numeric) DatumGetPointer(PG_GETARG_DATUM(0));
	Numeric b = (Numeric) DatumGetPointer(PG_GETARG_DATUM(1));

	PG_RETURN_INT32(a->v < b->v ? -1 : a->v > b->v ? 1 : 0);
}

/* as fmgr.c */
Datum
DirectFunctionCall1Coll(PGFunction func, Oid collation, Datum arg1)
{
	LOCAL_FCINFO(fcinfo, 1);
	Datum result;

	InitFunctionCallInfoData(*fcinfo, NULL, 1, collation, NULL, NULL);
	fcinfo->args[0].value = arg1;
	fcinfo->args[0].isnull = false;
	result = (*func) (fcinfo);
	if (fcinfo->isnull)
		elog(ERROR, "function returned NULL");
	return result;
}

Datum
DirectFunctionCall2Coll(PGFunction func, Oid collation, Datum arg1, Datum arg2)
{
	LOCAL_FCINFO(fcinfo, 2);
	Datum result;

	InitFunctionCallInfoData(*fcinfo, NULL, 2, collation, NULL, NULL);
	fcinfo->args[0].value = arg1;
	fcinfo->args[0].isnull = false;
	fcinfo->args[1].value = arg2;
	fcinfo->args[1].isnull = false;
	result = (*func) (fcinfo);
	if (fcinfo->isnull)
		elog(ERROR, "function returned NULL");
	return result;
}
