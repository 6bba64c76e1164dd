/* response.c - the JSON envelope and the HTTP response: status, headers. */
#include "response.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "cors.h"
#include "log.h"
#include "strbuf.h"

#define ENVELOPE_MAX ((size_t) 256 << 20)     /* sanity bound on one response body */

char *
response_envelope(unsigned status, const char *data, const char *meta,
                  const struct gw_error *err, size_t *len)
{
	struct strbuf sb;

	strbuf_init(&sb, ENVELOPE_MAX);
	strbuf_printf(&sb, "{\"status\":%u,\"data\":", status);
	strbuf_puts(&sb, data != NULL ? data : "null");
	if (meta != NULL) {
		strbuf_puts(&sb, ",\"meta\":");
		strbuf_puts(&sb, meta);
	}
	strbuf_puts(&sb, ",\"error\":");
	if (err == NULL)
		strbuf_puts(&sb, "null");
	else {
		strbuf_puts(&sb, "{\"code\":");
		strbuf_json_string(&sb, err->code, false);
		strbuf_puts(&sb, ",\"message\":");
		strbuf_json_string(&sb, err->message != NULL ? err->message : err->fallback, false);
		if (err->details != NULL) {
			strbuf_puts(&sb, ",\"details\":");
			strbuf_puts(&sb, err->details);
		}
		strbuf_puts(&sb, "}");
	}
	strbuf_puts(&sb, "}");
	return strbuf_steal(&sb, len);
}

void
response_from_error(struct gw_reply *reply, const struct gw_error *err)
{
	memset(reply, 0, sizeof *reply);
	reply->status = err->status;
	reply->retry_after = err->retry_after;
	reply->body = response_envelope(err->status, NULL, NULL, err, &reply->body_len);
}

void
response_from_kind(struct gw_reply *reply, enum gw_err kind)
{
	struct gw_error err;

	error_set(&err, kind, NULL);
	response_from_error(reply, &err);
	error_clear(&err);
}

char *
response_location(const char *user_id, const char *task_id)
{
	const char *hex = "0123456789abcdefABCDEF-";
	char       *loc;
	size_t      n;

	/* only id-like text goes into a header */
	if (user_id == NULL || task_id == NULL || *user_id == '\0' || *task_id == '\0' ||
	    strspn(user_id, hex) != strlen(user_id) || strlen(user_id) > 64 ||
	    strspn(task_id, hex) != strlen(task_id) || strlen(task_id) > 64)
		return NULL;
	n = strlen("/api//tasks/") + strlen(user_id) + strlen(task_id) + 1;
	loc = malloc(n);
	if (loc != NULL)
		snprintf(loc, n, "/api/%s/tasks/%s", user_id, task_id);
	return loc;
}

/* Adds one header; false (and a log line) when libmicrohttpd refuses it. */
static bool
response_header(struct MHD_Response *resp, const char *name, const char *value,
                const char *request_id)
{
	if (MHD_add_response_header(resp, name, value) == MHD_YES)
		return true;
	log_msg(GW_LOG_ERROR, request_id, "cannot add response header %s", name);
	return false;
}

enum MHD_Result
response_queue(struct MHD_Connection *con, struct gw_request *req, struct gw_reply *reply)
{
	struct MHD_Response *resp;
	const char          *rid = req->request_id;
	char                 num[16];
	char                 timing[64];
	struct gw_header     cors[GW_CORS_HEADERS_MAX];
	size_t               n_cors;
	bool                 ok = true;
	enum MHD_Result      rc;

	bool                 streamed = reply->stream != NULL;

	if (streamed) {
		/* the list, sent as the database hands it over: no Content-Length (chunked) */
		free(reply->body);
		reply->body = NULL;
		resp = stream_response(reply->stream, con);
		reply->stream = NULL;
		if (resp == NULL) {
			free(reply->location);
			return MHD_NO;
		}
	} else {
		if (reply->body == NULL && reply->status != 204) {
			/* out of memory building the envelope: a bare 500 is all that can be said */
			reply->status = 500;
		}
		resp = MHD_create_response_from_buffer(reply->body_len, reply->body,
		                                       reply->body != NULL && !reply->body_static
		                                       ? MHD_RESPMEM_MUST_FREE
		                                       : MHD_RESPMEM_PERSISTENT);
		if (resp == NULL) {
			if (!reply->body_static)
				free(reply->body);
			free(reply->location);
			return MHD_NO;
		}
	}
	/* the response owns the body (or the stream) now */
	if (reply->body != NULL || streamed)
		ok = ok && response_header(resp, "Content-Type", reply->content_type != NULL
		                           ? reply->content_type : "application/json", rid);
	if (reply->csp != NULL)
		ok = ok && response_header(resp, "Content-Security-Policy", reply->csp, rid) &&
		     response_header(resp, "X-Content-Type-Options", "nosniff", rid);
	ok = ok && response_header(resp, "X-Request-Id", rid, rid);
	ok = ok && response_header(resp, "Cache-Control", "no-store", rid);
	/* where the time went, for the browser's network panel (milliseconds) */
	snprintf(timing, sizeof timing, "db;dur=%.3f, total;dur=%.3f",
	         (double) req->db_us / 1000.0, clock_ms_between(req->start_us, clock_now_us()));
	ok = ok && response_header(resp, "Server-Timing", timing, rid);
	n_cors = cors_headers(req->origin, reply->preflight ? reply->allow : NULL, cors);
	for (size_t i = 0; i < n_cors; i++)
		ok = ok && response_header(resp, cors[i].name, cors[i].value, rid);
	if (reply->allow != NULL)
		ok = ok && response_header(resp, "Allow", reply->allow, rid);
	if (reply->status == 401)
		ok = ok && response_header(resp, "WWW-Authenticate", "Bearer", rid);
	if (reply->retry_after > 0) {
		snprintf(num, sizeof num, "%u", reply->retry_after);
		ok = ok && response_header(resp, "Retry-After", num, rid);
	}
	if (reply->location != NULL)
		ok = ok && response_header(resp, "Location", reply->location, rid);
	if (reply->replayed)    /* Stripe's name: the draft defines none */
		ok = ok && response_header(resp, "Idempotent-Replayed", "true", rid);
	free(reply->location);
	reply->location = NULL;
	if (!ok) {
		MHD_destroy_response(resp);
		return MHD_NO;
	}
	req->status = reply->status;
	rc = MHD_queue_response(con, reply->status, resp);
	MHD_destroy_response(resp);
	return rc;
}
