/* extension/schema/90_privileges.sql: ownership and grants (docs/security.md) */

-- The tables belong to todo_owner, which cannot log in; RLS is forced, so even it sees
-- only the rows of the user a transaction acts for.
ALTER TABLE todo.users OWNER TO todo_owner;
ALTER TABLE todo.tasks OWNER TO todo_owner;
ALTER TABLE todo.sessions OWNER TO todo_owner;
ALTER TABLE todo.login_attempts OWNER TO todo_owner;
ALTER TABLE todo.password_costs OWNER TO todo_owner;
ALTER TABLE todo.task_counts OWNER TO todo_owner;
ALTER TABLE todo.issuers OWNER TO todo_owner;
ALTER TABLE todo.issuer_keys OWNER TO todo_owner;
ALTER TABLE todo.external_identities OWNER TO todo_owner;
ALTER TABLE todo.idempotency_settings OWNER TO todo_owner;
ALTER TABLE todo.idempotency_keys OWNER TO todo_owner;

-- Nothing in todo is callable by anybody but todo_owner (and superusers).
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA todo FROM PUBLIC;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA todo TO todo_owner;

-- The API functions run as todo_owner; the request roles may call them and nothing else.
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA api FROM PUBLIC;
DO $$
DECLARE
	f regprocedure;
BEGIN
	FOR f IN SELECT p.oid FROM pg_catalog.pg_proc p
		WHERE p.pronamespace OPERATOR(pg_catalog.=) 'api'::regnamespace AND p.prosecdef
	LOOP
		EXECUTE pg_catalog.format('ALTER FUNCTION %s OWNER TO todo_owner', f);
	END LOOP;
END
$$;
GRANT EXECUTE ON FUNCTION api.register(jsonb), api.login(jsonb), api.health() TO todo_anon;
GRANT EXECUTE ON FUNCTION api.logout(), api.me(), api.authorize(), api.health(),
	api.task_list(jsonb), api.task_list_rows(jsonb), api.task_create(jsonb), api.task_get(text), api.task_update(text, jsonb),
	api.task_delete(text), api.task_complete(text, jsonb) TO todo_user;
-- Idempotency-Key (46_api_idempotency.sql): register's for anonymous requests, the rest's
-- for authenticated ones.
GRANT EXECUTE ON FUNCTION api.idempotent_register(text, text, text, text) TO todo_anon;
GRANT EXECUTE ON FUNCTION api.idempotent_call(text, text, text, text, text, text) TO todo_user;

-- The gateway's login role itself (outside requests) may call its two JWKS functions and
-- its purge of expired Idempotency-Key answers, nothing else: it fetches other issuers' keys
-- and hands them over (docs/security.md), and keeps the stored answers to their lifetime.
GRANT USAGE ON SCHEMA api TO todo_gateway;
GRANT EXECUTE ON FUNCTION api.gateway_jwks_sources(), api.gateway_store_jwks(text, jsonb) TO todo_gateway;
GRANT EXECUTE ON FUNCTION api.gateway_forget_idempotency_keys() TO todo_gateway;
