/* jsonnum.c - whether the numbers of a JSON text fit PostgreSQL's numeric, as jsonb needs. */
#include "jsonnum.h"

#include <stdint.h>

/* PostgreSQL 15's limits (numeric.c): display scale, and the decimal weight of the first
 * digit (base-10000 weight at most INT16_MAX, four decimal digits each). Its input
 * function also refuses an exponent of INT_MAX / 2 or more, either sign, whatever the
 * digits (0e1073741823 too). */
#define NUMERIC_DSCALE_MAX   16383
#define NUMERIC_DWEIGHT_MAX  (4 * 32767 + 3)
#define NUMERIC_EXPONENT_MAX 1073741823LL

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * The number at json[*i] (a valid JSON number token): whether numeric holds it. *i moves
 * past the token.
 */
static bool
jsonnum_fits(const char *json, size_t len, size_t *i)
{
	size_t    int_digits = 0;
	size_t    frac_digits = 0;
	int64_t   first_nonzero = INT64_MIN;  /* decimal position of the first non-zero digit */
	long long exponent = 0;
	bool      negative_exponent = false;
	int64_t   dscale;

	if (*i < len && json[*i] == '-')
		(*i)++;
	for (; *i < len && is_digit(json[*i]); (*i)++, int_digits++) {
		if (json[*i] != '0' && first_nonzero == INT64_MIN)
			first_nonzero = (int64_t) int_digits;       /* fixed up below */
	}
	if (first_nonzero != INT64_MIN)
		first_nonzero = (int64_t) int_digits - 1 - first_nonzero;
	if (*i < len && json[*i] == '.') {
		for ((*i)++; *i < len && is_digit(json[*i]); (*i)++) {
			frac_digits++;
			if (json[*i] != '0' && first_nonzero == INT64_MIN)
				first_nonzero = -(int64_t) frac_digits;
		}
	}
	if (*i < len && (json[*i] == 'e' || json[*i] == 'E')) {
		(*i)++;
		if (*i < len && (json[*i] == '+' || json[*i] == '-'))
			negative_exponent = json[(*i)++] == '-';
		for (; *i < len && is_digit(json[*i]); (*i)++) {
			if (exponent <= NUMERIC_EXPONENT_MAX)
				exponent = exponent * 10 + (json[*i] - '0');
		}
	}
	if (exponent >= NUMERIC_EXPONENT_MAX)
		return false;
	if (negative_exponent)
		exponent = -exponent;
	dscale = (int64_t) frac_digits - exponent;
	if (dscale > NUMERIC_DSCALE_MAX)
		return false;
	return first_nonzero == INT64_MIN || first_nonzero + exponent <= NUMERIC_DWEIGHT_MAX;
}

bool
jsonnum_all_fit(const char *json, size_t len)
{
	for (size_t i = 0; i < len;) {
		char c = json[i];

		if (c == '"') {
			/* a string: skip it, escapes included (jansson has checked it) */
			for (i++; i < len && json[i] != '"'; i++) {
				if (json[i] == '\\')
					i++;
			}
			i++;
		} else if (c == '-' || is_digit(c)) {
			if (!jsonnum_fits(json, len, &i))
				return false;
		} else
			i++;
	}
	return true;
}
