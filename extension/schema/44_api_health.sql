/* extension/schema/44_api_health.sql: what the health endpoint asks of the database */

CREATE FUNCTION api.health()
RETURNS api.result
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT (json_build_object('schema_version', e.extversion), NULL, NULL)::api.result
	FROM pg_extension e WHERE e.extname = 'todo'
$$;
COMMENT ON FUNCTION api.health() IS 'GET /api/v1/health: the installed schema version';
