-- 21_task_update.sql: api.task_update: any subset of the mutable fields, null clearing, past
-- due dates allowed, the same rules as create, 404 for ids that are not the caller's.
BEGIN;
\ir _helpers.psql
SELECT plan(68);

CREATE FUNCTION pg_temp.upd(id text, body jsonb) RETURNS text LANGUAGE sql
	AS $$ SELECT format('SELECT data, meta, error FROM api.task_update(%L, %L)', id, body) $$;
CREATE FUNCTION pg_temp.updated(id text, body jsonb) RETURNS jsonb LANGUAGE sql
	AS $$ SELECT data::jsonb FROM api.task_update(id, body) $$;
CREATE FUNCTION pg_temp.current(id text) RETURNS jsonb LANGUAGE sql
	AS $$ SELECT data::jsonb FROM api.task_get(id) $$;

SELECT pg_temp.make_user('alice', 'alice@example.com') AS alice, pg_temp.make_user('bob', 'bob@example.com') AS bob \gset
SELECT pg_temp.token_for('alice') AS tok_a \gset
INSERT INTO todo.tasks (user_id, title) VALUES (:'bob', 'bob''s task') RETURNING id AS bob_task \gset
SELECT to_char(now() AT TIME ZONE 'UTC' - interval '1 day', 'YYYY-MM-DD') AS yesterday \gset

SELECT pg_temp.req('todo_user', :'tok_a', :'alice');
SELECT data AS t FROM api.task_create('{"title": "Original", "description": "desc", "priority": "high", "due_date": "2099-01-01",
	"tags": ["a", "b"], "recursion_pattern": "weekly"}') \gset
SELECT :'t'::json ->> 'id' AS tid \gset
SELECT data AS plain FROM api.task_create('{"title": "Plain"}') \gset
SELECT :'plain'::json ->> 'id' AS pid \gset

-- a subset: only what is sent changes
SELECT data AS u1, meta IS NULL AND error IS NULL AS clean FROM api.task_update(:'tid', '{"title": "  New title  "}') \gset
SELECT ok(:'clean', 'update: meta and error are NULL');
SELECT is(:'u1'::json ->> 'title', 'New title', 'update: the title is trimmed and changed');
SELECT is(:'u1'::jsonb - 'title' - 'updated_at', :'t'::jsonb - 'title' - 'updated_at', 'update: every field not sent keeps its value');
SELECT ok((:'u1'::json ->> 'updated_at')::timestamptz > (:'t'::json ->> 'updated_at')::timestamptz, 'update: updated_at moves forward');
SELECT is(:'u1'::json ->> 'created_at', :'t'::json ->> 'created_at', 'update: created_at does not change');
SELECT is(pg_temp.current(:'tid'), :'u1'::jsonb, 'update: the returned task is what is stored');
SELECT data AS u2 FROM api.task_update(:'tid', '{}') \gset
SELECT is(:'u2'::jsonb - 'updated_at', :'u1'::jsonb - 'updated_at', 'update with {}: nothing changes but updated_at');
SELECT ok((:'u2'::json ->> 'updated_at')::timestamptz > (:'u1'::json ->> 'updated_at')::timestamptz, 'update with {}: updated_at moves forward again');
SELECT is(pg_temp.updated(:'tid', '{"description": "new notes"}') ->> 'description', 'new notes', 'update: description changes');
SELECT is(pg_temp.updated(:'tid', '{"priority": "LOW"}') ->> 'priority', 'low', 'update: priority in any case is stored lowercase');
SELECT is(pg_temp.updated(:'tid', '{"tags": ["X", "x", "y"]}') -> 'tags', '["x", "y"]', 'update: tags are normalized');
SELECT is(pg_temp.updated(:'tid', '{"tags": "c, d"}') -> 'tags', '["c", "d"]', 'update: tags as a comma string');
SELECT is(pg_temp.updated(:'tid', '{"recursion_pattern": "Every 2 Days"}') ->> 'recursion_pattern', 'every 2 days', 'update: a pattern is normalized');
SELECT is(pg_temp.updated(:'tid', '{"due_date": "2099-03-04T05:06:07+01:00"}') ->> 'due_date', '2099-03-04T04:06:07Z', 'update: due_date with an offset, stored in UTC');
SELECT is(pg_temp.current(:'tid') - 'updated_at' - 'description' - 'priority' - 'tags' - 'recursion_pattern' - 'due_date',
	:'u1'::jsonb - 'updated_at' - 'description' - 'priority' - 'tags' - 'recursion_pattern' - 'due_date',
	'update: a series of partial updates left the other fields alone');
SELECT is(pg_temp.updated(:'tid', '{"title": "Everything", "description": "all", "priority": "medium", "due_date": "2099-05-05",
		"tags": ["z"], "recursion_pattern": "monthly"}') - 'id' - 'user_id' - 'created_at' - 'updated_at',
	'{"title": "Everything", "description": "all", "priority": "medium", "due_date": "2099-05-05T00:00:00Z", "tags": ["z"],
		"recursion_pattern": "monthly", "status": "pending", "completed": false, "completed_at": null}',
	'update: every mutable field at once');

-- past due dates are fine on update
SELECT is(pg_temp.updated(:'tid', jsonb_build_object('due_date', :'yesterday')) ->> 'due_date', :'yesterday' || 'T00:00:00Z',
	'update: the date of yesterday is accepted (existing tasks may be overdue)');
SELECT is(pg_temp.updated(:'tid', '{"due_date": "2000-01-01T00:00:00Z"}') ->> 'due_date', '2000-01-01T00:00:00Z', 'update: a timestamp years ago is accepted');

SELECT is(pg_temp.updated(:'tid', jsonb_build_object('due_date', d)) ->> 'due_date', e, format('update: due_date %s is returned as %s', d, e))
	FROM (VALUES ('0001-01-01', '0001-01-01T00:00:00Z'), ('2099-01-01T00:00:00.000001Z', '2099-01-01T00:00:00.000001Z'),
		('2099-01-01T00:00:00.100+00:00', '2099-01-01T00:00:00.1Z'), ('2099-12-31T23:59:59-00:30', '2100-01-01T00:29:59Z')) v(d, e);

-- null clears nullable fields
SELECT is(jsonb_typeof(pg_temp.updated(:'tid', '{"description": null}') -> 'description'), 'null', 'update: null clears description');
SELECT is(jsonb_typeof(pg_temp.updated(:'tid', '{"due_date": null}') -> 'due_date'), 'null', 'update: null clears due_date');
SELECT is(jsonb_typeof(pg_temp.updated(:'tid', '{"recursion_pattern": null}') -> 'recursion_pattern'), 'null', 'update: null clears recursion_pattern');
SELECT is(pg_temp.updated(:'tid', '{"tags": null}') -> 'tags', '[]', 'update: null tags are no tag');
SELECT is(pg_temp.updated(:'tid', '{"tags": ["k"]}') -> 'tags', '["k"]', 'update: tags set again');
SELECT is(pg_temp.updated(:'tid', '{"tags": []}') -> 'tags', '[]', 'update: an empty array removes every tag');
SELECT is(pg_temp.current(:'tid') ->> 'title', 'Everything', 'update: clearing fields left the title');

-- the rules of create apply
SELECT is(pg_temp.fields(pg_temp.upd(:'tid', '{"title": null}')), 'TD422: title', 'update: title cannot be cleared');
SELECT is(pg_temp.fields(pg_temp.upd(:'tid', '{"title": "  "}')), 'TD422: title', 'update: a blank title is refused');
SELECT is(pg_temp.fields(pg_temp.upd(:'tid', jsonb_build_object('title', repeat('x', 201)))), 'TD422: title', 'update: a title of 201 characters is refused');
SELECT is(pg_temp.fields(pg_temp.upd(:'tid', '{"title": 5}')), 'TD422: title', 'update: a title that is not a string is refused');
SELECT is(pg_temp.fields(pg_temp.upd(:'tid', jsonb_build_object('description', repeat('d', 10001)))), 'TD422: description', 'update: a description of 10,001 characters is refused');
SELECT is(pg_temp.fields(pg_temp.upd(:'tid', '{"priority": null}')), 'TD422: priority', 'update: priority cannot be cleared');
SELECT is(pg_temp.fields(pg_temp.upd(:'tid', '{"priority": "urgent"}')), 'TD422: priority', 'update: an unknown priority is refused');
SELECT is(pg_temp.fields(pg_temp.upd(:'tid', '{"due_date": "2099-12-01T10:00:00"}')), 'TD422: due_date', 'update: a timestamp without offset is refused');
SELECT is(pg_temp.fields(pg_temp.upd(:'tid', '{"due_date": "soon"}')), 'TD422: due_date', 'update: an unparseable due_date is refused');
SELECT is(pg_temp.fields(pg_temp.upd(:'tid', '{"tags": ["abcdefghijk"]}')), 'TD422: tags', 'update: a tag of 11 characters is refused');
SELECT is(pg_temp.fields(pg_temp.upd(:'tid', '{"recursion_pattern": "every 400 days"}')), 'TD422: recursion_pattern', 'update: an invalid pattern is refused');
SELECT is(pg_temp.fields(pg_temp.upd(:'tid', '{"status": null}')), 'TD422: status', 'update: status cannot be null');
SELECT is(pg_temp.fields(pg_temp.upd(:'tid', '{"completed": null}')), 'TD422: completed', 'update: completed cannot be null');
SELECT is(pg_temp.fields(pg_temp.upd(:'tid', '{"status": "completed", "completed": false}')), 'TD422: completed', 'update: status and completed that contradict are refused');
SELECT is(pg_temp.field_message(pg_temp.upd(:'tid', '{"colour": "red"}'), 'colour'), 'is not a known field', 'update: an unknown field is refused');
SELECT is(pg_temp.field_message(pg_temp.upd(:'tid', jsonb_build_object(f, 'x')), f), 'is read-only', format('update: %s is read-only', f))
	FROM unnest(ARRAY['id', 'user_id', 'created_at', 'updated_at', 'completed_at']) f;
SELECT is(pg_temp.fields(pg_temp.upd(:'tid', '{"title": "Changed", "priority": "urgent"}')), 'TD422: priority', 'update: one bad field refuses the whole update');
SELECT is(pg_temp.current(:'tid') ->> 'title', 'Everything', 'update: ... and nothing of it is stored');

-- completion through update
SELECT ok((SELECT status = 'completed' AND completed AND completed_at IS NOT NULL
		FROM jsonb_to_record(pg_temp.updated(:'pid', '{"status": "completed"}')) AS x(status text, completed boolean, completed_at timestamptz)),
	'update: status completed completes the task and sets completed_at');
SELECT ok((SELECT status = 'pending' AND NOT completed AND completed_at IS NULL
		FROM jsonb_to_record(pg_temp.updated(:'pid', '{"completed": false}')) AS x(status text, completed boolean, completed_at timestamptz)),
	'update: completed false reopens the task and clears completed_at');
SELECT ok((SELECT status = 'completed' AND completed_at IS NOT NULL
		FROM jsonb_to_record(pg_temp.updated(:'pid', '{"completed": true}')) AS x(status text, completed_at timestamptz)),
	'update: completed true completes the task');

-- 404 for ids that are not the caller's, malformed ones included
SELECT throws_ok(pg_temp.upd(i, '{"title": "x"}'), 'TD404', 'task not found', format('update of id %s: 404', i))
	FROM unnest(ARRAY['abc', '', '123', '{' || :'tid' || '}', left(:'tid', 35), :'tid' || '0', gen_random_uuid()::text, $$' OR ''='$$]) i;
SELECT throws_ok(pg_temp.upd(:'bob_task', '{"title": "hacked"}'), 'TD404', 'task not found', 'update of another user''s task: 404');
SELECT is(pg_temp.updated(upper(:'tid'), '{"title": "Upper"}') ->> 'id', :'tid', 'update: an id in uppercase is the same task');

-- authentication and the path owner first
SELECT pg_temp.req('todo_user', :'tok_a', :'bob');
SELECT throws_ok(pg_temp.upd(:'bob_task', '{"title": "hacked"}'), 'TD403', NULL, 'update in another user''s path: 403');
SELECT throws_ok(pg_temp.upd(:'bob_task', '{"colour": 1}'), 'TD403', NULL, 'update in another user''s path with a bad body: 403');
SELECT pg_temp.req('todo_user', '', :'alice');
SELECT throws_ok(pg_temp.upd(:'tid', '{"title": "x"}'), 'TD401', NULL, 'update without a token: 401');
RESET ROLE;
SELECT is((SELECT title FROM todo.tasks WHERE id = :'bob_task'), 'bob''s task', 'bob''s task is unchanged');

SELECT * FROM finish();
ROLLBACK;
