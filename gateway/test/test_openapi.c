/* test_openapi.c - the compiled-in OpenAPI document against what the gateway routes and
 * answers: every routed (method, path template) has an operation there and every operation
 * is routed; every error code the gateway can send is in its ErrorCode enum and no other.
 * A route added to router.c (or an error kind to error.c) without the document fails here. */
#include <ctype.h>
#include <jansson.h>

#include "docs.h"
#include "error.h"
#include "router.h"
#include "tap.h"

static const char *const op_methods[] = {
	"get", "put", "post", "delete", "options", "head", "patch", "trace"
};

static void
lower(const char *s, char *out, size_t n)
{
	size_t i = 0;

	for (; s[i] != '\0' && i + 1 < n; i++)
		out[i] = (char) tolower((unsigned char) s[i]);
	out[i] = '\0';
}

/* Whether the route table has (METHOD, pattern). */
static bool
routed(const char *method_lower, const char *pattern)
{
	const struct gw_route *r;
	char                   m[16];

	for (size_t i = 0; (r = router_at(i)) != NULL; i++) {
		if (r->method == NULL)
			continue;
		lower(r->method, m, sizeof m);
		if (strcmp(m, method_lower) == 0 && strcmp(r->pattern, pattern) == 0)
			return true;
	}
	return false;
}

int
main(void)
{
	json_error_t           jerr;
	json_t                *doc = json_loadb(openapi_json, openapi_json_len, 0, &jerr);
	json_t                *paths = json_object_get(doc, "paths");
	json_t                *codes = json_object_get(json_object_get(json_object_get(
	                                   json_object_get(doc, "components"), "schemas"),
	                                   "ErrorCode"), "enum");
	const struct gw_route *r;
	const char            *path;
	json_t                *item;
	size_t                 n_ops = 0;
	size_t                 n_routes = 0;

	if (!ok(doc != NULL, "openapi.json parses (%s)", doc == NULL ? jerr.text : "ok"))
		return done_testing();
	is_str(json_string_value(json_object_get(doc, "openapi")), "3.1.0", "OpenAPI 3.1.0");
	is_int(strlen(openapi_json), openapi_json_len, "the compiled-in length");
	ok(strstr(openapi_docs_html, "/api/openapi.json") != NULL &&
	   strstr(openapi_docs_html, "/api/docs/redoc.standalone.js") != NULL,
	   "the page loads the document and the script the gateway serves");

	/* the route table -> the document */
	for (size_t i = 0; (r = router_at(i)) != NULL; i++) {
		char m[16];

		if (r->method == NULL)
			continue;
		n_routes++;
		lower(r->method, m, sizeof m);
		ok(json_object_get(json_object_get(paths, r->pattern), m) != NULL,
		   "routed %s %s is in the document", r->method, r->pattern);
	}
	/* the document -> the route table */
	json_object_foreach(paths, path, item) {
		for (size_t k = 0; k < sizeof op_methods / sizeof op_methods[0]; k++) {
			if (json_object_get(item, op_methods[k]) == NULL)
				continue;
			n_ops++;
			ok(routed(op_methods[k], path), "documented %s %s is routed", op_methods[k], path);
		}
	}
	is_int(n_ops, n_routes, "as many operations as routes (%zu)", n_routes);

	/* the error codes: every kind's code is in the enum, the enum holds nothing else
	 * (several kinds may share a code: counted once) */
	{
		json_t *seen = json_object();
		size_t  idx;
		json_t *c;

		for (int k = GW_ERR_BAD_REQUEST; k <= GW_ERR_UNAVAILABLE; k++) {
			struct gw_error e;
			bool            found = false;

			error_set(&e, (enum gw_err) k, NULL);
			json_array_foreach(codes, idx, c)
				found = found || strcmp(json_string_value(c), e.code) == 0;
			ok(found, "error code %s (HTTP %u) is in ErrorCode", e.code, e.status);
			json_object_set_new(seen, e.code, json_true());
			error_clear(&e);
		}
		is_int(json_array_size(codes), json_object_size(seen),
		       "ErrorCode holds exactly the gateway's codes");
		json_decref(seen);
	}
	json_decref(doc);
	return done_testing();
}
