/* extension/schema/36_authenticate.sql: authenticating requests (the bearer token and its session) */

-- Authenticates the request: verifies the bearer token (app.token), acts for its user
-- from here on (app.user_id), and checks its session is live (401 otherwise). A token whose
-- iss is a trusted issuer's (todo.issuers) is that issuer's (todo.authenticate_external);
-- any other is one of ours. When the request names the user it acts for (the path's
-- {user_id}, passed in app.user_id by the gateway), that must be the token's user: our id,
-- or for another issuer's token its subject (403 otherwise). Returns the session.
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
