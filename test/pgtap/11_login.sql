-- 11_login.sql: api.login (by email or username, any letter case), failures returned in the
-- error column (so that the gateway commits their count), throttling, legacy bcrypt hashes.
BEGIN;
\ir _helpers.psql
SELECT plan(95);

CREATE FUNCTION pg_temp.login(body jsonb) RETURNS text LANGUAGE sql
	AS $$ SELECT format('SELECT data, meta, error FROM api.login(%L)', body) $$;
-- the error column of a login, as jsonb
CREATE FUNCTION pg_temp.login_error(body jsonb) RETURNS jsonb LANGUAGE sql
	AS $$ SELECT error::jsonb FROM api.login(body) $$;
-- the counter of an account name (field email or username, as typed, lowercased) from an
-- address (as todo.client_address gives it; '' when the login had none), or of an address
CREATE FUNCTION pg_temp.counter(field text, identifier text, address text DEFAULT '') RETURNS text LANGUAGE sql
	AS $$ SELECT 'p:' || encode(sha256(convert_to(field || ':' || identifier || ' ' || address, 'UTF8')), 'hex') $$;
CREATE FUNCTION pg_temp.failures(account text) RETURNS text LANGUAGE sql
	AS $$ SELECT coalesce((SELECT format('%s failures%s', failures, CASE WHEN locked_until > now() THEN ', locked' ELSE '' END)
		FROM todo.login_attempts a WHERE a.account = failures.account), 'no counter') $$;
CREATE FUNCTION pg_temp.failures(field text, identifier text, address text DEFAULT '') RETURNS text LANGUAGE sql
	AS $$ SELECT pg_temp.failures(pg_temp.counter(field, identifier, address)) $$;
CREATE FUNCTION pg_temp.sessions_of(user_id uuid) RETURNS integer LANGUAGE sql
	AS $$ SELECT count(*)::int FROM todo.sessions s WHERE s.user_id = sessions_of.user_id $$;

-- fixtures (superuser)
SELECT pg_temp.make_user('Alice', 'alice@example.com', 'password1') AS alice \gset
SELECT pg_temp.make_user('bob', 'bob@example.com', 'password2') AS bob \gset
SELECT pg_temp.make_user('sleeper', 'sleeper@example.com', 'password3') AS sleeper \gset
UPDATE todo.users SET is_active = false WHERE id = :'sleeper';
SELECT pg_temp.make_user('longpw', 'longpw@example.com', repeat('p', 72)) AS longpw \gset
-- published bcrypt test vectors (OpenBSD / Openwall crypt_blowfish), re-labelled as Python's $2b$ and PHP's $2y$
INSERT INTO todo.users (username, email, password_hash)
VALUES ('legacy_b', 'legacy_b@example.com', '$2b$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW'),
	('legacy_y', 'legacy_y@example.com', '$2y$05$CCCCCCCCCCCCCCCCCCCCC.VGOzA784oUp/Z0DY336zx7pLYAy0lwK');

SELECT pg_temp.req('todo_anon');

-- success, by email and by username, in any letter case
SELECT data AS login, meta IS NULL AND error IS NULL AS clean FROM api.login('{"email": "alice@example.com", "password": "password1"}') \gset
SELECT ok(:'clean', 'login by email: meta and error are NULL');
SELECT is((SELECT array_agg(k ORDER BY k) FROM json_object_keys(:'login'::json) k),
	ARRAY['access_token', 'expires_at', 'token_type', 'user'], 'login: data is {user, access_token, token_type, expires_at}, like register');
SELECT is(:'login'::json -> 'user' ->> 'id', :'alice', 'login by email: the user is alice');
SELECT is((SELECT array_agg(k ORDER BY k) FROM json_object_keys(:'login'::json -> 'user') k),
	ARRAY['created_at', 'email', 'email_verified', 'id', 'is_active', 'name', 'updated_at', 'username'], 'login: the user object carries no password or hash');
SELECT is(:'login'::json ->> 'token_type', 'bearer', 'login: token_type is bearer');
SELECT is(pg_temp.jwt_part(:'login'::json ->> 'access_token', 2) ->> 'sub', :'alice', 'login: the token''s sub is the user');
SELECT pg_temp.req('todo_user', :'login'::json ->> 'access_token', '');
SELECT is((SELECT data ->> 'username' FROM api.me()), 'Alice', 'login: the token authenticates (api.me)');
SELECT pg_temp.req('todo_anon');
SELECT is((SELECT data -> 'user' ->> 'id' FROM api.login(jsonb_build_object('username', u, 'password', 'password1'))), :'alice',
	format('login by username %s finds Alice', u))
	FROM unnest(ARRAY['Alice', 'alice', 'ALICE', ' alice ']) u;
SELECT is((SELECT data -> 'user' ->> 'id' FROM api.login('{"email": " ALICE@Example.COM ", "password": "password1"}')), :'alice',
	'login by email ignores letter case and surrounding spaces');
RESET ROLE;
SELECT is(pg_temp.sessions_of(:'alice'), 6, 'login: each successful login opened a session');

-- failures: returned (not raised) in the error column, the same for a wrong password and an unknown account
SELECT pg_temp.req('todo_anon');
SELECT is(pg_temp.err(pg_temp.login('{"email": "alice@example.com", "password": "wrong-password"}')), NULL,
	'login with a wrong password raises nothing (the gateway commits the failure count)');
SELECT data IS NULL AS no_data, meta IS NULL AS no_meta, error AS wrong_password
FROM api.login('{"email": "alice@example.com", "password": "wrong-password"}') \gset
SELECT ok(:'no_data' AND :'no_meta', 'login with a wrong password: data and meta are NULL');
SELECT is(:'wrong_password'::jsonb, '{"sqlstate": "TD401", "message": "invalid credentials"}',
	'login with a wrong password: error is TD401 "invalid credentials"');
SELECT is(pg_temp.login_error('{"email": "nobody@example.com", "password": "wrong-password"}')::text, :'wrong_password'::jsonb::text,
	'login of an unknown email: the same error as a wrong password');
SELECT is(pg_temp.login_error('{"username": "nobody", "password": "wrong-password"}')::text, :'wrong_password'::jsonb::text,
	'login of an unknown username: the same error as a wrong password');
SELECT is(pg_temp.login_error('{"username": "sleeper", "password": "password3"}')::text, :'wrong_password'::jsonb::text,
	'login of an inactive user with the right password: the same error as a wrong password');
SELECT is(pg_temp.login_error('{"username": "alice", "password": "PASSWORD1"}')::text, :'wrong_password'::jsonb::text,
	'login: passwords are case-sensitive');
SELECT is(pg_temp.login_error('{"username": "alice", "password": ""}')::text, :'wrong_password'::jsonb::text,
	'login with an empty password fails');
SELECT is(pg_temp.login_error('{"username": "nobody", "password": ""}')::text, :'wrong_password'::jsonb::text,
	'login of an unknown account with an empty password fails the same way');
RESET ROLE;
SELECT is(pg_temp.failures('email', 'alice@example.com'), '2 failures', 'failures are counted per account name as typed (email)');
SELECT is(pg_temp.failures('username', 'alice'), '2 failures', 'failures by username are counted apart from those by email');
SELECT is(pg_temp.failures('email', 'nobody@example.com'), '1 failures', 'failures of an unknown email are counted under that email');
SELECT is(pg_temp.failures('username', 'nobody'), '2 failures', 'failures of an unknown username are counted under it, lowercased');
SELECT is(pg_temp.failures('username', 'sleeper'), '1 failures', 'a refused inactive user counts as a failure');
SELECT is(pg_temp.sessions_of(:'sleeper'), 0, 'an inactive user gets no session');
SELECT is((SELECT count(*)::int FROM todo.login_attempts WHERE account LIKE '%alice%' OR account LIKE '%nobody%'), 0,
	'counters hold a hash, never the identifier as typed');
SELECT pg_temp.req('todo_anon');
SELECT is(pg_temp.login_error('{"username": "ALICE", "password": "wrong-password"}') ->> 'sqlstate', 'TD401', 'a 3rd wrong password by username: 401');
SELECT is(pg_temp.login_error('{"username": "alice", "password": "wrong-password"}') ->> 'sqlstate', 'TD401', 'a 4th: 401');
SELECT is(pg_temp.login_error('{"username": "alice", "password": "wrong-password"}') ->> 'sqlstate', 'TD401', 'the 5th failure is still a 401');
RESET ROLE;
SELECT is(pg_temp.failures('username', 'alice'), '5 failures, locked', 'the 5th failure of one account name locks it');

-- locked: 429 with retry_after, even with the right password
SELECT pg_temp.req('todo_anon');
SELECT data IS NULL AS locked_no_data, error AS locked FROM api.login('{"username": "alice", "password": "password1"}') \gset
SELECT ok(:'locked_no_data', 'locked account name: the right password gets no data');
SELECT is(:'locked'::json ->> 'sqlstate', 'TD429', 'locked account name: the right password gets TD429');
SELECT is(:'locked'::json ->> 'message', 'too many failed logins; try again later', 'locked account name: TD429 message');
SELECT cmp_ok((:'locked'::json -> 'detail' ->> 'retry_after')::int, '>', 0, 'locked account name: detail.retry_after is positive');
SELECT cmp_ok((:'locked'::json -> 'detail' ->> 'retry_after')::int, '<=', 900, 'locked account name: detail.retry_after is at most the 15-minute lockout');
SELECT is(pg_temp.login_error('{"username": "alice", "password": "wrong"}') ->> 'sqlstate', 'TD429',
	'locked account name: a wrong password gets TD429 as well');
RESET ROLE;
SELECT is(pg_temp.failures('username', 'alice'), '5 failures, locked', 'locked account name: refused logins do not change the counter');
SELECT is(pg_temp.sessions_of(:'alice'), 6, 'locked account name: no session was opened');
-- a 429 must not tell which email belongs to which username: the email is not locked
SELECT pg_temp.req('todo_anon');
SELECT is(pg_temp.login_error('{"email": "alice@example.com", "password": "wrong"}') ->> 'sqlstate', 'TD401',
	'the username locked, the same account by email is not (a 429 does not link the two)');

-- the owner elsewhere: another address has counters of its own
SELECT set_config('app.client_addr', '198.51.100.7', true) \g /dev/null
SELECT is((SELECT data -> 'user' ->> 'id' FROM api.login('{"username": "alice", "password": "password1"}')), :'alice',
	'locked from one address, the account name logs in from another (an attacker cannot lock the owner out)');
SELECT set_config('app.client_addr', '', true) \g /dev/null

-- after the lockout: the right password works and clears the counter
RESET ROLE;
UPDATE todo.login_attempts SET locked_until = now() - interval '1 second', window_started_at = now() - interval '16 minutes'
WHERE account = pg_temp.counter('username', 'alice');
SELECT pg_temp.req('todo_anon');
SELECT is((SELECT data -> 'user' ->> 'id' FROM api.login('{"username": "alice", "password": "password1"}')), :'alice',
	'after the lockout, the right password logs in');
RESET ROLE;
SELECT is(pg_temp.failures('username', 'alice'), 'no counter', 'a successful login clears the failure counter');

-- the counting window: failures older than 15 minutes start a new count
INSERT INTO todo.login_attempts (account, failures, window_started_at) VALUES (pg_temp.counter('email', 'bob@example.com'), 4, now() - interval '16 minutes');
SELECT pg_temp.req('todo_anon');
SELECT is(pg_temp.login_error('{"email": "bob@example.com", "password": "wrong"}') ->> 'sqlstate', 'TD401', 'a failure after the window is a plain 401');
RESET ROLE;
SELECT is(pg_temp.failures('email', 'bob@example.com'), '1 failures', 'a failure after the 15-minute window restarts the count at 1');
UPDATE todo.login_attempts SET failures = 3 WHERE account = pg_temp.counter('email', 'bob@example.com');
SELECT pg_temp.req('todo_anon');
SELECT is(pg_temp.login_error('{"email": "bob@example.com", "password": "wrong"}') ->> 'sqlstate', 'TD401', '4th failure within the window: 401');
SELECT is((SELECT data -> 'user' ->> 'id' FROM api.login('{"email": "bob@example.com", "password": "password2"}')), :'bob',
	'after 4 failures the right password still logs in');
RESET ROLE;
SELECT is(pg_temp.failures('email', 'bob@example.com'), 'no counter', '... and clears the counter');

-- unknown accounts throttle alike (nothing tells they do not exist)
SELECT pg_temp.req('todo_anon');
SELECT count(*) FROM (SELECT pg_temp.login_error('{"email": "ghost@example.com", "password": "wrong"}') FROM generate_series(1, 5)) five \g /dev/null
SELECT is(pg_temp.login_error('{"email": "GHOST@example.com", "password": "wrong"}') ->> 'sqlstate', 'TD429',
	'an unknown account is locked after 5 failures too (identifier compared lowercased)');

-- per address: 200 failures within the window refuse every login from it, the right
-- password of another account included; other addresses are not affected
SELECT set_config('app.client_addr', '203.0.113.9', true) \g /dev/null
SELECT is((SELECT count(*)::int FROM generate_series(1, 200) n
		WHERE pg_temp.login_error(jsonb_build_object('username', 'spray' || n, 'password', 'wrong')) ->> 'sqlstate' = 'TD401'), 200,
	'200 failed logins of different account names from one address: every one a 401 (room for many people behind one address)');
SELECT is(pg_temp.login_error('{"username": "bob", "password": "password2"}') ->> 'sqlstate', 'TD429',
	'after 200 failures from an address, even a right password from it gets 429');
RESET ROLE;
SELECT is(pg_temp.failures('a:203.0.113.9'), '200 failures', 'the address counter holds the 200 failures (the refused login is not counted)');
SELECT pg_temp.req('todo_anon');
SELECT set_config('app.client_addr', '203.0.113.10', true) \g /dev/null
SELECT is((SELECT data -> 'user' ->> 'id' FROM api.login('{"username": "bob", "password": "password2"}')), :'bob',
	'another address is not affected');
-- IPv6 addresses count by their /64; IPv4-mapped IPv6 as IPv4; garbage as no address
SELECT set_config('app.client_addr', '2001:db8:1:2:aaaa::1', true) \g /dev/null
SELECT pg_temp.login_error('{"username": "v6user", "password": "wrong"}') \g /dev/null
SELECT set_config('app.client_addr', '2001:db8:1:2:bbbb::2', true) \g /dev/null
SELECT pg_temp.login_error('{"username": "v6user", "password": "wrong"}') \g /dev/null
SELECT set_config('app.client_addr', '::ffff:192.0.2.44', true) \g /dev/null
SELECT pg_temp.login_error('{"username": "v4mapped", "password": "wrong"}') \g /dev/null
SELECT set_config('app.client_addr', 'not an address', true) \g /dev/null
SELECT pg_temp.login_error('{"username": "garbage", "password": "wrong"}') \g /dev/null
SELECT set_config('app.client_addr', '', true) \g /dev/null
RESET ROLE;
SELECT is(pg_temp.failures('username', 'v6user', '2001:db8:1:2::/64'), '2 failures', 'two addresses of one IPv6 /64 share a counter');
SELECT is(pg_temp.failures('a:::ffff:192.0.2.44') || ' / ' || pg_temp.failures('a:192.0.2.44'), 'no counter / 1 failures', 'an IPv4-mapped IPv6 address counts as the IPv4 address');
SELECT is(pg_temp.failures('username', 'garbage'), '1 failures', 'an app.client_addr that is not an address counts as no address');

-- long-expired counters are deleted by later failed logins (unknown names do not pile up)
INSERT INTO todo.login_attempts (account, failures, window_started_at)
SELECT 'p:stale' || n, 3, now() - interval '2 hours' FROM generate_series(1, 25) n;
SELECT pg_temp.req('todo_anon');
SELECT pg_temp.login_error('{"username": "nobody", "password": "wrong"}') \g /dev/null
SELECT pg_temp.login_error('{"username": "nobody", "password": "wrong"}') \g /dev/null
SELECT pg_temp.login_error('{"username": "nobody", "password": "wrong"}') \g /dev/null
RESET ROLE;
SELECT is((SELECT count(*)::int FROM todo.login_attempts WHERE account LIKE 'p:stale%'), 0,
	'three failed logins delete 25 long-expired counters (up to 10 each)');

-- validation errors are raised (TD422), before any counting
SELECT is(pg_temp.fields(pg_temp.login('{"email": "alice@example.com", "username": "alice", "password": "x"}')), 'TD422: username',
	'login with both email and username is a 422');
SELECT is(pg_temp.fields(pg_temp.login('{"password": "x"}')), 'TD422: email', 'login without email or username is a 422');
SELECT is(pg_temp.fields(pg_temp.login('{"email": "alice@example.com"}')), 'TD422: password', 'login without password is a 422');
SELECT is(pg_temp.fields(pg_temp.login('{"email": 5, "password": "x"}')), 'TD422: email', 'login with a non-string email is a 422');
SELECT is(pg_temp.fields(pg_temp.login('{"username": null, "password": "x"}')), 'TD422: username', 'login with a null username is a 422');
SELECT is(pg_temp.fields(pg_temp.login('{"username": "alice", "password": 12345678}')), 'TD422: password', 'login with a non-string password is a 422');
SELECT is(pg_temp.fields(pg_temp.login('{"username": "alice", "password": "x", "remember": true}')), 'TD422: remember', 'login with an unknown field is a 422');
SELECT is(pg_temp.fields(pg_temp.login('{"email": "  ", "password": "whatever1"}')), 'TD422: email', 'login with a blank email is a 422 (was a 500)');
SELECT is(pg_temp.fields(pg_temp.login('{"username": "", "password": "whatever1"}')), 'TD422: username', 'login with an empty username is a 422 (was a 500)');
RESET ROLE;
SELECT is((SELECT count(*)::int FROM todo.login_attempts WHERE account IN (pg_temp.counter('email', ''), pg_temp.counter('username', ''))),
	0, 'validation errors are not counted as failures');

-- legacy bcrypt: $2b$ (Python) and $2y$ (PHP) hashes verify like $2a$
SELECT ok(todo.check_password('U*U', '$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW'), 'check_password: published $2a$ vector for "U*U"');
SELECT ok(todo.check_password('U*U*U', '$2a$05$XXXXXXXXXXXXXXXXXXXXXOAcXxm9kjPGEMsLznoKqmqw7tc8WCx4a'), 'check_password: published $2a$ vector for "U*U*U"');
SELECT ok(todo.check_password('U*U', '$2b$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW'), 'check_password: the "U*U" vector as $2b$');
SELECT ok(todo.check_password('U*U', '$2y$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW'), 'check_password: the "U*U" vector as $2y$');
SELECT ok(todo.check_password('U*U*', '$2y$05$CCCCCCCCCCCCCCCCCCCCC.VGOzA784oUp/Z0DY336zx7pLYAy0lwK'), 'check_password: the "U*U*" vector as $2y$');
SELECT ok(NOT todo.check_password('U*U*', '$2b$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW'), 'check_password: a $2b$ hash refuses another password');
SELECT crypt('hunter2hunter2', gen_salt('bf', 4)) AS fresh \gset
SELECT ok(todo.check_password('hunter2hunter2', '$2b$' || substr(:'fresh', 5)) AND todo.check_password('hunter2hunter2', '$2y$' || substr(:'fresh', 5)),
	'check_password: a pgcrypto $2a$ hash re-labelled $2b$ and $2y$ still verifies');
SELECT ok(NOT todo.check_password('U*U', '$2x$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW'), 'check_password: $2x$ (the buggy variant) never matches');
SELECT ok(NOT todo.check_password('U*U', '$2b$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOe'), 'check_password: a truncated hash never matches');
SELECT ok(NOT todo.check_password('abc', crypt('abc', '$1$saltsalt')), 'check_password: an MD5-crypt hash never matches');
SELECT ok(NOT todo.check_password('', ''), 'check_password: an empty hash never matches');
SELECT pg_temp.req('todo_anon');
SELECT is((SELECT data -> 'user' ->> 'username' FROM api.login('{"username": "legacy_b", "password": "U*U"}')), 'legacy_b',
	'a user whose hash is $2b$ logs in through api.login');
SELECT is((SELECT data -> 'user' ->> 'username' FROM api.login('{"email": "legacy_y@example.com", "password": "U*U*"}')), 'legacy_y',
	'a user whose hash is $2y$ logs in through api.login');
SELECT is(pg_temp.login_error('{"username": "legacy_b", "password": "U*U*"}') ->> 'sqlstate', 'TD401',
	'a user whose hash is $2b$ is refused with a wrong password');

-- bcrypt only reads 72 bytes (crypt() truncates): a longer password must not match by its first 72
SELECT is((SELECT data -> 'user' ->> 'username' FROM api.login(jsonb_build_object('username', 'longpw', 'password', repeat('p', 72)))), 'longpw',
	'a password of exactly 72 bytes logs in');
SELECT is(pg_temp.login_error(jsonb_build_object('username', 'longpw', 'password', repeat('p', 72) || 'EXTRA')) ->> 'sqlstate', 'TD401',
	'a 77-byte password whose first 72 bytes are the password does not log in (no silent truncation at bcrypt''s 72 bytes)');

-- no timing oracle: an unknown account costs one bcrypt check, like a known one. Product bug
-- found by this suite: in api.login, `todo.waste_password_check(password) AND false` is
-- constant-folded to false by the planner, so the check never runs (about 0.5 ms against
-- 50 ms for a known account).
\if :superuser
RESET ROLE;
SET LOCAL track_functions = 'all';
SELECT coalesce((SELECT sum(calls) FROM pg_stat_xact_user_functions WHERE schemaname = 'public' AND funcname = 'crypt'), 0) AS crypt_before \gset
SELECT pg_temp.req('todo_anon');
SELECT pg_temp.login_error('{"username": "bob", "password": "wrong-password"}') \g /dev/null
RESET ROLE;
SELECT coalesce((SELECT sum(calls) FROM pg_stat_xact_user_functions WHERE schemaname = 'public' AND funcname = 'crypt'), 0) AS crypt_known \gset
SELECT is((:crypt_known - :crypt_before)::int, 1, 'a failed login of a known account runs bcrypt once');
SELECT pg_temp.req('todo_anon');
SELECT pg_temp.login_error('{"username": "nobody_at_all", "password": "wrong-password"}') \g /dev/null
RESET ROLE;
SELECT coalesce((SELECT sum(calls) FROM pg_stat_xact_user_functions WHERE schemaname = 'public' AND funcname = 'crypt'), 0) AS crypt_unknown \gset
SELECT is((:crypt_unknown - :crypt_known)::int, 1,
	'a failed login of an unknown account runs bcrypt once too (todo.waste_password_check), so its duration does not reveal whether the account exists');
\else
SELECT skip('counting crypt() calls needs track_functions, a superuser setting', 2);
\endif

-- no timing oracle from the hash's age: a successful login rehashes to the current format
-- and cost (legacy_b logged in above with its $2b$05$ hash)
RESET ROLE;
SELECT matches((SELECT password_hash FROM todo.users WHERE username = 'legacy_b'), '^\$2a\$' || lpad(todo.bcrypt_cost()::text, 2, '0') || '\$',
	'a successful login rehashes a legacy $2b$ hash at cost 05 to $2a$ at the current cost');
SELECT ok(todo.check_password('U*U', (SELECT password_hash FROM todo.users WHERE username = 'legacy_b')), '... and the new hash verifies the same password');
SELECT ok(todo.password_hash_current((SELECT password_hash FROM todo.users WHERE username = 'bob')), 'a hash made today is current (no rehash)');
-- the decoy of an unknown account costs what real accounts cost
SELECT set_eq('SELECT cost, accounts FROM todo.password_costs WHERE accounts > 0',
	'SELECT todo.bcrypt_hash_cost(password_hash), count(*) FROM todo.users GROUP BY 1',
	'todo.password_costs counts the accounts at each bcrypt cost (kept by the users trigger)');
SELECT set_eq('SELECT DISTINCT todo.decoy_cost(''unknown'' || n) FROM generate_series(1, 200) n',
	'SELECT DISTINCT todo.bcrypt_hash_cost(password_hash) FROM todo.users',
	'the decoy costs of 200 unknown names are the costs real accounts have, each of them');
SELECT is(todo.decoy_cost('someone'), todo.decoy_cost('someone'), 'one unknown name always gets the same decoy cost');
UPDATE todo.users SET password_hash = '$2b$12$' || repeat('a', 53);
SELECT is((SELECT array_agg(DISTINCT todo.decoy_cost('unknown' || n)) FROM generate_series(1, 50) n), ARRAY[12],
	'every account imported at cost 12: the decoy costs 12 too (it was the current cost, 4 times less)');
DELETE FROM todo.sessions;
DELETE FROM todo.users;
SELECT is(todo.decoy_cost('unknown'), todo.bcrypt_cost(), 'no accounts: the decoy costs the current cost');

SELECT * FROM finish();
ROLLBACK;
