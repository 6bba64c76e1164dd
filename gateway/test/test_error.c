/* test_error.c - SQLSTATE -> HTTP status and code, DETAIL and committed-error parsing. */
#include <stdlib.h>

#include "error.h"
#include "tap.h"

static void
maps(const char *sqlstate, bool known, unsigned status, const char *code)
{
	struct gw_error e;

	is_int(error_from_sqlstate(&e, sqlstate, "msg", NULL), known, "%s: known", sqlstate);
	is_int(e.status, status, "%s: HTTP %u", sqlstate, status);
	is_str(e.code, code, "%s: %s", sqlstate, code);
	is_str(e.message, known ? "msg" : "internal error",
	       "%s: message %s", sqlstate, known ? "passed" : "hidden");
	ok(e.details == NULL || status == 422, "%s: details only on 422", sqlstate);
	error_clear(&e);
}

int
main(void)
{
	struct gw_error e;

	maps("TD400", true, 400, "bad_request");
	maps("TD401", true, 401, "unauthorized");
	maps("TD403", true, 403, "forbidden");
	maps("TD404", true, 404, "not_found");
	maps("TD409", true, 409, "conflict");
	maps("TDL09", true, 409, "task_limit_reached");
	maps("TD422", true, 422, "validation_failed");
	maps("TD429", true, 429, "too_many_requests");
	maps("23505", false, 500, "internal");
	maps("42883", false, 500, "internal");
	maps("P0001", false, 500, "internal");
	maps("XX000", false, 500, "internal");
	maps("TD500", false, 500, "internal");
	maps("td404", false, 500, "internal");

	ok(!error_from_sqlstate(&e, NULL, "x", NULL), "no SQLSTATE: internal");
	is_int(e.status, 500, "no SQLSTATE: 500");
	error_clear(&e);

	/* DETAIL */
	error_from_sqlstate(&e, "TD422", "bad", "{\"details\":[{\"field\":\"tags\",\"message\":\"x\"}]}");
	is_str(e.details, "[{\"field\":\"tags\",\"message\":\"x\"}]", "422 details copied");
	error_clear(&e);
	error_from_sqlstate(&e, "TD422", "bad", NULL);
	is_str(e.details, "[]", "422 without DETAIL: empty details");
	error_clear(&e);
	error_from_sqlstate(&e, "TD422", "bad", "not json");
	is_str(e.details, "[]", "422 with a broken DETAIL: empty details");
	error_clear(&e);
	error_from_sqlstate(&e, "TD404", "gone", "{\"details\":[1]}");
	is_str(e.details, NULL, "404: details dropped");
	error_clear(&e);
	error_from_sqlstate(&e, "TD429", "slow down", "{\"retry_after\": 12.2}");
	is_int(e.retry_after, 13, "429: retry_after rounded up");
	error_clear(&e);
	error_from_sqlstate(&e, "TD429", "slow down", NULL);
	is_int(e.retry_after, GW_RETRY_AFTER_DEFAULT, "429 without detail: default Retry-After");
	error_clear(&e);
	error_from_sqlstate(&e, "TD401", "", NULL);
	is_str(e.message, "missing or malformed bearer token", "empty message: default one");
	error_clear(&e);

	/* committed errors: the `error` column */
	ok(error_from_json(&e, "{\"sqlstate\":\"TD401\",\"message\":\"invalid credentials\"}"),
	   "error column: known");
	is_int(e.status, 401, "error column: 401");
	is_str(e.message, "invalid credentials", "error column: message");
	error_clear(&e);
	ok(error_from_json(&e, "{\"sqlstate\":\"TD429\",\"message\":\"locked\","
	                       "\"detail\":{\"retry_after\":300}}"), "error column: 429");
	is_int(e.retry_after, 300, "error column: retry_after from detail object");
	error_clear(&e);
	ok(error_from_json(&e, "{\"sqlstate\":\"TD422\",\"message\":\"m\","
	                       "\"detail\":{\"details\":[]}}"), "error column: 422");
	is_str(e.details, "[]", "error column: details");
	error_clear(&e);
	ok(!error_from_json(&e, "{\"sqlstate\":\"22P02\",\"message\":\"secret table\"}"),
	   "error column: unknown SQLSTATE");
	is_int(e.status, 500, "error column: unknown is 500");
	is_str(e.message, "internal error", "error column: unknown message hidden");
	error_clear(&e);
	ok(!error_from_json(&e, "garbage"), "error column: garbage");
	is_int(e.status, 500, "error column: garbage is 500");
	error_clear(&e);

	/* connection-class SQLSTATEs */
	ok(error_sqlstate_is_connection("08006"), "08006 is a connection failure");
	ok(error_sqlstate_is_connection("57P01"), "57P01 (admin shutdown) too");
	ok(error_sqlstate_is_connection("53300"), "53300 (too many connections) too");
	ok(!error_sqlstate_is_connection("TD404"), "TD404 is not");
	ok(!error_sqlstate_is_connection(NULL), "no SQLSTATE is not");

	/* gateway errors */
	error_set(&e, GW_ERR_METHOD_NOT_ALLOWED, NULL);
	is_int(e.status, 405, "405");
	is_str(e.code, "method_not_allowed", "405 code");
	error_clear(&e);
	error_set(&e, GW_ERR_PAYLOAD_TOO_LARGE, NULL);
	is_str(e.code, "payload_too_large", "413 code");
	error_clear(&e);
	error_set(&e, GW_ERR_UNSUPPORTED_MEDIA_TYPE, NULL);
	is_int(e.status, 415, "415");
	error_clear(&e);
	error_set(&e, GW_ERR_INVALID_JSON, NULL);
	is_str(e.code, "invalid_json", "400 invalid_json");
	error_clear(&e);
	return done_testing();
}
