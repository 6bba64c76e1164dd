-- 28_task_list_rows.sql: api.task_list_rows, the list the gateway streams (issue 11): its
-- rows put together as the gateway does ("[" task ", " task ... "]", then the last row's
-- meta) are api.task_list's data and meta byte for byte, with and without parameters; it
-- is behind the token and the request role as api.task_list is.
BEGIN;
\ir _helpers.psql
SELECT plan(19);

SELECT pg_temp.make_user('alice', 'alice@example.com') AS alice, pg_temp.make_user('bob', 'bob@example.com') AS bob \gset
SELECT pg_temp.make_user('carol', 'carol@example.com') AS carol \gset
SELECT pg_temp.token_for('alice') AS tok_a, pg_temp.token_for('bob') AS tok_b, pg_temp.token_for('carol') AS tok_c \gset
INSERT INTO todo.tasks (id, user_id, title, description, priority, status, due_date, tags, recursion_pattern, created_at) VALUES
	('00000000-0000-4000-8000-0000000000a3', :'alice', 'Gamma', 'x "quoted" \ back', 'medium', 'completed', now() - interval '2 days', '{work}', NULL, '2024-01-03Z'),
	('00000000-0000-4000-8000-0000000000a2', :'alice', 'Beta', NULL, 'low', 'pending', NULL, '{}', 'every 3 days', '2024-01-03Z'),
	('00000000-0000-4000-8000-0000000000a1', :'alice', 'Alpha', 'été', 'high', 'pending', '2030-01-01Z', '{work,été}', 'weekly', '2024-01-01Z'),
	('00000000-0000-4000-8000-0000000000b1', :'bob', 'Bob''s', NULL, 'high', 'pending', NULL, '{}', NULL, '2024-01-06Z');

-- the rows as the gateway puts them together (gateway/src/stream.c)
CREATE FUNCTION pg_temp.streamed(params jsonb) RETURNS TABLE (data text, meta text, shape boolean) LANGUAGE sql AS $$
	SELECT '[' || coalesce(string_agg(r.task::text, ', ' ORDER BY r.n) FILTER (WHERE r.meta IS NULL), '') || ']',
		max(r.meta::text) FILTER (WHERE r.meta IS NOT NULL),
		-- every row but the last a task, the last the meta alone
		bool_and((r.n = c.rows) = (r.task IS NULL AND r.meta IS NOT NULL)
			AND (r.n < c.rows) = (r.task IS NOT NULL AND r.meta IS NULL))
	FROM api.task_list_rows(params) WITH ORDINALITY AS r(task, meta, n),
		LATERAL (SELECT count(*) AS rows FROM api.task_list_rows(params)) c
$$;
CREATE FUNCTION pg_temp.whole(params jsonb) RETURNS TABLE (data text, meta text) LANGUAGE sql AS $$
	SELECT r.data::text, r.meta::text FROM api.task_list(params) r
$$;

SELECT pg_temp.req('todo_user', :'tok_a', :'alice');
SELECT is((SELECT data FROM pg_temp.streamed('{}')), (SELECT data FROM pg_temp.whole('{}')),
	'rows without parameters: the tasks of api.task_list, byte for byte');
SELECT is((SELECT meta FROM pg_temp.streamed('{}')), (SELECT meta FROM pg_temp.whole('{}')),
	'rows without parameters: the last row is api.task_list''s meta');
SELECT ok((SELECT shape FROM pg_temp.streamed('{}')), 'rows without parameters: a task a row, the meta last and alone');
SELECT is((SELECT count(*) FROM api.task_list_rows('{}')), 4::bigint, 'rows without parameters: three tasks and the meta');
SELECT is((SELECT data FROM pg_temp.streamed('{"tag": ["work"], "sort": ["title"], "limit": ["1"], "offset": ["1"]}')),
	(SELECT data FROM pg_temp.whole('{"tag": ["work"], "sort": ["title"], "limit": ["1"], "offset": ["1"]}')),
	'rows with filters, sort and a page: the tasks of api.task_list, byte for byte');
SELECT is((SELECT meta FROM pg_temp.streamed('{"tag": ["work"], "sort": ["title"], "limit": ["1"], "offset": ["1"]}')),
	'{"total" : 2, "limit" : 1, "offset" : 1}', 'rows with a page: the meta counts every match');
SELECT ok((SELECT shape FROM pg_temp.streamed('{"q": ["a"]}')), 'rows with a filter: a task a row, the meta last and alone');
SELECT is((SELECT data FROM pg_temp.streamed('{"q": ["zzz"]}')), '[]', 'rows with no match: no task row');

SELECT pg_temp.req('todo_user', :'tok_b', :'bob');
SELECT is((SELECT data FROM pg_temp.streamed('{}')), (SELECT data FROM pg_temp.whole('{}')), 'rows as Bob: Bob''s list');
SELECT is((SELECT count(*) FROM api.task_list_rows('{}') WHERE task IS NOT NULL), 1::bigint, 'rows as Bob: only Bob''s task');
SELECT pg_temp.req('todo_user', :'tok_c', :'carol');
SELECT is((SELECT array_agg(meta::text) FROM api.task_list_rows('{}')), ARRAY['{"total" : 0, "limit" : null, "offset" : 0}'],
	'rows of a user without tasks: the meta alone, total 0');

SELECT is((SELECT proconfig FROM pg_proc WHERE oid = 'api.task_list_rows(jsonb)'::regprocedure),
	(SELECT proconfig FROM pg_proc WHERE oid = 'api.task_list(jsonb)'::regprocedure),
	'api.task_list_rows: api.task_list''s settings (generic plans, no whole-table scan, no JIT)');

-- behind the token and the request role, before any row
SELECT pg_temp.req('todo_user', '', :'alice');
SELECT throws_ok($$SELECT * FROM api.task_list_rows('{}')$$, 'TD401', NULL, 'rows, no token: 401');
SELECT pg_temp.req('todo_user', :'tok_b', :'alice');
SELECT throws_ok($$SELECT * FROM api.task_list_rows('{}')$$, 'TD403', NULL, 'rows, Bob''s token for Alice''s path: 403');
SELECT pg_temp.req('todo_user', '', '');
SELECT set_config('app.user_id', :'alice', true);
SELECT throws_ok($$SELECT * FROM api.task_list_rows('{}')$$, 'TD401', NULL, 'rows, a forged app.user_id and no token: 401');
SELECT pg_temp.req('todo_user', :'tok_a', :'alice');
SELECT throws_ok($$SELECT * FROM api.task_list_rows(NULL)$$, 'TD400', NULL, 'rows with NULL parameters: 400');
SELECT throws_ok($$SELECT * FROM api.task_list_rows('{"limit": ["0"]}')$$, 'TD400', NULL, 'rows with a bad limit: 400');
SELECT throws_ok($$SELECT * FROM api.task_list_rows('{"bogus": ["1"]}')$$, 'TD400', NULL, 'rows with an unknown parameter: 400');
SELECT pg_temp.req('todo_anon', '', :'alice');
SELECT throws_ok($$SELECT * FROM api.task_list_rows('{}')$$, '42501', NULL, 'todo_anon cannot call api.task_list_rows');
SELECT pg_temp.req(session_user, '', '');

SELECT * FROM finish();
ROLLBACK;
