/*
 * gateway_path.c - the request target as the gateway sees it: request_new() splits path and
 * query, request_path_unescape() decodes the path (libmicrohttpd's unescape callback), and
 * router_match() finds the route and its parameters.
 *
 * Input: one byte choosing the method, then the request-target.
 * Properties: the decoder agrees with a reference decoder and never makes a '/' (an
 * encoded slash stays as written); a match is consistent (the
 * route's method, its parameters present exactly when the pattern has them, valid UTF-8
 * without '/', an Allow list naming OPTIONS); matching twice gives the same answer.
 */
#include <stdbool.h>

#include "fuzz.h"
#include "request.h"
#include "router.h"

static const char *const methods[] = {
	"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "", "get",
};

/* The documented decoding, written plainly: %XX is the byte except %00 and %2F (an
 * encoded slash stays in its segment, issue 9 item 7); all else as is. */
static size_t
reference_unescape(const char *in, char *out)
{
	size_t o = 0;

	for (size_t i = 0; in[i] != '\0'; i++) {
		int hi = in[i] == '%' && in[i + 1] != '\0' ? fuzz_hex(in[i + 1]) : -1;
		int lo = hi >= 0 && in[i + 2] != '\0' ? fuzz_hex(in[i + 2]) : -1;

		if (lo >= 0 && (hi | lo) != 0 && hi * 16 + lo != '/') {
			out[o++] = (char) (hi * 16 + lo);
			i += 2;
		} else
			out[o++] = in[i];
	}
	out[o] = '\0';
	return o;
}

static size_t
count_slashes(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		n += *s == '/';
	return n;
}

static void
check_param(const char *pattern, const char *name, const char *value)
{
	bool wanted = strstr(pattern, name) != NULL;

	FUZZ_CHECK(wanted == (value != NULL));
	if (value != NULL) {
		FUZZ_CHECK(*value != '\0');
		FUZZ_CHECK(strchr(value, '/') == NULL);
		FUZZ_CHECK(fuzz_utf8_valid(value, strlen(value)));
	}
}

static void
check_match(const char *method, const char *path, const struct gw_match *m)
{
	switch (m->kind) {
	case GW_MATCH_NOT_FOUND:
		FUZZ_CHECK(m->route == NULL && m->allow[0] == '\0');
		FUZZ_CHECK(m->user_id == NULL && m->task_id == NULL);
		break;
	case GW_MATCH_BAD_METHOD:
	case GW_MATCH_OPTIONS:
		FUZZ_CHECK(strstr(m->allow, "OPTIONS") != NULL);
		FUZZ_CHECK(m->user_id == NULL && m->task_id == NULL);
		FUZZ_CHECK(m->kind == GW_MATCH_BAD_METHOD || strcmp(method, "OPTIONS") == 0);
		break;
	case GW_MATCH_FOUND:
		FUZZ_CHECK(m->route != NULL);
		FUZZ_CHECK(strcmp(m->route->method, method) == 0 ||
		           (strcmp(method, "HEAD") == 0 && strcmp(m->route->method, "GET") == 0));
		FUZZ_CHECK(strstr(m->allow, "OPTIONS") != NULL);
		FUZZ_CHECK(path[0] == '/' && strstr(path, "//") == NULL);
		check_param(m->route->pattern, "{user_id}", m->user_id);
		check_param(m->route->pattern, "{id}", m->task_id);
		break;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char        *method;
	char              *uri;
	char              *path;
	char              *expected;
	size_t             slashes;
	size_t             len;
	struct gw_request *req;
	struct gw_match    m1;
	struct gw_match    m2;

	if (size < 1)
		return 0;
	method = methods[data[0] % (sizeof methods / sizeof methods[0])];
	uri = fuzz_cstring(data + 1, size - 1);

	/* the split kept for the log and the query string */
	req = request_new(uri);
	FUZZ_CHECK(req != NULL);
	FUZZ_CHECK(strlen(req->path) <= GW_PATH_KEEP_MAX);
	FUZZ_CHECK(strncmp(req->path, uri, strlen(req->path)) == 0);
	FUZZ_CHECK(strpbrk(req->path, "?#") == NULL);
	FUZZ_CHECK(req->query == NULL || strchr(req->query, '#') == NULL);

	/* libmicrohttpd hands the part before '?' to the unescape callback */
	path = strndup(uri, strcspn(uri, "?"));
	expected = malloc(strlen(path) + 1);
	FUZZ_CHECK(path != NULL && expected != NULL);
	reference_unescape(path, expected);
	slashes = count_slashes(path);
	len = request_path_unescape(path);
	FUZZ_CHECK(strlen(path) == len && strcmp(path, expected) == 0);
	/* decoding never makes a segment separator */
	FUZZ_CHECK(count_slashes(path) == slashes);

	FUZZ_CHECK(router_match(method, path, &m1) == 0);
	check_match(method, path, &m1);
	FUZZ_CHECK(router_match(method, path, &m2) == 0);
	FUZZ_CHECK(m1.kind == m2.kind && m1.route == m2.route && strcmp(m1.allow, m2.allow) == 0);
	FUZZ_CHECK((m1.user_id == NULL) == (m2.user_id == NULL) &&
	           (m1.user_id == NULL || strcmp(m1.user_id, m2.user_id) == 0));
	FUZZ_CHECK((m1.task_id == NULL) == (m2.task_id == NULL) &&
	           (m1.task_id == NULL || strcmp(m1.task_id, m2.task_id) == 0));

	router_match_clear(&m1);
	router_match_clear(&m2);
	request_free(req);
	free(expected);
	free(path);
	free(uri);
	return 0;
}
