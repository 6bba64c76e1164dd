-- 50_external_tokens.sql: other issuers' tokens (issue 10): the owner-only tables, the admin
-- and gateway functions and who may call them, every algorithm, the attack list, the users
-- the tokens create, {user_id} as sub, logout, key rotation. The keys and tokens are in
-- _jws_fixtures.psql, made by `perl test/tools/jws.pl psql` from throwaway keys (test-only;
-- no private key is kept). The plain install (test/suites/plain.sh) passes the same tests
-- with its PL/pgSQL verification.
BEGIN;
\ir _helpers.psql
\ir _jws_fixtures.psql
SELECT plan(104);

-- The API call of a request as the gateway makes it: data of api.me(), or the error.
CREATE FUNCTION pg_temp.me(token text, path_user text DEFAULT '') RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
	r jsonb;
BEGIN
	PERFORM pg_temp.req('todo_user', token, path_user);
	SELECT to_jsonb(m.data) INTO r FROM api.me() m;
	RESET ROLE;
	RETURN r;
END
$$;
-- 'ok' when a request with token is authenticated, else 'SQLSTATE message'.
CREATE FUNCTION pg_temp.auth(token text, path_user text DEFAULT '') RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	e jsonb := pg_temp.err(format('SELECT pg_temp.me(%L, %L)', token, path_user));
BEGIN
	RESET ROLE;
	RETURN coalesce((e ->> 'sqlstate') || ' ' || (e ->> 'message'), 'ok');
END
$$;
-- the tables: owner-only
SELECT is((SELECT count(*)::int FROM unnest(ARRAY['todo_anon', 'todo_user', 'todo_gateway']) r,
		unnest(ARRAY['todo.issuers', 'todo.issuer_keys', 'todo.external_identities']) t
		WHERE has_table_privilege(r, t, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')), 0,
	'the request roles and the gateway hold no privilege on issuers, issuer_keys, external_identities');
SELECT is((SELECT array_agg(relname::text ORDER BY relname) FROM pg_class
		WHERE oid IN ('todo.issuers'::regclass, 'todo.issuer_keys'::regclass, 'todo.external_identities'::regclass)
			AND relrowsecurity AND relforcerowsecurity AND relowner = 'todo_owner'::regrole),
	ARRAY['external_identities', 'issuer_keys', 'issuers'], 'the new tables belong to todo_owner, RLS forced');
SELECT ok(NOT pg_has_role('pg_read_all_settings', 'todo_owner', 'MEMBER'), 'pg_read_all_settings is no todo_owner: it cannot read the secrets table');

-- who may call the new functions
SELECT is((SELECT array_agg(proname::text ORDER BY proname) FROM pg_proc
		WHERE pronamespace = 'api'::regnamespace AND has_function_privilege('todo_gateway', oid, 'EXECUTE')),
	ARRAY['gateway_forget_idempotency_keys', 'gateway_jwks_sources', 'gateway_store_jwks'], 'todo_gateway itself may execute exactly the two JWKS functions and its purge of expired keys');
SELECT ok(NOT has_function_privilege(r, f, 'EXECUTE'), format('%s cannot execute %s', r, f))
FROM unnest(ARRAY['todo_anon', 'todo_user']) r,
	unnest(ARRAY['api.gateway_jwks_sources()', 'api.gateway_store_jwks(text, jsonb)', 'todo.issuer_add(text, text, text, text, text, text)',
		'todo.issuer_remove(text)', 'todo.issuer_list()', 'todo.jws_verify(text, jsonb, text, bytea)']) f;
SELECT ok(NOT has_function_privilege('todo_gateway', f, 'EXECUTE'), format('todo_gateway cannot execute %s', f))
FROM unnest(ARRAY['todo.issuer_add(text, text, text, text, text, text)', 'todo.issuer_remove(text)', 'todo.issuer_list()']) f;
SET LOCAL ROLE todo_user;
SELECT throws_ok($$SELECT api.gateway_store_jwks('ba', '{"keys": []}')$$, '42501', NULL, 'todo_user cannot store keys');
SELECT throws_ok($$SELECT * FROM todo.issuers$$, '42501', NULL, 'todo_user cannot read todo.issuers');
RESET ROLE;

-- admin: adding issuers, and what is refused (22023, nothing added)
SELECT lives_ok($$SELECT todo.issuer_add('ba', 'https://app.example', 'https://app.example/api/auth/jwks', NULL, 'https://app.example', NULL)$$,
	'a JWKS issuer with an audience');
SELECT lives_ok(format('SELECT todo.issuer_add(%L, %L, NULL, %L)', 'hs', 'https://hs.example', :'hs_secret'), 'an HS256 issuer');
SELECT lives_ok($$SELECT todo.issuer_add('local', 'http://127.0.0.1:3000', 'http://127.0.0.1:3000/api/auth/jwks', NULL)$$,
	'http is allowed on a loopback host');
SELECT is(pg_temp.err(format('SELECT todo.issuer_add(%L, %L, %L, %L)', n, i, u, s)) ->> 'message', m, 'issuer_add refuses: ' || m)
FROM (VALUES
	('x y', 'https://x.example', 'https://x.example/jwks', NULL, 'issuer name must be 1 to 64 letters, digits, ".", "_" or "-"'),
	('x', '', 'https://x.example/jwks', NULL, 'issuer (the tokens'' iss) must be 1 to 1000 characters'),
	('x', 'https://x.example', NULL, NULL, 'give exactly one of a JWKS URL and an HS256 secret'),
	('x', 'https://x.example', 'https://x.example/jwks', 'a-secret-that-is-long-enough-0123456789', 'give exactly one of a JWKS URL and an HS256 secret'),
	('x', 'https://x.example', 'http://x.example/jwks', NULL, 'JWKS URL must be https (http only on a loopback host: 127.0.0.0/8, ::1, localhost)'),
	('x', 'https://x.example', 'http://127.0.0.1@evil.example/jwks', NULL, 'JWKS URL must be https (http only on a loopback host: 127.0.0.0/8, ::1, localhost)'),
	('x', 'https://x.example', NULL, 'short', 'HS256 secret must be 32 to 1024 bytes'),
	('ba', 'https://x.example', 'https://x.example/jwks', NULL, 'issuer ba already exists'),
	('x', 'https://app.example', 'https://x.example/jwks', NULL, 'another issuer already has iss https://app.example')) v(n, i, u, s, m);
SELECT is((SELECT count(*)::int FROM todo.issuers), 3, 'nothing refused was added');
SELECT is((SELECT jsonb_agg(to_jsonb(l) ORDER BY l.name) FROM todo.issuer_list() l)::text ~ 'better-auth-secret', false,
	'issuer_list never shows a secret');
SELECT is((SELECT kind || ':' || keys FROM todo.issuer_list() WHERE name = 'hs'), 'hs256:0', 'issuer_list: kind and keys');
SELECT is((SELECT array_agg(name ORDER BY name) FROM api.gateway_jwks_sources()), ARRAY['ba', 'local'],
	'gateway_jwks_sources lists the JWKS issuers only');
SELECT ok(todo.issuer_remove('local') AND NOT todo.issuer_remove('local'), 'issuer_remove: true once, then false');

-- keys: what the gateway stores
SELECT is(pg_temp.err($$SELECT api.gateway_store_jwks('ba', '[1]')$$) ->> 'sqlstate', '22023', 'a JWKS that is not an object: 22023');
SELECT is(pg_temp.err($$SELECT api.gateway_store_jwks('hs', '{"keys": []}')$$) ->> 'message', 'no JWKS issuer named hs',
	'keys for an HS256 issuer: refused');
SELECT is(api.gateway_store_jwks('ba', jsonb_build_object('keys', jsonb_build_array(:'jwk_eddsa'::jsonb, :'jwk_es256'::jsonb,
		:'jwk_es512'::jsonb, :'jwk_rs256'::jsonb, :'jwk_ps256'::jsonb, :'jwk_rs1024'::jsonb,
		'{"kty": "oct", "kid": "sym", "k": "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA"}'::jsonb,
		'{"kty": "EC", "crv": "P-256", "kid": "off-curve", "x": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "y": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAE"}'::jsonb,
		jsonb_build_object('kty', 'RSA', 'kid', 'huge', 'e', 'AQAB', 'n', repeat('A', 100000)), '"junk"'::jsonb))),
	5, 'store_jwks keeps the 5 usable keys: not RSA-1024, a symmetric key, a point off its curve, a huge n, junk');
SELECT is((SELECT array_agg(kid ORDER BY position) FROM todo.issuer_keys), ARRAY['kid-eddsa', 'kid-es256', 'kid-es512', 'kid-rs256', 'kid-ps256'],
	'the stored keys, in document order');
SELECT is(pg_temp.err($$SELECT api.gateway_store_jwks('ba', '{"keys": [{"kty": "OKP", "crv": "X25519", "x": "AA"}]}')$$) ->> 'message',
	'JWKS document has no usable signing key', 'a JWKS with keys but none usable: 22023');
SELECT is((SELECT count(*)::int FROM todo.issuer_keys), 5, '... and the old keys are kept');

-- every algorithm, through api.me as the gateway calls it
SELECT is(pg_temp.auth(t), 'ok', a || ' token of the JWKS issuer')
FROM (VALUES ('EdDSA', :'tok_eddsa'), ('ES256', :'tok_es256'), ('ES512', :'tok_es512'), ('RS256', :'tok_rs256'), ('PS256', :'tok_ps256')) v(a, t);
SELECT is(pg_temp.auth(:'tok_hs256'), 'ok', 'HS256 token of the shared-secret issuer');
SELECT is(pg_temp.auth(:'tok_nokid'), 'ok', 'a token without kid: the issuer''s keys are tried');

-- the attack list: each a 401 with its reason
SELECT is(pg_temp.auth(t), 'TD401 ' || m, what)
FROM (VALUES
	('alg none, no signature', :'tok_alg_none', 'invalid token'),
	('alg none with a signature', :'tok_alg_none_sig', 'token algorithm does not match the signing key'),
	('HS256 with the Ed25519 key''s raw bytes as secret', :'tok_hs_pubkey_raw', 'token algorithm does not match the signing key'),
	('HS256 with the Ed25519 JWK as secret', :'tok_hs_pubkey_jwk', 'token algorithm does not match the signing key'),
	('HS256 with the Ed25519 PEM as secret', :'tok_hs_pubkey_pem', 'token algorithm does not match the signing key'),
	('HS256 with the RSA JWK as secret', :'tok_hs_pubkey_rsa', 'token algorithm does not match the signing key'),
	('header alg RS256 on an ES256 key', :'tok_alg_mismatch', 'token algorithm does not match the signing key'),
	('header alg PS256 on a key whose alg is RS256 (validly signed)', :'tok_alg_mismatch_ps', 'token algorithm does not match the signing key'),
	('unknown kid', :'tok_unknown_kid', 'unknown signing key'),
	('a key the JWKS never had (RSA 1024, refused)', :'tok_rs1024', 'unknown signing key'),
	('HS256 with the wrong secret', :'tok_hs256_wrong', 'invalid token signature'),
	('HS256 expired', :'tok_hs256_expired', 'token has expired')) v(what, t, m);
SELECT is(pg_temp.err(format('SELECT pg_temp.me(%L)', :'tok_unknown_kid')) -> 'detail', '{"jwks_refresh": "ba"}',
	'unknown kid: DETAIL names the issuer whose JWKS to refresh');
RESET ROLE;
SELECT is(pg_temp.auth(t), 'TD401 ' || m, what)
FROM (VALUES
	('tampered payload', :'tok_tampered_payload', 'invalid token signature'),
	('tampered header', :'tok_tampered_header', 'invalid token signature'),
	('tampered signature', :'tok_tampered_signature', 'invalid token signature'),
	('expired', :'tok_expired', 'token has expired'),
	('no exp', :'tok_no_exp', 'token has no expiration time'),
	('nbf in the future', :'tok_nbf', 'token is not yet valid'),
	('iat in the future', :'tok_iat_future', 'token was issued in the future'),
	('wrong aud (string)', :'tok_aud_wrong', 'token audience does not match'),
	('wrong aud (array)', :'tok_aud_wrong_array', 'token audience does not match'),
	('no subject', :'tok_no_sub', 'token has no subject')) v(what, t, m);
SELECT is(pg_temp.auth(:'tok_other_iss'), 'TD401 token algorithm must be HS256', 'an iss nobody configured is not ours either');

-- who the user is
SELECT pg_temp.make_user('native', 'native@example.com') AS native \gset
SELECT pg_temp.me(:'tok_hs256') AS hs_me \gset
SELECT is((:'hs_me'::jsonb) - '{id,created_at,updated_at,username}'::text[],
	'{"email": "hs@example.com", "name": "Ann Example", "is_active": true, "email_verified": true}',
	'the first token creates the user: email, name, email_verified from the claims');
SELECT ok((:'hs_me'::jsonb ->> 'username') ~ '^[A-Za-z0-9_]{3,30}$', 'with a username that meets the contract''s rules');
SELECT is((SELECT password_hash FROM todo.users WHERE id = (:'hs_me'::jsonb ->> 'id')::uuid), NULL, 'and no password');
SELECT is(pg_temp.me(:'tok_hs256') ->> 'id', :'hs_me'::jsonb ->> 'id', 'a later request maps to the same user');
SELECT is((pg_temp.me(:'tok_hs256_minimal') - '{id,created_at,updated_at,username}'::text[]),
	'{"email": null, "name": null, "is_active": true, "email_verified": false}',
	'a token with only sub, iss, iat and exp: a user without email or name, email not verified');
SELECT is((SELECT count(*)::int FROM todo.external_identities WHERE issuer = 'https://hs.example' AND subject = 'hs-user-1'), 1,
	'one identity for them');
SELECT is((SELECT data ->> 'message' FROM (SELECT error AS data FROM api.login(jsonb_build_object('email', 'hs@example.com', 'password', ''))) l),
	'invalid credentials', 'such a user cannot log in with a password');
SELECT is(pg_temp.auth(:'tok_hs256', 'hs-user-1'), 'ok', '{user_id} may be the token''s sub');
SELECT is(pg_temp.auth(:'tok_hs256', :'hs_me'::jsonb ->> 'id'), 'ok', '{user_id} may be our id');
SELECT is(pg_temp.auth(:'tok_hs256', :'native'), 'TD403 not allowed to act for this user', 'another user''s id: 403');
SELECT is(pg_temp.auth(:'tok_hs256', 'ba-user-0123456789abcdef0123456'), 'TD403 not allowed to act for this user', 'another sub: 403');

-- logout denies exactly that token
CREATE FUNCTION pg_temp.keyed_logout(token text, k text) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
	replayed boolean;
BEGIN
	PERFORM pg_temp.req('todo_user', token);
	SELECT r.replayed INTO replayed FROM api.idempotent_call('logout', k, 'POST', '/api/auth/logout', NULL, NULL) r;
	RESET ROLE;
	RETURN replayed;
END
$$;
SELECT is(pg_temp.keyed_logout(:'tok_hs256', 'hs-out'), false, 'logout with an HS256 issuer''s token (under an Idempotency-Key)');
SELECT is(pg_temp.auth(:'tok_hs256'), 'TD401 session has ended', 'that token is refused afterwards');
SELECT is(pg_temp.keyed_logout(:'tok_hs256', 'hs-out'), true,
	'the keyed logout again with that ended token: replayed from the stored answer, not 401');
SELECT is(pg_temp.err(format($$SELECT pg_temp.keyed_logout(%L, 'hs-out-2')$$, :'tok_hs256')) ->> 'message', 'session has ended',
	'... a new key with that token: 401, nothing runs');
RESET ROLE;
SELECT is((SELECT expires_at FROM todo.sessions WHERE issuer = 'https://hs.example' AND revoked), '2100-01-01 00:00:00+00'::timestamptz,
	'... until its exp (its revoked session stays until then)');

-- the JWKS issuer's users, logout and key rotation
SELECT collect_tap(
	is(pg_temp.me(:'tok_eddsa') ->> 'email', 'ann@example.com', 'EdDSA user: email from the claim, lowercased'),
	is(pg_temp.me(:'tok_es256') ->> 'id', pg_temp.me(:'tok_eddsa') ->> 'id', 'the same (iss, sub) signed with another key: same user'),
	is(pg_temp.me(:'tok_email2') ->> 'email', 'ann.new@example.com', 'a changed email claim updates the user'),
	is(pg_temp.me(:'tok_taken') ->> 'email', NULL, 'a new user whose email a native account holds gets no email'),
	isnt(pg_temp.me(:'tok_taken') ->> 'id', :'native', '... and is a new user, never the native account'),
	is((SELECT email FROM todo.users WHERE id = :'native'), 'native@example.com', '... whose email stays'),
	is(pg_temp.me(:'tok_noemail') ->> 'email', NULL, 'a token without email: a user without email'),
	is(pg_temp.auth(:'tok_aud_array'), 'ok', 'aud as an array that holds the audience'),
	is(pg_temp.err(format($$SELECT pg_temp.req('todo_user', %L); SELECT * FROM api.logout()$$, :'tok_eddsa')), NULL, 'logout with an EdDSA token'),
	is(pg_temp.auth(:'tok_eddsa'), 'TD401 session has ended', 'that token is refused afterwards'),
	is(pg_temp.auth(:'tok_es256'), 'ok', 'another token of the same user still works'),
	is(api.gateway_store_jwks('ba', jsonb_build_object('keys', jsonb_build_array(:'jwk_ed2'::jsonb))) || ' ' || pg_temp.auth(:'tok_ed2'), '1 ok',
		'rotation: the new key verifies its token'),
	is(pg_temp.auth(:'tok_es256'), 'TD401 unknown signing key', 'a token verified before with a key now gone is refused'));

SELECT * FROM finish();
ROLLBACK;
