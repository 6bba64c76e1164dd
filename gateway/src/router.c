/* router.c - the route table: path patterns, path parameters, 404 / 405 with Allow. */
#include "router.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SELECT_FROM "SELECT data, meta, error FROM "

/* A write under an Idempotency-Key (46_api_idempotency.sql): $1 key, $2 method, $3 path,
 * $4 body, $5 the task id; key columns as the route's own call has them, then replayed. */
#define KEYED_FROM "SELECT data, meta, error, NULL, NULL, replayed FROM "
#define KEYED_TASK(op) KEYED_FROM "api.idempotent_call('" op "', $1, $2, $3, $4, $5)"

/*
 * The list, streamed (stream.c): a row per task, then the meta; never one value of the
 * whole list, in the database or here.
 */
#define TASK_LIST_SQL "SELECT task, meta FROM api.task_list_rows($1::jsonb)"

/* docs/sql-api.md, "Functions". Order inside a path is the order of the Allow list. */
static const struct gw_route routes[] = {
	{ "POST", "/api/auth/register", GW_ROUTE_REGISTER, false, "api.register",
	  SELECT_FROM "api.register($1::jsonb)", { GW_ARG_BODY, GW_ARG_NONE }, 201,
	  KEYED_FROM "api.idempotent_register($1, $2, $3, $4)" },
	{ "POST", "/api/auth/login", GW_ROUTE_LOGIN, false, "api.login",
	  SELECT_FROM "api.login($1::jsonb)", { GW_ARG_BODY, GW_ARG_NONE }, 200, NULL },
	{ "POST", "/api/auth/logout", GW_ROUTE_LOGOUT, true, "api.logout",
	  SELECT_FROM "api.logout()", { GW_ARG_NONE, GW_ARG_NONE }, 204,
	  KEYED_FROM "api.idempotent_call('logout', $1, $2, $3, $4, NULL)" },
	{ "GET", "/api/auth/me", GW_ROUTE_ME, true, "api.me",
	  SELECT_FROM "api.me()", { GW_ARG_NONE, GW_ARG_NONE }, 200, NULL },
	{ "GET", "/api/v1/health", GW_ROUTE_HEALTH, false, "api.health",   /* health_call() */
	  SELECT_FROM "api.health()", { GW_ARG_NONE, GW_ARG_NONE }, 200, NULL },
	{ "GET", "/api/{user_id}/tasks", GW_ROUTE_TASK_LIST, true, "api.task_list",
	  TASK_LIST_SQL, { GW_ARG_QUERY, GW_ARG_NONE }, 200, NULL },
	{ "POST", "/api/{user_id}/tasks", GW_ROUTE_TASK_CREATE, true, "api.task_create",
	  /* and the new task's ids, for Location (response_location) */
	  "SELECT data, meta, error, data->>'user_id', data->>'id' FROM api.task_create($1::jsonb)",
	  { GW_ARG_BODY, GW_ARG_NONE }, 201,
	  "SELECT data, meta, error, data->>'user_id', data->>'id', replayed "
	  "FROM api.idempotent_call('task_create', $1, $2, $3, $4, NULL)" },
	{ "GET", "/api/{user_id}/tasks/{id}", GW_ROUTE_TASK_GET, true, "api.task_get",
	  SELECT_FROM "api.task_get($1)", { GW_ARG_TASK_ID, GW_ARG_NONE }, 200, NULL },
	{ "PUT", "/api/{user_id}/tasks/{id}", GW_ROUTE_TASK_UPDATE, true, "api.task_update",
	  SELECT_FROM "api.task_update($1, $2::jsonb)", { GW_ARG_TASK_ID, GW_ARG_BODY }, 200,
	  KEYED_TASK("task_update") },
	{ "DELETE", "/api/{user_id}/tasks/{id}", GW_ROUTE_TASK_DELETE, true, "api.task_delete",
	  SELECT_FROM "api.task_delete($1)", { GW_ARG_TASK_ID, GW_ARG_NONE }, 204,
	  KEYED_TASK("task_delete") },
	{ "PATCH", "/api/{user_id}/tasks/{id}/complete", GW_ROUTE_TASK_COMPLETE, true,
	  "api.task_complete", SELECT_FROM "api.task_complete($1, $2::jsonb)",
	  { GW_ARG_TASK_ID, GW_ARG_BODY_OR_NULL }, 200, KEYED_TASK("task_complete") },
	/* the API's description and its reference page, from the gateway itself (docs.c) */
	{ "GET", "/api/openapi.json", GW_ROUTE_OPENAPI, false, "openapi.json", NULL,
	  { GW_ARG_NONE, GW_ARG_NONE }, 200, NULL },
	{ "GET", "/api/docs", GW_ROUTE_DOCS, false, "docs", NULL, { GW_ARG_NONE, GW_ARG_NONE }, 200,
	  NULL },
	{ "GET", "/api/docs/redoc.standalone.js", GW_ROUTE_DOCS_SCRIPT, false, "docs script", NULL,
	  { GW_ARG_NONE, GW_ARG_NONE }, 200, NULL },
	/* not routed (no method, no path): asked before a body is refused (handler.c) */
	{ NULL, NULL, GW_ROUTE_AUTHORIZE, true, "api.authorize",
	  SELECT_FROM "api.authorize()", { GW_ARG_NONE, GW_ARG_NONE }, 200, NULL },
};

#define N_ROUTES (sizeof routes / sizeof routes[0])

bool
router_read_only(enum gw_route_id id)
{
	/* authenticating may still write (another issuer's token seen first, a changed claim):
	 * replica.c sends those to the primary when the replica refuses the write (25006) */
	return id == GW_ROUTE_TASK_LIST || id == GW_ROUTE_TASK_GET || id == GW_ROUTE_ME;
}

/* Segment [s, s+n) of the path against one pattern segment [p, p+pn). */
static bool
router_segment_matches(const char *p, size_t pn, const char *s, size_t n)
{
	if (pn > 0 && p[0] == '{')
		return n > 0;
	return pn == n && memcmp(p, s, n) == 0;
}

/*
 * Matches path against pattern. Parameter segments go to *user_id / *id as (start, length)
 * pairs pointing into path. Empty segments ("//", trailing "/") never match.
 */
static bool
router_path_matches(const char *pattern, const char *path, const char **uid, size_t *uid_len,
                    const char **id, size_t *id_len)
{
	const char *p = pattern;
	const char *s = path;

	while (*p == '/' && *s == '/') {
		const char *pe = strchr(p + 1, '/');
		const char *se = strchr(s + 1, '/');
		size_t      pn;
		size_t      sn;

		pe = pe != NULL ? pe : p + strlen(p);
		se = se != NULL ? se : s + strlen(s);
		pn = (size_t) (pe - p - 1);
		sn = (size_t) (se - s - 1);
		if (!router_segment_matches(p + 1, pn, s + 1, sn))
			return false;
		if (pn == 9 && memcmp(p + 1, "{user_id}", 9) == 0) {
			*uid = s + 1;
			*uid_len = sn;
		} else if (pn == 4 && memcmp(p + 1, "{id}", 4) == 0) {
			*id = s + 1;
			*id_len = sn;
		}
		p = pe;
		s = se;
	}
	return *p == '\0' && *s == '\0';
}

/* Length of the valid UTF-8 sequence at p (left bytes available), or 0 if it is not one. */
static size_t
router_utf8_len(const unsigned char *p, size_t left)
{
	unsigned char lo = 0x80;
	unsigned char hi = 0xbf;
	size_t        n;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		n = 3;
		lo = p[0] == 0xe0 ? 0xa0 : 0x80;     /* no overlong forms */
		hi = p[0] == 0xed ? 0x9f : 0xbf;     /* no surrogates */
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		n = 4;
		lo = p[0] == 0xf0 ? 0x90 : 0x80;
		hi = p[0] == 0xf4 ? 0x8f : 0xbf;     /* nothing above U+10FFFF */
	} else
		return 0;
	if (left < n || p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++) {
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	}
	return n;
}

/*
 * Copies a path parameter as text the database accepts: each byte that does not begin a
 * valid UTF-8 sequence becomes U+FFFD. Such a parameter can name no user and no task, and
 * the database then answers as for any other unknown one (403 / 404, after the 401 check).
 * Returns a malloc'd string, NULL when out of memory.
 */
static char *
router_param_copy(const char *s, size_t n)
{
	char  *out = malloc(3 * n + 1);
	size_t o = 0;

	if (out == NULL)
		return NULL;
	for (size_t i = 0; i < n;) {
		size_t len = router_utf8_len((const unsigned char *) s + i, n - i);

		if (len == 0) {
			memcpy(out + o, "\xef\xbf\xbd", 3);
			o += 3;
			i++;
		} else {
			memcpy(out + o, s + i, len);
			o += len;
			i += len;
		}
	}
	out[o] = '\0';
	return out;
}

/* Adds method to the comma-separated allow list unless already there. */
static void
router_allow_add(char *allow, const char *method)
{
	size_t len = strlen(allow);
	size_t mlen = strlen(method);

	for (const char *q = allow; (q = strstr(q, method)) != NULL; q += mlen) {
		if ((q == allow || q[-1] == ' ') && (q[mlen] == ',' || q[mlen] == '\0'))
			return;
	}
	snprintf(allow + len, GW_ALLOW_MAX - len, "%s%s", len ? ", " : "", method);
}

int
router_match(const char *method, const char *path, struct gw_match *m)
{
	const char *want = strcmp(method, "HEAD") == 0 ? "GET" : method;
	const char *uid = NULL;
	const char *id = NULL;
	size_t      uid_len = 0;
	size_t      id_len = 0;
	bool        path_known = false;

	memset(m, 0, sizeof *m);
	m->kind = GW_MATCH_NOT_FOUND;
	for (size_t i = 0; i < N_ROUTES; i++) {
		const char *u = NULL;
		const char *t = NULL;
		size_t      ul = 0;
		size_t      tl = 0;

		if (routes[i].pattern == NULL ||
		    !router_path_matches(routes[i].pattern, path, &u, &ul, &t, &tl))
			continue;
		if (!path_known)
			m->pattern = routes[i].pattern;
		path_known = true;
		router_allow_add(m->allow, routes[i].method);
		if (strcmp(routes[i].method, "GET") == 0)
			router_allow_add(m->allow, "HEAD");
		if (m->route == NULL && strcmp(routes[i].method, want) == 0) {
			m->route = &routes[i];
			uid = u;
			uid_len = ul;
			id = t;
			id_len = tl;
		}
	}
	if (!path_known)
		return 0;
	router_allow_add(m->allow, "OPTIONS");
	if (strcmp(method, "OPTIONS") == 0) {
		m->kind = GW_MATCH_OPTIONS;
		return 0;
	}
	if (m->route == NULL) {
		m->kind = GW_MATCH_BAD_METHOD;
		return 0;
	}
	m->kind = GW_MATCH_FOUND;
	if (uid != NULL && (m->user_id = router_param_copy(uid, uid_len)) == NULL)
		return -1;
	if (id != NULL && (m->task_id = router_param_copy(id, id_len)) == NULL)
		return -1;
	return 0;
}

char *
router_path_of(const struct gw_match *m)
{
	const char *p;
	size_t      len = 0;
	char       *out;
	char       *o;

	if (m->route == NULL || m->route->pattern == NULL)
		return NULL;
	/* the length: each parameter in place of its {name} */
	for (p = m->route->pattern; *p != '\0'; p++) {
		if (strncmp(p, "{user_id}", 9) == 0 && m->user_id != NULL) {
			len += strlen(m->user_id);
			p += 8;
		} else if (strncmp(p, "{id}", 4) == 0 && m->task_id != NULL) {
			len += strlen(m->task_id);
			p += 3;
		} else
			len++;
	}
	out = malloc(len + 1);
	if (out == NULL)
		return NULL;
	o = out;
	for (p = m->route->pattern; *p != '\0'; p++) {
		if (strncmp(p, "{user_id}", 9) == 0 && m->user_id != NULL) {
			o = stpcpy(o, m->user_id);
			p += 8;
		} else if (strncmp(p, "{id}", 4) == 0 && m->task_id != NULL) {
			o = stpcpy(o, m->task_id);
			p += 3;
		} else
			*o++ = *p;
	}
	*o = '\0';
	return out;
}

const struct gw_route *
router_at(size_t i)
{
	return i < N_ROUTES ? &routes[i] : NULL;
}

const struct gw_route *
router_route(enum gw_route_id id)
{
	for (size_t i = 0; i < N_ROUTES; i++) {
		if (routes[i].id == id)
			return &routes[i];
	}
	return NULL;
}

void
router_match_clear(struct gw_match *m)
{
	free(m->user_id);
	free(m->task_id);
	m->user_id = NULL;
	m->task_id = NULL;
}
