/* extension/todo--1.0--1.1.sql: upgrade 1.0 -> 1.1, the legacy ids of imported rows (and the issuer and audience settings as
 * functions); login throttling per account name and address; the decoy password check at real accounts' cost */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION todo UPDATE TO '1.1'" to load this file. \quit

-- Every lock the script needs, at once and in the order API calls take them (a session,
-- then its user, then tasks): taken one by one in another order, they deadlock with
-- concurrent requests. Requests wait for the migration meanwhile (docs/migrations.md).
LOCK TABLE todo.login_attempts, todo.sessions, todo.users, todo.tasks IN ACCESS EXCLUSIVE MODE;

-- Adding a nullable column without a default changes only the catalog; the time goes to
-- the index builds, each reading the table once.
ALTER TABLE todo.users ADD COLUMN legacy_id bigint;
ALTER TABLE todo.tasks ADD COLUMN legacy_id bigint;
ALTER TABLE todo.sessions ADD COLUMN legacy_id bigint;
COMMENT ON COLUMN todo.users.legacy_id IS 'todo: id in the legacy SQLite database, NULL for users created here';
COMMENT ON COLUMN todo.tasks.legacy_id IS 'todo: id in the legacy SQLite database, NULL for tasks created here';
COMMENT ON COLUMN todo.sessions.legacy_id IS 'todo: id in the legacy SQLite database, NULL for sessions created here';

CREATE UNIQUE INDEX users_legacy_id_key ON todo.users (legacy_id) WHERE legacy_id IS NOT NULL;
CREATE UNIQUE INDEX tasks_legacy_id_key ON todo.tasks (legacy_id) WHERE legacy_id IS NOT NULL;
CREATE UNIQUE INDEX sessions_legacy_id_key ON todo.sessions (legacy_id) WHERE legacy_id IS NOT NULL;

-- begin extension only: todo.start_session reads the tokens' issuer and audience through
-- the settings layer (08_settings.sql). The plain install has done so since it began, at
-- 1.1 (its 1.0 is only ever a 1.1 downgraded), with functions of its own over table
-- todo.settings: scripts/build-plain.sh leaves this part out of its scripts.
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

REVOKE EXECUTE ON FUNCTION todo.jwt_issuer(), todo.jwt_audience() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION todo.jwt_issuer(), todo.jwt_audience() TO todo_owner;

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

	-- iss and aud only when set (08_settings.sql; jsonb_strip_nulls drops the others)
	claims := jsonb_strip_nulls(jsonb_build_object('sub', u.id, 'jti', jti, 'iat', issued_at, 'exp', expires_at,
		'iss', nullif(todo.jwt_issuer(), ''), 'aud', nullif(todo.jwt_audience(), '')));

	RETURN json_build_object(
		'user', todo.user_json(u),
		'access_token', todo.jwt_sign(claims),
		'token_type', 'bearer',
		'expires_at', todo.rfc3339(to_timestamp(expires_at)));
END
$$;
-- end extension only

-- --- Login throttling per account name and address, and per address (issue 9) ---
-- 1.0's counters (keyed by the account's email) stay: 1.1 never reads them, and deletes
-- them once they are long expired.
COMMENT ON TABLE todo.login_attempts IS 'todo: failed login counters per account name and address, and per address (throttling)';
-- Expired counters are deleted by later logins, oldest first (todo.forget_login_attempts)
CREATE INDEX login_attempts_window_idx ON todo.login_attempts (window_started_at);
CREATE FUNCTION todo.login_address_max_failures() RETURNS integer LANGUAGE sql IMMUTABLE AS 'SELECT 200';
COMMENT ON FUNCTION todo.login_max_failures() IS 'todo: failed logins of one account name from one address within the window that lock them';
COMMENT ON FUNCTION todo.login_address_max_failures() IS 'todo: failed logins from one address within the window that refuse its logins';
COMMENT ON FUNCTION todo.login_lockout() IS 'todo: how long a locked account name and address pair refuses logins';
-- The counters a login may see and change (app.login_counters, set by api.login): the key of
-- the policy on todo.login_attempts.
CREATE FUNCTION todo.login_counters()
RETURNS text[]
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT coalesce(nullif(pg_catalog.current_setting('app.login_counters', true), '')::text[], '{}') $$;
COMMENT ON FUNCTION todo.login_counters() IS 'todo: the throttling counters of the login in progress (app.login_counters)';
-- The client's address as the gateway passed it (app.client_addr: the socket's peer, or
-- the X-Forwarded-For entry of a trusted proxy), as a throttling key: an IPv4 address, an
-- IPv6 address's /64 (one subscriber usually holds a whole /64), IPv4-mapped IPv6 as IPv4.
-- NULL when unset or not an address.
CREATE FUNCTION todo.client_address()
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	given text := nullif(current_setting('app.client_addr', true), '');
	address inet;
BEGIN
	IF given IS NULL OR given !~ '^[0-9A-Fa-f:.]{2,45}$' THEN
		RETURN NULL;
	END IF;
	BEGIN
		address := given::inet;
	EXCEPTION WHEN invalid_text_representation THEN
		RETURN NULL;
	END;
	IF family(address) = 6 AND address <<= inet '::ffff:0.0.0.0/96' THEN
		address := substr(host(address), 8)::inet;
	END IF;
	IF family(address) = 6 THEN
		RETURN network(set_masklen(address, 64))::text;
	END IF;
	RETURN host(address);
END
$$;
COMMENT ON FUNCTION todo.client_address() IS 'todo: the client''s address (app.client_addr) as a throttling key, IPv6 by /64; NULL when unknown';

-- Counts one attempt against a counter, or refuses it: the row is written (and so locked
-- until the transaction ends) before anything is decided, so concurrent attempts on one
-- counter are decided one after the other. A locked counter is left as it is; an expired
-- one starts again at 1. Returns the seconds to wait when refused, else NULL.
CREATE FUNCTION todo.count_login_attempt(counter text, max_failures integer)
RETURNS integer
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	a todo.login_attempts;
BEGIN
	INSERT INTO todo.login_attempts AS c (account, failures, window_started_at)
	VALUES (counter, 1, now())
	ON CONFLICT (account) DO UPDATE SET
		failures = CASE WHEN c.locked_until > now() THEN c.failures
			WHEN c.locked_until <= now() OR c.window_started_at <= now() - todo.login_failure_window() THEN 1
			ELSE c.failures + 1 END,
		window_started_at = CASE WHEN c.locked_until > now() THEN c.window_started_at
			WHEN c.locked_until <= now() OR c.window_started_at <= now() - todo.login_failure_window() THEN now()
			ELSE c.window_started_at END,
		locked_until = CASE WHEN c.locked_until > now() THEN c.locked_until END
	RETURNING * INTO a;
	IF a.locked_until > now() THEN
		RETURN ceil(extract(epoch FROM a.locked_until - now()))::integer;
	END IF;
	IF a.failures > max_failures THEN
		RETURN ceil(extract(epoch FROM a.window_started_at + todo.login_failure_window() - now()))::integer;
	END IF;
	RETURN NULL;
END
$$;
COMMENT ON FUNCTION todo.count_login_attempt(text, integer) IS 'todo: count a login attempt on a counter; seconds to wait when refused';

-- Seconds a counter still refuses logins when it has max_failures (or is locked), else
-- NULL; reads without a lock, for counters counted only after the password check (the
-- address's: a row lock held through bcrypt would queue every login from that address).
CREATE FUNCTION todo.login_refused_for(counter text, max_failures integer)
RETURNS integer
LANGUAGE sql STABLE
AS $$
	SELECT ceil(extract(epoch FROM CASE WHEN locked_until > now() THEN locked_until
		ELSE window_started_at + todo.login_failure_window() END - now()))::integer
	FROM todo.login_attempts
	WHERE account = counter
		AND (locked_until > now() OR (failures >= max_failures AND window_started_at > now() - todo.login_failure_window()))
$$;
COMMENT ON FUNCTION todo.login_refused_for(text, integer) IS 'todo: seconds a full or locked login counter refuses logins, or NULL';

-- Deletes a few counters whose window and lockout are long over (each login deletes up to
-- this many, more than it can create): rows for identifiers nobody owns do not pile up.
CREATE FUNCTION todo.forget_login_attempts()
RETURNS void
LANGUAGE sql
AS $$
	DELETE FROM todo.login_attempts WHERE account IN (
		SELECT account FROM todo.login_attempts
		WHERE window_started_at < now() - todo.login_failure_window() - todo.login_lockout()
		ORDER BY window_started_at LIMIT 10);
$$;
COMMENT ON FUNCTION todo.forget_login_attempts() IS 'todo: delete a few long-expired login counters';
DROP POLICY login_attempts_account ON todo.login_attempts;
-- A login sees and changes its own counters (app.login_counters)...
CREATE POLICY login_attempts_account ON todo.login_attempts
	USING (account = ANY ((SELECT todo.login_counters())::text[]))
	WITH CHECK (account = ANY ((SELECT todo.login_counters())::text[]));
-- ... and finds and deletes long-expired ones (todo.forget_login_attempts).
CREATE POLICY login_attempts_expired_select ON todo.login_attempts FOR SELECT
	USING (window_started_at < now() - todo.login_failure_window() - todo.login_lockout());
CREATE POLICY login_attempts_expired_delete ON todo.login_attempts FOR DELETE
	USING (window_started_at < now() - todo.login_failure_window() - todo.login_lockout());

-- --- The decoy check costs what real accounts cost; logins rehash to the current cost ---
CREATE TABLE todo.password_costs (
	cost integer PRIMARY KEY CONSTRAINT password_costs_cost_range CHECK (cost BETWEEN 4 AND 31),
	accounts bigint NOT NULL CONSTRAINT password_costs_accounts_not_negative CHECK (accounts >= 0)
);
COMMENT ON TABLE todo.password_costs IS 'todo: number of accounts per bcrypt cost (the decoy check of unknown logins)';

-- The cost of a bcrypt hash ($2a$10$... is 10).
CREATE FUNCTION todo.bcrypt_hash_cost(hash text)
RETURNS integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT pg_catalog.substr(hash, 5, 2)::integer $$;
COMMENT ON FUNCTION todo.bcrypt_hash_cost(text) IS 'todo: the cost of a bcrypt hash';

CREATE FUNCTION todo.count_password_costs()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF TG_OP IN ('UPDATE', 'DELETE') THEN
		UPDATE todo.password_costs SET accounts = accounts - 1 WHERE cost = todo.bcrypt_hash_cost(OLD.password_hash);
	END IF;
	IF TG_OP IN ('UPDATE', 'INSERT') THEN
		INSERT INTO todo.password_costs AS c (cost, accounts) VALUES (todo.bcrypt_hash_cost(NEW.password_hash), 1)
		ON CONFLICT (cost) DO UPDATE SET accounts = c.accounts + 1;
	END IF;
	RETURN NULL;
END
$$;
COMMENT ON FUNCTION todo.count_password_costs() IS 'todo: trigger keeping todo.password_costs in step with todo.users';

CREATE TRIGGER users_count_password_costs AFTER INSERT OR DELETE OR UPDATE OF password_hash ON todo.users
	FOR EACH ROW EXECUTE FUNCTION todo.count_password_costs();
-- the accounts as they are (the trigger counts from now on)
INSERT INTO todo.password_costs (cost, accounts)
SELECT todo.bcrypt_hash_cost(password_hash), count(*) FROM todo.users GROUP BY 1;
ALTER TABLE todo.password_costs ENABLE ROW LEVEL SECURITY;
ALTER TABLE todo.password_costs FORCE ROW LEVEL SECURITY;
CREATE POLICY password_costs_all ON todo.password_costs USING (true) WITH CHECK (true);
-- the owner of a table needs CREATE on its schema (a superuser is not asked; the plain
-- install's migrating role owns the schema), which todo_owner holds only meanwhile
GRANT CREATE ON SCHEMA todo TO todo_owner;
ALTER TABLE todo.password_costs OWNER TO todo_owner;
REVOKE CREATE ON SCHEMA todo FROM todo_owner;

DROP FUNCTION todo.waste_password_check(text);
-- The cost of the decoy check of a login for an account that does not exist: drawn from
-- the costs real accounts have (todo.password_costs, weighted by their number), by a hash
-- of the identifier, so that one unknown name always costs the same and the names together
-- cost what real accounts cost. The current cost when there are no accounts.
CREATE FUNCTION todo.decoy_cost(identifier text)
RETURNS integer
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
	WITH costs AS (
		SELECT cost, pg_catalog.sum(accounts) OVER (ORDER BY cost) AS up_to, pg_catalog.sum(accounts) OVER () AS total
		FROM todo.password_costs WHERE accounts OPERATOR(pg_catalog.>) 0
	), pick AS (
		SELECT ('x' OPERATOR(pg_catalog.||) pg_catalog.substr(pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(identifier, 'UTF8')), 'hex'), 1, 15))::bit(60)::bigint AS h
	)
	SELECT coalesce(
		(SELECT cost FROM costs, pick WHERE pick.h OPERATOR(pg_catalog.%) costs.total OPERATOR(pg_catalog.<) costs.up_to ORDER BY cost LIMIT 1),
		todo.bcrypt_cost())
$$;
COMMENT ON FUNCTION todo.decoy_cost(text) IS 'todo: the bcrypt cost of the decoy check for an unknown identifier';

-- Spends the time of one check when there is no user, so that a login's duration does
-- not tell whether an account exists.
CREATE FUNCTION todo.waste_password_check(password text, identifier text)
RETURNS boolean
LANGUAGE sql STABLE STRICT PARALLEL SAFE
AS $$ SELECT todo.check_password(password, pg_catalog.format('$2a$%s$%s', pg_catalog.lpad(todo.decoy_cost(identifier)::text, 2, '0'), pg_catalog.repeat('.', 53))) $$;
COMMENT ON FUNCTION todo.waste_password_check(text, text) IS 'todo: a password check against no user, at a real account''s cost (constant-time login)';

-- Whether a hash is what todo.hash_password makes today ($2a$ at the current cost): a
-- successful login rehashes one that is not, so that accounts converge on one cost.
CREATE FUNCTION todo.password_hash_current(hash text)
RETURNS boolean
LANGUAGE sql STABLE STRICT PARALLEL SAFE
AS $$ SELECT pg_catalog.left(hash, 4) OPERATOR(pg_catalog.=) '$2a$' AND todo.bcrypt_hash_cost(hash) OPERATOR(pg_catalog.=) todo.bcrypt_cost() $$;
COMMENT ON FUNCTION todo.password_hash_current(text) IS 'todo: whether a bcrypt hash has the current format and cost';

-- A failed login is returned, not raised, so that its count is committed (docs/sql-api.md).
-- Throttling (37_login_throttle.sql, docs/security.md): the address's counter is read
-- first; the counter of this account name from this address is counted before the
-- password is checked, its row locked until commit, so that concurrent attempts on it are
-- decided one after the other; the address's is counted after a failure.
CREATE OR REPLACE FUNCTION api.login(body jsonb)
RETURNS api.result
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	errors jsonb := todo.unknown_field_errors(body, '{email,username,password}');
	by_email boolean := body ? 'email';
	field text := CASE WHEN by_email THEN 'email' ELSE 'username' END;
	identifier text := lower(todo.trim_space(body ->> field));
	password text := body ->> 'password';
	address text := todo.client_address();
	pair_counter text;
	address_counter text;
	u todo.users;
	retry_after integer;
	password_ok boolean;
BEGIN
	IF by_email AND body ? 'username' THEN
		errors := errors || todo.field_error('username', 'send either email or username, not both');
	ELSIF NOT by_email AND NOT body ? 'username' THEN
		errors := errors || todo.field_error('email', 'email or username is required');
	ELSE
		errors := errors || coalesce(todo.string_error(field, body -> field),
			CASE WHEN identifier = '' THEN todo.field_error(field, 'must not be empty') END, '[]');
	END IF;
	errors := errors || coalesce(todo.string_error('password', body -> 'password'), '[]');
	IF errors <> '[]' THEN
		PERFORM todo.raise_validation(errors);
	END IF;

	pair_counter := 'p:' || encode(sha256(convert_to(field || ':' || identifier || ' ' || coalesce(address, ''), 'UTF8')), 'hex');
	address_counter := 'a:' || address;
	PERFORM set_config('app.login_counters', ARRAY[pair_counter, address_counter]::text, true);
	retry_after := coalesce(todo.login_refused_for(address_counter, todo.login_address_max_failures()),
		todo.count_login_attempt(pair_counter, todo.login_max_failures()));
	IF retry_after IS NOT NULL THEN
		RETURN (NULL, NULL, json_build_object('sqlstate', 'TD429',
			'message', 'too many failed logins; try again later',
			'detail', json_build_object('retry_after', greatest(retry_after, 1))))::api.result;
	END IF;

	PERFORM set_config('app.login_identifier', identifier, true);
	SELECT * INTO u FROM todo.users
	WHERE CASE WHEN by_email THEN email = identifier ELSE lower(username) = identifier END;
	IF u.id IS NULL THEN
		PERFORM todo.waste_password_check(password, identifier);
		password_ok := false;
	ELSE
		-- bcrypt reads 72 bytes at most: a longer password would match on its prefix
		password_ok := todo.check_password(password, u.password_hash) AND octet_length(password) <= 72 AND u.is_active;
	END IF;
	IF NOT password_ok THEN
		UPDATE todo.login_attempts SET locked_until = now() + todo.login_lockout()
		WHERE account = pair_counter AND failures >= todo.login_max_failures();
		IF address IS NOT NULL THEN
			PERFORM todo.count_login_attempt(address_counter, todo.login_address_max_failures());
		END IF;
		PERFORM todo.forget_login_attempts();
		RETURN (NULL, NULL, json_build_object('sqlstate', 'TD401', 'message', 'invalid credentials'))::api.result;
	END IF;

	DELETE FROM todo.login_attempts WHERE account = pair_counter;
	PERFORM todo.act_as(u.id);
	IF NOT todo.password_hash_current(u.password_hash) THEN
		-- the cost a login takes must not depend on how old the account is (docs/security.md)
		UPDATE todo.users SET password_hash = todo.hash_password(password) WHERE id = u.id RETURNING * INTO u;
	END IF;
	RETURN (todo.start_session(u), NULL, NULL)::api.result;
END
$$;
COMMENT ON FUNCTION api.login(jsonb) IS 'POST /api/auth/login: check credentials (throttled) and open a session';

-- --- Nothing parsed or planned again in every request (issue 11): helpers that were SQL
-- functions run on every request as PL/pgSQL (plans kept per backend) or with BEGIN ATOMIC
-- bodies (stored parsed); try_uuid without a regular expression. Same results.
-- todo.trim_space is replaced first: the BEGIN ATOMIC bodies below depend on it.
CREATE OR REPLACE FUNCTION todo.try_uuid(value text)
RETURNS uuid
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
	SELECT CASE WHEN pg_catalog.translate(value, '0123456789abcdefABCDEF', '0000000000000000000000')
			OPERATOR(pg_catalog.=) '00000000-0000-0000-0000-000000000000'
		THEN value::uuid END
$$;
CREATE OR REPLACE FUNCTION todo.trim_space(value text)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
	SELECT pg_catalog.regexp_replace(value, '^[[:space:]]+|[[:space:]]+$', '', 'g');
END;
CREATE OR REPLACE FUNCTION todo.act_as(user_id uuid)
RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
	PERFORM pg_catalog.set_config('app.user_id', user_id::text, true);
END
$$;
CREATE OR REPLACE FUNCTION todo.unknown_field_errors(body jsonb, allowed text[], read_only text[] DEFAULT '{}')
RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
BEGIN
	RETURN (SELECT coalesce(pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object('field', k, 'message',
			CASE WHEN k OPERATOR(pg_catalog.=) ANY (read_only) THEN 'is read-only' ELSE 'is not a known field' END) ORDER BY k),
		'[]')
	FROM pg_catalog.jsonb_object_keys(body) AS k
	WHERE k OPERATOR(pg_catalog.<>) ALL (allowed));
END
$$;
CREATE OR REPLACE FUNCTION todo.tags_from_json(value jsonb)
RETURNS text[]
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
BEGIN
	RETURN CASE pg_catalog.jsonb_typeof(value)
		WHEN 'null' THEN '{}'::text[]
		WHEN 'string' THEN ARRAY(SELECT item FROM pg_catalog.unnest(pg_catalog.string_to_array(value OPERATOR(pg_catalog.#>>) '{}', ',')) AS item
			WHERE todo.trim_space(item) OPERATOR(pg_catalog.<>) '')
		WHEN 'array' THEN CASE WHEN NOT EXISTS (SELECT FROM pg_catalog.jsonb_array_elements(value) e
				WHERE pg_catalog.jsonb_typeof(e) OPERATOR(pg_catalog.<>) 'string')
			THEN ARRAY(SELECT pg_catalog.jsonb_array_elements_text(value)) END
	END;
END
$$;
CREATE OR REPLACE FUNCTION todo.normalize_recurrence(pattern text)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
	SELECT pg_catalog.regexp_replace(pg_catalog.lower(todo.trim_space(pattern)), '[[:space:]]+', ' ', 'g');
END;
CREATE OR REPLACE FUNCTION todo.recurrence_interval(pattern text)
RETURNS interval
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
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
	END;
END;
-- --- The common list request (no query string) without per-call planning (issue 11) ---
-- The rest of 1.0's api.task_list becomes todo.task_list_filtered.
-- Any other list request (filters, another sort, paging): parameters parsed and checked,
-- the total counted apart from the page.
CREATE FUNCTION todo.task_list_filtered(user_id uuid, params jsonb)
RETURNS api.result
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
	FROM todo.matching_tasks(task_list_filtered.user_id, status_filter::todo.task_status, priority_filter::todo.task_priority,
		tag_filter, search, due_before, due_after, overdue::boolean);

	SELECT coalesce(json_agg(todo.task_json(page.t)), '[]') INTO tasks
	FROM (
		SELECT t FROM todo.matching_tasks(task_list_filtered.user_id, status_filter::todo.task_status, priority_filter::todo.task_priority,
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
COMMENT ON FUNCTION todo.task_list_filtered(uuid, jsonb) IS 'todo: a list request with query parameters (api.task_list)';

-- The common request, no query string, is one static statement: its plan is cached (no
-- per-call planning, no parameter parsing), it reads the index in the default order
-- (-created_at, then id), and the total is the number of rows, so nothing is counted apart.
-- Every other request goes to todo.task_list_filtered (which plans each call).
-- force_generic_plan: left to choose, the plan cache compares the generic plan's estimate
-- (the average user's tasks) with the custom plans' and, when a few users have many tasks,
-- plans every call again (a quarter of the request's CPU). enable_seqscan off: the generic
-- plan then reads tasks_user_created_idx in order, no sort, the best plan for a user's 20
-- tasks or 10,000 (a whole-table scan and a sort, which that estimate can pick, reads
-- every user's tasks); the session lookup uses its unique index either way. jit off: a
-- plan with a disabled scan costs more than jit_above_cost, and compiling it took 50-370 ms
-- a call (the plain install reads its settings table with one).
CREATE OR REPLACE FUNCTION api.task_list(params jsonb)
RETURNS api.result
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET plan_cache_mode = force_generic_plan
SET enable_seqscan = off
SET jit = off
AS $$
DECLARE
	session todo.sessions := todo.authenticate();
	total bigint;
	tasks json;
BEGIN
	IF params IS DISTINCT FROM '{}'::jsonb THEN
		RETURN todo.task_list_filtered(session.user_id, params);
	END IF;
	SELECT coalesce(json_agg(page.task), '[]'), count(*) INTO tasks, total
	FROM (
		SELECT todo.task_json(t) AS task FROM todo.tasks t
		WHERE t.user_id = session.user_id
		ORDER BY t.created_at DESC, t.id) page;
	RETURN (tasks, json_build_object('total', total, 'limit', NULL::integer, 'offset', 0), NULL)::api.result;
END
$$;
COMMENT ON FUNCTION api.task_list(jsonb) IS 'GET /api/{user_id}/tasks: the caller''s tasks, filtered, sorted and paged, with the total';

-- what 90_privileges.sql grants on every function of schema todo, for the new ones
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA todo FROM PUBLIC;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA todo TO todo_owner;

-- --- Passwords and tokens stay out of the server log (issue 9) ---
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

-- --- The most tasks one user may have (issue 9) ---
-- begin extension only: the setting's accessor (the plain install has its own, over table
-- todo.settings, since its 1.1; its 1.0 is only ever a 1.1 downgraded)
CREATE FUNCTION todo.max_tasks_per_user()
RETURNS integer
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT coalesce(nullif(pg_catalog.current_setting('todo.max_tasks_per_user', true), '')::integer, 100000) $$;
COMMENT ON FUNCTION todo.max_tasks_per_user() IS 'todo: the most tasks one user may have (setting todo.max_tasks_per_user)';
REVOKE EXECUTE ON FUNCTION todo.max_tasks_per_user() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION todo.max_tasks_per_user() TO todo_owner;
-- end extension only
-- A list without limit returns every task of a user, and every row costs storage: a user's
-- tasks are bounded, for the API and direct SQL alike (the importer too). Checked after each
-- statement that inserts tasks, for each user it inserted for, under a per-user
-- transaction lock: two concurrent inserts cannot pass the limit together (the second
-- counts after the first committed). Past it: SQLSTATE TDL09, HTTP 409 task_limit_reached
-- (docs/sql-api.md), and the statement's rows are rolled back with it.
CREATE FUNCTION todo.check_task_limit()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	max_tasks integer := todo.max_tasks_per_user();
	owner uuid;
BEGIN
	FOR owner IN SELECT DISTINCT n.user_id FROM new_tasks n ORDER BY n.user_id LOOP
		PERFORM pg_advisory_xact_lock(hashtextextended('todo.tasks of ' || owner::text, 0));
		IF (SELECT count(*) FROM (SELECT FROM todo.tasks t WHERE t.user_id = owner LIMIT max_tasks + 1) mine) > max_tasks THEN
			PERFORM todo.raise_error('TDL09',
				format('task limit reached: a user may have at most %s tasks; delete some first', max_tasks),
				jsonb_build_object('limit', max_tasks));
		END IF;
	END LOOP;
	RETURN NULL;
END
$$;
COMMENT ON FUNCTION todo.check_task_limit() IS 'todo: trigger refusing tasks past todo.max_tasks_per_user';

CREATE TRIGGER tasks_limit AFTER INSERT ON todo.tasks
	REFERENCING NEW TABLE AS new_tasks
	FOR EACH STATEMENT EXECUTE FUNCTION todo.check_task_limit();
REVOKE EXECUTE ON FUNCTION todo.check_task_limit() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION todo.check_task_limit() TO todo_owner;
