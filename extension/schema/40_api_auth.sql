/* extension/schema/40_api_auth.sql: register, login, logout, me, authorize */

-- Login throttling: this many failures within the window lock the account for the lockout.
CREATE FUNCTION todo.login_max_failures() RETURNS integer LANGUAGE sql IMMUTABLE AS 'SELECT 5';
CREATE FUNCTION todo.login_failure_window() RETURNS interval LANGUAGE sql IMMUTABLE AS $$SELECT interval '15 minutes'$$;
CREATE FUNCTION todo.login_lockout() RETURNS interval LANGUAGE sql IMMUTABLE AS $$SELECT interval '15 minutes'$$;
COMMENT ON FUNCTION todo.login_max_failures() IS 'todo: failed logins within the window that lock an account';
COMMENT ON FUNCTION todo.login_failure_window() IS 'todo: how long failed logins are counted together';
COMMENT ON FUNCTION todo.login_lockout() IS 'todo: how long a locked account refuses logins';

-- Details for a JSON value that should be a string: a message, or NULL when it is one.
CREATE FUNCTION todo.string_error(field text, value jsonb)
RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
	SELECT CASE
		WHEN value IS NULL THEN todo.field_error(field, 'is required')
		WHEN pg_catalog.jsonb_typeof(value) OPERATOR(pg_catalog.<>) 'string' THEN todo.field_error(field, 'must be a string')
	END
$$;
COMMENT ON FUNCTION todo.string_error(text, jsonb) IS 'todo: details when a JSON value is missing or not a string';

CREATE FUNCTION api.register(body jsonb)
RETURNS api.result
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	errors jsonb := todo.unknown_field_errors(body, '{username,email,password,name}', '{id,is_active,email_verified,created_at,updated_at}');
	username text := body ->> 'username';
	email text := lower(todo.trim_space(body ->> 'email'));
	password text := body ->> 'password';
	name text := todo.trim_space(body ->> 'name');
	u todo.users;
	taken text;
BEGIN
	errors := errors || coalesce(todo.string_error('username', body -> 'username'),
		CASE WHEN username !~ '^[A-Za-z0-9_]{3,30}$' THEN todo.field_error('username', 'must be 3 to 30 letters, digits or underscores') END, '[]');
	errors := errors || coalesce(todo.string_error('email', body -> 'email'),
		CASE WHEN length(email) > 254 OR email !~ '^[^[:space:]@]+@[^[:space:]@]+\.[^[:space:]@]+$' THEN todo.field_error('email', 'must be a valid email address') END, '[]');
	errors := errors || coalesce(todo.string_error('password', body -> 'password'),
		CASE WHEN octet_length(password) NOT BETWEEN 8 AND 72 THEN todo.field_error('password', 'must be 8 to 72 bytes') END, '[]');
	IF jsonb_typeof(body -> 'name') NOT IN ('null', 'string') THEN
		errors := errors || todo.field_error('name', 'must be a string or null');
	ELSIF char_length(name) > 100 THEN
		errors := errors || todo.field_error('name', 'must be at most 100 characters');
	END IF;
	IF errors <> '[]' THEN
		PERFORM todo.raise_validation(errors);
	END IF;

	u.id := gen_random_uuid();
	PERFORM todo.act_as(u.id);
	BEGIN
		INSERT INTO todo.users (id, username, email, password_hash, name)
		VALUES (u.id, username, email, todo.hash_password(password), nullif(name, ''))
		RETURNING * INTO u;
	EXCEPTION WHEN unique_violation THEN
		GET STACKED DIAGNOSTICS taken = CONSTRAINT_NAME;
		PERFORM todo.raise_error('TD409', CASE taken
			WHEN 'users_username_key' THEN 'username is already taken'
			ELSE 'email is already registered' END);
	END;
	RETURN (todo.start_session(u), NULL, NULL)::api.result;
END
$$;
COMMENT ON FUNCTION api.register(jsonb) IS 'POST /api/auth/register: create a user and a session';

-- A failed login is returned, not raised, so that its count is committed (docs/sql-api.md).
CREATE FUNCTION api.login(body jsonb)
RETURNS api.result
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	errors jsonb := todo.unknown_field_errors(body, '{email,username,password}');
	by_email boolean := body ? 'email';
	identifier text := lower(todo.trim_space(coalesce(body ->> 'email', body ->> 'username')));
	password text := body ->> 'password';
	u todo.users;
	attempt todo.login_attempts;
	password_ok boolean;
BEGIN
	IF by_email AND body ? 'username' THEN
		errors := errors || todo.field_error('username', 'send either email or username, not both');
	ELSIF NOT by_email AND NOT body ? 'username' THEN
		errors := errors || todo.field_error('email', 'email or username is required');
	ELSE
		errors := errors || coalesce(todo.string_error(CASE WHEN by_email THEN 'email' ELSE 'username' END,
			body -> CASE WHEN by_email THEN 'email' ELSE 'username' END), '[]');
	END IF;
	errors := errors || coalesce(todo.string_error('password', body -> 'password'), '[]');
	IF errors <> '[]' THEN
		PERFORM todo.raise_validation(errors);
	END IF;

	PERFORM set_config('app.login_identifier', identifier, true);
	SELECT * INTO u FROM todo.users
	WHERE CASE WHEN by_email THEN email = identifier ELSE lower(username) = identifier END;
	IF FOUND THEN
		PERFORM set_config('app.login_identifier', u.email, true);
	END IF;

	SELECT * INTO attempt FROM todo.login_attempts WHERE account = todo.login_identifier();
	IF attempt.locked_until > now() THEN
		RETURN (NULL, NULL, json_build_object('sqlstate', 'TD429',
			'message', 'too many failed logins; try again later',
			'detail', json_build_object('retry_after', ceil(extract(epoch FROM attempt.locked_until - now()))::integer)))::api.result;
	END IF;

	IF u.id IS NULL THEN
		PERFORM todo.waste_password_check(password);
		password_ok := false;
	ELSE
		-- bcrypt reads 72 bytes at most: a longer password would match on its prefix
		password_ok := todo.check_password(password, u.password_hash) AND octet_length(password) <= 72 AND u.is_active;
	END IF;
	IF NOT password_ok THEN
		INSERT INTO todo.login_attempts AS a (account, failures, window_started_at)
		VALUES (todo.login_identifier(), 1, now())
		ON CONFLICT (account) DO UPDATE SET
			failures = CASE WHEN a.window_started_at < now() - todo.login_failure_window() THEN 1 ELSE a.failures + 1 END,
			window_started_at = CASE WHEN a.window_started_at < now() - todo.login_failure_window() THEN now() ELSE a.window_started_at END
		RETURNING * INTO attempt;
		IF attempt.failures >= todo.login_max_failures() THEN
			UPDATE todo.login_attempts SET locked_until = now() + todo.login_lockout()
			WHERE account = attempt.account;
		END IF;
		RETURN (NULL, NULL, json_build_object('sqlstate', 'TD401', 'message', 'invalid credentials'))::api.result;
	END IF;

	DELETE FROM todo.login_attempts WHERE account = todo.login_identifier();
	PERFORM todo.act_as(u.id);
	RETURN (todo.start_session(u), NULL, NULL)::api.result;
END
$$;
COMMENT ON FUNCTION api.login(jsonb) IS 'POST /api/auth/login: check credentials (throttled) and open a session';

CREATE FUNCTION api.logout()
RETURNS api.result
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	session todo.sessions := todo.authenticate();
BEGIN
	UPDATE todo.sessions SET revoked = true WHERE id = session.id;
	RETURN (NULL, NULL, NULL)::api.result;
END
$$;
COMMENT ON FUNCTION api.logout() IS 'POST /api/auth/logout: revoke the token''s session';

CREATE FUNCTION api.me()
RETURNS api.result
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	session todo.sessions := todo.authenticate();
BEGIN
	RETURN (SELECT (todo.user_json(u), NULL, NULL)::api.result FROM todo.users u WHERE u.id = session.user_id);
END
$$;
COMMENT ON FUNCTION api.me() IS 'GET /api/auth/me: the token''s user';

CREATE FUNCTION api.authorize()
RETURNS api.result
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM todo.authenticate();
	RETURN (NULL, NULL, NULL)::api.result;
END
$$;
COMMENT ON FUNCTION api.authorize() IS 'the 401/403 checks alone, for requests the gateway refuses for their body';
