/* router.h - the route table: path patterns, path parameters, 404 / 405 with Allow. */
#ifndef GW_ROUTER_H
#define GW_ROUTER_H

#include <stdbool.h>
#include <stddef.h>

enum gw_route_id {
	GW_ROUTE_REGISTER,
	GW_ROUTE_LOGIN,
	GW_ROUTE_LOGOUT,
	GW_ROUTE_ME,
	GW_ROUTE_TASK_LIST,
	GW_ROUTE_TASK_CREATE,
	GW_ROUTE_TASK_GET,
	GW_ROUTE_TASK_UPDATE,
	GW_ROUTE_TASK_DELETE,
	GW_ROUTE_TASK_COMPLETE,
	GW_ROUTE_HEALTH,
	GW_ROUTE_OPENAPI,       /* the gateway's own documents (docs.c): no SQL */
	GW_ROUTE_DOCS,
	GW_ROUTE_DOCS_SCRIPT,
	GW_ROUTE_AUTHORIZE      /* not routed: api.authorize(), called before refusing a body */
};

/* What a bind parameter of the route's SQL call is made of. */
enum gw_arg {
	GW_ARG_NONE,
	GW_ARG_BODY,            /* the request body (must be a JSON object) */
	GW_ARG_BODY_OR_NULL,    /* the body, or SQL NULL when the request has none */
	GW_ARG_TASK_ID,         /* the {id} path segment, unchecked */
	GW_ARG_QUERY            /* the query string as a JSON object of arrays */
};

/* One row of the table in docs/sql-api.md. */
struct gw_route {
	const char      *method;          /* NULL: not routed (GW_ROUTE_AUTHORIZE) */
	const char      *pattern;         /* literal segments and {user_id} / {id}; NULL: idem */
	enum gw_route_id id;
	bool             auth;            /* role todo_user and a bearer token; else todo_anon */
	const char      *function;        /* for logs */
	const char      *sql;             /* the one statement after the context statement;
	                                     NULL: answered by the gateway itself (docs.c) */
	enum gw_arg      args[2];
	unsigned         success_status;  /* 200, 201 or 204 */
	const char      *keyed_sql;       /* the call under an Idempotency-Key (the writes,
	                                     docs/sql-api.md): selects data, meta, error, the
	                                     two key columns, replayed; binds the key, method,
	                                     path, body and, after them, the route's {id};
	                                     NULL: the header is ignored */
};

enum gw_match_kind {
	GW_MATCH_FOUND,          /* route is set */
	GW_MATCH_NOT_FOUND,      /* no pattern matches the path: 404 */
	GW_MATCH_BAD_METHOD,     /* the path is known, the method is not: 405 with allow */
	GW_MATCH_OPTIONS         /* OPTIONS on a known path (CORS preflight): 204 with allow */
};

#define GW_ALLOW_MAX 64

struct gw_match {
	enum gw_match_kind     kind;
	const struct gw_route *route;              /* static; set when FOUND */
	const char            *pattern;            /* static: the path's template (metrics),
	                                              NULL when NOT_FOUND (handler.c: "web"
	                                              for the web app's files) */
	char                   allow[GW_ALLOW_MAX]; /* "GET, HEAD, POST, OPTIONS" unless NOT_FOUND */
	char                  *user_id;            /* owned: the {user_id} segment, or NULL */
	char                  *task_id;            /* owned: the {id} segment, or NULL */
	                                           /* (both valid UTF-8: bad bytes -> U+FFFD) */
};

/*
 * Matches a decoded path (no query string) and method. HEAD is served as GET. Returns 0,
 * or -1 when out of memory. The caller releases m with router_match_clear() either way.
 */
int  router_match(const char *method, const char *path, struct gw_match *m);
void router_match_clear(struct gw_match *m);

/*
 * The request's path as the database is told it for an Idempotency-Key's fingerprint: the
 * matched route's pattern with its {user_id} and {id} filled in (valid UTF-8, as the match
 * holds them). malloc'd; NULL when out of memory or when m holds no route.
 */
char *router_path_of(const struct gw_match *m);

/* The table's i-th row (0, 1, ...), NULL past the end: for metrics.c and the document's
 * route check (test_openapi.c). */
const struct gw_route *router_at(size_t i);

/* The table's row for id (every id has one, routed or not). */
const struct gw_route *router_route(enum gw_route_id id);

/* Whether the route's call only reads, as its user sees it: the task list, one task, me.
 * A replica may answer them (replica.h); every other route goes to the primary. */
bool router_read_only(enum gw_route_id id);

#endif
