-- 04_privileges.sql: what the request roles may touch (only their API functions), how the
-- SECURITY DEFINER functions are pinned, and that the JWT secret stays hidden: a setting
-- of the C library, or in the plain install a row of todo.settings.
BEGIN;
\ir _helpers.psql
SELECT plan(76);

-- the tables: no privilege at all for the request roles and the gateway
SELECT is((SELECT count(*)::int FROM unnest(ARRAY['todo_anon', 'todo_user', 'todo_gateway']) r,
		unnest(ARRAY['todo.users', 'todo.tasks', 'todo.sessions', 'todo.login_attempts', 'todo.password_costs',
			'todo.idempotency_keys', 'todo.idempotency_settings']
			|| CASE WHEN pg_temp.plain() THEN ARRAY['todo.settings', 'todo.schema_version'] ELSE '{}' END) t
		WHERE has_table_privilege(r, t, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')), 0,
	'todo_anon, todo_user and todo_gateway hold no privilege on any todo table');
SELECT ok(NOT has_schema_privilege('todo_anon', 'todo', 'USAGE') AND NOT has_schema_privilege('todo_user', 'todo', 'USAGE')
	AND NOT has_schema_privilege('todo_gateway', 'todo', 'USAGE'), 'the request roles and the gateway cannot use schema todo');
SELECT ok(has_schema_privilege('todo_anon', 'api', 'USAGE') AND has_schema_privilege('todo_user', 'api', 'USAGE'),
	'todo_anon and todo_user can use schema api');
SELECT ok(has_schema_privilege('todo_gateway', 'api', 'USAGE'),
	'todo_gateway itself can use schema api (for its two JWKS functions, below)');
SELECT is((SELECT count(*)::int FROM unnest(ARRAY['todo_anon', 'todo_user', 'todo_gateway', 'todo_owner']) r,
		unnest(ARRAY['todo', 'api', 'public']) s WHERE has_schema_privilege(r, s, 'CREATE')), 0,
	'no todo role may create objects in schemas todo, api or public');
SELECT ok(pg_has_role('todo_gateway', 'todo_anon', 'MEMBER') AND pg_has_role('todo_gateway', 'todo_user', 'MEMBER'),
	'todo_gateway may switch to todo_anon and todo_user');
SELECT ok(NOT pg_has_role('todo_gateway', 'todo_anon', 'USAGE') AND NOT pg_has_role('todo_gateway', 'todo_user', 'USAGE'),
	'todo_gateway does not inherit the privileges of todo_anon and todo_user');
SELECT ok(NOT pg_has_role('todo_gateway', 'todo_owner', 'MEMBER') AND NOT pg_has_role('todo_user', 'todo_owner', 'MEMBER')
	AND NOT pg_has_role('todo_anon', 'todo_owner', 'MEMBER'), 'no request role nor the gateway may become todo_owner');

-- functions: who may execute what
SELECT is((SELECT array_agg(proname::text ORDER BY proname) FROM pg_proc
		WHERE pronamespace = 'api'::regnamespace AND has_function_privilege('todo_anon', oid, 'EXECUTE')),
	ARRAY['health', 'idempotent_register', 'login', 'register'], 'todo_anon may execute exactly api.register (and under a key), api.login and api.health');
SELECT is((SELECT array_agg(proname::text ORDER BY proname) FROM pg_proc
		WHERE pronamespace = 'api'::regnamespace AND has_function_privilege('todo_user', oid, 'EXECUTE')),
	ARRAY['authorize', 'health', 'idempotent_call', 'logout', 'me', 'task_complete', 'task_create', 'task_delete', 'task_get', 'task_list', 'task_list_rows', 'task_update'],
	'todo_user may execute every api function but register and login');
SELECT is((SELECT array_agg(p.oid::regprocedure::text ORDER BY p.oid::regprocedure::text) FROM pg_proc p WHERE pronamespace IN ('api'::regnamespace, 'todo'::regnamespace)
		AND has_function_privilege('todo_gateway', oid, 'EXECUTE')), ARRAY['api.gateway_forget_idempotency_keys()', 'api.gateway_jwks_sources()', 'api.gateway_store_jwks(text,jsonb)'],
	'todo_gateway itself may execute only its two JWKS functions and its purge of expired Idempotency-Key answers');
SELECT is((SELECT array_agg(proname::text ORDER BY proname) FROM pg_proc
		WHERE pronamespace = 'todo'::regnamespace
			AND (has_function_privilege('todo_anon', oid, 'EXECUTE') OR has_function_privilege('todo_user', oid, 'EXECUTE'))),
	NULL, 'todo_anon and todo_user may execute no todo.* function');
SELECT is((SELECT array_agg(p.oid::regprocedure::text ORDER BY p.oid::regprocedure::text) FROM pg_proc p
		WHERE p.pronamespace IN ('api'::regnamespace, 'todo'::regnamespace)
			AND (p.proacl IS NULL OR EXISTS (SELECT FROM aclexplode(p.proacl) a WHERE a.grantee = 0))),
	NULL, 'no api or todo function is executable by PUBLIC');

-- the same, as the request roles: every attempt is a permission error
SET LOCAL ROLE todo_anon;
SELECT throws_ok(format('SELECT * FROM todo.%I', t), '42501', NULL, format('todo_anon cannot SELECT from todo.%s', t))
	FROM unnest(ARRAY['users', 'tasks', 'sessions', 'login_attempts']) t;
SELECT throws_ok(format('INSERT INTO todo.%I DEFAULT VALUES', t), '42501', NULL, format('todo_anon cannot INSERT into todo.%s', t))
	FROM unnest(ARRAY['users', 'tasks', 'sessions', 'login_attempts']) t;
SELECT throws_ok($$SELECT todo.jwt_sign('{"sub": "x", "jti": "y", "exp": 9999999999}')$$, '42501', NULL,
	'todo_anon cannot call todo.jwt_sign (no forging tokens)');
SELECT throws_ok($$SELECT todo.jwt_verify('a.b.c')$$, '42501', NULL, 'todo_anon cannot call todo.jwt_verify');
SELECT throws_ok($$SELECT todo.act_as(gen_random_uuid())$$, '42501', NULL, 'todo_anon cannot call todo.act_as');
SELECT throws_ok($$SELECT todo.hash_password('password1')$$, '42501', NULL, 'todo_anon cannot call todo.hash_password');
SELECT throws_ok($$SELECT * FROM api.task_create('{"title": "x"}')$$, '42501', NULL, 'todo_anon cannot call api.task_create');
SELECT throws_ok($$SELECT * FROM api.task_list('{}')$$, '42501', NULL, 'todo_anon cannot call api.task_list');
SELECT throws_ok($$SELECT * FROM api.task_get('x')$$, '42501', NULL, 'todo_anon cannot call api.task_get');
SELECT throws_ok($$SELECT * FROM api.task_update('x', '{}')$$, '42501', NULL, 'todo_anon cannot call api.task_update');
SELECT throws_ok($$SELECT * FROM api.task_delete('x')$$, '42501', NULL, 'todo_anon cannot call api.task_delete');
SELECT throws_ok($$SELECT * FROM api.task_complete('x', NULL)$$, '42501', NULL, 'todo_anon cannot call api.task_complete');
SELECT throws_ok('SELECT * FROM api.me()', '42501', NULL, 'todo_anon cannot call api.me');
SELECT throws_ok('SELECT * FROM api.logout()', '42501', NULL, 'todo_anon cannot call api.logout');
SELECT throws_ok('SELECT * FROM api.authorize()', '42501', NULL, 'todo_anon cannot call api.authorize');
SELECT lives_ok('SELECT * FROM api.health()', 'todo_anon can call api.health');

SET LOCAL ROLE todo_user;
SELECT throws_ok(format('SELECT * FROM todo.%I', t), '42501', NULL, format('todo_user cannot SELECT from todo.%s', t))
	FROM unnest(ARRAY['users', 'tasks', 'sessions', 'login_attempts']) t;
SELECT throws_ok(format('INSERT INTO todo.%I DEFAULT VALUES', t), '42501', NULL, format('todo_user cannot INSERT into todo.%s', t))
	FROM unnest(ARRAY['users', 'tasks', 'sessions', 'login_attempts']) t;
SELECT throws_ok($$SELECT todo.jwt_sign('{"sub": "x", "jti": "y", "exp": 9999999999}')$$, '42501', NULL,
	'todo_user cannot call todo.jwt_sign (no forging tokens)');
SELECT throws_ok($$SELECT todo.jwt_verify('a.b.c')$$, '42501', NULL, 'todo_user cannot call todo.jwt_verify');
SELECT throws_ok($$SELECT todo.authenticate()$$, '42501', NULL, 'todo_user cannot call todo.authenticate');
SELECT throws_ok($$SELECT todo.normalize_tags('{a}')$$, '42501', NULL, 'todo_user cannot call todo.normalize_tags');
SELECT throws_ok($$SELECT * FROM api.register('{}')$$, '42501', NULL, 'todo_user cannot call api.register');
SELECT throws_ok($$SELECT * FROM api.login('{}')$$, '42501', NULL, 'todo_user cannot call api.login');
SELECT lives_ok('SELECT * FROM api.health()', 'todo_user can call api.health');
SELECT throws_ok('SELECT * FROM api.me()', 'TD401', NULL, 'todo_user can call api.me (and is refused for want of a token, not a privilege)');

-- a role that is neither request role may call nothing
RESET ROLE;
CREATE ROLE regress_stranger NOLOGIN;
GRANT regress_stranger TO CURRENT_USER;  -- SET ROLE needs it unless a superuser runs the suite
SET LOCAL ROLE regress_stranger;
SELECT throws_ok('SELECT * FROM api.health()', '42501', NULL, 'a role that is not a request role cannot call api.health');
SELECT throws_ok($$SELECT * FROM api.login('{}')$$, '42501', NULL, 'a role that is not a request role cannot call api.login');
RESET ROLE;

-- SECURITY DEFINER: exactly the API functions that touch tables, owned by todo_owner (not a
-- superuser, so RLS applies), each with a pinned search_path
SELECT is((SELECT array_agg(p.oid::regprocedure::text ORDER BY p.oid::regprocedure::text) FROM pg_proc p
		WHERE p.prosecdef AND p.pronamespace IN ('api'::regnamespace, 'todo'::regnamespace)),
	ARRAY['api.authorize()', 'api.gateway_forget_idempotency_keys()', 'api.gateway_jwks_sources()', 'api.gateway_store_jwks(text,jsonb)'] || CASE WHEN pg_temp.plain() THEN ARRAY['api.health()'] ELSE '{}' END
		|| ARRAY['api.idempotent_call(text,text,text,text,text,text)', 'api.idempotent_register(text,text,text,text)', 'api.login(jsonb)', 'api.logout()', 'api.me()', 'api.register(jsonb)', 'api.task_complete(text,jsonb)',
		'api.task_create(jsonb)', 'api.task_delete(text)', 'api.task_get(text)', 'api.task_list(jsonb)', 'api.task_list_rows(jsonb)', 'api.task_update(text,jsonb)'],
	'the SECURITY DEFINER functions are exactly the API functions but health (but for the plain install''s health too), and the gateway''s two');
SELECT is((SELECT array_agg(p.oid::regprocedure::text ORDER BY p.oid::regprocedure::text) FROM pg_proc p
		WHERE p.pronamespace IN ('api'::regnamespace, 'todo'::regnamespace)
			AND p.prosecdef AND NOT coalesce(p.proconfig @> ARRAY['search_path=pg_catalog, pg_temp'], false)),
	NULL, 'every SECURITY DEFINER function in api and todo pins search_path = pg_catalog, pg_temp');
SELECT is((SELECT array_agg(DISTINCT pg_get_userbyid(proowner)::text) FROM pg_proc WHERE prosecdef AND pronamespace = 'api'::regnamespace),
	ARRAY['todo_owner'], 'every SECURITY DEFINER function is owned by todo_owner');
SELECT CASE WHEN pg_temp.plain()
	THEN is_definer('api', 'health', ARRAY[]::name[], 'the plain install''s api.health runs as todo_owner (its version table is private)')
	ELSE isnt_definer('api', 'health', ARRAY[]::name[], 'api.health runs with its caller''s rights')
	END;
SELECT is((SELECT count(*)::int FROM pg_proc WHERE prosecdef AND pronamespace NOT IN ('api'::regnamespace, 'pg_catalog'::regnamespace, 'information_schema'::regnamespace)
		AND pronamespace <> 'public'::regnamespace), 0, 'no other schema holds a SECURITY DEFINER function');

-- The JWT secret and the token settings: hidden from and fixed for everyone but superusers.
-- The extension's are settings of its C library that only a superuser may read or SET. The
-- plain install's are the row of todo.settings, which only todo_owner may read: a todo.*
-- setting there is one that no library defines, which anyone may SET and nothing reads, as
-- checked with tokens below (one signed with a key a request could SET, one expired a
-- minute ago).
SELECT cmp_ok(length(pg_temp.jwt_secret()), '>=', 32, 'the JWT secret is at least 32 bytes long (superuser view)');
SELECT pg_temp.b64url(convert_to('{"alg":"HS256","typ":"JWT"}', 'UTF8')) || '.'
	|| pg_temp.b64url(convert_to('{"sub":"' || gen_random_uuid() || '","jti":"x","exp":' || floor(extract(epoch FROM now())) + 60 || '}', 'UTF8'))
	AS unsigned \gset
SELECT :'unsigned' || '.' || pg_temp.b64url(public.hmac(:'unsigned', 'abcdefghijklmnopqrstuvwxyz0123456789', 'sha256')) AS forged,
	todo.jwt_sign(jsonb_build_object('sub', gen_random_uuid(), 'jti', 'x', 'exp', floor(extract(epoch FROM now())) - 60)) AS expired,
	pg_temp.make_user('regress_priv', 'regress_priv@example.com') AS priv_user \gset
-- Monitoring roles: a member of pg_monitor (so of pg_read_all_settings) reads every setting,
-- whatever its flags (it used to SHOW todo.jwt_secret): the secret is in no setting, but in
-- a file only the server's user reads (extension) or in todo.settings (plain install).
SELECT pg_temp.jwt_secret() AS cluster_secret \gset
CREATE ROLE regress_monitor IN ROLE pg_monitor;
GRANT regress_monitor TO CURRENT_USER;  -- SET ROLE needs it unless a superuser runs the suite
SET LOCAL ROLE regress_monitor;
SELECT is((SELECT count(*)::int FROM pg_settings WHERE setting = :'cluster_secret'), 0,
	'a pg_monitor member finds the JWT secret in no setting of pg_settings');
SELECT CASE WHEN pg_temp.plain()
	THEN throws_ok('SELECT jwt_secret FROM todo.settings', '42501', NULL, 'a pg_monitor member cannot read todo.settings')
	ELSE is(current_setting('todo.jwt_secret'), '', 'a pg_monitor member reads todo.jwt_secret: empty (the key is in the file of todo.jwt_secret_file)')
	END;
SELECT CASE WHEN pg_temp.plain()
	THEN skip('the plain install keeps the secret in todo.settings, not in a file', 1)
	ELSE throws_ok($$SELECT pg_read_file(current_setting('todo.jwt_secret_file'))$$, '42501', NULL,
		'a pg_monitor member cannot read the file of todo.jwt_secret_file')
	END;
RESET ROLE;
-- (the plain install: what a request may SET, and nothing reads)
CREATE FUNCTION pg_temp.set_todo_settings() RETURNS void LANGUAGE sql AS $$
	SELECT set_config('todo.jwt_secret', 'abcdefghijklmnopqrstuvwxyz0123456789', true), set_config('todo.jwt_leeway', '300', true),
		set_config('todo.jwt_lifetime', '2592000', true), set_config('todo.bcrypt_cost', '15', true);
$$;
SELECT pg_temp.req('todo_user');
SELECT CASE WHEN pg_temp.plain()
	THEN throws_ok('SELECT jwt_secret FROM todo.settings', '42501', NULL, 'todo_user cannot read the secret in todo.settings')
	ELSE throws_ok($$SELECT current_setting('todo.jwt_secret')$$, '42501', NULL, 'todo_user cannot read todo.jwt_secret')
	END;
SELECT CASE WHEN pg_temp.plain()
	THEN throws_ok('SELECT todo.jwt_key(NULL)', '42501', NULL, 'todo_user cannot call todo.jwt_key (which returns the secret) either')
	ELSE throws_ok($$SELECT current_setting('todo.jwt_secret', true)$$, '42501', NULL,
		'todo_user cannot read todo.jwt_secret with missing_ok either')
	END;
SELECT CASE WHEN pg_temp.plain()
	THEN is(current_setting('todo.jwt_secret', true), NULL, 'todo_user finds no secret in a setting todo.jwt_secret')
	ELSE throws_ok('SHOW todo.jwt_secret', '42501', NULL, 'todo_user cannot SHOW todo.jwt_secret')
	END;
SELECT CASE WHEN pg_temp.plain()
	THEN is_empty($$SELECT * FROM pg_settings WHERE name LIKE 'todo.%'$$, 'todo_user sees no todo.* setting in pg_settings: none is defined')
	ELSE is_empty($$SELECT * FROM pg_settings WHERE name = 'todo.jwt_secret'$$, 'todo_user does not see todo.jwt_secret in pg_settings')
	END;
SELECT CASE WHEN pg_temp.plain()
	THEN throws_ok($$UPDATE todo.settings SET jwt_secret = 'abcdefghijklmnopqrstuvwxyz0123456789'$$, '42501', NULL,
		'todo_user cannot change the secret in todo.settings (forging tokens with a known key)')
	ELSE throws_ok($$SET todo.jwt_secret = 'abcdefghijklmnopqrstuvwxyz0123456789'$$, '42501', NULL,
		'todo_user cannot set todo.jwt_secret (forging tokens with a known key)')
	END;
SELECT CASE WHEN pg_temp.plain() THEN pg_temp.set_todo_settings() END;
SELECT pg_temp.req('todo_user', :'forged');
SELECT CASE WHEN pg_temp.plain()
	THEN throws_ok('SELECT * FROM api.authorize()', 'TD401', 'invalid token signature',
		'a token signed with a todo.jwt_secret that todo_user SET is refused')
	ELSE throws_ok($$SELECT set_config('todo.jwt_secret', 'abcdefghijklmnopqrstuvwxyz0123456789', true)$$, '42501', NULL,
		'todo_user cannot set_config todo.jwt_secret')
	END;
SELECT CASE WHEN pg_temp.plain()
	THEN is((SELECT (pg_temp.jwt_part(pg_temp.token_for('regress_priv'), 2) ->> 'exp')::bigint - floor(extract(epoch FROM now()))::bigint),
		3600::bigint, 'tokens still live an hour after todo_user SET todo.jwt_lifetime')
	ELSE throws_ok('SET todo.jwt_lifetime = 2592000', '42501', NULL, 'todo_user cannot lengthen token lifetimes')
	END;
SELECT pg_temp.req('todo_user', :'expired');
SELECT CASE WHEN pg_temp.plain()
	THEN throws_ok('SELECT * FROM api.authorize()', 'TD401', 'token has expired',
		'a token expired a minute ago is refused after todo_user SET todo.jwt_leeway')
	ELSE throws_ok('SET todo.jwt_leeway = 300', '42501', NULL, 'todo_user cannot widen the clock leeway')
	END;
SELECT pg_temp.req('todo_user');
SELECT CASE WHEN pg_temp.plain()
	THEN throws_ok($$UPDATE todo.settings SET bcrypt_cost = 15, jwt_leeway = 300, jwt_lifetime = 2592000$$, '42501', NULL,
		'todo_user cannot change the bcrypt cost, the leeway or the lifetime in todo.settings')
	ELSE throws_ok('SET todo.bcrypt_cost = 15', '42501', NULL, 'todo_user cannot change the bcrypt cost')
	END;
SELECT pg_temp.req('todo_anon');
SELECT CASE WHEN pg_temp.plain()
	THEN throws_ok('SELECT jwt_secret FROM todo.settings', '42501', NULL, 'todo_anon cannot read the secret in todo.settings')
	ELSE throws_ok($$SELECT current_setting('todo.jwt_secret', true)$$, '42501', NULL, 'todo_anon cannot read todo.jwt_secret')
	END;
SELECT CASE WHEN pg_temp.plain()
	THEN throws_ok($$UPDATE todo.settings SET jwt_secret = 'abcdefghijklmnopqrstuvwxyz0123456789'$$, '42501', NULL,
		'todo_anon cannot change the secret in todo.settings')
	ELSE throws_ok($$SET todo.jwt_secret = 'abcdefghijklmnopqrstuvwxyz0123456789'$$, '42501', NULL, 'todo_anon cannot set todo.jwt_secret')
	END;
SELECT pg_temp.req('todo_owner');
SELECT CASE WHEN pg_temp.plain()
	THEN is((SELECT array_agg(DISTINCT r::text ORDER BY r::text) FROM (
			SELECT a.grantee::regrole AS r FROM pg_class c, aclexplode(c.relacl) a
			WHERE c.relnamespace = 'todo'::regnamespace AND c.relname = 'settings'
			UNION ALL SELECT unnest(roles)::regrole FROM pg_policies WHERE schemaname = 'todo' AND tablename = 'settings'
				AND policyname <> 'regress_fixture') x),  -- _helpers.psql's, for an owner that is not a superuser
		ARRAY['todo_owner'], 'todo_owner (the API functions'' role) is the only role granted todo.settings or named by its policies')
	ELSE throws_ok($$SELECT current_setting('todo.jwt_secret', true)$$, '42501', NULL,
		'todo_owner (the API functions'' role) cannot read todo.jwt_secret')
	END;
RESET ROLE;
CREATE ROLE regress_gateway_login LOGIN IN ROLE todo_anon, todo_user NOINHERIT;
GRANT regress_gateway_login TO CURRENT_USER;  -- SET ROLE needs it unless a superuser runs the suite
SET LOCAL ROLE regress_gateway_login;
SELECT CASE WHEN pg_temp.plain()
	THEN throws_ok('SELECT jwt_secret FROM todo.settings', '42501', NULL, 'a gateway-like login role cannot read todo.settings')
	ELSE throws_ok($$SELECT current_setting('todo.jwt_secret', true)$$, '42501', NULL, 'a gateway-like login role cannot read todo.jwt_secret')
	END;
SELECT throws_ok($$SELECT * FROM api.health()$$, '42501', NULL, 'a NOINHERIT gateway-like role must switch role before calling the API');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
