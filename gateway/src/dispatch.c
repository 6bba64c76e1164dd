/* dispatch.c - the request pipeline: route -> auth -> body -> one SQL call -> reply. */
#include "dispatch.h"

#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "docs.h"
#include "error.h"
#include "health.h"
#include "jwks.h"
#include "log.h"
#include "metrics.h"
#include "query.h"
#include "querystring.h"
#include "replica.h"
#include "router.h"

/* Deadlines for an ordinary request: the pool wait is POOL_TIMEOUT. */
static struct gw_deadlines
dispatch_deadlines(const struct gw_app *app)
{
	struct gw_deadlines dl = { 0, 0, 0 };

	dl.acquire_by = clock_now_us() + (int64_t) app->config->pool_timeout * GW_US_PER_SEC;
	return dl;
}

/* The call for route, with its arguments taken from req (all borrowed). */
static void
dispatch_build_call(const struct gw_request *req, const struct gw_route *route,
                    const char *query_json, struct gw_call *call)
{
	memset(call, 0, sizeof *call);
	call->request_id = req->request_id;
	call->function = route->function;
	call->sql = route->sql;
	call->role = route->auth ? GW_ROLE_USER : GW_ROLE_ANON;
	call->token = route->auth && req->token != NULL ? req->token : "";
	call->user_id = req->match.user_id != NULL ? req->match.user_id : "";
	call->client_addr = req->client_addr;
	call->stream = route->id == GW_ROUTE_TASK_LIST;     /* the list is streamed (stream.c) */
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
 * Makes call the route's write under the request's Idempotency-Key (router.h, keyed_sql):
 * the key, method, path and body, then the {id}. The database decides the rest: a new key
 * runs the write and stores its answer, a retry gets the stored one, a key in use is a
 * 409 and another request under it a 422. path is borrowed.
 */
static void
dispatch_key_call(const struct gw_request *req, const struct gw_route *route,
                  const char *path, struct gw_call *call)
{
	bool takes_body = false;
	bool takes_id = false;

	for (int i = 0; i < 2; i++) {
		takes_body = takes_body || route->args[i] == GW_ARG_BODY ||
		             route->args[i] == GW_ARG_BODY_OR_NULL;
		takes_id = takes_id || route->args[i] == GW_ARG_TASK_ID;
	}
	call->sql = route->keyed_sql;
	call->nargs = 0;
	call->args[call->nargs++] = req->idempotency_key;
	call->args[call->nargs++] = route->method;
	call->args[call->nargs++] = path;
	call->args[call->nargs++] = takes_body && request_has_body(&req->body) ? req->body.data
	                                                                         : NULL;
	if (takes_id)
		call->args[call->nargs++] = req->match.task_id;
}

/*
 * Runs call where it belongs: a read-only route's on a replica when one may answer it
 * (replica.h), unless primary_only; anything else on the primary, and then the request's
 * token and user read their own write from then on (replicas_note_write), also when the
 * answer was lost after the call was sent (it may have committed).
 */
static enum gw_qstatus
dispatch_exec(struct gw_app *app, const struct gw_request *req, const struct gw_route *route,
              const struct gw_call *call, bool primary_only, struct gw_qresult *q)
{
	struct gw_read_keys keys = { route->auth ? req->token : NULL, req->match.user_id };
	struct gw_deadlines dl;

	if (app->replicas != NULL && router_read_only(route->id) && !primary_only)
		return replicas_read(app->replicas, app->pool, call, &keys,
		                     (int64_t) app->config->pool_timeout * GW_US_PER_SEC, q);
	dl = dispatch_deadlines(app);
	query_exec(app->pool, call, &dl, q);
	/* a read run here after a key refresh may have opened another issuer's session */
	if (app->replicas != NULL && (primary_only || !router_read_only(route->id))) {
		if (q->status == GW_Q_STREAM)
			q->write_at_end = true;     /* committed only at the stream's end (stream.c) */
		else if (q->status == GW_Q_ROW ||
		         (q->status == GW_Q_UNAVAILABLE && q->may_have_run))
			replicas_note_write(app->replicas, &keys);
	}
	return q->status;
}

/* The streamed list: in one piece when it is short, streamed from what was read ahead
 * otherwise (stream_collect). Takes st. */
static void
dispatch_collect(struct gw_stream *st, struct gw_reply *reply)
{
	char  *body;
	size_t len;

	switch (stream_collect(st, GW_STREAM_BLOCK, &body, &len)) {
	case GW_STREAM_WHOLE:
		stream_free(st);
		reply->body = body;
		reply->body_len = len;
		return;
	case GW_STREAM_LONGER:
		reply->stream = st;
		return;
	case GW_STREAM_FAILED:
		break;
	}
	if (stream_unavailable(st)) {
		metrics_db_error(GW_DBERR_UNAVAILABLE);
		response_from_kind(reply, GW_ERR_UNAVAILABLE);
	} else {
		metrics_db_error(GW_DBERR_INTERNAL);
		response_from_kind(reply, GW_ERR_INTERNAL);
	}
	stream_free(st);
}

/*
 * Runs call and turns every failure into reply (true: a row without error is in q, the
 * caller answers; false: reply is set and q is cleared). Unmapped errors are logged here.
 */
static bool
dispatch_run(struct gw_app *app, struct gw_request *req, const struct gw_route *route,
             const struct gw_call *call, struct gw_qresult *q, struct gw_reply *reply)
{
	struct gw_error     err;
	bool                known = true;

	int64_t             t0 = clock_now_us();

	dispatch_exec(app, req, route, call, false, q);
	req->db_us += clock_now_us() - t0;
	req->round_trips += q->round_trips;
	if (jwks_refresh_for(app->jwks, q, req->request_id)) {
		/* the token's key was unknown and has just been fetched: once more, once, where
		 * the keys were just stored */
		query_result_clear(q);
		t0 = clock_now_us();
		dispatch_exec(app, req, route, call, true, q);
		req->db_us += clock_now_us() - t0;
		req->round_trips += q->round_trips;
	}
	if (q->retried)
		metrics_db_error(GW_DBERR_RETRIED);
	if (q->status == GW_Q_STREAM &&
	    q->query_by > t0 + (int64_t) app->config->stream_timeout * GW_US_PER_SEC)
		/* the stream, its body sent included, ends by STREAM_TIMEOUT from the call */
		q->query_by = t0 + (int64_t) app->config->stream_timeout * GW_US_PER_SEC;
	switch (q->status) {
	case GW_Q_STREAM:       /* the first row came: no error before it, the rest follows */
		return true;
	case GW_Q_ROW:
		if (q->error == NULL)
			return true;
		known = error_from_json(&err, q->error);
		if (!known)
			log_msg(GW_LOG_ERROR, req->request_id, "%s returned an unknown error: %.200s",
			        call->function, q->error);
		break;
	case GW_Q_SQL_ERROR:
		metrics_db_error(GW_DBERR_SQL);
		known = error_from_sqlstate(&err, q->sqlstate, q->message, q->detail);
		if (!known)
			log_msg(GW_LOG_ERROR, req->request_id, "%s failed: SQLSTATE %s: %s",
			        call->function, q->sqlstate != NULL ? q->sqlstate : "(none)",
			        q->message != NULL ? q->message : "(no message)");
		break;
	case GW_Q_UNAVAILABLE:
		log_msg(GW_LOG_WARN, req->request_id, "%s: database unavailable: %s",
		        call->function, q->why);
		metrics_db_error(GW_DBERR_UNAVAILABLE);
		error_set(&err, GW_ERR_UNAVAILABLE, NULL);
		break;
	case GW_Q_INTERNAL:
		metrics_db_error(GW_DBERR_INTERNAL);
		log_msg(GW_LOG_ERROR, req->request_id, "%s: %s", call->function, q->why);
		error_set(&err, GW_ERR_INTERNAL, NULL);
		break;
	}
	if (err.status == 401 && strcmp(call->role, GW_ROLE_USER) == 0)
		metrics_token_refused(GW_REFUSED_INVALID);    /* the database refused the token */
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
dispatch_refuse(struct gw_app *app, struct gw_request *req, enum gw_err refusal,
                const char *message, struct gw_reply *reply)
{
	struct gw_error err;

	if (req->match.route->auth) {
		struct gw_call    call;
		struct gw_qresult q;

		dispatch_build_call(req, router_route(GW_ROUTE_AUTHORIZE), NULL, &call);
		if (!dispatch_run(app, req, router_route(GW_ROUTE_AUTHORIZE), &call, &q, reply))
			return;
		query_result_clear(&q);
	}
	error_set(&err, refusal, message);
	response_from_error(reply, &err);
	error_clear(&err);
}

void
dispatch_request(struct gw_app *app, struct gw_request *req, struct gw_reply *reply)
{
	const struct gw_route *route = req->match.route;
	struct gw_call         call;
	struct gw_qresult      q;
	char                  *query_json = NULL;
	char                  *key_path = NULL;
	bool                   keyed;
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
	if (route->sql == NULL) {
		docs_respond(route->id, reply);     /* no token, no body, no database */
		return;
	}
	if (route->auth && req->auth != GW_AUTH_OK) {
		metrics_token_refused(req->auth == GW_AUTH_MISSING ? GW_REFUSED_MISSING
		                                                   : GW_REFUSED_MALFORMED);
		response_from_kind(reply, GW_ERR_UNAUTHORIZED);
		return;
	}
	refusal = request_body_error(&req->body, req->content_type);
	if (refusal < 0 && !request_has_body(&req->body) &&
	    (route->args[0] == GW_ARG_BODY || route->args[1] == GW_ARG_BODY))
		refusal = GW_ERR_INVALID_JSON;      /* this route needs a JSON object */
	if (refusal >= 0) {
		dispatch_refuse(app, req, (enum gw_err) refusal, NULL, reply);
		return;
	}
	/* a write with an Idempotency-Key runs under it; other routes ignore the header */
	keyed = route->keyed_sql != NULL && req->idempotency_key != NULL;
	if (keyed && !request_idempotency_key_valid(req->idempotency_key)) {
		dispatch_refuse(app, req, GW_ERR_IDEMPOTENCY_KEY_INVALID, NULL, reply);
		return;
	}
	if (route->id == GW_ROUTE_HEALTH) {
		/* its own connection: requests filling the pool do not make the database look gone */
		int64_t t0 = clock_now_us();

		health_respond(app->health_pool != NULL ? app->health_pool : app->pool,
		               req->request_id, &req->round_trips, reply);
		req->db_us += clock_now_us() - t0;
		return;
	}
	if (route->args[0] == GW_ARG_QUERY) {
		int rc = querystring_to_json(req->query, &query_json);

		if (rc == -2) {
			response_from_kind(reply, GW_ERR_INTERNAL);
			return;
		}
		if (rc == -1) {
			dispatch_refuse(app, req, GW_ERR_BAD_REQUEST,
			                "query string must decode to UTF-8 text without NUL", reply);
			return;
		}
	}
	dispatch_build_call(req, route, query_json, &call);
	if (keyed) {
		key_path = router_path_of(&req->match);
		if (key_path == NULL) {
			response_from_kind(reply, GW_ERR_INTERNAL);
			free(query_json);
			return;
		}
		dispatch_key_call(req, route, key_path, &call);
	}
	if (dispatch_run(app, req, route, &call, &q, reply)) {
		reply->status = route->success_status;
		/* the stored answer of an earlier request under the key (its third key column) */
		reply->replayed = keyed && q.keys[2] != NULL && strcmp(q.keys[2], "t") == 0;
		if (q.status == GW_Q_STREAM) {
			/* the connection moves to the stream, held until the body is sent */
			struct gw_read_keys keys = { route->auth ? req->token : NULL,
			                             req->match.user_id };

			struct gw_stream *st = stream_new(&q, req->request_id, app->replicas, &keys);

			if (st == NULL)
				response_from_kind(reply, GW_ERR_INTERNAL);
			else
				dispatch_collect(st, reply);
		} else if (reply->status != 204)
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
	free(key_path);
	free(query_json);
}
