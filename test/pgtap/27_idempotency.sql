-- 27_idempotency.sql: writes under an Idempotency-Key (api.idempotent_call,
-- api.idempotent_register): run once, replayed after, 422 for another request under the
-- key, per-user (per-address for register) keys, errors not stored, expiry and purge, the
-- secret of the fingerprints hidden. The 409 of a key in use needs a second session: the
-- idempotency suite (test/suites/idempotency.sh) checks it over HTTP.
BEGIN;
\ir _helpers.psql
SELECT plan(52);

SELECT pg_temp.make_user('alice', 'alice@example.com') AS alice, pg_temp.make_user('bob', 'bob@example.com') AS bob \gset
SELECT pg_temp.token_for('alice') AS tok_a, pg_temp.token_for('bob') AS tok_b \gset

-- a call as the gateway makes it: (operation, key, method, path, body, task id)
CREATE FUNCTION pg_temp.call(op text, k text, method text, path text, body text, task text DEFAULT NULL)
RETURNS api.idempotent_result LANGUAGE sql
AS $$ SELECT * FROM api.idempotent_call(op, k, method, path, body, task) $$;
CREATE FUNCTION pg_temp.call_sql(op text, k text, method text, path text, body text, task text DEFAULT NULL)
RETURNS text LANGUAGE sql
AS $$ SELECT format('SELECT * FROM api.idempotent_call(%L, %L, %L, %L, %L, %L)', op, k, method, path, body, task) $$;
CREATE FUNCTION pg_temp.tasks_of(owner uuid) RETURNS integer LANGUAGE sql
	AS $$ SELECT count(*)::int FROM todo.tasks WHERE user_id = owner $$;

-- create: once, then the stored answer
SELECT pg_temp.req('todo_user', :'tok_a', :'alice');
SELECT (r).data AS first_data, (r).replayed AS first_replayed
	FROM (SELECT pg_temp.call('task_create', 'key-1', 'POST', '/api/' || :'alice' || '/tasks', '{"title": "milk"}') r) x \gset
SELECT is(:'first_replayed'::boolean, false, 'create under a new key: runs (replayed false)');
SELECT (r).data AS second_data, (r).replayed AS second_replayed, (r).error IS NULL AS second_no_error
	FROM (SELECT pg_temp.call('task_create', 'key-1', 'POST', '/api/' || :'alice' || '/tasks', '{"title": "milk"}') r) x \gset
SELECT is(:'second_replayed'::boolean, true, 'the same request under the same key: replayed');
SELECT is(:'second_data'::jsonb, :'first_data'::jsonb, 'the replay returns the stored data (the same task)');
SELECT ok(:'second_no_error'::boolean, 'a replay has no error');
RESET ROLE;
SELECT is(pg_temp.tasks_of(:'alice'), 1, 'the task was created once');

-- another request under the same key: 422, nothing runs
SELECT pg_temp.req('todo_user', :'tok_a', :'alice');
SELECT is(pg_temp.err(pg_temp.call_sql('task_create', 'key-1', 'POST', '/api/' || :'alice' || '/tasks', '{"title": "eggs"}')) ->> 'sqlstate',
	'TDI22', 'the same key with another body: TDI22 (HTTP 422)');
SELECT is(pg_temp.err(pg_temp.call_sql('task_create', 'key-1', 'POST', '/api/' || :'alice' || '/tasks/', '{"title": "milk"}')) ->> 'sqlstate',
	'TDI22', 'the same key with another path: TDI22');
SELECT is(pg_temp.err(pg_temp.call_sql('task_create', 'key-1', 'PUT', '/api/' || :'alice' || '/tasks', '{"title": "milk"}')) ->> 'sqlstate',
	'TDI22', 'the same key with another method: TDI22');
SELECT is(pg_temp.err(pg_temp.call_sql('task_create', 'key-1', 'POST', '/api/' || :'alice' || '/tasks', '{"title": "eggs"}')) ->> 'message',
	'this Idempotency-Key was used for a different request (method, path or body)', 'TDI22 says what is wrong');
RESET ROLE;
SELECT is(pg_temp.tasks_of(:'alice'), 1, 'alice still has one task');

-- keys are per user: bob's key-1 is his own
SELECT pg_temp.req('todo_user', :'tok_b', :'bob');
SELECT is((pg_temp.call('task_create', 'key-1', 'POST', '/api/' || :'bob' || '/tasks', '{"title": "eggs"}')).replayed, false,
	'bob''s key-1 is not alice''s: it runs');
SELECT is(pg_temp.err('SELECT * FROM todo.idempotency_keys') ->> 'sqlstate', '42501', 'todo_user cannot read todo.idempotency_keys');
SELECT is(pg_temp.err('SELECT * FROM todo.idempotency_settings') ->> 'sqlstate', '42501', 'todo_user cannot read todo.idempotency_settings (the secret)');
SELECT pg_temp.req('todo_anon');
SELECT is(pg_temp.err('SELECT * FROM todo.idempotency_settings') ->> 'sqlstate', '42501', 'todo_anon cannot read todo.idempotency_settings');
RESET ROLE;
SELECT is(pg_temp.tasks_of(:'bob'), 1, 'bob has his task');
SELECT is((SELECT array_agg(scope ORDER BY scope) FROM todo.idempotency_keys WHERE key = 'key-1'),
	(SELECT array_agg(s ORDER BY s) FROM unnest(ARRAY['u:' || :'alice', 'u:' || :'bob']) s), 'two rows for key-1, one per user');

-- the fingerprint is keyed: an HMAC with the installation's secret, not a plain digest
SELECT is((SELECT fingerprint FROM todo.idempotency_keys WHERE key = 'key-1' AND scope = 'u:' || :'alice'),
	todo.hmac_digest(convert_to('POST /api/' || :'alice' || E'/tasks\n{"title": "milk"}', 'UTF8'), (SELECT secret FROM todo.idempotency_settings)),
	'the fingerprint is HMAC-SHA256(method path body) with the secret');
SELECT isnt((SELECT fingerprint FROM todo.idempotency_keys WHERE key = 'key-1' AND scope = 'u:' || :'alice'),
	sha256(convert_to('POST /api/' || :'alice' || E'/tasks\n{"title": "milk"}', 'UTF8')), 'it is not the plain SHA-256 of the request');
SELECT ok((SELECT octet_length(secret) >= 32 FROM todo.idempotency_settings), 'the secret is at least 32 random bytes');

-- update, complete (a toggle), delete: each runs once
SELECT pg_temp.req('todo_user', :'tok_a', :'alice');
SELECT :'first_data'::jsonb ->> 'id' AS task \gset
SELECT is((pg_temp.call('task_complete', 'toggle-1', 'PATCH', '/api/' || :'alice' || '/tasks/' || :'task' || '/complete', NULL, :'task')).data ->> 'status',
	'completed', 'complete (toggle) under a key: completed');
SELECT is((pg_temp.call('task_complete', 'toggle-1', 'PATCH', '/api/' || :'alice' || '/tasks/' || :'task' || '/complete', NULL, :'task')).replayed,
	true, 'the toggle again under the same key: replayed');
SELECT is((SELECT data ->> 'status' FROM api.task_get(:'task')), 'completed', 'the task stayed completed: the toggle ran once');
SELECT is((pg_temp.call('task_update', 'upd-1', 'PUT', '/api/' || :'alice' || '/tasks/' || :'task', '{"title": "oat milk"}', :'task')).data ->> 'title',
	'oat milk', 'update under a key');
SELECT is((pg_temp.call('task_update', 'upd-1', 'PUT', '/api/' || :'alice' || '/tasks/' || :'task', '{"title": "oat milk"}', :'task')).replayed,
	true, 'the update again: replayed');
SELECT is(pg_temp.err(pg_temp.call_sql('task_update', 'bad-1', 'PUT', '/api/' || :'alice' || '/tasks/' || :'task', '{"title": ""}', :'task')) ->> 'sqlstate',
	'TD422', 'an update refused (an empty title) under a key: TD422');
SELECT is((pg_temp.call('task_update', 'bad-1', 'PUT', '/api/' || :'alice' || '/tasks/' || :'task', '{"title": "fixed"}', :'task')).replayed,
	false, 'an error is not stored: the key is free for another request');
SELECT is((pg_temp.call('task_delete', 'del-1', 'DELETE', '/api/' || :'alice' || '/tasks/' || :'task', NULL, :'task')).replayed,
	false, 'delete under a key');
SELECT is(pg_temp.err(format('SELECT * FROM api.task_get(%L)', :'task')) ->> 'sqlstate', 'TD404', 'the task is gone');
SELECT is((pg_temp.call('task_delete', 'del-1', 'DELETE', '/api/' || :'alice' || '/tasks/' || :'task', NULL, :'task')).replayed,
	true, 'the delete again: replayed (a 204 again, not a 404)');

-- the 401 and 403 checks come before the key
SELECT pg_temp.req('todo_user', 'not-a-token', :'alice');
SELECT is(pg_temp.err(pg_temp.call_sql('task_create', 'key-1', 'POST', '/api/' || :'alice' || '/tasks', '{"title": "milk"}')) ->> 'sqlstate',
	'TD401', 'a bad token: TD401, no replay');
SELECT pg_temp.req('todo_user', :'tok_b', :'alice');
SELECT is(pg_temp.err(pg_temp.call_sql('task_create', 'key-1', 'POST', '/api/' || :'alice' || '/tasks', '{"title": "milk"}')) ->> 'sqlstate',
	'TD403', 'bob acting for alice: TD403, no replay of alice''s key');

-- the key's format: 1-255 printable ASCII
SELECT pg_temp.req('todo_user', :'tok_a', :'alice');
SELECT is(pg_temp.err(pg_temp.call_sql('task_create', '', 'POST', '/p', '{"title": "x"}')) ->> 'sqlstate', 'TDI00', 'an empty key: TDI00 (HTTP 400)');
SELECT is(pg_temp.err(pg_temp.call_sql('task_create', repeat('k', 256), 'POST', '/p', '{"title": "x"}')) ->> 'sqlstate', 'TDI00', 'a key of 256 characters: TDI00');
SELECT is(pg_temp.err(pg_temp.call_sql('task_create', 'clé', 'POST', '/p', '{"title": "x"}')) ->> 'sqlstate', 'TDI00', 'a key that is not ASCII: TDI00');
SELECT is(pg_temp.err(pg_temp.call_sql('task_create', E'a\tb', 'POST', '/p', '{"title": "x"}')) ->> 'sqlstate', 'TDI00', 'a key with a control character: TDI00');
SELECT is((pg_temp.call('task_create', repeat('~', 255), 'POST', '/p', '{"title": "x"}')).replayed, false, 'a key of 255 printable characters is fine');
SELECT is(pg_temp.err(pg_temp.call_sql('task_get', 'op-1', 'GET', '/p', NULL)) ->> 'sqlstate', 'TD400', 'only the writes run under a key');

-- logout: its retry cannot authenticate any more (the session has ended), and is replayed
SELECT is((pg_temp.call('logout', 'out-1', 'POST', '/api/auth/logout', NULL)).replayed, false, 'logout under a key');
SELECT is((pg_temp.call('logout', 'out-1', 'POST', '/api/auth/logout', NULL)).replayed, true,
	'the logout again with the ended session''s token: replayed (204), not 401');
SELECT is(pg_temp.err(pg_temp.call_sql('logout', 'out-2', 'POST', '/api/auth/logout', NULL)) - 'detail',
	'{"sqlstate": "TD401", "message": "session has ended"}', 'another key with that token: TD401, the session has ended');
SELECT pg_temp.req('todo_user', 'not.a-token.at-all', '');
SELECT is(pg_temp.err(pg_temp.call_sql('logout', 'out-1', 'POST', '/api/auth/logout', NULL)) - 'detail',
	'{"sqlstate": "TD401", "message": "invalid token"}', 'a logout with a token that is no token: TD401 as without a key');

RESET ROLE;
SELECT pg_temp.token_for('alice') AS tok_a \gset

-- register: keyed by the client's address
SELECT pg_temp.req('todo_anon');
SELECT set_config('app.client_addr', '192.0.2.7', true);
SELECT (r).data ->> 'access_token' AS reg_token, (r).replayed AS reg_replayed
	FROM api.idempotent_register('reg-1', 'POST', '/api/auth/register', '{"username": "carol", "email": "carol@example.com", "password": "password1"}') r \gset
SELECT is(:'reg_replayed'::boolean, false, 'register under a key: runs');
SELECT is((api.idempotent_register('reg-1', 'POST', '/api/auth/register', '{"username": "carol", "email": "carol@example.com", "password": "password1"}')).data ->> 'access_token',
	:'reg_token', 'the same register again from that address: the stored answer, the same token');
SELECT set_config('app.client_addr', '198.51.100.9', true);
SELECT is(pg_temp.err($$SELECT * FROM api.idempotent_register('reg-1', 'POST', '/api/auth/register', '{"username": "carol", "email": "carol@example.com", "password": "password1"}')$$) ->> 'sqlstate',
	'TD409', 'from another address the key is another: register runs again (and carol is taken)');
RESET ROLE;
SELECT is((SELECT count(*)::int FROM todo.users WHERE username = 'carol'), 1, 'carol was registered once');

-- expiry: an expired key is neither replayed nor a 422; it is replaced
UPDATE todo.idempotency_keys SET expires_at = now() - interval '1 second' WHERE scope = 'u:' || :'alice' AND key = 'key-1';
SELECT pg_temp.req('todo_user', :'tok_a', :'alice');
SELECT is((pg_temp.call('task_create', 'key-1', 'POST', '/api/' || :'alice' || '/tasks', '{"title": "bread"}')).replayed, false,
	'an expired key with another body: runs (no 422)');
RESET ROLE;
SELECT ok((SELECT expires_at > now() FROM todo.idempotency_keys WHERE scope = 'u:' || :'alice' AND key = 'key-1'), 'and its row is renewed');

-- the lifetime: 24 hours by default, a setting of todo.idempotency_settings
SELECT is((SELECT expires_at - created_at FROM todo.idempotency_keys WHERE scope = 'u:' || :'alice' AND key = 'key-1'),
	interval '24 hours', 'a key lives 24 hours by default');
UPDATE todo.idempotency_settings SET key_lifetime = interval '2 hours';
SELECT pg_temp.req('todo_user', :'tok_b', :'bob');
SELECT pg_temp.call('task_create', 'short', 'POST', '/p', '{"title": "x"}');
RESET ROLE;
SELECT is((SELECT expires_at - created_at FROM todo.idempotency_keys WHERE scope = 'u:' || :'bob' AND key = 'short'),
	interval '2 hours', 'the lifetime follows todo.idempotency_settings.key_lifetime');

-- purge: each stored answer deletes up to 10 expired keys; todo.forget_idempotency_keys the rest
INSERT INTO todo.idempotency_keys (scope, key, fingerprint, expires_at)
SELECT 'u:' || :'bob', 'old-' || i, sha256(i::text::bytea), now() - i * interval '1 minute' FROM generate_series(1, 25) i;
SELECT pg_temp.req('todo_user', :'tok_b', :'bob');
SELECT pg_temp.call('task_create', 'new-1', 'POST', '/p', '{"title": "y"}');
RESET ROLE;
SELECT is((SELECT count(*)::int FROM todo.idempotency_keys WHERE key LIKE 'old-%'), 15, 'a stored answer deleted 10 expired keys');
SELECT is((SELECT min(substr(key, 5)::int) FROM todo.idempotency_keys WHERE key LIKE 'old-%'), 1, 'the oldest first (old-25 .. old-16 went)');
SELECT is(todo.forget_idempotency_keys(), 15, 'todo.forget_idempotency_keys deletes the rest');

SELECT * FROM finish();
ROLLBACK;
