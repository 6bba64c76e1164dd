/* request.c - per-request state: request id, body (64 KiB limit), content type, path. */
#include "request.h"

#include <errno.h>
#include <jansson.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

#include "clock.h"
#include "error.h"
#include "jsonnum.h"
#include "querystring.h"

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

bool
request_announced_too_large(const char *content_length)
{
	unsigned long long n;
	char              *end;

	if (content_length == NULL || content_length[0] < '0' || content_length[0] > '9')
		return false;
	errno = 0;
	n = strtoull(content_length, &end, 10);
	return (errno == ERANGE || n > GW_BODY_MAX) && *end == '\0';
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
	if (!object)
		return GW_ERR_INVALID_JSON;
	/* jsonb would refuse it while binding, before the database checks the token: a 500 */
	return jsonnum_all_fit(body->data, body->len) ? -1 : GW_ERR_NUMBER_OUT_OF_RANGE;
}

size_t
request_path_unescape(char *path)
{
	size_t o = 0;

	for (size_t i = 0; path[i] != '\0'; i++) {
		int hi;
		int lo;

		/* %00 and %2F stay as written: no NUL cuts a path short, and an encoded slash
		 * is part of its segment, never a separator (so it matches no route) */
		if (path[i] == '%' && (hi = querystring_hex_digit(path[i + 1])) >= 0 &&
		    (lo = querystring_hex_digit(path[i + 2])) >= 0 && (hi | lo) != 0 &&
		    hi * 16 + lo != '/') {
			path[o++] = (char) (hi * 16 + lo);
			i += 2;
		} else
			path[o++] = path[i];
	}
	path[o] = '\0';
	return o;
}

bool
request_idempotency_key_valid(const char *key)
{
	size_t n = 0;

	if (key == NULL)
		return false;
	for (; key[n] != '\0'; n++) {
		unsigned char c = (unsigned char) key[n];

		if (n == 255 || c < 0x20 || c > 0x7e)
			return false;
	}
	return n > 0;
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
