/* backend.c - the rest of the backend the extension's files name: the transaction's start
 * time (shim_now), and what no harness reaches (jwt_sign's jsonb output, task_json's
 * catalog lookups and tuples, timestamps), which aborts if ever called. */
#include "pgshim.h"

#include "access/htup_details.h"
#include "access/tupdesc.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "utils/builtins.h"
#include "utils/catcache.h"
#include "utils/datetime.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/syscache.h"
#include "utils/typcache.h"

TimestampTz shim_now;

TimestampTz
GetCurrentTransactionStartTimestamp(void)
{
	return shim_now;
}

#define UNREACHED(what)                                                                    \
	do {                                                                                   \
		fprintf(stderr, "pgshim: %s is not part of the shim\n", what);                     \
		abort();                                                                           \
	} while (0)

char *
JsonbToCString(StringInfo out, JsonbContainer *in, int estimated_len)
{
	UNREACHED("JsonbToCString");
}

MemoryContext
AllocSetContextCreateInternal(MemoryContext parent, const char *name, Size minContextSize,
                              Size initBlockSize, Size maxBlockSize)
{
	UNREACHED("AllocSetContextCreate");
}

void
MemoryContextDelete(MemoryContext context)
{
	UNREACHED("MemoryContextDelete");
}

TupleDesc
CreateTupleDescCopyConstr(TupleDesc tupdesc)
{
	UNREACHED("CreateTupleDescCopyConstr");
}

HeapTupleHeader
DatumGetHeapTupleHeader(Datum d)
{
	UNREACHED("DatumGetHeapTupleHeader");
}

void
DecrTupleDescRefCount(TupleDesc tupdesc)
{
	UNREACHED("DecrTupleDescRefCount");
}

void
EncodeDateTime(struct pg_tm *tm, fsec_t fsec, bool print_tz, int tz, const char *tzn,
               int style, char *str)
{
	UNREACHED("EncodeDateTime");
}

void
EncodeSpecialTimestamp(Timestamp dt, char *str)
{
	UNREACHED("EncodeSpecialTimestamp");
}

int
timestamp2tm(Timestamp dt, int *tzp, struct pg_tm *tm, fsec_t *fsec, const char **tzn,
             pg_tz *attimezone)
{
	UNREACHED("timestamp2tm");
}

void
ReleaseCatCacheList(CatCList *list)
{
	UNREACHED("ReleaseCatCacheList");
}

struct catclist *
SearchSysCacheList(int cacheId, int nkeys, Datum key1, Datum key2, Datum key3)
{
	UNREACHED("SearchSysCacheList");
}

char *
format_type_be(Oid type_oid)
{
	UNREACHED("format_type_be");
}

void
heap_deform_tuple(HeapTuple tuple, TupleDesc tupleDesc, Datum *values, bool *isnull)
{
	UNREACHED("heap_deform_tuple");
}

TupleDesc
lookup_rowtype_tupdesc(Oid type_id, int32 typmod)
{
	UNREACHED("lookup_rowtype_tupdesc");
}

TypeCacheEntry *
lookup_type_cache(Oid type_id, int flags)
{
	UNREACHED("lookup_type_cache");
}

bool
type_is_enum(Oid typid)
{
	UNREACHED("type_is_enum");
}
