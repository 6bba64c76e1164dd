/* extension/schema/31_json.sql: the JSON shapes of the contract (timestamps, User, Task) */

-- RFC 3339 in UTC with Z; fractional seconds only when there are some.
CREATE FUNCTION todo.rfc3339(ts timestamptz)
RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT (pg_catalog.to_json(ts AT TIME ZONE 'UTC') OPERATOR(pg_catalog.#>>) '{}') || 'Z' $$;
COMMENT ON FUNCTION todo.rfc3339(timestamptz) IS 'todo: a timestamp as RFC 3339 text in UTC (2026-11-21T09:30:00Z)';

CREATE FUNCTION todo.user_json(u todo.users)
RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
	SELECT pg_catalog.json_build_object(
		'id', u.id,
		'username', u.username,
		'email', u.email,
		'name', u.name,
		'is_active', u.is_active,
		'email_verified', u.email_verified,
		'created_at', todo.rfc3339(u.created_at),
		'updated_at', todo.rfc3339(u.updated_at))
$$;
COMMENT ON FUNCTION todo.user_json(todo.users) IS 'todo: the contract''s User object (never a password or hash)';

-- The Task object is written in C (extension/src/task_json.c), some ten times faster than
-- json_build_object, which looks up the type of every value of every row; the function is
-- declared here, not in 10_c_functions.sql, because its argument is a row of todo.tasks.
-- extension/plain/task_json.sql is the same function in SQL, for installs without C.
CREATE FUNCTION todo.task_json(t todo.tasks)
RETURNS pg_catalog.json
LANGUAGE C STABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'task_json';

COMMENT ON FUNCTION todo.task_json(todo.tasks) IS
'todo: the contract''s Task object, compact ({"id":"...",...}); columns found by name';

REVOKE EXECUTE ON FUNCTION todo.task_json(todo.tasks) FROM PUBLIC;
