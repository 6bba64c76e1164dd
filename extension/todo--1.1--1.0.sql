/* extension/todo--1.1--1.0.sql: downgrade 1.1 -> 1.0, dropping the legacy ids (and the issuer and audience functions),
 * and back to 1.0's login throttling (per account) and decoy password check (at the current cost) */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION todo UPDATE TO '1.0'" to load this file. \quit

-- Every lock the script needs, at once and in the order API calls take them (a session,
-- then its user, then tasks): taken one by one in another order, they deadlock with
-- concurrent requests. Requests wait for the migration meanwhile (docs/migrations.md).
LOCK TABLE todo.login_attempts, todo.sessions, todo.users, todo.tasks IN ACCESS EXCLUSIVE MODE;

-- Dropping the legacy ids loses the trace of imported rows: refuse while there are any,
-- unless the operator said so (todoctl migrate down --force sets todo_migrate.force).
DO $$
DECLARE
	users bigint := (SELECT count(*) FROM todo.users WHERE legacy_id IS NOT NULL);
	tasks bigint := (SELECT count(*) FROM todo.tasks WHERE legacy_id IS NOT NULL);
	sessions bigint := (SELECT count(*) FROM todo.sessions WHERE legacy_id IS NOT NULL);
BEGIN
	IF users + tasks + sessions > 0
		AND pg_catalog.current_setting('todo_migrate.force', true) IS DISTINCT FROM 'on' THEN
		RAISE EXCEPTION 'downgrading to 1.0 would drop the legacy ids of % users, % tasks and % sessions', users, tasks, sessions
			USING ERRCODE = 'object_in_use',
				HINT = 'Imported rows stay, but lose the link to their legacy SQLite ids. To do it anyway: todoctl migrate down --force.';
	END IF;
END
$$;

DROP INDEX todo.users_legacy_id_key;
DROP INDEX todo.tasks_legacy_id_key;
DROP INDEX todo.sessions_legacy_id_key;
ALTER TABLE todo.users DROP COLUMN legacy_id;
ALTER TABLE todo.tasks DROP COLUMN legacy_id;
ALTER TABLE todo.sessions DROP COLUMN legacy_id;

-- begin extension only: back to 1.0's todo.start_session, which read the issuer and
-- audience settings itself (the plain install keeps its settings layer: todo--1.0--1.1.sql)
CREATE OR REPLACE FUNCTION todo.start_session(u todo.users)
RETURNS json
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	issued_at bigint := floor(extract(epoch FROM now()));
	expires_at bigint := issued_at + todo.token_lifetime();
	jti text := gen_random_uuid()::text;
	claims jsonb;
BEGIN
	INSERT INTO todo.sessions (user_id, token_jti, expires_at)
	VALUES (u.id, jti, to_timestamp(expires_at));

	claims := jsonb_build_object('sub', u.id, 'jti', jti, 'iat', issued_at, 'exp', expires_at);
	IF coalesce(current_setting('todo.jwt_issuer', true), '') <> '' THEN
		claims := claims || jsonb_build_object('iss', current_setting('todo.jwt_issuer'));
	END IF;
	IF coalesce(current_setting('todo.jwt_audience', true), '') <> '' THEN
		claims := claims || jsonb_build_object('aud', current_setting('todo.jwt_audience'));
	END IF;

	RETURN json_build_object(
		'user', todo.user_json(u),
		'access_token', todo.jwt_sign(claims),
		'token_type', 'bearer',
		'expires_at', todo.rfc3339(to_timestamp(expires_at)));
END
$$;
DROP FUNCTION todo.jwt_issuer(), todo.jwt_audience();
-- end extension only

-- 1.0's login: counters keyed by the account's email (1.1's stay, never read by 1.0)
-- A failed login is returned, not raised, so that its count is committed (docs/sql-api.md).
CREATE OR REPLACE FUNCTION api.login(body jsonb)
RETURNS api.result
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	errors jsonb := todo.unknown_field_errors(body, '{email,username,password}');
	by_email boolean := body ? 'email';
	identifier text := lower(todo.trim_space(coalesce(body ->> 'email', body ->> 'username')));
	password text := body ->> 'password';
	u todo.users;
	attempt todo.login_attempts;
	password_ok boolean;
BEGIN
	IF by_email AND body ? 'username' THEN
		errors := errors || todo.field_error('username', 'send either email or username, not both');
	ELSIF NOT by_email AND NOT body ? 'username' THEN
		errors := errors || todo.field_error('email', 'email or username is required');
	ELSE
		errors := errors || coalesce(todo.string_error(CASE WHEN by_email THEN 'email' ELSE 'username' END,
			body -> CASE WHEN by_email THEN 'email' ELSE 'username' END), '[]');
	END IF;
	errors := errors || coalesce(todo.string_error('password', body -> 'password'), '[]');
	IF errors <> '[]' THEN
		PERFORM todo.raise_validation(errors);
	END IF;

	PERFORM set_config('app.login_identifier', identifier, true);
	SELECT * INTO u FROM todo.users
	WHERE CASE WHEN by_email THEN email = identifier ELSE lower(username) = identifier END;
	IF FOUND THEN
		PERFORM set_config('app.login_identifier', u.email, true);
	END IF;

	SELECT * INTO attempt FROM todo.login_attempts WHERE account = todo.login_identifier();
	IF attempt.locked_until > now() THEN
		RETURN (NULL, NULL, json_build_object('sqlstate', 'TD429',
			'message', 'too many failed logins; try again later',
			'detail', json_build_object('retry_after', ceil(extract(epoch FROM attempt.locked_until - now()))::integer)))::api.result;
	END IF;

	IF u.id IS NULL THEN
		PERFORM todo.waste_password_check(password);
		password_ok := false;
	ELSE
		-- bcrypt reads 72 bytes at most: a longer password would match on its prefix
		password_ok := todo.check_password(password, u.password_hash) AND octet_length(password) <= 72 AND u.is_active;
	END IF;
	IF NOT password_ok THEN
		INSERT INTO todo.login_attempts AS a (account, failures, window_started_at)
		VALUES (todo.login_identifier(), 1, now())
		ON CONFLICT (account) DO UPDATE SET
			failures = CASE WHEN a.window_started_at < now() - todo.login_failure_window() THEN 1 ELSE a.failures + 1 END,
			window_started_at = CASE WHEN a.window_started_at < now() - todo.login_failure_window() THEN now() ELSE a.window_started_at END
		RETURNING * INTO attempt;
		IF attempt.failures >= todo.login_max_failures() THEN
			UPDATE todo.login_attempts SET locked_until = now() + todo.login_lockout()
			WHERE account = attempt.account;
		END IF;
		RETURN (NULL, NULL, json_build_object('sqlstate', 'TD401', 'message', 'invalid credentials'))::api.result;
	END IF;

	DELETE FROM todo.login_attempts WHERE account = todo.login_identifier();
	PERFORM todo.act_as(u.id);
	RETURN (todo.start_session(u), NULL, NULL)::api.result;
END
$$;
DROP POLICY login_attempts_account ON todo.login_attempts;
DROP POLICY login_attempts_expired_select ON todo.login_attempts;
DROP POLICY login_attempts_expired_delete ON todo.login_attempts;
CREATE POLICY login_attempts_account ON todo.login_attempts
	USING (account = (SELECT todo.login_identifier()))
	WITH CHECK (account = (SELECT todo.login_identifier()));
DROP INDEX todo.login_attempts_window_idx;
COMMENT ON TABLE todo.login_attempts IS 'todo: failed login counters per account (throttling)';
COMMENT ON FUNCTION todo.login_max_failures() IS 'todo: failed logins within the window that lock an account';
COMMENT ON FUNCTION todo.login_lockout() IS 'todo: how long a locked account refuses logins';
DROP FUNCTION todo.login_address_max_failures(), todo.login_counters(), todo.client_address(),
	todo.count_login_attempt(text, integer), todo.login_refused_for(text, integer), todo.forget_login_attempts();

-- 1.0's decoy check, at the current cost; no rehash
DROP FUNCTION todo.waste_password_check(text, text), todo.decoy_cost(text), todo.password_hash_current(text);
-- Spends the time of one check when there is no user, so that a login's duration does
-- not tell whether an account exists.
CREATE FUNCTION todo.waste_password_check(password text)
RETURNS boolean
LANGUAGE sql STABLE STRICT PARALLEL SAFE
AS $$ SELECT todo.check_password(password, pg_catalog.format('$2a$%s$%s', pg_catalog.lpad(todo.bcrypt_cost()::text, 2, '0'), pg_catalog.repeat('.', 53))) $$;
COMMENT ON FUNCTION todo.waste_password_check(text) IS 'todo: a password check against no user (constant-time login)';
REVOKE EXECUTE ON FUNCTION todo.waste_password_check(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION todo.waste_password_check(text) TO todo_owner;
DROP TRIGGER users_count_password_costs ON todo.users;
DROP TABLE todo.password_costs;
DROP FUNCTION todo.count_password_costs(), todo.bcrypt_hash_cost(text);

-- todo_gateway keeps log_parameter_max_length = 0 (set by 1.1): 1.0 works the same with it,
-- and a downgrade should not put passwords back into the server log.

-- 1.0's api.task_list: every request parsed and planned per call, the total counted apart
CREATE OR REPLACE FUNCTION api.task_list(params jsonb)
RETURNS api.result
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
-- planned for each call's values: a NULL filter or an unused sort key then costs nothing,
-- and the default sort can read the index in order
SET plan_cache_mode = force_custom_plan
AS $$
DECLARE
	session todo.sessions := todo.authenticate();
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
	tasks json;
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
	FROM todo.matching_tasks(session.user_id, status_filter::todo.task_status, priority_filter::todo.task_priority,
		tag_filter, search, due_before, due_after, overdue::boolean);

	SELECT coalesce(json_agg(todo.task_json(page.t)), '[]') INTO tasks
	FROM (
		SELECT t FROM todo.matching_tasks(session.user_id, status_filter::todo.task_status, priority_filter::todo.task_priority,
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

	RETURN (tasks, json_build_object('total', total, 'limit', row_limit, 'offset', row_offset), NULL)::api.result;
END
$$;
COMMENT ON FUNCTION api.task_list(jsonb) IS 'GET /api/{user_id}/tasks: the caller''s tasks, filtered, sorted and paged, with the total';
DROP FUNCTION todo.task_list_filtered(uuid, jsonb);

-- 1.0's helpers, as SQL functions with bodies kept as text (todo--1.0--1.1.sql, issue 11)
CREATE OR REPLACE FUNCTION todo.normalize_recurrence(pattern text)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT pg_catalog.regexp_replace(pg_catalog.lower(todo.trim_space(pattern)), '[[:space:]]+', ' ', 'g') $$;
CREATE OR REPLACE FUNCTION todo.recurrence_interval(pattern text)
RETURNS interval
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
	SELECT CASE
		WHEN pattern = 'daily' THEN interval '1 day'
		WHEN pattern = 'weekly' THEN interval '1 week'
		WHEN pattern = 'monthly' THEN interval '1 month'
		WHEN pattern = 'yearly' THEN interval '1 year'
		WHEN pattern ~ '^every [1-9][0-9]{0,2} (days|weeks|months|years)$'
			AND pg_catalog.split_part(pattern, ' ', 2)::int <= 365
		THEN pg_catalog.split_part(pattern, ' ', 2)::int
			* CASE pg_catalog.split_part(pattern, ' ', 3)
				WHEN 'days' THEN interval '1 day'
				WHEN 'weeks' THEN interval '1 week'
				WHEN 'months' THEN interval '1 month'
				ELSE interval '1 year'
			END
	END
$$;
CREATE OR REPLACE FUNCTION todo.try_uuid(value text)
RETURNS uuid
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
	SELECT CASE WHEN value OPERATOR(pg_catalog.~) '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$'
		THEN value::uuid END
$$;
CREATE OR REPLACE FUNCTION todo.trim_space(value text)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT pg_catalog.regexp_replace(value, '^[[:space:]]+|[[:space:]]+$', '', 'g') $$;
CREATE OR REPLACE FUNCTION todo.act_as(user_id uuid)
RETURNS void
LANGUAGE sql
AS $$ SELECT pg_catalog.set_config('app.user_id', user_id::text, true) $$;
CREATE OR REPLACE FUNCTION todo.unknown_field_errors(body jsonb, allowed text[], read_only text[] DEFAULT '{}')
RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT coalesce(jsonb_agg(jsonb_build_object('field', k, 'message',
			CASE WHEN k = ANY (read_only) THEN 'is read-only' ELSE 'is not a known field' END) ORDER BY k),
		'[]')
	FROM jsonb_object_keys(body) AS k
	WHERE k <> ALL (allowed);
$$;
CREATE OR REPLACE FUNCTION todo.tags_from_json(value jsonb)
RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT CASE jsonb_typeof(value)
		WHEN 'null' THEN '{}'::text[]
		WHEN 'string' THEN ARRAY(SELECT item FROM unnest(string_to_array(value #>> '{}', ',')) AS item
			WHERE todo.trim_space(item) <> '')
		WHEN 'array' THEN CASE WHEN NOT EXISTS (SELECT FROM jsonb_array_elements(value) e WHERE jsonb_typeof(e) <> 'string')
			THEN ARRAY(SELECT jsonb_array_elements_text(value)) END
	END
$$;

-- no task limit in 1.0
DROP TRIGGER tasks_limit ON todo.tasks;
DROP FUNCTION todo.check_task_limit();
-- begin extension only (the plain install keeps its settings layer)
DROP FUNCTION todo.max_tasks_per_user();
-- end extension only
