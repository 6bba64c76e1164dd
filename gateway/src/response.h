/* response.h - the JSON envelope and the HTTP response: status, headers. */
#ifndef GW_RESPONSE_H
#define GW_RESPONSE_H

#include <microhttpd.h>
#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "request.h"
#include "stream.h"

/* What to send. The body and location are owned and released by response_queue(). */
struct gw_reply {
	unsigned    status;
	char       *body;          /* owned JSON envelope, or NULL for no body (204) */
	size_t      body_len;
	char       *location;      /* owned, or NULL */
	const char *allow;         /* borrowed Allow list (405, OPTIONS), or NULL */
	unsigned    retry_after;   /* seconds, 0 for none */
	bool        preflight;     /* CORS preflight: add Access-Control-Allow-Methods/Headers */
	bool        body_static;   /* body is static memory, never freed (docs.c) */
	bool        replayed;      /* a stored answer under an Idempotency-Key: say so */
	const char *content_type;  /* NULL: application/json */
	const char *csp;           /* a Content-Security-Policy to send, or NULL */
	struct gw_stream *stream;  /* owned: the body is streamed from it (stream.h), body NULL */
};

/*
 * Writes {"status":S,"data":D[,"meta":M],"error":E}. data and meta are JSON texts copied as
 * they are (NULL data is null, NULL meta is left out). err NULL gives "error":null, else
 * {"code","message"[,"details"]}. Returns a malloc'd string (len set), NULL on OOM.
 */
char *response_envelope(unsigned status, const char *data, const char *meta,
                        const struct gw_error *err, size_t *len);

/* A reply for an error (envelope, Retry-After). The error stays owned by the caller. */
void response_from_error(struct gw_reply *reply, const struct gw_error *err);
/* A reply for a gateway error of that kind with its default message. */
void response_from_kind(struct gw_reply *reply, enum gw_err kind);

/*
 * The Location of a created task, /api/{user_id}/tasks/{id}, malloc'd; NULL when out of
 * memory or when an id is missing or not id-like (hex digits and '-', at most 64 bytes).
 */
char *response_location(const char *user_id, const char *task_id);

/*
 * Queues reply on the connection with the headers every response carries (X-Request-Id,
 * Cache-Control, CORS from cors_headers()) and the ones its status needs
 * (WWW-Authenticate, Allow, Retry-After, Location). Takes ownership of reply's body,
 * location and stream, whatever the outcome. Records the status in req for the log.
 */
enum MHD_Result response_queue(struct MHD_Connection *con, struct gw_request *req,
                               struct gw_reply *reply);

#endif
