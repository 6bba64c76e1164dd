-- 02_constraints.sql: every constraint and trigger, by direct SQL as superuser (superusers
-- bypass row-level security, but constraints and triggers still apply).
BEGIN;
\ir _helpers.psql
SELECT plan(71);

-- fixtures
SELECT pg_temp.make_user('alice', 'alice@example.com') AS alice \gset
SELECT pg_temp.make_user('bob', 'bob@example.com') AS bob \gset
PREPARE task_with(text, text, text, text, timestamptz) AS
	INSERT INTO todo.tasks (user_id, title, description, tags, recursion_pattern, due_date)
	VALUES (:'alice', $1, $2, coalesce($3, '{}')::text[], $4, $5);
CREATE FUNCTION pg_temp.check_error(tbl text, constraint_name text) RETURNS text LANGUAGE sql
	AS $$ SELECT format('new row for relation "%s" violates check constraint "%s"', tbl, constraint_name) $$;

-- tasks.title
SELECT lives_ok($$EXECUTE task_with(repeat('t', 200), NULL, NULL, NULL, NULL)$$, 'a title of 200 characters is accepted');
SELECT throws_ok($$EXECUTE task_with(repeat('t', 201), NULL, NULL, NULL, NULL)$$, '23514',
	pg_temp.check_error('tasks', 'tasks_title_length'), 'a title of 201 characters is refused');
SELECT lives_ok($$EXECUTE task_with(repeat('é', 200), NULL, NULL, NULL, NULL)$$, 'title length counts characters, not bytes (200 x é)');
SELECT throws_ok($$EXECUTE task_with('', NULL, NULL, NULL, NULL)$$, '23514',
	pg_temp.check_error('tasks', 'tasks_title_length'), 'an empty title is refused');
SELECT throws_ok($$EXECUTE task_with(' padded', NULL, NULL, NULL, NULL)$$, '23514',
	pg_temp.check_error('tasks', 'tasks_title_trimmed'), 'a title with a leading space is refused');
SELECT throws_ok($$EXECUTE task_with(E'padded\n', NULL, NULL, NULL, NULL)$$, '23514',
	pg_temp.check_error('tasks', 'tasks_title_trimmed'), 'a title with a trailing newline is refused');
SELECT throws_ok($$INSERT INTO todo.tasks (user_id, title) VALUES ('$$ || :'alice' || $$', NULL)$$, '23502', NULL,
	'a NULL title is refused');

-- tasks.description
SELECT lives_ok($$EXECUTE task_with('d', repeat('d', 10000), NULL, NULL, NULL)$$, 'a description of 10,000 characters is accepted');
SELECT throws_ok($$EXECUTE task_with('d', repeat('d', 10001), NULL, NULL, NULL)$$, '23514',
	pg_temp.check_error('tasks', 'tasks_description_length'), 'a description of 10,001 characters is refused');

-- tasks.tags: only normalized arrays (trimmed, lowercase, unique, 1-10 characters, at most 20)
SELECT lives_ok($$EXECUTE task_with('t', NULL, '{work,été,a123456789}', NULL, NULL)$$, 'normalized tags are accepted');
SELECT throws_ok($$EXECUTE task_with('t', NULL, '{Work}', NULL, NULL)$$, '23514',
	pg_temp.check_error('tasks', 'tasks_tags_normalized'), 'an uppercase tag (Work) is refused');
SELECT throws_ok($$EXECUTE task_with('t', NULL, '{ÉTÉ}', NULL, NULL)$$, '23514',
	pg_temp.check_error('tasks', 'tasks_tags_normalized'), 'a non-ASCII uppercase tag (ÉTÉ) is refused');
SELECT throws_ok($$EXECUTE task_with('t', NULL, '{" a"}', NULL, NULL)$$, '23514',
	pg_temp.check_error('tasks', 'tasks_tags_normalized'), 'an untrimmed tag ('' a'') is refused');
SELECT throws_ok($$EXECUTE task_with('t', NULL, '{a,b,a}', NULL, NULL)$$, '23514',
	pg_temp.check_error('tasks', 'tasks_tags_normalized'), 'duplicate tags are refused');
SELECT throws_ok($$EXECUTE task_with('t', NULL, '{abcdefghijk}', NULL, NULL)$$, 'TD422',
	'tag "abcdefghijk" is longer than 10 characters', 'a tag of 11 characters is refused');
SELECT throws_ok($$EXECUTE task_with('t', NULL, '{""}', NULL, NULL)$$, 'TD422', 'empty tag', 'an empty tag is refused');
SELECT throws_ok($$EXECUTE task_with('t', NULL, '{"a b"}', NULL, NULL)$$, 'TD422', 'tag "a b" contains whitespace',
	'a tag with inner whitespace is refused');
SELECT throws_ok($$EXECUTE task_with('t', NULL, '{"a,b"}', NULL, NULL)$$, 'TD422', 'tag "a,b" contains a comma',
	'a tag with a comma is refused');
SELECT throws_ok($$EXECUTE task_with('t', NULL, ARRAY[E'a\x07b']::text, NULL, NULL)$$, 'TD422', NULL,
	'a tag with a control character is refused');
SELECT throws_ok($$EXECUTE task_with('t', NULL, '{a,NULL}', NULL, NULL)$$, 'TD422', 'tags must not contain null',
	'a NULL tag is refused');
SELECT throws_ok($$EXECUTE task_with('t', NULL, '{{a},{b}}', NULL, NULL)$$, 'TD422', NULL,
	'a two-dimensional tags array is refused');
SELECT throws_ok($$EXECUTE task_with('t', NULL, '[0:0]={a}', NULL, NULL)$$, '23514',
	pg_temp.check_error('tasks', 'tasks_tags_normalized'), 'a tags array not starting at index 1 is refused');
SELECT lives_ok(format('INSERT INTO todo.tasks (user_id, title, tags) VALUES (%L, %L, ARRAY(SELECT ''t'' || i FROM generate_series(1, 20) i))', :'alice', 't'),
	'20 tags are accepted');
SELECT throws_ok(format('INSERT INTO todo.tasks (user_id, title, tags) VALUES (%L, %L, ARRAY(SELECT ''t'' || i FROM generate_series(1, 21) i))', :'alice', 't'),
	'TD422', 'too many tags: 21 (at most 20)', '21 tags are refused');

-- tasks.recursion_pattern: stored form only
SELECT lives_ok($$EXECUTE task_with('r', NULL, NULL, 'daily', NULL)$$, 'pattern daily is accepted');
SELECT lives_ok($$EXECUTE task_with('r', NULL, NULL, 'every 365 days', NULL)$$, 'pattern every 365 days is accepted');
SELECT lives_ok($$EXECUTE task_with('r', NULL, NULL, 'every 1 years', NULL)$$, 'pattern every 1 years is accepted');
SELECT throws_ok($$EXECUTE task_with('r', NULL, NULL, 'Daily', NULL)$$, '23514',
	pg_temp.check_error('tasks', 'tasks_recursion_pattern_valid'), 'pattern Daily (not lowercase) is refused');
SELECT throws_ok($$EXECUTE task_with('r', NULL, NULL, 'every  2 days', NULL)$$, '23514',
	pg_temp.check_error('tasks', 'tasks_recursion_pattern_valid'), 'pattern with a double space is refused');
SELECT throws_ok($$EXECUTE task_with('r', NULL, NULL, 'every 0 days', NULL)$$, '23514',
	pg_temp.check_error('tasks', 'tasks_recursion_pattern_valid'), 'pattern every 0 days is refused');
SELECT throws_ok($$EXECUTE task_with('r', NULL, NULL, 'every 366 days', NULL)$$, '23514',
	pg_temp.check_error('tasks', 'tasks_recursion_pattern_valid'), 'pattern every 366 days is refused');
SELECT throws_ok($$EXECUTE task_with('r', NULL, NULL, 'hourly', NULL)$$, '23514',
	pg_temp.check_error('tasks', 'tasks_recursion_pattern_valid'), 'pattern hourly is refused');

-- tasks.due_date: finite
SELECT throws_ok($$EXECUTE task_with('x', NULL, NULL, NULL, 'infinity')$$, '23514',
	pg_temp.check_error('tasks', 'tasks_due_date_finite'), 'an infinite due date is refused');
SELECT throws_ok($$EXECUTE task_with('x', NULL, NULL, NULL, '-infinity')$$, '23514',
	pg_temp.check_error('tasks', 'tasks_due_date_finite'), 'a -infinite due date is refused');

-- tasks.user_id
SELECT throws_ok($$INSERT INTO todo.tasks (user_id, title) VALUES (gen_random_uuid(), 'orphan')$$, '23503', NULL,
	'a task of an unknown user is refused');

-- completed_at and status: the trigger keeps them consistent, the CHECK backs it up
INSERT INTO todo.tasks (user_id, title, status, completed_at) VALUES (:'alice', 'pending with stamp', 'pending', '2001-01-01');
SELECT is((SELECT completed_at FROM todo.tasks WHERE title = 'pending with stamp'), NULL,
	'inserting a pending task with completed_at stores completed_at NULL');
INSERT INTO todo.tasks (user_id, title, status) VALUES (:'alice', 'completed without stamp', 'completed');
SELECT is((SELECT completed_at FROM todo.tasks WHERE title = 'completed without stamp'), now(),
	'inserting a completed task without completed_at stamps it now()');
ALTER TABLE todo.tasks DISABLE TRIGGER USER;  -- the CHECK alone (rolled back with the file)
SELECT throws_ok($$INSERT INTO todo.tasks (user_id, title, status, completed_at) VALUES ('$$ || :'alice' || $$', 'x', 'pending', now())$$,
	'23514', pg_temp.check_error('tasks', 'tasks_completed_at_status'), 'CHECK: a pending task with completed_at is refused');
SELECT throws_ok($$INSERT INTO todo.tasks (user_id, title, status) VALUES ('$$ || :'alice' || $$', 'x', 'completed')$$,
	'23514', pg_temp.check_error('tasks', 'tasks_completed_at_status'), 'CHECK: a completed task without completed_at is refused');
ALTER TABLE todo.tasks ENABLE TRIGGER USER;

-- completed_at on UPDATE: set on completion, kept while completed, cleared on reopen, never set by callers
INSERT INTO todo.tasks (user_id, title) VALUES (:'alice', 'lifecycle') RETURNING id AS life \gset
UPDATE todo.tasks SET completed_at = '2001-01-01' WHERE id = :'life';
SELECT is((SELECT completed_at FROM todo.tasks WHERE id = :'life'), NULL, 'UPDATE cannot set completed_at of a pending task');
UPDATE todo.tasks SET status = 'completed' WHERE id = :'life';
SELECT ok((SELECT completed_at >= now() AND completed_at <= clock_timestamp() FROM todo.tasks WHERE id = :'life'),
	'completing a task sets completed_at to the current time');
SELECT completed_at AS life_done FROM todo.tasks WHERE id = :'life' \gset
UPDATE todo.tasks SET completed_at = '2001-01-01' WHERE id = :'life';
SELECT is((SELECT completed_at FROM todo.tasks WHERE id = :'life'), :'life_done'::timestamptz,
	'UPDATE cannot change completed_at of a completed task');
UPDATE todo.tasks SET status = 'completed', title = 'lifecycle 2' WHERE id = :'life';
SELECT is((SELECT completed_at FROM todo.tasks WHERE id = :'life'), :'life_done'::timestamptz,
	'updating a completed task keeps its completed_at');
UPDATE todo.tasks SET status = 'pending' WHERE id = :'life';
SELECT is((SELECT completed_at FROM todo.tasks WHERE id = :'life'), NULL, 'reopening a task clears completed_at');

-- created_at / updated_at on UPDATE
INSERT INTO todo.tasks (user_id, title, created_at, updated_at)
VALUES (:'alice', 'stamps', '2000-01-01Z', '2000-01-01Z') RETURNING id AS stamps \gset
UPDATE todo.tasks SET title = 'stamps 2' WHERE id = :'stamps';
SELECT ok((SELECT updated_at >= now() FROM todo.tasks WHERE id = :'stamps'), 'tasks: UPDATE moves updated_at to the current time');
UPDATE todo.tasks SET updated_at = '1999-01-01Z' WHERE id = :'stamps';
SELECT ok((SELECT updated_at >= now() FROM todo.tasks WHERE id = :'stamps'), 'tasks: UPDATE cannot set updated_at');
UPDATE todo.tasks SET created_at = '2010-01-01Z' WHERE id = :'stamps';
SELECT is((SELECT created_at FROM todo.tasks WHERE id = :'stamps'), '2000-01-01Z'::timestamptz, 'tasks: UPDATE cannot change created_at');
SELECT updated_at AS first_update FROM todo.tasks WHERE id = :'stamps' \gset
UPDATE todo.tasks SET title = 'stamps 3' WHERE id = :'stamps';
SELECT ok((SELECT updated_at > :'first_update'::timestamptz FROM todo.tasks WHERE id = :'stamps'),
	'tasks: every UPDATE moves updated_at again, even within one transaction');
UPDATE todo.users SET created_at = '2000-01-01Z', updated_at = '2000-01-01Z' WHERE id = :'bob';
SELECT ok((SELECT created_at = now() AND updated_at >= now() FROM todo.users WHERE id = :'bob'),
	'users: UPDATE cannot change created_at and moves updated_at');
UPDATE todo.users SET name = 'Bob' WHERE id = :'bob';
SELECT ok((SELECT updated_at > now() FROM todo.users WHERE id = :'bob'), 'users: UPDATE moves updated_at to the current time');

-- users
PREPARE user_with(text, text, text, text) AS
	INSERT INTO todo.users (username, email, password_hash, name) VALUES ($1, $2, coalesce($3, crypt('password1', gen_salt('bf', 4))), $4);
SELECT lives_ok($$EXECUTE user_with('carol_99', 'carol@example.com', NULL, NULL)$$, 'a valid user is accepted');
SELECT throws_ok($$EXECUTE user_with('Dave', 'Dave@Example.com', NULL, NULL)$$, '23514',
	pg_temp.check_error('users', 'users_email_format'), 'an email that is not lowercase is refused');
SELECT throws_ok($$EXECUTE user_with('dave', 'dave.example.com', NULL, NULL)$$, '23514',
	pg_temp.check_error('users', 'users_email_format'), 'an email without @ is refused');
SELECT throws_ok($$EXECUTE user_with('dave', 'dave@example', NULL, NULL)$$, '23514',
	pg_temp.check_error('users', 'users_email_format'), 'an email without a dot in its domain is refused');
SELECT throws_ok($$EXECUTE user_with('dave', 'da ve@example.com', NULL, NULL)$$, '23514',
	pg_temp.check_error('users', 'users_email_format'), 'an email with a space is refused');
SELECT throws_ok($$EXECUTE user_with('dave', repeat('d', 243) || '@example.com', NULL, NULL)$$, '23514',
	pg_temp.check_error('users', 'users_email_format'), 'an email of 255 characters is refused');
SELECT throws_ok($$EXECUTE user_with('da', 'dave@example.com', NULL, NULL)$$, '23514',
	pg_temp.check_error('users', 'users_username_format'), 'a username of 2 characters is refused');
SELECT throws_ok($$EXECUTE user_with(repeat('d', 31), 'dave@example.com', NULL, NULL)$$, '23514',
	pg_temp.check_error('users', 'users_username_format'), 'a username of 31 characters is refused');
SELECT throws_ok($$EXECUTE user_with('da-ve', 'dave@example.com', NULL, NULL)$$, '23514',
	pg_temp.check_error('users', 'users_username_format'), 'a username with a hyphen is refused');
SELECT throws_ok($$EXECUTE user_with('davé', 'dave@example.com', NULL, NULL)$$, '23514',
	pg_temp.check_error('users', 'users_username_format'), 'a username with a non-ASCII letter is refused');
SELECT throws_ok($$EXECUTE user_with('dave', 'dave@example.com', 'secret-password', NULL)$$, '23514',
	pg_temp.check_error('users', 'users_password_hash_bcrypt'), 'a password_hash that is not bcrypt is refused');
SELECT throws_ok($$EXECUTE user_with('dave', 'dave@example.com', '$1$abcdefgh$abcdefghijklmnopqrstuv', NULL)$$, '23514',
	pg_temp.check_error('users', 'users_password_hash_bcrypt'), 'an MD5-crypt password_hash is refused');
-- fails today: the CHECK accepts any two-digit cost, but bcrypt's costs are 04 to 31 and
-- pgcrypto's crypt() raises "invalid salt" for others, so api.login of such a user raises
-- (a 500) instead of answering 401
SELECT throws_ok($$EXECUTE user_with('dave_03', 'dave03@example.com', '$2a$03$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW', NULL)$$, '23514',
	pg_temp.check_error('users', 'users_password_hash_bcrypt'), 'a bcrypt password_hash of cost 03 (below bcrypt''s minimum 04, which crypt() refuses) is refused');
SELECT lives_ok($$EXECUTE user_with('dave_2y', 'dave2y@example.com', '$2y$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW', NULL)$$,
	'a $2y$ bcrypt password_hash is accepted');
SELECT throws_ok($$EXECUTE user_with('dave', 'dave@example.com', NULL, repeat('n', 101))$$, '23514',
	pg_temp.check_error('users', 'users_name_length'), 'a name of 101 characters is refused');
SELECT throws_ok($$EXECUTE user_with('ALICE', 'alice2@example.com', NULL, NULL)$$, '23505',
	'duplicate key value violates unique constraint "users_username_key"', 'usernames are unique ignoring case (ALICE vs alice)');
SELECT throws_ok($$EXECUTE user_with('alice2', 'alice@example.com', NULL, NULL)$$, '23505',
	'duplicate key value violates unique constraint "users_email_key"', 'emails are unique');

-- sessions and login_attempts
SELECT throws_ok($$INSERT INTO todo.sessions (user_id, token_jti, expires_at) VALUES ('$$ || :'alice' || $$', '', now())$$, '23514',
	pg_temp.check_error('sessions', 'sessions_token_jti_length'), 'an empty session jti is refused');
INSERT INTO todo.sessions (user_id, token_jti, expires_at) VALUES (:'alice', 'jti-1', now() + interval '1 hour');
SELECT throws_ok($$INSERT INTO todo.sessions (user_id, token_jti, expires_at) VALUES ('$$ || :'bob' || $$', 'jti-1', now())$$, '23505', NULL,
	'session jtis are unique');
SELECT throws_ok($$INSERT INTO todo.login_attempts (account, failures, window_started_at) VALUES ('x', 0, now())$$, '23514',
	pg_temp.check_error('login_attempts', 'login_attempts_failures_positive'), 'a failure count of 0 is refused');

-- deleting a user deletes its tasks and sessions
DELETE FROM todo.users WHERE id = :'alice';
SELECT is((SELECT count(*)::int FROM todo.tasks WHERE user_id = :'alice') + (SELECT count(*)::int FROM todo.sessions WHERE user_id = :'alice'),
	0, 'deleting a user deletes its tasks and sessions');

SELECT * FROM finish();
ROLLBACK;
