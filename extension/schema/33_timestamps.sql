/* extension/schema/33_timestamps.sql: the timestamps the contract accepts */

-- An RFC 3339 timestamp with an offset, or a date YYYY-MM-DD (midnight UTC); NULL for
-- anything else, including a timestamp without an offset.
CREATE FUNCTION todo.parse_timestamp(value text)
RETURNS timestamptz
LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF value ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' THEN
		RETURN (value || 'T00:00:00Z')::timestamptz;
	ELSIF value ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})$' THEN
		RETURN value::timestamptz;
	END IF;
	RETURN NULL;
EXCEPTION
	WHEN datetime_field_overflow OR invalid_datetime_format OR invalid_time_zone_displacement_value THEN
		RETURN NULL;
END
$$;
COMMENT ON FUNCTION todo.parse_timestamp(text) IS 'todo: RFC 3339 timestamp with offset or YYYY-MM-DD to timestamptz, NULL when not one';

-- Midnight UTC today: "a date of today" is today in UTC.
CREATE FUNCTION todo.start_of_today()
RETURNS timestamptz
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT pg_catalog.date_trunc('day', pg_catalog.now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' $$;
COMMENT ON FUNCTION todo.start_of_today() IS 'todo: midnight UTC of the current day';
