-- 29_task_json_stored.sql: the Task object does not depend on the session's settings (both
-- installs), and the plain install's object stored with the row (todo.tasks.stored_json,
-- extension/plain/39_task_json_stored.sql) is the one todo.task_json_of writes from the
-- row as it is after every write, BEFORE triggers included.
BEGIN;
\ir _helpers.psql
SELECT plan(8);

SELECT pg_temp.make_user('alice', 'alice@example.com') AS alice \gset
SELECT pg_temp.token_for('alice') AS tok_a \gset

-- written and read in a session whose TimeZone, DateStyle and IntervalStyle are not UTC and ISO
SET TimeZone = 'America/St_Johns';
SET DateStyle = 'SQL, DMY';
SET IntervalStyle = 'sql_standard';
SELECT pg_temp.req('todo_user', :'tok_a', :'alice');
SELECT data AS t FROM api.task_create('{"title": "Zones", "due_date": "2099-01-01T10:30:00.5+05:30", "tags": ["b", "a"]}') \gset
SELECT :'t'::json ->> 'id' AS tid \gset
SELECT is(:'t'::json ->> 'due_date', '2099-01-01T05:00:00.5Z', 'a due date is written in UTC, RFC 3339, whatever the session''s TimeZone and DateStyle');
SELECT ok(:'t'::json ->> 'created_at' ~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$', 'created_at too');
SELECT data AS done FROM api.task_complete(:'tid', NULL) \gset
SET TimeZone = 'Asia/Kathmandu';
SET DateStyle = 'German';
SELECT is((api.task_get(:'tid')).data::text, :'done', 'read in another TimeZone and DateStyle: the same bytes as written');
SELECT is((api.task_list('{}')).data::text, '[' || :'done' || ']', 'the list: the same bytes');
RESET ROLE;
RESET TimeZone;
RESET DateStyle;
RESET IntervalStyle;

-- the plain install: the stored object, after writes that the API does not make too (psql's
-- \if: in the extension the column does not exist, so the statements could not be parsed)
UPDATE todo.tasks SET title = 'Renamed directly' WHERE id = :'tid';
SELECT pg_temp.plain() AS plain \gset
\if :plain
SELECT is((SELECT count(*)::integer FROM todo.tasks WHERE stored_json::text
	IS DISTINCT FROM todo.task_json_of(id, user_id, title, description, status, priority, due_date, tags,
		recursion_pattern, completed_at, created_at, updated_at)::text), 0,
	'the plain install: every row''s stored object is the one written from its columns');
SELECT is((SELECT stored_json ->> 'updated_at' FROM todo.tasks WHERE id = :'tid'),
	(SELECT todo.rfc3339(updated_at) FROM todo.tasks WHERE id = :'tid'),
	'the plain install: the stored object has the updated_at the BEFORE UPDATE trigger stamped');
SELECT is((SELECT stored_json ->> 'title' FROM todo.tasks WHERE id = :'tid'), 'Renamed directly',
	'the plain install: an UPDATE outside the API rewrites the stored object');
SELECT throws_ok(format('UPDATE todo.tasks SET stored_json = %L WHERE id = %L', '{}', :'tid'), '428C9', NULL,
	'the plain install: the stored object cannot be written by hand');
\else
SELECT skip('the extension writes the Task object in C on every read: no stored object', 4);
\endif

SELECT * FROM finish();
ROLLBACK;
