-- 25_request_path.sql: the request path made cheap (issue 11) behaves as before: the list
-- without parameters (one static statement, a generic plan) equals the parsed path's answer
-- and stays behind authentication; the helpers rewritten so that nothing is parsed or
-- planned per request (try_uuid, act_as, unknown_field_errors, tags_from_json, trim_space,
-- the recurrence functions) give the same results.
BEGIN;
\ir _helpers.psql
SELECT plan(39);

SELECT pg_temp.make_user('alice', 'alice@example.com') AS alice, pg_temp.make_user('bob', 'bob@example.com') AS bob \gset
SELECT pg_temp.make_user('carol', 'carol@example.com') AS carol \gset
SELECT pg_temp.token_for('alice') AS tok_a, pg_temp.token_for('bob') AS tok_b, pg_temp.token_for('carol') AS tok_c \gset
INSERT INTO todo.tasks (id, user_id, title, description, priority, status, due_date, tags, recursion_pattern, created_at) VALUES
	('00000000-0000-4000-8000-0000000000a3', :'alice', 'Gamma', 'x "quoted" \ back', 'medium', 'completed', now() - interval '2 days', '{work}', NULL, '2024-01-03Z'),
	('00000000-0000-4000-8000-0000000000a2', :'alice', 'Beta', NULL, 'low', 'pending', NULL, '{}', 'every 3 days', '2024-01-03Z'),
	('00000000-0000-4000-8000-0000000000a1', :'alice', 'Alpha', 'été', 'high', 'pending', '2030-01-01Z', '{work,été}', 'weekly', '2024-01-01Z'),
	('00000000-0000-4000-8000-0000000000b1', :'bob', 'Bob''s', NULL, 'high', 'pending', NULL, '{}', NULL, '2024-01-06Z');

-- the list without parameters (api.task_list's own statement) and the same list through
-- todo.task_list_filtered (an explicit default sort): the same bytes, the same meta
SELECT pg_temp.req('todo_user', :'tok_a', :'alice');
SELECT r.data::text AS fast_data, r.meta::text AS fast_meta FROM api.task_list('{}') r \gset
SELECT r.data::text AS slow_data, r.meta::text AS slow_meta FROM api.task_list('{"sort": ["-created_at"]}') r \gset
SELECT is(:'fast_data'::text, :'slow_data'::text, 'list without parameters: the same JSON as the parsed path, byte for byte');
SELECT is(:'fast_meta'::text, :'slow_meta'::text, 'list without parameters: the same meta as the parsed path');
SELECT is(:'fast_meta'::jsonb, '{"total": 3, "limit": null, "offset": 0}', 'list without parameters: total counts the rows');
SELECT is((SELECT string_agg(right(e ->> 'id', 2), ',') FROM json_array_elements(:'fast_data'::json) e), 'a2,a3,a1',
	'list without parameters: newest first, ties by id ascending, only the caller''s');
-- the generic plan is the one every later call runs: the sixth call and beyond still answer alike
SELECT is((SELECT count(DISTINCT (api.task_list('{}')).data::text) FROM generate_series(1, 8)), 1::bigint,
	'list without parameters: the same answer on every call (custom plans, then the generic one)');
SELECT pg_temp.req('todo_user', :'tok_b', :'bob');
SELECT is(json_array_length((api.task_list('{}')).data), 1, 'list without parameters, as Bob: only Bob''s task');
-- another user with no task at all
SELECT pg_temp.req('todo_user', :'tok_c', :'carol');
SELECT is((api.task_list('{}')).data::text, '[]', 'list without parameters, no tasks: []');
SELECT is((api.task_list('{}')).meta::jsonb, '{"total": 0, "limit": null, "offset": 0}', 'list without parameters, no tasks: total 0');

-- its settings: the generic plan, read in index order, never compiled by JIT (a plan with a
-- disabled scan costs more than jit_above_cost: the plain install's settings read was
-- compiled on every call)
SELECT is((SELECT proconfig FROM pg_proc WHERE oid = 'api.task_list(jsonb)'::regprocedure),
	ARRAY['search_path=pg_catalog, pg_temp', 'plan_cache_mode=force_generic_plan', 'enable_seqscan=off', 'jit=off'],
	'api.task_list: generic plans, no whole-table scan, no JIT');

-- still behind the token: no token, someone else's token, a forged app.user_id
SELECT pg_temp.req('todo_user', '', :'alice');
SELECT throws_ok($$SELECT * FROM api.task_list('{}')$$, 'TD401', NULL, 'list without parameters, no token: 401');
SELECT pg_temp.req('todo_user', :'tok_b', :'alice');
SELECT throws_ok($$SELECT * FROM api.task_list('{}')$$, 'TD403', NULL, 'list without parameters, Bob''s token for Alice''s path: 403');
SELECT pg_temp.req('todo_user', 'not.a.token', :'alice');
SELECT throws_ok($$SELECT * FROM api.task_list('{}')$$, 'TD401', NULL, 'list without parameters, a garbage token: 401');
SELECT pg_temp.req('todo_user', '', '');
SELECT set_config('app.user_id', :'alice', true);
SELECT throws_ok($$SELECT * FROM api.task_list('{}')$$, 'TD401', NULL, 'list without parameters, a forged app.user_id and no token: 401');
SELECT pg_temp.req('todo_user', :'tok_a', :'alice');
SELECT throws_ok($$SELECT * FROM api.task_list(NULL)$$, 'TD400', NULL, 'list with NULL parameters: 400, as before');
SELECT throws_ok($$SELECT * FROM api.task_list('{"sort": ["-created_at"], "bogus": ["1"]}')$$, 'TD400', NULL,
	'list with an unknown parameter beside known ones: 400');
SELECT pg_temp.req(session_user, '', '');

-- try_uuid: canonical uuids in either case; anything else NULL
SELECT is(todo.try_uuid('00000000-0000-4000-8000-0000000000a1'), '00000000-0000-4000-8000-0000000000a1'::uuid, 'try_uuid: lowercase');
SELECT is(todo.try_uuid('ABCDEF01-2345-4789-ABCD-EF0123456789'), 'abcdef01-2345-4789-abcd-ef0123456789'::uuid, 'try_uuid: uppercase');
SELECT is(todo.try_uuid(v), NULL, format('try_uuid: %s is not a uuid', coalesce(v, 'NULL')))
FROM (VALUES
	(NULL), (''), ('00000000-0000-4000-8000-0000000000a'), ('00000000-0000-4000-8000-0000000000a1f'),
	('{00000000-0000-4000-8000-0000000000a1}'), ('000000000000400080000000000000a1'), ('00000000-0000-4000-8000-0000000000g1'),
	('0000000-00000-4000-8000-0000000000a1'), ('00000000-0000-4000-8000-0000000000é1'), (' 0000000-0000-4000-8000-0000000000a1')
) x(v);

-- act_as sets app.user_id for the transaction
SELECT todo.act_as(:'bob');
SELECT is(current_setting('app.user_id'), :'bob'::text, 'act_as: app.user_id is the user');

-- unknown_field_errors: unknown and read-only fields, sorted; none: []
SELECT is(todo.unknown_field_errors('{"title": 1, "zz": 2, "id": 3}', '{title}', '{id}'),
	'[{"field": "id", "message": "is read-only"}, {"field": "zz", "message": "is not a known field"}]',
	'unknown_field_errors: read-only and unknown fields, by name');
SELECT is(todo.unknown_field_errors('{"title": 1}', '{title}'), '[]', 'unknown_field_errors: none: []');

-- tags_from_json: an array of strings, a comma-separated string, null; anything else NULL
SELECT is(todo.tags_from_json('["a", "B"]'), ARRAY['a', 'B'], 'tags_from_json: an array of strings as it is');
SELECT is(todo.tags_from_json('"a, ,b ,,"'), ARRAY['a', 'b '], 'tags_from_json: a comma-separated string, empty items dropped');
SELECT is(todo.tags_from_json('null'), '{}'::text[], 'tags_from_json: null is no tags');
SELECT is(todo.tags_from_json('["a", 1]'), NULL, 'tags_from_json: an array with a non-string: NULL');
SELECT is(todo.tags_from_json('{}'), NULL, 'tags_from_json: an object: NULL');

-- trim_space and the recurrence functions (BEGIN ATOMIC bodies)
SELECT is(todo.trim_space(E' \t x y \n'), 'x y', 'trim_space: white space at both ends, none within');
SELECT is(todo.normalize_recurrence('  Every  3   DAYS '), 'every 3 days', 'normalize_recurrence: lowercase, single spaces, trimmed');
SELECT is(todo.recurrence_interval('every 3 days'), interval '3 days', 'recurrence_interval: every 3 days');
SELECT is(todo.recurrence_interval('every 366 days'), NULL, 'recurrence_interval: more than 365: NULL');

SELECT * FROM finish();
ROLLBACK;
