-- 26_task_limit.sql: the most tasks one user may have (todo.max_tasks_per_user, default
-- 100,000): TDL09 past it, for the API and direct SQL, per user, nothing stored; and
-- todo.task_counts, the count it checks, exact after every kind of change (concurrent
-- inserts and deletes: test/suites/task_limit.sh).
BEGIN;
\ir _helpers.psql
SELECT plan(28);

-- the setting: the extension's superuser-only GUC, or the plain install's todo.settings row
CREATE FUNCTION pg_temp.set_task_limit(n integer) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	IF pg_temp.plain() THEN
		UPDATE todo.settings SET max_tasks_per_user = n;
	ELSE
		PERFORM set_config('todo.max_tasks_per_user', n::text, true);
	END IF;
END
$$;
CREATE FUNCTION pg_temp.create(body jsonb) RETURNS text LANGUAGE sql
	AS $$ SELECT format('SELECT data, meta, error FROM api.task_create(%L)', body) $$;
CREATE FUNCTION pg_temp.tasks_of(owner uuid) RETURNS integer LANGUAGE sql
	AS $$ SELECT count(*)::int FROM todo.tasks WHERE user_id = owner $$;
-- every user's count against the tasks there are (as the superuser: every row); the
-- differing rows, none when exact (a user without tasks has no count row)
CREATE FUNCTION pg_temp.count_errors() RETURNS text LANGUAGE sql AS $$
	SELECT coalesce(string_agg(format('%s: counted %s, has %s', coalesce(c.user_id, t.user_id), c.tasks, t.tasks), '; '), '')
	FROM todo.task_counts c FULL JOIN (SELECT user_id, count(*)::int AS tasks FROM todo.tasks GROUP BY user_id) t
		ON t.user_id = c.user_id
	WHERE c.tasks IS DISTINCT FROM t.tasks $$;

SELECT is(todo.max_tasks_per_user(), 100000, 'the default limit is 100,000 tasks per user');

SELECT pg_temp.make_user('alice', 'alice@example.com') AS alice, pg_temp.make_user('bob', 'bob@example.com') AS bob \gset
SELECT pg_temp.token_for('alice') AS tok_a, pg_temp.token_for('bob') AS tok_b \gset
SELECT pg_temp.set_task_limit(3);
SELECT is(todo.max_tasks_per_user(), 3, 'the limit follows the setting');

SELECT pg_temp.req('todo_user', :'tok_a', :'alice');
SELECT lives_ok(pg_temp.create('{"title": "one"}'), 'task 1 of 3');
SELECT lives_ok(pg_temp.create('{"title": "two"}'), 'task 2 of 3');
SELECT data ->> 'id' AS third FROM api.task_create('{"title": "three", "recursion_pattern": "daily", "due_date": "2999-01-01"}') \gset
SELECT ok(:'third' IS NOT NULL, 'task 3 of 3 (a recurring one)');
SELECT is(pg_temp.err(pg_temp.create('{"title": "four"}')),
	'{"sqlstate": "TDL09", "message": "task limit reached: a user may have at most 3 tasks; delete some first", "detail": {"limit": 3}}',
	'task 4: TDL09 (HTTP 409 task_limit_reached), the limit in message and detail');
SELECT is(pg_temp.err(format('SELECT * FROM api.task_complete(%L, NULL)', :'third')) ->> 'sqlstate', 'TDL09',
	'completing a recurring task at the limit: TDL09 (its next occurrence would pass it)');
RESET ROLE;
SELECT is(pg_temp.tasks_of(:'alice'), 3, 'alice still has 3 tasks');
SELECT is((SELECT status FROM todo.tasks WHERE id = :'third'), 'pending', 'the refused completion left the task pending');

-- per user
SELECT pg_temp.req('todo_user', :'tok_b', :'bob');
SELECT lives_ok(pg_temp.create('{"title": "bob''s"}'), 'another user is not held by alice''s tasks');

-- room again after a delete
SELECT pg_temp.req('todo_user', :'tok_a', :'alice');
SELECT ok((SELECT error IS NULL FROM api.task_delete(:'third')), 'alice deletes a task');
SELECT lives_ok(pg_temp.create('{"title": "four, now"}'), 'then one more fits');

-- direct SQL is held too, and a statement past the limit stores none of its rows
RESET ROLE;
SELECT throws_ok(format($$INSERT INTO todo.tasks (user_id, title) VALUES (%L, 'sql')$$, :'alice'), 'TDL09', NULL,
	'a direct INSERT past the limit: TDL09');
SELECT throws_ok(format($$INSERT INTO todo.tasks (user_id, title) SELECT %L, 'batch ' || n FROM generate_series(1, 3) n$$, :'bob'), 'TDL09', NULL,
	'a batch INSERT that would take bob from 1 to 4 tasks: TDL09');
SELECT is(pg_temp.tasks_of(:'bob'), 1, '... none of its rows stored');
SELECT is(pg_temp.count_errors(), '', 'the counts are exact after creates, refusals, a completion and a delete');
SELECT is((SELECT tasks FROM todo.task_counts WHERE user_id = :'alice'), 3, 'alice''s count is 3');

-- the count, kept by every kind of change
SELECT pg_temp.set_task_limit(7);
INSERT INTO todo.tasks (user_id, title) SELECT u, 'batch ' || n FROM unnest(ARRAY[:'alice', :'bob']::uuid[]) u, generate_series(1, 4) n;
SELECT is(pg_temp.count_errors(), '', 'a batch INSERT for two users counts each');
DELETE FROM todo.tasks WHERE title IN ('batch 1', 'batch 2');
SELECT is(pg_temp.count_errors(), '', 'a DELETE of several users'' tasks subtracts from each');
SELECT throws_ok(format($$UPDATE todo.tasks SET user_id = %L WHERE user_id = %L$$, :'bob', :'alice'), 'TDL09', NULL,
	'giving alice''s 5 tasks to bob (3 tasks, limit 7): TDL09 for bob');
SELECT is(pg_temp.count_errors(), '', '... and the counts are as before');
UPDATE todo.tasks SET user_id = :'bob' WHERE id = (SELECT id FROM todo.tasks WHERE user_id = :'alice' ORDER BY created_at LIMIT 1);
SELECT is(pg_temp.count_errors(), '', 'a task given to another user moves between the counts');
UPDATE todo.tasks SET title = 'renamed' WHERE user_id = :'alice';
SELECT is(pg_temp.count_errors(), '', 'an UPDATE that keeps the owner changes no count');
DELETE FROM todo.tasks WHERE user_id = :'bob';
SELECT ok(NOT EXISTS (SELECT FROM todo.task_counts WHERE user_id = :'bob'), 'a user whose tasks are all deleted has no count row');
SELECT is(pg_temp.count_errors(), '', '... and the other counts are exact');
DELETE FROM todo.users WHERE id = :'alice';
SELECT ok(NOT EXISTS (SELECT FROM todo.task_counts WHERE user_id = :'alice'), 'deleting a user (its tasks by cascade) deletes its count');
SELECT pg_temp.make_user('carol', 'carol@example.com') AS carol \gset
INSERT INTO todo.tasks (user_id, title) VALUES (:'carol', 'before truncate');
TRUNCATE todo.tasks;
SELECT is((SELECT count(*)::int FROM todo.task_counts), 0, 'TRUNCATE of the tasks empties the counts');
-- what the request roles cannot do: read the counts
SELECT pg_temp.req('todo_user', pg_temp.token_for('carol'), :'carol');
SELECT throws_ok('SELECT * FROM todo.task_counts', '42501', NULL, 'a request role cannot read todo.task_counts');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
