/* extension/schema/34_sessions.sql: issuing tokens and authenticating requests */

-- Seconds a token lives: setting todo.jwt_lifetime (default one hour).
CREATE FUNCTION todo.token_lifetime()
RETURNS integer
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT coalesce(nullif(pg_catalog.current_setting('todo.jwt_lifetime', true), '')::integer, 3600) $$;
COMMENT ON FUNCTION todo.token_lifetime() IS 'todo: token lifetime in seconds (setting todo.jwt_lifetime)';

-- Opens a session for u (the transaction must act for u) and returns the contract's
-- register/login body: {"user", "access_token", "token_type", "expires_at"}.
CREATE FUNCTION todo.start_session(u todo.users)
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
COMMENT ON FUNCTION todo.start_session(todo.users) IS 'todo: open a session and issue its token';

-- Authenticates the request: verifies the bearer token (app.token), acts for its user
-- from here on (app.user_id), and checks its session is live (401 otherwise). When the
-- request names the user it acts for (the path's {user_id}, passed in app.user_id by the
-- gateway), that must be the token's user (403 otherwise). Returns the session.
CREATE FUNCTION todo.authenticate()
RETURNS todo.sessions
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	token text := coalesce(current_setting('app.token', true), '');
	claimed_user text := coalesce(current_setting('app.user_id', true), '');
	claims jsonb;
	token_user uuid;
	session todo.sessions;
BEGIN
	IF token = '' THEN
		PERFORM todo.raise_error('TD401', 'missing bearer token');
	END IF;
	claims := todo.jwt_verify(token);
	token_user := todo.try_uuid(claims ->> 'sub');
	IF token_user IS NULL OR jsonb_typeof(claims -> 'jti') IS DISTINCT FROM 'string' THEN
		PERFORM todo.raise_error('TD401', 'invalid token');
	END IF;

	PERFORM todo.act_as(token_user);
	SELECT s.* INTO session
	FROM todo.sessions s JOIN todo.users u ON u.id = s.user_id
	WHERE s.token_jti = claims ->> 'jti' AND s.user_id = token_user
		AND NOT s.revoked AND s.expires_at > now() AND u.is_active;
	IF NOT FOUND THEN
		PERFORM todo.raise_error('TD401', 'session has ended');
	END IF;

	IF claimed_user <> '' AND todo.try_uuid(claimed_user) IS DISTINCT FROM token_user THEN
		PERFORM todo.raise_error('TD403', 'not allowed to act for this user');
	END IF;
	RETURN session;
END
$$;
COMMENT ON FUNCTION todo.authenticate() IS 'todo: verify the request''s token and session, act for its user; 401/403 otherwise';
