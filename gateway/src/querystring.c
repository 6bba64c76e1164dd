/* querystring.c - the query string as JSON for the SQL call: names to arrays of values. */
#include "querystring.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

int
querystring_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes [s, s+n) into out (room for n bytes): %XX and '+'. A '%' not followed by two hex
 * digits is kept as is. Returns the decoded length. */
static size_t
querystring_decode(const char *s, size_t n, char *out)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		int hi;
		int lo;

		if (s[i] == '+')
			out[o++] = ' ';
		else if (s[i] == '%' && i + 2 < n && (hi = querystring_hex_digit(s[i + 1])) >= 0 &&
		         (lo = querystring_hex_digit(s[i + 2])) >= 0) {
			out[o++] = (char) (hi * 16 + lo);
			i += 2;
		} else
			out[o++] = s[i];
	}
	return o;
}

/* Adds one decoded name=value pair to obj. Returns 0, -1 (bad text), -2 (memory). */
static int
querystring_add_pair(json_t *obj, const char *pair, size_t n, char *scratch)
{
	const char *eq = memchr(pair, '=', n);
	size_t      name_len = eq != NULL ? (size_t) (eq - pair) : n;
	size_t      klen;
	size_t      vlen;
	char       *value;
	json_t     *arr;
	json_t     *str;

	/* scratch holds n + 2 bytes: name NUL value NUL */
	klen = querystring_decode(pair, name_len, scratch);
	scratch[klen] = '\0';
	value = scratch + klen + 1;
	vlen = eq != NULL ? querystring_decode(eq + 1, n - name_len - 1, value) : 0;
	value[vlen] = '\0';
	if (memchr(scratch, '\0', klen) != NULL || memchr(value, '\0', vlen) != NULL)
		return -1;
	str = json_stringn(value, vlen);
	if (str == NULL)
		return -1;      /* not UTF-8 (or no memory: reported as bad text, harmless) */
	arr = json_object_get(obj, scratch);
	if (arr == NULL) {
		arr = json_array();
		if (arr == NULL || json_object_set_new(obj, scratch, arr) != 0) {
			json_decref(str);
			return -1;  /* the name is not UTF-8 (set_new released arr) */
		}
	}
	return json_array_append_new(arr, str) == 0 ? 0 : -2;
}

int
querystring_to_json(const char *query, char **json)
{
	json_t *obj = json_object();
	char   *scratch;
	int     rc = 0;

	*json = NULL;
	if (obj == NULL)
		return -2;
	query = query != NULL ? query : "";
	scratch = malloc(strlen(query) + 2);
	if (scratch == NULL) {
		json_decref(obj);
		return -2;
	}
	for (const char *p = query; *p != '\0' && rc == 0;) {
		size_t n = strcspn(p, "&");

		if (n > 0)
			rc = querystring_add_pair(obj, p, n, scratch);
		p += n;
		if (*p == '&')
			p++;
	}
	free(scratch);
	if (rc == 0) {
		*json = json_dumps(obj, JSON_COMPACT);
		if (*json == NULL)
			rc = -2;
	}
	json_decref(obj);
	return rc;
}
