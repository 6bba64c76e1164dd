/* docs.c - the API's own documents: GET /api/openapi.json, /api/docs and the page's script.
 *
 * The document (gateway/openapi/openapi.json) and the page (gateway/openapi/docs.html) are
 * compiled in, so the binary always serves the description of the routes it was built with
 * (test_openapi.c checks the two against each other). The page is Redoc's: its standalone
 * bundle comes from the pinned npm package, copied at build time (no CDN, no internet), and
 * is read once at start-up. They do not depend on the web app (WEB_ROOT): an API-only
 * deployment keeps its reference.
 */
#include "docs.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"

#define SCRIPT_MAX ((long) 16 << 20)        /* sanity bound on the bundle (about 1 MiB) */

/*
 * Redoc renders with inline styles (styled-components) and runs its search in a worker
 * made from a blob: the page relaxes the web app's strict policy for exactly that, and
 * nothing else (no inline script, no other origin, no eval).
 */
const char docs_csp[] =
	"default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
	"img-src 'self' data:; font-src 'self' data:; connect-src 'self'; worker-src blob:; "
	"base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

static char  *script;       /* owned: the bundle, or NULL when not vendored */
static size_t script_len;

/* path, or build/vendor/redoc.standalone.js beside the executable, into out. */
static int
docs_script_path(const char *path, char *out, size_t outlen)
{
	char    exe[PATH_MAX];
	ssize_t n;
	char   *slash;

	if (path != NULL)
		return snprintf(out, outlen, "%s", path) < (int) outlen ? 0 : -1;
	n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n <= 0)
		return -1;
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (slash == NULL)
		return -1;
	*slash = '\0';
	return snprintf(out, outlen, "%s/build/vendor/redoc.standalone.js", exe) < (int) outlen
	       ? 0 : -1;
}

int
docs_load_script(const char *path, char *err, size_t errlen)
{
	char  file[PATH_MAX];
	FILE *f;
	long  size;

	if (docs_script_path(path, file, sizeof file) != 0) {
		snprintf(err, errlen, "cannot find the executable's directory");
		return -1;
	}
	f = fopen(file, "rb");
	if (f == NULL) {
		snprintf(err, errlen, "%s is missing (make -C gateway vendor)", file);
		return -1;
	}
	if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) <= 0 || size > SCRIPT_MAX ||
	    fseek(f, 0, SEEK_SET) != 0 || (script = malloc((size_t) size)) == NULL ||
	    fread(script, 1, (size_t) size, f) != (size_t) size) {
		snprintf(err, errlen, "cannot read %s", file);
		free(script);
		script = NULL;
		fclose(f);
		return -1;
	}
	fclose(f);
	script_len = (size_t) size;
	return 0;
}

void
docs_free(void)
{
	free(script);
	script = NULL;
	script_len = 0;
}

void
docs_respond(enum gw_route_id id, struct gw_reply *reply)
{
	memset(reply, 0, sizeof *reply);
	if (id == GW_ROUTE_DOCS_SCRIPT && script == NULL) {
		response_from_kind(reply, GW_ERR_NOT_FOUND);
		return;
	}
	reply->status = 200;
	reply->body_static = true;
	switch (id) {
	case GW_ROUTE_OPENAPI:
		reply->body = (char *) (uintptr_t) openapi_json;     /* never written: body_static */
		reply->body_len = openapi_json_len;
		break;
	case GW_ROUTE_DOCS:
		reply->body = (char *) (uintptr_t) openapi_docs_html;
		reply->body_len = openapi_docs_html_len;
		reply->content_type = "text/html; charset=utf-8";
		reply->csp = docs_csp;
		break;
	default:
		reply->body = script;
		reply->body_len = script_len;
		reply->content_type = "text/javascript; charset=utf-8";
		reply->csp = docs_csp;
		break;
	}
}
