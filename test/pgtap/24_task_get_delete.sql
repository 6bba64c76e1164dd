-- 24_task_get_delete.sql: api.task_get and api.task_delete: the caller's tasks only; malformed
-- ids and other users' ids are the same 404 (nothing reveals that another user's task exists).
BEGIN;
\ir _helpers.psql
SELECT plan(36);

CREATE FUNCTION pg_temp.get(id text) RETURNS text LANGUAGE sql
	AS $$ SELECT format('SELECT data, meta, error FROM api.task_get(%L)', id) $$;
CREATE FUNCTION pg_temp.del(id text) RETURNS text LANGUAGE sql
	AS $$ SELECT format('SELECT data, meta, error FROM api.task_delete(%L)', id) $$;

SELECT pg_temp.make_user('alice', 'alice@example.com') AS alice, pg_temp.make_user('bob', 'bob@example.com') AS bob \gset
SELECT pg_temp.token_for('alice') AS tok_a \gset
INSERT INTO todo.tasks (user_id, title) VALUES (:'bob', 'bob''s task') RETURNING id AS bob_task \gset
SELECT gen_random_uuid() AS nobody_task \gset

SELECT pg_temp.req('todo_user', :'tok_a', :'alice');
SELECT data AS t FROM api.task_create('{"title": "Mine", "tags": ["x"], "due_date": "2099-01-01"}') \gset
SELECT :'t'::json ->> 'id' AS tid \gset
SELECT data AS other FROM api.task_create('{"title": "Other"}') \gset

-- get
SELECT data AS got, meta IS NULL AND error IS NULL AS clean FROM api.task_get(:'tid') \gset
SELECT ok(:'clean', 'get: meta and error are NULL');
SELECT is(:'got'::jsonb, :'t'::jsonb, 'get: the task as created');
SELECT is((SELECT data ->> 'id' FROM api.task_get(upper(:'tid'))), :'tid', 'get: the id in uppercase is the same task');
SELECT throws_ok(pg_temp.get(i), 'TD404', 'task not found', format('get of id %s: 404', i))
	FROM unnest(ARRAY['abc', '', '123', '{' || :'tid' || '}', left(:'tid', 35), ' ' || :'tid', :'tid' || ' ',
		replace(:'tid', '-', ''), $$'; DELETE FROM todo.tasks; --$$, :'nobody_task']) i;
SELECT throws_ok(pg_temp.get(:'bob_task'), 'TD404', 'task not found', 'get of another user''s task: 404');
SELECT is(pg_temp.err(pg_temp.get(:'bob_task')), pg_temp.err(pg_temp.get(:'nobody_task')),
	'get: another user''s task fails exactly like a task that does not exist');

-- delete
SELECT ok((SELECT data IS NULL AND meta IS NULL AND error IS NULL FROM api.task_delete(:'tid')), 'delete: an empty result (204)');
SELECT throws_ok(pg_temp.get(:'tid'), 'TD404', 'task not found', 'delete: the task is gone');
SELECT throws_ok(pg_temp.del(:'tid'), 'TD404', 'task not found', 'delete: deleting it again is 404');
SELECT is((SELECT data ->> 'title' FROM api.task_get(:'other'::json ->> 'id')), 'Other', 'delete: the caller''s other task is untouched');
SELECT throws_ok(pg_temp.del(i), 'TD404', 'task not found', format('delete of id %s: 404', i))
	FROM unnest(ARRAY['abc', '', '{' || :'tid' || '}', $$' OR ''='$$, :'nobody_task']) i;
SELECT throws_ok(pg_temp.del(:'bob_task'), 'TD404', 'task not found', 'delete of another user''s task: 404');
SELECT is(pg_temp.err(pg_temp.del(:'bob_task')), pg_temp.err(pg_temp.del(:'nobody_task')),
	'delete: another user''s task fails exactly like a task that does not exist');
SELECT lives_ok(pg_temp.del(upper(:'other'::json ->> 'id')), 'delete: the id in uppercase deletes the same task');
RESET ROLE;
SELECT is((SELECT count(*)::int FROM todo.tasks WHERE user_id = :'alice'), 0, 'delete: both of alice''s tasks are gone from the table');
SELECT is((SELECT title FROM todo.tasks WHERE id = :'bob_task'), 'bob''s task', 'delete: bob''s task still exists');

-- authentication and the path owner
INSERT INTO todo.tasks (user_id, title) VALUES (:'alice', 'Again') RETURNING id AS again \gset
SELECT pg_temp.req('todo_user', '', :'alice');
SELECT throws_ok(pg_temp.get(:'again'), 'TD401', NULL, 'get without a token: 401');
SELECT throws_ok(pg_temp.del(:'again'), 'TD401', NULL, 'delete without a token: 401');
SELECT pg_temp.req('todo_user', :'tok_a', :'bob');
SELECT throws_ok(pg_temp.get(:'bob_task'), 'TD403', NULL, 'get in another user''s path: 403');
SELECT throws_ok(pg_temp.get(:'again'), 'TD403', NULL, 'get of one''s own task in another user''s path: 403');
SELECT throws_ok(pg_temp.del(:'bob_task'), 'TD403', NULL, 'delete in another user''s path: 403');
SELECT throws_ok(pg_temp.del('abc'), 'TD403', NULL, 'delete of a malformed id in another user''s path: 403 before 404');
RESET ROLE;
SELECT is((SELECT count(*)::int FROM todo.tasks), 2, 'refused deletes deleted nothing');

SELECT * FROM finish();
ROLLBACK;
