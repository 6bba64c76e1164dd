-- sql/task_json.sql: todo.task_json (C)
--
-- The C function's text is shown for rows covering every kind of value, then compared as
-- jsonb with the json_build_object the SQL version used to be. sql/plain.sql compares it
-- byte for byte with the plain install's SQL version (extension/plain/32_task_json.sql), on
-- the rows this test leaves in todo.tasks and on rows of its own.
\set VERBOSITY terse

-- The SQL todo.task_json before the C one: the same object, with json_build_object's spacing.
CREATE FUNCTION pg_temp.task_json_v1(t todo.tasks)
RETURNS json
LANGUAGE sql STABLE
AS $$
	SELECT json_build_object(
		'id', t.id,
		'user_id', t.user_id,
		'title', t.title,
		'description', t.description,
		'status', t.status,
		'completed', t.status = 'completed'::todo.task_status,
		'priority', t.priority,
		'due_date', todo.rfc3339(t.due_date),
		'tags', t.tags,
		'recursion_pattern', t.recursion_pattern,
		'completed_at', todo.rfc3339(t.completed_at),
		'created_at', todo.rfc3339(t.created_at),
		'updated_at', todo.rfc3339(t.updated_at))
$$;

-- The output does not depend on the session's time zone or date style.
SET timezone = 'America/New_York';
SET datestyle = 'SQL, DMY';

INSERT INTO todo.users (id, username, email, password_hash)
VALUES ('00000000-0000-4000-8000-0000000000a1', 'regress_alice', 'regress_alice@example.com',
	'$2a$10$' || repeat('a', 53));

-- Inserted as superuser: row-level security does not apply.
INSERT INTO todo.tasks (id, user_id, title, description, status, priority, due_date, tags,
	recursion_pattern, completed_at, created_at, updated_at)
VALUES
	-- every optional column null, no tags; whole seconds
	('00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-0000000000a1',
		'Buy milk', NULL, 'pending', 'medium', NULL, '{}',
		NULL, NULL, '2026-11-21 09:30:00+00', '2026-11-21 09:30:00+00'),
	-- completed, low; 1, 3 and 6 fractional digits
	('00000000-0000-4000-8000-000000000002', '00000000-0000-4000-8000-0000000000a1',
		'File taxes', 'Forms A and B', 'completed', 'low', '2026-11-21 09:30:00.5+00', '{work,home}',
		'monthly', '2026-11-22 10:00:00.123+00', '2026-11-20 08:00:00.123456+00', '2026-11-22 10:00:00.123+00'),
	-- high; quotes, backslashes, control characters, emoji and non-BMP characters
	('00000000-0000-4000-8000-000000000003', '00000000-0000-4000-8000-0000000000a1',
		'Say "hi" \ C:\temp\new' || E'\t' || 'tab' || E'\n' || 'line' || chr(1) || 'soh' || chr(127) || 'del',
		'🎉 party, 𝄞 clef, 𠜎 CJK ext. B, é, ' || E'\b\f\r' || ' </script> ' || U&'\2028' || ' end',
		'pending', 'high', '2026-12-31 23:59:59.999999+00', ARRAY['été', '日本', '🎉', 'a"b\c', 'x/y'],
		'every 2 weeks', NULL, '2026-11-21 09:30:00.1+00', '2026-11-21 09:30:00.100001+00'),
	-- due dates given in other offsets are shown in UTC; fractions with inner zeros
	('00000000-0000-4000-8000-000000000004', '00000000-0000-4000-8000-0000000000a1',
		'Call Ana', '', 'pending', 'low', '2026-03-29 01:30:00.05+02', '{call}',
		'daily', NULL, '2026-11-21 09:30:00.000001+00', '2026-11-21 09:30:00.01+05:30'),
	-- completed, high; completed at midnight
	('00000000-0000-4000-8000-000000000005', '00000000-0000-4000-8000-0000000000a1',
		'x', 'd', 'completed', 'high', '2027-01-01 00:00:00+00', '{a}',
		NULL, '2027-01-01 00:00:00+00', '2026-01-01 00:00:00+00', '2027-01-01 00:00:00+00'),
	-- edges the API can reach: an offset turns year 1 and year 9999 into 1 BC and 10000 UTC
	('00000000-0000-4000-8000-000000000006', '00000000-0000-4000-8000-0000000000a1',
		'Year 10000', NULL, 'pending', 'medium', '9999-12-31T23:59:59.25-14:00', '{}',
		NULL, NULL, '2026-11-21 09:30:00+00', '2026-11-21 09:30:00+00'),
	('00000000-0000-4000-8000-000000000007', '00000000-0000-4000-8000-0000000000a1',
		'Year 1 BC', NULL, 'pending', 'medium', '0001-01-01T00:00:00+14:00', '{}',
		NULL, NULL, '2026-11-21 09:30:00+00', '2026-11-21 09:30:00+00'),
	-- only a superuser can store infinite creation and update times
	('00000000-0000-4000-8000-000000000008', '00000000-0000-4000-8000-0000000000a1',
		'Infinite', NULL, 'pending', 'medium', NULL, '{}',
		NULL, NULL, '-infinity', 'infinity');

-- the C function's text: compact, the contract's order, timestamps in UTC with Z
SELECT todo.task_json(t) FROM todo.tasks t ORDER BY t.id;

-- the same object as the json_build_object of the SQL version before it
SELECT count(*) AS tasks,
	count(*) FILTER (WHERE todo.task_json(t)::jsonb IS DISTINCT FROM pg_temp.task_json_v1(t)::jsonb) AS mismatches
FROM todo.tasks t;

-- parsed back, the strings are the columns' values
SELECT t.id,
	j ->> 'title' = t.title AS title,
	j ->> 'description' IS NOT DISTINCT FROM t.description AS description,
	ARRAY(SELECT jsonb_array_elements_text(j -> 'tags')) = t.tags AS tags,
	(j ->> 'created_at')::timestamptz = t.created_at AS created_at
FROM todo.tasks t, jsonb(todo.task_json(t)) AS j
WHERE t.id <= '00000000-0000-4000-8000-000000000005'
ORDER BY t.id;

-- a null row is null (strict); a row of nulls is all nulls
SELECT todo.task_json(NULL::todo.tasks) IS NULL AS null_row;
SELECT todo.task_json(r)
FROM (SELECT (NULL::todo.tasks).*) AS r;

-- a list as api.task_list makes it: the rows of a subquery, aggregated
SELECT json_array_length(json_agg(todo.task_json(page))) AS tasks
FROM (SELECT t.* FROM todo.tasks t ORDER BY t.created_at, t.id) AS page;

-- tags of more than one dimension are refused (the table's check never lets them in)
SELECT todo.task_json(ROW('00000000-0000-4000-8000-000000000009', '00000000-0000-4000-8000-0000000000a1',
	'2-D', NULL, 'pending', 'low', NULL, '{{a,b},{c,d}}', NULL, NULL, now(), now(), NULL)::todo.tasks);

--
-- columns are found by name: a changed table changes the object, or is an error
--
-- The row of task 1, after step 2 has replaced column title by a new one: a call site
-- that has cached the columns must notice that the row type has changed.
CREATE FUNCTION pg_temp.task_after(step integer) RETURNS todo.tasks
LANGUAGE plpgsql AS $$
DECLARE
	t todo.tasks;
BEGIN
	IF step = 2 THEN
		ALTER TABLE todo.tasks RENAME COLUMN title TO old_title;
		ALTER TABLE todo.tasks ADD COLUMN title text DEFAULT 'a new column';
	END IF;
	SELECT * INTO t FROM todo.tasks WHERE id = '00000000-0000-4000-8000-000000000001';
	RETURN t;
END
$$;

BEGIN;
SELECT step, todo.task_json(pg_temp.task_after(step)) ->> 'title' AS title
FROM generate_series(1, 3) AS step;
SELECT todo.task_json(t) FROM todo.tasks t WHERE t.id = '00000000-0000-4000-8000-000000000001';
ROLLBACK;

BEGIN;
ALTER TABLE todo.tasks DROP COLUMN recursion_pattern;
SELECT todo.task_json(t) FROM todo.tasks t WHERE t.id = '00000000-0000-4000-8000-000000000001';
ROLLBACK;

BEGIN;
ALTER TABLE todo.tasks ALTER COLUMN description TYPE varchar(10000);
SELECT todo.task_json(t) FROM todo.tasks t WHERE t.id = '00000000-0000-4000-8000-000000000001';
ROLLBACK;

BEGIN;
ALTER TABLE todo.tasks ALTER COLUMN priority TYPE text;
SELECT todo.task_json(t) FROM todo.tasks t WHERE t.id = '00000000-0000-4000-8000-000000000001';
ROLLBACK;

-- after all that, the same as at first
SELECT todo.task_json(t) FROM todo.tasks t WHERE t.id = '00000000-0000-4000-8000-000000000001';

-- only todo_owner (and superusers) may call it
SELECT has_function_privilege('todo_user', 'todo.task_json(todo.tasks)', 'EXECUTE') AS todo_user,
	has_function_privilege('todo_anon', 'todo.task_json(todo.tasks)', 'EXECUTE') AS todo_anon,
	has_function_privilege('todo_owner', 'todo.task_json(todo.tasks)', 'EXECUTE') AS todo_owner;

RESET timezone;
RESET datestyle;
