/* static.h - the files of one directory served over HTTP: the web app at / (WEB_ROOT). */
#ifndef GW_STATIC_H
#define GW_STATIC_H

#include <microhttpd.h>
#include <stdbool.h>
#include <stddef.h>

#include "request.h"

/*
 * The web app's Content-Security-Policy: its own scripts, styles and images, fetch() to its
 * own origin, nothing inline, nothing framed, no <base>, no plugins, no string-to-code.
 */
#define STATIC_WEB_CSP                                                                     \
	"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "            \
	"connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'; "    \
	"require-trusted-types-for 'script'; trusted-types 'none'"

#define STATIC_PATH_MAX 1024    /* bytes of a file's path under the root */

/* One served directory, opened once at start-up; shared read-only by every request. */
struct gw_static;

/*
 * Opens the directory root for serving, every answer carrying csp (copied). Returns NULL
 * with a message in err when root is not a directory that can be opened, or when the
 * kernel cannot confine lookups to it (openat2, Linux 5.6).
 */
struct gw_static *static_open(const char *root, const char *csp, char *err, size_t errlen);
void static_close(struct gw_static *s);

/* The default WEB_ROOT: the directory "web" next to the running executable (gateway/web
 * in the source tree). Writes it into out; false when it cannot be found out. */
bool static_default_root(char *out, size_t outlen);

/*
 * The web app from WEB_ROOT (web_root: NULL when unset, then static_default_root() if that
 * directory exists; "": none), with STATIC_WEB_CSP; logs what it serves. Returns 0 with
 * *web set (NULL: no web app), or -1 (logged) when WEB_ROOT names no usable directory.
 */
int static_web_open(const char *web_root, struct gw_static **web);

/* Whether the web app may answer path: not "/api" nor anything that begins so (the API's
 * space: there an unknown path stays the API's JSON 404). */
bool static_claims(const char *path);

/*
 * The file a decoded URL path names, relative to the root, into out: "/" and any path
 * ending in "/" name that directory's index.html. Returns false when the path can name no
 * file: every segment must be 1-255 bytes of [A-Za-z0-9._-] not beginning with '.', so
 * no "..", no hidden file, no '%' (an undecoded %00 or %2F), no '\', no NUL, no "//".
 */
bool static_path(const char *path, char *out, size_t outlen);

/* The Content-Type for a file name, by its extension (application/octet-stream when
 * unknown). */
const char *static_content_type(const char *name);

/* Whether an If-None-Match header (NULL when absent) matches etag, weak comparison. */
bool static_etag_matches(const char *if_none_match, const char *etag);

/*
 * Opens the regular file rel (from static_path) under the root, read-only, without ever
 * leaving the root (no "..", no symlink pointing out, no magic link). Returns the file
 * descriptor (the caller closes it) with *size and the ETag, or -1 when there is no such
 * regular file below the root (a directory, a FIFO, a symlink out: all -1).
 */
int static_open_file(const struct gw_static *s, const char *rel, long long *size,
                     char *etag, size_t etaglen);

/*
 * Answers the request for path: GET or HEAD of a file (200, or 304 when If-None-Match
 * matches), 404 (text) when there is none, 405 with Allow for any other method. Every
 * answer carries the CSP, X-Content-Type-Options: nosniff, Referrer-Policy and
 * X-Request-Id. Records the status in req for the log.
 */
enum MHD_Result static_answer(const struct gw_static *s, struct MHD_Connection *con,
                              struct gw_request *req, const char *method, const char *path);

#endif
