/* extension/todo--1.1--1.2.sql: upgrade 1.1 -> 1.2, tokens of other issuers (Better Auth and the like) */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION todo UPDATE TO '1.2'" to load this file. \quit

-- The tables it alters, locked at once in the order API calls take them (docs/migrations.md).
-- Every change to them is catalog-only (nullable columns, dropped NOT NULLs, a constraint
-- on columns that are all NULL, an index over no row).
LOCK TABLE todo.sessions, todo.users IN ACCESS EXCLUSIVE MODE;

-- The plain install may be migrated by a role that is not a superuser (Neon): todo_owner
-- may create in its schemas for the migration only, as for its install.
-- plain install: 04_installer.sql

-- schema/12_jws.sql (the plain install has plain/12_jws.sql and plain/13_signatures.sql)
-- begin extension only

-- The algorithm of a token comes from the key that must have signed it, never from the
-- token alone: todo.jwk_algorithms says which algorithms a key may verify, and
-- todo.jws_verify is false for any other. extension/plain/12_jws.sql is the same in
-- PL/pgSQL, for installs without C. None is for PUBLIC.

CREATE FUNCTION todo.jws_decode(token pg_catalog.text,
	OUT header pg_catalog.jsonb, OUT payload pg_catalog.jsonb,
	OUT signing_input pg_catalog.text, OUT signature pg_catalog.bytea)
RETURNS record
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'jws_decode';
COMMENT ON FUNCTION todo.jws_decode(pg_catalog.text) IS
'the parts of a compact JWS, unverified: header and payload objects, the signed text, the signature; TD401 "invalid token" for anything else';
REVOKE EXECUTE ON FUNCTION todo.jws_decode(pg_catalog.text) FROM PUBLIC;

CREATE FUNCTION todo.jwk_algorithms(jwk pg_catalog.jsonb)
RETURNS pg_catalog.text[]
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'jwk_algorithms';
COMMENT ON FUNCTION todo.jwk_algorithms(pg_catalog.jsonb) IS
'the JWS algorithms a JWK may verify (EdDSA, ES256, ES384, ES512, RS256..PS512, HS256 for an oct key), or NULL when it is no usable signing key';
REVOKE EXECUTE ON FUNCTION todo.jwk_algorithms(pg_catalog.jsonb) FROM PUBLIC;

CREATE FUNCTION todo.jws_verify(alg pg_catalog.text, jwk pg_catalog.jsonb,
	signing_input pg_catalog.text, signature pg_catalog.bytea)
RETURNS pg_catalog.bool
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'jws_verify';
COMMENT ON FUNCTION todo.jws_verify(pg_catalog.text, pg_catalog.jsonb, pg_catalog.text, pg_catalog.bytea) IS
'whether signature signs signing_input with key jwk under algorithm alg (OpenSSL); false for an alg the key does not allow';
REVOKE EXECUTE ON FUNCTION todo.jws_verify(pg_catalog.text, pg_catalog.jsonb, pg_catalog.text, pg_catalog.bytea) FROM PUBLIC;

-- Seconds of clock skew allowed on exp, nbf and iat: setting todo.jwt_leeway (0-300), the
-- one src/jwt.c applies to our own tokens.
CREATE FUNCTION todo.jwt_leeway()
RETURNS integer
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT coalesce(nullif(pg_catalog.current_setting('todo.jwt_leeway', true), '')::integer, 30) $$;
COMMENT ON FUNCTION todo.jwt_leeway() IS 'todo: clock skew allowed on token times, in seconds (setting todo.jwt_leeway)';

-- end extension only
-- plain install: 12_jws.sql
-- plain install: 13_signatures.sql

-- schema/27_issuers.sql

-- Where a JWKS may be fetched from: https anywhere, http only on a loopback host (local
-- development and tests); no user info in the authority (http://127.0.0.1@evil.example).
CREATE FUNCTION todo.jwks_url_allowed(url text)
RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
	SELECT length(url) <= 2000 AND (url ~ '^https://[^/?#@[:space:]]+([/?#][^[:space:]]*)?$'
		OR url ~ '^http://(localhost|127(\.[0-9]{1,3}){3}|\[::1\])(:[0-9]{1,5})?([/?#][^[:space:]]*)?$')
$$;
COMMENT ON FUNCTION todo.jwks_url_allowed(text) IS 'todo: whether a JWKS URL is https, or http on a loopback host';

-- A trusted issuer (todoctl issuer add): tokens whose iss is `issuer` are verified with its
-- JWKS keys (fetched by the gateway from jwks_url) or its shared HS256 secret, never both.
-- Owner-only: no request role and not the gateway may read it (the secret is here).
CREATE TABLE todo.issuers (
	name text PRIMARY KEY
		CONSTRAINT issuers_name_format CHECK (name ~ '^[A-Za-z0-9_.-]{1,64}$'),
	issuer text NOT NULL UNIQUE
		CONSTRAINT issuers_issuer_length CHECK (length(issuer) BETWEEN 1 AND 1000),
	jwks_url text
		CONSTRAINT issuers_jwks_url_allowed CHECK (todo.jwks_url_allowed(jwks_url)),
	hs256_secret text
		CONSTRAINT issuers_hs256_secret_length CHECK (octet_length(hs256_secret) BETWEEN 32 AND 1024),
	audience text
		CONSTRAINT issuers_audience_length CHECK (length(audience) BETWEEN 1 AND 1000),
	subject_claim text NOT NULL DEFAULT 'sub'
		CONSTRAINT issuers_subject_claim_format CHECK (subject_claim ~ '^[A-Za-z0-9_.:-]{1,64}$'),
	-- when its keys (or the issuer itself) last changed: a token verified before is
	-- verified again (todo.authenticate_external)
	keys_changed_at timestamptz NOT NULL DEFAULT clock_timestamp(),
	created_at timestamptz NOT NULL DEFAULT now(),
	CONSTRAINT issuers_one_key_source CHECK ((jwks_url IS NULL) <> (hs256_secret IS NULL))
);
COMMENT ON TABLE todo.issuers IS 'todo: issuers whose tokens are trusted (todoctl issuer); holds secrets: owner-only';

-- The usable keys of a JWKS issuer's last fetched JWKS document (api.gateway_store_jwks),
-- in document order; kid is NULL for a key without one.
CREATE TABLE todo.issuer_keys (
	issuer text NOT NULL REFERENCES todo.issuers (name) ON DELETE CASCADE,
	position integer NOT NULL,
	kid text,
	jwk jsonb NOT NULL,
	algorithms text[] NOT NULL,
	fetched_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (issuer, position)
);
COMMENT ON TABLE todo.issuer_keys IS 'todo: the current signing keys of each JWKS issuer (api.gateway_store_jwks)';
CREATE INDEX issuer_keys_kid_idx ON todo.issuer_keys (issuer, kid);

-- Who a verified external token is: (its iss, its subject) names one of our users, created
-- by its first token. Keyed by the iss value rather than the issuer's name, so that an
-- issuer removed and added again finds its users again.
CREATE TABLE todo.external_identities (
	issuer text NOT NULL,
	subject text NOT NULL
		CONSTRAINT external_identities_subject_length CHECK (length(subject) BETWEEN 1 AND 255),
	user_id uuid NOT NULL UNIQUE REFERENCES todo.users (id) ON DELETE CASCADE,
	created_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (issuer, subject)
);
COMMENT ON TABLE todo.external_identities IS 'todo: the user each (iss, subject) of another issuer''s tokens maps to';

-- A user of another issuer has no password (cannot log in with one), and an email only
-- when its token carries one that no other account holds (docs/decisions.md).
ALTER TABLE todo.users ALTER COLUMN password_hash DROP NOT NULL;
ALTER TABLE todo.users ALTER COLUMN email DROP NOT NULL;

-- Each verified external token has a session, keyed by the token's digest: its first
-- verification is remembered (verified_keys_at: later requests check only that it is still
-- live and its issuer's keys unchanged since), and logout revokes exactly that token until its
-- exp. Expired ones are purged when their user's next token arrives.
ALTER TABLE todo.sessions ADD COLUMN issuer text;
ALTER TABLE todo.sessions ADD COLUMN subject text;
ALTER TABLE todo.sessions ADD COLUMN verified_keys_at timestamptz;
ALTER TABLE todo.sessions ADD CONSTRAINT sessions_external_identity FOREIGN KEY (issuer, subject)
	REFERENCES todo.external_identities (issuer, subject) ON DELETE CASCADE;
ALTER TABLE todo.sessions ADD CONSTRAINT sessions_external_complete
	CHECK ((issuer IS NULL) = (subject IS NULL) AND (issuer IS NULL) = (verified_keys_at IS NULL));
COMMENT ON COLUMN todo.sessions.issuer IS 'todo: iss of an external token (then token_jti is its sha256), NULL for our own';
COMMENT ON COLUMN todo.sessions.subject IS 'todo: subject of an external token';
COMMENT ON COLUMN todo.sessions.verified_keys_at IS 'todo: the keys_changed_at of the issuer keys that verified an external token';
CREATE INDEX sessions_external_idx ON todo.sessions (issuer, subject) WHERE issuer IS NOT NULL;

-- The key of the request's token (app.token) in todo.sessions when another issuer signed
-- it: its SHA-256. Policy sessions_presented_token lets a request read that one session.
CREATE FUNCTION todo.presented_token_key()
RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
	SELECT 'sha256:' OPERATOR(pg_catalog.||) pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(
		coalesce(pg_catalog.current_setting('app.token', true), ''), 'UTF8')), 'hex')
$$;
COMMENT ON FUNCTION todo.presented_token_key() IS 'todo: sha256 of the request''s token, the key of an external token''s session';

-- The identity a verified external token names (app.identity, a JSON array [iss, subject]
-- set by todo.external_user only): the one row of todo.external_identities a request may
-- look up before it knows its user.
CREATE FUNCTION todo.verified_identity()
RETURNS jsonb
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT nullif(pg_catalog.current_setting('app.identity', true), '')::pg_catalog.jsonb $$;
COMMENT ON FUNCTION todo.verified_identity() IS 'todo: [iss, subject] of the verified external token (app.identity), or NULL';

-- todo.count_password_costs (schema/26_password_costs.sql) counts no user without a password
CREATE OR REPLACE FUNCTION todo.count_password_costs()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	-- (a user of another issuer has no password: NULL, counted nowhere)
	IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.password_hash IS NOT NULL THEN
		UPDATE todo.password_costs SET accounts = accounts - 1 WHERE cost = todo.bcrypt_hash_cost(OLD.password_hash);
	END IF;
	IF TG_OP IN ('UPDATE', 'INSERT') AND NEW.password_hash IS NOT NULL THEN
		INSERT INTO todo.password_costs AS c (cost, accounts) VALUES (todo.bcrypt_hash_cost(NEW.password_hash), 1)
		ON CONFLICT (cost) DO UPDATE SET accounts = c.accounts + 1;
	END IF;
	RETURN NULL;
END
$$;
COMMENT ON FUNCTION todo.count_password_costs() IS 'todo: trigger keeping todo.password_costs in step with todo.users';

-- The policies schema/30_policies.sql adds
-- Another issuer's token has a session keyed by the token's digest (37_external_tokens.sql):
-- a request may read the session of the very token it presents, before it knows its user.
CREATE POLICY sessions_presented_token ON todo.sessions FOR SELECT
	USING (token_jti = (SELECT todo.presented_token_key()));

-- The configuration of other issuers holds no user's rows: todo_owner alone reads and
-- changes it (the request roles and the gateway have no privilege on it at all).
ALTER TABLE todo.issuers ENABLE ROW LEVEL SECURITY;
ALTER TABLE todo.issuers FORCE ROW LEVEL SECURITY;
CREATE POLICY issuers_owner ON todo.issuers TO todo_owner USING (true) WITH CHECK (true);
ALTER TABLE todo.issuer_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE todo.issuer_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY issuer_keys_owner ON todo.issuer_keys TO todo_owner USING (true) WITH CHECK (true);

-- An identity is its user's; a verified token may look up the one it names (app.identity).
ALTER TABLE todo.external_identities ENABLE ROW LEVEL SECURITY;
ALTER TABLE todo.external_identities FORCE ROW LEVEL SECURITY;
CREATE POLICY external_identities_self ON todo.external_identities
	USING (user_id = (SELECT todo.current_user_id()))
	WITH CHECK (user_id = (SELECT todo.current_user_id()));
CREATE POLICY external_identities_verified ON todo.external_identities FOR SELECT
	USING (jsonb_build_array(issuer, subject) = (SELECT todo.verified_identity()));

-- schema/38_external_tokens.sql

-- The registered claims of a correctly signed external token, as src/jwt.c checks ours:
-- exp required, exp/nbf/iat with todo.jwt_leeway(), aud (a string or an array of
-- strings) must name the issuer's audience when it has one. iss was matched already.
CREATE FUNCTION todo.external_claims_check(payload jsonb, trusted todo.issuers)
RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	now_s numeric := extract(epoch FROM now());
	leeway integer := todo.jwt_leeway();
	claim text;
BEGIN
	IF jsonb_typeof(payload -> 'exp') IS DISTINCT FROM 'number' THEN
		PERFORM todo.raise_error('TD401', 'token has no expiration time');
	END IF;
	FOREACH claim IN ARRAY ARRAY['nbf', 'iat'] LOOP
		IF payload ? claim AND jsonb_typeof(payload -> claim) <> 'number' THEN
			PERFORM todo.raise_error('TD401', 'invalid token');
		END IF;
	END LOOP;
	IF (payload ->> 'exp')::numeric < now_s - leeway THEN
		PERFORM todo.raise_error('TD401', 'token has expired');
	ELSIF (payload ->> 'nbf')::numeric > now_s + leeway THEN
		PERFORM todo.raise_error('TD401', 'token is not yet valid');
	ELSIF (payload ->> 'iat')::numeric > now_s + leeway THEN
		PERFORM todo.raise_error('TD401', 'token was issued in the future');
	END IF;
	IF trusted.audience IS NOT NULL AND NOT (payload -> 'aud' = to_jsonb(trusted.audience)
			OR (jsonb_typeof(payload -> 'aud') = 'array' AND payload -> 'aud' @> jsonb_build_array(trusted.audience))) THEN
		PERFORM todo.raise_error('TD401', 'token audience does not match');
	END IF;
END
$$;
COMMENT ON FUNCTION todo.external_claims_check(jsonb, todo.issuers) IS 'todo: exp, nbf, iat and aud of a verified external token; TD401 otherwise';

-- A username for a new external user: the email's local part, else the name, else "user",
-- as letters, digits and underscores, 3-30 of them.
CREATE FUNCTION todo.username_base(email text, name text)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT CASE WHEN length(base) >= 3 THEN base ELSE 'user' END
	FROM (SELECT left(trim(BOTH '_' FROM regexp_replace(coalesce(split_part(email, '@', 1), name, ''),
		'[^A-Za-z0-9_]+', '_', 'g')), 30) AS base) b
$$;
COMMENT ON FUNCTION todo.username_base(text, text) IS 'todo: the username a new external user is offered first';

-- The user of a verified external token (iss, subject, its claims), acting for it from here
-- on. The first token of an identity creates the user: email from the "email" claim when
-- it is a valid address no other account holds (else none: an identity is never attached
-- to an existing account because the addresses match, docs/decisions.md), name from
-- "name", a free username, no password. Later tokens find it again, and a changed email
-- claim updates it (to none when another account holds the new one).
CREATE FUNCTION todo.external_user(iss text, subject text, claims jsonb)
RETURNS todo.users
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	claimed_email text := CASE WHEN jsonb_typeof(claims -> 'email') = 'string' THEN lower(todo.trim_space(claims ->> 'email')) END;
	claimed_name text := CASE WHEN jsonb_typeof(claims -> 'name') = 'string' THEN nullif(left(todo.trim_space(claims ->> 'name'), 100), '') END;
	-- (false unless the token says true: most issuers send no such claim)
	verified boolean := coalesce(coalesce(claims -> 'emailVerified', claims -> 'email_verified') = 'true'::jsonb, false);
	uid uuid;
	u todo.users;
	candidate text;
	taken text;
BEGIN
	IF length(claimed_email) > 254 OR claimed_email !~ '^[^[:space:]@]+@[^[:space:]@]+\.[^[:space:]@]+$' THEN
		claimed_email := NULL;
	END IF;
	PERFORM set_config('app.identity', jsonb_build_array(iss, subject)::text, true);
	LOOP
		SELECT i.user_id INTO uid FROM todo.external_identities i WHERE i.issuer = external_user.iss AND i.subject = external_user.subject;
		IF FOUND THEN
			PERFORM todo.act_as(uid);
			SELECT * INTO u FROM todo.users WHERE id = uid;
			IF claimed_email IS NOT NULL AND claimed_email IS DISTINCT FROM u.email THEN
				BEGIN
					UPDATE todo.users SET email = claimed_email, email_verified = verified
					WHERE id = uid RETURNING * INTO u;
				EXCEPTION WHEN unique_violation THEN
					UPDATE todo.users SET email = NULL, email_verified = false WHERE id = uid RETURNING * INTO u;
				END;
			END IF;
			RETURN u;
		END IF;

		-- the first token of this identity
		uid := gen_random_uuid();
		PERFORM todo.act_as(uid);
		candidate := todo.username_base(claimed_email, claimed_name);
		BEGIN
			FOR attempt IN 1 .. 10 LOOP
				BEGIN
					INSERT INTO todo.users (id, username, email, name, email_verified, password_hash)
					VALUES (uid, candidate, claimed_email, claimed_name, verified AND claimed_email IS NOT NULL, NULL);
					EXIT;
				EXCEPTION WHEN unique_violation THEN
					GET STACKED DIAGNOSTICS taken = CONSTRAINT_NAME;
					IF taken = 'users_email_key' THEN
						claimed_email := NULL;
					ELSIF taken = 'users_username_key' THEN
						candidate := left(todo.username_base(claimed_email, claimed_name), 23) || '_' || substr(md5(random()::text), 1, 6);
					ELSE
						RAISE;
					END IF;
				END;
			END LOOP;
			INSERT INTO todo.external_identities (issuer, subject, user_id)
			VALUES (external_user.iss, external_user.subject, uid);
			SELECT * INTO u FROM todo.users WHERE id = uid;
			RETURN u;
		EXCEPTION WHEN unique_violation THEN
			-- a concurrent first token of the same identity won: use its user
			GET STACKED DIAGNOSTICS taken = CONSTRAINT_NAME;
			IF taken <> 'external_identities_pkey' THEN
				RAISE;
			END IF;
		END;
	END LOOP;
END
$$;
COMMENT ON FUNCTION todo.external_user(text, text, jsonb) IS 'todo: the user of a verified external identity, created by its first token; acts for it';

-- Authenticates another issuer's token (iss matched trusted): by its session when this very
-- token was verified before with the issuer's current keys, else by its signature and
-- claims, then opens its session. Acts for its user. TD401 otherwise; a kid the issuer's
-- keys lack (or none stored yet) is TD401 "unknown signing key" with DETAIL
-- {"jwks_refresh": name}, on which the gateway fetches that JWKS and retries once.
CREATE FUNCTION todo.authenticate_external(header jsonb, payload jsonb, signing_input text, signature bytea,
	trusted todo.issuers)
RETURNS todo.sessions
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	token_key text := todo.presented_token_key();
	leeway interval := make_interval(secs => todo.jwt_leeway());
	alg text := header ->> 'alg';
	session todo.sessions;
	u todo.users;
	subject text;
	known_key boolean := false;
	allowed boolean := false;
	verified boolean := false;
	k todo.issuer_keys;
BEGIN
	SELECT * INTO session FROM todo.sessions s WHERE s.token_jti = token_key;
	IF FOUND THEN
		IF session.revoked THEN
			PERFORM todo.raise_error('TD401', 'session has ended');
		ELSIF session.expires_at < now() - leeway THEN
			PERFORM todo.raise_error('TD401', 'token has expired');
		END IF;
		IF session.verified_keys_at = trusted.keys_changed_at THEN
			PERFORM todo.act_as(session.user_id);
			IF NOT EXISTS (SELECT FROM todo.users WHERE id = session.user_id AND is_active) THEN
				PERFORM todo.raise_error('TD401', 'session has ended');
			END IF;
			RETURN session;
		END IF;
	END IF;

	-- the signature, with the key the issuer names; the algorithm must be one that key allows
	IF jsonb_typeof(header -> 'alg') IS DISTINCT FROM 'string' OR header ? 'crit'
			OR (header ? 'kid' AND jsonb_typeof(header -> 'kid') <> 'string') THEN
		PERFORM todo.raise_error('TD401', 'invalid token');
	END IF;
	IF trusted.hs256_secret IS NOT NULL THEN
		known_key := true;
		allowed := alg = 'HS256';
		verified := allowed AND todo.jws_verify(alg, jsonb_build_object('kty', 'oct',
			'k', translate(encode(convert_to(trusted.hs256_secret, 'UTF8'), 'base64'), E'+/=\n', '-_')),
			signing_input, signature);
	ELSE
		FOR k IN SELECT * FROM todo.issuer_keys ik
			WHERE ik.issuer = trusted.name AND (NOT header ? 'kid' OR ik.kid = header ->> 'kid')
			ORDER BY ik.position
		LOOP
			known_key := true;
			IF alg = ANY (k.algorithms) THEN
				allowed := true;
				verified := todo.jws_verify(alg, k.jwk, signing_input, signature);
				EXIT WHEN verified;
			END IF;
		END LOOP;
	END IF;
	IF NOT known_key THEN
		PERFORM todo.raise_error('TD401', 'unknown signing key', jsonb_build_object('jwks_refresh', trusted.name));
	ELSIF NOT allowed THEN
		PERFORM todo.raise_error('TD401', 'token algorithm does not match the signing key');
	ELSIF NOT verified THEN
		PERFORM todo.raise_error('TD401', 'invalid token signature');
	END IF;

	PERFORM todo.external_claims_check(payload, trusted);
	subject := CASE WHEN jsonb_typeof(payload -> trusted.subject_claim) = 'string' THEN payload ->> trusted.subject_claim END;
	IF subject IS NULL OR length(subject) NOT BETWEEN 1 AND 255 THEN
		PERFORM todo.raise_error('TD401', 'token has no subject');
	END IF;

	u := todo.external_user(trusted.issuer, subject, payload);
	IF NOT u.is_active THEN
		PERFORM todo.raise_error('TD401', 'session has ended');
	END IF;
	-- its user's expired external sessions go now: the table holds live ones only
	DELETE FROM todo.sessions s WHERE s.user_id = u.id AND s.issuer IS NOT NULL AND s.expires_at < now() - leeway;
	INSERT INTO todo.sessions AS s (user_id, token_jti, expires_at, issuer, subject, verified_keys_at)
	VALUES (u.id, token_key, to_timestamp(least((payload ->> 'exp')::numeric, 253402300799)::double precision),
		trusted.issuer, subject, trusted.keys_changed_at)
	ON CONFLICT (token_jti) DO UPDATE SET verified_keys_at = EXCLUDED.verified_keys_at
	RETURNING * INTO session;
	RETURN session;
END
$$;
COMMENT ON FUNCTION todo.authenticate_external(jsonb, jsonb, text, bytea, todo.issuers) IS
'todo: verify another issuer''s token (or find its live session), act for its user, return its session; TD401 otherwise';

-- todo.authenticate (schema/36_authenticate.sql) hands other issuers' tokens to todo.authenticate_external
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
	parts record;
	trusted todo.issuers;
BEGIN
	IF token = '' THEN
		PERFORM todo.raise_error('TD401', 'missing bearer token');
	END IF;
	IF EXISTS (SELECT FROM todo.issuers) THEN
		parts := todo.jws_decode(token);
		SELECT * INTO trusted FROM todo.issuers i WHERE i.issuer = parts.payload ->> 'iss';
		IF FOUND THEN
			session := todo.authenticate_external(parts.header, parts.payload, parts.signing_input, parts.signature, trusted);
			IF claimed_user <> '' AND todo.try_uuid(claimed_user) IS DISTINCT FROM session.user_id
					AND claimed_user IS DISTINCT FROM session.subject THEN
				PERFORM todo.raise_error('TD403', 'not allowed to act for this user');
			END IF;
			RETURN session;
		END IF;
	END IF;

	claims := todo.jwt_verify(token);
	token_user := todo.try_uuid(claims ->> 'sub');
	IF token_user IS NULL OR jsonb_typeof(claims -> 'jti') IS DISTINCT FROM 'string' THEN
		PERFORM todo.raise_error('TD401', 'invalid token');
	END IF;

	PERFORM todo.act_as(token_user);
	SELECT s.* INTO session
	FROM todo.sessions s JOIN todo.users u ON u.id = s.user_id
	WHERE s.token_jti = claims ->> 'jti' AND s.user_id = token_user AND s.issuer IS NULL
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

-- api.login (schema/40_api_auth.sql): a user without a password cannot log in
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

-- schema/45_api_issuers.sql

-- The admin functions run with the caller's rights: a superuser or a member of todo_owner
-- (todoctl issuer add|list|remove). Bad arguments raise SQLSTATE 22023 with a message
-- that names the problem; nothing is changed then.
CREATE FUNCTION todo.issuer_add(name text, issuer text, jwks_url text, hs256_secret text,
	audience text DEFAULT NULL, subject_claim text DEFAULT 'sub')
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	problem text;
BEGIN
	problem := CASE
		WHEN name IS NULL OR name !~ '^[A-Za-z0-9_.-]{1,64}$' THEN
			'issuer name must be 1 to 64 letters, digits, ".", "_" or "-"'
		WHEN coalesce(issuer, '') = '' OR length(issuer) > 1000 THEN
			'issuer (the tokens'' iss) must be 1 to 1000 characters'
		WHEN issuer = nullif(current_setting('todo.jwt_issuer', true), '') THEN
			'issuer is this server''s own (todo.jwt_issuer)'
		WHEN (jwks_url IS NULL) = (hs256_secret IS NULL) THEN
			'give exactly one of a JWKS URL and an HS256 secret'
		WHEN NOT coalesce(todo.jwks_url_allowed(jwks_url), true) THEN
			'JWKS URL must be https (http only on a loopback host: 127.0.0.0/8, ::1, localhost)'
		WHEN octet_length(hs256_secret) NOT BETWEEN 32 AND 1024 THEN
			'HS256 secret must be 32 to 1024 bytes'
		WHEN audience = '' OR length(audience) > 1000 THEN
			'audience must be 1 to 1000 characters, or absent'
		WHEN coalesce(subject_claim, 'sub') !~ '^[A-Za-z0-9_.:-]{1,64}$' THEN
			'subject claim must be a claim name (1 to 64 letters, digits, ".", "_", ":" or "-")'
	END;
	IF problem IS NOT NULL THEN
		RAISE EXCEPTION '%', problem USING ERRCODE = 'invalid_parameter_value';
	END IF;
	INSERT INTO todo.issuers (name, issuer, jwks_url, hs256_secret, audience, subject_claim)
	VALUES (issuer_add.name, issuer_add.issuer, issuer_add.jwks_url, issuer_add.hs256_secret,
		issuer_add.audience, coalesce(issuer_add.subject_claim, 'sub'));
EXCEPTION WHEN unique_violation THEN
	RAISE EXCEPTION '%', CASE WHEN EXISTS (SELECT FROM todo.issuers i WHERE i.name = issuer_add.name)
			THEN format('issuer %s already exists', issuer_add.name)
			ELSE format('another issuer already has iss %s', issuer_add.issuer) END
		USING ERRCODE = 'invalid_parameter_value';
END
$$;
COMMENT ON FUNCTION todo.issuer_add(text, text, text, text, text, text) IS
'todo: trust another issuer''s tokens (todoctl issuer add): a JWKS URL or an HS256 secret; 22023 for bad arguments';

CREATE FUNCTION todo.issuer_remove(name text)
RETURNS boolean
LANGUAGE sql
SET search_path = pg_catalog, pg_temp
AS $$
	WITH gone AS (DELETE FROM todo.issuers i WHERE i.name = issuer_remove.name RETURNING 1)
	SELECT EXISTS (SELECT FROM gone)
$$;
COMMENT ON FUNCTION todo.issuer_remove(text) IS
'todo: stop trusting an issuer (todoctl issuer remove); its keys go, its users and their tasks stay; false when there was none';

-- Never a secret: kind says which verification an issuer uses.
CREATE FUNCTION todo.issuer_list()
RETURNS TABLE (name text, issuer text, kind text, jwks_url text, audience text, subject_claim text,
	keys integer, keys_fetched_at timestamptz)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT i.name, i.issuer, CASE WHEN i.jwks_url IS NULL THEN 'hs256' ELSE 'jwks' END, i.jwks_url,
		i.audience, i.subject_claim, count(k.position)::integer, max(k.fetched_at)
	FROM todo.issuers i LEFT JOIN todo.issuer_keys k ON k.issuer = i.name
	GROUP BY i.name
	ORDER BY i.name
$$;
COMMENT ON FUNCTION todo.issuer_list() IS 'todo: the trusted issuers and how many keys each has (todoctl issuer list); no secret';

-- The gateway's functions: it calls them as its login role (todo_gateway, outside any
-- request), to fetch each JWKS issuer's keys and hand them over. They run as todo_owner.
CREATE FUNCTION api.gateway_jwks_sources()
RETURNS TABLE (name text, jwks_url text, keys integer, fetched_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT i.name, i.jwks_url, count(k.position)::integer, max(k.fetched_at)
	FROM todo.issuers i LEFT JOIN todo.issuer_keys k ON k.issuer = i.name
	WHERE i.jwks_url IS NOT NULL
	GROUP BY i.name
	ORDER BY i.name
$$;
COMMENT ON FUNCTION api.gateway_jwks_sources() IS 'the JWKS issuers whose keys the gateway fetches (gateway only)';

-- Replaces the issuer's keys with the usable signing keys of a JWKS document
-- ({"keys": [...]}), atomically, and returns how many it stored. Kept from each key: its
-- public members only. Never stored: symmetric ("oct") keys, which a public document cannot
-- hold safely, and keys todo.jwk_algorithms refuses. A document that is not a JWKS, has
-- over 100 keys, or has keys of which none is usable raises 22023 and keeps the old keys.
-- When the stored keys differ from the old ones, tokens verified before are verified again.
CREATE FUNCTION api.gateway_store_jwks(name text, jwks jsonb)
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	trusted todo.issuers;
	fresh jsonb;
	previous jsonb;
BEGIN
	SELECT * INTO trusted FROM todo.issuers i WHERE i.name = gateway_store_jwks.name AND i.jwks_url IS NOT NULL
	FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'no JWKS issuer named %', gateway_store_jwks.name USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF jsonb_typeof(jwks) IS DISTINCT FROM 'object' OR jsonb_typeof(jwks -> 'keys') IS DISTINCT FROM 'array' THEN
		RAISE EXCEPTION 'not a JWKS document (an object with a "keys" array)' USING ERRCODE = 'invalid_parameter_value';
	ELSIF jsonb_array_length(jwks -> 'keys') > 100 THEN
		RAISE EXCEPTION 'JWKS document has more than 100 keys' USING ERRCODE = 'invalid_parameter_value';
	END IF;

	SELECT coalesce(jsonb_agg(jsonb_build_object('kid', kid, 'jwk', jwk, 'algorithms', algorithms) ORDER BY n), '[]')
	INTO fresh
	FROM (SELECT n, CASE WHEN jsonb_typeof(key -> 'kid') = 'string' THEN key ->> 'kid' END AS kid,
			(SELECT jsonb_object_agg(m.key, m.value) FROM jsonb_each(key) m
				WHERE m.key IN ('kty', 'crv', 'x', 'y', 'n', 'e', 'alg', 'kid', 'use')) AS jwk,
			todo.jwk_algorithms(key) AS algorithms
		FROM jsonb_array_elements(jwks -> 'keys') WITH ORDINALITY AS e(key, n)
		WHERE jsonb_typeof(key) = 'object' AND key ->> 'kty' IS DISTINCT FROM 'oct') usable
	WHERE algorithms IS NOT NULL;
	IF fresh = '[]' AND jsonb_array_length(jwks -> 'keys') > 0 THEN
		RAISE EXCEPTION 'JWKS document has no usable signing key' USING ERRCODE = 'invalid_parameter_value';
	END IF;

	SELECT coalesce(jsonb_agg(jsonb_build_object('kid', k.kid, 'jwk', k.jwk, 'algorithms', k.algorithms) ORDER BY k.position), '[]')
	INTO previous
	FROM todo.issuer_keys k WHERE k.issuer = trusted.name;
	DELETE FROM todo.issuer_keys k WHERE k.issuer = trusted.name;
	INSERT INTO todo.issuer_keys (issuer, position, kid, jwk, algorithms)
	SELECT trusted.name, f.n, f.key ->> 'kid', f.key -> 'jwk', ARRAY(SELECT jsonb_array_elements_text(f.key -> 'algorithms'))
	FROM jsonb_array_elements(fresh) WITH ORDINALITY AS f(key, n);
	IF fresh <> previous THEN
		UPDATE todo.issuers i SET keys_changed_at = clock_timestamp() WHERE i.name = trusted.name;
	END IF;
	RETURN jsonb_array_length(fresh);
END
$$;
COMMENT ON FUNCTION api.gateway_store_jwks(text, jsonb) IS
'replace a JWKS issuer''s keys with the usable keys of a JWKS document; returns how many (gateway only; 22023 keeps the old keys)';

-- schema/90_privileges.sql again: it covers every table and function, the new ones too

-- The tables belong to todo_owner, which cannot log in; RLS is forced, so even it sees
-- only the rows of the user a transaction acts for.
ALTER TABLE todo.users OWNER TO todo_owner;
ALTER TABLE todo.tasks OWNER TO todo_owner;
ALTER TABLE todo.sessions OWNER TO todo_owner;
ALTER TABLE todo.login_attempts OWNER TO todo_owner;
ALTER TABLE todo.password_costs OWNER TO todo_owner;
ALTER TABLE todo.issuers OWNER TO todo_owner;
ALTER TABLE todo.issuer_keys OWNER TO todo_owner;
ALTER TABLE todo.external_identities OWNER TO todo_owner;

-- Nothing in todo is callable by anybody but todo_owner (and superusers).
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA todo FROM PUBLIC;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA todo TO todo_owner;

-- The API functions run as todo_owner; the request roles may call them and nothing else.
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA api FROM PUBLIC;
DO $$
DECLARE
	f regprocedure;
BEGIN
	FOR f IN SELECT p.oid FROM pg_catalog.pg_proc p
		WHERE p.pronamespace OPERATOR(pg_catalog.=) 'api'::regnamespace AND p.prosecdef
	LOOP
		EXECUTE pg_catalog.format('ALTER FUNCTION %s OWNER TO todo_owner', f);
	END LOOP;
END
$$;
GRANT EXECUTE ON FUNCTION api.register(jsonb), api.login(jsonb), api.health() TO todo_anon;
GRANT EXECUTE ON FUNCTION api.logout(), api.me(), api.authorize(), api.health(),
	api.task_list(jsonb), api.task_create(jsonb), api.task_get(text), api.task_update(text, jsonb),
	api.task_delete(text), api.task_complete(text, jsonb) TO todo_user;

-- The gateway's login role itself (outside requests) may call its two JWKS functions and
-- nothing else: it fetches other issuers' keys and hands them over (docs/security.md).
GRANT USAGE ON SCHEMA api TO todo_gateway;
GRANT EXECUTE ON FUNCTION api.gateway_jwks_sources(), api.gateway_store_jwks(text, jsonb) TO todo_gateway;

-- Deleting expired login counters never waits for one a login in flight holds (a deadlock
-- otherwise: docs/security.md, "Login throttling").
CREATE OR REPLACE FUNCTION todo.forget_login_attempts()
RETURNS void
LANGUAGE plpgsql
SET lock_timeout = '10ms'
AS $$
BEGIN
	DELETE FROM todo.login_attempts WHERE account IN (
		SELECT account FROM todo.login_attempts
		WHERE window_started_at < now() - todo.login_failure_window() - todo.login_lockout()
		ORDER BY window_started_at LIMIT 10);
EXCEPTION WHEN lock_not_available OR deadlock_detected THEN
	-- A counter this snapshot saw expired is being counted again by a login in flight, which
	-- may itself wait for a counter this login holds (its address): waiting would deadlock.
	-- The cleanup is left to a later login.
	NULL;
END
$$;
COMMENT ON FUNCTION todo.forget_login_attempts() IS 'todo: delete a few long-expired login counters, skipped when one is in use';

-- plain install: 99_installer.sql
