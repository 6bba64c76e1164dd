/* auth.c - Bearer token extraction from the Authorization header (no verification here). */
#include "auth.h"

#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

/* RFC 6750 b64token characters, before the trailing "=" padding. */
static bool
auth_b64char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/';
}

/* RFC 6750 b64token: 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=" */
static bool
auth_token68_valid(const char *t)
{
	size_t n = 0;

	while (auth_b64char(t[n]))
		n++;
	if (n == 0)
		return false;
	while (t[n] == '=')
		n++;
	return t[n] == '\0' && n <= GW_TOKEN_MAX;
}

enum gw_auth
auth_bearer(const char *header, const char **token)
{
	const char *t;

	*token = NULL;
	if (header == NULL)
		return GW_AUTH_MISSING;
	if (strncasecmp(header, "Bearer", 6) != 0 || (header[6] != ' ' && header[6] != '\t'))
		return GW_AUTH_MALFORMED;
	t = header + 7;
	while (*t == ' ' || *t == '\t')
		t++;
	if (!auth_token68_valid(t))
		return GW_AUTH_MALFORMED;
	*token = t;
	return GW_AUTH_OK;
}
