/* dispatch.h - the request pipeline: route -> auth -> body -> one SQL call -> reply. */
#ifndef GW_DISPATCH_H
#define GW_DISPATCH_H

#include "app.h"
#include "request.h"
#include "response.h"

/*
 * Decides the answer to a fully received request (or one refused early: a body announced
 * over the limit): 404 / 405 / OPTIONS, 401 for a missing token, the body checks (after
 * api.authorize() on an authenticated route), health, or the route's one SQL call. Fills
 * reply (owned by the caller, handed to response_queue()); adds round trips to req.
 */
void dispatch_request(struct gw_app *app, struct gw_request *req, struct gw_reply *reply);

#endif
