/* request.h - per-request state: request id, body (64 KiB limit), content type, path. */
#ifndef GW_REQUEST_H
#define GW_REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "auth.h"
#include "clientaddr.h"
#include "router.h"

#define GW_BODY_MAX        65536    /* bytes; a larger body is a 413 */
#define GW_REQUEST_ID_MAX  128
#define GW_PATH_KEEP_MAX   1024     /* bytes of the raw path kept for the log */

struct gw_body {
	char   *data;        /* owned; NUL-terminated when non-NULL */
	size_t  len;         /* bytes kept, at most GW_BODY_MAX */
	size_t  received;    /* bytes received, kept or not */
	bool    too_large;   /* over GW_BODY_MAX (received or announced by Content-Length) */
};

/*
 * Everything one HTTP request needs between libmicrohttpd's calls. Created by request_new()
 * from the URI callback, freed by request_free() from the completion callback. Pointers
 * marked "borrowed" point into libmicrohttpd's connection memory, valid until completion.
 */
struct gw_request {
	int64_t          start_us;          /* monotonic, when the request line arrived */
	bool             started;           /* the access handler has seen this request */
	unsigned         status;            /* the status queued (0: none yet), for the log */
	unsigned         round_trips;       /* database round trips, for the log */
	int64_t          db_us;             /* time in database calls (pool wait included),
	                                       for Server-Timing */
	char             request_id[GW_REQUEST_ID_MAX + 1];
	char             method[16];        /* copy, possibly truncated: for the log only */
	char            *path;              /* owned: raw path without query, for the log */
	char            *query;             /* owned: raw query string, or NULL */
	const char      *origin;            /* borrowed: the allowed Origin to echo, or NULL */
	struct gw_match  match;             /* owns its parameter strings */
	enum gw_auth     auth;
	const char      *token;             /* borrowed; NULL unless auth == GW_AUTH_OK */
	const char      *content_type;      /* borrowed; NULL when absent */
	const char      *idempotency_key;   /* borrowed: the Idempotency-Key header, or NULL */
	char             client_addr[GW_CLIENT_ADDR_MAX]; /* for app.client_addr; "" unknown */
	struct gw_body   body;
};

/* Allocates the state for a request whose raw request-target is uri. NULL when out of
 * memory. The caller owns the result and frees it with request_free(). */
struct gw_request *request_new(const char *uri);
void request_free(struct gw_request *req);

/* Appends an upload chunk, keeping at most GW_BODY_MAX bytes: beyond, the rest is counted
 * and dropped and too_large is set. Returns 0, or -1 when out of memory. */
int  request_body_append(struct gw_body *body, const char *chunk, size_t n);

/* Whether a Content-Length header (NULL when absent) announces more than GW_BODY_MAX. */
bool request_announced_too_large(const char *content_length);

/* Whether a request body was sent (an empty body counts as none). */
bool request_has_body(const struct gw_body *body);

/* "application/json", optionally with "; charset=utf-8" (case-insensitive). */
bool request_content_type_is_json(const char *content_type);

/* The contract's body checks in order: -1 when the body may go on (absent, or a JSON
 * object jsonb can store), else the enum gw_err: unsupported media type, payload too large,
 * invalid JSON, a number out of numeric's range (jsonnum.h). */
int  request_body_error(const struct gw_body *body, const char *content_type);

/*
 * Percent-decodes a request path in place (libmicrohttpd's unescape callback): %XX becomes
 * the byte, except %00, which stays as written so that no path is cut short by a NUL, and
 * %2F, which stays as written so that an encoded slash never separates segments (a route
 * never matches it: /api/auth%2Fregister is a 404). '+' is left alone (it is a plus in a
 * path). Returns the new length.
 */
size_t request_path_unescape(char *path);

/* An Idempotency-Key header is 1-255 printable ASCII characters (docs/sql-api.md; the
 * database checks it too). */
bool request_idempotency_key_valid(const char *key);

/* X-Request-Id from a client is kept when it is 1-128 characters of [A-Za-z0-9._-]. */
bool request_id_is_sane(const char *id);
/* Writes a new random id (UUID v4 text, 36 characters) into out. */
void request_id_generate(char out[GW_REQUEST_ID_MAX + 1]);

#endif
