/* cors.h - CORS: the allowed-origins list (CORS_ORIGINS), the origin to echo, the headers. */
#ifndef GW_CORS_H
#define GW_CORS_H

#include <stdbool.h>
#include <stddef.h>

#define GW_CORS_MAX_ORIGINS 32
#define GW_CORS_ORIGIN_MAX  256

struct gw_cors {
	size_t count;
	char  *origins[GW_CORS_MAX_ORIGINS];   /* owned, each validated as scheme://host[:port] */
};

/* Parses a comma-separated list ("" allows no origin). Returns 0, or -1 with err set.
 * On success the caller owns the list and releases it with cors_free(). */
int  cors_parse(struct gw_cors *cors, const char *list, char *err, size_t errlen);
void cors_free(struct gw_cors *cors);
/* Whether origin (an Origin header, NULL when absent) is in the list, ignoring ASCII case.
 * An allowed origin has the characters of a validated entry, so it is safe to echo. */
bool cors_allowed(const struct gw_cors *cors, const char *origin);
/* The origin a response echoes: origin when cors_allowed(), else NULL (borrowed). */
const char *cors_origin(const struct gw_cors *cors, const char *origin);

/* A response header; both strings borrowed. */
struct gw_header {
	const char *name;
	const char *value;
};

#define GW_CORS_HEADERS_MAX 6

/*
 * The CORS headers of a response, into out; returns how many. Every response: Vary: Origin.
 * For an allowed origin (cors_origin(), NULL: none): Access-Control-Allow-Origin (echoed)
 * and -Expose-Headers; for a preflight (preflight_allow, the path's Allow list, non-NULL)
 * also -Allow-Methods (that list), -Allow-Headers and -Max-Age.
 */
size_t cors_headers(const char *origin, const char *preflight_allow,
                    struct gw_header out[GW_CORS_HEADERS_MAX]);

#endif
