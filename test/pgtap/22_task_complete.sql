-- 22_task_complete.sql: api.task_complete (toggle without a body, set with {"completed"}),
-- completed_at, and recurrence: the next occurrence, returned as meta.next_task.
BEGIN;
\ir _helpers.psql
SELECT plan(60);

CREATE FUNCTION pg_temp.complete(id text, body jsonb) RETURNS text LANGUAGE sql
	AS $$ SELECT format('SELECT data, meta, error FROM api.task_complete(%L, %L)', id, body) $$;
CREATE FUNCTION pg_temp.new_task(body jsonb) RETURNS text LANGUAGE sql
	AS $$ SELECT data ->> 'id' FROM api.task_create(body) $$;
-- the due date of the next occurrence created by completing a new task (pattern, due date)
CREATE FUNCTION pg_temp.next_due(pattern text, due text) RETURNS text LANGUAGE sql AS $$
	SELECT meta -> 'next_task' ->> 'due_date'
	FROM api.task_complete(pg_temp.new_task(jsonb_build_object('title', 'next of ' || due, 'recursion_pattern', pattern, 'due_date', due)), NULL)
$$;
CREATE FUNCTION pg_temp.titled(title text) RETURNS integer LANGUAGE sql
	AS $$ SELECT count(*)::int FROM todo.tasks t WHERE t.title = titled.title $$;

SELECT pg_temp.make_user('alice', 'alice@example.com') AS alice, pg_temp.make_user('bob', 'bob@example.com') AS bob \gset
SELECT pg_temp.token_for('alice') AS tok_a \gset
INSERT INTO todo.tasks (user_id, title) VALUES (:'bob', 'bob''s task') RETURNING id AS bob_task \gset
SELECT pg_temp.req('todo_user', :'tok_a', :'alice');

-- toggling
SELECT pg_temp.new_task('{"title": "Toggle"}') AS tid \gset
SELECT data AS c1, meta IS NULL AND error IS NULL AS clean FROM api.task_complete(:'tid', NULL) \gset
SELECT ok(:'clean', 'toggle: meta and error are NULL for a task that does not recur');
SELECT is(:'c1'::json ->> 'status', 'completed', 'toggle: a pending task becomes completed');
SELECT is(:'c1'::jsonb -> 'completed', 'true', 'toggle: completed is true');
SELECT ok((:'c1'::json ->> 'completed_at')::timestamptz >= now(), 'toggle: completed_at is set to the current time');
SELECT data AS c2 FROM api.task_complete(:'tid', NULL) \gset
SELECT is(:'c2'::json ->> 'status', 'pending', 'toggle: a completed task becomes pending');
SELECT is(json_typeof(:'c2'::json -> 'completed_at'), 'null', 'toggle: reopening clears completed_at');
SELECT ok((:'c2'::json ->> 'updated_at')::timestamptz > (:'c1'::json ->> 'updated_at')::timestamptz, 'toggle: updated_at moves forward');
SELECT data AS c3 FROM api.task_complete(:'tid', NULL) \gset
SELECT ok((:'c3'::json ->> 'completed_at')::timestamptz > (:'c1'::json ->> 'completed_at')::timestamptz,
	'toggle: completing again sets a new completed_at');

-- setting (idempotent)
SELECT data AS c4 FROM api.task_complete(:'tid', '{"completed": true}') \gset
SELECT is(:'c4'::json ->> 'status', 'completed', 'set true on a completed task: still completed');
SELECT is(:'c4'::json ->> 'completed_at', :'c3'::json ->> 'completed_at', 'set true on a completed task: completed_at is kept');
SELECT is((SELECT data ->> 'status' FROM api.task_complete(:'tid', '{"completed": false}')), 'pending', 'set false: the task is pending');
SELECT is((SELECT data ->> 'status' FROM api.task_complete(:'tid', '{"completed": false}')), 'pending', 'set false again: still pending');
SELECT is((SELECT data ->> 'status' FROM api.task_complete(:'tid', '{"completed": true}')), 'completed', 'set true: the task is completed');

-- the body
SELECT is(pg_temp.fields(pg_temp.complete(:'tid', '{}')), 'TD422: completed', 'complete with {}: completed is required');
SELECT is(pg_temp.field_message(pg_temp.complete(:'tid', '{}'), 'completed'), 'must be true or false', 'complete with {}: ... with message "must be true or false"');
SELECT is(pg_temp.fields(pg_temp.complete(:'tid', '{"completed": "yes"}')), 'TD422: completed', 'complete: completed must be a boolean');
SELECT is(pg_temp.fields(pg_temp.complete(:'tid', '{"completed": null}')), 'TD422: completed', 'complete: completed cannot be null');
SELECT is(pg_temp.fields(pg_temp.complete(:'tid', '{"completed": 1}')), 'TD422: completed', 'complete: completed 1 is not a boolean');
SELECT is(pg_temp.fields(pg_temp.complete(:'tid', '{"completed": true, "note": "x"}')), 'TD422: note', 'complete: an unknown field is refused');
SELECT is(pg_temp.fields(pg_temp.complete(:'tid', '{"status": "completed"}')), 'TD422: completed,status', 'complete: status is not accepted here');

-- 404, 403, 401
SELECT throws_ok(pg_temp.complete(i, b), 'TD404', 'task not found', format('complete id %s with body %s: 404', i, coalesce(b::text, 'NULL')))
	FROM (VALUES ('abc', NULL), ('abc', '{"completed": true}'::jsonb), (gen_random_uuid()::text, NULL),
		(:'bob_task', NULL), (:'bob_task', '{"completed": true}')) v(i, b);
SELECT pg_temp.req('todo_user', :'tok_a', :'bob');
SELECT throws_ok(pg_temp.complete(:'bob_task', NULL), 'TD403', NULL, 'complete in another user''s path: 403');
SELECT throws_ok(pg_temp.complete(:'bob_task', '{"x": 1}'), 'TD403', NULL, 'complete in another user''s path with a bad body: 403');
SELECT pg_temp.req('todo_user', '', :'alice');
SELECT throws_ok(pg_temp.complete(:'tid', NULL), 'TD401', NULL, 'complete without a token: 401');
RESET ROLE;
SELECT is((SELECT status::text FROM todo.tasks WHERE id = :'bob_task'), 'pending', 'bob''s task is unchanged');

-- recurrence: the next occurrence
SELECT pg_temp.req('todo_user', :'tok_a', :'alice');
SELECT pg_temp.new_task('{"title": "Daily", "description": "water plants", "priority": "high", "tags": ["home", "plants"],
	"recursion_pattern": "daily", "due_date": "2099-01-10T09:00:00Z"}') AS daily \gset
SELECT data AS done, meta -> 'next_task' AS next FROM api.task_complete(:'daily', NULL) \gset
SELECT is(:'done'::json ->> 'status', 'completed', 'recurrence: the task itself is completed');
SELECT is((SELECT array_agg(k ORDER BY k) FROM json_object_keys(:'next'::json) k),
	ARRAY['completed', 'completed_at', 'created_at', 'description', 'due_date', 'id', 'priority', 'recursion_pattern',
		'status', 'tags', 'title', 'updated_at', 'user_id'], 'recurrence: meta.next_task is a full Task');
SELECT isnt(:'next'::json ->> 'id', :'daily', 'recurrence: the next occurrence is a new task');
SELECT is(:'next'::jsonb - 'id' - 'created_at' - 'updated_at',
	'{"title": "Daily", "description": "water plants", "priority": "high", "tags": ["home", "plants"], "recursion_pattern": "daily",
		"due_date": "2099-01-11T09:00:00Z", "status": "pending", "completed": false, "completed_at": null}'::jsonb || jsonb_build_object('user_id', :'alice'),
	'recurrence: same fields, pending, due one day later');
SELECT is((SELECT data::jsonb FROM api.task_get(:'next'::json ->> 'id')), :'next'::jsonb, 'recurrence: the next occurrence is stored as returned');
SELECT ok((SELECT meta IS NULL FROM api.task_complete(:'daily', '{"completed": true}')), 'recurrence: completing a completed task again creates nothing');
SELECT ok((SELECT meta IS NULL FROM api.task_update(:'daily', '{"status": "completed"}')), 'recurrence: setting status completed again creates nothing');
RESET ROLE;
SELECT is(pg_temp.titled('Daily'), 2, 'recurrence: the next occurrence was created once');
SELECT pg_temp.req('todo_user', :'tok_a', :'alice');
SELECT ok((SELECT meta IS NULL FROM api.task_complete(:'daily', NULL)), 'recurrence: reopening a recurring task creates nothing');
SELECT ok((SELECT meta IS NULL FROM api.task_complete(pg_temp.new_task('{"title": "Undated", "recursion_pattern": "daily"}'), NULL)),
	'recurrence: a task with a pattern but no due date has no next occurrence');
SELECT ok((SELECT meta IS NULL FROM api.task_complete(pg_temp.new_task('{"title": "Once", "due_date": "2099-01-01"}'), NULL)),
	'recurrence: a task with a due date but no pattern has no next occurrence');
RESET ROLE;
SELECT is(pg_temp.titled('Undated') + pg_temp.titled('Once'), 2, 'recurrence: ... and no task was added');
SELECT pg_temp.req('todo_user', :'tok_a', :'alice');
SELECT is((SELECT meta -> 'next_task' ->> 'due_date' FROM api.task_update(
		pg_temp.new_task('{"title": "Via update", "recursion_pattern": "weekly", "due_date": "2099-01-10"}'), '{"status": "completed"}')),
	'2099-01-17T00:00:00Z', 'recurrence: completing through api.task_update returns meta.next_task');
SELECT is((SELECT meta -> 'next_task' ->> 'due_date' FROM api.task_update(
		pg_temp.new_task('{"title": "Via completed", "recursion_pattern": "weekly", "due_date": "2099-01-10"}'), '{"completed": true}')),
	'2099-01-17T00:00:00Z', 'recurrence: completing with {"completed": true} in an update returns meta.next_task');
SELECT is((SELECT meta -> 'next_task' ->> 'due_date' FROM api.task_complete(
		pg_temp.new_task('{"title": "Via set", "recursion_pattern": "weekly", "due_date": "2099-01-10"}'), '{"completed": true}')),
	'2099-01-17T00:00:00Z', 'recurrence: completing with api.task_complete {"completed": true} returns meta.next_task');

-- one period of each pattern
SELECT is(pg_temp.next_due(p, d), e, format('recurrence: %s from %s is %s', p, d, e))
FROM (VALUES
	('weekly', '2099-01-10T09:00:00Z', '2099-01-17T09:00:00Z'),
	('monthly', '2099-01-31', '2099-02-28T00:00:00Z'),
	('monthly', '2096-01-31', '2096-02-29T00:00:00Z'),
	('monthly', '2099-03-31T18:00:00Z', '2099-04-30T18:00:00Z'),
	('monthly', '2099-01-15T23:30:00-05:00', '2099-02-16T04:30:00Z'),
	('yearly', '2096-02-29', '2097-02-28T00:00:00Z'),
	('yearly', '2099-06-15T12:00:00Z', '2100-06-15T12:00:00Z'),
	('every 3 days', '2099-12-30', '2100-01-02T00:00:00Z'),
	('every 2 weeks', '2099-01-10', '2099-01-24T00:00:00Z'),
	('every 2 months', '2098-12-31', '2099-02-28T00:00:00Z'),
	('every 10 years', '2099-01-01', '2109-01-01T00:00:00Z'),
	('every 365 days', '2099-01-01', '2100-01-01T00:00:00Z'),
	('every 1 days', '2099-02-28', '2099-03-01T00:00:00Z')
) v(p, d, e);
-- the arithmetic is UTC's, whatever the session's time zone
SET LOCAL TimeZone = 'Europe/Paris';
SELECT is(pg_temp.next_due('weekly', '2099-03-25T12:00:00Z'), '2099-04-01T12:00:00Z', 'recurrence: a week across a DST change is 7 x 24 hours (session in Europe/Paris)');
SELECT is(pg_temp.next_due('monthly', '2099-01-30T23:30:00Z'), '2099-02-28T23:30:00Z', 'recurrence: monthly keeps the UTC day of month (session in Europe/Paris)');
RESET TimeZone;
-- an overdue recurring task (due dates in the past are allowed on update) still advances one period
SELECT pg_temp.new_task('{"title": "Overdue", "recursion_pattern": "monthly", "due_date": "2099-01-01"}') AS overdue \gset
SELECT is((SELECT meta -> 'next_task' ->> 'due_date' FROM api.task_update(:'overdue', '{"due_date": "2000-01-31", "completed": true}')),
	'2000-02-29T00:00:00Z', 'recurrence: an overdue monthly task from 31 Jan 2000 recurs on 29 Feb 2000 (leap century)');

SELECT * FROM finish();
ROLLBACK;
