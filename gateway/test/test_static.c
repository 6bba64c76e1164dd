/* test_static.c - the web app's path checks, content types, ETags, and files opened only
 * below the root (symlinks out, directories and FIFOs refused). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "request.h"
#include "static.h"
#include "tap.h"

/* A raw path as the gateway sees it: percent-decoded first (request_path_unescape). */
static void
path_ok(const char *raw, const char *expected)
{
	char decoded[256];
	char out[STATIC_PATH_MAX];
	bool got;

	snprintf(decoded, sizeof decoded, "%s", raw);
	request_path_unescape(decoded);
	got = static_path(decoded, out, sizeof out);
	if (expected == NULL)
		ok(!got, "path %s is refused", raw);
	else if (ok(got, "path %s is accepted", raw))
		is_str(out, expected, "path %s names %s", raw, expected);
}

static void
paths(void)
{
	char long_seg[300];
	char out[16];

	path_ok("/", "index.html");
	path_ok("/index.html", "index.html");
	path_ok("/app.js", "app.js");
	path_ok("/docs/", "docs/index.html");
	path_ok("/docs/a-b_c.1.css", "docs/a-b_c.1.css");
	path_ok("/a..b", "a..b");
	path_ok("/%61pp.js", "app.js");                 /* an encoded letter is the letter */
	/* traversal, plain and encoded */
	path_ok("/..", NULL);
	path_ok("/../etc/passwd", NULL);
	path_ok("/docs/../../etc/passwd", NULL);
	path_ok("/%2e%2e/etc/passwd", NULL);
	path_ok("/%2E%2E/etc/passwd", NULL);
	path_ok("/.%2e/etc/passwd", NULL);
	path_ok("/..%2fetc%2fpasswd", NULL);
	path_ok("/..%2Fetc", NULL);
	path_ok("/%252e%252e/etc/passwd", NULL);        /* double-encoded: a '%' remains */
	path_ok("/..\\etc\\passwd", NULL);
	path_ok("/%5c..%5cetc", NULL);
	path_ok("/docs\\..\\index.html", NULL);
	/* NUL, dot files, empty segments, anything but the allowed bytes */
	path_ok("/index.html%00.png", NULL);
	path_ok("/%00", NULL);
	path_ok("/.", NULL);
	path_ok("/./index.html", NULL);
	path_ok("/.git/config", NULL);
	path_ok("/.env", NULL);
	path_ok("//etc/passwd", NULL);
	path_ok("/docs//x", NULL);
	path_ok("/a b", NULL);
	path_ok("/a%20b", NULL);
	path_ok("/caf%C3%A9", NULL);
	path_ok("/a:b", NULL);
	path_ok("/~root", NULL);
	path_ok("", NULL);
	path_ok("index.html", NULL);
	ok(!static_path(NULL, out, sizeof out), "NULL path is refused");
	memset(long_seg, 'a', sizeof long_seg);
	long_seg[0] = '/';
	long_seg[257] = '\0';                            /* a 256-byte segment */
	ok(!static_path(long_seg, (char[STATIC_PATH_MAX]){ 0 }, STATIC_PATH_MAX),
	   "a segment over 255 bytes is refused");
	long_seg[256] = '\0';
	ok(static_path(long_seg, (char[STATIC_PATH_MAX]){ 0 }, STATIC_PATH_MAX),
	   "a segment of 255 bytes is accepted");
	ok(!static_path("/abcdefghijklmnop", out, sizeof out), "a path longer than out is refused");
	ok(!static_path("/abcdef/", out, sizeof out), "index.html not fitting out is refused");
}

static void
claims(void)
{
	ok(static_claims("/"), "/ is the web app's");
	ok(static_claims("/app.js"), "/app.js is the web app's");
	ok(static_claims("/docs/api"), "/docs/api is the web app's");
	ok(!static_claims("/api"), "/api is the API's");
	ok(!static_claims("/api/"), "/api/ is the API's");
	ok(!static_claims("/api/nope"), "/api/nope is the API's");
	ok(!static_claims("/api/v1/health"), "/api/v1/health is the API's");
	ok(!static_claims("/apix"), "/apix is the API's (no web file begins with /api)");
	ok(!static_claims("/api%2Fauth"), "%s is the API's", "/api%2Fauth");
}

static void
types(void)
{
	is_str(static_content_type("index.html"), "text/html; charset=utf-8", "html");
	is_str(static_content_type("app.css"), "text/css; charset=utf-8", "css");
	is_str(static_content_type("app.js"), "text/javascript; charset=utf-8", "js");
	is_str(static_content_type("x/app.MJS"), "text/javascript; charset=utf-8", "mjs, any case");
	is_str(static_content_type("openapi.json"), "application/json", "json");
	is_str(static_content_type("icon.svg"), "image/svg+xml", "svg");
	is_str(static_content_type("a.png"), "image/png", "png");
	is_str(static_content_type("favicon.ico"), "image/vnd.microsoft.icon", "ico");
	is_str(static_content_type("README"), "application/octet-stream", "no extension");
	is_str(static_content_type("a.exe"), "application/octet-stream", "unknown extension");
	is_str(static_content_type("a.html.x"), "application/octet-stream", "last extension counts");
	is_str(static_content_type("dir.html/file"), "application/octet-stream",
	       "a dot in a directory name is no extension");
}

static void
etags(void)
{
	const char *e = "\"1a-2b-3c\"";

	ok(!static_etag_matches(NULL, e), "no If-None-Match: no match");
	ok(static_etag_matches("\"1a-2b-3c\"", e), "the same tag matches");
	ok(static_etag_matches("W/\"1a-2b-3c\"", e), "its weak form matches (weak comparison)");
	ok(static_etag_matches("\"x\", \"1a-2b-3c\"", e), "a list holding it matches");
	ok(static_etag_matches("\"x\",W/\"1a-2b-3c\"", e), "a list without spaces matches");
	ok(static_etag_matches("*", e), "* matches");
	ok(!static_etag_matches("\"1a-2b-3d\"", e), "another tag does not match");
	ok(!static_etag_matches("\"1a-2b-3c", e), "an unterminated tag does not match");
	ok(!static_etag_matches("1a-2b-3c", e), "an unquoted tag does not match");
	ok(!static_etag_matches("", e), "an empty header does not match");
	ok(!static_etag_matches("\"1a-2b\"", e), "a prefix does not match");
	ok(!static_etag_matches("\"1a-2b-3c-4d\"", e), "a longer tag does not match");
	ok(!static_etag_matches("junk, \"1a-2b-3c\"", e), "nothing after junk is trusted");
}

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f == NULL) {
		perror(path);
		exit(1);
	}
	fputs(text, f);
	fclose(f);
}

/* 0 when the file opens below root (closing it), else -1. */
static int
try_open(const struct gw_static *s, const char *rel, long long *size, char *etag)
{
	int fd = static_open_file(s, rel, size, etag, 64);

	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

static void
files(void)
{
	char              tmpl[] = "/tmp/test_static.XXXXXX";
	char             *dir = mkdtemp(tmpl);
	char              root[256];
	char              p[512];
	char              err[256];
	char              etag[64] = "";
	char              etag2[64] = "";
	long long         size = -1;
	struct gw_static *s;

	if (dir == NULL) {
		perror("mkdtemp");
		exit(1);
	}
	/* dir/secret (outside), dir/root/{index.html, sub/a.js, links, a directory, a FIFO} */
	snprintf(root, sizeof root, "%s/root", dir);
	snprintf(p, sizeof p, "%s/secret", dir);
	write_file(p, "secret\n");
	mkdir(root, 0755);
	snprintf(p, sizeof p, "%s/index.html", root);
	write_file(p, "<!doctype html>\n");
	snprintf(p, sizeof p, "%s/sub", root);
	mkdir(p, 0755);
	snprintf(p, sizeof p, "%s/sub/a.js", root);
	write_file(p, "1;\n");
	snprintf(p, sizeof p, "%s/out-abs", root);
	ok(symlink("/etc/passwd", p) == 0, "symlink out-abs -> /etc/passwd");
	snprintf(p, sizeof p, "%s/out-rel", root);
	ok(symlink("../secret", p) == 0, "symlink out-rel -> ../secret");
	snprintf(p, sizeof p, "%s/sub/up", root);
	ok(symlink("../..", p) == 0, "symlink sub/up -> ../.. (a directory out)");
	snprintf(p, sizeof p, "%s/in", root);
	ok(symlink("sub/a.js", p) == 0, "symlink in -> sub/a.js (inside)");
	snprintf(p, sizeof p, "%s/proc", root);
	ok(symlink("/proc/self/root/etc/passwd", p) == 0, "symlink proc -> /proc/self/root/...");
	snprintf(p, sizeof p, "%s/fifo", root);
	ok(mkfifo(p, 0644) == 0, "a FIFO in the root");

	ok(static_open("/nonexistent/web", "x", err, sizeof err) == NULL &&
	   strstr(err, "/nonexistent/web") != NULL, "a missing root is refused, named");
	snprintf(p, sizeof p, "%s/index.html", root);
	ok(static_open(p, "x", err, sizeof err) == NULL, "a file as root is refused");
	s = static_open(root, "default-src 'none'", err, sizeof err);
	if (!ok(s != NULL, "the root opens")) {
		printf("# %s\n", err);
		return;
	}
	ok(try_open(s, "index.html", &size, etag) == 0, "index.html opens");
	is_int(size, 16, "its size");
	ok(etag[0] == '"' && etag[strlen(etag) - 1] == '"', "its ETag is quoted: %s", etag);
	ok(try_open(s, "sub/a.js", &size, etag2) == 0, "sub/a.js opens");
	ok(strcmp(etag, etag2) != 0, "another file, another ETag");
	ok(try_open(s, "in", &size, etag2) == 0, "a symlink to a file inside opens");
	ok(try_open(s, "out-abs", &size, etag2) != 0, "an absolute symlink out is refused");
	ok(try_open(s, "out-rel", &size, etag2) != 0, "a relative symlink out is refused");
	ok(try_open(s, "sub/up/secret", &size, etag2) != 0, "a directory symlink out is refused");
	ok(try_open(s, "proc", &size, etag2) != 0, "a symlink through /proc is refused");
	ok(try_open(s, "../secret", &size, etag2) != 0, "../ is refused by the kernel too");
	ok(try_open(s, "/etc/passwd", &size, etag2) != 0, "an absolute path is refused");
	ok(try_open(s, "sub", &size, etag2) != 0, "a directory is no file (no listing)");
	ok(try_open(s, "fifo", &size, etag2) != 0, "a FIFO is refused, without hanging");
	ok(try_open(s, "nope.html", &size, etag2) != 0, "a missing file is refused");

	/* the ETag changes when the file does */
	snprintf(p, sizeof p, "%s/index.html", root);
	write_file(p, "<!doctype html>\n<p>changed</p>\n");
	ok(try_open(s, "index.html", &size, etag2) == 0 && strcmp(etag, etag2) != 0,
	   "an edited file has a new ETag");
	static_close(s);
	static_close(NULL);

	/* clean up the temporary tree */
	for (const char *const *n = (const char *const[]){ "root/sub/a.js", "root/sub/up",
	                                                   "root/sub", "root/index.html",
	                                                   "root/out-abs", "root/out-rel",
	                                                   "root/in", "root/proc", "root/fifo",
	                                                   "root", "secret", NULL };
	     *n != NULL; n++) {
		snprintf(p, sizeof p, "%s/%s", dir, *n);
		if (remove(p) != 0)
			perror(p);
	}
	rmdir(dir);
}

static void
default_root(void)
{
	char out[4096];
	char small[4];

	ok(static_default_root(out, sizeof out), "the default root can be found out");
	ok(strlen(out) > 4 && strcmp(out + strlen(out) - 4, "/web") == 0,
	   "it is web/ next to the executable: %s", out);
	ok(!static_default_root(small, sizeof small), "a buffer too small is refused");
}

int
main(void)
{
	paths();
	claims();
	types();
	etags();
	files();
	default_root();
	return done_testing();
}
