/* extension/plain/10_jwt.sql: HS256 JWTs in SQL and PL/pgSQL (the plain install's src/jwt.c, src/base64url.c) */

-- The plain install's todo.jwt_sign and todo.jwt_verify, and what they are made of (HMAC
-- through pgcrypto, base64url, a comparison in constant time): the same results, and the
-- same errors with the same SQLSTATEs, messages and DETAILs (sql/plain.sql compares the
-- two on many inputs). Their settings are columns of todo.settings (08_settings.sql). None
-- is for PUBLIC: the roles of 02_roles.sql get EXECUTE where they need it (90_privileges.sql).

-- HMAC-SHA256 through pgcrypto, which is relocatable: called where it is installed.
DO $$
BEGIN
	EXECUTE pg_catalog.format($f$
		CREATE FUNCTION todo.hmac_sha256(data text, key text) RETURNS bytea
		LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
		AS 'SELECT %s.hmac(data, key, ''sha256'')'$f$,
		(SELECT e.extnamespace::pg_catalog.regnamespace FROM pg_catalog.pg_extension e
			WHERE e.extname OPERATOR(pg_catalog.=) 'pgcrypto'));
END
$$;
COMMENT ON FUNCTION todo.hmac_sha256(text, text) IS 'todo: HMAC-SHA256 of data under key (pgcrypto''s hmac())';

-- base64url without padding (RFC 4648, section 5), as JWTs use it.
CREATE FUNCTION todo.base64url_encode(data bytea)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT pg_catalog.translate(pg_catalog.encode(data, 'base64'), E'+/=\n', '-_') $$;
COMMENT ON FUNCTION todo.base64url_encode(bytea) IS 'todo: bytes as base64url, unpadded';

-- The bytes of unpadded base64url text; NULL unless it is the one accepted encoding of
-- them: only the 64 characters of the alphabet, no length of 4n + 1, and the unused low
-- bits of the last character zero (like Base64UrlDecode in src/base64url.c). Not STRICT,
-- so that it is inlined (its CASE is not strict); NULL gives NULL all the same.
CREATE FUNCTION todo.base64url_decode(data text)
RETURNS bytea
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
	SELECT CASE WHEN data OPERATOR(pg_catalog.~) '^[A-Za-z0-9_-]*$' AND CASE pg_catalog.length(data) % 4
			WHEN 1 THEN false
			WHEN 2 THEN data OPERATOR(pg_catalog.~) '[AQgw]$'
			WHEN 3 THEN data OPERATOR(pg_catalog.~) '[AEIMQUYcgkosw048]$'
			ELSE true END
		THEN pg_catalog.decode(pg_catalog.replace(pg_catalog.replace(data, '-', '+'), '_', '/')
			|| pg_catalog.repeat('=', (4 - pg_catalog.length(data) % 4) % 4), 'base64')
	END
$$;
COMMENT ON FUNCTION todo.base64url_decode(text) IS 'todo: unpadded base64url as bytes, NULL when not strictly that';

-- Whether a and b are equal, in a time that does not depend on where they differ: every
-- byte is compared, the differences ORed together (like timingsafe_bcmp).
CREATE FUNCTION todo.equal_in_constant_time(a bytea, b bytea)
RETURNS boolean
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	difference integer := length(a) # length(b);
BEGIN
	FOR i IN 0 .. least(length(a), length(b)) - 1 LOOP
		difference := difference | (get_byte(a, i) # get_byte(b, i));
	END LOOP;
	RETURN difference = 0;
END
$$;
COMMENT ON FUNCTION todo.equal_in_constant_time(bytea, bytea) IS 'todo: byte strings compared without an early exit';

-- The HMAC key: the bytes of setting jwt_secret, which must be at least 32 bytes long.
CREATE FUNCTION todo.jwt_key(settings todo.settings)
RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF coalesce(settings.jwt_secret, '') = '' THEN
		RAISE EXCEPTION 'todo.jwt_secret is not set' USING ERRCODE = 'config_file_error',
			HINT = 'Set jwt_secret in todo.settings to a random string of at least 32 bytes.';
	ELSIF octet_length(settings.jwt_secret) < 32 THEN
		RAISE EXCEPTION 'todo.jwt_secret is shorter than 32 bytes' USING ERRCODE = 'config_file_error',
			HINT = 'Set jwt_secret in todo.settings to a random string of at least 32 bytes.';
	END IF;
	RETURN settings.jwt_secret;
END
$$;
COMMENT ON FUNCTION todo.jwt_key(todo.settings) IS 'todo: the JWT signing key (setting jwt_secret); raises when unset or too short';

CREATE FUNCTION todo.jwt_sign(claims pg_catalog.jsonb)
RETURNS pg_catalog.text
LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	key text := todo.jwt_key((SELECT s FROM todo.settings s));
	payload text := claims::text;
	signed text;
BEGIN
	IF jsonb_typeof(claims) <> 'object' THEN
		RAISE EXCEPTION 'token claims must be a json object' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	-- jwt_verify refuses tokens longer than 8192 bytes
	IF octet_length(payload) > 8192 THEN
		RAISE EXCEPTION 'token claims are too large' USING ERRCODE = 'program_limit_exceeded';
	END IF;
	-- the header {"alg":"HS256","typ":"JWT"}, the only one we write
	signed := 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.' || todo.base64url_encode(convert_to(payload, 'UTF8'));
	IF octet_length(signed) + 44 > 8192 THEN
		RAISE EXCEPTION 'token claims are too large' USING ERRCODE = 'program_limit_exceeded',
			DETAIL = format('The token would be %s bytes long; at most 8192 are accepted.', octet_length(signed) + 44);
	END IF;
	RETURN signed || '.' || todo.base64url_encode(todo.hmac_sha256(signed, key));
END
$$;

COMMENT ON FUNCTION todo.jwt_sign(pg_catalog.jsonb) IS
'HS256 JWT carrying the claims object, signed with setting jwt_secret';

REVOKE EXECUTE ON FUNCTION todo.jwt_sign(pg_catalog.jsonb) FROM PUBLIC;

-- The checks run in the order of src/jwt.c, cheapest and least trusting first: shape,
-- header, signature (in constant time), and only then the payload and its claims.
CREATE FUNCTION todo.jwt_verify(token pg_catalog.text)
RETURNS pg_catalog.jsonb
LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	settings todo.settings := (SELECT s FROM todo.settings s);
	key text := todo.jwt_key(settings);
	part text[] := string_to_array(token, '.');
	header json;
	algs integer;
	crits integer;
	signature bytea;
	payload text;
	claims jsonb;
BEGIN
	IF octet_length(token) > 8192 OR cardinality(part) <> 3 THEN
		PERFORM todo.raise_error('TD401', 'invalid token');
	END IF;

	-- the header: an object with exactly one "alg", which is "HS256", and no "crit" (the
	-- header jwt_sign writes is known to be one)
	IF part[1] <> 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9' THEN
		BEGIN
			header := convert_from(CASE WHEN octet_length(part[1]) <= 1024 THEN todo.base64url_decode(part[1]) END, 'UTF8')::json;
			-- (json_object_keys also checks the \u escapes that the json type lets through)
			SELECT count(*) FILTER (WHERE k = 'alg'), count(*) FILTER (WHERE k = 'crit') INTO algs, crits
			FROM json_object_keys(header) AS k;
		EXCEPTION WHEN data_exception THEN
			PERFORM todo.raise_error('TD401', 'invalid token');
		END;
		IF header IS NULL THEN
			PERFORM todo.raise_error('TD401', 'invalid token');
		ELSIF algs <> 1 OR json_typeof(header -> 'alg') <> 'string' OR header ->> 'alg' <> 'HS256' THEN
			PERFORM todo.raise_error('TD401', 'token algorithm must be HS256');
		ELSIF crits > 0 THEN
			PERFORM todo.raise_error('TD401', 'invalid token');
		END IF;
	END IF;

	-- the signature, over the header and payload segments as sent
	signature := CASE WHEN octet_length(part[3]) = 43 THEN todo.base64url_decode(part[3]) END;
	IF signature IS NULL THEN
		PERFORM todo.raise_error('TD401', 'invalid token');
	END IF;
	IF NOT todo.equal_in_constant_time(todo.hmac_sha256(part[1] || '.' || part[2], key), signature) THEN
		PERFORM todo.raise_error('TD401', 'invalid token signature');
	END IF;

	-- the payload: a JSON object, whose numbers have no exponent beyond 1000 (src/jwt.c
	-- refuses them, though numeric holds some): checked in its text outside its strings,
	-- when there is an exponent of four digits at all
	BEGIN
		payload := convert_from(todo.base64url_decode(part[2]), 'UTF8');
		claims := payload::jsonb;
	EXCEPTION WHEN data_exception THEN
		PERFORM todo.raise_error('TD401', 'invalid token');
	END;
	IF claims IS NULL OR jsonb_typeof(claims) <> 'object'
		OR (payload ~ '[eE][-+]?[0-9]{4}' AND regexp_replace(payload, '"(\\.|[^"\\])*"', '', 'g')
			~ '[eE][-+]?0*([1-9][0-9]{4}|[2-9][0-9]{3}|1[1-9][0-9]{2}|10[1-9][0-9]|100[1-9])') THEN
		PERFORM todo.raise_error('TD401', 'invalid token');
	END IF;

	-- the registered claims, against the start of the transaction, with leeway seconds of
	-- clock skew: exp is required; exp, nbf and iat must be numbers
	IF NOT claims ? 'exp' THEN
		PERFORM todo.raise_error('TD401', 'token has no expiration time');
	ELSIF jsonb_typeof(claims -> 'exp') <> 'number' THEN
		PERFORM todo.raise_error('TD401', 'invalid token');
	ELSIF (claims -> 'exp')::numeric < extract(epoch FROM now()) - settings.jwt_leeway THEN
		PERFORM todo.raise_error('TD401', 'token has expired');
	ELSIF jsonb_typeof(claims -> 'nbf') <> 'number' OR jsonb_typeof(claims -> 'iat') <> 'number' THEN
		PERFORM todo.raise_error('TD401', 'invalid token');
	ELSIF (claims -> 'nbf')::numeric > extract(epoch FROM now()) + settings.jwt_leeway THEN
		PERFORM todo.raise_error('TD401', 'token is not yet valid');
	ELSIF (claims -> 'iat')::numeric > extract(epoch FROM now()) + settings.jwt_leeway THEN
		PERFORM todo.raise_error('TD401', 'token was issued in the future');
	END IF;

	-- iss and aud, when configured: iss the same string, aud the same string or an array
	-- holding it (RFC 7519 4.1.3)
	IF settings.jwt_issuer <> '' AND (jsonb_typeof(claims -> 'iss') IS DISTINCT FROM 'string' OR claims ->> 'iss' <> settings.jwt_issuer) THEN
		PERFORM todo.raise_error('TD401', 'token issuer does not match');
	END IF;
	IF settings.jwt_audience <> '' AND NOT coalesce(CASE jsonb_typeof(claims -> 'aud')
			WHEN 'string' THEN claims ->> 'aud' = settings.jwt_audience
			WHEN 'array' THEN claims -> 'aud' @> to_jsonb(settings.jwt_audience)
		END, false) THEN
		PERFORM todo.raise_error('TD401', 'token audience does not match');
	END IF;
	RETURN claims;
END
$$;

COMMENT ON FUNCTION todo.jwt_verify(pg_catalog.text) IS
'claims of a valid HS256 JWT (signature, exp, nbf, iat, settings jwt_issuer and jwt_audience); otherwise raises TD401';

REVOKE EXECUTE ON FUNCTION todo.jwt_verify(pg_catalog.text) FROM PUBLIC;
