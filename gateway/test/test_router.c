/* test_router.c - routing: paths, parameters, 404 vs 405, the Allow list, OPTIONS, HEAD. */
#include <stdlib.h>

#include "router.h"
#include "tap.h"

/* Matches and checks kind, route id (when found) and parameters. */
static void
check(const char *method, const char *path, enum gw_match_kind kind, int route_id,
      const char *uid, const char *id, const char *allow)
{
	struct gw_match m;
	int             rc = router_match(method, path, &m);

	ok(rc == 0, "%s %s: matched without error", method, path);
	is_int(m.kind, kind, "%s %s: kind", method, path);
	if (kind == GW_MATCH_FOUND) {
		ok(m.route != NULL && (int) m.route->id == route_id, "%s %s: route", method, path);
		is_str(m.user_id, uid, "%s %s: user_id", method, path);
		is_str(m.task_id, id, "%s %s: id", method, path);
	}
	if (allow != NULL)
		is_str(m.allow, allow, "%s %s: Allow", method, path);
	router_match_clear(&m);
}

int
main(void)
{
	struct gw_match m;

	check("POST", "/api/auth/register", GW_MATCH_FOUND, GW_ROUTE_REGISTER, NULL, NULL,
	      "POST, OPTIONS");
	check("POST", "/api/auth/login", GW_MATCH_FOUND, GW_ROUTE_LOGIN, NULL, NULL, NULL);
	check("POST", "/api/auth/logout", GW_MATCH_FOUND, GW_ROUTE_LOGOUT, NULL, NULL, NULL);
	check("GET", "/api/auth/me", GW_MATCH_FOUND, GW_ROUTE_ME, NULL, NULL,
	      "GET, HEAD, OPTIONS");
	check("GET", "/api/v1/health", GW_MATCH_FOUND, GW_ROUTE_HEALTH, NULL, NULL, NULL);
	check("GET", "/api/u1/tasks", GW_MATCH_FOUND, GW_ROUTE_TASK_LIST, "u1", NULL,
	      "GET, HEAD, POST, OPTIONS");
	check("POST", "/api/u1/tasks", GW_MATCH_FOUND, GW_ROUTE_TASK_CREATE, "u1", NULL, NULL);
	check("GET", "/api/u1/tasks/t9", GW_MATCH_FOUND, GW_ROUTE_TASK_GET, "u1", "t9",
	      "GET, HEAD, PUT, DELETE, OPTIONS");
	check("PUT", "/api/u1/tasks/t9", GW_MATCH_FOUND, GW_ROUTE_TASK_UPDATE, "u1", "t9", NULL);
	check("DELETE", "/api/u1/tasks/t9", GW_MATCH_FOUND, GW_ROUTE_TASK_DELETE, "u1", "t9",
	      NULL);
	check("PATCH", "/api/u1/tasks/t9/complete", GW_MATCH_FOUND, GW_ROUTE_TASK_COMPLETE, "u1",
	      "t9", "PATCH, OPTIONS");
	check("HEAD", "/api/u1/tasks", GW_MATCH_FOUND, GW_ROUTE_TASK_LIST, "u1", NULL, NULL);
	/* a literal segment of another route is still a user id here: the database says 403 */
	check("GET", "/api/auth/tasks", GW_MATCH_FOUND, GW_ROUTE_TASK_LIST, "auth", NULL, NULL);
	check("GET", "/api/not-a-uuid/tasks/also%20bad", GW_MATCH_FOUND, GW_ROUTE_TASK_GET,
	      "not-a-uuid", "also%20bad", NULL);

	/* parameters are handed on as valid UTF-8: bad bytes become U+FFFD */
	check("GET", "/api/\xff/tasks/\xc3(", GW_MATCH_FOUND, GW_ROUTE_TASK_GET, "\xef\xbf\xbd",
	      "\xef\xbf\xbd(", NULL);
	check("GET", "/api/u/tasks/\xc3\xa9t\xc3\xa9", GW_MATCH_FOUND, GW_ROUTE_TASK_GET, "u",
	      "\xc3\xa9t\xc3\xa9", NULL);
	check("GET", "/api/u/tasks/\xed\xa0\x80x", GW_MATCH_FOUND, GW_ROUTE_TASK_GET, "u",
	      "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbdx", NULL);
	check("GET", "/api/u/tasks/\xf0\x9f\x98\x80\xf0\x9f", GW_MATCH_FOUND, GW_ROUTE_TASK_GET,
	      "u", "\xf0\x9f\x98\x80\xef\xbf\xbd\xef\xbf\xbd", NULL);
	check("GET", "/api/u/tasks/%00", GW_MATCH_FOUND, GW_ROUTE_TASK_GET, "u", "%00", NULL);

	/* 405: known path, wrong method, with the Allow list */
	check("GET", "/api/auth/register", GW_MATCH_BAD_METHOD, 0, NULL, NULL, "POST, OPTIONS");
	check("DELETE", "/api/u1/tasks", GW_MATCH_BAD_METHOD, 0, NULL, NULL,
	      "GET, HEAD, POST, OPTIONS");
	check("POST", "/api/u1/tasks/t9", GW_MATCH_BAD_METHOD, 0, NULL, NULL,
	      "GET, HEAD, PUT, DELETE, OPTIONS");
	check("GET", "/api/u1/tasks/t9/complete", GW_MATCH_BAD_METHOD, 0, NULL, NULL,
	      "PATCH, OPTIONS");
	check("POST", "/api/v1/health", GW_MATCH_BAD_METHOD, 0, NULL, NULL, "GET, HEAD, OPTIONS");
	check("BREW", "/api/auth/me", GW_MATCH_BAD_METHOD, 0, NULL, NULL, "GET, HEAD, OPTIONS");
	check("get", "/api/auth/me", GW_MATCH_BAD_METHOD, 0, NULL, NULL, NULL);

	/* OPTIONS on a known path: preflight */
	check("OPTIONS", "/api/u1/tasks", GW_MATCH_OPTIONS, 0, NULL, NULL,
	      "GET, HEAD, POST, OPTIONS");
	check("OPTIONS", "/api/auth/login", GW_MATCH_OPTIONS, 0, NULL, NULL, "POST, OPTIONS");

	/* 404: unknown paths, whatever the method */
	check("GET", "/", GW_MATCH_NOT_FOUND, 0, NULL, NULL, NULL);
	check("GET", "", GW_MATCH_NOT_FOUND, 0, NULL, NULL, NULL);
	check("GET", "/api", GW_MATCH_NOT_FOUND, 0, NULL, NULL, NULL);
	check("GET", "/api/auth/me/", GW_MATCH_NOT_FOUND, 0, NULL, NULL, NULL);
	check("GET", "/api//tasks", GW_MATCH_NOT_FOUND, 0, NULL, NULL, NULL);
	check("GET", "/api/u1/tasks//", GW_MATCH_NOT_FOUND, 0, NULL, NULL, NULL);
	check("GET", "/api/u1/tasks/t9/complete/x", GW_MATCH_NOT_FOUND, 0, NULL, NULL, NULL);
	check("GET", "/api/u1/task", GW_MATCH_NOT_FOUND, 0, NULL, NULL, NULL);
	check("GET", "/API/auth/me", GW_MATCH_NOT_FOUND, 0, NULL, NULL, NULL);
	check("OPTIONS", "/nowhere", GW_MATCH_NOT_FOUND, 0, NULL, NULL, NULL);
	check("OPTIONS", "*", GW_MATCH_NOT_FOUND, 0, NULL, NULL, NULL);
	check("POST", "/api/auth/registerx", GW_MATCH_NOT_FOUND, 0, NULL, NULL, NULL);

	/* every routed statement reads the api.result columns */
	router_match("GET", "/api/u1/tasks/t9", &m);
	ok(m.route != NULL && strstr(m.route->sql, "SELECT data, meta, error FROM api.task_get($1)"),
	   "task_get SQL as in docs/sql-api.md");
	router_match_clear(&m);
	router_match("PATCH", "/api/u1/tasks/t9/complete", &m);
	ok(m.route != NULL && m.route->args[1] == GW_ARG_BODY_OR_NULL,
	   "task_complete's body may be NULL");
	router_match_clear(&m);

	/* the writes, and only they, have a call under an Idempotency-Key; its path for the
	 * fingerprint is the pattern filled in */
	for (size_t i = 0; router_at(i) != NULL; i++) {
		const struct gw_route *r = router_at(i);
		bool write = r->method != NULL && strcmp(r->method, "GET") != 0 &&
		             r->id != GW_ROUTE_LOGIN;

		ok((r->keyed_sql != NULL) == write && (r->keyed_sql == NULL ||
		   strstr(r->keyed_sql, ", replayed FROM api.idempotent_") != NULL),
		   "route %s %s: %s", r->method != NULL ? r->method : "-",
		   r->pattern != NULL ? r->pattern : "-", write ? "keyed call" : "no keyed call");
	}
	router_match("PATCH", "/api/u1/tasks/t9/complete", &m);
	{
		char *p = router_path_of(&m);

		is_str(p, "/api/u1/tasks/t9/complete", "path of a match: the pattern filled in");
		free(p);
	}
	router_match_clear(&m);
	router_match("POST", "/api/auth/register", &m);
	{
		char *p = router_path_of(&m);

		is_str(p, "/api/auth/register", "path of a match without parameters");
		free(p);
	}
	router_match_clear(&m);
	router_match("POST", "/api/\xff/tasks", &m);
	{
		char *p = router_path_of(&m);

		is_str(p, "/api/\xef\xbf\xbd/tasks", "path of a match: parameters as the match holds them (UTF-8)");
		free(p);
	}
	router_match_clear(&m);

	/* the table holds every route, api.authorize() too, which no request reaches */
	for (int id = GW_ROUTE_REGISTER; id <= GW_ROUTE_AUTHORIZE; id++) {
		const struct gw_route *r = router_route((enum gw_route_id) id);

		ok(r != NULL && (int) r->id == id, "route %d has its row", id);
	}
	{
		const struct gw_route *r = router_route(GW_ROUTE_AUTHORIZE);

		ok(r->method == NULL && r->pattern == NULL && r->auth, "authorize: not routed, as a user");
		is_str(r->sql, "SELECT data, meta, error FROM api.authorize()", "authorize: its SQL");
	}
	{
		/* a replica may answer these three only (replica.h); every other route may write */
		unsigned n = 0;

		for (size_t i = 0; router_at(i) != NULL; i++)
			n += router_read_only(router_at(i)->id);
		is_int(n, 3, "three routes are read-only");
		ok(router_read_only(GW_ROUTE_TASK_LIST) && router_read_only(GW_ROUTE_TASK_GET) &&
		   router_read_only(GW_ROUTE_ME), "the list, one task and me");
		ok(!router_read_only(GW_ROUTE_LOGIN) && !router_read_only(GW_ROUTE_LOGOUT) &&
		   !router_read_only(GW_ROUTE_AUTHORIZE) && !router_read_only(GW_ROUTE_HEALTH),
		   "login, logout, authorize and health are not");
	}
	return done_testing();
}
