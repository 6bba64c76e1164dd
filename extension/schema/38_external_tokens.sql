/* extension/schema/38_external_tokens.sql: other issuers' tokens: verification, their users, their sessions (since 1.2) */

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
