/* extension/plain/11_tags.sql: tag normalization in PL/pgSQL (the plain install's src/tags.c) */

-- The plain install's todo.normalize_tags: the same results as the C function, and the
-- same errors with the same SQLSTATEs, messages and DETAILs (sql/plain.sql compares the
-- two on many inputs). None is for PUBLIC: the roles of 02_roles.sql get EXECUTE where
-- they need it (90_privileges.sql).

-- A tag for an error message: as given (trimmed), cut after 40 characters, control
-- characters written as \u and four hex digits (\u0009), so that a message never carries
-- raw control bytes.
CREATE FUNCTION todo.tag_for_message(tag text)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
	SELECT pg_catalog.string_agg(CASE WHEN c OPERATOR(pg_catalog.~) '[\x01-\x1f\x7f-\x9f]'
			THEN '\u' || pg_catalog.upper(pg_catalog.lpad(pg_catalog.to_hex(pg_catalog.ascii(c)), 4, '0'))
			ELSE c END, '' ORDER BY i)
		|| CASE WHEN pg_catalog.char_length(tag) OPERATOR(pg_catalog.>) 40 THEN '...' ELSE '' END
	FROM pg_catalog.unnest(pg_catalog.string_to_array(pg_catalog.left(tag, 40), NULL)) WITH ORDINALITY AS x(c, i)
$$;
COMMENT ON FUNCTION todo.tag_for_message(text) IS 'todo: a tag as an error message shows it';

-- 422 naming the field "tags", with the SQL API's JSON DETAIL (docs/sql-api.md).
CREATE FUNCTION todo.tag_error(message text)
RETURNS void
LANGUAGE sql
AS $$ SELECT todo.raise_error('TD422', message, pg_catalog.jsonb_build_object('details', todo.field_error('tags', message))) $$;
COMMENT ON FUNCTION todo.tag_error(text) IS 'todo: raise validation_failed for the tags field';

-- Each tag trimmed (Unicode White_Space) and lowercased, then 1 to 10 characters without
-- white space, comma or control character; duplicates removed, keeping the first; at most
-- 20. The result is one-dimensional with lower bound 1, so that normalize_tags(tags) = tags
-- holds exactly for normalized arrays.
CREATE FUNCTION todo.normalize_tags(tags pg_catalog.text[])
RETURNS pg_catalog.text[]
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	-- Unicode White_Space (PropList.txt)
	white_space constant text := U&'\0009\000A\000B\000C\000D\0020\0085\00A0\1680\2000\2001\2002\2003\2004\2005\2006\2007\2008\2009\200A\2028\2029\202F\205F\3000';
	tag text;
	trimmed text;
	normalized text;
	kept text[] := '{}';
BEGIN
	IF array_ndims(tags) IS NULL THEN
		RETURN '{}';
	ELSIF array_ndims(tags) > 1 THEN
		PERFORM todo.tag_error('tags must be a one-dimensional array');
	END IF;
	-- every tag is checked first, so that the count comes last
	FOREACH tag IN ARRAY tags LOOP
		IF tag IS NULL THEN
			PERFORM todo.tag_error('tags must not contain null');
		END IF;
		trimmed := btrim(tag, white_space);
		IF trimmed = '' THEN
			PERFORM todo.tag_error('empty tag');
		END IF;
		normalized := lower(trimmed COLLATE "default");
		-- control characters (Unicode general category Cc) first: some are white space too
		IF normalized ~ '[\x01-\x1f\x7f-\x9f]' THEN
			PERFORM todo.tag_error(format('tag "%s" contains a control character', todo.tag_for_message(trimmed)));
		ELSIF normalized ~ '[\x20\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]' THEN
			PERFORM todo.tag_error(format('tag "%s" contains whitespace', todo.tag_for_message(trimmed)));
		ELSIF strpos(normalized, ',') > 0 THEN
			PERFORM todo.tag_error(format('tag "%s" contains a comma', todo.tag_for_message(trimmed)));
		ELSIF char_length(normalized) > 10 THEN
			PERFORM todo.tag_error(format('tag "%s" is longer than 10 characters', todo.tag_for_message(trimmed)));
		END IF;
		IF normalized <> ALL (kept) THEN
			kept := kept || normalized;
		END IF;
	END LOOP;
	IF cardinality(kept) > 20 THEN
		PERFORM todo.tag_error(format('too many tags: %s (at most 20)', cardinality(kept)));
	END IF;
	RETURN kept;
END
$$;

COMMENT ON FUNCTION todo.normalize_tags(pg_catalog.text[]) IS
'tags trimmed, lowercased and deduplicated; raises TD422 naming a tag that breaks the rules (1-10 characters, no whitespace, comma or control character, at most 20 tags)';

REVOKE EXECUTE ON FUNCTION todo.normalize_tags(pg_catalog.text[]) FROM PUBLIC;
