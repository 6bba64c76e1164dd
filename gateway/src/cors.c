/* cors.c - CORS: the allowed-origins list (CORS_ORIGINS), the origin to echo, the headers. */
#include "cors.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* An origin is "http://" or "https://", then a host[:port] of [A-Za-z0-9.-:[]] only. */
static bool
cors_origin_valid(const char *s, size_t n)
{
	size_t skip;

	if (n > 7 && strncasecmp(s, "http://", 7) == 0)
		skip = 7;
	else if (n > 8 && strncasecmp(s, "https://", 8) == 0)
		skip = 8;
	else
		return false;
	for (size_t i = skip; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '-' || c == ':' || c == '[' || c == ']'))
			return false;
	}
	return true;
}

int
cors_parse(struct gw_cors *cors, const char *list, char *err, size_t errlen)
{
	const char *p = list;

	cors->count = 0;
	while (*p != '\0') {
		const char *start;
		const char *end;
		size_t      n;

		while (*p == ' ' || *p == '\t')
			p++;
		start = p;
		while (*p != '\0' && *p != ',')
			p++;
		end = p;
		if (*p == ',')
			p++;
		while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		if (end > start && end[-1] == '/')      /* "http://x/" names the origin http://x */
			end--;
		n = (size_t) (end - start);
		if (n == 0)
			continue;
		if (n > GW_CORS_ORIGIN_MAX || !cors_origin_valid(start, n)) {
			snprintf(err, errlen, "CORS_ORIGINS: entry %zu is not an origin like "
			         "https://app.example.com[:port]", cors->count + 1);
			goto fail;
		}
		if (cors->count == GW_CORS_MAX_ORIGINS) {
			snprintf(err, errlen, "CORS_ORIGINS: more than %d origins", GW_CORS_MAX_ORIGINS);
			goto fail;
		}
		cors->origins[cors->count] = strndup(start, n);
		if (cors->origins[cors->count] == NULL) {
			snprintf(err, errlen, "CORS_ORIGINS: out of memory");
			goto fail;
		}
		cors->count++;
	}
	return 0;

fail:
	cors_free(cors);
	return -1;
}

void
cors_free(struct gw_cors *cors)
{
	for (size_t i = 0; i < cors->count; i++)
		free(cors->origins[i]);
	cors->count = 0;
}

bool
cors_allowed(const struct gw_cors *cors, const char *origin)
{
	if (origin == NULL)
		return false;
	for (size_t i = 0; i < cors->count; i++) {
		if (strcasecmp(cors->origins[i], origin) == 0)
			return true;
	}
	return false;
}

const char *
cors_origin(const struct gw_cors *cors, const char *origin)
{
	return cors_allowed(cors, origin) ? origin : NULL;
}

size_t
cors_headers(const char *origin, const char *preflight_allow,
             struct gw_header out[GW_CORS_HEADERS_MAX])
{
	size_t n = 0;

	/* the answer depends on Origin: caches must not serve one origin's answer to another */
	out[n++] = (struct gw_header) { "Vary", "Origin" };
	if (origin == NULL)
		return n;
	out[n++] = (struct gw_header) { "Access-Control-Allow-Origin", origin };
	out[n++] = (struct gw_header) { "Access-Control-Expose-Headers",
		                        "Idempotent-Replayed, Location, Retry-After, Server-Timing, "
		                        "WWW-Authenticate, X-Request-Id" };
	if (preflight_allow != NULL) {
		out[n++] = (struct gw_header) { "Access-Control-Allow-Methods", preflight_allow };
		out[n++] = (struct gw_header) { "Access-Control-Allow-Headers",
			                        "Authorization, Content-Type, Idempotency-Key" };
		out[n++] = (struct gw_header) { "Access-Control-Max-Age", "600" };
	}
	return n;
}
