/* extension/todo--1.2--1.1.sql: downgrade 1.2 -> 1.1, dropping other issuers, their keys and their users */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION todo UPDATE TO '1.1'" to load this file. \quit

-- Every lock the script needs, at once and in the order API calls take them.
LOCK TABLE todo.sessions, todo.users, todo.tasks IN ACCESS EXCLUSIVE MODE;

-- 1.1 has no user without a password or an email: the users of other issuers would go,
-- with their tasks. Refuse while there are any, or any trusted issuer, unless the
-- operator said so (todoctl migrate down --force sets todo_migrate.force).
DO $$
DECLARE
	users bigint := (SELECT count(*) FROM todo.users u WHERE u.password_hash IS NULL OR u.email IS NULL
		OR u.id IN (SELECT i.user_id FROM todo.external_identities i));
	tasks bigint := (SELECT count(*) FROM todo.tasks t JOIN todo.users u ON u.id = t.user_id
		WHERE u.password_hash IS NULL OR u.email IS NULL OR u.id IN (SELECT i.user_id FROM todo.external_identities i));
	issuers bigint := (SELECT count(*) FROM todo.issuers);
BEGIN
	IF users + issuers > 0
		AND pg_catalog.current_setting('todo_migrate.force', true) IS DISTINCT FROM 'on' THEN
		RAISE EXCEPTION 'downgrading to 1.1 would delete % users of other issuers with their % tasks, and % trusted issuers', users, tasks, issuers
			USING ERRCODE = 'object_in_use',
				HINT = '1.1 accepts only its own tokens. To do it anyway: todoctl migrate down --force.';
	END IF;
END
$$;
DELETE FROM todo.users u WHERE u.password_hash IS NULL OR u.email IS NULL
	OR u.id IN (SELECT i.user_id FROM todo.external_identities i);

REVOKE USAGE ON SCHEMA api FROM todo_gateway;
DROP FUNCTION api.gateway_store_jwks(text, jsonb);
DROP FUNCTION api.gateway_jwks_sources();
DROP FUNCTION todo.issuer_list();
DROP FUNCTION todo.issuer_remove(text);
DROP FUNCTION todo.issuer_add(text, text, text, text, text, text);

-- todo.authenticate, api.login and todo.count_password_costs as 1.1 has them
CREATE OR REPLACE FUNCTION todo.authenticate()
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

CREATE OR REPLACE FUNCTION api.login(body jsonb)
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
	IF u.id IS NULL THEN
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

CREATE OR REPLACE FUNCTION todo.count_password_costs()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF TG_OP IN ('UPDATE', 'DELETE') THEN
		UPDATE todo.password_costs SET accounts = accounts - 1 WHERE cost = todo.bcrypt_hash_cost(OLD.password_hash);
	END IF;
	IF TG_OP IN ('UPDATE', 'INSERT') THEN
		INSERT INTO todo.password_costs AS c (cost, accounts) VALUES (todo.bcrypt_hash_cost(NEW.password_hash), 1)
		ON CONFLICT (cost) DO UPDATE SET accounts = c.accounts + 1;
	END IF;
	RETURN NULL;
END
$$;
COMMENT ON FUNCTION todo.count_password_costs() IS 'todo: trigger keeping todo.password_costs in step with todo.users';

DROP FUNCTION todo.authenticate_external(jsonb, jsonb, text, bytea, todo.issuers);
DROP FUNCTION todo.external_user(text, text, jsonb);
DROP FUNCTION todo.username_base(text, text);
DROP FUNCTION todo.external_claims_check(jsonb, todo.issuers);
DROP POLICY sessions_presented_token ON todo.sessions;
DROP POLICY external_identities_verified ON todo.external_identities;
DROP FUNCTION todo.verified_identity();
DROP FUNCTION todo.presented_token_key();

DROP INDEX todo.sessions_external_idx;
ALTER TABLE todo.sessions DROP CONSTRAINT sessions_external_complete;
ALTER TABLE todo.sessions DROP CONSTRAINT sessions_external_identity;
ALTER TABLE todo.sessions DROP COLUMN issuer;
ALTER TABLE todo.sessions DROP COLUMN subject;
ALTER TABLE todo.sessions DROP COLUMN verified_keys_at;
ALTER TABLE todo.users ALTER COLUMN password_hash SET NOT NULL;
ALTER TABLE todo.users ALTER COLUMN email SET NOT NULL;
DROP TABLE todo.external_identities;
DROP TABLE todo.issuer_keys;
DROP TABLE todo.issuers;
DROP FUNCTION todo.jwks_url_allowed(text);

CREATE OR REPLACE FUNCTION todo.forget_login_attempts()
RETURNS void
LANGUAGE sql
AS $$
	DELETE FROM todo.login_attempts WHERE account IN (
		SELECT account FROM todo.login_attempts
		WHERE window_started_at < now() - todo.login_failure_window() - todo.login_lockout()
		ORDER BY window_started_at LIMIT 10);
$$;
COMMENT ON FUNCTION todo.forget_login_attempts() IS 'todo: delete a few long-expired login counters';

-- begin extension only
DROP FUNCTION todo.jwt_leeway();
DROP FUNCTION todo.jws_verify(text, jsonb, text, bytea);
DROP FUNCTION todo.jwk_algorithms(jsonb);
DROP FUNCTION todo.jws_decode(text);
-- end extension only
-- plain install: downgrade/12_jws.sql
