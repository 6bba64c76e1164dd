/* extension/schema/11_tags.sql: tag normalization, written in C (src/tags.c) */

-- Not for PUBLIC: the roles of 02_roles.sql get EXECUTE where they need it.
-- extension/plain/11_tags.sql is the same function in PL/pgSQL, for installs without C.

CREATE FUNCTION todo.normalize_tags(tags pg_catalog.text[])
RETURNS pg_catalog.text[]
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'normalize_tags';

COMMENT ON FUNCTION todo.normalize_tags(pg_catalog.text[]) IS
'tags trimmed, lowercased and deduplicated; raises TD422 naming a tag that breaks the rules (1-10 characters, no whitespace, comma or control character, at most 20 tags)';

REVOKE EXECUTE ON FUNCTION todo.normalize_tags(pg_catalog.text[]) FROM PUBLIC;
