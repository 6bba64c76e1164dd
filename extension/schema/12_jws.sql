/* extension/schema/12_jws.sql: other issuers' tokens (JWS with their keys), written in C (src/jws.c) */

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

