/* test_response.c - envelope building around the database's JSON text, error replies, Location. */
#include <jansson.h>
#include <stdlib.h>

#include "error.h"
#include "response.h"
#include "tap.h"

static void
envelope(unsigned status, const char *data, const char *meta, const struct gw_error *err,
         const char *expected, const char *name)
{
	size_t len = 0;
	char  *env = response_envelope(status, data, meta, err, &len);
	json_t *parsed = env != NULL ? json_loads(env, 0, NULL) : NULL;

	is_str(env, expected, "envelope: %s", name);
	ok(env != NULL && len == strlen(env), "envelope: %s: length", name);
	ok(parsed != NULL, "envelope: %s: valid JSON", name);
	json_decref(parsed);
	free(env);
}

int
main(void)
{
	struct gw_error err;
	struct gw_reply reply;

	/* data and meta are copied byte for byte, never re-encoded */
	envelope(200, "{\"id\": \"x\",  \"title\":\"\\u00e9t\xc3\xa9\"}", NULL, NULL,
	         "{\"status\":200,\"data\":{\"id\": \"x\",  \"title\":\"\\u00e9t\xc3\xa9\"},"
	         "\"error\":null}", "object data kept as is");
	envelope(200, "[]", "{\"total\": 0, \"limit\": null, \"offset\": 0}", NULL,
	         "{\"status\":200,\"data\":[],\"meta\":{\"total\": 0, \"limit\": null, "
	         "\"offset\": 0},\"error\":null}", "list with meta");
	envelope(201, "{\"a\":1}", NULL, NULL, "{\"status\":201,\"data\":{\"a\":1},\"error\":null}",
	         "201");
	envelope(200, NULL, NULL, NULL, "{\"status\":200,\"data\":null,\"error\":null}",
	         "null data");

	error_set(&err, GW_ERR_NOT_FOUND, NULL);
	envelope(404, NULL, NULL, &err,
	         "{\"status\":404,\"data\":null,\"error\":{\"code\":\"not_found\","
	         "\"message\":\"no such resource\"}}", "gateway error");
	error_clear(&err);

	error_set(&err, GW_ERR_CONFLICT, "username \"bob\" is\ttaken\n");
	envelope(409, NULL, NULL, &err,
	         "{\"status\":409,\"data\":null,\"error\":{\"code\":\"conflict\","
	         "\"message\":\"username \\\"bob\\\" is\\ttaken\\n\"}}", "message escaped");
	error_clear(&err);

	error_from_sqlstate(&err, "TD422", "title is required",
	                    "{\"details\": [{\"field\": \"title\", \"message\": \"required\"}]}");
	envelope(422, NULL, NULL, &err,
	         "{\"status\":422,\"data\":null,\"error\":{\"code\":\"validation_failed\","
	         "\"message\":\"title is required\",\"details\":[{\"field\":\"title\","
	         "\"message\":\"required\"}]}}", "validation details");
	error_clear(&err);

	/* an error reply carries the status and Retry-After */
	error_from_sqlstate(&err, "TD429", "too many failed logins", "{\"retry_after\": 42}");
	response_from_error(&reply, &err);
	is_int(reply.status, 429, "429 reply");
	is_int(reply.retry_after, 42, "429 reply: Retry-After from detail");
	ok(reply.body != NULL && strstr(reply.body, "\"details\"") == NULL, "429: no details");
	free(reply.body);
	error_clear(&err);

	response_from_kind(&reply, GW_ERR_UNAVAILABLE);
	is_int(reply.status, 503, "503 reply");
	is_int(reply.retry_after, GW_RETRY_AFTER_UNAVAILABLE, "503 reply: Retry-After");
	is_str(reply.body, "{\"status\":503,\"data\":null,\"error\":{\"code\":\"unavailable\","
	       "\"message\":\"the service is temporarily unavailable\"}}", "503 body");
	free(reply.body);

	/* Location of a created task, from the ids the database returned */
	{
		const char *u = "0b5d7a4e-8f3c-4d2a-9e61-5c7f3b2a1d00";
		const char *id = "7C9E6679-7425-40DE-944B-E07FC1F90AE7";
		char        long_id[70];
		char       *loc = response_location(u, id);

		is_str(loc, "/api/0b5d7a4e-8f3c-4d2a-9e61-5c7f3b2a1d00/tasks/"
		       "7C9E6679-7425-40DE-944B-E07FC1F90AE7", "location: /api/{user_id}/tasks/{id}");
		free(loc);
		memset(long_id, 'a', sizeof long_id);
		long_id[64] = '\0';
		loc = response_location(u, long_id);
		ok(loc != NULL && strlen(loc) == strlen("/api//tasks/") + 36 + 64,
		   "location: a 64-byte id");
		free(loc);
		long_id[64] = 'a';
		long_id[65] = '\0';
		is_str(response_location(u, long_id), NULL, "location: a 65-byte id: none");
		is_str(response_location(u, NULL), NULL, "location: no id: none");
		is_str(response_location(NULL, id), NULL, "location: no user id: none");
		is_str(response_location(u, ""), NULL, "location: empty id: none");
		is_str(response_location(u, "1\r\nSet-Cookie: x=1"), NULL,
		       "location: not id-like (CRLF): none");
		is_str(response_location("../x", id), NULL, "location: not id-like user: none");
	}

	return done_testing();
}
