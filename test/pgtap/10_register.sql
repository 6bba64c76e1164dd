-- 10_register.sql: api.register, called as the gateway does (todo_anon, no token, no path user).
BEGIN;
\ir _helpers.psql
SELECT plan(71);

CREATE FUNCTION pg_temp.register(body jsonb) RETURNS text LANGUAGE sql
	AS $$ SELECT format('SELECT data, meta, error FROM api.register(%L)', body) $$;

SELECT pg_temp.req('todo_anon');

-- a successful registration
SELECT data AS reg, meta IS NULL AS reg_meta_null, error IS NULL AS reg_error_null
FROM api.register('{"username": "Alice_1", "email": "  Alice@Example.COM ", "password": "correct horse", "name": "  Alice Liddell "}') \gset
SELECT ok(:'reg_meta_null' AND :'reg_error_null', 'register: meta and error are NULL');
SELECT is((SELECT array_agg(k ORDER BY k) FROM json_object_keys(:'reg'::json) k),
	ARRAY['access_token', 'expires_at', 'token_type', 'user'], 'register: data is {user, access_token, token_type, expires_at}');
SELECT is((SELECT array_agg(k ORDER BY k) FROM json_object_keys(:'reg'::json -> 'user') k),
	ARRAY['created_at', 'email', 'email_verified', 'id', 'is_active', 'name', 'updated_at', 'username'],
	'register: the user object has exactly the contract''s fields (no password, no hash)');
SELECT is(:'reg'::json -> 'user' ->> 'username', 'Alice_1', 'register: the username is kept as given');
SELECT is(:'reg'::json -> 'user' ->> 'email', 'alice@example.com', 'register: the email is trimmed and stored lowercase');
SELECT is(:'reg'::json -> 'user' ->> 'name', 'Alice Liddell', 'register: the name is trimmed');
SELECT is(:'reg'::jsonb -> 'user' -> 'is_active', 'true'::jsonb, 'register: is_active is true');
SELECT is(:'reg'::jsonb -> 'user' -> 'email_verified', 'false'::jsonb, 'register: email_verified is false');
SELECT matches(:'reg'::json -> 'user' ->> 'id', '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$', 'register: the user id is a uuid');
SELECT matches(:'reg'::json -> 'user' ->> 'created_at', '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$', 'register: created_at is RFC 3339 in UTC with Z');
SELECT is((:'reg'::json -> 'user' ->> 'created_at')::timestamptz, now(), 'register: created_at is the transaction''s time');
SELECT is(:'reg'::json ->> 'token_type', 'bearer', 'register: token_type is bearer');
SELECT matches(:'reg'::json ->> 'expires_at', '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$', 'register: expires_at is RFC 3339 in UTC with Z');
SELECT :'reg'::json ->> 'access_token' AS token, :'reg'::json -> 'user' ->> 'id' AS alice \gset
SELECT matches(:'token'::text, '^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$', 'register: the access token is a JWS in compact form');
SELECT is(pg_temp.jwt_part(:'token', 1), '{"alg": "HS256", "typ": "JWT"}', 'register: the token''s header is HS256 JWT');
SELECT is(pg_temp.jwt_part(:'token', 2) ->> 'sub', :'alice', 'register: the token''s sub is the user id');
SELECT is((pg_temp.jwt_part(:'token', 2) ->> 'iat')::bigint, floor(extract(epoch FROM now()))::bigint, 'register: the token''s iat is now');
SELECT is((pg_temp.jwt_part(:'token', 2) ->> 'exp')::bigint - (pg_temp.jwt_part(:'token', 2) ->> 'iat')::bigint, 3600::bigint,
	'register: the token lives one hour (todo.jwt_lifetime default)');
SELECT is((:'reg'::json ->> 'expires_at')::timestamptz, to_timestamp((pg_temp.jwt_part(:'token', 2) ->> 'exp')::bigint),
	'register: expires_at is the token''s exp');

-- what register stored (superuser view)
RESET ROLE;
SELECT is(split_part(:'token', '.', 3),
	pg_temp.b64url(public.hmac(split_part(:'token', '.', 1) || '.' || split_part(:'token', '.', 2), pg_temp.jwt_secret(), 'sha256')),
	'register: the signature is HMAC-SHA256 of header.payload under the JWT secret');
SELECT is((SELECT count(*)::int FROM todo.sessions WHERE user_id = :'alice' AND NOT revoked
		AND token_jti = pg_temp.jwt_part(:'token', 2) ->> 'jti' AND expires_at = (:'reg'::json ->> 'expires_at')::timestamptz), 1,
	'register: opens one live session whose jti and expiry are the token''s');
SELECT matches((SELECT password_hash FROM todo.users WHERE id = :'alice'), '^\$2a\$1\d\$', 'register: the password is stored as bcrypt $2a$ with cost 10 or more');
SELECT ok((SELECT todo.check_password('correct horse', password_hash) FROM todo.users WHERE id = :'alice'),
	'register: the stored hash verifies the password');
SELECT ok((SELECT NOT todo.check_password('correct horsE', password_hash) FROM todo.users WHERE id = :'alice'),
	'register: the stored hash refuses another password');
SELECT pg_temp.req('todo_user', :'token', '');
SELECT is((SELECT data ->> 'id' FROM api.me()), :'alice', 'register: the token authenticates the new user (api.me)');

SELECT pg_temp.req('todo_anon');
SELECT is((SELECT data -> 'user' ->> 'id' FROM api.login('{"username": "alice_1", "password": "correct horse"}')), :'alice',
	'register: the new user can log in with the password (bcrypt cost 10 hash)');

-- field rules: each a 422 naming the field
SELECT pg_temp.req('todo_anon');
SELECT is(pg_temp.fields(pg_temp.register('{}')), 'TD422: email,password,username', 'register {}: username, email and password are required');
SELECT is((pg_temp.err(pg_temp.register('{}')) ->> 'message'), 'invalid fields: email, password, username',
	'register {}: the message names the fields');
SELECT is((pg_temp.err(pg_temp.register('{"email": "x@example.com", "password": "password1"}')) -> 'detail'),
	'{"details": [{"field": "username", "message": "is required"}]}',
	'register: DETAIL is {"details": [{"field", "message"}]}');
SELECT is(pg_temp.fields(pg_temp.register('{"username": 12345, "email": "x@example.com", "password": "password1"}')), 'TD422: username',
	'register: a username that is not a string is refused');
SELECT is(pg_temp.field_message(pg_temp.register('{"username": 12345, "email": "x@example.com", "password": "password1"}'), 'username'),
	'must be a string', 'register: ... with message "must be a string"');
SELECT is(pg_temp.fields(pg_temp.register(jsonb_build_object('username', u, 'email', 'x@example.com', 'password', 'password1'))), 'TD422: username',
	format('register: username %s is refused', u))
	FROM unnest(ARRAY['ab', repeat('u', 31), 'bad-name', 'bad name', 'ünïcode', ' alice', 'alice ', '']) u;
SELECT is(pg_temp.fields(pg_temp.register(jsonb_build_object('username', 'xavier', 'email', e, 'password', 'password1'))), 'TD422: email',
	format('register: email %s is refused', e))
	FROM unnest(ARRAY['not-an-email', 'x@example', 'x y@example.com', 'x@@example.com', '@example.com', repeat('x', 243) || '@example.com']) e;
SELECT is(pg_temp.fields(pg_temp.register('{"username": "xavier", "email": 42, "password": "password1"}')), 'TD422: email',
	'register: an email that is not a string is refused');
SELECT is(pg_temp.fields(pg_temp.register('{"username": "xavier", "email": "x@example.com", "password": "short12"}')), 'TD422: password',
	'register: a password of 7 bytes is refused');
SELECT is(pg_temp.fields(pg_temp.register(jsonb_build_object('username', 'xavier', 'email', 'x@example.com', 'password', repeat('p', 73)))), 'TD422: password',
	'register: a password of 73 bytes is refused');
SELECT is(pg_temp.fields(pg_temp.register(jsonb_build_object('username', 'xavier', 'email', 'x@example.com', 'password', repeat('é', 36) || 'a'))), 'TD422: password',
	'register: a password of 37 characters but 73 bytes (multibyte) is refused, never truncated');
SELECT is(pg_temp.field_message(pg_temp.register(jsonb_build_object('username', 'xavier', 'email', 'x@example.com', 'password', repeat('é', 36) || 'a')), 'password'),
	'must be 8 to 72 bytes', 'register: ... with message "must be 8 to 72 bytes"');
SELECT is(pg_temp.fields(pg_temp.register('{"username": "xavier", "email": "x@example.com", "password": 12345678}')), 'TD422: password',
	'register: a password that is not a string is refused');
SELECT is(pg_temp.fields(pg_temp.register('{"username": "xavier", "email": "x@example.com", "password": "password1", "name": 7}')), 'TD422: name',
	'register: a name that is not a string is refused');
SELECT is(pg_temp.fields(pg_temp.register(jsonb_build_object('username', 'xavier', 'email', 'x@example.com', 'password', 'password1', 'name', repeat('n', 101)))),
	'TD422: name', 'register: a name of 101 characters is refused');
SELECT is(pg_temp.fields(pg_temp.register('{"username": "xavier", "email": "x@example.com", "password": "password1", "foo": 1}')), 'TD422: foo',
	'register: an unknown field is refused');
SELECT is(pg_temp.field_message(pg_temp.register('{"username": "xavier", "email": "x@example.com", "password": "password1", "foo": 1}'), 'foo'),
	'is not a known field', 'register: ... with message "is not a known field"');
SELECT is(pg_temp.field_message(pg_temp.register('{"username": "xavier", "email": "x@example.com", "password": "password1", "is_active": false}'), 'is_active'),
	'is read-only', 'register: is_active is read-only');
SELECT is(pg_temp.fields(pg_temp.register('{"username": "xavier", "email": "x@example.com", "password": "password1", "password_hash": "$2a$"}')),
	'TD422: password_hash', 'register: password_hash cannot be sent');
SELECT is(pg_temp.fields(pg_temp.register('{"username": "x", "email": "nope", "password": "short", "name": [], "id": "x"}')),
	'TD422: email,id,name,password,username', 'register: every bad field is named at once');

-- boundaries that are accepted
SELECT is((SELECT data -> 'user' ->> 'username' FROM api.register('{"username": "abc", "email": "abc@example.com", "password": "password1"}')),
	'abc', 'register: a username of 3 characters is accepted');
SELECT is((SELECT data -> 'user' ->> 'username' FROM api.register(jsonb_build_object('username', repeat('Z', 29) || '_', 'email', 'z@example.com', 'password', repeat('p', 72)))),
	repeat('Z', 29) || '_', 'register: a username of 30 characters and a password of 72 bytes are accepted');
SELECT ok((SELECT error IS NULL AND (data -> 'user' ->> 'name') IS NULL FROM api.register(jsonb_build_object('username', 'multibyte', 'email', 'mb@example.com', 'password', repeat('é', 36), 'name', '   '))),
	'register: a password of 72 bytes in 36 characters is accepted; a blank name is stored as null');
SELECT is((SELECT data -> 'user' ->> 'name' FROM api.register(jsonb_build_object('username', 'named', 'email', 'named@example.com', 'password', 'password1', 'name', repeat('n', 100)))),
	repeat('n', 100), 'register: a name of 100 characters is accepted');
SELECT ok((SELECT (data -> 'user' ->> 'name') IS NULL FROM api.register('{"username": "noname", "email": "noname@example.com", "password": "password1", "name": null}')),
	'register: a null name is accepted and returned as null');
RESET ROLE;
SELECT ok((SELECT todo.check_password(repeat('é', 36), password_hash) FROM todo.users WHERE username = 'multibyte'),
	'register: a multibyte password verifies after registration');

-- conflicts: 409, ignoring case
SELECT pg_temp.req('todo_anon');
SELECT throws_ok(pg_temp.register('{"username": "ALICE_1", "email": "other@example.com", "password": "password1"}'), 'TD409',
	'username is already taken', 'register: a username taken in another letter case is a 409');
SELECT throws_ok(pg_temp.register('{"username": "alice_1", "email": "other@example.com", "password": "password1"}'), 'TD409',
	'username is already taken', 'register: a username taken in lowercase is a 409');
SELECT throws_ok(pg_temp.register('{"username": "other", "email": "ALICE@example.com", "password": "password1"}'), 'TD409',
	'email is already registered', 'register: an email taken in another letter case is a 409');
SELECT throws_ok(pg_temp.register('{"username": "other", "email": " alice@example.com", "password": "password1"}'), 'TD409',
	'email is already registered', 'register: an email taken, sent with a space, is a 409');
SELECT is(pg_temp.err(pg_temp.register('{"username": "other", "email": "alice@example.com", "password": "password1"}')) ->> 'detail', NULL,
	'register: a 409 has no DETAIL');
RESET ROLE;
SELECT is((SELECT count(*)::int FROM todo.users), 6, 'register: refused registrations created no user');
SELECT is((SELECT count(*)::int FROM todo.sessions), 7, 'register: each registration (and the one login) opened exactly one session');

SELECT * FROM finish();
ROLLBACK;
