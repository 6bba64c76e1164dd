-- 03_policies.sql: row-level security from plain SQL as todo_owner, the role the API
-- functions run as (the tables' owner: RLS is forced, so it is filtered too).
BEGIN;
\ir _helpers.psql
SELECT plan(54);

-- What todo_owner can see: row counts of the four tables.
CREATE FUNCTION pg_temp.visible() RETURNS text LANGUAGE sql AS $$
	SELECT format('users=%s tasks=%s sessions=%s login_attempts=%s',
		(SELECT count(*) FROM todo.users), (SELECT count(*) FROM todo.tasks),
		(SELECT count(*) FROM todo.sessions), (SELECT count(*) FROM todo.login_attempts))
$$;
-- Rows a statement affected.
CREATE FUNCTION pg_temp.affected(statement text) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
	n integer;
BEGIN
	EXECUTE statement;
	GET DIAGNOSTICS n = ROW_COUNT;
	RETURN n;
END
$$;
-- The text of a statement's plan.
CREATE FUNCTION pg_temp.plan_of(statement text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	line text;
	result text := '';
BEGIN
	FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || statement LOOP
		result := result || line || E'\n';
	END LOOP;
	RETURN result;
END
$$;

-- fixtures, as superuser: two users with tasks, sessions and login counters
SELECT pg_temp.make_user('alice', 'alice@example.com') AS alice \gset
SELECT pg_temp.make_user('bob', 'bob@example.com') AS bob \gset
INSERT INTO todo.tasks (user_id, title) VALUES (:'alice', 'alice one'), (:'alice', 'alice two');
INSERT INTO todo.tasks (user_id, title) VALUES (:'bob', 'bob one') RETURNING id AS bob_task \gset
SELECT id AS alice_task FROM todo.tasks WHERE title = 'alice one' \gset
INSERT INTO todo.sessions (user_id, token_jti, expires_at) VALUES (:'alice', 'alice-jti', now() + interval '1 hour');
INSERT INTO todo.sessions (user_id, token_jti, expires_at) VALUES (:'bob', 'bob-jti', now() + interval '1 hour')
	RETURNING id AS bob_session \gset
INSERT INTO todo.login_attempts (account, failures, window_started_at)
VALUES ('p:alice', 2, now()), ('p:bob', 3, now());

SET LOCAL ROLE todo_owner;

-- no user: nothing visible, no error
SELECT is(current_setting('app.user_id', true), NULL, 'app.user_id is unset at the start of the session');
SELECT is(pg_temp.visible(), 'users=0 tasks=0 sessions=0 login_attempts=0', 'app.user_id unset: no row of any table is visible');
SET LOCAL app.user_id = '';
SELECT is(pg_temp.visible(), 'users=0 tasks=0 sessions=0 login_attempts=0', 'app.user_id empty: no row of any table is visible');
SET LOCAL app.user_id = 'not-a-uuid';
SELECT lives_ok('SELECT * FROM todo.tasks', 'app.user_id garbage: reading tasks raises no error');
SELECT is(pg_temp.visible(), 'users=0 tasks=0 sessions=0 login_attempts=0', 'app.user_id garbage: no row of any table is visible');
SELECT '{' || :'alice' || '}' AS braced, gen_random_uuid() AS nobody \gset
SET LOCAL app.user_id = :'braced';
SELECT is(pg_temp.visible(), 'users=0 tasks=0 sessions=0 login_attempts=0', 'app.user_id in braces (not the canonical form): nothing visible');
SET LOCAL app.user_id = :'nobody';
SELECT is(pg_temp.visible(), 'users=0 tasks=0 sessions=0 login_attempts=0', 'app.user_id of nobody: nothing visible');
SELECT throws_ok(format($$INSERT INTO todo.tasks (user_id, title) VALUES (%L, 'sneaky')$$, :'alice'), '42501',
	'new row violates row-level security policy for table "tasks"', 'app.user_id of nobody: cannot insert a task for alice');

-- acting for alice
SET LOCAL app.user_id = :'alice';
SELECT is(pg_temp.visible(), 'users=1 tasks=2 sessions=1 login_attempts=0', 'acting for alice: only her user, tasks and session are visible');
SELECT set_eq('SELECT user_id FROM todo.tasks', ARRAY[:'alice'::uuid], 'acting for alice: every visible task is hers');
SELECT set_eq('SELECT id FROM todo.users', ARRAY[:'alice'::uuid], 'acting for alice: the only visible user is alice');
SELECT set_eq('SELECT token_jti FROM todo.sessions', ARRAY['alice-jti'], 'acting for alice: the only visible session is hers');
SELECT is_empty(format('SELECT * FROM todo.tasks WHERE id = %L', :'bob_task'), 'acting for alice: bob''s task cannot be read by id');
SELECT is(pg_temp.affected(format($$UPDATE todo.tasks SET title = 'hacked' WHERE id = %L$$, :'bob_task')), 0,
	'acting for alice: UPDATE of bob''s task affects no row');
SELECT is(pg_temp.affected(format('DELETE FROM todo.tasks WHERE user_id = %L', :'bob')), 0,
	'acting for alice: DELETE of bob''s tasks affects no row');
SELECT is(pg_temp.affected($$UPDATE todo.tasks SET title = title || '!'$$), 2,
	'acting for alice: an unrestricted UPDATE touches only her two tasks');
SELECT throws_ok(format($$INSERT INTO todo.tasks (user_id, title) VALUES (%L, 'for bob')$$, :'bob'), '42501',
	'new row violates row-level security policy for table "tasks"', 'acting for alice: creating a task for bob is refused (WITH CHECK)');
SELECT throws_ok(format('UPDATE todo.tasks SET user_id = %L WHERE id = %L', :'bob', :'alice_task'), '42501',
	'new row violates row-level security policy for table "tasks"', 'acting for alice: giving her task to bob is refused (WITH CHECK)');
SELECT lives_ok(format($$INSERT INTO todo.tasks (user_id, title) VALUES (%L, 'mine')$$, :'alice'),
	'acting for alice: creating her own task is allowed');

SELECT is(pg_temp.affected(format('UPDATE todo.sessions SET revoked = true WHERE id = %L', :'bob_session')), 0,
	'acting for alice: revoking bob''s session affects no row');
SELECT is(pg_temp.affected(format('DELETE FROM todo.sessions WHERE user_id = %L', :'bob')), 0,
	'acting for alice: deleting bob''s sessions affects no row');
SELECT throws_ok(format($$INSERT INTO todo.sessions (user_id, token_jti, expires_at) VALUES (%L, 'forged', now() + interval '1 day')$$, :'bob'),
	'42501', 'new row violates row-level security policy for table "sessions"', 'acting for alice: opening a session for bob is refused');
SELECT throws_ok(format('UPDATE todo.sessions SET user_id = %L', :'bob'), '42501',
	'new row violates row-level security policy for table "sessions"', 'acting for alice: moving her session to bob is refused');

SELECT is(pg_temp.affected(format($$UPDATE todo.users SET name = 'hacked' WHERE id = %L$$, :'bob')), 0,
	'acting for alice: UPDATE of bob''s user affects no row');
SELECT is(pg_temp.affected(format('DELETE FROM todo.users WHERE id = %L', :'bob')), 0,
	'acting for alice: DELETE of bob''s user affects no row');
SELECT throws_ok($$INSERT INTO todo.users (username, email, password_hash) VALUES ('mallory', 'mallory@example.com', '$2a$04$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW')$$,
	'42501', 'new row violates row-level security policy for table "users"', 'acting for alice: creating another user is refused');
SELECT throws_ok(format('UPDATE todo.users SET id = gen_random_uuid() WHERE id = %L', :'alice'), '42501',
	'new row violates row-level security policy for table "users"', 'acting for alice: changing her user id is refused');
SELECT is(pg_temp.affected(format($$UPDATE todo.users SET name = 'Alice' WHERE id = %L$$, :'alice')), 1,
	'acting for alice: updating her own user is allowed');
SELECT is(pg_temp.visible(), 'users=1 tasks=3 sessions=1 login_attempts=0', 'acting for alice: login counters stay invisible without app.login_identifier');

-- the owner cannot switch row-level security off
SET LOCAL row_security = off;
SELECT throws_ok('SELECT * FROM todo.tasks', '42501', NULL, 'todo_owner with row_security off gets an error, not every row');
SET LOCAL row_security = on;

-- login lookups: app.login_identifier shows one account's user row (read-only), and
-- app.login_counters the login's throttling counters
SET LOCAL app.user_id = '';
SET LOCAL app.login_identifier = 'alice@example.com';
SELECT is(pg_temp.visible(), 'users=1 tasks=0 sessions=0 login_attempts=0', 'login_identifier alice@example.com: her user row only');
SELECT set_eq('SELECT id FROM todo.users', ARRAY[:'alice'::uuid], 'login_identifier alice@example.com: only her user row is visible');
SELECT is(pg_temp.affected($$UPDATE todo.users SET name = 'hacked'$$), 0,
	'login_identifier alone does not allow updating the user row');
SET LOCAL app.login_counters = '{p:alice,a:192.0.2.1}';
SELECT set_eq('SELECT account FROM todo.login_attempts', ARRAY['p:alice'], 'login_counters {p:alice,...}: only that counter is visible');
SELECT is(pg_temp.affected($$UPDATE todo.login_attempts SET failures = 1 WHERE account = 'p:bob'$$), 0,
	'login_counters {p:alice,...}: bob''s counter cannot be changed');
SELECT is(pg_temp.affected($$DELETE FROM todo.login_attempts WHERE account = 'p:bob'$$), 0,
	'login_counters {p:alice,...}: bob''s counter cannot be deleted');
SELECT throws_ok($$INSERT INTO todo.login_attempts (account, failures, window_started_at) VALUES ('p:carol', 1, now())$$, '42501',
	'new row violates row-level security policy for table "login_attempts"', 'login_counters {p:alice,...}: another counter cannot be created');
SELECT lives_ok($$INSERT INTO todo.login_attempts (account, failures, window_started_at) VALUES ('a:192.0.2.1', 1, now())$$,
	'login_counters {p:alice,a:192.0.2.1}: its address counter can be created');
SELECT is(pg_temp.affected($$UPDATE todo.login_attempts SET failures = failures + 1$$), 2,
	'login_counters {p:alice,a:192.0.2.1}: its own two counters can be updated');
SET LOCAL app.login_counters = '';
SET LOCAL app.login_identifier = 'bob';
SELECT set_eq('SELECT username FROM todo.users', ARRAY['bob'], 'login_identifier bob (a lowercased username): only bob''s user row is visible');
SET LOCAL app.login_identifier = 'nobody';
SELECT is(pg_temp.visible(), 'users=0 tasks=0 sessions=0 login_attempts=0', 'login_identifier of an unknown account: nothing visible');
-- counters whose window and lockout are long over are visible, and deletable, to anyone
-- running as the owner (todo.forget_login_attempts): they hold nothing current
RESET ROLE;
INSERT INTO todo.login_attempts (account, failures, window_started_at) VALUES ('p:expired', 5, now() - interval '31 minutes');
SET LOCAL ROLE todo_owner;
SELECT set_eq('SELECT account FROM todo.login_attempts', ARRAY['p:expired'], 'without login_counters only long-expired counters are visible');
SELECT is(pg_temp.affected($$DELETE FROM todo.login_attempts$$), 1, 'a long-expired counter can be deleted by any login');
SELECT is(pg_temp.affected($$UPDATE todo.login_attempts SET failures = 1$$), 0, 'nothing else can be changed without login_counters');
SET LOCAL app.user_id = :'alice';
SET LOCAL app.login_identifier = 'bob@example.com';
SELECT is(pg_temp.affected($$UPDATE todo.users SET name = 'hacked'$$), 1,
	'acting for alice with bob''s login_identifier: an UPDATE of users still touches only alice');
SET LOCAL app.login_identifier = '';

-- the policies evaluate the current user once per statement (an InitPlan), not per row
SELECT matches(pg_temp.plan_of('SELECT * FROM todo.tasks'), 'InitPlan', 'tasks policy: the current user is an InitPlan');
SELECT matches(pg_temp.plan_of('SELECT * FROM todo.users'), 'InitPlan', 'users policies: the current user is an InitPlan');
SELECT matches(pg_temp.plan_of('SELECT * FROM todo.sessions'), 'InitPlan', 'sessions policy: the current user is an InitPlan');
SELECT matches(pg_temp.plan_of('SELECT * FROM todo.login_attempts'), 'InitPlan', 'login_attempts policy: the login counters are an InitPlan');
SELECT doesnt_match(pg_temp.plan_of('SELECT * FROM todo.tasks'), 'Filter: \(user_id = todo\.current_user_id\(\)',
	'tasks policy: current_user_id() is not called in the per-row filter');

-- bob's rows came through untouched
RESET ROLE;
SELECT is((SELECT title FROM todo.tasks WHERE id = :'bob_task'), 'bob one', 'bob''s task is unchanged');
SELECT is((SELECT revoked FROM todo.sessions WHERE id = :'bob_session'), false, 'bob''s session is not revoked');
SELECT is((SELECT name FROM todo.users WHERE id = :'bob'), NULL, 'bob''s user is unchanged');
SELECT is((SELECT failures FROM todo.login_attempts WHERE account = 'p:bob'), 3, 'bob''s login counter is unchanged');

SELECT * FROM finish();
ROLLBACK;
