-- 20_task_create.sql: api.task_create: defaults, every input rule, 422 details, 401/403.
BEGIN;
\ir _helpers.psql
SELECT plan(131);

CREATE FUNCTION pg_temp.create(body jsonb) RETURNS text LANGUAGE sql
	AS $$ SELECT format('SELECT data, meta, error FROM api.task_create(%L)', body) $$;
CREATE FUNCTION pg_temp.created(body jsonb) RETURNS jsonb LANGUAGE sql
	AS $$ SELECT data::jsonb FROM api.task_create(body) $$;

SELECT pg_temp.make_user('alice', 'alice@example.com') AS alice, pg_temp.make_user('bob', 'bob@example.com') AS bob \gset
SELECT pg_temp.token_for('alice') AS tok_a, pg_temp.token_for('bob') AS tok_b \gset
SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS today,
	to_char(now() AT TIME ZONE 'UTC' - interval '1 day', 'YYYY-MM-DD') AS yesterday \gset

SELECT pg_temp.req('todo_user', :'tok_a', :'alice');

-- the smallest task: defaults
SELECT data AS t, meta IS NULL AND error IS NULL AS clean FROM api.task_create('{"title": "  Buy milk  "}') \gset
SELECT ok(:'clean', 'create: meta and error are NULL');
SELECT is((SELECT array_agg(k ORDER BY k) FROM json_object_keys(:'t'::json) k),
	ARRAY['completed', 'completed_at', 'created_at', 'description', 'due_date', 'id', 'priority', 'recursion_pattern',
		'status', 'tags', 'title', 'updated_at', 'user_id'], 'create: the task has exactly the contract''s fields');
SELECT is(:'t'::json ->> 'title', 'Buy milk', 'create: the title is trimmed');
SELECT is(json_typeof(:'t'::json -> 'description'), 'null', 'create: description absent is null');
SELECT is(:'t'::json ->> 'status', 'pending', 'create: status defaults to pending');
SELECT is(:'t'::jsonb -> 'completed', 'false', 'create: completed is false');
SELECT is(:'t'::json ->> 'priority', 'medium', 'create: priority defaults to medium');
SELECT is(json_typeof(:'t'::json -> 'due_date'), 'null', 'create: due_date defaults to null');
SELECT is(:'t'::jsonb -> 'tags', '[]', 'create: tags default to []');
SELECT is(json_typeof(:'t'::json -> 'recursion_pattern'), 'null', 'create: recursion_pattern defaults to null');
SELECT is(json_typeof(:'t'::json -> 'completed_at'), 'null', 'create: completed_at is null');
SELECT is(:'t'::json ->> 'user_id', :'alice', 'create: the task belongs to the token''s user');
SELECT matches(:'t'::json ->> 'id', '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$', 'create: the id is a uuid');
SELECT matches(:'t'::json ->> 'created_at', '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$', 'create: created_at is RFC 3339 UTC with Z');
SELECT ok((:'t'::json ->> 'created_at')::timestamptz = now() AND :'t'::json ->> 'updated_at' = :'t'::json ->> 'created_at',
	'create: created_at and updated_at are the transaction''s time');
SELECT is((SELECT data::jsonb FROM api.task_get(:'t'::json ->> 'id')), :'t'::jsonb, 'create: the task reads back identically');

-- title
SELECT is(pg_temp.fields(pg_temp.create('{}')), 'TD422: title', 'create: title is required');
SELECT is(pg_temp.field_message(pg_temp.create('{}'), 'title'), 'is required', 'create: ... with message "is required"');
SELECT is(pg_temp.fields(pg_temp.create('{"title": null}')), 'TD422: title', 'create: a null title is refused');
SELECT is(pg_temp.fields(pg_temp.create('{"title": 42}')), 'TD422: title', 'create: a title that is not a string is refused');
SELECT is(pg_temp.fields(pg_temp.create('{"title": "   "}')), 'TD422: title', 'create: a blank title is refused');
SELECT is(pg_temp.fields(pg_temp.create('{"title": "\t\n "}')), 'TD422: title', 'create: a title of tabs and newlines is refused');
SELECT is(pg_temp.fields(pg_temp.create(jsonb_build_object('title', repeat('x', 201)))), 'TD422: title', 'create: a title of 201 characters is refused');
SELECT is(pg_temp.field_message(pg_temp.create(jsonb_build_object('title', repeat('x', 201))), 'title'),
	'must be 1 to 200 characters after trimming', 'create: ... with message "must be 1 to 200 characters after trimming"');
SELECT is(pg_temp.created(jsonb_build_object('title', '  ' || repeat('x', 200) || E'\n')) ->> 'title', repeat('x', 200),
	'create: 200 characters surrounded by white space are accepted, trimmed');
SELECT is(pg_temp.created(jsonb_build_object('title', repeat('é', 200))) ->> 'title', repeat('é', 200),
	'create: the title counts characters, not bytes (200 x é)');
SELECT is(pg_temp.created('{"title": "a  b"}') ->> 'title', 'a  b', 'create: inner white space of the title is kept');

-- the Task JSON escapes whatever the text holds
SELECT is(pg_temp.created(jsonb_build_object('title', E'say "hi" \\ C:\\dir\ttab \u0001 \u001f </script> é 😀')) ->> 'title',
	E'say "hi" \\ C:\\dir\ttab \u0001 \u001f </script> é 😀', 'create: quotes, backslashes, tabs, control characters and emoji round-trip in the title');
SELECT is(pg_temp.created(jsonb_build_object('title', 'd', 'description', E'line 1\nline 2\r\n"quoted"')) ->> 'description',
	E'line 1\nline 2\r\n"quoted"', 'create: newlines and quotes round-trip in the description');
SELECT is(pg_temp.created('{"title": "t", "tags": ["\\", "\"q\"", "ü"]}') -> 'tags', '["\\", "\"q\"", "ü"]',
	'create: tags with a backslash and quotes round-trip');

-- description
SELECT is(length(pg_temp.created(jsonb_build_object('title', 'd', 'description', repeat('d', 10000))) ->> 'description'), 10000,
	'create: a description of 10,000 characters is accepted');
SELECT is(pg_temp.fields(pg_temp.create(jsonb_build_object('title', 'd', 'description', repeat('d', 10001)))), 'TD422: description',
	'create: a description of 10,001 characters is refused');
SELECT is(pg_temp.fields(pg_temp.create('{"title": "d", "description": 5}')), 'TD422: description', 'create: a description that is not a string is refused');
SELECT is(jsonb_typeof(pg_temp.created('{"title": "d", "description": null}') -> 'description'), 'null', 'create: a null description is null');
SELECT is(pg_temp.created('{"title": "d", "description": "  notes  "}') ->> 'description', '  notes  ', 'create: the description is kept as sent');

-- priority
SELECT is(pg_temp.created(jsonb_build_object('title', 'p', 'priority', p)) ->> 'priority', lower(p), format('create: priority %s is stored as %s', p, lower(p)))
	FROM unnest(ARRAY['HIGH', 'Low', 'mEdIuM']) p;
SELECT is(pg_temp.fields(pg_temp.create(jsonb_build_object('title', 'p', 'priority', p))), 'TD422: priority', format('create: priority %s is refused', p))
	FROM unnest(ARRAY['"urgent"', '1', 'null', '""']::jsonb[]) p;

-- due_date
SELECT is(pg_temp.created('{"title": "d", "due_date": "2099-12-31"}') ->> 'due_date', '2099-12-31T00:00:00Z', 'create: a date is midnight UTC');
SELECT is(pg_temp.created('{"title": "d", "due_date": "2099-06-01T10:00:00+02:00"}') ->> 'due_date', '2099-06-01T08:00:00Z', 'create: an offset is converted to UTC');
SELECT is(pg_temp.created('{"title": "d", "due_date": "2099-06-01T10:00:00-05:30"}') ->> 'due_date', '2099-06-01T15:30:00Z', 'create: a negative offset is converted to UTC');
SELECT is(pg_temp.created('{"title": "d", "due_date": "2099-06-01T10:00:00Z"}') ->> 'due_date', '2099-06-01T10:00:00Z', 'create: a Z timestamp is kept');
SELECT is(pg_temp.created('{"title": "d", "due_date": "2099-06-01T10:00:00.25Z"}') ->> 'due_date', '2099-06-01T10:00:00.25Z', 'create: fractional seconds are kept');
SELECT is(pg_temp.created(jsonb_build_object('title', 'd', 'due_date', :'today')) ->> 'due_date', :'today' || 'T00:00:00Z',
	'create: the date of today (UTC) is accepted');
SELECT is(pg_temp.fields(pg_temp.create(jsonb_build_object('title', 'd', 'due_date', :'yesterday'))), 'TD422: due_date',
	'create: the date of yesterday is refused');
SELECT is(pg_temp.field_message(pg_temp.create(jsonb_build_object('title', 'd', 'due_date', :'yesterday')), 'due_date'),
	'must not be in the past', 'create: ... with message "must not be in the past"');
SELECT is(pg_temp.fields(pg_temp.create('{"title": "d", "due_date": "2000-01-01T00:00:00Z"}')), 'TD422: due_date', 'create: a timestamp in the past is refused');
SELECT is(pg_temp.fields(pg_temp.create('{"title": "d", "due_date": "2099-12-01T10:00:00"}')), 'TD422: due_date', 'create: a timestamp without offset is refused');
SELECT is(pg_temp.field_message(pg_temp.create('{"title": "d", "due_date": "2099-12-01T10:00:00"}'), 'due_date'),
	'must be an RFC 3339 timestamp with an offset or a date YYYY-MM-DD', 'create: ... with message naming the accepted forms');
SELECT is(pg_temp.fields(pg_temp.create(jsonb_build_object('title', 'd', 'due_date', v))), 'TD422: due_date', format('create: due_date %s is refused', v))
	FROM unnest(ARRAY['"tomorrow"', '"2099-02-30"', '"2099-13-01"', '"2099-12-01T25:00:00Z"', '"2099-12-01T10:00Z"', '"12/01/2099"',
		'"2099-12-01T10:00:00+0200"', '"infinity"', '""', '20991201', 'true']::jsonb[]) v;
SELECT is(jsonb_typeof(pg_temp.created('{"title": "d", "due_date": null}') -> 'due_date'), 'null', 'create: a null due_date is null');
SET LOCAL TimeZone = 'Pacific/Kiritimati';
SELECT is(pg_temp.created('{"title": "d", "due_date": "2099-12-31"}') ->> 'due_date', '2099-12-31T00:00:00Z',
	'create: a date is midnight UTC whatever the session time zone (UTC+14)');
SELECT is(pg_temp.fields(pg_temp.create(jsonb_build_object('title', 'd', 'due_date', :'yesterday'))), 'TD422: due_date',
	'create: yesterday (UTC) is refused whatever the session time zone (UTC+14)');
SET LOCAL TimeZone = 'America/Los_Angeles';
SELECT is(pg_temp.created(jsonb_build_object('title', 'd', 'due_date', :'today')) ->> 'due_date', :'today' || 'T00:00:00Z',
	'create: today (UTC) is accepted whatever the session time zone (UTC-8)');
RESET TimeZone;

-- tags
SELECT is(pg_temp.created('{"title": "t", "tags": ["Work", " home ", "work", "HOME"]}') -> 'tags', '["work", "home"]',
	'create: tags are trimmed, lowercased and deduplicated, first occurrence order kept');
SELECT is(pg_temp.created('{"title": "t", "tags": "a, B ,,c"}') -> 'tags', '["a", "b", "c"]', 'create: a comma-separated string of tags is accepted');
SELECT is(pg_temp.created('{"title": "t", "tags": ""}') -> 'tags', '[]', 'create: an empty tag string is no tag');
SELECT is(pg_temp.created('{"title": "t", "tags": ["ÉTÉ", "ĞÜŞ", "ΣΟΦΙΑ"]}') -> 'tags', '["été", "ğüş", "σοφια"]', 'create: tags are lowercased Unicode-aware');
SELECT is(pg_temp.created('{"title": "t", "tags": ["ÉtÉ", "été"]}') -> 'tags', '["été"]', 'create: tags equal after Unicode lowercasing collapse');
SELECT is(pg_temp.created('{"title": "t", "tags": ["éééééééééé"]}') -> 'tags', '["éééééééééé"]', 'create: a tag of 10 characters (20 bytes) is accepted');
SELECT is(pg_temp.created(jsonb_build_object('title', 't', 'tags', jsonb_build_array(E'\u3000work\u00a0'))) -> 'tags', '["work"]',
	'create: Unicode white space around a tag is trimmed');
SELECT is(pg_temp.created('{"title": "t", "tags": null}') -> 'tags', '[]', 'create: null tags are no tag');
SELECT is(pg_temp.fields(pg_temp.create('{"title": "t", "tags": ["abcdefghijk"]}')), 'TD422: tags', 'create: a tag of 11 characters is refused');
SELECT is(pg_temp.field_message(pg_temp.create('{"title": "t", "tags": ["ok", "abcdefghijk"]}'), 'tags'),
	'tag "abcdefghijk" is longer than 10 characters', 'create: ... naming the tag');
SELECT is(pg_temp.field_message(pg_temp.create('{"title": "t", "tags": ["a b"]}'), 'tags'), 'tag "a b" contains whitespace', 'create: a tag with a space is refused, naming it');
SELECT is(pg_temp.field_message(pg_temp.create(jsonb_build_object('title', 't', 'tags', jsonb_build_array(E'a\u00a0b'))), 'tags'),
	E'tag "a\u00a0b" contains whitespace', 'create: a tag with a no-break space is refused');
SELECT is(pg_temp.field_message(pg_temp.create('{"title": "t", "tags": ["a,b"]}'), 'tags'), 'tag "a,b" contains a comma', 'create: a tag with a comma is refused, naming it');
SELECT is(pg_temp.fields(pg_temp.create('{"title": "t", "tags": ["ok", ""]}')), 'TD422: tags', 'create: an empty tag in an array is refused');
SELECT is(pg_temp.fields(pg_temp.create('{"title": "t", "tags": ["a\u0007"]}')), 'TD422: tags', 'create: a tag with a control character is refused');
SELECT is(pg_temp.fields(pg_temp.create('{"title": "t", "tags": ["a", 1]}')), 'TD422: tags', 'create: a tag that is not a string is refused');
SELECT is(pg_temp.fields(pg_temp.create('{"title": "t", "tags": [null]}')), 'TD422: tags', 'create: a null tag is refused');
SELECT is(pg_temp.fields(pg_temp.create('{"title": "t", "tags": {"a": 1}}')), 'TD422: tags', 'create: tags as an object are refused');
SELECT is(pg_temp.fields(pg_temp.create('{"title": "t", "tags": 5}')), 'TD422: tags', 'create: tags as a number are refused');
SELECT is(jsonb_array_length(pg_temp.created(jsonb_build_object('title', 't', 'tags', (SELECT jsonb_agg('t' || i) FROM generate_series(1, 20) i))) -> 'tags'), 20,
	'create: 20 tags are accepted');
SELECT is(pg_temp.fields(pg_temp.create(jsonb_build_object('title', 't', 'tags', (SELECT jsonb_agg('t' || i) FROM generate_series(1, 21) i)))), 'TD422: tags',
	'create: 21 distinct tags are refused');
SELECT is(jsonb_array_length(pg_temp.created(jsonb_build_object('title', 't', 'tags', (SELECT jsonb_agg('t' || i) FROM generate_series(1, 20) i) || '["T1"]')) -> 'tags'), 20,
	'create: 21 tags of which 2 collapse into one are 20, accepted (duplicates collapse before counting)');
SELECT is(pg_temp.fields(pg_temp.create(jsonb_build_object('title', 't', 'tags', (SELECT string_agg('t' || i, ',') FROM generate_series(1, 21) i)))), 'TD422: tags',
	'create: a comma string of 21 distinct tags is refused');

-- recursion_pattern
SELECT is(pg_temp.created(jsonb_build_object('title', 'r', 'recursion_pattern', p)) ->> 'recursion_pattern', s, format('create: pattern "%s" is stored as "%s"', p, s))
	FROM (VALUES ('Daily', 'daily'), ('WEEKLY', 'weekly'), ('monthly', 'monthly'), ('yearly', 'yearly'),
		(' Every  3 Weeks ', 'every 3 weeks'), ('every 365 days', 'every 365 days'), ('every 1 months', 'every 1 months'),
		('every 2 years', 'every 2 years')) v(p, s);
SELECT is(pg_temp.fields(pg_temp.create(jsonb_build_object('title', 'r', 'recursion_pattern', p))), 'TD422: recursion_pattern', format('create: pattern %s is refused', p))
	FROM unnest(ARRAY['"every 366 days"', '"every 0 days"', '"every -1 days"', '"every 2 fortnights"', '"biweekly"', '"every days"', '""', '5']::jsonb[]) p;
SELECT is(jsonb_typeof(pg_temp.created('{"title": "r", "recursion_pattern": null}') -> 'recursion_pattern'), 'null', 'create: a null pattern is null');

-- status and completed
SELECT ok((SELECT status = 'completed' AND completed AND completed_at IS NOT NULL
		FROM jsonb_to_record(pg_temp.created('{"title": "s", "status": "completed"}')) AS x(status text, completed boolean, completed_at timestamptz)),
	'create: status completed makes a completed task with completed_at');
SELECT ok((SELECT status = 'completed' AND completed AND completed_at = now()
		FROM jsonb_to_record(pg_temp.created('{"title": "s", "completed": true}')) AS x(status text, completed boolean, completed_at timestamptz)),
	'create: completed true is status completed, completed_at now');
SELECT ok((SELECT status = 'pending' AND NOT completed AND completed_at IS NULL
		FROM jsonb_to_record(pg_temp.created('{"title": "s", "completed": false}')) AS x(status text, completed boolean, completed_at timestamptz)),
	'create: completed false is a pending task');
SELECT is(pg_temp.created('{"title": "s", "status": "pending", "completed": false}') ->> 'status', 'pending', 'create: status and completed that agree are accepted');
SELECT is(pg_temp.created('{"title": "s", "status": "completed", "completed": true}') ->> 'status', 'completed', 'create: status completed with completed true is accepted');
SELECT is(pg_temp.fields(pg_temp.create('{"title": "s", "status": "completed", "completed": false}')), 'TD422: completed', 'create: status and completed that contradict are refused');
SELECT is(pg_temp.fields(pg_temp.create('{"title": "s", "status": "pending", "completed": true}')), 'TD422: completed', 'create: status pending with completed true is refused');
SELECT is(pg_temp.fields(pg_temp.create('{"title": "s", "status": "done"}')), 'TD422: status', 'create: an unknown status is refused');
SELECT is(pg_temp.fields(pg_temp.create('{"title": "s", "completed": "yes"}')), 'TD422: completed', 'create: completed that is not a boolean is refused');

-- unknown and read-only fields
SELECT is(pg_temp.field_message(pg_temp.create('{"title": "u", "colour": "red"}'), 'colour'), 'is not a known field', 'create: an unknown field is a 422 naming it');
SELECT is(pg_temp.field_message(pg_temp.create(jsonb_build_object('title', 'u', f, 'x')), f), 'is read-only', format('create: %s is read-only', f))
	FROM unnest(ARRAY['id', 'user_id', 'created_at', 'updated_at', 'completed_at']) f;
SELECT is(pg_temp.fields(pg_temp.create('{"title": "", "priority": "x", "due_date": "nope", "tags": [1], "recursion_pattern": "x", "status": "x", "colour": 1}')),
	'TD422: colour,due_date,priority,recursion_pattern,status,tags,title', 'create: every bad field is named at once');
SELECT is((pg_temp.err(pg_temp.create('{"title": "", "colour": 1}')) ->> 'message'), 'invalid fields: colour, title', 'create: the message names the bad fields');

-- authentication and the path owner come first
SELECT pg_temp.req('todo_user', '', :'alice');
SELECT throws_ok(pg_temp.create('{"title": "x"}'), 'TD401', NULL, 'create without a token: 401');
SELECT pg_temp.req('todo_user', :'tok_a', :'bob');
SELECT throws_ok(pg_temp.create('{"title": "x"}'), 'TD403', NULL, 'create in another user''s path: 403');
SELECT throws_ok(pg_temp.create('{"colour": 1}'), 'TD403', NULL, 'create in another user''s path with a bad body: 403, not 422');
SELECT pg_temp.req('todo_user', 'bad.token.here', :'bob');
SELECT throws_ok(pg_temp.create('{"colour": 1}'), 'TD401', NULL, 'create with a bad token, another user''s path and a bad body: 401');
SELECT pg_temp.req('todo_user', :'tok_b', :'bob');
SELECT is((SELECT data ->> 'user_id' FROM api.task_create('{"title": "bob''s"}')), :'bob', 'bob creates his own task');
RESET ROLE;
SELECT is((SELECT count(*)::int FROM todo.tasks WHERE user_id = :'bob'), 1, 'refused creates stored nothing; bob has only his own task');

SELECT * FROM finish();
ROLLBACK;
