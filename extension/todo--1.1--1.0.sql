/* extension/todo--1.1--1.0.sql: downgrade 1.1 -> 1.0, dropping the legacy ids (and the issuer and audience functions) */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION todo UPDATE TO '1.0'" to load this file. \quit

-- Every lock the script needs, at once and in the order API calls take them (a session,
-- then its user, then tasks): taken one by one in another order, they deadlock with
-- concurrent requests. Requests wait for the migration meanwhile (docs/migrations.md).
LOCK TABLE todo.sessions, todo.users, todo.tasks IN ACCESS EXCLUSIVE MODE;

-- Dropping the legacy ids loses the trace of imported rows: refuse while there are any,
-- unless the operator said so (todoctl migrate down --force sets todo_migrate.force).
DO $$
DECLARE
	users bigint := (SELECT count(*) FROM todo.users WHERE legacy_id IS NOT NULL);
	tasks bigint := (SELECT count(*) FROM todo.tasks WHERE legacy_id IS NOT NULL);
	sessions bigint := (SELECT count(*) FROM todo.sessions WHERE legacy_id IS NOT NULL);
BEGIN
	IF users + tasks + sessions > 0
		AND pg_catalog.current_setting('todo_migrate.force', true) IS DISTINCT FROM 'on' THEN
		RAISE EXCEPTION 'downgrading to 1.0 would drop the legacy ids of % users, % tasks and % sessions', users, tasks, sessions
			USING ERRCODE = 'object_in_use',
				HINT = 'Imported rows stay, but lose the link to their legacy SQLite ids. To do it anyway: todoctl migrate down --force.';
	END IF;
END
$$;

DROP INDEX todo.users_legacy_id_key;
DROP INDEX todo.tasks_legacy_id_key;
DROP INDEX todo.sessions_legacy_id_key;
ALTER TABLE todo.users DROP COLUMN legacy_id;
ALTER TABLE todo.tasks DROP COLUMN legacy_id;
ALTER TABLE todo.sessions DROP COLUMN legacy_id;

-- begin extension only: back to 1.0's todo.start_session, which read the issuer and
-- audience settings itself (the plain install keeps its settings layer: todo--1.0--1.1.sql)
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

	claims := jsonb_build_object('sub', u.id, 'jti', jti, 'iat', issued_at, 'exp', expires_at);
	IF coalesce(current_setting('todo.jwt_issuer', true), '') <> '' THEN
		claims := claims || jsonb_build_object('iss', current_setting('todo.jwt_issuer'));
	END IF;
	IF coalesce(current_setting('todo.jwt_audience', true), '') <> '' THEN
		claims := claims || jsonb_build_object('aud', current_setting('todo.jwt_audience'));
	END IF;

	RETURN json_build_object(
		'user', todo.user_json(u),
		'access_token', todo.jwt_sign(claims),
		'token_type', 'bearer',
		'expires_at', todo.rfc3339(to_timestamp(expires_at)));
END
$$;
DROP FUNCTION todo.jwt_issuer(), todo.jwt_audience();
-- end extension only
