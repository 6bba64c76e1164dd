/* extension/schema/08_settings.sql: the todo.* settings that SQL reads */

-- The settings are defined by the C library (src/guc.c) as PGC_SUSET: only a superuser may
-- set them (postgresql.conf), so a request cannot change them for itself. todo.jwt_secret,
-- todo.jwt_leeway and the issuer and audience checks are read by the C functions of
-- 10_jwt.sql; todo.jwt_issuer and todo.jwt_audience also by todo.start_session, through the
-- functions below (plain/08_settings.sql has the same functions over its table todo.settings).

-- The work factor: setting todo.bcrypt_cost, never below 10.
CREATE FUNCTION todo.bcrypt_cost()
RETURNS integer
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT greatest(10, coalesce(nullif(pg_catalog.current_setting('todo.bcrypt_cost', true), '')::integer, 10)) $$;
COMMENT ON FUNCTION todo.bcrypt_cost() IS 'todo: bcrypt cost from setting todo.bcrypt_cost (at least 10)';

-- Seconds a token lives: setting todo.jwt_lifetime (default one hour).
CREATE FUNCTION todo.token_lifetime()
RETURNS integer
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT coalesce(nullif(pg_catalog.current_setting('todo.jwt_lifetime', true), '')::integer, 3600) $$;
COMMENT ON FUNCTION todo.token_lifetime() IS 'todo: token lifetime in seconds (setting todo.jwt_lifetime)';

-- The most tasks one user may have: setting todo.max_tasks_per_user (default 100,000;
-- 27_task_limit.sql).
CREATE FUNCTION todo.max_tasks_per_user()
RETURNS integer
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT coalesce(nullif(pg_catalog.current_setting('todo.max_tasks_per_user', true), '')::integer, 100000) $$;
COMMENT ON FUNCTION todo.max_tasks_per_user() IS 'todo: the most tasks one user may have (setting todo.max_tasks_per_user)';

-- The tokens' issuer and audience: settings todo.jwt_issuer and todo.jwt_audience, '' when
-- unset (a token then has no iss or aud claim, and todo.jwt_verify checks none).
CREATE FUNCTION todo.jwt_issuer()
RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT coalesce(pg_catalog.current_setting('todo.jwt_issuer', true), '') $$;
COMMENT ON FUNCTION todo.jwt_issuer() IS 'todo: the iss claim of the tokens issued here (setting todo.jwt_issuer), empty for none';

CREATE FUNCTION todo.jwt_audience()
RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT coalesce(pg_catalog.current_setting('todo.jwt_audience', true), '') $$;
COMMENT ON FUNCTION todo.jwt_audience() IS 'todo: the aud claim of the tokens issued here (setting todo.jwt_audience), empty for none';
