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
