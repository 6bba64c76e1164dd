/* extension/schema/10_jwt.sql: HS256 JWTs, written in C (src/jwt.c, src/base64url.c) */

-- None is for PUBLIC: the roles of 02_roles.sql get EXECUTE where they need it.
-- extension/plain/10_jwt.sql is the same in SQL and PL/pgSQL, for installs without C.

CREATE FUNCTION todo.jwt_sign(claims pg_catalog.jsonb)
RETURNS pg_catalog.text
LANGUAGE C STABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'jwt_sign';

COMMENT ON FUNCTION todo.jwt_sign(pg_catalog.jsonb) IS
'HS256 JWT carrying the claims object, signed with todo.jwt_secret';

REVOKE EXECUTE ON FUNCTION todo.jwt_sign(pg_catalog.jsonb) FROM PUBLIC;

CREATE FUNCTION todo.jwt_verify(token pg_catalog.text)
RETURNS pg_catalog.jsonb
LANGUAGE C STABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'jwt_verify';

COMMENT ON FUNCTION todo.jwt_verify(pg_catalog.text) IS
'claims of a valid HS256 JWT (signature, exp, nbf, iat, todo.jwt_issuer, todo.jwt_audience); otherwise raises TD401';

REVOKE EXECUTE ON FUNCTION todo.jwt_verify(pg_catalog.text) FROM PUBLIC;
