/* cors.h - the allowed-origins list (CORS_ORIGINS) and origin matching. */
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

#endif
