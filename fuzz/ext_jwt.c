/*
 * ext_jwt.c - token verification, jwt_verify(text) of extension/src/jwt.c (with
 * base64url.c), through the PostgreSQL shim (shim/), under a fixed secret and clock.
 *
 * Input: a mode byte, then
 *   mode 0: the token as a client sends it (forged, truncated, anything);
 *   mode 1: header JSON, NUL, payload JSON: encoded and signed here with the secret, so the
 *           fuzzer reaches what only a correctly signed token reaches;
 *   mode 2: the payload JSON, under the header jwt_sign writes, signed here;
 *   mode 3: "header.payload" as base64url text (non-canonical encodings...), signed here.
 * Bits 2-4 of the mode byte set todo.jwt_issuer, todo.jwt_audience and the leeway.
 * Properties: jwt_verify returns the claims or raises TD401, nothing else (another error is
 * a 500 at the gateway); the message never shows the secret; a token it accepts carries the
 * HMAC-SHA256 of its first two segments under the secret, a header naming HS256, and an
 * exp no earlier than now minus the leeway.
 */
#include "pgshim.h"

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "fmgr.h"
#include "utils/jsonb.h"

#include "base64url.h"
#include "fuzz.h"
#include "guc.h"
#include "todo.h"

extern Datum jwt_verify(PG_FUNCTION_ARGS);

/* the settings guc.c defines, as a preloaded library has them */
static char secret[] = "fuzz-secret-0123456789abcdefghijklmnopqrstuvwxyz";
static char issuer[] = "todo-issuer";
static char audience[] = "todo-audience";
char       *TodoJwtSecret = secret;
char       *TodoJwtIssuer = NULL;
char       *TodoJwtAudience = NULL;
int         TodoJwtLeeway = 30;
int         TodoJwtLifetime = 3600;
int         TodoBcryptCost = 10;
bool        TodoLoadedAtStartup = true;

/* 2026-12-02 00:00:00 UTC */
#define NOW_UNIX 1796169600
#define NOW_PG   (INT64CONST(849484800) * USECS_PER_SEC)

#define MAX_TOKEN 16384

static bool verbose;     /* FUZZ_VERBOSE=1: print each outcome, to check the seeds */

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	shim_init();
	shim_now = NOW_PG;
	verbose = getenv("FUZZ_VERBOSE") != NULL;
	return 0;
}

static size_t
b64(const uint8_t *src, size_t n, char *dst)
{
	return (size_t) Base64UrlEncode(src, (int) n, dst);
}

/* appends ".signature" over tok[0, len) */
static size_t
sign(char *tok, size_t len)
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int  maclen = 0;

	FUZZ_CHECK(HMAC(EVP_sha256(), secret, (int) strlen(secret), (const unsigned char *) tok,
	                len, mac, &maclen) != NULL && maclen == 32);
	tok[len++] = '.';
	return len + b64(mac, maclen, tok + len);
}

/* the token of the input, in tok (MAX_TOKEN bytes); its length */
static size_t
make_token(int mode, const uint8_t *data, size_t size, char *tok)
{
	static const char header[] = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";
	const uint8_t    *nul;
	size_t            len = 0;

	switch (mode) {
	case 0:
		memcpy(tok, data, size);
		return size;
	case 1:
		nul = memchr(data, '\0', size);
		if (nul == NULL)
			return 0;
		len = b64(data, (size_t) (nul - data), tok);
		tok[len++] = '.';
		len += b64(nul + 1, size - (size_t) (nul - data) - 1, tok + len);
		return sign(tok, len);
	case 2:
		len = b64((const uint8_t *) header, strlen(header), tok);
		tok[len++] = '.';
		len += b64(data, size, tok + len);
		return sign(tok, len);
	default:
		memcpy(tok, data, size);
		return sign(tok, size);
	}
}

struct call {
	text  *token;
	Jsonb *claims;
};

static void
call_verify(void *arg)
{
	struct call *c = arg;

	c->claims = DatumGetJsonbP(DirectFunctionCall1(jwt_verify, PointerGetDatum(c->token)));
}

/* what an accepted token must be */
static void
check_accepted(const char *tok, size_t len, const struct call *c)
{
	const char   *dot1 = memchr(tok, '.', len);
	const char   *dot2 = dot1 != NULL ? memchr(dot1 + 1, '.', len - (size_t) (dot1 + 1 - tok)) : NULL;
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int  maclen = 0;
	char          expected[64];
	uint8         header[1024];
	int           hlen;
	uint8        *payload;
	int           plen;
	json_t       *claims;
	json_t       *exp;

	FUZZ_CHECK(JB_ROOT_IS_OBJECT(c->claims));
	FUZZ_CHECK(dot1 != NULL && dot2 != NULL);
	FUZZ_CHECK(HMAC(EVP_sha256(), secret, (int) strlen(secret), (const unsigned char *) tok,
	                (size_t) (dot2 - tok), mac, &maclen) != NULL);
	FUZZ_CHECK(b64(mac, maclen, expected) == 43);
	FUZZ_CHECK(len - (size_t) (dot2 + 1 - tok) == 43 && memcmp(dot2 + 1, expected, 43) == 0);

	hlen = Base64UrlDecode(tok, (int) (dot1 - tok), header);
	FUZZ_CHECK(hlen > 0 && memmem(header, hlen, "\"HS256\"", 7) != NULL);

	/* exp, where jansson can read the payload (it refuses numbers beyond a double) */
	payload = malloc(len);
	FUZZ_CHECK(payload != NULL);
	plen = Base64UrlDecode(dot1 + 1, (int) (dot2 - dot1 - 1), payload);
	FUZZ_CHECK(plen >= 0);
	claims = json_loadb((const char *) payload, (size_t) plen, JSON_DECODE_ANY, NULL);
	exp = json_object_get(claims, "exp");
	if (json_is_number(exp))
		FUZZ_CHECK(json_number_value(exp) >= (double) NOW_UNIX - TodoJwtLeeway - 1);
	json_decref(claims);
	free(payload);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char tok[MAX_TOKEN];
	struct call c;
	size_t      len;
	int         mode;

	if (size < 1 || size > 4096)
		return 0;
	mode = data[0] & 3;
	TodoJwtIssuer = (data[0] & 4) ? issuer : NULL;
	TodoJwtAudience = (data[0] & 8) ? audience : NULL;
	TodoJwtLeeway = (data[0] & 16) ? 0 : 30;
	len = make_token(mode, data + 1, size - 1, tok);
	/* text holds no NUL: a token is cut at its first */
	len = strnlen(tok, len);

	c.token = shim_text(tok, (int) len, false);
	c.claims = NULL;
	if (shim_try(call_verify, &c)) {
		if (verbose)
			fprintf(stderr, "accepted\n");
		check_accepted(tok, len, &c);
	} else {
		if (verbose)
			fprintf(stderr, "refused: %s %s\n", shim_error.sqlstate, shim_error.message);
		FUZZ_CHECK(strcmp(shim_error.sqlstate, "TD401") == 0);
		FUZZ_CHECK(shim_error.message != NULL && shim_error.message[0] != '\0');
		FUZZ_CHECK(strstr(shim_error.message, secret) == NULL);
	}
	shim_reset();
	return 0;
}
