/* error.h - API errors: the gateway's own and SQLSTATE -> HTTP status + code (docs/sql-api.md). */
#ifndef GW_ERROR_H
#define GW_ERROR_H

#include <stdbool.h>

enum gw_err {
	GW_ERR_BAD_REQUEST,
	GW_ERR_INVALID_JSON,
	GW_ERR_NUMBER_OUT_OF_RANGE,   /* invalid_json too: a number jsonb cannot store */
	GW_ERR_UNAUTHORIZED,
	GW_ERR_FORBIDDEN,
	GW_ERR_NOT_FOUND,
	GW_ERR_METHOD_NOT_ALLOWED,
	GW_ERR_CONFLICT,
	GW_ERR_TASK_LIMIT,
	GW_ERR_PAYLOAD_TOO_LARGE,
	GW_ERR_UNSUPPORTED_MEDIA_TYPE,
	GW_ERR_VALIDATION_FAILED,
	GW_ERR_TOO_MANY_REQUESTS,
	GW_ERR_IDEMPOTENCY_KEY_INVALID,   /* 400: not 1-255 printable ASCII (TDI00) */
	GW_ERR_IDEMPOTENCY_KEY_IN_USE,    /* 409: its first request still runs (TDI09) */
	GW_ERR_IDEMPOTENCY_KEY_REUSED,    /* 422: it was used for another request (TDI22) */
	GW_ERR_INTERNAL,
	GW_ERR_UNAVAILABLE                /* the last kind (test_openapi.c) */
};

/* Seconds in Retry-After on 503 (the pool or the database is busy or away). */
#define GW_RETRY_AFTER_UNAVAILABLE 5
/* Seconds in Retry-After on 429 when the database gave none. */
#define GW_RETRY_AFTER_DEFAULT 60

/* An error as the client sees it. message and details are owned (free with error_clear). */
struct gw_error {
	unsigned    status;       /* HTTP status */
	const char *code;         /* static: "not_found", ... */
	char       *message;      /* safe for clients; NULL only when out of memory */
	const char *fallback;     /* static default message, used when message is NULL */
	char       *details;      /* JSON array text (422 only), or NULL */
	unsigned    retry_after;  /* seconds, 0 for none */
};

/* Sets a gateway error; message NULL or "" means the default sentence for kind. Returns 0,
 * or -1 when out of memory (e->message is then NULL and the envelope uses the default). */
int  error_set(struct gw_error *e, enum gw_err kind, const char *message);

/*
 * Maps a raised error. detail is the DETAIL text (a JSON object) or NULL. Returns true when
 * sqlstate is one of the API's TDxxx codes; false otherwise, and e is then 500 internal
 * (the caller logs sqlstate and message: they must not reach the client).
 */
bool error_from_sqlstate(struct gw_error *e, const char *sqlstate, const char *message,
                         const char *detail);

/* Same for a committed error (the `error` column): {"sqlstate","message","detail"?}. */
bool error_from_json(struct gw_error *e, const char *error_json);

/* SQLSTATEs meaning the connection or server is gone (class 08, 57P01-03, 57P05 idle
 * session timeout, 53300). */
bool error_sqlstate_is_connection(const char *sqlstate);

void error_clear(struct gw_error *e);

#endif
