-- 01_schema.sql: the extension's objects: schemas, tables, columns, defaults, indexes,
-- row-level security, owners, triggers, types and roles; and for the plain install, what
-- stands in for the extension (its settings and version tables, no C).
BEGIN;
\set catalog_as_installed
\ir _helpers.psql
SELECT plan(127);

-- extension and schemas
SELECT CASE WHEN pg_temp.plain()
	THEN ok(to_regclass('todo.schema_version') IS NOT NULL, 'the plain install: no extension todo, its version in todo.schema_version')
	ELSE has_extension('todo', 'extension todo is installed')
	END;
SELECT is(pg_temp.installed_version(), (SELECT default_version FROM pg_available_extensions WHERE name = 'todo'),
	'todo is at its default (newest) version');
SELECT has_extension('pgcrypto', 'extension pgcrypto (bcrypt) is installed');
SELECT has_schema('todo', 'schema todo exists');
SELECT has_schema('api', 'schema api exists');
SELECT tables_are('todo', ARRAY['users', 'tasks', 'sessions', 'login_attempts', 'password_costs', 'task_counts', 'issuers', 'issuer_keys', 'external_identities', 'idempotency_keys', 'idempotency_settings']
		|| CASE WHEN pg_temp.plain() THEN ARRAY['settings', 'schema_version'] ELSE '{}' END::name[],
	'schema todo holds exactly the eleven tables (and the plain install''s settings and version)');
SELECT tables_are('api', ARRAY[]::name[], 'schema api holds no table');
SELECT CASE WHEN pg_temp.plain()
	THEN is((SELECT count(*)::int FROM pg_depend d JOIN pg_class c ON d.classid = 'pg_class'::regclass AND c.oid = d.objid
			WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e' AND c.relnamespace IN ('todo'::regnamespace, 'api'::regnamespace)), 0,
		'the plain install: no table belongs to an extension, so pg_dump backs up the rows of all of them')
	ELSE is((SELECT count(*)::int FROM pg_depend d
			WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_extension'::regclass
				AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'todo') AND d.deptype = 'e'
				AND d.objid IN ('todo.users'::regclass, 'todo.tasks'::regclass, 'todo.sessions'::regclass, 'todo.login_attempts'::regclass, 'todo.password_costs'::regclass)),
		5, 'the five tables belong to the extension')
	END;
SELECT CASE WHEN pg_temp.plain()
	THEN skip('the plain install has no extension whose config tables pg_dump must be told of (previous test)', 1)
	ELSE set_eq($$SELECT unnest(extconfig)::regclass::text FROM pg_extension WHERE extname = 'todo'$$,
		ARRAY['todo.users', 'todo.tasks', 'todo.sessions', 'todo.login_attempts'],
		'pg_dump backs up the rows of the four tables that hold data (extension config tables; password_costs is rebuilt by its trigger on restore)')
	END;

-- todo.users
SELECT columns_are('todo', 'users', ARRAY['id', 'username', 'email', 'password_hash', 'name', 'is_active',
	'email_verified', 'created_at', 'updated_at', 'legacy_id'], 'todo.users has exactly the expected columns');
SELECT col_type_is('todo', 'users', 'id', 'uuid', 'users.id is uuid');
SELECT col_is_pk('todo', 'users', 'id', 'users.id is the primary key');
SELECT col_default_is('todo', 'users', 'id', 'gen_random_uuid()', 'users.id defaults to gen_random_uuid()');
SELECT col_type_is('todo', 'users', 'username', 'text', 'users.username is text');
SELECT col_not_null('todo', 'users', 'username', 'users.username is NOT NULL');
SELECT col_type_is('todo', 'users', 'email', 'text', 'users.email is text');
SELECT col_is_null('todo', 'users', 'email', 'users.email may be NULL (a user of another issuer without one, since 1.2)');
SELECT col_type_is('todo', 'users', 'password_hash', 'text', 'users.password_hash is text');
SELECT col_is_null('todo', 'users', 'password_hash', 'users.password_hash may be NULL (a user of another issuer, since 1.2)');
SELECT col_is_null('todo', 'users', 'name', 'users.name is nullable');
SELECT col_type_is('todo', 'users', 'is_active', 'boolean', 'users.is_active is boolean');
SELECT col_default_is('todo', 'users', 'is_active', 'true', 'users.is_active defaults to true');
SELECT col_type_is('todo', 'users', 'email_verified', 'boolean', 'users.email_verified is boolean');
SELECT col_default_is('todo', 'users', 'email_verified', 'false', 'users.email_verified defaults to false');
SELECT col_type_is('todo', 'users', 'created_at', 'timestamp with time zone', 'users.created_at is timestamptz');
SELECT col_default_is('todo', 'users', 'created_at', 'now()', 'users.created_at defaults to now()');
SELECT col_type_is('todo', 'users', 'updated_at', 'timestamp with time zone', 'users.updated_at is timestamptz');
SELECT col_default_is('todo', 'users', 'updated_at', 'now()', 'users.updated_at defaults to now()');
SELECT is(pg_get_indexdef('todo.users_username_key'::regclass),
	'CREATE UNIQUE INDEX users_username_key ON todo.users USING btree (lower(username))',
	'usernames are unique ignoring case (unique index on lower(username))');
SELECT is(pg_get_indexdef('todo.users_email_key'::regclass),
	'CREATE UNIQUE INDEX users_email_key ON todo.users USING btree (email)',
	'emails are unique (unique index on email, which is stored lowercase)');

-- todo.tasks
SELECT columns_are('todo', 'tasks', ARRAY['id', 'user_id', 'title', 'description', 'status', 'priority', 'due_date',
	'tags', 'recursion_pattern', 'completed_at', 'created_at', 'updated_at', 'legacy_id']
	|| CASE WHEN pg_temp.plain() THEN ARRAY['stored_json'] ELSE '{}' END::name[],
	'todo.tasks has exactly the expected columns (and the plain install''s stored Task object)');
SELECT col_type_is('todo', 'tasks', 'id', 'uuid', 'tasks.id is uuid');
SELECT col_is_pk('todo', 'tasks', 'id', 'tasks.id is the primary key');
SELECT col_default_is('todo', 'tasks', 'id', 'gen_random_uuid()', 'tasks.id defaults to gen_random_uuid()');
SELECT col_type_is('todo', 'tasks', 'user_id', 'uuid', 'tasks.user_id is uuid');
SELECT col_not_null('todo', 'tasks', 'user_id', 'tasks.user_id is NOT NULL');
SELECT fk_ok('todo', 'tasks', 'user_id', 'todo', 'users', 'id', 'tasks.user_id references users.id');
SELECT is((SELECT confdeltype::text FROM pg_constraint WHERE conrelid = 'todo.tasks'::regclass AND contype = 'f'),
	'c', 'deleting a user deletes its tasks (ON DELETE CASCADE)');
SELECT col_type_is('todo', 'tasks', 'title', 'text', 'tasks.title is text');
SELECT col_not_null('todo', 'tasks', 'title', 'tasks.title is NOT NULL');
SELECT col_type_is('todo', 'tasks', 'description', 'text', 'tasks.description is text');
SELECT col_is_null('todo', 'tasks', 'description', 'tasks.description is nullable');
SELECT col_type_is('todo', 'tasks', 'status', 'todo', 'task_status', 'tasks.status is todo.task_status');
SELECT col_default_is('todo', 'tasks', 'status', 'pending', 'tasks.status defaults to pending');
SELECT col_type_is('todo', 'tasks', 'priority', 'todo', 'task_priority', 'tasks.priority is todo.task_priority');
SELECT col_default_is('todo', 'tasks', 'priority', 'medium', 'tasks.priority defaults to medium');
SELECT col_type_is('todo', 'tasks', 'due_date', 'timestamp with time zone', 'tasks.due_date is timestamptz');
SELECT col_is_null('todo', 'tasks', 'due_date', 'tasks.due_date is nullable');
SELECT col_type_is('todo', 'tasks', 'tags', 'text[]', 'tasks.tags is text[]');
SELECT col_not_null('todo', 'tasks', 'tags', 'tasks.tags is NOT NULL');
SELECT col_default_is('todo', 'tasks', 'tags', '{}', 'tasks.tags defaults to an empty array');
SELECT col_type_is('todo', 'tasks', 'recursion_pattern', 'text', 'tasks.recursion_pattern is text');
SELECT col_type_is('todo', 'tasks', 'completed_at', 'timestamp with time zone', 'tasks.completed_at is timestamptz');
SELECT col_type_is('todo', 'tasks', 'created_at', 'timestamp with time zone', 'tasks.created_at is timestamptz');
SELECT col_type_is('todo', 'tasks', 'updated_at', 'timestamp with time zone', 'tasks.updated_at is timestamptz');
SELECT enum_has_labels('todo', 'task_status', ARRAY['pending', 'completed'], 'task_status is pending, completed');
SELECT enum_has_labels('todo', 'task_priority', ARRAY['low', 'medium', 'high'],
	'task_priority is declared low, medium, high (so ORDER BY priority is ascending importance)');

-- todo.sessions
SELECT columns_are('todo', 'sessions', ARRAY['id', 'user_id', 'token_jti', 'expires_at', 'revoked', 'created_at', 'legacy_id',
		'issuer', 'subject', 'verified_keys_at'],
	'todo.sessions has exactly the expected columns');
SELECT col_type_is('todo', 'sessions', 'id', 'uuid', 'sessions.id is uuid');
SELECT col_default_is('todo', 'sessions', 'id', 'gen_random_uuid()', 'sessions.id defaults to gen_random_uuid()');
SELECT fk_ok('todo', 'sessions', 'user_id', 'todo', 'users', 'id', 'sessions.user_id references users.id');
SELECT is((SELECT confdeltype::text FROM pg_constraint WHERE conrelid = 'todo.sessions'::regclass AND contype = 'f'
		AND confrelid = 'todo.users'::regclass),
	'c', 'deleting a user deletes its sessions (ON DELETE CASCADE)');
SELECT col_type_is('todo', 'sessions', 'token_jti', 'text', 'sessions.token_jti is text');
SELECT col_is_unique('todo', 'sessions', 'token_jti', 'sessions.token_jti is unique');
SELECT col_type_is('todo', 'sessions', 'expires_at', 'timestamp with time zone', 'sessions.expires_at is timestamptz');
SELECT col_not_null('todo', 'sessions', 'expires_at', 'sessions.expires_at is NOT NULL');
SELECT col_type_is('todo', 'sessions', 'revoked', 'boolean', 'sessions.revoked is boolean');
SELECT col_default_is('todo', 'sessions', 'revoked', 'false', 'sessions.revoked defaults to false');

-- todo.login_attempts
SELECT columns_are('todo', 'login_attempts', ARRAY['account', 'failures', 'window_started_at', 'locked_until'],
	'todo.login_attempts has exactly the expected columns');
SELECT col_is_pk('todo', 'login_attempts', 'account', 'login_attempts.account is the primary key');
SELECT col_type_is('todo', 'login_attempts', 'failures', 'integer', 'login_attempts.failures is integer');
SELECT col_type_is('todo', 'login_attempts', 'locked_until', 'timestamp with time zone', 'login_attempts.locked_until is timestamptz');

-- indexes: every non-unique b-tree index of the per-user tables leads with user_id; GIN on tags
SELECT is((SELECT array_agg(c.relname::text ORDER BY c.relname)
		FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am am ON am.oid = c.relam
		WHERE i.indrelid IN ('todo.tasks'::regclass, 'todo.sessions'::regclass) AND NOT i.indisunique
			AND am.amname = 'btree'
			AND (SELECT attname FROM pg_attribute WHERE attrelid = i.indrelid AND attnum = i.indkey[0]) IS DISTINCT FROM 'user_id'),
	ARRAY['sessions_external_idx'], 'every non-unique b-tree index on tasks and sessions has user_id as its first column, but the external identity''s (for its ON DELETE CASCADE)');
SELECT is((SELECT count(*)::int FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am am ON am.oid = c.relam
		WHERE i.indrelid = 'todo.tasks'::regclass AND am.amname = 'btree' AND NOT i.indisunique), 4,
	'todo.tasks has four b-tree indexes for filtering and sorting');
SELECT has_index('todo', 'tasks', 'tasks_user_created_idx', ARRAY['user_id', 'created_at', 'id'], 'index on tasks (user_id, created_at, id)');
SELECT has_index('todo', 'tasks', 'tasks_user_due_date_idx', ARRAY['user_id', 'due_date', 'id'], 'index on tasks (user_id, due_date, id)');
SELECT has_index('todo', 'tasks', 'tasks_user_priority_idx', ARRAY['user_id', 'priority', 'id'], 'index on tasks (user_id, priority, id)');
SELECT has_index('todo', 'tasks', 'tasks_user_status_due_date_idx', ARRAY['user_id', 'status', 'due_date'], 'index on tasks (user_id, status, due_date)');
SELECT has_index('todo', 'tasks', 'tasks_tags_idx', 'tags', 'index on tasks (tags)');
SELECT index_is_type('todo', 'tasks', 'tasks_tags_idx', 'gin', 'the tags index is a GIN index (tag filter: tags @> array)');
SELECT has_index('todo', 'sessions', 'sessions_user_idx', 'user_id', 'index on sessions (user_id)');

-- row-level security: enabled and forced (so even the owner is filtered) on every table
SELECT is((SELECT array_agg(relname::text ORDER BY relname) FROM pg_class
		WHERE relnamespace = 'todo'::regnamespace AND relkind = 'r' AND relrowsecurity),
	CASE WHEN pg_temp.plain() THEN ARRAY['external_identities', 'idempotency_keys', 'idempotency_settings', 'issuer_keys', 'issuers', 'login_attempts', 'password_costs', 'schema_version', 'sessions', 'settings', 'task_counts', 'tasks', 'users']
		ELSE ARRAY['external_identities', 'idempotency_keys', 'idempotency_settings', 'issuer_keys', 'issuers', 'login_attempts', 'password_costs', 'sessions', 'task_counts', 'tasks', 'users'] END, 'row-level security is enabled on every table');
SELECT is((SELECT array_agg(relname::text ORDER BY relname) FROM pg_class
		WHERE relnamespace = 'todo'::regnamespace AND relkind = 'r' AND relforcerowsecurity),
	CASE WHEN pg_temp.plain() THEN ARRAY['external_identities', 'idempotency_keys', 'idempotency_settings', 'issuer_keys', 'issuers', 'login_attempts', 'password_costs', 'schema_version', 'sessions', 'settings', 'task_counts', 'tasks', 'users']
		ELSE ARRAY['external_identities', 'idempotency_keys', 'idempotency_settings', 'issuer_keys', 'issuers', 'login_attempts', 'password_costs', 'sessions', 'task_counts', 'tasks', 'users'] END, 'row-level security is forced on every table (applies to the owner)');
SELECT policies_are('todo', 'users', ARRAY['users_self', 'users_login_lookup'], 'todo.users has exactly its two policies');
SELECT policies_are('todo', 'tasks', ARRAY['tasks_owner'], 'todo.tasks has exactly the owner policy');
SELECT policies_are('todo', 'sessions', ARRAY['sessions_owner', 'sessions_presented_token'],
	'todo.sessions has exactly the owner policy and the presented token''s');
SELECT policies_are('todo', 'login_attempts', ARRAY['login_attempts_account', 'login_attempts_expired_select', 'login_attempts_expired_delete'],
	'todo.login_attempts has exactly the account policy and the two that let expired counters be deleted');
SELECT policies_are('todo', 'password_costs', ARRAY['password_costs_all'], 'todo.password_costs has exactly its one policy (counts only)');
SELECT policies_are('todo', 'task_counts', ARRAY['task_counts_owner'], 'todo.task_counts has exactly the owner policy');
SELECT policy_cmd_is('todo', 'users', 'users_login_lookup', 'SELECT', 'the login lookup policy only lets rows be read');
SELECT CASE WHEN pg_temp.plain()
	THEN results_eq($$SELECT format('%s %s %s', policyname, cmd, roles) COLLATE "default" FROM pg_policies WHERE schemaname = 'todo' AND tablename = 'settings' ORDER BY 1$$,
		ARRAY['settings_read SELECT {todo_owner}', 'settings_update UPDATE {todo_owner}'],
		'the plain install: todo.settings can be read and its row updated by todo_owner (and its members), no one else')
	ELSE skip('the extension''s settings are the C library''s superuser-only settings, not a table', 1)
	END;
SELECT CASE WHEN pg_temp.plain()
	THEN results_eq($$SELECT format('%s %s %s', policyname, cmd, roles) COLLATE "default" FROM pg_policies WHERE schemaname = 'todo' AND tablename = 'schema_version'$$,
		ARRAY['schema_version_owner ALL {todo_owner}'],
		'the plain install: todo.schema_version is for todo_owner (and its members) alone')
	ELSE skip('the extension''s version is in pg_extension, not a table', 1)
	END;
SELECT is((SELECT count(*)::int FROM pg_policies WHERE schemaname = 'todo' AND permissive = 'RESTRICTIVE'), 0,
	'no restrictive policy (every policy is permissive, ORed per command)');

-- owners
SELECT table_owner_is('todo', 'users', 'todo_owner', 'todo.users is owned by todo_owner');
SELECT table_owner_is('todo', 'tasks', 'todo_owner', 'todo.tasks is owned by todo_owner');
SELECT table_owner_is('todo', 'sessions', 'todo_owner', 'todo.sessions is owned by todo_owner');
SELECT table_owner_is('todo', 'login_attempts', 'todo_owner', 'todo.login_attempts is owned by todo_owner');
SELECT table_owner_is('todo', 'password_costs', 'todo_owner', 'todo.password_costs is owned by todo_owner');
SELECT CASE WHEN pg_temp.plain()
	THEN table_owner_is('todo', 'settings', 'todo_owner', 'todo.settings is owned by todo_owner (plain install)')
	ELSE skip('the extension has no settings table', 1)
	END;
SELECT CASE WHEN pg_temp.plain()
	THEN table_owner_is('todo', 'schema_version', 'todo_owner', 'todo.schema_version is owned by todo_owner (plain install)')
	ELSE skip('the extension has no version table', 1)
	END;

-- triggers
SELECT triggers_are('todo', 'users', ARRAY['users_stamp_updated_at', 'users_count_password_costs'], 'todo.users has exactly its updated_at and password cost triggers');
SELECT trigger_is('todo', 'users', 'users_stamp_updated_at', 'todo', 'stamp_updated_at', 'users_stamp_updated_at runs todo.stamp_updated_at()');
SELECT triggers_are('todo', 'tasks', ARRAY['tasks_stamp_completed_at', 'tasks_stamp_updated_at', 'tasks_limit', 'tasks_uncount', 'tasks_move_count', 'tasks_forget_counts'],
	'todo.tasks has exactly its six triggers (timestamps; the task limit and the counts it checks)');
SELECT trigger_is('todo', 'tasks', 'tasks_stamp_completed_at', 'todo', 'stamp_completed_at', 'tasks_stamp_completed_at runs todo.stamp_completed_at()');
SELECT trigger_is('todo', 'tasks', 'tasks_stamp_updated_at', 'todo', 'stamp_updated_at', 'tasks_stamp_updated_at runs todo.stamp_updated_at()');
SELECT is((SELECT array_agg(tgname::text ORDER BY tgname) FROM pg_trigger
		WHERE tgrelid = 'todo.tasks'::regclass AND NOT tgisinternal
			AND (tgtype & 2) <> 0 /* BEFORE */ AND (tgtype & 1) <> 0 /* ROW */),
	ARRAY['tasks_stamp_completed_at', 'tasks_stamp_updated_at'], 'the tasks triggers are BEFORE ... FOR EACH ROW');

-- the API's result type and functions
SELECT has_composite('api', 'result', 'api.result is a composite type');
SELECT is((SELECT array_agg(attname::text || ' ' || format_type(atttypid, atttypmod) ORDER BY attnum)
		FROM pg_attribute WHERE attrelid = 'api.result'::regclass AND attnum > 0 AND NOT attisdropped),
	ARRAY['data json', 'meta json', 'error json'], 'api.result is (data json, meta json, error json)');
SELECT functions_are('api', ARRAY['register', 'login', 'logout', 'me', 'authorize', 'health', 'task_list',
	'task_list_rows', 'task_create', 'task_get', 'task_update', 'task_delete', 'task_complete', 'gateway_forget_idempotency_keys', 'gateway_jwks_sources', 'gateway_store_jwks',
	'idempotent_register', 'idempotent_call'],
	'schema api has exactly the functions of docs/sql-api.md');
SELECT is((SELECT count(*)::int FROM pg_proc WHERE pronamespace = 'api'::regnamespace
		AND prorettype <> 'api.result'::regtype AND proname NOT LIKE 'gateway\_%' AND proname NOT LIKE 'idempotent\_%'
		AND proname <> 'task_list_rows'), 0,
	'every api function but the gateway''s own, the Idempotency-Key ones and the streamed list returns api.result');
SELECT is((SELECT array_agg(proname::text ORDER BY proname) FROM pg_proc WHERE pronamespace = 'api'::regnamespace
		AND prorettype = 'api.idempotent_result'::regtype), ARRAY['idempotent_call', 'idempotent_register'],
	'the Idempotency-Key functions return api.idempotent_result (api.result and replayed)');
SELECT has_function('todo', 'jwt_sign', ARRAY['jsonb'], 'todo.jwt_sign(jsonb) exists');
SELECT has_function('todo', 'jwt_verify', ARRAY['text'], 'todo.jwt_verify(text) exists');
SELECT has_function('todo', 'normalize_tags', ARRAY['text[]'], 'todo.normalize_tags(text[]) exists');
SELECT CASE WHEN pg_temp.plain()
	THEN is((SELECT array_agg(DISTINCT l.lanname::text ORDER BY l.lanname::text) FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
			WHERE p.pronamespace IN ('todo'::regnamespace, 'api'::regnamespace)),
		ARRAY['plpgsql', 'sql'], 'the plain install: every function in todo and api is SQL or PL/pgSQL, none C')
	ELSE is((SELECT array_agg(p.oid::regprocedure::text ORDER BY p.oid::regprocedure::text) FROM pg_proc p
			WHERE p.pronamespace IN ('todo'::regnamespace, 'api'::regnamespace) AND p.prolang = (SELECT oid FROM pg_language WHERE lanname = 'c')),
		ARRAY['todo.jwk_algorithms(jsonb)', 'todo.jws_decode(text)', 'todo.jws_verify(text,jsonb,text,bytea)', 'todo.jwt_sign(jsonb)', 'todo.jwt_verify(text)', 'todo.normalize_tags(text[])', 'todo.task_json(todo.tasks)'],
		'the extension: the JWT and JWS functions, normalize_tags and task_json are written in C, nothing else')
	END;

-- roles
SELECT has_role('todo_owner', 'role todo_owner exists');
SELECT has_role('todo_anon', 'role todo_anon exists');
SELECT has_role('todo_user', 'role todo_user exists');
SELECT has_role('todo_gateway', 'role todo_gateway exists');
SELECT is((SELECT array_agg(rolname::text ORDER BY rolname) FROM pg_roles
		WHERE rolname IN ('todo_owner', 'todo_anon', 'todo_user', 'todo_gateway')
			AND NOT rolsuper AND NOT rolbypassrls AND NOT rolcreaterole AND NOT rolcreatedb AND NOT rolreplication),
	ARRAY['todo_anon', 'todo_gateway', 'todo_owner', 'todo_user'],
	'no todo role is superuser or may bypass RLS, create roles or databases, or replicate');
SELECT is((SELECT array_agg(rolname::text ORDER BY rolname) FROM pg_roles
		WHERE rolname IN ('todo_owner', 'todo_anon', 'todo_user') AND NOT rolcanlogin),
	ARRAY['todo_anon', 'todo_owner', 'todo_user'], 'todo_owner, todo_anon and todo_user cannot log in');
SELECT is((SELECT rolinherit FROM pg_roles WHERE rolname = 'todo_gateway'), false,
	'todo_gateway is NOINHERIT: it has no privilege until it switches role');
\if :superuser
SELECT matches(pg_read_file((SELECT setting FROM pg_config WHERE name = 'SHAREDIR') || CASE WHEN pg_temp.plain()
		THEN '/todo-plain/todo-plain--' ELSE '/extension/todo--' END || pg_temp.installed_version() || '.sql'),
	'CREATE ROLE todo_gateway NOLOGIN NOINHERIT',
	'the install script creates todo_gateway NOLOGIN (deployment enables login) and NOINHERIT');
\else
SELECT skip('reading the installed script is a superuser''s (pg_read_file)', 1);
\endif
SELECT is((SELECT array_agg(r.rolname::text ORDER BY r.rolname) FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid
		WHERE m.member = 'todo_gateway'::regrole),
	ARRAY['todo_anon', 'todo_user'], 'todo_gateway is a member of exactly todo_anon and todo_user');
SELECT is((SELECT count(*)::int FROM pg_auth_members
		WHERE member IN ('todo_anon'::regrole, 'todo_user'::regrole, 'todo_owner'::regrole)), 0,
	'todo_owner, todo_anon and todo_user are members of no role');
SELECT is((SELECT count(*)::int FROM pg_auth_members WHERE roleid = 'todo_owner'::regrole
		AND NOT (pg_temp.plain() AND member = (SELECT datdba FROM pg_database WHERE datname = current_database()))), 0,
	'no role is a member of todo_owner (but, in a plain install, the database''s owner that installed it, as on Neon)');
SELECT is((SELECT count(*)::int FROM (
		SELECT relowner AS owner FROM pg_class UNION ALL SELECT proowner FROM pg_proc
		UNION ALL SELECT nspowner FROM pg_namespace UNION ALL SELECT typowner FROM pg_type) o
		WHERE owner IN ('todo_gateway'::regrole, 'todo_anon'::regrole, 'todo_user'::regrole)), 0,
	'todo_gateway, todo_anon and todo_user own nothing');

SELECT * FROM finish();
ROLLBACK;
