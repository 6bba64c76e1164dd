/* docs.h - the API's own documents: GET /api/openapi.json, /api/docs and the page's script. */
#ifndef GW_DOCS_H
#define GW_DOCS_H

#include <stddef.h>

#include "response.h"
#include "router.h"

/* Compiled in from gateway/openapi/ by the Makefile (NUL-terminated; the _len excludes it). */
extern const char   openapi_json[];
extern const size_t openapi_json_len;
extern const char   openapi_docs_html[];
extern const size_t openapi_docs_html_len;

/*
 * Reads Redoc's standalone bundle (vendored at build time: gateway/Makefile's `vendor`) into
 * memory once, at start-up. path NULL: build/vendor/redoc.standalone.js beside the
 * executable. Returns 0, or -1 with err set when the file cannot be read (the gateway runs
 * on: /api/docs then says how to vendor it, and the script is a 404).
 */
int  docs_load_script(const char *path, char *err, size_t errlen);
void docs_free(void);

/* Fills reply for GW_ROUTE_OPENAPI, GW_ROUTE_DOCS or GW_ROUTE_DOCS_SCRIPT (static bodies). */
void docs_respond(enum gw_route_id id, struct gw_reply *reply);

/* The page's Content-Security-Policy (relaxed from the web app's for Redoc: docs.c). */
extern const char docs_csp[];

#endif
