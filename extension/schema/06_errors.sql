/* extension/schema/06_errors.sql: raising the API's errors (SQLSTATEs of docs/sql-api.md) */

-- The one place that raises an API error. sqlstate is one of TD400, TD401, TD403, TD404,
-- TD409, TDL09 (the task limit), TD422, TD429; detail, when given, is a JSON object the gateway passes on.
CREATE FUNCTION todo.raise_error(sqlstate text, message text, detail jsonb DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF detail IS NULL THEN
		RAISE EXCEPTION USING ERRCODE = sqlstate, MESSAGE = message;
	END IF;
	RAISE EXCEPTION USING ERRCODE = sqlstate, MESSAGE = message, DETAIL = detail::text;
END
$$;
COMMENT ON FUNCTION todo.raise_error(text, text, jsonb) IS 'todo: raise an API error with its SQLSTATE and optional JSON detail';

-- 422 with one entry per field: details is a JSON array of {"field", "message"}.
CREATE FUNCTION todo.raise_validation(details jsonb)
RETURNS void
LANGUAGE sql
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT todo.raise_error('TD422',
		'invalid fields: ' || (SELECT string_agg(DISTINCT d ->> 'field', ', ') FROM jsonb_array_elements(details) d),
		jsonb_build_object('details', details));
$$;
COMMENT ON FUNCTION todo.raise_validation(jsonb) IS 'todo: raise validation_failed with field-level details';

-- One validation message for a field.
CREATE FUNCTION todo.field_error(field text, message text)
RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT pg_catalog.jsonb_build_array(pg_catalog.jsonb_build_object('field', field, 'message', message)) $$;
COMMENT ON FUNCTION todo.field_error(text, text) IS 'todo: a one-element details array for a field';

-- Details for every key of body that is not one of allowed: read-only fields say so.
-- PL/pgSQL, whose plan each backend keeps: a SQL function with a FROM is never inlined,
-- and is parsed and planned again in every transaction (every POST and PUT). Only
-- functions with a pinned search_path call it; the names here are pg_catalog's.
CREATE FUNCTION todo.unknown_field_errors(body jsonb, allowed text[], read_only text[] DEFAULT '{}')
RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
BEGIN
	RETURN (SELECT coalesce(pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object('field', k, 'message',
			CASE WHEN k OPERATOR(pg_catalog.=) ANY (read_only) THEN 'is read-only' ELSE 'is not a known field' END) ORDER BY k),
		'[]')
	FROM pg_catalog.jsonb_object_keys(body) AS k
	WHERE k OPERATOR(pg_catalog.<>) ALL (allowed));
END
$$;
COMMENT ON FUNCTION todo.unknown_field_errors(jsonb, text[], text[]) IS 'todo: details for unknown and read-only fields of a request body';
