/* handler.c - the libmicrohttpd request lifecycle: set up, read the body, answer, log, free. */
#include "handler.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "auth.h"
#include "clock.h"
#include "cors.h"
#include "dispatch.h"
#include "log.h"
#include "metrics.h"
#include "request.h"
#include "response.h"
#include "router.h"
#include "static.h"

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

static enum MHD_Result
handler_answer(struct gw_app *app, struct MHD_Connection *con, struct gw_request *req,
               const char *method, const char *url)
{
	struct gw_reply reply;

	/* a path no route knows, outside /api: the web app's, when there is one */
	if (req->match.kind == GW_MATCH_NOT_FOUND && app->web != NULL && static_claims(url)) {
		req->match.pattern = GW_METRICS_ROUTE_WEB;     /* counted as the web app's */
		return static_answer(app->web, con, req, method, url);
	}
	dispatch_request(app, req, &reply);
	return response_queue(con, req, &reply);
}

/* Collects the X-Forwarded-For headers in the order received (the last GW_XFF_HEADERS_MAX). */
struct handler_xff {
	const char *values[GW_XFF_HEADERS_MAX];
	size_t      count;
};

static enum MHD_Result
handler_xff_header(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	struct handler_xff *x = cls;

	(void) kind;
	if (key == NULL || value == NULL || strcasecmp(key, "X-Forwarded-For") != 0)
		return MHD_YES;
	if (x->count == GW_XFF_HEADERS_MAX) {
		memmove(x->values, x->values + 1, (GW_XFF_HEADERS_MAX - 1) * sizeof x->values[0]);
		x->count--;
	}
	x->values[x->count++] = value;
	return MHD_YES;
}

/* The client's address for the database (docs/security.md, login throttling). */
static void
handler_client_addr(const struct gw_app *app, struct MHD_Connection *con, struct gw_request *req)
{
	const union MHD_ConnectionInfo *info = MHD_get_connection_info(con, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	struct handler_xff              xff = { { NULL }, 0 };

	if (app->config->proxies.count > 0)
		MHD_get_connection_values(con, MHD_HEADER_KIND, handler_xff_header, &xff);
	clientaddr_resolve(&app->config->proxies, info != NULL ? info->client_addr : NULL,
	                   xff.values, xff.count, req->client_addr);
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
	req->idempotency_key = MHD_lookup_connection_value(con, MHD_HEADER_KIND, "Idempotency-Key");
	handler_client_addr(app, con, req);
	if (req->match.kind == GW_MATCH_FOUND && req->match.route->auth)
		req->auth = auth_bearer(MHD_lookup_connection_value(con, MHD_HEADER_KIND,
		                                                    "Authorization"),
		                        &req->token);
	if (request_announced_too_large(MHD_lookup_connection_value(con, MHD_HEADER_KIND,
	                                                            "Content-Length"))) {
		/* answer now: libmicrohttpd then skips the body and closes the connection */
		req->body.too_large = true;
		return handler_answer(app, con, req, method, url);
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
	return handler_answer(app, con, req, method, url);
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
	int64_t              now = clock_now_us();

	(void) con;
	if (req == NULL)
		return;
	*con_cls = NULL;
	entry.request_id = req->request_id[0] != '\0' ? req->request_id : NULL;
	entry.method = req->method;
	entry.path = req->path;
	entry.status = req->status;
	entry.duration_ms = clock_ms_between(req->start_us, now);
	if (req->started)
		metrics_request(req->match.pattern, req->method, req->status, now - req->start_us);
	entry.round_trips = req->round_trips;
	entry.aborted = handler_toe_name(toe);
	log_access(&entry);
	request_free(req);
	atomic_fetch_sub(&app->active, 1);
}
