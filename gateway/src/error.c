/* error.c - API errors: the gateway's own and SQLSTATE -> HTTP status + code (docs/sql-api.md). */
#include "error.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

struct error_kind {
	unsigned    status;
	const char *code;
	const char *sqlstate;     /* the API SQLSTATE reporting it, or NULL */
	const char *message;      /* default message */
};

/* Indexed by enum gw_err. */
static const struct error_kind kinds[] = {
	[GW_ERR_BAD_REQUEST] = { 400, "bad_request", "TD400", "bad request" },
	[GW_ERR_INVALID_JSON] = { 400, "invalid_json", NULL,
	                          "request body must be a valid JSON object" },
	[GW_ERR_NUMBER_OUT_OF_RANGE] = { 400, "invalid_json", NULL,
	                                 "a number in the request body is out of range (at most "
	                                 "16383 digits after the decimal point and 131072 before)" },
	[GW_ERR_UNAUTHORIZED] = { 401, "unauthorized", "TD401",
	                          "missing or malformed bearer token" },
	[GW_ERR_FORBIDDEN] = { 403, "forbidden", "TD403", "forbidden" },
	[GW_ERR_NOT_FOUND] = { 404, "not_found", "TD404", "no such resource" },
	[GW_ERR_METHOD_NOT_ALLOWED] = { 405, "method_not_allowed", NULL,
	                                "method not allowed on this path" },
	[GW_ERR_CONFLICT] = { 409, "conflict", "TD409", "conflict" },
	[GW_ERR_TASK_LIMIT] = { 409, "task_limit_reached", "TDL09", "task limit reached" },
	[GW_ERR_PAYLOAD_TOO_LARGE] = { 413, "payload_too_large", NULL,
	                               "request body is larger than 65536 bytes" },
	[GW_ERR_UNSUPPORTED_MEDIA_TYPE] = { 415, "unsupported_media_type", NULL,
	                                    "request body must be sent as "
	                                    "Content-Type: application/json" },
	[GW_ERR_VALIDATION_FAILED] = { 422, "validation_failed", "TD422", "validation failed" },
	[GW_ERR_TOO_MANY_REQUESTS] = { 429, "too_many_requests", "TD429", "too many requests" },
	[GW_ERR_INTERNAL] = { 500, "internal", NULL, "internal error" },
	[GW_ERR_UNAVAILABLE] = { 503, "unavailable", NULL,
	                         "the service is temporarily unavailable" },
	/* Idempotency-Key (docs/sql-api.md) */
	[GW_ERR_IDEMPOTENCY_KEY_INVALID] = { 400, "invalid_idempotency_key", "TDI00",
	                                     "Idempotency-Key must be 1 to 255 printable ASCII "
	                                     "characters" },
	[GW_ERR_IDEMPOTENCY_KEY_IN_USE] = { 409, "idempotency_key_in_use", "TDI09",
	                                    "a request with this Idempotency-Key is still in "
	                                    "progress; retry later" },
	[GW_ERR_IDEMPOTENCY_KEY_REUSED] = { 422, "idempotency_key_reused", "TDI22",
	                                    "this Idempotency-Key was used for a different request" },
};

#define N_KINDS (sizeof kinds / sizeof kinds[0])

int
error_set(struct gw_error *e, enum gw_err kind, const char *message)
{
	const struct error_kind *k = &kinds[kind];

	e->status = k->status;
	e->code = k->code;
	e->fallback = k->message;
	e->details = NULL;
	e->retry_after = 0;
	if (kind == GW_ERR_UNAVAILABLE)
		e->retry_after = GW_RETRY_AFTER_UNAVAILABLE;
	else if (kind == GW_ERR_TOO_MANY_REQUESTS)
		e->retry_after = GW_RETRY_AFTER_DEFAULT;
	e->message = strdup(message != NULL && *message != '\0' ? message : k->message);
	return e->message != NULL ? 0 : -1;
}

/* Reads the details array (422) or retry_after (429) from the DETAIL object. */
static void
error_apply_detail(struct gw_error *e, enum gw_err kind, json_t *detail)
{
	if (kind == GW_ERR_VALIDATION_FAILED || kind == GW_ERR_IDEMPOTENCY_KEY_REUSED) {
		json_t *d = json_is_object(detail) ? json_object_get(detail, "details") : NULL;

		e->details = json_is_array(d) ? json_dumps(d, JSON_COMPACT) : strdup("[]");
	} else if (kind == GW_ERR_TOO_MANY_REQUESTS) {
		json_t *r = json_is_object(detail) ? json_object_get(detail, "retry_after") : NULL;

		if (json_is_number(r)) {
			double secs = ceil(json_number_value(r));

			e->retry_after = secs < 1 ? 1 : secs > 86400 ? 86400 : (unsigned) secs;
		}
	}
}

/* The gw_err reported by an API SQLSTATE, or -1. */
static int
error_kind_for_sqlstate(const char *sqlstate)
{
	for (size_t i = 0; i < N_KINDS && sqlstate != NULL; i++) {
		if (kinds[i].sqlstate != NULL && strcmp(kinds[i].sqlstate, sqlstate) == 0)
			return (int) i;
	}
	return -1;
}

bool
error_from_sqlstate(struct gw_error *e, const char *sqlstate, const char *message,
                    const char *detail)
{
	int     kind = error_kind_for_sqlstate(sqlstate);
	json_t *d;

	if (kind < 0) {
		error_set(e, GW_ERR_INTERNAL, NULL);
		return false;
	}
	error_set(e, (enum gw_err) kind, message);
	d = detail != NULL ? json_loads(detail, 0, NULL) : NULL;
	error_apply_detail(e, (enum gw_err) kind, d);
	json_decref(d);
	return true;
}

bool
error_from_json(struct gw_error *e, const char *error_json)
{
	json_t *root = json_loads(error_json, 0, NULL);
	int     kind = error_kind_for_sqlstate(json_string_value(json_object_get(root, "sqlstate")));

	if (kind < 0)
		error_set(e, GW_ERR_INTERNAL, NULL);
	else {
		error_set(e, (enum gw_err) kind,
		          json_string_value(json_object_get(root, "message")));
		error_apply_detail(e, (enum gw_err) kind, json_object_get(root, "detail"));
	}
	json_decref(root);
	return kind >= 0;
}

bool
error_sqlstate_is_connection(const char *sqlstate)
{
	if (sqlstate == NULL)
		return false;
	return strncmp(sqlstate, "08", 2) == 0 || strcmp(sqlstate, "57P01") == 0 ||
	       strcmp(sqlstate, "57P02") == 0 || strcmp(sqlstate, "57P03") == 0 ||
	       strcmp(sqlstate, "57P05") == 0 || strcmp(sqlstate, "53300") == 0;
}

void
error_clear(struct gw_error *e)
{
	free(e->message);
	free(e->details);
	e->message = NULL;
	e->details = NULL;
}
