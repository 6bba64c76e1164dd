/* extension/schema/10_c_functions.sql: the functions written in C (extension/src) */

-- None is for PUBLIC: the roles of 01_roles.sql get EXECUTE where they need it.
-- todo.task_json, whose argument is a row of todo.tasks, is declared after the table, in
-- 31_json.sql.

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

CREATE FUNCTION todo.normalize_tags(tags pg_catalog.text[])
RETURNS pg_catalog.text[]
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'normalize_tags';

COMMENT ON FUNCTION todo.normalize_tags(pg_catalog.text[]) IS
'tags trimmed, lowercased and deduplicated; raises TD422 naming a tag that breaks the rules (1-10 characters, no whitespace, comma or control character, at most 20 tags)';

REVOKE EXECUTE ON FUNCTION todo.normalize_tags(pg_catalog.text[]) FROM PUBLIC;
