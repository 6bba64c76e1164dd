/*
 * ext_base64url.c - base64url without padding (extension/src/base64url.c), as jwt.c uses it
 * on every token segment.
 *
 * Input: any bytes, used both as text to decode and as bytes to encode.
 * Properties: decoding writes exactly Base64UrlDecodedLength bytes or refuses; what
 * decodes re-encodes to the same text (one accepted encoding per byte string); any bytes
 * encode to Base64UrlEncodedLength characters of the alphabet and decode back.
 */
#include "postgres.h"

#include "base64url.h"
#include "fuzz.h"

#define ALPHABET "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int    len = (int) size;
	int    dlen = Base64UrlDecodedLength(len);
	int    elen = Base64UrlEncodedLength(len);
	uint8 *decoded;
	char  *encoded;
	int    n;

	if (size > 1 << 20)
		return 0;

	/* the input as text: exactly dlen bytes, and canonical */
	decoded = malloc(dlen > 0 ? (size_t) dlen : 1);
	FUZZ_CHECK(decoded != NULL);
	if (dlen < 0)
		FUZZ_CHECK(len % 4 == 1);
	else {
		n = Base64UrlDecode((const char *) data, len, decoded);
		if (n >= 0) {
			char *again = malloc((size_t) Base64UrlEncodedLength(n) + 1);

			FUZZ_CHECK(n == dlen && again != NULL);
			FUZZ_CHECK(Base64UrlEncode(decoded, n, again) == len);
			FUZZ_CHECK(memcmp(again, data, size) == 0);
			free(again);
		}
	}

	/* the input as bytes: encodes to the alphabet and back */
	encoded = malloc((size_t) elen + 1);
	FUZZ_CHECK(encoded != NULL);
	FUZZ_CHECK(Base64UrlEncode(data, len, encoded) == elen);
	encoded[elen] = '\0';
	FUZZ_CHECK(strspn(encoded, ALPHABET) == (size_t) elen);
	FUZZ_CHECK(Base64UrlDecodedLength(elen) == len);
	free(decoded);
	decoded = malloc(size > 0 ? size : 1);
	FUZZ_CHECK(decoded != NULL);
	FUZZ_CHECK(Base64UrlDecode(encoded, elen, decoded) == len);
	FUZZ_CHECK(memcmp(decoded, data, size) == 0);

	free(decoded);
	free(encoded);
	return 0;
}
