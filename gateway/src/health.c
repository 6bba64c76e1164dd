/* health.c - GET /api/v1/health: the database's schema version against the built one. */
#include "health.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

static const char healthy[] =
	"{\"status\":\"healthy\",\"database\":\"connected\",\"migration\":\"up-to-date\"}";
static const char degraded[] =
	"{\"status\":\"degraded\",\"database\":\"connected\",\"migration\":\"out-of-date\"}";
static const char disconnected[] =
	"{\"status\":\"unhealthy\",\"database\":\"disconnected\",\"migration\":\"unknown\"}";
static const char broken[] =
	"{\"status\":\"unhealthy\",\"database\":\"connected\",\"migration\":\"unknown\"}";

bool
health_schema_version(const char *data, char *out, size_t outlen)
{
	json_t     *root = data != NULL ? json_loads(data, 0, NULL) : NULL;
	const char *v = json_string_value(json_object_get(root, "schema_version"));
	bool        found = v != NULL && strlen(v) < outlen;

	if (found)
		snprintf(out, outlen, "%s", v);
	json_decref(root);
	return found;
}

void
health_assess(const struct gw_qresult *q, const char *expected_version, struct gw_health *out)
{
	char version[64];

	out->status = 200;
	out->has_error = false;
	out->error = GW_ERR_UNAVAILABLE;
	if (q->status == GW_Q_ROW && q->error == NULL) {
		bool same = health_schema_version(q->data, version, sizeof version) &&
		            strcmp(version, expected_version) == 0;

		out->data = same ? healthy : degraded;
		return;
	}
	out->status = 503;
	out->has_error = true;
	out->data = q->status == GW_Q_UNAVAILABLE ? disconnected : broken;
}
