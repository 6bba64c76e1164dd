/* static.c - the files of one directory served over HTTP: the web app at / (WEB_ROOT). */
#include "static.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "log.h"

#define SEGMENT_MAX 255

struct gw_static {
	int   dirfd;        /* the root, opened once: every file is looked up below it */
	char *csp;
};

/*
 * openat2(2) confined to dirfd: the kernel refuses any path that would leave it ("..",
 * an absolute symlink, a symlink pointing out, /proc magic links), with no race against a
 * rename. glibc 2.36 has no wrapper.
 */
static int
static_openat2(int dirfd, const char *path, int flags)
{
	struct open_how how;

	memset(&how, 0, sizeof how);
	how.flags = (unsigned long long) flags;
	how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
	return (int) syscall(SYS_openat2, dirfd, path, &how, sizeof how);
}

struct gw_static *
static_open(const char *root, const char *csp, char *err, size_t errlen)
{
	struct gw_static *s;
	int               fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int               probe;

	if (fd < 0) {
		snprintf(err, errlen, "cannot open the directory %s: %s", root, strerror(errno));
		return NULL;
	}
	probe = static_openat2(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (probe < 0) {
		snprintf(err, errlen, "cannot serve %s: openat2 failed (%s; Linux 5.6 or later "
		         "needed)", root, strerror(errno));
		close(fd);
		return NULL;
	}
	close(probe);
	s = calloc(1, sizeof *s);
	if (s == NULL || (s->csp = strdup(csp)) == NULL) {
		free(s);
		close(fd);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->dirfd = fd;
	return s;
}

void
static_close(struct gw_static *s)
{
	if (s == NULL)
		return;
	close(s->dirfd);
	free(s->csp);
	free(s);
}

bool
static_default_root(char *out, size_t outlen)
{
	char    exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	char   *slash;

	if (n <= 0)
		return false;
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (slash == NULL)
		return false;
	*slash = '\0';
	return (size_t) snprintf(out, outlen, "%s/web", exe) < outlen;
}

int
static_web_open(const char *web_root, struct gw_static **web)
{
	char        root[PATH_MAX];
	char        err[PATH_MAX + 128];
	struct stat st;

	*web = NULL;
	if (web_root != NULL && web_root[0] == '\0') {
		log_msg(GW_LOG_INFO, NULL, "web app off (WEB_ROOT is empty): API only");
		return 0;
	}
	if (web_root == NULL) {
		if (!static_default_root(root, sizeof root) || stat(root, &st) != 0 ||
		    !S_ISDIR(st.st_mode)) {
			log_msg(GW_LOG_INFO, NULL, "web app off: no directory web/ next to the "
			        "gateway (set WEB_ROOT to serve one)");
			return 0;
		}
		web_root = root;
	}
	*web = static_open(web_root, STATIC_WEB_CSP, err, sizeof err);
	if (*web == NULL) {
		log_msg(GW_LOG_ERROR, NULL, "configuration error: WEB_ROOT: %s", err);
		return -1;
	}
	log_msg(GW_LOG_INFO, NULL, "web app: serving %s at /", web_root);
	return 0;
}

bool
static_claims(const char *path)
{
	return strncmp(path, "/api", 4) != 0;
}

/* [A-Za-z0-9._-]: the bytes a file name of the web root may have. */
static bool
static_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '_' || c == '-';
}

bool
static_path(const char *path, char *out, size_t outlen)
{
	size_t o = 0;
	size_t seg = 0;          /* bytes of the current segment */

	if (path == NULL || path[0] != '/' || outlen == 0)
		return false;
	for (const char *p = path + 1;; p++) {
		if (*p == '/' || *p == '\0') {
			if (seg == 0 && *p == '/')
				return false;               /* "//": an empty segment */
			if (*p == '\0')
				break;
			seg = 0;
		} else if (!static_name_char(*p) || (seg == 0 && *p == '.') || ++seg > SEGMENT_MAX)
			return false;
		if (o + 1 >= outlen)
			return false;
		out[o++] = *p;
	}
	out[o] = '\0';
	if (o == 0 || out[o - 1] == '/') {
		/* a directory: its index.html, never a listing */
		if (o + sizeof "index.html" > outlen)
			return false;
		memcpy(out + o, "index.html", sizeof "index.html");
	}
	return true;
}

const char *
static_content_type(const char *name)
{
	static const struct {
		const char *ext;
		const char *type;
	} types[] = {
		{ "html", "text/html; charset=utf-8" },
		{ "css", "text/css; charset=utf-8" },
		{ "js", "text/javascript; charset=utf-8" },
		{ "mjs", "text/javascript; charset=utf-8" },
		{ "json", "application/json" },
		{ "map", "application/json" },
		{ "webmanifest", "application/manifest+json" },
		{ "txt", "text/plain; charset=utf-8" },
		{ "svg", "image/svg+xml" },
		{ "png", "image/png" },
		{ "jpg", "image/jpeg" },
		{ "jpeg", "image/jpeg" },
		{ "webp", "image/webp" },
		{ "ico", "image/vnd.microsoft.icon" },
		{ "woff2", "font/woff2" },
	};
	const char *dot = strrchr(name, '.');

	if (dot != NULL && strchr(dot, '/') == NULL) {
		for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
			if (strcasecmp(dot + 1, types[i].ext) == 0)
				return types[i].type;
		}
	}
	return "application/octet-stream";
}

bool
static_etag_matches(const char *inm, const char *etag)
{
	size_t elen = strlen(etag);

	if (inm == NULL)
		return false;
	for (const char *p = inm; *p != '\0';) {
		const char *end;

		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (*p == '*')
			return true;
		if (strncmp(p, "W/", 2) == 0)
			p += 2;     /* weak comparison: W/"x" matches "x" */
		if (*p != '"')
			return false;   /* not an entity tag: nothing further is trusted */
		end = strchr(p + 1, '"');
		if (end == NULL)
			return false;
		if ((size_t) (end + 1 - p) == elen && memcmp(p, etag, elen) == 0)
			return true;
		p = end + 1;
	}
	return false;
}

int
static_open_file(const struct gw_static *s, const char *rel, long long *size, char *etag,
                 size_t etaglen)
{
	struct stat st;
	/* O_NONBLOCK: opening a FIFO planted in the root must not hang the thread */
	int         fd = static_openat2(s->dirfd, rel, O_RDONLY | O_CLOEXEC | O_NOCTTY |
	                                                O_NONBLOCK);

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -1;
	}
	*size = (long long) st.st_size;
	/* size and modification time: changes whenever the file is replaced or edited */
	snprintf(etag, etaglen, "\"%llx-%llx-%lx\"", (unsigned long long) st.st_size,
	         (unsigned long long) st.st_mtim.tv_sec, (unsigned long) st.st_mtim.tv_nsec);
	return fd;
}

/* Adds one header; false (and a log line) when libmicrohttpd refuses it. */
static bool
static_header(struct MHD_Response *resp, const char *name, const char *value,
              const struct gw_request *req)
{
	if (MHD_add_response_header(resp, name, value) == MHD_YES)
		return true;
	log_msg(GW_LOG_ERROR, req->request_id, "cannot add response header %s", name);
	return false;
}

/* The short text answers (never written to: libmicrohttpd wants a non-const buffer). */
static char static_not_found[] = "Not found\n";
static char static_bad_method[] = "Method not allowed\n";

/* A short text answer (404, 405). */
static struct MHD_Response *
static_text(char *text)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(strlen(text), text,
	                                                            MHD_RESPMEM_PERSISTENT);

	if (resp != NULL &&
	    MHD_add_response_header(resp, "Content-Type", "text/plain; charset=utf-8") != MHD_YES) {
		MHD_destroy_response(resp);
		return NULL;
	}
	return resp;
}

enum MHD_Result
static_answer(const struct gw_static *s, struct MHD_Connection *con, struct gw_request *req,
              const char *method, const char *path)
{
	struct MHD_Response *resp = NULL;
	char                 rel[STATIC_PATH_MAX];
	char                 etag[64] = "";
	long long            size = 0;
	unsigned             status;
	int                  fd = -1;
	bool                 ok;
	enum MHD_Result      rc;

	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
		status = MHD_HTTP_METHOD_NOT_ALLOWED;
		resp = static_text(static_bad_method);
	} else if (!static_path(path, rel, sizeof rel) ||
	           (fd = static_open_file(s, rel, &size, etag, sizeof etag)) < 0) {
		status = MHD_HTTP_NOT_FOUND;
		resp = static_text(static_not_found);
	} else if (static_etag_matches(MHD_lookup_connection_value(con, MHD_HEADER_KIND,
	                                                           "If-None-Match"), etag)) {
		status = MHD_HTTP_NOT_MODIFIED;
		close(fd);
		/* libmicrohttpd 0.9.75 adds "Content-Length: 0" (gateway/README.md) */
		resp = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
	} else {
		status = MHD_HTTP_OK;
		/* the response owns fd once made (closed when it is destroyed) */
		resp = MHD_create_response_from_fd64((uint64_t) size, fd);
		if (resp == NULL)
			close(fd);
		else if (MHD_add_response_header(resp, "Content-Type",
		                                 static_content_type(rel)) != MHD_YES) {
			MHD_destroy_response(resp);
			resp = NULL;
		}
	}
	if (resp == NULL) {
		log_msg(GW_LOG_ERROR, req->request_id, "cannot build a response for the web app");
		return MHD_NO;
	}
	ok = static_header(resp, "X-Request-Id", req->request_id, req) &&
	     static_header(resp, "Content-Security-Policy", s->csp, req) &&
	     static_header(resp, "X-Content-Type-Options", "nosniff", req) &&
	     static_header(resp, "Referrer-Policy", "no-referrer", req);
	if (etag[0] != '\0')
		/* unversioned file names: always revalidate (a 304 costs no body) */
		ok = ok && static_header(resp, "ETag", etag, req) &&
		     static_header(resp, "Cache-Control", "no-cache", req);
	else
		ok = ok && static_header(resp, "Cache-Control", "no-store", req);
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		ok = ok && static_header(resp, "Allow", "GET, HEAD", req);
	if (!ok) {
		MHD_destroy_response(resp);
		return MHD_NO;
	}
	req->status = status;
	rc = MHD_queue_response(con, status, resp);
	MHD_destroy_response(resp);
	return rc;
}
