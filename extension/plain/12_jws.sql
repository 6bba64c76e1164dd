/* extension/plain/12_jws.sql: other issuers' tokens (JWS with their keys), in SQL and PL/pgSQL */

-- The plain install's twins of src/jws.c (schema/12_jws.sql). Reading tokens and keys is
-- the same: todo.jws_decode and todo.jwk_algorithms give the results and errors of the C
-- versions, and so does todo.jws_verify: HS256 with pgcrypto's HMAC, EdDSA, ECDSA and RSA
-- in PL/pgSQL (plain/13_signatures.sql), much slower (docs/deploy-neon.md). None is for
-- PUBLIC.

CREATE FUNCTION todo.jws_decode(token pg_catalog.text,
	OUT header pg_catalog.jsonb, OUT payload pg_catalog.jsonb,
	OUT signing_input pg_catalog.text, OUT signature pg_catalog.bytea)
RETURNS record
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	part text[] := string_to_array(token, '.');
	text_of text;
BEGIN
	IF octet_length(token) > 8192 OR cardinality(part) <> 3 OR octet_length(part[1]) > 1024 THEN
		PERFORM todo.raise_error('TD401', 'invalid token');
	END IF;
	BEGIN
		header := convert_from(todo.base64url_decode(part[1]), 'UTF8')::jsonb;
		text_of := convert_from(todo.base64url_decode(part[2]), 'UTF8');
		payload := text_of::jsonb;
	EXCEPTION WHEN data_exception THEN
		PERFORM todo.raise_error('TD401', 'invalid token');
	END;
	signature := todo.base64url_decode(part[3]);
	-- numbers with an exponent beyond 1000 are refused, as src/jwt.c does
	IF jsonb_typeof(header) IS DISTINCT FROM 'object' OR jsonb_typeof(payload) IS DISTINCT FROM 'object'
		OR coalesce(octet_length(signature), 0) = 0
		OR (text_of ~ '[eE][-+]?[0-9]{4}' AND regexp_replace(text_of, '"(\\.|[^"\\])*"', '', 'g')
			~ '[eE][-+]?0*([1-9][0-9]{4}|[2-9][0-9]{3}|1[1-9][0-9]{2}|10[1-9][0-9]|100[1-9])') THEN
		PERFORM todo.raise_error('TD401', 'invalid token');
	END IF;
	signing_input := part[1] || '.' || part[2];
END
$$;
COMMENT ON FUNCTION todo.jws_decode(pg_catalog.text) IS
'the parts of a compact JWS, unverified: header and payload objects, the signed text, the signature; TD401 "invalid token" for anything else';
REVOKE EXECUTE ON FUNCTION todo.jws_decode(pg_catalog.text) FROM PUBLIC;

-- The same rules as JwkRead and JwkPublicKey in src/jws.c: sizes, "use", "alg", an EC
-- point on its curve (y^2 = x^3 - 3x + b mod p), an RSA modulus of 2048-8192 bits.
CREATE FUNCTION todo.jwk_algorithms(jwk pg_catalog.jsonb)
RETURNS pg_catalog.text[]
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	kty text := CASE WHEN jsonb_typeof(jwk -> 'kty') = 'string' THEN jwk ->> 'kty' END;
	crv text := CASE WHEN jsonb_typeof(jwk -> 'crv') = 'string' THEN jwk ->> 'crv' END;
	size integer;
	a bytea;
	b bytea;
	p numeric;
	x numeric;
	y numeric;
	candidates text[];
BEGIN
	IF jsonb_typeof(jwk) <> 'object' OR (jwk ? 'use' AND jwk -> 'use' <> '"sig"')
		OR (jwk ? 'alg' AND jsonb_typeof(jwk -> 'alg') <> 'string') THEN
		RETURN NULL;
	END IF;
	FOR f IN 1 .. 3 LOOP
		IF jwk ? (ARRAY['x', 'y', 'n'])[f] AND (jsonb_typeof(jwk -> (ARRAY['x', 'y', 'n'])[f]) <> 'string'
				OR length(jwk ->> (ARRAY['x', 'y', 'n'])[f]) > 1366) THEN
			RETURN NULL;
		END IF;
	END LOOP;
	IF kty = 'OKP' AND crv = 'Ed25519' THEN
		candidates := '{EdDSA}';
		IF octet_length(todo.base64url_decode(jwk ->> 'x')) IS DISTINCT FROM 32 THEN
			RETURN NULL;
		END IF;
	ELSIF kty = 'EC' AND crv IN ('P-256', 'P-384', 'P-521') THEN
		size := CASE crv WHEN 'P-256' THEN 32 WHEN 'P-384' THEN 48 ELSE 66 END;
		candidates := ARRAY[CASE crv WHEN 'P-256' THEN 'ES256' WHEN 'P-384' THEN 'ES384' ELSE 'ES512' END];
		a := todo.base64url_decode(jwk ->> 'x');
		b := todo.base64url_decode(jwk ->> 'y');
		IF octet_length(a) IS DISTINCT FROM size OR octet_length(b) IS DISTINCT FROM size THEN
			RETURN NULL;
		END IF;
		p := CASE crv
			WHEN 'P-256' THEN 115792089210356248762697446949407573530086143415290314195533631308867097853951
			WHEN 'P-384' THEN 39402006196394479212279040100143613805079739270465446667948293404245721771496870329047266088258938001861606973112319
			ELSE 6864797660130609714981900799081393217269435300143305409394463459185543183397656052122559640661454554977296311391480858037121987999716643812574028291115057151 END;
		x := todo.bytes_numeric(a);
		y := todo.bytes_numeric(b);
		IF x >= p OR y >= p OR mod(y * y - (x * x * x - 3 * x + CASE crv
				WHEN 'P-256' THEN 41058363725152142129326129780047268409114441015993725554835256314039467401291
				WHEN 'P-384' THEN 27580193559959705877849011840389048093056905856361568521428707301988689241309860865136260764883745107765439761230575
				ELSE 1093849038073734274511112390766805569936207598951683748994586394495953116150735016013708737573759623248592132296706313309438452531591012912142327488478985984 END), p) <> 0 THEN
			RETURN NULL;
		END IF;
	ELSIF kty = 'RSA' THEN
		candidates := '{RS256,RS384,RS512,PS256,PS384,PS512}';
		a := todo.base64url_decode(jwk ->> 'n');
		b := CASE WHEN jsonb_typeof(jwk -> 'e') = 'string' AND length(jwk ->> 'e') <= 12 THEN todo.base64url_decode(jwk ->> 'e') END;
		IF a IS NULL OR b IS NULL OR octet_length(a) NOT BETWEEN 255 AND 1025 OR octet_length(b) NOT BETWEEN 1 AND 8 THEN
			RETURN NULL;
		END IF;
		x := todo.bytes_numeric(a);
		y := todo.bytes_numeric(b);
		IF x < 2::numeric ^ 2047 OR x >= 2::numeric ^ 8192 OR mod(x, 2) = 0 OR mod(y, 2) = 0 OR y = 1 OR y >= x THEN
			RETURN NULL;
		END IF;
	ELSIF kty = 'oct' THEN
		candidates := '{HS256}';
		IF jsonb_typeof(jwk -> 'k') IS DISTINCT FROM 'string' OR length(jwk ->> 'k') > 1366
				OR octet_length(todo.base64url_decode(jwk ->> 'k')) NOT BETWEEN 32 AND 1024 THEN
			RETURN NULL;
		END IF;
	ELSE
		RETURN NULL;
	END IF;
	IF jwk ? 'alg' THEN
		RETURN CASE WHEN jwk ->> 'alg' = ANY (candidates) THEN ARRAY[jwk ->> 'alg'] END;
	END IF;
	RETURN candidates;
END
$$;
COMMENT ON FUNCTION todo.jwk_algorithms(pg_catalog.jsonb) IS
'the JWS algorithms a JWK may verify (EdDSA, ES256, ES384, ES512, RS256..PS512, HS256 for an oct key), or NULL when it is no usable signing key';
REVOKE EXECUTE ON FUNCTION todo.jwk_algorithms(pg_catalog.jsonb) FROM PUBLIC;

-- Big-endian bytes as a number.
CREATE FUNCTION todo.bytes_numeric(bytes bytea)
RETURNS numeric
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	result numeric := 0;
BEGIN
	FOR i IN 0 .. length(bytes) - 1 LOOP
		result := result * 256 + get_byte(bytes, i);
	END LOOP;
	RETURN result;
END
$$;
COMMENT ON FUNCTION todo.bytes_numeric(bytea) IS 'todo: big-endian unsigned bytes as a numeric';

CREATE FUNCTION todo.jws_verify(alg pg_catalog.text, jwk pg_catalog.jsonb,
	signing_input pg_catalog.text, signature pg_catalog.bytea)
RETURNS pg_catalog.bool
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	message bytea := convert_to(signing_input, 'UTF8');
BEGIN
	IF NOT alg = ANY (coalesce(todo.jwk_algorithms(jwk), '{}')) THEN
		RETURN false;
	ELSIF alg = 'HS256' THEN
		RETURN todo.equal_in_constant_time(todo.hmac_sha256_bytes(message, todo.base64url_decode(jwk ->> 'k')), signature);
	ELSIF alg = 'EdDSA' THEN
		RETURN todo.ed25519_verify(todo.base64url_decode(jwk ->> 'x'), message, signature);
	ELSIF alg ~ '^(RS|PS)' THEN
		RETURN todo.rsa_verify(alg, todo.base64url_decode(jwk ->> 'n'), todo.base64url_decode(jwk ->> 'e'), message, signature);
	ELSIF alg ~ '^ES' THEN
		RETURN todo.ecdsa_verify(alg, todo.base64url_decode(jwk ->> 'x'), todo.base64url_decode(jwk ->> 'y'), message, signature);
	END IF;
	-- (jwk_algorithms allows nothing else: never a silent pass)
	PERFORM todo.raise_error('TD401', format('token algorithm %s cannot be verified by the plain-SQL install', alg));
	RETURN false;
END
$$;
COMMENT ON FUNCTION todo.jws_verify(pg_catalog.text, pg_catalog.jsonb, pg_catalog.text, pg_catalog.bytea) IS
'whether signature signs signing_input with key jwk under alg (PL/pgSQL: HS256, EdDSA, ES256/384/512, RS*, PS*)';
REVOKE EXECUTE ON FUNCTION todo.jws_verify(pg_catalog.text, pg_catalog.jsonb, pg_catalog.text, pg_catalog.bytea) FROM PUBLIC;

-- HMAC-SHA256 over bytes (a secret need not be text), through pgcrypto wherever it is.
DO $$
BEGIN
	EXECUTE pg_catalog.format($f$
		CREATE FUNCTION todo.hmac_sha256_bytes(data bytea, key bytea) RETURNS bytea
		LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
		AS 'SELECT %s.hmac(data, key, ''sha256'')'$f$,
		(SELECT e.extnamespace::pg_catalog.regnamespace FROM pg_catalog.pg_extension e
			WHERE e.extname OPERATOR(pg_catalog.=) 'pgcrypto'));
END
$$;
COMMENT ON FUNCTION todo.hmac_sha256_bytes(bytea, bytea) IS 'todo: HMAC-SHA256 of data under key (pgcrypto''s hmac())';

-- Seconds of clock skew allowed on exp, nbf and iat: setting jwt_leeway of todo.settings.
CREATE FUNCTION todo.jwt_leeway()
RETURNS integer
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT coalesce((SELECT s.jwt_leeway FROM todo.settings s), 30) $$;
COMMENT ON FUNCTION todo.jwt_leeway() IS 'todo: clock skew allowed on token times, in seconds (setting jwt_leeway)';
