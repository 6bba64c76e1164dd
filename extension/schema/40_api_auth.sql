/* extension/schema/40_api_auth.sql: register, login, logout, me, authorize */

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
-- Throttling (37_login_throttle.sql, docs/security.md): the address's counter is read
-- first; the counter of this account name from this address is counted before the
-- password is checked, its row locked until commit, so that concurrent attempts on it are
-- decided one after the other; the address's is counted after a failure.
CREATE FUNCTION api.login(body jsonb)
RETURNS api.result
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	errors jsonb := todo.unknown_field_errors(body, '{email,username,password}');
	by_email boolean := body ? 'email';
	field text := CASE WHEN by_email THEN 'email' ELSE 'username' END;
	identifier text := lower(todo.trim_space(body ->> field));
	password text := body ->> 'password';
	address text := todo.client_address();
	pair_counter text;
	address_counter text;
	u todo.users;
	retry_after integer;
	password_ok boolean;
BEGIN
	IF by_email AND body ? 'username' THEN
		errors := errors || todo.field_error('username', 'send either email or username, not both');
	ELSIF NOT by_email AND NOT body ? 'username' THEN
		errors := errors || todo.field_error('email', 'email or username is required');
	ELSE
		errors := errors || coalesce(todo.string_error(field, body -> field),
			CASE WHEN identifier = '' THEN todo.field_error(field, 'must not be empty') END, '[]');
	END IF;
	errors := errors || coalesce(todo.string_error('password', body -> 'password'), '[]');
	IF errors <> '[]' THEN
		PERFORM todo.raise_validation(errors);
	END IF;

	pair_counter := 'p:' || encode(sha256(convert_to(field || ':' || identifier || ' ' || coalesce(address, ''), 'UTF8')), 'hex');
	address_counter := 'a:' || address;
	PERFORM set_config('app.login_counters', ARRAY[pair_counter, address_counter]::text, true);
	retry_after := coalesce(todo.login_refused_for(address_counter, todo.login_address_max_failures()),
		todo.count_login_attempt(pair_counter, todo.login_max_failures()));
	IF retry_after IS NOT NULL THEN
		RETURN (NULL, NULL, json_build_object('sqlstate', 'TD429',
			'message', 'too many failed logins; try again later',
			'detail', json_build_object('retry_after', greatest(retry_after, 1))))::api.result;
	END IF;

	PERFORM set_config('app.login_identifier', identifier, true);
	SELECT * INTO u FROM todo.users
	WHERE CASE WHEN by_email THEN email = identifier ELSE lower(username) = identifier END;
	IF u.id IS NULL OR u.password_hash IS NULL THEN
		-- no such user, or one of another issuer, who has no password
		PERFORM todo.waste_password_check(password, identifier);
		password_ok := false;
	ELSE
		-- bcrypt reads 72 bytes at most: a longer password would match on its prefix
		password_ok := todo.check_password(password, u.password_hash) AND octet_length(password) <= 72 AND u.is_active;
	END IF;
	IF NOT password_ok THEN
		UPDATE todo.login_attempts SET locked_until = now() + todo.login_lockout()
		WHERE account = pair_counter AND failures >= todo.login_max_failures();
		IF address IS NOT NULL THEN
			PERFORM todo.count_login_attempt(address_counter, todo.login_address_max_failures());
		END IF;
		PERFORM todo.forget_login_attempts();
		RETURN (NULL, NULL, json_build_object('sqlstate', 'TD401', 'message', 'invalid credentials'))::api.result;
	END IF;

	DELETE FROM todo.login_attempts WHERE account = pair_counter;
	PERFORM todo.act_as(u.id);
	IF NOT todo.password_hash_current(u.password_hash) THEN
		-- the cost a login takes must not depend on how old the account is (docs/security.md)
		UPDATE todo.users SET password_hash = todo.hash_password(password) WHERE id = u.id RETURNING * INTO u;
	END IF;
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
