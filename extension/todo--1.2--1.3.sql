/* extension/todo--1.2--1.3.sql: upgrade 1.2 -> 1.3, the request path's performance (issue 11) and Idempotency-Key (issue 13) */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION todo UPDATE TO '1.3'" to load this file. \quit

-- Issue 11: each user's number of tasks in a row of its own (schema/27_task_limit.sql), in
-- place of counting the user's tasks under an advisory lock after every insert. The table
-- it alters, locked first (docs/migrations.md): no task is inserted or deleted between the
-- count below and the triggers that keep it. Counting 1,000,000 tasks takes about 0.2 s.
LOCK TABLE todo.tasks IN ACCESS EXCLUSIVE MODE;

-- The plain install may be migrated by a role that is not a superuser (Neon): todo_owner
-- may create in its schemas for the migration only, as for its install.
-- plain install: 04_installer.sql

-- A list without limit returns every task of a user, and every row costs storage: a user's
-- tasks are bounded, for the API and direct SQL alike (the importer too). Past it: SQLSTATE
-- TDL09, HTTP 409 task_limit_reached (docs/sql-api.md), and the statement's rows are rolled
-- back with it.
--
-- Each user's number of tasks is kept in a row of its own, changed in the same transaction
-- as the tasks by the triggers below: an insert adds to it and checks the limit, holding
-- that one small row's lock until it commits, so two concurrent inserts for one user cannot
-- pass the limit together, and inserts for different users never wait for each other.
-- (Counting the user's tasks after every insert instead costs O(tasks) and serialised one
-- user's inserts behind an advisory lock: docs/benchmarks.md.) A user without tasks has no
-- row. Not dumped (91_backups.sql): restoring the tasks rebuilds it, through these triggers.
CREATE TABLE todo.task_counts (
	user_id uuid PRIMARY KEY,
	tasks integer NOT NULL CONSTRAINT task_counts_tasks_positive CHECK (tasks > 0)
);
COMMENT ON TABLE todo.task_counts IS 'todo: number of tasks of each user who has any (the task limit), kept by triggers on todo.tasks';

-- After each statement that inserts tasks: for each user it inserted for, in user order (so
-- that two multi-user statements take the rows' locks in one order), add to the count.
CREATE OR REPLACE FUNCTION todo.check_task_limit()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	max_tasks integer := todo.max_tasks_per_user();
	added record;
	total integer;
BEGIN
	FOR added IN SELECT n.user_id, count(*)::integer AS tasks FROM new_tasks n GROUP BY n.user_id ORDER BY n.user_id LOOP
		INSERT INTO todo.task_counts AS c (user_id, tasks) VALUES (added.user_id, added.tasks)
		ON CONFLICT (user_id) DO UPDATE SET tasks = c.tasks + excluded.tasks
		RETURNING c.tasks INTO total;
		IF total > max_tasks THEN
			PERFORM todo.raise_error('TDL09',
				format('task limit reached: a user may have at most %s tasks; delete some first', max_tasks),
				jsonb_build_object('limit', max_tasks));
		END IF;
	END LOOP;
	RETURN NULL;
END
$$;
COMMENT ON FUNCTION todo.check_task_limit() IS 'todo: trigger counting inserted tasks and refusing those past todo.max_tasks_per_user';

-- After each statement that deletes tasks (a user's deletion too, through its cascade):
-- subtract, in user order; a count that reaches zero goes.
CREATE FUNCTION todo.uncount_tasks()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	removed record;
	total integer;
BEGIN
	FOR removed IN SELECT o.user_id, count(*)::integer AS tasks FROM old_tasks o GROUP BY o.user_id ORDER BY o.user_id LOOP
		-- the row locked before deciding: a concurrent insert's count is waited for and seen
		SELECT c.tasks INTO total FROM todo.task_counts c WHERE c.user_id = removed.user_id FOR UPDATE;
		IF total > removed.tasks THEN
			UPDATE todo.task_counts c SET tasks = c.tasks - removed.tasks WHERE c.user_id = removed.user_id;
		ELSE
			DELETE FROM todo.task_counts c WHERE c.user_id = removed.user_id;
		END IF;
	END LOOP;
	RETURN NULL;
END
$$;
COMMENT ON FUNCTION todo.uncount_tasks() IS 'todo: trigger subtracting deleted tasks from todo.task_counts';

CREATE TRIGGER tasks_uncount AFTER DELETE ON todo.tasks
	REFERENCING OLD TABLE AS old_tasks
	FOR EACH STATEMENT EXECUTE FUNCTION todo.uncount_tasks();

-- A task given to another user (direct SQL only: the API never changes user_id) moves
-- from one count to the other, and the limit holds for its new owner.
CREATE FUNCTION todo.move_task_count()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	max_tasks integer := todo.max_tasks_per_user();
	total integer;
BEGIN
	SELECT c.tasks INTO total FROM todo.task_counts c WHERE c.user_id = OLD.user_id FOR UPDATE;
	IF total > 1 THEN
		UPDATE todo.task_counts c SET tasks = c.tasks - 1 WHERE c.user_id = OLD.user_id;
	ELSE
		DELETE FROM todo.task_counts c WHERE c.user_id = OLD.user_id;
	END IF;
	INSERT INTO todo.task_counts AS c (user_id, tasks) VALUES (NEW.user_id, 1)
	ON CONFLICT (user_id) DO UPDATE SET tasks = c.tasks + 1
	RETURNING c.tasks INTO total;
	IF total > max_tasks THEN
		PERFORM todo.raise_error('TDL09',
			format('task limit reached: a user may have at most %s tasks; delete some first', max_tasks),
			jsonb_build_object('limit', max_tasks));
	END IF;
	RETURN NULL;
END
$$;
COMMENT ON FUNCTION todo.move_task_count() IS 'todo: trigger moving a task given to another user between the counts of todo.task_counts';

CREATE TRIGGER tasks_move_count AFTER UPDATE OF user_id ON todo.tasks
	FOR EACH ROW WHEN (OLD.user_id IS DISTINCT FROM NEW.user_id)
	EXECUTE FUNCTION todo.move_task_count();

-- TRUNCATE deletes without DELETE triggers: the counts go with the tasks.
CREATE FUNCTION todo.forget_task_counts()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	TRUNCATE todo.task_counts;
	RETURN NULL;
END
$$;
COMMENT ON FUNCTION todo.forget_task_counts() IS 'todo: trigger emptying todo.task_counts when todo.tasks is truncated';

CREATE TRIGGER tasks_forget_counts AFTER TRUNCATE ON todo.tasks
	FOR EACH STATEMENT EXECUTE FUNCTION todo.forget_task_counts();

-- the counts of the tasks there are, before the table's row-level security is on; the
-- tasks' is lifted for the count (a role that is not a superuser, as on Neon, is subject to
-- it as the tables' owner), in this transaction, which holds the table's lock throughout
ALTER TABLE todo.tasks NO FORCE ROW LEVEL SECURITY;
INSERT INTO todo.task_counts (user_id, tasks)
SELECT t.user_id, count(*)::integer FROM todo.tasks t GROUP BY t.user_id;
ALTER TABLE todo.tasks FORCE ROW LEVEL SECURITY;

ALTER TABLE todo.task_counts ENABLE ROW LEVEL SECURITY;
ALTER TABLE todo.task_counts FORCE ROW LEVEL SECURITY;
CREATE POLICY task_counts_owner ON todo.task_counts
	USING (user_id = (SELECT todo.current_user_id()))
	WITH CHECK (user_id = (SELECT todo.current_user_id()));
ALTER TABLE todo.task_counts OWNER TO todo_owner;
REVOKE EXECUTE ON FUNCTION todo.uncount_tasks(), todo.move_task_count(), todo.forget_task_counts() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION todo.uncount_tasks(), todo.move_task_count(), todo.forget_task_counts() TO todo_owner;

-- schema/41_task_input.sql: a body of known fields only skips the query of
-- todo.unknown_field_errors (about 8 us of a POST's or PUT's server CPU)
CREATE OR REPLACE FUNCTION todo.task_fields(body jsonb, creating boolean)
RETURNS jsonb
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	-- (a body of known fields only, the common case, skips the query that names the others)
	errors jsonb := CASE WHEN jsonb_typeof(body) <> 'object'
			OR body - '{title,description,priority,due_date,tags,recursion_pattern,status,completed}'::text[] <> '{}'
		THEN todo.unknown_field_errors(body,
			'{title,description,priority,due_date,tags,recursion_pattern,status,completed}',
			'{id,user_id,created_at,updated_at,completed_at}')
		ELSE '[]' END;
	fields jsonb := '{}';
	value jsonb;
	text_value text;
	due timestamptz;
	tags text[];
BEGIN
	IF body ? 'title' OR creating THEN
		value := body -> 'title';
		text_value := todo.trim_space(value #>> '{}');
		IF value IS NULL OR jsonb_typeof(value) = 'null' THEN
			errors := errors || todo.field_error('title', 'is required');
		ELSIF jsonb_typeof(value) <> 'string' THEN
			errors := errors || todo.field_error('title', 'must be a string');
		ELSIF char_length(text_value) NOT BETWEEN 1 AND 200 THEN
			errors := errors || todo.field_error('title', 'must be 1 to 200 characters after trimming');
		ELSE
			fields := fields || jsonb_build_object('title', text_value);
		END IF;
	END IF;

	IF body ? 'description' THEN
		value := body -> 'description';
		IF jsonb_typeof(value) NOT IN ('null', 'string') THEN
			errors := errors || todo.field_error('description', 'must be a string or null');
		ELSIF char_length(value #>> '{}') > 10000 THEN
			errors := errors || todo.field_error('description', 'must be at most 10000 characters');
		ELSE
			fields := fields || jsonb_build_object('description', value);
		END IF;
	END IF;

	IF body ? 'priority' THEN
		text_value := lower(body ->> 'priority');
		IF jsonb_typeof(body -> 'priority') <> 'string' OR text_value NOT IN ('low', 'medium', 'high') THEN
			errors := errors || todo.field_error('priority', 'must be low, medium or high');
		ELSE
			fields := fields || jsonb_build_object('priority', text_value);
		END IF;
	END IF;

	IF body ? 'due_date' THEN
		value := body -> 'due_date';
		IF jsonb_typeof(value) = 'string' THEN
			due := todo.parse_timestamp(value #>> '{}');
		END IF;
		IF jsonb_typeof(value) = 'null' THEN
			fields := fields || jsonb_build_object('due_date', NULL);
		ELSIF due IS NULL THEN
			errors := errors || todo.field_error('due_date', 'must be an RFC 3339 timestamp with an offset or a date YYYY-MM-DD');
		ELSIF creating AND due < todo.start_of_today() THEN
			errors := errors || todo.field_error('due_date', 'must not be in the past');
		ELSE
			fields := fields || jsonb_build_object('due_date', due);
		END IF;
	END IF;

	IF body ? 'tags' THEN
		tags := todo.tags_from_json(body -> 'tags');
		IF tags IS NULL THEN
			errors := errors || todo.field_error('tags', 'must be an array of strings or a comma-separated string');
		ELSE
			BEGIN
				fields := fields || jsonb_build_object('tags', todo.normalize_tags(tags));
			EXCEPTION WHEN SQLSTATE 'TD422' THEN
				errors := errors || todo.field_error('tags', SQLERRM);
			END;
		END IF;
	END IF;

	IF body ? 'recursion_pattern' THEN
		value := body -> 'recursion_pattern';
		text_value := todo.normalize_recurrence(value #>> '{}');
		IF jsonb_typeof(value) = 'null' THEN
			fields := fields || jsonb_build_object('recursion_pattern', NULL);
		ELSIF jsonb_typeof(value) <> 'string' OR todo.recurrence_interval(text_value) IS NULL THEN
			errors := errors || todo.field_error('recursion_pattern',
				'must be daily, weekly, monthly, yearly or every N days|weeks|months|years with N from 1 to 365');
		ELSE
			fields := fields || jsonb_build_object('recursion_pattern', text_value);
		END IF;
	END IF;

	IF body ? 'status' THEN
		text_value := lower(body ->> 'status');
		IF jsonb_typeof(body -> 'status') <> 'string' OR text_value NOT IN ('pending', 'completed') THEN
			errors := errors || todo.field_error('status', 'must be pending or completed');
		ELSE
			fields := fields || jsonb_build_object('status', text_value);
		END IF;
	END IF;

	IF body ? 'completed' THEN
		IF jsonb_typeof(body -> 'completed') <> 'boolean' THEN
			errors := errors || todo.field_error('completed', 'must be true or false');
		ELSIF fields ? 'status' AND (fields ->> 'status' = 'completed') <> (body -> 'completed')::boolean THEN
			errors := errors || todo.field_error('completed', 'contradicts status');
		ELSE
			fields := fields || jsonb_build_object('status',
				CASE WHEN (body -> 'completed')::boolean THEN 'completed' ELSE 'pending' END);
		END IF;
	END IF;

	IF errors <> '[]' THEN
		PERFORM todo.raise_validation(errors);
	END IF;
	RETURN fields;
END
$$;

-- plain install: 99_installer.sql

-- Idempotency-Key (issue 13): schema/28_idempotency.sql, schema/46_api_idempotency.sql, and
-- their lines of 30_policies.sql and 90_privileges.sql. New objects only: no lock on a table
-- in use.

-- The plain install may be migrated by a role that is not a superuser (Neon).
-- plain install: 04_installer.sql


-- A write sent with an Idempotency-Key header (docs/sql-api.md, "Idempotency-Key") runs once:
-- its answer is stored with the key in the transaction of the write itself, and the same
-- request sent again gets the stored answer instead of running again. Keys belong to a
-- scope: 'u:' and the user's id for an authenticated write, 'c:' and the client's address
-- (todo.client_address(), the login throttle's) for register, which has no user yet
-- (docs/decisions.md). The same key in two scopes is two independent keys.

-- pgcrypto is relocatable (34_passwords.sql): its hmac() and gen_random_bytes() through
-- these wrappers only.
DO $$
DECLARE
	crypto_schema name := (SELECT n.nspname
		FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) e.extnamespace
		WHERE e.extname OPERATOR(pg_catalog.=) 'pgcrypto');
BEGIN
	EXECUTE pg_catalog.format($f$
		CREATE FUNCTION todo.hmac_digest(message bytea, secret bytea) RETURNS bytea
		LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
		AS 'SELECT %I.hmac(message, secret, ''sha256'')'$f$, crypto_schema);
	EXECUTE pg_catalog.format($f$
		CREATE FUNCTION todo.random_bytes(n integer) RETURNS bytea
		LANGUAGE sql VOLATILE STRICT PARALLEL SAFE
		AS 'SELECT %I.gen_random_bytes(n)'$f$, crypto_schema);
END
$$;
COMMENT ON FUNCTION todo.hmac_digest(bytea, bytea) IS 'todo: pgcrypto''s hmac(message, secret, ''sha256'')';
COMMENT ON FUNCTION todo.random_bytes(integer) IS 'todo: pgcrypto''s gen_random_bytes()';

-- The one row of settings of Idempotency-Key, owner-only (30_policies.sql): the key of the
-- fingerprints' HMAC, made at install and never shown to a request role (a stored
-- fingerprint of a register body, which holds a password, cannot be checked against
-- guesses without it), and how long a key is kept. The operator changes the lifetime as a
-- superuser or a member of todo_owner (docs/operations.md):
--   UPDATE todo.idempotency_settings SET key_lifetime = interval '48 hours';
CREATE TABLE todo.idempotency_settings (
	secret bytea NOT NULL DEFAULT todo.random_bytes(32)
		CONSTRAINT idempotency_settings_secret_length CHECK (octet_length(secret) >= 32),
	key_lifetime interval NOT NULL DEFAULT interval '24 hours'
		CONSTRAINT idempotency_settings_key_lifetime_range
		CHECK (key_lifetime BETWEEN interval '1 minute' AND interval '30 days')
);
COMMENT ON TABLE todo.idempotency_settings IS 'todo: the HMAC key of Idempotency-Key fingerprints and how long keys live (one row, owner-only)';
CREATE UNIQUE INDEX idempotency_settings_one_row ON todo.idempotency_settings ((true));
INSERT INTO todo.idempotency_settings DEFAULT VALUES;

-- One row per key in use: the request's fingerprint and the answer it got (data and meta of
-- its api.result; only answers without error are stored: docs/decisions.md).
CREATE TABLE todo.idempotency_keys (
	scope text NOT NULL
		CONSTRAINT idempotency_keys_scope_format CHECK (scope ~ '^[uc]:' AND octet_length(scope) BETWEEN 3 AND 120),
	key text NOT NULL
		CONSTRAINT idempotency_keys_key_format CHECK (octet_length(key) BETWEEN 1 AND 255 AND key !~ '[^ -~]'),
	fingerprint bytea NOT NULL
		CONSTRAINT idempotency_keys_fingerprint_length CHECK (octet_length(fingerprint) = 32),
	data json,
	meta json,
	created_at timestamptz NOT NULL DEFAULT now(),
	expires_at timestamptz NOT NULL,
	PRIMARY KEY (scope, key)
);
COMMENT ON TABLE todo.idempotency_keys IS 'todo: Idempotency-Key: each key''s request fingerprint and stored answer, until it expires';

-- Expired keys are deleted oldest first (todo.forget_idempotency_keys)
CREATE INDEX idempotency_keys_expires_idx ON todo.idempotency_keys (expires_at);

-- How long a key is kept: todo.idempotency_settings.key_lifetime (24 hours by default).
-- PL/pgSQL for its kept plan, as todo.idempotency_fingerprint.
CREATE FUNCTION todo.idempotency_key_lifetime()
RETURNS interval
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	RETURN coalesce((SELECT s.key_lifetime FROM todo.idempotency_settings s), interval '24 hours');
END
$$;
COMMENT ON FUNCTION todo.idempotency_key_lifetime() IS 'todo: how long an Idempotency-Key and its answer are kept';

-- The scope the transaction's key belongs to (app.idempotency_scope, set by
-- todo.idempotency_claim): the key of the policy on todo.idempotency_keys.
CREATE FUNCTION todo.idempotency_scope()
RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT nullif(pg_catalog.current_setting('app.idempotency_scope', true), '') $$;
COMMENT ON FUNCTION todo.idempotency_scope() IS 'todo: the scope of the Idempotency-Key in use (app.idempotency_scope), or NULL';

-- What a request is, for telling a retry from another request under the same key: an
-- HMAC-SHA256 of its method, path and body, keyed with the installation's secret, so that
-- the table never holds a plain hash of a body that holds a password.
-- PL/pgSQL, whose plan each backend keeps (a SQL function with a sub-select is planned
-- again on every call: about 60 us of each keyed write).
CREATE FUNCTION todo.idempotency_fingerprint(method text, path text, body text)
RETURNS bytea
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	RETURN todo.hmac_digest(convert_to(coalesce(method, '') || ' ' || coalesce(path, '') || E'\n' || coalesce(body, ''), 'UTF8'),
		(SELECT s.secret FROM todo.idempotency_settings s));
END
$$;
COMMENT ON FUNCTION todo.idempotency_fingerprint(text, text, text) IS 'todo: HMAC-SHA256 of a request''s method, path and body (the installation''s secret)';

-- 1 to 255 printable ASCII characters (the gateway checks it too); TDI00 otherwise. A length
-- and a negated class, not '^[ -~]{1,255}$': a bounded repetition makes a large automaton,
-- about 40 us a match.
CREATE FUNCTION todo.check_idempotency_key(key text)
RETURNS void
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF key IS NULL OR octet_length(key) NOT BETWEEN 1 AND 255 OR key ~ '[^ -~]' THEN
		PERFORM todo.raise_error('TDI00', 'Idempotency-Key must be 1 to 255 printable ASCII characters');
	END IF;
END
$$;
COMMENT ON FUNCTION todo.check_idempotency_key(text) IS 'todo: TDI00 unless key is 1-255 printable ASCII characters';

-- Claims key in scope for this transaction, or refuses. The key is locked (a transaction
-- advisory lock on its hash) without waiting: a request under a key whose first request is
-- still running gets TDI09 (409) at once, as the draft asks, rather than waiting for it.
-- Then the stored answer, if any and not expired: the same fingerprint returns it (a
-- replay: the caller runs nothing), another is TDI22 (422). A NULL row: the key is new (or
-- expired), the request runs, and todo.idempotency_store keeps its answer.
CREATE FUNCTION todo.idempotency_claim(claim_scope text, claim_key text, claim_fingerprint bytea)
RETURNS todo.idempotency_keys
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	stored todo.idempotency_keys;
BEGIN
	PERFORM todo.check_idempotency_key(claim_key);
	PERFORM set_config('app.idempotency_scope', claim_scope, true);
	IF NOT pg_try_advisory_xact_lock(hashtextextended('todo.idempotency_keys ' || claim_scope || ' ' || claim_key, 0)) THEN
		PERFORM todo.raise_error('TDI09', 'a request with this Idempotency-Key is still in progress; retry later');
	END IF;
	SELECT * INTO stored FROM todo.idempotency_keys k
	WHERE k.scope = claim_scope AND k.key = claim_key AND k.expires_at > now();
	IF FOUND AND stored.fingerprint <> claim_fingerprint THEN
		PERFORM todo.raise_error('TDI22', 'this Idempotency-Key was used for a different request (method, path or body)',
			jsonb_build_object('details', todo.field_error('Idempotency-Key', 'was used for a different request')));
	END IF;
	RETURN stored;
END
$$;
COMMENT ON FUNCTION todo.idempotency_claim(text, text, bytea) IS 'todo: lock an Idempotency-Key (TDI09 when in use) and return its stored answer (TDI22 for another request)';

-- Deletes up to max_rows expired keys, oldest first, skipping any a transaction has locked:
-- never waits, never holds many row locks. Each stored answer calls it for a few; the
-- operator may call it for more (docs/operations.md). Returns how many went.
CREATE FUNCTION todo.forget_idempotency_keys(max_rows integer DEFAULT 1000)
RETURNS integer
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	gone integer;
BEGIN
	DELETE FROM todo.idempotency_keys k USING (
		SELECT e.scope, e.key FROM todo.idempotency_keys e
		WHERE e.expires_at <= now()
		ORDER BY e.expires_at LIMIT max_rows
		FOR UPDATE SKIP LOCKED) old
	WHERE k.scope = old.scope AND k.key = old.key;
	GET DIAGNOSTICS gone = ROW_COUNT;
	RETURN gone;
END
$$;
COMMENT ON FUNCTION todo.forget_idempotency_keys(integer) IS 'todo: delete up to max_rows expired Idempotency-Keys, skipping locked ones; returns how many';

-- Keeps the answer of a request that ran under a key claimed by todo.idempotency_claim, in
-- its transaction: committed together with the write, or not at all. An expired row of the
-- same key is replaced. Answers with an error are not kept (docs/decisions.md). Then a few
-- expired keys go.
CREATE FUNCTION todo.idempotency_store(store_scope text, store_key text, store_fingerprint bytea, answer api.result)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF answer.error IS NOT NULL THEN
		RETURN;
	END IF;
	INSERT INTO todo.idempotency_keys AS k (scope, key, fingerprint, data, meta, expires_at)
	VALUES (store_scope, store_key, store_fingerprint, answer.data, answer.meta, now() + todo.idempotency_key_lifetime())
	ON CONFLICT (scope, key) DO UPDATE SET fingerprint = excluded.fingerprint, data = excluded.data,
		meta = excluded.meta, created_at = excluded.created_at, expires_at = excluded.expires_at;
	PERFORM todo.forget_idempotency_keys(10);
END
$$;
COMMENT ON FUNCTION todo.idempotency_store(text, text, bytea, api.result) IS 'todo: store the answer of a request under its Idempotency-Key, in its transaction';


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

-- schema/30_policies.sql
-- Idempotency-Key (28_idempotency.sql): a request sees and writes the keys of its own scope
-- (app.idempotency_scope, set by todo.idempotency_claim after the 401/403 checks), and finds
-- and deletes expired ones (todo.forget_idempotency_keys; FOR ALL: it locks them first).
ALTER TABLE todo.idempotency_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE todo.idempotency_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY idempotency_keys_scope ON todo.idempotency_keys
	USING (scope = (SELECT todo.idempotency_scope()))
	WITH CHECK (scope = (SELECT todo.idempotency_scope()));
CREATE POLICY idempotency_keys_expired ON todo.idempotency_keys
	USING (expires_at <= now())
	WITH CHECK (false);
-- The secret and the lifetime: todo_owner alone reads them and changes the lifetime.
ALTER TABLE todo.idempotency_settings ENABLE ROW LEVEL SECURITY;
ALTER TABLE todo.idempotency_settings FORCE ROW LEVEL SECURITY;
CREATE POLICY idempotency_settings_read ON todo.idempotency_settings FOR SELECT TO todo_owner USING (true);
CREATE POLICY idempotency_settings_update ON todo.idempotency_settings FOR UPDATE TO todo_owner USING (true) WITH CHECK (true);

-- schema/90_privileges.sql
ALTER TABLE todo.idempotency_settings OWNER TO todo_owner;
ALTER TABLE todo.idempotency_keys OWNER TO todo_owner;
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA todo FROM PUBLIC;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA todo TO todo_owner;
REVOKE EXECUTE ON FUNCTION api.idempotent_call(text, text, text, text, text, text),
	api.idempotent_register(text, text, text, text) FROM PUBLIC;
ALTER FUNCTION api.idempotent_call(text, text, text, text, text, text) OWNER TO todo_owner;
ALTER FUNCTION api.idempotent_register(text, text, text, text) OWNER TO todo_owner;
GRANT EXECUTE ON FUNCTION api.idempotent_register(text, text, text, text) TO todo_anon;
GRANT EXECUTE ON FUNCTION api.idempotent_call(text, text, text, text, text, text) TO todo_user;


-- The streamed list (issue 11): api.task_list_rows, a row per task, and the filtered list
-- as rows (todo.task_list_filtered_rows), which todo.task_list_filtered now puts together.

-- schema/43_api_task_list.sql
-- Any other list request (filters, another sort, paging): parameters parsed and checked,
-- the total counted apart from the page. One row per task of the page, in order (task set,
-- meta NULL), then one last row with the envelope's meta (task NULL): the shape of
-- api.task_list_rows, which streams it.
CREATE FUNCTION todo.task_list_filtered_rows(user_id uuid, params jsonb)
RETURNS TABLE (task json, meta json)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
-- planned for each call's values: a NULL filter or an unused sort key then costs nothing,
-- and the default sort can read the index in order (and the planner free to scan the
-- table, which api.task_list, the caller, is not)
SET plan_cache_mode = force_custom_plan
SET enable_seqscan = on
AS $$
DECLARE
	status_filter text := todo.query_param(params, 'status');
	priority_filter text := lower(todo.query_param(params, 'priority'));
	overdue text := todo.query_param(params, 'overdue');
	due_before_text text := todo.query_param(params, 'due_before');
	due_after_text text := todo.query_param(params, 'due_after');
	due_before timestamptz := todo.parse_timestamp(due_before_text);
	due_after timestamptz := todo.parse_timestamp(due_after_text);
	search text := lower(todo.query_param(params, 'q'));
	sort text := coalesce(todo.query_param(params, 'sort'), '-created_at');
	limit_text text := todo.query_param(params, 'limit');
	offset_text text := coalesce(todo.query_param(params, 'offset'), '0');
	unknown_params text := (SELECT string_agg(k, ', ' ORDER BY k) FROM jsonb_object_keys(params) k
		WHERE k NOT IN ('status', 'priority', 'tag', 'q', 'due_before', 'due_after', 'overdue', 'sort', 'limit', 'offset'));
	tag_filter text[];
	row_limit integer;
	row_offset integer;
	total bigint;
BEGIN
	IF unknown_params IS NOT NULL THEN
		PERFORM todo.raise_error('TD400', 'unknown query parameter: ' || unknown_params);
	END IF;
	IF status_filter NOT IN ('pending', 'completed') THEN
		PERFORM todo.bad_query_param('status', 'pending or completed');
	END IF;
	IF priority_filter NOT IN ('low', 'medium', 'high') THEN
		PERFORM todo.bad_query_param('priority', 'low, medium or high');
	END IF;
	IF overdue NOT IN ('true', 'false') THEN
		PERFORM todo.bad_query_param('overdue', 'true or false');
	END IF;
	IF due_before IS NULL AND due_before_text IS NOT NULL THEN
		PERFORM todo.bad_query_param('due_before', 'an RFC 3339 timestamp with an offset or a date YYYY-MM-DD');
	END IF;
	IF due_after IS NULL AND due_after_text IS NOT NULL THEN
		PERFORM todo.bad_query_param('due_after', 'an RFC 3339 timestamp with an offset or a date YYYY-MM-DD');
	END IF;
	IF sort NOT IN ('created_at', '-created_at', 'due_date', '-due_date', 'priority', '-priority', 'title', '-title') THEN
		PERFORM todo.bad_query_param('sort', 'one of created_at, due_date, priority, title, optionally with a leading -');
	END IF;
	IF limit_text !~ '^[0-9]{1,4}$' OR limit_text::integer NOT BETWEEN 1 AND 1000 THEN
		PERFORM todo.bad_query_param('limit', 'an integer from 1 to 1000');
	END IF;
	IF offset_text !~ '^[0-9]{1,9}$' THEN
		PERFORM todo.bad_query_param('offset', 'an integer of at least 0');
	END IF;
	row_limit := limit_text::integer;
	row_offset := offset_text::integer;
	IF params ? 'tag' THEN
		IF jsonb_typeof(params -> 'tag') <> 'array' THEN
			PERFORM todo.bad_query_param('tag', 'a tag');
		END IF;
		BEGIN
			tag_filter := todo.normalize_tags(ARRAY(SELECT jsonb_array_elements_text(params -> 'tag')));
		EXCEPTION WHEN SQLSTATE 'TD422' THEN
			PERFORM todo.bad_query_param('tag', 'a valid tag');
		END;
	END IF;

	SELECT count(*) INTO total
	FROM todo.matching_tasks(task_list_filtered_rows.user_id, status_filter::todo.task_status, priority_filter::todo.task_priority,
		tag_filter, search, due_before, due_after, overdue::boolean);

	RETURN QUERY SELECT todo.task_json(page.t), NULL::json
	FROM (
		SELECT t FROM todo.matching_tasks(task_list_filtered_rows.user_id, status_filter::todo.task_status, priority_filter::todo.task_priority,
			tag_filter, search, due_before, due_after, overdue::boolean) t
		ORDER BY
			CASE WHEN sort = 'created_at' THEN t.created_at END,
			CASE WHEN sort = '-created_at' THEN t.created_at END DESC,
			CASE WHEN sort = 'due_date' THEN t.due_date END,
			CASE WHEN sort = '-due_date' THEN t.due_date END DESC,
			CASE WHEN sort = 'priority' THEN t.priority END,
			CASE WHEN sort = '-priority' THEN t.priority END DESC,
			CASE WHEN sort = 'title' THEN t.title END,
			CASE WHEN sort = '-title' THEN t.title END DESC,
			t.id
		LIMIT row_limit OFFSET row_offset) page;

	task := NULL;
	meta := json_build_object('total', total, 'limit', row_limit, 'offset', row_offset);
	RETURN NEXT;
END
$$;
COMMENT ON FUNCTION todo.task_list_filtered_rows(uuid, jsonb)
	IS 'todo: a list request with query parameters, a row per task then the meta (api.task_list_rows)';

-- The same list as one value, for api.task_list: the rows put together in their order.
CREATE OR REPLACE FUNCTION todo.task_list_filtered(user_id uuid, params jsonb)
RETURNS api.result
LANGUAGE sql
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT coalesce(json_agg(r.task ORDER BY r.n) FILTER (WHERE r.meta IS NULL), '[]'),
		(array_agg(r.meta) FILTER (WHERE r.meta IS NOT NULL))[1], NULL::json
	FROM todo.task_list_filtered_rows(user_id, params) WITH ORDINALITY AS r(task, meta, n)
$$;
COMMENT ON FUNCTION todo.task_list_filtered(uuid, jsonb) IS 'todo: a list request with query parameters (api.task_list)';

-- The list as rows, for the gateway to stream (docs/sql-api.md, "The streamed list"): one
-- row per task, in order, its Task object in task (meta NULL), then one last row whose meta
-- is the envelope's meta (task NULL). Errors (401, 403, 400 for a bad parameter) are
-- raised before the first row. The rows go into PL/pgSQL's tuplestore, which keeps at most
-- work_mem in memory and the rest in a temporary file: the backend's memory does not grow
-- with the list, and no value of the size of the whole list is ever made (json_agg made
-- and copied one). The total of the list without parameters is the number of rows
-- (ROW_COUNT after RETURN QUERY). The settings and the statement are api.task_list's.
CREATE FUNCTION api.task_list_rows(params jsonb)
RETURNS TABLE (task json, meta json)
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET plan_cache_mode = force_generic_plan
SET enable_seqscan = off
SET jit = off
AS $$
DECLARE
	session todo.sessions := todo.authenticate();
	total bigint;
BEGIN
	IF params IS DISTINCT FROM '{}'::jsonb THEN
		RETURN QUERY SELECT r.task, r.meta FROM todo.task_list_filtered_rows(session.user_id, params) r;
		RETURN;
	END IF;
	RETURN QUERY SELECT todo.task_json(t), NULL::json FROM todo.tasks t
		WHERE t.user_id = session.user_id
		ORDER BY t.created_at DESC, t.id;
	GET DIAGNOSTICS total = ROW_COUNT;
	task := NULL;
	meta := json_build_object('total', total, 'limit', NULL::integer, 'offset', 0);
	RETURN NEXT;
END
$$;
COMMENT ON FUNCTION api.task_list_rows(jsonb) IS 'GET /api/{user_id}/tasks, streamed: a row per Task, then the meta';

-- schema/90_privileges.sql, for the new functions
REVOKE EXECUTE ON FUNCTION todo.task_list_filtered_rows(uuid, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION todo.task_list_filtered_rows(uuid, jsonb) TO todo_owner;
REVOKE EXECUTE ON FUNCTION api.task_list_rows(jsonb) FROM PUBLIC;
ALTER FUNCTION api.task_list_rows(jsonb) OWNER TO todo_owner;
GRANT EXECUTE ON FUNCTION api.task_list_rows(jsonb) TO todo_user;

-- The plain install only (issue 11): the Task object stored with the row, filled for the
-- rows already there; the extension keeps writing it in C (docs/benchmarks.md).
-- plain install: 31_task_json_of.sql
-- plain install: 39_task_json_stored.sql

-- The gateway's purge of expired keys (gateway/src/maintenance.c, every MAINTENANCE_INTERVAL
-- seconds), so that keys and their answers go on time without keyed traffic: only the
-- gateway's login role may call it (90_privileges.sql). A batch at a time, never waiting.
CREATE FUNCTION api.gateway_forget_idempotency_keys()
RETURNS integer
LANGUAGE sql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$ SELECT todo.forget_idempotency_keys(1000) $$;
COMMENT ON FUNCTION api.gateway_forget_idempotency_keys() IS 'deletes up to 1000 expired Idempotency-Key answers; how many went (gateway only)';
REVOKE EXECUTE ON FUNCTION api.gateway_forget_idempotency_keys() FROM PUBLIC;
ALTER FUNCTION api.gateway_forget_idempotency_keys() OWNER TO todo_owner;
GRANT EXECUTE ON FUNCTION api.gateway_forget_idempotency_keys() TO todo_gateway;

-- plain install: 99_installer.sql
