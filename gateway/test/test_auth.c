/* test_auth.c - Bearer header extraction: missing and malformed headers are refused here. */
#include <stdlib.h>

#include "auth.h"
#include "tap.h"

static void
bearer(const char *header, enum gw_auth expected, const char *token)
{
	const char  *t = (const char *) "unset";
	enum gw_auth a = auth_bearer(header, &t);

	is_int(a, expected, "\"%s\"", header != NULL ? header : "(absent)");
	is_str(t, token, "\"%s\": token", header != NULL ? header : "(absent)");
}

int
main(void)
{
	char *huge = malloc(GW_TOKEN_MAX + 16);

	bearer(NULL, GW_AUTH_MISSING, NULL);
	bearer("Bearer abc.def-ghi_jkl", GW_AUTH_OK, "abc.def-ghi_jkl");
	bearer("bearer abc", GW_AUTH_OK, "abc");
	bearer("BEARER  abc==", GW_AUTH_OK, "abc==");
	bearer("Bearer a+b/c~", GW_AUTH_OK, "a+b/c~");
	bearer("", GW_AUTH_MALFORMED, NULL);
	bearer("Bearer", GW_AUTH_MALFORMED, NULL);
	bearer("Bearer ", GW_AUTH_MALFORMED, NULL);
	bearer("Bearerabc", GW_AUTH_MALFORMED, NULL);
	bearer("Basic dXNlcjpwYXNz", GW_AUTH_MALFORMED, NULL);
	bearer("Token abc", GW_AUTH_MALFORMED, NULL);
	bearer("Bearer abc def", GW_AUTH_MALFORMED, NULL);
	bearer("Bearer abc\"", GW_AUTH_MALFORMED, NULL);
	bearer("Bearer =abc", GW_AUTH_MALFORMED, NULL);
	bearer("Bearer ab=c", GW_AUTH_MALFORMED, NULL);
	bearer("Bearer abc,", GW_AUTH_MALFORMED, NULL);

	memcpy(huge, "Bearer ", 7);
	memset(huge + 7, 'a', GW_TOKEN_MAX);
	huge[7 + GW_TOKEN_MAX] = '\0';
	ok(auth_bearer(huge, &(const char *) { NULL }) == GW_AUTH_OK, "token of the maximum size");
	huge[7 + GW_TOKEN_MAX] = 'a';
	huge[8 + GW_TOKEN_MAX] = '\0';
	ok(auth_bearer(huge, &(const char *) { NULL }) == GW_AUTH_MALFORMED, "token too long");
	free(huge);
	return done_testing();
}
