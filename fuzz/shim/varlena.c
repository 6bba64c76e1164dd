/* varlena.c - text and text[] values: built as the backend lays them out, read with
 * PostgreSQL's own macros (utils/array.h, access/tupmacs.h). Nothing is ever toasted. */
#include "pgshim.h"

#include "access/detoast.h"
#include "access/tupmacs.h"
#include "catalog/pg_type.h"
#include "utils/builtins.h"

text *
shim_text(const char *s, int n, bool short_header)
{
	text *t;

	if (short_header && n + VARHDRSZ_SHORT <= VARATT_SHORT_MAX) {
		t = palloc(VARHDRSZ_SHORT + n);
		SET_VARSIZE_SHORT(t, VARHDRSZ_SHORT + n);
		memcpy((char *) t + VARHDRSZ_SHORT, s, n);
		return t;
	}
	t = palloc(VARHDRSZ + n);
	SET_VARSIZE(t, VARHDRSZ + n);
	memcpy(VARDATA(t), s, n);
	return t;
}

text *
cstring_to_text_with_len(const char *s, int len)
{
	return shim_text(s, len, false);
}

text *
cstring_to_text(const char *s)
{
	return shim_text(s, strlen(s), false);
}

char *
text_to_cstring(const text *t)
{
	int   len = VARSIZE_ANY_EXHDR(t);
	char *s = palloc(len + 1);

	memcpy(s, VARDATA_ANY(t), len);
	s[len] = '\0';
	return s;
}

/* only short and plain 4-byte headers exist here: a short one is copied to a 4-byte one */
struct varlena *
pg_detoast_datum(struct varlena *datum)
{
	if (VARATT_IS_EXTERNAL(datum) || VARATT_IS_COMPRESSED(datum))
		abort();
	if (VARATT_IS_SHORT(datum))
		return (struct varlena *) shim_text(VARDATA_SHORT(datum), VARSIZE_SHORT(datum) -
		                                    VARHDRSZ_SHORT, false);
	return datum;
}

struct varlena *
pg_detoast_datum_packed(struct varlena *datum)
{
	if (VARATT_IS_EXTERNAL(datum) || VARATT_IS_COMPRESSED(datum))
		abort();
	return datum;
}

Size
toast_raw_datum_size(Datum value)
{
	return VARSIZE_ANY(DatumGetPointer(value));
}

ArrayType *
shim_text_array(int n, char *const *elems, const int *lens, int ndims, int dim0, int lbound)
{
	bool       has_nulls = false;
	int        dims[2];
	int        lbs[2] = { lbound, 1 };
	Size       data = 0;
	Size       offset;
	ArrayType *a;
	char      *p;

	if (n == 0)
		return construct_empty_array(TEXTOID);
	if (ndims == 2) {
		dims[0] = dim0;
		dims[1] = n / dim0;
	} else
		dims[0] = n;
	for (int i = 0; i < n; i++) {
		if (elems[i] == NULL)
			has_nulls = true;
		else
			data = INTALIGN(data) + VARHDRSZ + lens[i];
	}
	offset = has_nulls ? ARR_OVERHEAD_WITHNULLS(ndims, n) : ARR_OVERHEAD_NONULLS(ndims);
	a = palloc0(offset + data);
	SET_VARSIZE(a, offset + data);
	a->ndim = ndims;
	a->dataoffset = has_nulls ? (int32) offset : 0;
	a->elemtype = TEXTOID;
	memcpy(ARR_DIMS(a), dims, ndims * sizeof(int));
	memcpy(ARR_LBOUND(a), lbs, ndims * sizeof(int));
	p = ARR_DATA_PTR(a);
	for (int i = 0; i < n; i++) {
		if (elems[i] == NULL)
			continue;
		if (has_nulls)
			ARR_NULLBITMAP(a)[i / 8] |= (bits8) (1 << (i % 8));
		p = (char *) INTALIGN(p);
		SET_VARSIZE(p, VARHDRSZ + lens[i]);
		memcpy(VARDATA(p), elems[i], lens[i]);
		p += VARHDRSZ + lens[i];
	}
	return a;
}

ArrayType *
construct_empty_array(Oid elmtype)
{
	ArrayType *a = palloc0(sizeof(ArrayType));

	SET_VARSIZE(a, sizeof(ArrayType));
	a->elemtype = elmtype;
	return a;
}

/* text only: varlena elements, int alignment */
ArrayType *
construct_array(Datum *elems, int nelems, Oid elmtype, int elmlen, bool elmbyval,
                char elmalign)
{
	char **strs = palloc(Max(nelems, 1) * sizeof(char *));
	int   *lens = palloc(Max(nelems, 1) * sizeof(int));

	if (elmtype != TEXTOID || elmlen != -1 || elmbyval || elmalign != TYPALIGN_INT)
		abort();
	for (int i = 0; i < nelems; i++) {
		text *t = (text *) DatumGetPointer(elems[i]);

		strs[i] = VARDATA_ANY(t);
		lens[i] = VARSIZE_ANY_EXHDR(t);
	}
	return shim_text_array(nelems, strs, lens, 1, nelems, 1);
}

/* as arrayfuncs.c does it */
void
deconstruct_array(ArrayType *array, Oid elmtype, int elmlen, bool elmbyval, char elmalign,
                  Datum **elemsp, bool **nullsp, int *nelemsp)
{
	int    nelems = 1;
	char  *p = ARR_DATA_PTR(array);
	bits8 *bitmap = ARR_NULLBITMAP(array);
	int    bitmask = 1;

	if (ARR_ELEMTYPE(array) != elmtype || elmlen != -1 || elmbyval)
		abort();
	for (int i = 0; i < ARR_NDIM(array); i++)
		nelems *= ARR_DIMS(array)[i];
	if (ARR_NDIM(array) == 0)
		nelems = 0;
	*elemsp = palloc(Max(nelems, 1) * sizeof(Datum));
	*nullsp = palloc0(Max(nelems, 1) * sizeof(bool));
	*nelemsp = nelems;
	for (int i = 0; i < nelems; i++) {
		if (bitmap != NULL && (*bitmap & bitmask) == 0) {
			(*elemsp)[i] = (Datum) 0;
			(*nullsp)[i] = true;
		} else {
			(*elemsp)[i] = PointerGetDatum(p);
			p = att_addlength_pointer(p, elmlen, p);
			p = (char *) att_align_nominal(p, elmalign);
		}
		if (bitmap != NULL) {
			bitmask <<= 1;
			if (bitmask == 0x100) {
				bitmap++;
				bitmask = 1;
			}
		}
	}
}
