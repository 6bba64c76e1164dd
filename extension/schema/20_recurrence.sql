/* extension/schema/20_recurrence.sql: recurrence patterns and how far one period advances a due date */

-- The stored form of a pattern: lowercase, trimmed, single spaces ('Every  3 Days ' -> 'every 3 days').
-- This function and the next have BEGIN ATOMIC bodies, stored parsed: the CHECK on
-- todo.tasks.recursion_pattern is prepared on every INSERT and UPDATE, which inlines them
-- (or tries to), and a body kept as text would be parsed each time.
CREATE FUNCTION todo.normalize_recurrence(pattern text)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
	SELECT pg_catalog.regexp_replace(pg_catalog.lower(todo.trim_space(pattern)), '[[:space:]]+', ' ', 'g');
END;
COMMENT ON FUNCTION todo.normalize_recurrence(text) IS 'todo: a recurrence pattern in its stored form';

-- One period of a stored pattern: daily, weekly, monthly, yearly, or 'every N
-- days|weeks|months|years' with N from 1 to 365. NULL for anything else.
CREATE FUNCTION todo.recurrence_interval(pattern text)
RETURNS interval
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
	SELECT CASE
		WHEN pattern = 'daily' THEN interval '1 day'
		WHEN pattern = 'weekly' THEN interval '1 week'
		WHEN pattern = 'monthly' THEN interval '1 month'
		WHEN pattern = 'yearly' THEN interval '1 year'
		WHEN pattern ~ '^every [1-9][0-9]{0,2} (days|weeks|months|years)$'
			AND pg_catalog.split_part(pattern, ' ', 2)::int <= 365
		THEN pg_catalog.split_part(pattern, ' ', 2)::int
			* CASE pg_catalog.split_part(pattern, ' ', 3)
				WHEN 'days' THEN interval '1 day'
				WHEN 'weeks' THEN interval '1 week'
				WHEN 'months' THEN interval '1 month'
				ELSE interval '1 year'
			END
	END;
END;
COMMENT ON FUNCTION todo.recurrence_interval(text) IS 'todo: the period of a recurrence pattern, NULL when the pattern is not valid';

-- The next due date: one period later, computed in UTC. Calendar arithmetic keeps the
-- day of month where it exists and clamps to the month's last day otherwise
-- (31 Jan + 1 month = 28/29 Feb).
CREATE FUNCTION todo.advance_due_date(due_date timestamptz, pattern text)
RETURNS timestamptz
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT ((due_date AT TIME ZONE 'UTC') + todo.recurrence_interval(pattern)) AT TIME ZONE 'UTC' $$;
COMMENT ON FUNCTION todo.advance_due_date(timestamptz, text) IS 'todo: a due date advanced by one period of its recurrence pattern, in UTC';
