/* extension/plain/44_api_health.sql: what the health endpoint asks of the database (plain install) */

-- The installed version. The extension's is in pg_extension; the plain install's is the
-- one row of this table, which the last statement of every plain script sets:
-- todo-plain--V.sql inserts it, each todo-plain--A--B.sql updates it (todoctl migrate
-- reads it to know where a database stands).
CREATE TABLE todo.schema_version (
	version text NOT NULL
);
CREATE UNIQUE INDEX schema_version_one_row ON todo.schema_version ((true));
COMMENT ON TABLE todo.schema_version IS 'todo: the version of the plain install (one row)';
ALTER TABLE todo.schema_version OWNER TO todo_owner;
ALTER TABLE todo.schema_version ENABLE ROW LEVEL SECURITY;
ALTER TABLE todo.schema_version FORCE ROW LEVEL SECURITY;
CREATE POLICY schema_version_owner ON todo.schema_version TO todo_owner USING (true) WITH CHECK (true);

-- SECURITY DEFINER, unlike the extension's api.health (pg_extension is for everyone to
-- read): the request roles have no access to schema todo.
CREATE FUNCTION api.health()
RETURNS api.result
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT (json_build_object('schema_version', v.version), NULL, NULL)::api.result
	FROM todo.schema_version v
$$;
COMMENT ON FUNCTION api.health() IS 'GET /api/v1/health: the installed schema version';
