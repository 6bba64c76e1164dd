/* extension/schema/07_identity.sql: who the current transaction acts for (the keys of the policies) */

-- A uuid, or NULL for anything that is not one (malformed ids are "not found", not errors).
-- Every hex digit becomes 0 and the result must be the canonical form's shape: one
-- translate() instead of a regular expression, whose matcher cost several percent of each
-- request's CPU (it runs a few times a request: the token, the path, every RLS policy).
CREATE FUNCTION todo.try_uuid(value text)
RETURNS uuid
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
	SELECT CASE WHEN pg_catalog.translate(value, '0123456789abcdefABCDEF', '0000000000000000000000')
			OPERATOR(pg_catalog.=) '00000000-0000-0000-0000-000000000000'
		THEN value::uuid END
$$;
COMMENT ON FUNCTION todo.try_uuid(text) IS 'todo: text to uuid, NULL when malformed';

-- The transaction-local setting app.user_id as a uuid; NULL when unset or garbage, so a
-- policy keyed on it shows nothing rather than failing.
CREATE FUNCTION todo.current_user_id()
RETURNS uuid
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT todo.try_uuid(pg_catalog.current_setting('app.user_id', true)) $$;
COMMENT ON FUNCTION todo.current_user_id() IS 'todo: the user the transaction acts for (app.user_id), or NULL';

-- The account a login is being attempted for (app.login_identifier): the only user row a
-- login may see before it knows the user's id, and the key of its throttling counter.
CREATE FUNCTION todo.login_identifier()
RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT nullif(pg_catalog.current_setting('app.login_identifier', true), '') $$;
COMMENT ON FUNCTION todo.login_identifier() IS 'todo: the login being attempted (app.login_identifier), or NULL';

-- The counters a login may see and change (app.login_counters, set by api.login): the key of
-- the policy on todo.login_attempts.
CREATE FUNCTION todo.login_counters()
RETURNS text[]
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT coalesce(nullif(pg_catalog.current_setting('app.login_counters', true), '')::text[], '{}') $$;
COMMENT ON FUNCTION todo.login_counters() IS 'todo: the throttling counters of the login in progress (app.login_counters)';

-- Acts for user_id for the rest of the transaction.
-- PL/pgSQL, whose plan each backend keeps: a SQL function returning void is never
-- inlined, and would be parsed and planned again in every request.
CREATE FUNCTION todo.act_as(user_id uuid)
RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
	PERFORM pg_catalog.set_config('app.user_id', user_id::text, true);
END
$$;
COMMENT ON FUNCTION todo.act_as(uuid) IS 'todo: set app.user_id for the rest of the transaction';

-- Unicode-aware trim ([[:space:]] follows the database's LC_CTYPE, UTF-8 by requirement).
-- A BEGIN ATOMIC body is stored parsed: the CHECK on todo.tasks inlines this function on
-- every INSERT and UPDATE, which would otherwise parse the body's text each time.
CREATE FUNCTION todo.trim_space(value text)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
	SELECT pg_catalog.regexp_replace(value, '^[[:space:]]+|[[:space:]]+$', '', 'g');
END;
COMMENT ON FUNCTION todo.trim_space(text) IS 'todo: trim white space, Unicode-aware';
