/* task_json.c: a todo.tasks row as the contract's Task object: task_json */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_enum.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/catcache.h"
#include "utils/datetime.h"
#include "utils/json.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"
#include "utils/typcache.h"
#include "utils/uuid.h"

PG_FUNCTION_INFO_V1(task_json);

/* a text shorter than this is copied to the stack to be NUL-terminated */
#define TASK_JSON_TEXT_BUFFER	1024

/* how a column is written */
typedef enum TaskColumnKind
{
	TASK_UUID,
	TASK_TEXT,
	TASK_STATUS,				/* an enum, as its label */
	TASK_COMPLETED,				/* the status column, as status = 'completed' */
	TASK_PRIORITY,				/* an enum, as its label */
	TASK_TIMESTAMPTZ,			/* RFC 3339 in UTC, like todo.rfc3339 */
	TASK_TAGS					/* a one-dimensional text[] */
} TaskColumnKind;

/* one member of the Task object, in the contract's order */
typedef struct TaskMember
{
	const char *prefix;			/* the JSON before the value: separator and key */
	const char *column;			/* the column of todo.tasks it shows */
	TaskColumnKind kind;
} TaskMember;

static const TaskMember TaskMembers[] = {
	{"{\"id\":", "id", TASK_UUID},
	{",\"user_id\":", "user_id", TASK_UUID},
	{",\"title\":", "title", TASK_TEXT},
	{",\"description\":", "description", TASK_TEXT},
	{",\"status\":", "status", TASK_STATUS},
	{",\"completed\":", "status", TASK_COMPLETED},
	{",\"priority\":", "priority", TASK_PRIORITY},
	{",\"due_date\":", "due_date", TASK_TIMESTAMPTZ},
	{",\"tags\":", "tags", TASK_TAGS},
	{",\"recursion_pattern\":", "recursion_pattern", TASK_TEXT},
	{",\"completed_at\":", "completed_at", TASK_TIMESTAMPTZ},
	{",\"created_at\":", "created_at", TASK_TIMESTAMPTZ},
	{",\"updated_at\":", "updated_at", TASK_TIMESTAMPTZ},
};

#define TASK_MEMBERS	lengthof(TaskMembers)

/* the labels of an enum type, each as a JSON string */
typedef struct TaskEnum
{
	Oid			typid;
	int			nlabels;
	Oid		   *oids;			/* pg_enum OIDs, the values of the type */
	char	  **json;			/* the label of each, quoted and escaped */
} TaskEnum;

/*
 * What a call site needs to write a row of one row type: kept in fn_extra, in
 * a memory context of its own under fn_mcxt, and rebuilt when the row type or
 * its tuple descriptor changes (ALTER TABLE).
 */
typedef struct TaskJsonCache
{
	MemoryContext mcxt;
	Oid			typid;
	int32		typmod;
	TypeCacheEntry *typentry;	/* of typid; NULL for a RECORD, which never changes */
	uint64		tupdesc_id;		/* typentry->tupDesc_identifier of tupdesc */
	TupleDesc	tupdesc;		/* a copy, in mcxt, for heap_deform_tuple */
	int			attnums[TASK_MEMBERS];	/* 0-based index of each member's column */
	int			prefixlens[TASK_MEMBERS];
	Datum	   *values;			/* the deformed row: tupdesc->natts of each */
	bool	   *nulls;
	TaskEnum	status;
	TaskEnum	priority;
	Oid			completed;		/* the status that is completed */
} TaskJsonCache;

/*
 * Load the labels of enum type typid into e, allocated in mcxt.
 */
static void
TaskEnumLoad(TaskEnum *e, Oid typid, MemoryContext mcxt)
{
	CatCList   *list = SearchSysCacheList1(ENUMTYPOIDNAME, ObjectIdGetDatum(typid));
	int			n = list->n_members;
	int			i;

	e->typid = typid;
	e->nlabels = n;
	e->oids = MemoryContextAlloc(mcxt, Max(n, 1) * sizeof(Oid));
	e->json = MemoryContextAlloc(mcxt, Max(n, 1) * sizeof(char *));
	for (i = 0; i < n; i++)
	{
		Form_pg_enum en = (Form_pg_enum) GETSTRUCT(&list->members[i]->tuple);
		StringInfoData label;

		initStringInfo(&label);
		escape_json(&label, NameStr(en->enumlabel));
		e->oids[i] = en->oid;
		e->json[i] = MemoryContextStrdup(mcxt, label.data);
		pfree(label.data);
	}
	ReleaseSysCacheList(list);
}

/*
 * The label of value as a JSON string.  A value unknown to the cache was
 * added by ALTER TYPE ... ADD VALUE since it was built: load the labels again.
 */
static const char *
TaskEnumJson(TaskEnum *e, Oid value, MemoryContext mcxt)
{
	int			i;

	for (i = 0; i < e->nlabels; i++)
		if (e->oids[i] == value)
			return e->json[i];

	TaskEnumLoad(e, e->typid, mcxt);
	for (i = 0; i < e->nlabels; i++)
		if (e->oids[i] == value)
			return e->json[i];

	ereport(ERROR,
			(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
			 errmsg("invalid internal value for enum: %u", value)));
	return NULL;				/* keep the compiler quiet */
}

/*
 * The 0-based index of column name in tupdesc, which must be of type typid
 * (any enum when typid is ANYENUMOID).  Errors name the column: a later
 * ALTER TABLE cannot make task_json show the wrong data.
 */
static int
TaskColumn(TupleDesc tupdesc, Oid rowtype, const char *name, Oid typid)
{
	int			i;

	for (i = 0; i < tupdesc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(tupdesc, i);

		if (att->attisdropped || strcmp(NameStr(att->attname), name) != 0)
			continue;
		if (typid == ANYENUMOID ? !type_is_enum(att->atttypid) : att->atttypid != typid)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("column \"%s\" of %s is of type %s, not %s",
							name, format_type_be(rowtype),
							format_type_be(att->atttypid),
							typid == ANYENUMOID ? "an enum" : format_type_be(typid)),
					 errhint("todo.task_json in extension/src/task_json.c must be changed with the table.")));
		return i;
	}
	ereport(ERROR,
			(errcode(ERRCODE_UNDEFINED_COLUMN),
			 errmsg("column \"%s\" of %s does not exist", name, format_type_be(rowtype)),
			 errhint("todo.task_json in extension/src/task_json.c must be changed with the table.")));
	return -1;					/* keep the compiler quiet */
}

/*
 * Find the columns of every member by name and check their types, find the
 * enum labels, and make room for the deformed row.
 */
static void
TaskJsonCacheBuild(TaskJsonCache *cache, TupleDesc tupdesc)
{
	MemoryContext old = MemoryContextSwitchTo(cache->mcxt);
	int			i;

	/* with the defaults of added columns, which rows made before lack */
	cache->tupdesc = CreateTupleDescCopyConstr(tupdesc);
	cache->values = palloc(Max(tupdesc->natts, 1) * sizeof(Datum));
	cache->nulls = palloc(Max(tupdesc->natts, 1) * sizeof(bool));
	MemoryContextSwitchTo(old);

	for (i = 0; i < (int) TASK_MEMBERS; i++)
	{
		const TaskMember *m = &TaskMembers[i];
		Oid			typid;
		int			col;

		switch (m->kind)
		{
			case TASK_UUID:
				typid = UUIDOID;
				break;
			case TASK_TEXT:
				typid = TEXTOID;
				break;
			case TASK_TIMESTAMPTZ:
				typid = TIMESTAMPTZOID;
				break;
			case TASK_TAGS:
				typid = TEXTARRAYOID;
				break;
			default:
				typid = ANYENUMOID;
				break;
		}
		col = TaskColumn(tupdesc, cache->typid, m->column, typid);
		cache->attnums[i] = col;
		cache->prefixlens[i] = strlen(m->prefix);

		if (m->kind == TASK_STATUS)
			TaskEnumLoad(&cache->status, TupleDescAttr(tupdesc, col)->atttypid,
						 cache->mcxt);
		else if (m->kind == TASK_PRIORITY)
			TaskEnumLoad(&cache->priority, TupleDescAttr(tupdesc, col)->atttypid,
						 cache->mcxt);
	}

	/* the value of status that makes completed true */
	cache->completed = InvalidOid;
	for (i = 0; i < cache->status.nlabels; i++)
		if (strcmp(cache->status.json[i], "\"completed\"") == 0)
			cache->completed = cache->status.oids[i];
	if (!OidIsValid(cache->completed))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("enum %s has no label \"completed\"",
						format_type_be(cache->status.typid))));
}

/*
 * A new cache for rows of type typid, typmod, in a memory context of its own
 * under parent; on error nothing is left behind.
 */
static TaskJsonCache *
TaskJsonCacheNew(MemoryContext parent, Oid typid, int32 typmod)
{
	TypeCacheEntry *typentry = typid != RECORDOID ? lookup_type_cache(typid, 0) : NULL;

	/* pinned: building the cache reads the catalogs, which may invalidate it */
	TupleDesc	tupdesc = lookup_rowtype_tupdesc(typid, typmod);
	MemoryContext mcxt = AllocSetContextCreate(parent, "todo.task_json cache",
											   ALLOCSET_SMALL_SIZES);
	TaskJsonCache *cache = MemoryContextAllocZero(mcxt, sizeof(TaskJsonCache));

	cache->mcxt = mcxt;
	cache->typid = typid;
	cache->typmod = typmod;
	cache->typentry = typentry;
	cache->tupdesc_id = typentry != NULL ? typentry->tupDesc_identifier : 0;

	PG_TRY();
	{
		TaskJsonCacheBuild(cache, tupdesc);
	}
	PG_CATCH();
	{
		ReleaseTupleDesc(tupdesc);
		MemoryContextDelete(mcxt);
		PG_RE_THROW();
	}
	PG_END_TRY();
	ReleaseTupleDesc(tupdesc);
	return cache;
}

/*
 * The cache of this call site for rows of type typid, typmod: the one in
 * fn_extra while it still describes that type, otherwise a new one.  For a
 * named row type the check costs no lookup: type cache entries live as long
 * as the backend, and tupDesc_identifier changes whenever the type's tuple
 * descriptor does (as in execExprInterp.c's get_cached_rowtype).
 */
static TaskJsonCache *
TaskJsonCacheGet(FunctionCallInfo fcinfo, Oid typid, int32 typmod)
{
	TaskJsonCache *cache = (TaskJsonCache *) fcinfo->flinfo->fn_extra;

	if (cache != NULL && cache->typid == typid && cache->typmod == typmod &&
		(cache->typentry == NULL ||
		 cache->typentry->tupDesc_identifier == cache->tupdesc_id))
		return cache;

	if (cache != NULL)
	{
		fcinfo->flinfo->fn_extra = NULL;
		MemoryContextDelete(cache->mcxt);
	}
	cache = TaskJsonCacheNew(fcinfo->flinfo->fn_mcxt, typid, typmod);
	fcinfo->flinfo->fn_extra = cache;
	return cache;
}

/* a uuid as a JSON string, as uuid_out writes it */
static void
TaskJsonAppendUuid(StringInfo out, Datum value)
{
	static const char hex[] = "0123456789abcdef";
	const pg_uuid_t *uuid = DatumGetUUIDP(value);
	char		buf[2 + 2 * UUID_LEN + 4];
	char	   *p = buf;
	int			i;

	*p++ = '"';
	for (i = 0; i < UUID_LEN; i++)
	{
		if (i == 4 || i == 6 || i == 8 || i == 10)
			*p++ = '-';
		*p++ = hex[uuid->data[i] >> 4];
		*p++ = hex[uuid->data[i] & 0x0F];
	}
	*p++ = '"';
	appendBinaryStringInfo(out, buf, p - buf);
}

/* a text as a JSON string, escaped by escape_json (which wants it NUL-terminated) */
static void
TaskJsonAppendText(StringInfo out, Datum value)
{
	text	   *t = DatumGetTextPP(value);
	int			len = VARSIZE_ANY_EXHDR(t);

	if (len < TASK_JSON_TEXT_BUFFER)
	{
		char		buf[TASK_JSON_TEXT_BUFFER];

		memcpy(buf, VARDATA_ANY(t), len);
		buf[len] = '\0';
		escape_json(out, buf);
	}
	else
	{
		char	   *str = text_to_cstring(t);

		escape_json(out, str);
		pfree(str);
	}
	if ((Pointer) t != DatumGetPointer(value))
		pfree(t);
}

/*
 * A timestamptz as the JSON string todo.rfc3339 makes of it,
 * (to_json(ts AT TIME ZONE 'UTC') #>> '{}') || 'Z': to_json's text of the
 * timestamp in UTC (JsonEncodeDateTime: the XSD style, fractional digits only
 * when there are some) followed by Z.  Like to_json, a year after 9999 has
 * more digits, a year BC is followed by " BC" and infinity is "infinity";
 * nothing of this needs escaping.
 */
static void
TaskJsonAppendTimestamp(StringInfo out, Datum value)
{
	Timestamp	ts = DatumGetTimestampTz(value);
	struct pg_tm tm;
	fsec_t		fsec;
	char		buf[MAXDATELEN + 1];

	if (TIMESTAMP_NOT_FINITE(ts))
		EncodeSpecialTimestamp(ts, buf);
	else if (timestamp2tm(ts, NULL, &tm, &fsec, NULL, NULL) == 0)
		EncodeDateTime(&tm, fsec, false, 0, NULL, USE_XSD_DATES, buf);
	else
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("timestamp out of range")));

	appendStringInfoChar(out, '"');
	appendStringInfoString(out, buf);
	appendBinaryStringInfo(out, "Z\"", 2);
}

/*
 * A text[] as a JSON array of strings, as array_to_json writes it.  The
 * table's check (normalize_tags) keeps tags one-dimensional and free of
 * nulls; a null is still written as null, but an array of more dimensions
 * is refused rather than nested.
 */
static void
TaskJsonAppendTags(StringInfo out, Datum value)
{
	ArrayType  *tags = DatumGetArrayTypeP(value);
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	int			i;

	if (ARR_NDIM(tags) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("tags must be a one-dimensional array")));

	deconstruct_array(tags, TEXTOID, -1, false, TYPALIGN_INT,
					  &elems, &nulls, &n);
	appendStringInfoChar(out, '[');
	for (i = 0; i < n; i++)
	{
		if (i > 0)
			appendStringInfoChar(out, ',');
		if (nulls[i])
			appendBinaryStringInfo(out, "null", 4);
		else
			TaskJsonAppendText(out, elems[i]);
	}
	appendStringInfoChar(out, ']');

	pfree(elems);
	pfree(nulls);
	if ((Pointer) tags != DatumGetPointer(value))
		pfree(tags);
}

/*
 * task_json(t todo.tasks) returns json
 *
 * The contract's Task object, in the compact form
 * {"id":"...","user_id":"...",...,"updated_at":"..."}: the members in the
 * contract's order, no white space, strings escaped by escape_json, enums as
 * their labels, timestamps as todo.rfc3339 writes them, and null for a null
 * column.  extension/plain/task_json.sql is the same function in SQL, for
 * installs without C; the two must write the same bytes.
 *
 * Columns are found by name (see TaskColumn), not by position.  Allocations
 * are in the caller's memory context, and only the result outlives the call.
 */
Datum
task_json(PG_FUNCTION_ARGS)
{
	HeapTupleHeader row = PG_GETARG_HEAPTUPLEHEADER(0);
	TaskJsonCache *cache = TaskJsonCacheGet(fcinfo,
											HeapTupleHeaderGetTypeId(row),
											HeapTupleHeaderGetTypMod(row));
	HeapTupleData tuple;
	StringInfoData out;
	int			i;

	tuple.t_len = HeapTupleHeaderGetDatumLength(row);
	ItemPointerSetInvalid(&tuple.t_self);
	tuple.t_tableOid = InvalidOid;
	tuple.t_data = row;
	heap_deform_tuple(&tuple, cache->tupdesc, cache->values, cache->nulls);

	/* the result is built in place: room for the varlena header first */
	initStringInfo(&out);
	appendStringInfoSpaces(&out, VARHDRSZ);

	for (i = 0; i < (int) TASK_MEMBERS; i++)
	{
		int			col = cache->attnums[i];
		Datum		value = cache->values[col];

		appendBinaryStringInfo(&out, TaskMembers[i].prefix, cache->prefixlens[i]);
		if (cache->nulls[col])
		{
			appendBinaryStringInfo(&out, "null", 4);
			continue;
		}
		switch (TaskMembers[i].kind)
		{
			case TASK_UUID:
				TaskJsonAppendUuid(&out, value);
				break;
			case TASK_TEXT:
				TaskJsonAppendText(&out, value);
				break;
			case TASK_STATUS:
				appendStringInfoString(&out, TaskEnumJson(&cache->status,
														  DatumGetObjectId(value),
														  cache->mcxt));
				break;
			case TASK_COMPLETED:
				if (DatumGetObjectId(value) == cache->completed)
					appendBinaryStringInfo(&out, "true", 4);
				else
					appendBinaryStringInfo(&out, "false", 5);
				break;
			case TASK_PRIORITY:
				appendStringInfoString(&out, TaskEnumJson(&cache->priority,
														  DatumGetObjectId(value),
														  cache->mcxt));
				break;
			case TASK_TIMESTAMPTZ:
				TaskJsonAppendTimestamp(&out, value);
				break;
			case TASK_TAGS:
				TaskJsonAppendTags(&out, value);
				break;
		}
	}
	appendStringInfoChar(&out, '}');

	PG_FREE_IF_COPY(row, 0);

	SET_VARSIZE(out.data, out.len);
	PG_RETURN_POINTER(out.data);
}
