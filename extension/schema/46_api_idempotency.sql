/* extension/schema/46_api_idempotency.sql: the writes under an Idempotency-Key (28_idempotency.sql) */

-- What a write under a key returns: the api.result of the write (or the stored one), and
-- whether it is a replay (the gateway then adds Idempotent-Replayed: true).
CREATE TYPE api.idempotent_result AS (data json, meta json, error json, replayed boolean);

-- The scope of a logout's key, and whether the token's session is live. A logout ends its
-- session, so its retry cannot authenticate: the retry is answered from the stored answer
-- when the token still names its user (one of ours: signature and expiry; another issuer's:
-- the session its earlier verification stored, before its exp); it runs nothing
-- (session_live is false) and is a 401 when no answer is stored.
CREATE FUNCTION todo.logout_scope(OUT scope text, OUT session_live boolean)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	token_user uuid;
	refusal text;
BEGIN
	scope := 'u:' || (todo.authenticate()).user_id;
	session_live := true;
EXCEPTION WHEN SQLSTATE 'TD401' THEN
	GET STACKED DIAGNOSTICS refusal = MESSAGE_TEXT;
	BEGIN
		token_user := todo.try_uuid(todo.jwt_verify(coalesce(current_setting('app.token', true), '')) ->> 'sub');
	EXCEPTION WHEN SQLSTATE 'TD401' THEN
		-- Another issuer's token: its session row is keyed by the token's SHA-256, so a row
		-- there means this very token was verified before; it names the user until its exp.
		SELECT s.user_id INTO token_user FROM todo.sessions s
		WHERE s.token_jti = todo.presented_token_key() AND s.issuer IS NOT NULL
			AND s.expires_at >= now() - make_interval(secs => todo.jwt_leeway());
	END;
	IF token_user IS NULL THEN
		PERFORM todo.raise_error('TD401', refusal);
	END IF;
	scope := 'u:' || token_user;
	session_live := false;
END
$$;
COMMENT ON FUNCTION todo.logout_scope() IS 'todo: the Idempotency-Key scope of a logout, also for a token whose session has ended';

-- An authenticated write under an Idempotency-Key (docs/sql-api.md): operation is one of
-- task_create, task_update, task_delete, task_complete, logout, called with task_id and
-- body as its own function takes them. The 401/403 checks come first, then the key is
-- claimed in the user's scope (409 while in use, 422 for another request, the stored
-- answer for a retry), and the write runs and its answer is stored in this transaction.
CREATE FUNCTION api.idempotent_call(operation text, idempotency_key text, method text, path text,
	body text, task_id text)
RETURNS api.idempotent_result
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	scope text;
	live boolean := true;
	fingerprint bytea;
	stored todo.idempotency_keys;
	answer api.result;
BEGIN
	IF operation = 'logout' THEN
		SELECT l.scope, l.session_live INTO scope, live FROM todo.logout_scope() l;
	ELSIF operation IN ('task_create', 'task_update', 'task_delete', 'task_complete') THEN
		scope := 'u:' || (todo.authenticate()).user_id;
	ELSE
		PERFORM todo.raise_error('TD400', 'no such operation under an Idempotency-Key');
	END IF;
	fingerprint := todo.idempotency_fingerprint(method, path, body);
	stored := todo.idempotency_claim(scope, idempotency_key, fingerprint);
	IF stored.scope IS NOT NULL THEN
		RETURN (stored.data, stored.meta, NULL, true)::api.idempotent_result;
	END IF;
	IF NOT live THEN
		PERFORM todo.raise_error('TD401', 'session has ended');
	END IF;

	IF operation = 'task_create' THEN
		answer := api.task_create(body::jsonb);
	ELSIF operation = 'task_update' THEN
		answer := api.task_update(task_id, body::jsonb);
	ELSIF operation = 'task_delete' THEN
		answer := api.task_delete(task_id);
	ELSIF operation = 'task_complete' THEN
		answer := api.task_complete(task_id, body::jsonb);
	ELSE
		answer := api.logout();
	END IF;
	PERFORM todo.idempotency_store(scope, idempotency_key, fingerprint, answer);
	RETURN (answer.data, answer.meta, answer.error, false)::api.idempotent_result;
END
$$;
COMMENT ON FUNCTION api.idempotent_call(text, text, text, text, text, text) IS 'an authenticated write (task_create, task_update, task_delete, task_complete, logout) under an Idempotency-Key';

-- POST /api/auth/register under an Idempotency-Key: the key's scope is the client's address
-- (todo.client_address(), as login throttling keys it; docs/decisions.md), since there is
-- no user yet.
CREATE FUNCTION api.idempotent_register(idempotency_key text, method text, path text, body text)
RETURNS api.idempotent_result
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	scope text := 'c:' || coalesce(todo.client_address(), 'unknown');
	fingerprint bytea := todo.idempotency_fingerprint(method, path, body);
	stored todo.idempotency_keys := todo.idempotency_claim(scope, idempotency_key, fingerprint);
	answer api.result;
BEGIN
	IF stored.scope IS NOT NULL THEN
		RETURN (stored.data, stored.meta, NULL, true)::api.idempotent_result;
	END IF;
	answer := api.register(body::jsonb);
	PERFORM todo.idempotency_store(scope, idempotency_key, fingerprint, answer);
	RETURN (answer.data, answer.meta, answer.error, false)::api.idempotent_result;
END
$$;
COMMENT ON FUNCTION api.idempotent_register(text, text, text, text) IS 'POST /api/auth/register under an Idempotency-Key (scoped by the client''s address)';

-- The gateway's purge of expired keys (gateway/src/maintenance.c, every MAINTENANCE_INTERVAL
-- seconds), so that keys and their answers go on time without keyed traffic: only the
-- gateway's login role may call it (90_privileges.sql). A batch at a time, never waiting.
CREATE FUNCTION api.gateway_forget_idempotency_keys()
RETURNS integer
LANGUAGE sql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$ SELECT todo.forget_idempotency_keys(1000) $$;
COMMENT ON FUNCTION api.gateway_forget_idempotency_keys() IS 'deletes up to 1000 expired Idempotency-Key answers; how many went (gateway only)';
