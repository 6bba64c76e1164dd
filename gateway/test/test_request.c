/* test_request.c - Content-Type, body checks, request ids, path unescaping, request state. */
#include <stdlib.h>

#include "error.h"
#include "request.h"
#include "tap.h"

static void
body_case(const char *ct, const char *text, int expected, const char *name)
{
	struct gw_body body = { 0 };

	if (text != NULL)
		request_body_append(&body, text, strlen(text));
	is_int(request_body_error(&body, ct), expected, "body: %s", name);
	free(body.data);
}

int
main(void)
{
	struct gw_body      body = { 0 };
	struct gw_request  *req;
	char                big[GW_BODY_MAX + 2];
	char                id[GW_REQUEST_ID_MAX + 1];
	char                id2[GW_REQUEST_ID_MAX + 1];
	char                longid[GW_REQUEST_ID_MAX + 2];

	/* Content-Type */
	ok(request_content_type_is_json("application/json"), "ct: application/json");
	ok(request_content_type_is_json("Application/JSON"), "ct: case-insensitive");
	ok(request_content_type_is_json("application/json; charset=utf-8"), "ct: charset=utf-8");
	ok(request_content_type_is_json("application/json;charset=UTF-8"), "ct: no space");
	ok(request_content_type_is_json("application/json ; charset=\"utf-8\""), "ct: quoted");
	ok(!request_content_type_is_json(NULL), "ct: absent");
	ok(!request_content_type_is_json("text/plain"), "ct: text/plain");
	ok(!request_content_type_is_json("application/jsonx"), "ct: application/jsonx");
	ok(!request_content_type_is_json("application/json; charset=latin1"), "ct: latin1");
	ok(!request_content_type_is_json("application/json; foo=bar"), "ct: other parameter");
	ok(!request_content_type_is_json("application/x-www-form-urlencoded"), "ct: form");

	/* body checks, in the contract's order: 415, 413, 400 */
	body_case(NULL, NULL, -1, "no body, no content type");
	body_case("text/plain", NULL, -1, "no body, any content type");
	body_case("application/json", "{\"a\":1}", -1, "object");
	body_case("application/json", " {\"a\": [1, -2.5e-3, 1e300]} ", -1, "numbers");
	/* a known limit: numbers beyond a double's range are refused by the parser */
	body_case("application/json", "{\"a\":1e400}", GW_ERR_INVALID_JSON,
	          "number beyond double range");
	body_case("application/json", "{\"n\":123456789012345678901234567890}", -1,
	          "big integer");
	body_case(NULL, "{\"a\":1}", GW_ERR_UNSUPPORTED_MEDIA_TYPE, "body without content type");
	body_case("text/plain", "{\"a\":1}", GW_ERR_UNSUPPORTED_MEDIA_TYPE, "text/plain body");
	body_case("application/json", "[1,2]", GW_ERR_INVALID_JSON, "array");
	body_case("application/json", "\"s\"", GW_ERR_INVALID_JSON, "string");
	body_case("application/json", "{", GW_ERR_INVALID_JSON, "truncated");
	body_case("application/json", "{} {}", GW_ERR_INVALID_JSON, "trailing data");
	body_case("application/json", "{\"a\":\"\\u0000\"}", GW_ERR_INVALID_JSON, "NUL escape");
	body_case("application/json", "{\"a\":\"\xff\"}", GW_ERR_INVALID_JSON, "invalid UTF-8");
	body_case("application/json", " ", GW_ERR_INVALID_JSON, "whitespace only");
	body_case("application/json", "{\"title\":\"x\",\"d\":1e-20000}", GW_ERR_NUMBER_OUT_OF_RANGE,
	          "a number numeric cannot hold (jansson reads 0)");
	body_case("application/json", "{\"d\":1e-16383}", -1, "numeric's smallest scale");

	/* the 64 KiB limit: exactly 65536 bytes pass, one more is a 413 */
	memset(big, ' ', sizeof big);
	big[0] = '{';
	big[GW_BODY_MAX - 1] = '}';
	request_body_append(&body, big, GW_BODY_MAX / 2);
	request_body_append(&body, big + GW_BODY_MAX / 2, GW_BODY_MAX / 2);
	is_int(body.len, GW_BODY_MAX, "64 KiB kept");
	is_int(request_body_error(&body, "application/json"), -1, "64 KiB object accepted");
	request_body_append(&body, " ", 1);
	ok(body.too_large && body.data == NULL && body.len == 0, "one byte more: dropped");
	request_body_append(&body, big, sizeof big);
	is_int(body.received, GW_BODY_MAX + 1 + sizeof big, "still counting, not keeping");
	is_int(request_body_error(&body, "application/json"), GW_ERR_PAYLOAD_TOO_LARGE,
	       "too large: 413");
	is_int(request_body_error(&body, "text/plain"), GW_ERR_UNSUPPORTED_MEDIA_TYPE,
	       "too large and not JSON: 415 first");
	free(body.data);

	/* Content-Length announcing more than the limit: answered before the body is read */
	ok(!request_announced_too_large(NULL), "announced: absent");
	ok(!request_announced_too_large("65536"), "announced: the limit");
	ok(request_announced_too_large("65537"), "announced: one byte more");
	ok(request_announced_too_large("99999999999999999999999"), "announced: beyond any integer");
	ok(!request_announced_too_large("65537x"), "announced: not a number: left to libmicrohttpd");
	ok(!request_announced_too_large("-1"), "announced: negative: left to libmicrohttpd");
	ok(!request_announced_too_large(" 65537"), "announced: leading space: left as is");

	/* request ids */
	ok(request_id_is_sane("abc-DEF_1.2"), "id: allowed characters");
	ok(request_id_is_sane("a"), "id: one character");
	memset(longid, 'x', sizeof longid);
	longid[GW_REQUEST_ID_MAX] = '\0';
	ok(request_id_is_sane(longid), "id: 128 characters");
	longid[GW_REQUEST_ID_MAX] = 'x';
	longid[GW_REQUEST_ID_MAX + 1] = '\0';
	ok(!request_id_is_sane(longid), "id: 129 characters");
	ok(!request_id_is_sane(""), "id: empty");
	ok(!request_id_is_sane(NULL), "id: absent");
	ok(!request_id_is_sane("a b"), "id: space");
	ok(!request_id_is_sane("a\r\nSet-Cookie: x"), "id: CRLF");
	ok(!request_id_is_sane("a/b"), "id: slash");
	ok(!request_id_is_sane("\xc3\xa9"), "id: non-ASCII");

	/* Idempotency-Key: 1-255 printable ASCII */
	{
		char key[258];

		ok(request_idempotency_key_valid("a"), "idempotency key: one character");
		ok(request_idempotency_key_valid(" ~!\"#"), "idempotency key: printable ASCII, space too");
		memset(key, '~', sizeof key);
		key[255] = '\0';
		ok(request_idempotency_key_valid(key), "idempotency key: 255 characters");
		key[255] = '~';
		key[256] = '\0';
		ok(!request_idempotency_key_valid(key), "idempotency key: 256 characters");
		ok(!request_idempotency_key_valid(""), "idempotency key: empty");
		ok(!request_idempotency_key_valid(NULL), "idempotency key: absent");
		ok(!request_idempotency_key_valid("a\tb"), "idempotency key: a tab");
		ok(!request_idempotency_key_valid("a\x7f"), "idempotency key: DEL");
		ok(!request_idempotency_key_valid("caf\xc3\xa9"), "idempotency key: not ASCII");
	}
	request_id_generate(id);
	request_id_generate(id2);
	is_int(strlen(id), 36, "generated id: UUID length");
	ok(request_id_is_sane(id), "generated id is sane");
	ok(id[14] == '4', "generated id: version 4");
	ok(strcmp(id, id2) != 0, "generated ids differ");

	/* path unescaping: %XX decoded, %00 and %2F kept, '+' kept */
	{
		char p1[] = "/api/%61uth/me%2Fx+y%00z%4";
		char p2[] = "/%C3%A9%";
		char p3[] = "/api/auth%2fregister%2F";

		is_int(request_path_unescape(p1), strlen("/api/auth/me%2Fx+y%00z%4"), "unescape length");
		is_str(p1, "/api/auth/me%2Fx+y%00z%4", "unescape: %%2F, %%00 and a lone %% kept");
		request_path_unescape(p2);
		is_str(p2, "/\xc3\xa9%", "unescape: UTF-8 bytes, trailing %%");
		request_path_unescape(p3);
		is_str(p3, "/api/auth%2fregister%2F", "unescape: an encoded slash is no separator");
	}

	/* request state from the raw URI */
	req = request_new("/api/u/tasks?tag=a&x=%20#frag");
	ok(req != NULL, "request_new");
	is_str(req->path, "/api/u/tasks", "raw path without query");
	is_str(req->query, "tag=a&x=%20", "raw query without fragment");
	request_free(req);
	req = request_new("/api/auth/me");
	is_str(req->query, NULL, "no query string");
	request_free(req);
	return done_testing();
}
