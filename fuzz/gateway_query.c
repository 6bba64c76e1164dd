/*
 * gateway_query.c - the query string of GET /api/{user_id}/tasks as the SQL call gets it:
 * querystring_to_json() (gateway/src/querystring.c).
 *
 * Input: the raw query string (without '?'; it ends at a NUL, as libmicrohttpd gives it).
 * Properties: against a plain reference decoder ('&'-separated pairs, empty ones skipped,
 * name up to the first '=', '+' as space, %XX as the byte, any other '%' as is): the call
 * refuses (-1) exactly when a decoded name or value is not UTF-8 or holds NUL; otherwise
 * its JSON is an object mapping each name to the array of its values in order, nothing
 * more.
 */
#include <jansson.h>
#include <stdbool.h>

#include "fuzz.h"
#include "querystring.h"

static size_t
reference_decode(const char *s, size_t n, char *out)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '+')
			out[o++] = ' ';
		else if (s[i] == '%' && n - i >= 3 && fuzz_hex(s[i + 1]) >= 0 && fuzz_hex(s[i + 2]) >= 0) {
			out[o++] = (char) (fuzz_hex(s[i + 1]) * 16 + fuzz_hex(s[i + 2]));
			i += 2;
		} else
			out[o++] = s[i];
	}
	return o;
}

static bool
text_ok(const char *s, size_t n)
{
	return memchr(s, '\0', n) == NULL && fuzz_utf8_valid(s, n);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char   *query = fuzz_cstring(data, size);
	size_t  qlen = strlen(query);
	char   *name = malloc(qlen + 1);
	char   *value = malloc(qlen + 1);
	char   *json = NULL;
	json_t *expected = json_object();
	json_t *got;
	bool    valid = true;
	int     rc;

	FUZZ_CHECK(name != NULL && value != NULL && expected != NULL);
	for (const char *p = query; *p != '\0' && valid;) {
		size_t      n = strcspn(p, "&");
		const char *eq = memchr(p, '=', n);
		size_t      nlen;
		size_t      vlen = 0;

		if (n > 0) {
			nlen = reference_decode(p, eq != NULL ? (size_t) (eq - p) : n, name);
			if (eq != NULL)
				vlen = reference_decode(eq + 1, n - (size_t) (eq - p) - 1, value);
			valid = text_ok(name, nlen) && text_ok(value, vlen);
			if (valid) {
				json_t *arr;

				name[nlen] = '\0';
				arr = json_object_get(expected, name);
				if (arr == NULL) {
					arr = json_array();
					FUZZ_CHECK(json_object_set_new(expected, name, arr) == 0);
				}
				FUZZ_CHECK(json_array_append_new(arr, json_stringn(value, vlen)) == 0);
			}
		}
		p += n;
		if (*p == '&')
			p++;
	}

	rc = querystring_to_json(query, &json);
	FUZZ_CHECK(rc == (valid ? 0 : -1));
	if (rc == 0) {
		got = json_loads(json, 0, NULL);
		FUZZ_CHECK(got != NULL && json_equal(got, expected));
		json_decref(got);
	} else
		FUZZ_CHECK(json == NULL);

	free(json);
	json_decref(expected);
	free(value);
	free(name);
	free(query);
	return 0;
}
