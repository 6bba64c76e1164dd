/* request.c - per-request state: request id, body (64 KiB limit), content type, query string. */
#include "request.h"

#include <jansson.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

#include "clock.h"
#include "error.h"

struct gw_request *
request_new(const char *uri)
{
	struct gw_request *req = calloc(1, sizeof *req);
	size_t             path_len;
	const char        *q;

	if (req == NULL)
		return NULL;
	req->start_us = clock_now_us();
	req->auth = GW_AUTH_MISSING;
	path_len = strcspn(uri, "?#");
	req->path = strndup(uri, path_len < GW_PATH_KEEP_MAX ? path_len : GW_PATH_KEEP_MAX);
	q = uri[path_len] == '?' ? uri + path_len + 1 : NULL;
	if (q != NULL)
		req->query = strndup(q, strcspn(q, "#"));
	if (req->path == NULL || (q != NULL && req->query == NULL)) {
		request_free(req);
		return NULL;
	}
	return req;
}

void
request_free(struct gw_request *req)
{
	if (req == NULL)
		return;
	router_match_clear(&req->match);
	free(req->path);
	free(req->query);
	free(req->body.data);
	free(req);
}

int
request_body_append(struct gw_body *body, const char *chunk, size_t n)
{
	size_t keep;

	body->received += n;
	if (body->too_large)
		return 0;
	if (n > GW_BODY_MAX - body->len) {
		/* over the limit: stop accumulating, the request ends in 413 */
		body->too_large = true;
		free(body->data);
		body->data = NULL;
		body->len = 0;
		return 0;
	}
	keep = body->len + n;
	if (body->data == NULL) {
		/* one allocation of the whole limit: a body is at most 64 KiB, never reallocated */
		body->data = malloc(GW_BODY_MAX + 1);
		if (body->data == NULL)
			return -1;
	}
	memcpy(body->data + body->len, chunk, n);
	body->len = keep;
	body->data[keep] = '\0';
	return 0;
}

bool
request_has_body(const struct gw_body *body)
{
	return body->received > 0 || body->too_large;
}

/* Skips optional whitespace. */
static const char *
skip_ows(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

bool
request_content_type_is_json(const char *ct)
{
	const char *p;

	if (ct == NULL)
		return false;
	p = skip_ows(ct);
	if (strncasecmp(p, "application/json", 16) != 0)
		return false;
	p = skip_ows(p + 16);
	if (*p == '\0')
		return true;
	if (*p != ';')
		return false;
	p = skip_ows(p + 1);
	if (strncasecmp(p, "charset=", 8) != 0)
		return false;
	p += 8;
	if (strncasecmp(p, "utf-8", 5) == 0)
		p += 5;
	else if (strncasecmp(p, "\"utf-8\"", 7) == 0)
		p += 7;
	else
		return false;
	return *skip_ows(p) == '\0';
}

int
request_body_error(const struct gw_body *body, const char *content_type)
{
	json_t *root;
	bool    object;

	if (!request_has_body(body))
		return -1;
	if (!request_content_type_is_json(content_type))
		return GW_ERR_UNSUPPORTED_MEDIA_TYPE;
	if (body->too_large)
		return GW_ERR_PAYLOAD_TOO_LARGE;
	/* integers as reals: a huge number is the database's business, not a parse error */
	root = json_loadb(body->data, body->len, JSON_DECODE_INT_AS_REAL, NULL);
	object = json_is_object(root);
	json_decref(root);
	return object ? -1 : GW_ERR_INVALID_JSON;
}

static int
hex_value(char c)
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
query_decode(const char *s, size_t n, char *out)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		int hi;
		int lo;

		if (s[i] == '+')
			out[o++] = ' ';
		else if (s[i] == '%' && i + 2 < n &&
		         (hi = hex_value(s[i + 1])) >= 0 && (lo = hex_value(s[i + 2])) >= 0) {
			out[o++] = (char) (hi * 16 + lo);
			i += 2;
		} else
			out[o++] = s[i];
	}
	return o;
}

size_t
request_path_unescape(char *path)
{
	size_t o = 0;

	for (size_t i = 0; path[i] != '\0'; i++) {
		int hi;
		int lo;

		if (path[i] == '%' && (hi = hex_value(path[i + 1])) >= 0 &&
		    (lo = hex_value(path[i + 2])) >= 0 && (hi | lo) != 0) {
			path[o++] = (char) (hi * 16 + lo);
			i += 2;
		} else
			path[o++] = path[i];
	}
	path[o] = '\0';
	return o;
}

/* Adds one decoded name=value pair to obj. Returns 0, -1 (bad text), -2 (memory). */
static int
query_add_pair(json_t *obj, const char *pair, size_t n, char *scratch)
{
	const char *eq = memchr(pair, '=', n);
	size_t      name_len = eq != NULL ? (size_t) (eq - pair) : n;
	size_t      klen;
	size_t      vlen;
	char       *value;
	json_t     *arr;
	json_t     *str;

	/* scratch holds n + 2 bytes: name NUL value NUL */
	klen = query_decode(pair, name_len, scratch);
	scratch[klen] = '\0';
	value = scratch + klen + 1;
	vlen = eq != NULL ? query_decode(eq + 1, n - name_len - 1, value) : 0;
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
request_query_to_json(const char *query, char **json)
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
			rc = query_add_pair(obj, p, n, scratch);
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

bool
request_id_is_sane(const char *id)
{
	size_t n = 0;

	if (id == NULL)
		return false;
	for (; id[n] != '\0'; n++) {
		char c = id[n];

		if (n == GW_REQUEST_ID_MAX)
			return false;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			return false;
	}
	return n > 0;
}

void
request_id_generate(char out[GW_REQUEST_ID_MAX + 1])
{
	static atomic_uint_fast64_t fallback_counter;
	unsigned char               b[16];

	if (getrandom(b, sizeof b, GRND_NONBLOCK) != (ssize_t) sizeof b) {
		/* no entropy yet (early boot): unique, not random, which is all an id needs */
		uint64_t n = atomic_fetch_add(&fallback_counter, 1);
		int64_t  t = clock_now_us();

		memcpy(b, &n, sizeof n);
		memcpy(b + 8, &t, sizeof t);
	}
	b[6] = (unsigned char) ((b[6] & 0x0f) | 0x40);    /* version 4 */
	b[8] = (unsigned char) ((b[8] & 0x3f) | 0x80);    /* RFC 4122 variant */
	snprintf(out, GW_REQUEST_ID_MAX + 1,
	         "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
	         b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
	         b[13], b[14], b[15]);
}
