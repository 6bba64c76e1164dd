/* auth.h - Bearer token extraction from the Authorization header (no verification here). */
#ifndef GW_AUTH_H
#define GW_AUTH_H

#define GW_TOKEN_MAX 4096

enum gw_auth {
	GW_AUTH_OK,
	GW_AUTH_MISSING,        /* no Authorization header */
	GW_AUTH_MALFORMED       /* not "Bearer <token68>", or too long */
};

/*
 * Finds the token in an Authorization header value (NULL when absent). On GW_AUTH_OK,
 * *token points into header (borrowed: valid as long as the header is). The token is
 * checked for shape only; the database verifies it.
 */
enum gw_auth auth_bearer(const char *header, const char **token);

#endif
