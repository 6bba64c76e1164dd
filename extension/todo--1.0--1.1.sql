/* extension/todo--1.0--1.1.sql: upgrade 1.0 -> 1.1, the legacy ids of imported rows (and the issuer and audience settings as functions) */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION todo UPDATE TO '1.1'" to load this file. \quit

-- Every lock the script needs, at once and in the order API calls take them (a session,
-- then its user, then tasks): taken one by one in another order, they deadlock with
-- concurrent requests. Requests wait for the migration meanwhile (docs/migrations.md).
LOCK TABLE todo.sessions, todo.users, todo.tasks IN ACCESS EXCLUSIVE MODE;

-- Adding a nullable column without a default changes only the catalog; the time goes to
-- the index builds, each reading the table once.
ALTER TABLE todo.users ADD COLUMN legacy_id bigint;
ALTER TABLE todo.tasks ADD COLUMN legacy_id bigint;
ALTER TABLE todo.sessions ADD COLUMN legacy_id bigint;
COMMENT ON COLUMN todo.users.legacy_id IS 'todo: id in the legacy SQLite database, NULL for users created here';
COMMENT ON COLUMN todo.tasks.legacy_id IS 'todo: id in the legacy SQLite database, NULL for tasks created here';
COMMENT ON COLUMN todo.sessions.legacy_id IS 'todo: id in the legacy SQLite database, NULL for sessions created here';

CREATE UNIQUE INDEX users_legacy_id_key ON todo.users (legacy_id) WHERE legacy_id IS NOT NULL;
CREATE UNIQUE INDEX tasks_legacy_id_key ON todo.tasks (legacy_id) WHERE legacy_id IS NOT NULL;
CREATE UNIQUE INDEX sessions_legacy_id_key ON todo.sessions (legacy_id) WHERE legacy_id IS NOT NULL;

-- begin extension only: todo.start_session reads the tokens' issuer and audience through
-- the settings layer (08_settings.sql). The plain install has done so since it began, at
-- 1.1 (its 1.0 is only ever a 1.1 downgraded), with functions of its own over table
-- todo.settings: scripts/build-plain.sh leaves this part out of its scripts.
CREATE FUNCTION todo.jwt_issuer()
RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT coalesce(pg_catalog.current_setting('todo.jwt_issuer', true), '') $$;
COMMENT ON FUNCTION todo.jwt_issuer() IS 'todo: the iss claim of the tokens issued here (setting todo.jwt_issuer), empty for none';

CREATE FUNCTION todo.jwt_audience()
RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT coalesce(pg_catalog.current_setting('todo.jwt_audience', true), '') $$;
COMMENT ON FUNCTION todo.jwt_audience() IS 'todo: the aud claim of the tokens issued here (setting todo.jwt_audience), empty for none';

REVOKE EXECUTE ON FUNCTION todo.jwt_issuer(), todo.jwt_audience() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION todo.jwt_issuer(), todo.jwt_audience() TO todo_owner;

CREATE OR REPLACE FUNCTION todo.start_session(u todo.users)
RETURNS json
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	issued_at bigint := floor(extract(epoch FROM now()));
	expires_at bigint := issued_at + todo.token_lifetime();
	jti text := gen_random_uuid()::text;
	claims jsonb;
BEGIN
	INSERT INTO todo.sessions (user_id, token_jti, expires_at)
	VALUES (u.id, jti, to_timestamp(expires_at));

	-- iss and aud only when set (08_settings.sql; jsonb_strip_nulls drops the others)
	claims := jsonb_strip_nulls(jsonb_build_object('sub', u.id, 'jti', jti, 'iat', issued_at, 'exp', expires_at,
		'iss', nullif(todo.jwt_issuer(), ''), 'aud', nullif(todo.jwt_audience(), '')));

	RETURN json_build_object(
		'user', todo.user_json(u),
		'access_token', todo.jwt_sign(claims),
		'token_type', 'bearer',
		'expires_at', todo.rfc3339(to_timestamp(expires_at)));
END
$$;
-- end extension only
