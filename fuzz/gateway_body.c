/*
 * gateway_body.c - the request body as the gateway receives and checks it:
 * request_body_append() in upload chunks (64 KiB limit), then request_body_error() with the
 * Content-Type header (request_content_type_is_json()).
 *
 * Input: a byte choosing the Content-Type (or: the header is the input's first line), a byte
 * choosing the chunk size, a byte repeating the body (to cross the 64 KiB limit), the body.
 * Properties: what is kept is exactly what was sent, up to the limit; over it nothing is
 * kept and the answer is 413 (after 415); an accepted body is a JSON object; an object whose
 * numbers all fit PostgreSQL's numeric (numeric_model.h) is accepted.
 */
#include <jansson.h>
#include <stdbool.h>

#include "error.h"
#include "fuzz.h"
#include "numeric_model.h"
#include "request.h"

static const char *const content_types[] = {
	NULL, "application/json", "application/json; charset=utf-8",
	"Application/JSON ;\tcharset=\"UTF-8\"", "text/plain", "application/json;charset=latin1",
	"application/jsonx", "",
};
#define N_CT (sizeof content_types / sizeof content_types[0])

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gw_body body = { NULL, 0, 0, false };
	char          *custom_ct = NULL;
	const char    *ct;
	size_t         chunk;
	unsigned       repeat;
	size_t         total;
	int            err;

	if (size < 3)
		return 0;
	if (data[0] % (N_CT + 1) == N_CT) {
		const uint8_t *nl = memchr(data + 3, '\n', size - 3);
		size_t         n = nl != NULL ? (size_t) (nl - (data + 3)) : size - 3;

		custom_ct = fuzz_cstring(data + 3, n);
		ct = custom_ct;
		data += n + (nl != NULL);
		size -= n + (nl != NULL);
	} else
		ct = content_types[data[0] % (N_CT + 1)];
	chunk = (size_t) data[1] * 97 + 1;
	repeat = data[2] % 8 == 0 ? 1u + data[2] / 8 : 1u;     /* mostly 1, up to 32 */
	data += 3;
	size -= 3;

	total = 0;
	for (unsigned r = 0; r < repeat; r++) {
		for (size_t off = 0; off < size; off += chunk) {
			size_t n = size - off < chunk ? size - off : chunk;

			FUZZ_CHECK(request_body_append(&body, (const char *) data + off, n) == 0);
			total += n;
		}
	}

	FUZZ_CHECK(body.received == total);
	FUZZ_CHECK(body.too_large == (total > GW_BODY_MAX));
	FUZZ_CHECK(request_has_body(&body) == (total > 0));
	if (body.too_large)
		FUZZ_CHECK(body.data == NULL && body.len == 0);
	else if (total > 0) {
		FUZZ_CHECK(body.len == total && body.data[body.len] == '\0');
		for (unsigned r = 0; r < repeat; r++)
			FUZZ_CHECK(memcmp(body.data + (size_t) r * size, data, size) == 0);
	}

	err = request_body_error(&body, ct);
	if (total == 0)
		FUZZ_CHECK(err == -1);
	else if (!request_content_type_is_json(ct))
		FUZZ_CHECK(err == GW_ERR_UNSUPPORTED_MEDIA_TYPE);
	else if (body.too_large)
		FUZZ_CHECK(err == GW_ERR_PAYLOAD_TOO_LARGE);
	else {
		json_t *root = json_loadb(body.data, body.len, JSON_DECODE_INT_AS_REAL, NULL);

		if (!json_is_object(root))
			FUZZ_CHECK(err == GW_ERR_INVALID_JSON);
		else if (fuzz_json_numbers_fit(body.data, body.len))
			FUZZ_CHECK(err == -1);
		else      /* a number jsonb refuses is refused here (issue 9 item 2, jsonnum.c) */
			FUZZ_CHECK(err == GW_ERR_NUMBER_OUT_OF_RANGE);
		json_decref(root);
	}
	/* a JSON content type is always one of the two spellings the contract allows */
	if (request_content_type_is_json(ct))
		FUZZ_CHECK(strncasecmp(ct + strspn(ct, " \t"), "application/json", 16) == 0);

	free(body.data);
	free(custom_ct);
	return 0;
}
