/*
 * gateway_headers.c - the request headers the gateway reads itself: Authorization
 * (auth_bearer), X-Request-Id (request_id_is_sane), Content-Type
 * (request_content_type_is_json), Content-Length (request_announced_too_large), Origin
 * (cors_allowed), Idempotency-Key (request_idempotency_key_valid), and the CORS_ORIGINS
 * list (cors_parse). Every parser gets the same value.
 *
 * Input: a header value (it ends at a NUL, as libmicrohttpd gives it).
 * Properties: a bearer token points into the header, is 1-4096 characters of the token68
 * alphabet; a kept request id is 1-128 characters of [A-Za-z0-9._-]; an allowed origin is
 * one of the list (so safe to echo in a header); a parsed list holds only validated origins;
 * an accepted Idempotency-Key is 1-255 bytes of 0x20-0x7E (text the database takes as is);
 * a Content-Length is over the limit exactly when it is digits worth more than 64 KiB.
 */
#include <stdbool.h>
#include <strings.h>

#include "auth.h"
#include "cors.h"
#include "fuzz.h"
#include "request.h"

static struct gw_cors allowed;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char err[256];

	(void) argc;
	(void) argv;
	FUZZ_CHECK(cors_parse(&allowed, "https://app.example.com, http://localhost:3000/",
	                      err, sizeof err) == 0 && allowed.count == 2);
	return 0;
}

static void
check_bearer(const char *value)
{
	const char  *token = (const char *) 1;
	enum gw_auth a = auth_bearer(value, &token);
	size_t       n;

	if (a != GW_AUTH_OK) {
		FUZZ_CHECK(a == GW_AUTH_MALFORMED && token == NULL);
		return;
	}
	FUZZ_CHECK(token > value && token < value + strlen(value));
	FUZZ_CHECK(strncasecmp(value, "bearer", 6) == 0);
	n = strlen(token);
	FUZZ_CHECK(n >= 1 && n <= GW_TOKEN_MAX);
	FUZZ_CHECK(strspn(token, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	                         "0123456789-._~+/=") == n);
	FUZZ_CHECK(token[0] != '=');
}

/* the reference: only digits, worth more than GW_BODY_MAX (compared as text, any length) */
static bool
over_limit(const char *v)
{
	char   limit[32];
	size_t n;

	if (v[0] == '\0' || strspn(v, "0123456789") != strlen(v))
		return false;
	v += strspn(v, "0");
	n = strlen(v);
	snprintf(limit, sizeof limit, "%d", GW_BODY_MAX);
	return n > strlen(limit) || (n == strlen(limit) && strcmp(v, limit) > 0);
}

static void
check_origin_list(const char *value)
{
	struct gw_cors list;
	char           err[256];

	if (cors_parse(&list, value, err, sizeof err) != 0) {
		FUZZ_CHECK(list.count == 0 && strncmp(err, "CORS_ORIGINS: ", 14) == 0);
		return;
	}
	FUZZ_CHECK(list.count <= GW_CORS_MAX_ORIGINS);
	for (size_t i = 0; i < list.count; i++) {
		const char *o = list.origins[i];

		FUZZ_CHECK(strlen(o) <= GW_CORS_ORIGIN_MAX);
		FUZZ_CHECK(strncasecmp(o, "http://", 7) == 0 || strncasecmp(o, "https://", 8) == 0);
		/* after the scheme, only host[:port] characters: nothing that could end a header */
		FUZZ_CHECK(strspn(strstr(o, "://") + 3, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		                                         "0123456789.-:[]") == strlen(strstr(o, "://") + 3));
		FUZZ_CHECK(cors_allowed(&list, o));
	}
	cors_free(&list);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *value = fuzz_cstring(data, size);
	bool  ok;

	check_bearer(value);

	if (request_id_is_sane(value)) {
		size_t n = strlen(value);

		FUZZ_CHECK(n >= 1 && n <= GW_REQUEST_ID_MAX);
		FUZZ_CHECK(strspn(value, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		                         "0123456789._-") == n);
	}

	if (request_idempotency_key_valid(value)) {
		size_t n = strlen(value);

		FUZZ_CHECK(n >= 1 && n <= 255);
		for (size_t i = 0; i < n; i++)
			FUZZ_CHECK((unsigned char) value[i] >= 0x20 && (unsigned char) value[i] <= 0x7e);
	}

	FUZZ_CHECK(request_announced_too_large(value) == over_limit(value));

	ok = request_content_type_is_json(value);
	FUZZ_CHECK(!ok || strcasestr(value, "application/json") != NULL);

	if (cors_allowed(&allowed, value)) {
		FUZZ_CHECK(strcasecmp(value, "https://app.example.com") == 0 ||
		           strcasecmp(value, "http://localhost:3000") == 0);
		FUZZ_CHECK(strpbrk(value, "\r\n") == NULL);
	}

	check_origin_list(value);
	free(value);
	return 0;
}
