-- 12_sessions.sql: authenticating requests (api.me, api.authorize, api.logout): live sessions,
-- revoked, expired, inactive or deleted users, tampered and forged tokens, 401 before 403.
BEGIN;
\ir _helpers.psql
SELECT plan(59);

-- An HS256-style token built by hand: base64url(header).base64url(payload).base64url(HMAC-SHA256 under key).
CREATE FUNCTION pg_temp.hand_token(header text, payload text, key text) RETURNS text LANGUAGE sql AS $$
	SELECT s || '.' || pg_temp.b64url(public.hmac(s, key, 'sha256'))
	FROM (SELECT pg_temp.b64url(convert_to(header, 'UTF8')) || '.' || pg_temp.b64url(convert_to(payload, 'UTF8')) AS s) t
$$;

-- api.authorize() with app.token set to token
CREATE FUNCTION pg_temp.authorize_with(token text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	PERFORM set_config('app.token', token, true);
	PERFORM * FROM api.authorize();
END
$$;

-- fixtures
SELECT pg_temp.make_user('alice', 'alice@example.com') AS alice, pg_temp.make_user('bob', 'bob@example.com') AS bob,
	pg_temp.make_user('carol', 'carol@example.com') AS carol \gset
SELECT pg_temp.token_for('alice') AS tok_a1, pg_temp.token_for('alice') AS tok_a2, pg_temp.token_for('alice') AS tok_a3,
	pg_temp.token_for('bob') AS tok_b, pg_temp.token_for('carol') AS tok_c \gset
SELECT pg_temp.jwt_part(:'tok_a3', 2) ->> 'jti' AS jti_a3, floor(extract(epoch FROM now()))::bigint AS now_epoch,
	pg_temp.jwt_secret() AS secret \gset
-- tokens a superuser can make with the real key (the request roles cannot: see 04_privileges.sql)
SELECT todo.jwt_sign(jsonb_build_object('sub', :'alice', 'jti', :'jti_a3', 'iat', :now_epoch, 'exp', :now_epoch + 600)) AS forged_ok,
	todo.jwt_sign(jsonb_build_object('sub', :'alice', 'jti', :'jti_a3', 'iat', :now_epoch - 7200, 'exp', :now_epoch - 3600)) AS expired,
	todo.jwt_sign(jsonb_build_object('sub', :'alice', 'jti', :'jti_a3', 'iat', :now_epoch - 7200, 'exp', :now_epoch - 10)) AS in_leeway,
	todo.jwt_sign(jsonb_build_object('sub', :'alice', 'jti', :'jti_a3', 'iat', :now_epoch)) AS no_exp,
	todo.jwt_sign(jsonb_build_object('sub', :'alice', 'jti', :'jti_a3', 'iat', :now_epoch, 'exp', (:now_epoch + 600)::text)) AS string_exp,
	todo.jwt_sign(jsonb_build_object('sub', :'alice', 'jti', :'jti_a3', 'nbf', :now_epoch + 3600, 'exp', :now_epoch + 7200)) AS not_yet,
	todo.jwt_sign(jsonb_build_object('sub', :'alice', 'jti', :'jti_a3', 'iat', :now_epoch + 3600, 'exp', :now_epoch + 7200)) AS future_iat,
	todo.jwt_sign(jsonb_build_object('sub', 'alice', 'jti', :'jti_a3', 'exp', :now_epoch + 600)) AS bad_sub,
	todo.jwt_sign(jsonb_build_object('sub', :'alice', 'exp', :now_epoch + 600)) AS no_jti,
	todo.jwt_sign(jsonb_build_object('sub', :'alice', 'jti', 'no-such-session', 'exp', :now_epoch + 600)) AS unknown_jti,
	todo.jwt_sign(jsonb_build_object('sub', :'bob', 'jti', :'jti_a3', 'exp', :now_epoch + 600)) AS wrong_owner
\gset

-- me and authorize with a live token
SELECT pg_temp.req('todo_user', :'tok_a1', '');
SELECT data AS me, meta IS NULL AND error IS NULL AS me_clean FROM api.me() \gset
SELECT is(:'me'::json ->> 'id', :'alice', 'me: the token''s user');
SELECT ok(:'me_clean', 'me: meta and error are NULL');
SELECT is((SELECT array_agg(k ORDER BY k) FROM json_object_keys(:'me'::json) k),
	ARRAY['created_at', 'email', 'email_verified', 'id', 'is_active', 'name', 'updated_at', 'username'], 'me: the contract''s User object, no hash');
SELECT ok((SELECT data IS NULL AND meta IS NULL AND error IS NULL FROM api.authorize()), 'authorize: a live token passes, returning an empty result');
SELECT pg_temp.req('todo_user', :'tok_a1', :'alice');
SELECT lives_ok('SELECT * FROM api.authorize()', 'authorize: the path user is the token''s user');
SELECT pg_temp.req('todo_user', :'tok_a1', upper(:'alice'));
SELECT lives_ok('SELECT * FROM api.authorize()', 'authorize: the path user in uppercase is still the token''s user');
SELECT pg_temp.req('todo_user', :'tok_b', '');
SELECT is((SELECT data ->> 'id' FROM api.me()), :'bob', 'me: another token, another user');

-- 401: no token; 403: someone else's path; 401 takes precedence
SELECT pg_temp.req('todo_user', '', '');
SELECT throws_ok('SELECT * FROM api.me()', 'TD401', 'missing bearer token', 'me without a token: 401');
SELECT throws_ok('SELECT * FROM api.authorize()', 'TD401', 'missing bearer token', 'authorize without a token: 401');
SELECT throws_ok('SELECT * FROM api.logout()', 'TD401', 'missing bearer token', 'logout without a token: 401');
SELECT pg_temp.req('todo_user', :'tok_a1', :'bob');
SELECT throws_ok('SELECT * FROM api.authorize()', 'TD403', 'not allowed to act for this user', 'authorize for another user''s path: 403');
SELECT throws_ok('SELECT * FROM api.me()', 'TD403', NULL, 'any authenticated call naming another user: 403');
SELECT pg_temp.req('todo_user', :'tok_a1', 'not-a-uuid');
SELECT throws_ok('SELECT * FROM api.authorize()', 'TD403', NULL, 'authorize for a malformed path user: 403');
SELECT pg_temp.req('todo_user', '', :'bob');
SELECT throws_ok('SELECT * FROM api.authorize()', 'TD401', NULL, 'no token and another user''s path: 401 comes before 403');
SELECT pg_temp.req('todo_user', 'garbage', :'bob');
SELECT throws_ok('SELECT * FROM api.authorize()', 'TD401', NULL, 'a bad token and another user''s path: 401 comes before 403');

-- malformed and tampered tokens
SELECT pg_temp.req('todo_user', '', '');
SELECT throws_ok(format('SELECT pg_temp.authorize_with(%L)', t), 'TD401', m, format('token refused (%s): %s', m, d))
FROM (VALUES
	('garbage', 'not a JWT', 'invalid token'),
	('a.b', 'two segments', 'invalid token'),
	(:'tok_a1' || '.x', 'four segments', 'invalid token'),
	('Bearer ' || :'tok_a1', 'with the "Bearer " prefix', 'invalid token'),
	(split_part(:'tok_a1', '.', 1) || '.' || split_part(:'tok_a1', '.', 2) || '.', 'empty signature', 'invalid token'),
	(split_part(:'tok_a1', '.', 1) || '.' || split_part(:'tok_a1', '.', 2) || '.'
		|| translate(left(split_part(:'tok_a1', '.', 3), 1), 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_', 'BCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_A')
		|| substr(split_part(:'tok_a1', '.', 3), 2), 'one signature character changed', 'invalid token signature'),
	(left(:'tok_a1', -1) || substr('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_',
		((strpos('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_', right(:'tok_a1', 1)) - 1) # 1) + 1, 1),
		'signature''s last character with its unused bits set (non-canonical base64url)', 'invalid token'),
	(split_part(:'tok_a1', '.', 1) || '.' || split_part(:'tok_b', '.', 2) || '.' || split_part(:'tok_a1', '.', 3), 'bob''s payload under alice''s signature', 'invalid token signature'),
	(split_part(:'tok_a1', '.', 1) || '.' || pg_temp.b64url(convert_to(jsonb_set(pg_temp.jwt_part(:'tok_a1', 2), '{sub}', to_jsonb(:'bob'::text))::text, 'UTF8'))
		|| '.' || split_part(:'tok_a1', '.', 3), 'sub changed to bob, signature kept', 'invalid token signature'),
	(pg_temp.b64url(convert_to('{"alg":"none","typ":"JWT"}', 'UTF8')) || '.' || split_part(:'tok_a1', '.', 2) || '.', 'alg none, no signature', 'token algorithm must be HS256'),
	(pg_temp.b64url(convert_to('{"alg":"none","typ":"JWT"}', 'UTF8')) || '.' || split_part(:'tok_a1', '.', 2) || '.' || split_part(:'tok_a1', '.', 3), 'alg none, signature kept', 'token algorithm must be HS256'),
	(pg_temp.hand_token('{"alg":"HS512","typ":"JWT"}', convert_from(pg_temp.b64url_decode(split_part(:'tok_a1', '.', 2)), 'UTF8'), :'secret'), 'alg HS512 (correctly keyed HS256 MAC)', 'token algorithm must be HS256'),
	(pg_temp.hand_token('{"alg":"HS256","typ":"JWT"}', convert_from(pg_temp.b64url_decode(split_part(:'tok_a1', '.', 2)), 'UTF8'), 'another-secret-of-at-least-32-bytes!'), 'signed with another key', 'invalid token signature'),
	(:'expired', 'expired an hour ago (valid signature)', 'token has expired'),
	(:'no_exp', 'without exp', 'token has no expiration time'),
	(:'string_exp', 'exp as a string', 'invalid token'),
	(:'not_yet', 'nbf an hour from now', 'token is not yet valid'),
	(:'future_iat', 'iat an hour from now', 'token was issued in the future'),
	(:'bad_sub', 'sub not a uuid', 'invalid token'),
	(:'no_jti', 'without jti', 'invalid token'),
	(:'unknown_jti', 'jti of no session', 'session has ended'),
	(:'wrong_owner', 'sub bob with alice''s session jti', 'session has ended')
) v(t, d, m);
SELECT pg_temp.req('todo_user', pg_temp.hand_token('{"alg":"HS256","typ":"JWT"}', convert_from(pg_temp.b64url_decode(split_part(:'tok_a1', '.', 2)), 'UTF8'), :'secret'), '');
SELECT is((SELECT data ->> 'id' FROM api.me()), :'alice', 'control: a token rebuilt by hand with the real key is accepted (HS256 as specified)');
SELECT pg_temp.req('todo_user', :'forged_ok', '');
SELECT is((SELECT data ->> 'id' FROM api.me()), :'alice', 'control: a token signed with todo.jwt_sign for a live session is accepted');
SELECT pg_temp.req('todo_user', :'in_leeway', '');
SELECT lives_ok('SELECT * FROM api.me()', 'a token expired 10 seconds ago is accepted (30-second leeway)');

-- logout revokes the token's session only
SELECT pg_temp.req('todo_user', :'tok_a1', '');
SELECT ok((SELECT data IS NULL AND meta IS NULL AND error IS NULL FROM api.logout()), 'logout: an empty result (204)');
RESET ROLE;
SELECT is((SELECT revoked FROM todo.sessions WHERE token_jti = pg_temp.jwt_part(:'tok_a1', 2) ->> 'jti'), true, 'logout: the token''s session is revoked');
SELECT is((SELECT count(*)::int FROM todo.sessions WHERE user_id = :'alice' AND revoked), 1, 'logout: the user''s other sessions stay live');
SELECT pg_temp.req('todo_user', :'tok_a1', '');
SELECT throws_ok('SELECT * FROM api.me()', 'TD401', 'session has ended', 'after logout, the token gets 401 from me');
SELECT throws_ok('SELECT * FROM api.authorize()', 'TD401', 'session has ended', 'after logout, the token gets 401 from authorize');
SELECT throws_ok('SELECT * FROM api.logout()', 'TD401', 'session has ended', 'after logout, logging out again is 401');
SELECT throws_ok($$SELECT * FROM api.task_list('{}')$$, 'TD401', 'session has ended', 'after logout, the token gets 401 from the task routes');
SELECT pg_temp.req('todo_user', :'tok_a1', :'bob');
SELECT throws_ok('SELECT * FROM api.authorize()', 'TD401', NULL, 'a revoked token naming another user: 401, not 403');
SELECT pg_temp.req('todo_user', :'tok_a2', '');
SELECT is((SELECT data ->> 'id' FROM api.me()), :'alice', 'after logout, another token of the same user still works');

-- expired session (the session row, whatever the token's exp says)
RESET ROLE;
UPDATE todo.sessions SET expires_at = now() - interval '1 second' WHERE token_jti = pg_temp.jwt_part(:'tok_a2', 2) ->> 'jti';
SELECT pg_temp.req('todo_user', :'tok_a2', '');
SELECT throws_ok('SELECT * FROM api.me()', 'TD401', 'session has ended', 'a session past its expires_at gets 401');

-- inactive and deleted users
RESET ROLE;
UPDATE todo.users SET is_active = false WHERE id = :'bob';
SELECT pg_temp.req('todo_user', :'tok_b', '');
SELECT throws_ok('SELECT * FROM api.me()', 'TD401', NULL, 'the token of an inactive user gets 401');
RESET ROLE;
UPDATE todo.users SET is_active = true WHERE id = :'bob';
SELECT pg_temp.req('todo_user', :'tok_b', '');
SELECT lives_ok('SELECT * FROM api.me()', 'the same token works again once the user is reactivated');
RESET ROLE;
DELETE FROM todo.users WHERE id = :'carol';
SELECT pg_temp.req('todo_user', :'tok_c', '');
SELECT throws_ok('SELECT * FROM api.me()', 'TD401', NULL, 'the token of a deleted user gets 401');

-- the issuer and audience (the settings todo.jwt_issuer and todo.jwt_audience, or the plain
-- install's todo.settings): a token carries iss and aud only when they are set, and then
-- passes the checks they turn on
RESET ROLE;
CREATE FUNCTION pg_temp.set_issuer_audience(issuer text, audience text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	IF pg_temp.plain() THEN
		UPDATE todo.settings SET jwt_issuer = issuer, jwt_audience = audience;
	ELSE
		PERFORM set_config('todo.jwt_issuer', issuer, true), set_config('todo.jwt_audience', audience, true);
	END IF;
END
$$;
SELECT is(pg_temp.jwt_part(:'tok_b', 2) ?| ARRAY['iss', 'aud'], false, 'no issuer or audience set: a token has no iss or aud claim');
SELECT pg_temp.set_issuer_audience('https://todo.example', 'todo-web');
SELECT pg_temp.token_for('alice') AS tok_iss \gset
SELECT is(pg_temp.jwt_part(:'tok_iss', 2) -> 'iss', '"https://todo.example"'::jsonb, 'an issuer set: a token carries it as iss');
SELECT is(pg_temp.jwt_part(:'tok_iss', 2) -> 'aud', '"todo-web"'::jsonb, 'an audience set: a token carries it as aud');
SELECT pg_temp.req('todo_user', :'tok_iss', '');
SELECT is((SELECT data ->> 'id' FROM api.me()), :'alice', 'a token with the iss and aud set passes their checks');
SELECT pg_temp.req('todo_user', :'tok_b', '');
SELECT throws_ok('SELECT * FROM api.me()', 'TD401', 'token issuer does not match', 'a token without iss gets 401 once an issuer is set');
RESET ROLE;
SELECT pg_temp.set_issuer_audience('', 'todo-web');
SELECT is(pg_temp.jwt_part(pg_temp.token_for('alice'), 2) - ARRAY['sub', 'jti', 'iat', 'exp'], '{"aud": "todo-web"}'::jsonb,
	'an audience alone: aud, and no iss');

SELECT * FROM finish();
ROLLBACK;
