/*
 * pgshim.h - just enough of a PostgreSQL backend to run the extension's C (extension/src)
 * inside a libFuzzer harness: palloc that the harness frees after each input, ereport that
 * longjmps to PG_TRY and records the error, text and one-dimensional text[] values, the
 * UTF-8 helpers, and a model of jsonb_in / numeric for jwt.c. The JSON lexer, StringInfo,
 * the UTF-8 tables and HMAC come from PostgreSQL itself (libpgcommon, frontend build).
 * Everything else the extension's files name but the harnesses never reach aborts.
 */
#ifndef PGSHIM_H
#define PGSHIM_H

#include "postgres.h"

#include "datatype/timestamp.h"
#include "utils/array.h"

/* The last error raised with ereport(ERROR) (or lower), valid until shim_reset(). */
struct shim_error {
	int   elevel;
	int   sqlerrcode;
	char  sqlstate[6];
	char *message;
	char *detail;
};
extern struct shim_error shim_error;

/* Once, before the first input: the locale of str_tolower (C.UTF-8). */
void shim_init(void);
/* After each input: frees everything palloc'd since the last reset, clears shim_error. */
void shim_reset(void);
/* Number of live palloc chunks (0 after shim_reset). */
size_t shim_live_chunks(void);

/* Calls f(arg) under PG_TRY: true when it returned, false when it raised (see shim_error). */
bool shim_try(void (*f)(void *), void *arg);

/* A text datum of the n bytes at s: a 1-byte header when short is set and n fits, as
 * heap_deform_tuple gives short values from disk, else the usual 4-byte header. */
text *shim_text(const char *s, int n, bool short_header);

/* A text[] of n elements (NULL in elems: SQL NULL) with ndims dimensions (1, or 2 as
 * dims[0] x n/dims[0]) and lower bound lbound, laid out as PostgreSQL lays arrays out. */
ArrayType *shim_text_array(int n, char *const *elems, const int *lens, int ndims, int dim0,
                           int lbound);

/* What GetCurrentTransactionStartTimestamp() returns. */
extern TimestampTz shim_now;

#endif
