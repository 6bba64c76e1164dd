/* extension/schema/02_roles.sql: the roles of the security model (docs/security.md) */

-- Roles are global to the cluster, so another database may have created them already.
DO $$
BEGIN
	IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname OPERATOR(pg_catalog.=) 'todo_owner') THEN
		CREATE ROLE todo_owner NOLOGIN;
	END IF;
	IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname OPERATOR(pg_catalog.=) 'todo_anon') THEN
		CREATE ROLE todo_anon NOLOGIN;
	END IF;
	IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname OPERATOR(pg_catalog.=) 'todo_user') THEN
		CREATE ROLE todo_user NOLOGIN;
	END IF;
	-- The operator enables login (ALTER ROLE todo_gateway LOGIN PASSWORD ...): a password
	-- is deployment configuration, not schema.
	IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname OPERATOR(pg_catalog.=) 'todo_gateway') THEN
		CREATE ROLE todo_gateway NOLOGIN NOINHERIT;
	END IF;
	IF NOT pg_catalog.pg_has_role('todo_gateway', 'todo_anon', 'MEMBER') THEN
		GRANT todo_anon TO todo_gateway;
	END IF;
	IF NOT pg_catalog.pg_has_role('todo_gateway', 'todo_user', 'MEMBER') THEN
		GRANT todo_user TO todo_gateway;
	END IF;
END
$$;

COMMENT ON ROLE todo_owner IS 'todo: owns the tables and runs the API functions; never logs in';
COMMENT ON ROLE todo_anon IS 'todo: request role of unauthenticated requests';
COMMENT ON ROLE todo_user IS 'todo: request role of authenticated requests';
COMMENT ON ROLE todo_gateway IS 'todo: the gateway''s login role; owns nothing, may only switch to todo_anon or todo_user';

-- The gateway's calls carry passwords (api.login's body) and tokens (app.token) as bind
-- parameters: a server that logs statements (log_statement, log_min_duration_statement =
-- 0) would write them to its log, unless its parameters are left out for this role
-- (docs/security.md). log_parameter_max_length is a superuser setting: an installer that
-- may not set it (the plain install as Neon's owner role) says so and carries on
-- (docs/deploy-neon.md). The gateway sets log_parameter_max_length_on_error itself.
DO $$
BEGIN
	IF pg_catalog.has_parameter_privilege('log_parameter_max_length', 'SET') THEN
		ALTER ROLE todo_gateway SET log_parameter_max_length = 0;
	ELSE
		RAISE NOTICE 'todo: cannot set log_parameter_max_length = 0 for role todo_gateway (a superuser setting): with statement logging on, the server log will hold the passwords and tokens the gateway passes; see docs/deploy-neon.md';
	END IF;
END
$$;
