/* extension/plain/08_settings.sql: the todo.* settings, kept in the one row of table todo.settings */

-- The extension's settings are GUCs that its C library defines as superuser-only. Without
-- the library nothing defines them, and PostgreSQL lets any role SET and read a todo.*
-- setting that nothing defines, so the plain install keeps them in a table instead: owned by todo_owner, row-level security
-- forced, with policies for todo_owner alone (read, and update the one row), no privilege
-- for anyone else. The request roles can neither read nor change it; the functions that
-- run as todo_owner read it. The operator sets it as a superuser or as a member of
-- todo_owner (docs/deploy-neon.md):
--   UPDATE todo.settings SET jwt_secret = '...';
-- Each column has the GUC's type, default and range; the secret's length is checked when
-- it is used, as the C code does.
CREATE TABLE todo.settings (
	jwt_secret text NOT NULL DEFAULT '',
	jwt_issuer text NOT NULL DEFAULT '',
	jwt_audience text NOT NULL DEFAULT '',
	jwt_leeway integer NOT NULL DEFAULT 30
		CONSTRAINT settings_jwt_leeway_range CHECK (jwt_leeway BETWEEN 0 AND 300),
	jwt_lifetime integer NOT NULL DEFAULT 3600
		CONSTRAINT settings_jwt_lifetime_range CHECK (jwt_lifetime BETWEEN 60 AND 2592000),
	bcrypt_cost integer NOT NULL DEFAULT 10
		CONSTRAINT settings_bcrypt_cost_range CHECK (bcrypt_cost BETWEEN 10 AND 15),
	max_tasks_per_user integer NOT NULL DEFAULT 100000
		CONSTRAINT settings_max_tasks_per_user_range CHECK (max_tasks_per_user BETWEEN 1 AND 1000000000)
);
COMMENT ON TABLE todo.settings IS 'todo: the settings of the plain install, in its one row (the todo.* GUCs of the extension)';
CREATE UNIQUE INDEX settings_one_row ON todo.settings ((true));
INSERT INTO todo.settings DEFAULT VALUES;
ALTER TABLE todo.settings OWNER TO todo_owner;
ALTER TABLE todo.settings ENABLE ROW LEVEL SECURITY;
ALTER TABLE todo.settings FORCE ROW LEVEL SECURITY;
CREATE POLICY settings_read ON todo.settings FOR SELECT TO todo_owner USING (true);
CREATE POLICY settings_update ON todo.settings FOR UPDATE TO todo_owner USING (true) WITH CHECK (true);

-- The work factor: setting bcrypt_cost, never below 10.
CREATE FUNCTION todo.bcrypt_cost()
RETURNS integer
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT greatest(10, coalesce((SELECT s.bcrypt_cost FROM todo.settings s), 10)) $$;
COMMENT ON FUNCTION todo.bcrypt_cost() IS 'todo: bcrypt cost from setting bcrypt_cost (at least 10)';

-- Seconds a token lives: setting jwt_lifetime (default one hour).
CREATE FUNCTION todo.token_lifetime()
RETURNS integer
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT coalesce((SELECT s.jwt_lifetime FROM todo.settings s), 3600) $$;
COMMENT ON FUNCTION todo.token_lifetime() IS 'todo: token lifetime in seconds (setting jwt_lifetime)';

-- The most tasks one user may have: setting max_tasks_per_user (default 100,000).
CREATE FUNCTION todo.max_tasks_per_user()
RETURNS integer
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT coalesce((SELECT s.max_tasks_per_user FROM todo.settings s), 100000) $$;
COMMENT ON FUNCTION todo.max_tasks_per_user() IS 'todo: the most tasks one user may have (setting max_tasks_per_user)';

-- The tokens' issuer and audience: settings jwt_issuer and jwt_audience, '' when unset (a
-- token then has no iss or aud claim, and todo.jwt_verify checks none).
CREATE FUNCTION todo.jwt_issuer()
RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT coalesce((SELECT s.jwt_issuer FROM todo.settings s), '') $$;
COMMENT ON FUNCTION todo.jwt_issuer() IS 'todo: the iss claim of the tokens issued here (setting jwt_issuer), empty for none';

CREATE FUNCTION todo.jwt_audience()
RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT coalesce((SELECT s.jwt_audience FROM todo.settings s), '') $$;
COMMENT ON FUNCTION todo.jwt_audience() IS 'todo: the aud claim of the tokens issued here (setting jwt_audience), empty for none';
