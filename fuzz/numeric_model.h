/*
 * numeric_model.h - whether PostgreSQL's numeric can hold a JSON number, as jsonb needs it to
 * (numeric.c, set_var_from_str and make_result): an exponent within +-INT_MAX/2, a display
 * scale of at most 16383 digits, a weight of at most 32767 base-10000 digits. The harnesses'
 * reference for what jsonb refuses ("value overflows numeric format", SQLSTATE 22003).
 */
#ifndef FUZZ_NUMERIC_MODEL_H
#define FUZZ_NUMERIC_MODEL_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#define FUZZ_NUMERIC_DSCALE_MAX 0x3FFF
#define FUZZ_NUMERIC_WEIGHT_MAX 32767

/* n bytes at s: a number as JSON writes it (-?digits[.digits][(e|E)[+-]digits]) */
static inline bool
fuzz_numeric_fits(const char *s, size_t n)
{
	const char *p = s;
	const char *end = s + n;
	long        intdigits = 0;            /* significant digits before the point */
	long        frac = 0;
	long        leading_frac_zeros = 0;
	bool        nonzero = false;
	long        exponent = 0;
	long        dscale;
	long        dweight;

	if (p < end && *p == '-')
		p++;
	for (; p < end && *p >= '0' && *p <= '9'; p++)
		if (*p != '0' || nonzero) {
			nonzero = true;
			intdigits++;
		}
	if (p < end && *p == '.')
		for (p++; p < end && *p >= '0' && *p <= '9'; p++) {
			frac++;
			if (!nonzero && *p == '0')
				leading_frac_zeros++;
			else
				nonzero = true;
		}
	if (p < end && (*p == 'e' || *p == 'E')) {
		bool neg;

		p++;
		neg = p < end && *p == '-';
		if (p < end && (*p == '+' || *p == '-'))
			p++;
		for (; p < end && *p >= '0' && *p <= '9'; p++)
			if (exponent < INT_MAX)
				exponent = exponent * 10 + (*p - '0');
		if (exponent >= INT_MAX / 2)
			return false;
		exponent = neg ? -exponent : exponent;
	}
	dscale = frac - exponent;
	if (dscale < 0)
		dscale = 0;
	/* the decimal position of the first significant digit, then in base-10000 digits */
	dweight = intdigits > 0 ? intdigits - 1 + exponent : -leading_frac_zeros - 1 + exponent;
	return dscale <= FUZZ_NUMERIC_DSCALE_MAX &&
	       (!nonzero || (dweight >= 0 ? dweight / 4 : -((-dweight - 1) / 4) - 1) <=
	                        FUZZ_NUMERIC_WEIGHT_MAX);
}

/* Whether every number of a valid JSON text fits numeric (strings are skipped). */
static inline bool
fuzz_json_numbers_fit(const char *json, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (json[i] == '"') {
			for (i++; i < len && json[i] != '"'; i++)
				if (json[i] == '\\')
					i++;
		} else if (json[i] == '-' || (json[i] >= '0' && json[i] <= '9')) {
			size_t start = i;

			while (i < len && (json[i] == '-' || json[i] == '+' || json[i] == '.' ||
			                   json[i] == 'e' || json[i] == 'E' ||
			                   (json[i] >= '0' && json[i] <= '9')))
				i++;
			if (!fuzz_numeric_fits(json + start, i - start))
				return false;
			i--;
		}
	}
	return true;
}

#endif
