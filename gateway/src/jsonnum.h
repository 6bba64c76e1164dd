/* jsonnum.h - whether the numbers of a JSON text fit PostgreSQL's numeric, as jsonb needs. */
#ifndef GW_JSONNUM_H
#define GW_JSONNUM_H

#include <stdbool.h>
#include <stddef.h>

/*
 * jansson reads a number as a double and accepts what underflows it (1e-20000 becomes 0),
 * but jsonb keeps every number as numeric, which refuses more than 16383 digits after the
 * decimal point or 131072 before it ("value overflows numeric format", SQLSTATE 22003,
 * raised while the body is converted, before any check of the token). Given a JSON text
 * jansson has accepted (len bytes), returns true when each of its numbers fits numeric.
 */
bool jsonnum_all_fit(const char *json, size_t len);

#endif
