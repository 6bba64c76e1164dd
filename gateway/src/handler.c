/* handler.c - the request pipeline: route -> auth -> body -> one SQL call -> envelope. */
#include "handler.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "error.h"
#include "health.h"
#include "log.h"
#include "query.h"
#include "querystring.h"
#include "request.h"
#include "response.h"
#include "router.h"

void *
handler_uri(void *cls, const char *uri, struct MHD_Connection *con)
{
	struct gw_app     *app = cls;
	struct gw_request *req = request_new(uri);

	(void) con;
	if (req != NULL)
		atomic_fetch_add(&app->active, 1);
	return req;
}

size_t
handler_unescape(void *cls, struct MHD_Connection *con, char *s)
{
	(void) cls;
	(void) con;
	return request_path_unescape(s);
}

/* Deadlines for an ordinary request: the pool wait is POOL_TIMEOUT. */
static struct gw_deadlines
handler_deadlines(const struct gw_app *app)
{
	struct gw_deadlines dl = { 0, 0, 0 };

	dl.acquire_by = clock_now_us() + (int64_t) app->config->pool_timeout * GW_US_PER_SEC;
	return dl;
}

/* The call for route, with its arguments taken from req (all borrowed). */
static void
handler_build_call(const struct gw_request *req, const struct gw_route *route,
                   const char *query_json, struct gw_call *call)
{
	memset(call, 0, sizeof *call);
	call->request_id = req->request_id;
	call->function = route->function;
	call->sql = route->sql;
	call->role = route->auth ? GW_ROLE_USER : GW_ROLE_ANON;
	call->token = route->auth && req->token != NULL ? req->token : "";
	call->user_id = req->match.user_id != NULL ? req->match.user_id : "";
	for (int i = 0; i < 2 && route->args[i] != GW_ARG_NONE; i++) {
		const char *v = NULL;

		switch (route->args[i]) {
		case GW_ARG_BODY:
		case GW_ARG_BODY_OR_NULL:
			v = request_has_body(&req->body) ? req->body.data : NULL;
			break;
		case GW_ARG_TASK_ID:
			v = req->match.task_id;
			break;
		case GW_ARG_QUERY:
			v = query_json;
			break;
		case GW_ARG_NONE:
			break;
		}
		call->args[call->nargs++] = v;
	}
}

/*
 * Runs call and turns every failure into reply (true: a row without error is in q, the
 * caller answers; false: reply is set and q is cleared). Unmapped errors are logged here.
 */
static bool
handler_run(struct gw_app *app, struct gw_request *req, const struct gw_call *call,
            struct gw_qresult *q, struct gw_reply *reply)
{
	struct gw_deadlines dl = handler_deadlines(app);
	struct gw_error     err;
	bool                known = true;

	query_exec(app->pool, call, &dl, q);
	req->round_trips += q->round_trips;
	switch (q->status) {
	case GW_Q_ROW:
		if (q->error == NULL)
			return true;
		known = error_from_json(&err, q->error);
		if (!known)
			log_msg(GW_LOG_ERROR, req->request_id, "%s returned an unknown error: %.200s",
			        call->function, q->error);
		break;
	case GW_Q_SQL_ERROR:
		known = error_from_sqlstate(&err, q->sqlstate, q->message, q->detail);
		if (!known)
			log_msg(GW_LOG_ERROR, req->request_id, "%s failed: SQLSTATE %s: %s",
			        call->function, q->sqlstate != NULL ? q->sqlstate : "(none)",
			        q->message != NULL ? q->message : "(no message)");
		break;
	case GW_Q_UNAVAILABLE:
		log_msg(GW_LOG_WARN, req->request_id, "%s: database unavailable: %s",
		        call->function, q->why);
		error_set(&err, GW_ERR_UNAVAILABLE, NULL);
		break;
	case GW_Q_INTERNAL:
		log_msg(GW_LOG_ERROR, req->request_id, "%s: %s", call->function, q->why);
		error_set(&err, GW_ERR_INTERNAL, NULL);
		break;
	}
	response_from_error(reply, &err);
	error_clear(&err);
	query_result_clear(q);
	return false;
}

/*
 * The body (or query string) is refused with `refusal`. On an authenticated route the
 * contract wants 401/403 first, decided by the database: ask api.authorize().
 */
static void
handler_refuse(struct gw_app *app, struct gw_request *req, enum gw_err refusal,
               const char *message, struct gw_reply *reply)
{
	struct gw_error err;

	if (req->match.route->auth) {
		struct gw_call    call;
		struct gw_qresult q;

		handler_build_call(req, router_route(GW_ROUTE_AUTHORIZE), NULL, &call);
		if (!handler_run(app, req, &call, &q, reply))
			return;
		query_result_clear(&q);
	}
	error_set(&err, refusal, message);
	response_from_error(reply, &err);
	error_clear(&err);
}

/* Decides the answer to a fully received request (or one refused early). */
static void
handler_dispatch(struct gw_app *app, struct gw_request *req, struct gw_reply *reply)
{
	const struct gw_route *route = req->match.route;
	struct gw_call         call;
	struct gw_qresult      q;
	char                  *query_json = NULL;
	int                    refusal;

	memset(reply, 0, sizeof *reply);
	switch (req->match.kind) {
	case GW_MATCH_NOT_FOUND:
		response_from_kind(reply, GW_ERR_NOT_FOUND);
		return;
	case GW_MATCH_BAD_METHOD:
		response_from_kind(reply, GW_ERR_METHOD_NOT_ALLOWED);
		reply->allow = req->match.allow;
		return;
	case GW_MATCH_OPTIONS:
		reply->status = 204;
		reply->allow = req->match.allow;
		reply->preflight = true;
		return;
	case GW_MATCH_FOUND:
		break;
	}
	if (route->auth && req->auth != GW_AUTH_OK) {
		response_from_kind(reply, GW_ERR_UNAUTHORIZED);
		return;
	}
	refusal = request_body_error(&req->body, req->content_type);
	if (refusal < 0 && !request_has_body(&req->body) &&
	    (route->args[0] == GW_ARG_BODY || route->args[1] == GW_ARG_BODY))
		refusal = GW_ERR_INVALID_JSON;      /* this route needs a JSON object */
	if (refusal >= 0) {
		handler_refuse(app, req, (enum gw_err) refusal, NULL, reply);
		return;
	}
	if (route->id == GW_ROUTE_HEALTH) {
		/* its own connection: requests filling the pool do not make the database look gone */
		health_respond(app->health_pool != NULL ? app->health_pool : app->pool,
		               req->request_id, &req->round_trips, reply);
		return;
	}
	if (route->args[0] == GW_ARG_QUERY) {
		int rc = querystring_to_json(req->query, &query_json);

		if (rc == -2) {
			response_from_kind(reply, GW_ERR_INTERNAL);
			return;
		}
		if (rc == -1) {
			handler_refuse(app, req, GW_ERR_BAD_REQUEST,
			               "query string must decode to UTF-8 text without NUL", reply);
			return;
		}
	}
	handler_build_call(req, route, query_json, &call);
	if (handler_run(app, req, &call, &q, reply)) {
		reply->status = route->success_status;
		if (reply->status != 204)
			reply->body = response_envelope(reply->status, q.data, q.meta, NULL,
			                                 &reply->body_len);
		if (route->id == GW_ROUTE_TASK_CREATE) {
			/* the canonical ids the database returned (the route's key columns) */
			reply->location = response_location(q.keys[0] != NULL ? q.keys[0]
			                                                      : req->match.user_id,
			                                    q.keys[1]);
			if (reply->location == NULL)
				log_msg(GW_LOG_WARN, req->request_id, "no Location: task data lacks ids");
		}
		query_result_clear(&q);
	}
	free(query_json);
}

static enum MHD_Result
handler_answer(struct gw_app *app, struct MHD_Connection *con, struct gw_request *req)
{
	struct gw_reply reply;

	handler_dispatch(app, req, &reply);
	return response_queue(con, req, &reply);
}

/* Whether a Content-Length header announces more than the body limit. */
static bool
handler_announced_too_large(const char *content_length)
{
	unsigned long long n;
	char              *end;

	if (content_length == NULL || content_length[0] < '0' || content_length[0] > '9')
		return false;
	errno = 0;
	n = strtoull(content_length, &end, 10);
	return (errno == ERANGE || n > GW_BODY_MAX) && *end == '\0';
}

/* First call: the headers are in. Route, request id, CORS origin, token, content type. */
static enum MHD_Result
handler_begin(struct gw_app *app, struct MHD_Connection *con, struct gw_request *req,
              const char *url, const char *method)
{
	const char *rid = MHD_lookup_connection_value(con, MHD_HEADER_KIND, "X-Request-Id");
	const char *origin = MHD_lookup_connection_value(con, MHD_HEADER_KIND, "Origin");

	req->started = true;
	snprintf(req->method, sizeof req->method, "%s", method);
	if (request_id_is_sane(rid))
		snprintf(req->request_id, sizeof req->request_id, "%s", rid);
	else
		request_id_generate(req->request_id);
	req->origin = cors_origin(&app->config->cors, origin);
	if (router_match(method, url, &req->match) != 0)
		return MHD_NO;
	req->content_type = MHD_lookup_connection_value(con, MHD_HEADER_KIND, "Content-Type");
	if (req->match.kind == GW_MATCH_FOUND && req->match.route->auth)
		req->auth = auth_bearer(MHD_lookup_connection_value(con, MHD_HEADER_KIND,
		                                                    "Authorization"),
		                        &req->token);
	if (handler_announced_too_large(MHD_lookup_connection_value(con, MHD_HEADER_KIND,
	                                                            "Content-Length"))) {
		/* answer now: libmicrohttpd then skips the body and closes the connection */
		req->body.too_large = true;
		return handler_answer(app, con, req);
	}
	return MHD_YES;
}

enum MHD_Result
handler_access(void *cls, struct MHD_Connection *con, const char *url, const char *method,
               const char *version, const char *upload_data, size_t *upload_data_size,
               void **con_cls)
{
	struct gw_app     *app = cls;
	struct gw_request *req = *con_cls;

	(void) version;
	if (req == NULL)
		return MHD_NO;          /* out of memory in handler_uri: drop the connection */
	if (!req->started)
		return handler_begin(app, con, req, url, method);
	if (*upload_data_size != 0) {
		if (req->status == 0 &&
		    request_body_append(&req->body, upload_data, *upload_data_size) != 0)
			return MHD_NO;
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (req->status != 0)
		return MHD_YES;         /* answered early */
	return handler_answer(app, con, req);
}

static const char *
handler_toe_name(enum MHD_RequestTerminationCode toe)
{
	switch (toe) {
	case MHD_REQUEST_TERMINATED_COMPLETED_OK: return NULL;
	case MHD_REQUEST_TERMINATED_WITH_ERROR: return "error";
	case MHD_REQUEST_TERMINATED_TIMEOUT_REACHED: return "timeout";
	case MHD_REQUEST_TERMINATED_DAEMON_SHUTDOWN: return "shutdown";
	case MHD_REQUEST_TERMINATED_READ_ERROR: return "read error";
	case MHD_REQUEST_TERMINATED_CLIENT_ABORT: return "client abort";
	}
	return "unknown";
}

void
handler_completed(void *cls, struct MHD_Connection *con, void **con_cls,
                  enum MHD_RequestTerminationCode toe)
{
	struct gw_app       *app = cls;
	struct gw_request   *req = *con_cls;
	struct gw_access_log entry;

	(void) con;
	if (req == NULL)
		return;
	*con_cls = NULL;
	entry.request_id = req->request_id[0] != '\0' ? req->request_id : NULL;
	entry.method = req->method;
	entry.path = req->path;
	entry.status = req->status;
	entry.duration_ms = clock_ms_between(req->start_us, clock_now_us());
	entry.round_trips = req->round_trips;
	entry.aborted = handler_toe_name(toe);
	log_access(&entry);
	request_free(req);
	atomic_fetch_sub(&app->active, 1);
}
