/* extension/todo--1.0.sql: version 1.0 as released; never edit (later versions: schema/ and the upgrade scripts) */

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION todo" to load this file. \quit

-- Tags are lowercased with the database's own case mapping; a database whose LC_CTYPE
-- leaves non-ASCII letters alone would store 'ÉTÉ' and 'été' as two tags.
DO $$
BEGIN
	IF pg_catalog.current_setting('server_encoding') OPERATOR(pg_catalog.<>) 'UTF8' THEN
		RAISE EXCEPTION 'todo needs a UTF8 database, not %', pg_catalog.current_setting('server_encoding')
			USING ERRCODE = 'feature_not_supported';
	END IF;
	IF pg_catalog.lower('ÉTÉ') OPERATOR(pg_catalog.<>) 'été' THEN
		RAISE EXCEPTION 'the database''s LC_CTYPE does not lowercase non-ASCII letters'
			USING ERRCODE = 'feature_not_supported',
				HINT = 'Create the database with a UTF-8 locale, for example LC_CTYPE C.UTF-8.';
	END IF;
END
$$;
/* extension/schema/01_roles.sql: the roles of the security model (docs/security.md) */

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
/* extension/schema/02_schemas.sql: schema todo (private: tables, rules) and api (what request roles call) */

-- schema todo is created by CREATE EXTENSION (todo.control)
REVOKE ALL ON SCHEMA todo FROM PUBLIC;
GRANT USAGE ON SCHEMA todo TO todo_owner;

CREATE SCHEMA api;
COMMENT ON SCHEMA api IS 'todo: the business API, one function per operation of the HTTP contract';
REVOKE ALL ON SCHEMA api FROM PUBLIC;
GRANT USAGE ON SCHEMA api TO todo_anon, todo_user, todo_owner;
/* extension/schema/03_types.sql: enumerations and the API's result row */

CREATE TYPE todo.task_status AS ENUM ('pending', 'completed');

-- declared in ascending order, so ORDER BY priority means low, medium, high
CREATE TYPE todo.task_priority AS ENUM ('low', 'medium', 'high');

-- What every API function returns (docs/sql-api.md): the envelope's data and meta, and an
-- error to report that must still be committed (a failed login counts towards throttling).
CREATE TYPE api.result AS (data json, meta json, error json);
/* extension/schema/04_errors.sql: raising the API's errors (SQLSTATEs of docs/sql-api.md) */

-- The one place that raises an API error. sqlstate is one of TD400, TD401, TD403, TD404,
-- TD409, TD422, TD429; detail, when given, is a JSON object the gateway passes on.
CREATE FUNCTION todo.raise_error(sqlstate text, message text, detail jsonb DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF detail IS NULL THEN
		RAISE EXCEPTION USING ERRCODE = sqlstate, MESSAGE = message;
	END IF;
	RAISE EXCEPTION USING ERRCODE = sqlstate, MESSAGE = message, DETAIL = detail::text;
END
$$;
COMMENT ON FUNCTION todo.raise_error(text, text, jsonb) IS 'todo: raise an API error with its SQLSTATE and optional JSON detail';

-- 422 with one entry per field: details is a JSON array of {"field", "message"}.
CREATE FUNCTION todo.raise_validation(details jsonb)
RETURNS void
LANGUAGE sql
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT todo.raise_error('TD422',
		'invalid fields: ' || (SELECT string_agg(DISTINCT d ->> 'field', ', ') FROM jsonb_array_elements(details) d),
		jsonb_build_object('details', details));
$$;
COMMENT ON FUNCTION todo.raise_validation(jsonb) IS 'todo: raise validation_failed with field-level details';

-- One validation message for a field.
CREATE FUNCTION todo.field_error(field text, message text)
RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT pg_catalog.jsonb_build_array(pg_catalog.jsonb_build_object('field', field, 'message', message)) $$;
COMMENT ON FUNCTION todo.field_error(text, text) IS 'todo: a one-element details array for a field';

-- Details for every key of body that is not one of allowed: read-only fields say so.
CREATE FUNCTION todo.unknown_field_errors(body jsonb, allowed text[], read_only text[] DEFAULT '{}')
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
COMMENT ON FUNCTION todo.unknown_field_errors(jsonb, text[], text[]) IS 'todo: details for unknown and read-only fields of a request body';
/* extension/schema/05_identity.sql: who the current transaction acts for (the keys of the policies) */

-- A uuid, or NULL for anything that is not one (malformed ids are "not found", not errors).
CREATE FUNCTION todo.try_uuid(value text)
RETURNS uuid
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
	SELECT CASE WHEN value OPERATOR(pg_catalog.~) '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$'
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

-- Acts for user_id for the rest of the transaction.
CREATE FUNCTION todo.act_as(user_id uuid)
RETURNS void
LANGUAGE sql
AS $$ SELECT pg_catalog.set_config('app.user_id', user_id::text, true) $$;
COMMENT ON FUNCTION todo.act_as(uuid) IS 'todo: set app.user_id for the rest of the transaction';

-- Unicode-aware trim ([[:space:]] follows the database's LC_CTYPE, UTF-8 by requirement).
CREATE FUNCTION todo.trim_space(value text)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT pg_catalog.regexp_replace(value, '^[[:space:]]+|[[:space:]]+$', '', 'g') $$;
COMMENT ON FUNCTION todo.trim_space(text) IS 'todo: trim white space, Unicode-aware';
/* extension/schema/10_c_functions.sql: the functions written in C (extension/src) */

-- None is for PUBLIC: the roles of 01_roles.sql get EXECUTE where they need it.
-- todo.task_json, whose argument is a row of todo.tasks, is declared after the table, in
-- 31_json.sql.

CREATE FUNCTION todo.jwt_sign(claims pg_catalog.jsonb)
RETURNS pg_catalog.text
LANGUAGE C STABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'jwt_sign';

COMMENT ON FUNCTION todo.jwt_sign(pg_catalog.jsonb) IS
'HS256 JWT carrying the claims object, signed with todo.jwt_secret';

REVOKE EXECUTE ON FUNCTION todo.jwt_sign(pg_catalog.jsonb) FROM PUBLIC;

CREATE FUNCTION todo.jwt_verify(token pg_catalog.text)
RETURNS pg_catalog.jsonb
LANGUAGE C STABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'jwt_verify';

COMMENT ON FUNCTION todo.jwt_verify(pg_catalog.text) IS
'claims of a valid HS256 JWT (signature, exp, nbf, iat, todo.jwt_issuer, todo.jwt_audience); otherwise raises TD401';

REVOKE EXECUTE ON FUNCTION todo.jwt_verify(pg_catalog.text) FROM PUBLIC;

CREATE FUNCTION todo.normalize_tags(tags pg_catalog.text[])
RETURNS pg_catalog.text[]
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'normalize_tags';

COMMENT ON FUNCTION todo.normalize_tags(pg_catalog.text[]) IS
'tags trimmed, lowercased and deduplicated; raises TD422 naming a tag that breaks the rules (1-10 characters, no whitespace, comma or control character, at most 20 tags)';

REVOKE EXECUTE ON FUNCTION todo.normalize_tags(pg_catalog.text[]) FROM PUBLIC;
/* extension/schema/20_recurrence.sql: recurrence patterns and how far one period advances a due date */

-- The stored form of a pattern: lowercase, trimmed, single spaces ('Every  3 Days ' -> 'every 3 days').
CREATE FUNCTION todo.normalize_recurrence(pattern text)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT pg_catalog.regexp_replace(pg_catalog.lower(todo.trim_space(pattern)), '[[:space:]]+', ' ', 'g') $$;
COMMENT ON FUNCTION todo.normalize_recurrence(text) IS 'todo: a recurrence pattern in its stored form';

-- One period of a stored pattern: daily, weekly, monthly, yearly, or 'every N
-- days|weeks|months|years' with N from 1 to 365. NULL for anything else.
CREATE FUNCTION todo.recurrence_interval(pattern text)
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
COMMENT ON FUNCTION todo.recurrence_interval(text) IS 'todo: the period of a recurrence pattern, NULL when the pattern is not valid';

-- The next due date: one period later, computed in UTC. Calendar arithmetic keeps the
-- day of month where it exists and clamps to the month's last day otherwise
-- (31 Jan + 1 month = 28/29 Feb).
CREATE FUNCTION todo.advance_due_date(due_date timestamptz, pattern text)
RETURNS timestamptz
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT ((due_date AT TIME ZONE 'UTC') + todo.recurrence_interval(pattern)) AT TIME ZONE 'UTC' $$;
COMMENT ON FUNCTION todo.advance_due_date(timestamptz, text) IS 'todo: a due date advanced by one period of its recurrence pattern, in UTC';
/* extension/schema/21_users.sql: table todo.users */

CREATE TABLE todo.users (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	username text NOT NULL
		CONSTRAINT users_username_format CHECK (username ~ '^[A-Za-z0-9_]{3,30}$'),
	email text NOT NULL
		CONSTRAINT users_email_format CHECK (email = lower(email) AND length(email) <= 254
			AND email ~ '^[^[:space:]@]+@[^[:space:]@]+\.[^[:space:]@]+$'),
	-- bcrypt, cost 04-31: ours are $2a$ (pgcrypto), imported ones may be $2b$ or $2y$ (todo.check_password)
	password_hash text NOT NULL
		CONSTRAINT users_password_hash_bcrypt CHECK (password_hash ~ '^\$2[aby]\$(0[4-9]|[12][0-9]|3[01])\$[./A-Za-z0-9]{53}$'),
	name text
		CONSTRAINT users_name_length CHECK (char_length(name) <= 100),
	is_active boolean NOT NULL DEFAULT true,
	email_verified boolean NOT NULL DEFAULT false,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE todo.users IS 'todo: accounts; username unique ignoring case, email stored lowercase';

CREATE UNIQUE INDEX users_username_key ON todo.users (lower(username));
CREATE UNIQUE INDEX users_email_key ON todo.users (email);

-- updated_at and created_at are the database's: an UPDATE cannot set them.
CREATE FUNCTION todo.stamp_updated_at()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	NEW.created_at := OLD.created_at;
	NEW.updated_at := clock_timestamp();
	RETURN NEW;
END
$$;
COMMENT ON FUNCTION todo.stamp_updated_at() IS 'todo: trigger keeping created_at and updated_at right on UPDATE';

CREATE TRIGGER users_stamp_updated_at BEFORE UPDATE ON todo.users
	FOR EACH ROW EXECUTE FUNCTION todo.stamp_updated_at();
/* extension/schema/22_tasks.sql: table todo.tasks; its constraints are the contract's rules */

CREATE TABLE todo.tasks (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	user_id uuid NOT NULL REFERENCES todo.users (id) ON DELETE CASCADE,
	title text NOT NULL
		CONSTRAINT tasks_title_length CHECK (char_length(title) BETWEEN 1 AND 200)
		CONSTRAINT tasks_title_trimmed CHECK (title = todo.trim_space(title)),
	description text
		CONSTRAINT tasks_description_length CHECK (char_length(description) <= 10000),
	status todo.task_status NOT NULL DEFAULT 'pending',
	priority todo.task_priority NOT NULL DEFAULT 'medium',
	due_date timestamptz
		CONSTRAINT tasks_due_date_finite CHECK (isfinite(due_date)),
	tags text[] NOT NULL DEFAULT '{}'
		CONSTRAINT tasks_tags_normalized CHECK (todo.normalize_tags(tags) = tags),
	recursion_pattern text
		CONSTRAINT tasks_recursion_pattern_valid CHECK (recursion_pattern IS NULL OR (
			recursion_pattern = todo.normalize_recurrence(recursion_pattern)
			AND todo.recurrence_interval(recursion_pattern) IS NOT NULL)),
	completed_at timestamptz,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	CONSTRAINT tasks_completed_at_status CHECK ((status = 'completed') = (completed_at IS NOT NULL))
);
COMMENT ON TABLE todo.tasks IS 'todo: tasks, each of one user';

-- what the API filters and sorts by, user first; ties are broken by id
-- newest first is the default sort, so that order is the index's
CREATE INDEX tasks_user_created_idx ON todo.tasks (user_id, created_at DESC, id);
CREATE INDEX tasks_user_due_date_idx ON todo.tasks (user_id, due_date, id);
CREATE INDEX tasks_user_status_due_date_idx ON todo.tasks (user_id, status, due_date);
CREATE INDEX tasks_user_priority_idx ON todo.tasks (user_id, priority, id);
CREATE INDEX tasks_tags_idx ON todo.tasks USING gin (tags);

-- completed_at follows status: set when a task becomes completed, cleared when reopened,
-- never set by callers on UPDATE.
CREATE FUNCTION todo.stamp_completed_at()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF NEW.status = 'pending' THEN
		NEW.completed_at := NULL;
	ELSIF TG_OP = 'INSERT' THEN
		NEW.completed_at := coalesce(NEW.completed_at, now());
	ELSIF OLD.status = 'completed' THEN
		NEW.completed_at := OLD.completed_at;
	ELSE
		NEW.completed_at := clock_timestamp();
	END IF;
	RETURN NEW;
END
$$;
COMMENT ON FUNCTION todo.stamp_completed_at() IS 'todo: trigger keeping completed_at in step with status';

CREATE TRIGGER tasks_stamp_completed_at BEFORE INSERT OR UPDATE ON todo.tasks
	FOR EACH ROW EXECUTE FUNCTION todo.stamp_completed_at();
CREATE TRIGGER tasks_stamp_updated_at BEFORE UPDATE ON todo.tasks
	FOR EACH ROW EXECUTE FUNCTION todo.stamp_updated_at();
/* extension/schema/23_sessions.sql: table todo.sessions, one row per issued token */

CREATE TABLE todo.sessions (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	user_id uuid NOT NULL REFERENCES todo.users (id) ON DELETE CASCADE,
	token_jti text NOT NULL UNIQUE
		CONSTRAINT sessions_token_jti_length CHECK (length(token_jti) BETWEEN 1 AND 255),
	expires_at timestamptz NOT NULL,
	revoked boolean NOT NULL DEFAULT false,
	created_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE todo.sessions IS 'todo: sessions; a token is valid only while its session is neither revoked nor expired';

CREATE INDEX sessions_user_idx ON todo.sessions (user_id);
/* extension/schema/24_login_attempts.sql: table todo.login_attempts, the state of login throttling */

-- One row per account with recent failed logins. The account is the user's email when the
-- identifier names a user (so email and username logins share one counter), else the
-- identifier as given, lowercased (so unknown accounts throttle alike and reveal nothing).
CREATE TABLE todo.login_attempts (
	account text PRIMARY KEY,
	failures integer NOT NULL CONSTRAINT login_attempts_failures_positive CHECK (failures > 0),
	window_started_at timestamptz NOT NULL,
	locked_until timestamptz
);
COMMENT ON TABLE todo.login_attempts IS 'todo: failed login counters per account (throttling)';
/* extension/schema/30_policies.sql: row-level security, forced on every table, even for the owner */

-- Each policy compares a column with a per-statement value: (SELECT ...) makes the
-- planner evaluate the current user once per statement (an InitPlan), not once per row.

ALTER TABLE todo.users ENABLE ROW LEVEL SECURITY;
ALTER TABLE todo.users FORCE ROW LEVEL SECURITY;
CREATE POLICY users_self ON todo.users
	USING (id = (SELECT todo.current_user_id()))
	WITH CHECK (id = (SELECT todo.current_user_id()));
-- A login reads the one user its identifier names, before it knows the user's id.
CREATE POLICY users_login_lookup ON todo.users FOR SELECT
	USING (email = (SELECT todo.login_identifier()) OR lower(username) = (SELECT todo.login_identifier()));

ALTER TABLE todo.tasks ENABLE ROW LEVEL SECURITY;
ALTER TABLE todo.tasks FORCE ROW LEVEL SECURITY;
CREATE POLICY tasks_owner ON todo.tasks
	USING (user_id = (SELECT todo.current_user_id()))
	WITH CHECK (user_id = (SELECT todo.current_user_id()));

ALTER TABLE todo.sessions ENABLE ROW LEVEL SECURITY;
ALTER TABLE todo.sessions FORCE ROW LEVEL SECURITY;
CREATE POLICY sessions_owner ON todo.sessions
	USING (user_id = (SELECT todo.current_user_id()))
	WITH CHECK (user_id = (SELECT todo.current_user_id()));

ALTER TABLE todo.login_attempts ENABLE ROW LEVEL SECURITY;
ALTER TABLE todo.login_attempts FORCE ROW LEVEL SECURITY;
CREATE POLICY login_attempts_account ON todo.login_attempts
	USING (account = (SELECT todo.login_identifier()))
	WITH CHECK (account = (SELECT todo.login_identifier()));
/* extension/schema/31_json.sql: the JSON shapes of the contract (timestamps, User, Task) */

-- RFC 3339 in UTC with Z; fractional seconds only when there are some.
CREATE FUNCTION todo.rfc3339(ts timestamptz)
RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT (pg_catalog.to_json(ts AT TIME ZONE 'UTC') OPERATOR(pg_catalog.#>>) '{}') || 'Z' $$;
COMMENT ON FUNCTION todo.rfc3339(timestamptz) IS 'todo: a timestamp as RFC 3339 text in UTC (2026-11-21T09:30:00Z)';

CREATE FUNCTION todo.user_json(u todo.users)
RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
	SELECT pg_catalog.json_build_object(
		'id', u.id,
		'username', u.username,
		'email', u.email,
		'name', u.name,
		'is_active', u.is_active,
		'email_verified', u.email_verified,
		'created_at', todo.rfc3339(u.created_at),
		'updated_at', todo.rfc3339(u.updated_at))
$$;
COMMENT ON FUNCTION todo.user_json(todo.users) IS 'todo: the contract''s User object (never a password or hash)';

-- The Task object is written in C (extension/src/task_json.c), some ten times faster than
-- json_build_object, which looks up the type of every value of every row; the function is
-- declared here, not in 10_c_functions.sql, because its argument is a row of todo.tasks.
-- extension/plain/task_json.sql is the same function in SQL, for installs without C.
CREATE FUNCTION todo.task_json(t todo.tasks)
RETURNS pg_catalog.json
LANGUAGE C STABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'task_json';

COMMENT ON FUNCTION todo.task_json(todo.tasks) IS
'todo: the contract''s Task object, compact ({"id":"...",...}); columns found by name';

REVOKE EXECUTE ON FUNCTION todo.task_json(todo.tasks) FROM PUBLIC;
/* extension/schema/32_timestamps.sql: the timestamps the contract accepts */

-- An RFC 3339 timestamp with an offset, or a date YYYY-MM-DD (midnight UTC); NULL for
-- anything else, including a timestamp without an offset.
CREATE FUNCTION todo.parse_timestamp(value text)
RETURNS timestamptz
LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF value ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' THEN
		RETURN (value || 'T00:00:00Z')::timestamptz;
	ELSIF value ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})$' THEN
		RETURN value::timestamptz;
	END IF;
	RETURN NULL;
EXCEPTION
	WHEN datetime_field_overflow OR invalid_datetime_format OR invalid_time_zone_displacement_value THEN
		RETURN NULL;
END
$$;
COMMENT ON FUNCTION todo.parse_timestamp(text) IS 'todo: RFC 3339 timestamp with offset or YYYY-MM-DD to timestamptz, NULL when not one';

-- Midnight UTC today: "a date of today" is today in UTC.
CREATE FUNCTION todo.start_of_today()
RETURNS timestamptz
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT pg_catalog.date_trunc('day', pg_catalog.now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' $$;
COMMENT ON FUNCTION todo.start_of_today() IS 'todo: midnight UTC of the current day';
/* extension/schema/33_passwords.sql: bcrypt through pgcrypto, including Python's $2b$/$2y$ hashes */

-- pgcrypto is relocatable: find where it lives once, here, and call it through these two
-- wrappers only (PostgreSQL 15 has no @extschema:pgcrypto@).
DO $$
DECLARE
	crypto_schema name := (SELECT n.nspname
		FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) e.extnamespace
		WHERE e.extname OPERATOR(pg_catalog.=) 'pgcrypto');
BEGIN
	EXECUTE pg_catalog.format($f$
		CREATE FUNCTION todo.crypt(password text, setting text) RETURNS text
		LANGUAGE sql STRICT PARALLEL SAFE
		AS 'SELECT %I.crypt(password, setting)'$f$, crypto_schema);
	EXECUTE pg_catalog.format($f$
		CREATE FUNCTION todo.bcrypt_salt(cost integer) RETURNS text
		LANGUAGE sql STRICT PARALLEL SAFE
		AS 'SELECT %I.gen_salt(''bf'', cost)'$f$, crypto_schema);
END
$$;
COMMENT ON FUNCTION todo.crypt(text, text) IS 'todo: pgcrypto''s crypt()';
COMMENT ON FUNCTION todo.bcrypt_salt(integer) IS 'todo: pgcrypto''s gen_salt(''bf'', cost)';

-- The work factor: setting todo.bcrypt_cost, never below 10.
CREATE FUNCTION todo.bcrypt_cost()
RETURNS integer
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT greatest(10, coalesce(nullif(pg_catalog.current_setting('todo.bcrypt_cost', true), '')::integer, 10)) $$;
COMMENT ON FUNCTION todo.bcrypt_cost() IS 'todo: bcrypt cost from setting todo.bcrypt_cost (at least 10)';

CREATE FUNCTION todo.hash_password(password text)
RETURNS text
LANGUAGE sql VOLATILE STRICT PARALLEL SAFE
AS $$ SELECT todo.crypt(password, todo.bcrypt_salt(todo.bcrypt_cost())) $$;
COMMENT ON FUNCTION todo.hash_password(text) IS 'todo: a new bcrypt hash of password';

-- True when password matches hash. pgcrypto knows only $2a$ and, given $2b$ or $2y$,
-- silently computes DES instead; for passwords of at most 72 bytes (the contract's limit)
-- the three variants compute the same hash, so those are checked as $2a$. Any other kind
-- of hash never matches.
CREATE FUNCTION todo.check_password(password text, hash text)
RETURNS boolean
LANGUAGE sql STABLE STRICT PARALLEL SAFE
AS $$
	SELECT CASE
		WHEN hash OPERATOR(pg_catalog.~) '^\$2[aby]\$(0[4-9]|[12][0-9]|3[01])\$[./A-Za-z0-9]{53}$'
		THEN todo.crypt(password, '$2a$' || pg_catalog.substr(hash, 5)) OPERATOR(pg_catalog.=) ('$2a$' || pg_catalog.substr(hash, 5))
		ELSE false
	END
$$;
COMMENT ON FUNCTION todo.check_password(text, text) IS 'todo: whether password matches a bcrypt hash ($2a$, $2b$ or $2y$)';

-- Spends the time of one check when there is no user, so that a login's duration does
-- not tell whether an account exists.
CREATE FUNCTION todo.waste_password_check(password text)
RETURNS boolean
LANGUAGE sql STABLE STRICT PARALLEL SAFE
AS $$ SELECT todo.check_password(password, pg_catalog.format('$2a$%s$%s', pg_catalog.lpad(todo.bcrypt_cost()::text, 2, '0'), pg_catalog.repeat('.', 53))) $$;
COMMENT ON FUNCTION todo.waste_password_check(text) IS 'todo: a password check against no user (constant-time login)';
/* extension/schema/34_sessions.sql: issuing tokens and authenticating requests */

-- Seconds a token lives: setting todo.jwt_lifetime (default one hour).
CREATE FUNCTION todo.token_lifetime()
RETURNS integer
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT coalesce(nullif(pg_catalog.current_setting('todo.jwt_lifetime', true), '')::integer, 3600) $$;
COMMENT ON FUNCTION todo.token_lifetime() IS 'todo: token lifetime in seconds (setting todo.jwt_lifetime)';

-- Opens a session for u (the transaction must act for u) and returns the contract's
-- register/login body: {"user", "access_token", "token_type", "expires_at"}.
CREATE FUNCTION todo.start_session(u todo.users)
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
COMMENT ON FUNCTION todo.start_session(todo.users) IS 'todo: open a session and issue its token';

-- Authenticates the request: verifies the bearer token (app.token), acts for its user
-- from here on (app.user_id), and checks its session is live (401 otherwise). When the
-- request names the user it acts for (the path's {user_id}, passed in app.user_id by the
-- gateway), that must be the token's user (403 otherwise). Returns the session.
CREATE FUNCTION todo.authenticate()
RETURNS todo.sessions
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	token text := coalesce(current_setting('app.token', true), '');
	claimed_user text := coalesce(current_setting('app.user_id', true), '');
	claims jsonb;
	token_user uuid;
	session todo.sessions;
BEGIN
	IF token = '' THEN
		PERFORM todo.raise_error('TD401', 'missing bearer token');
	END IF;
	claims := todo.jwt_verify(token);
	token_user := todo.try_uuid(claims ->> 'sub');
	IF token_user IS NULL OR jsonb_typeof(claims -> 'jti') IS DISTINCT FROM 'string' THEN
		PERFORM todo.raise_error('TD401', 'invalid token');
	END IF;

	PERFORM todo.act_as(token_user);
	SELECT s.* INTO session
	FROM todo.sessions s JOIN todo.users u ON u.id = s.user_id
	WHERE s.token_jti = claims ->> 'jti' AND s.user_id = token_user
		AND NOT s.revoked AND s.expires_at > now() AND u.is_active;
	IF NOT FOUND THEN
		PERFORM todo.raise_error('TD401', 'session has ended');
	END IF;

	IF claimed_user <> '' AND todo.try_uuid(claimed_user) IS DISTINCT FROM token_user THEN
		PERFORM todo.raise_error('TD403', 'not allowed to act for this user');
	END IF;
	RETURN session;
END
$$;
COMMENT ON FUNCTION todo.authenticate() IS 'todo: verify the request''s token and session, act for its user; 401/403 otherwise';
/* extension/schema/40_api_auth.sql: register, login, logout, me, authorize */

-- Login throttling: this many failures within the window lock the account for the lockout.
CREATE FUNCTION todo.login_max_failures() RETURNS integer LANGUAGE sql IMMUTABLE AS 'SELECT 5';
CREATE FUNCTION todo.login_failure_window() RETURNS interval LANGUAGE sql IMMUTABLE AS $$SELECT interval '15 minutes'$$;
CREATE FUNCTION todo.login_lockout() RETURNS interval LANGUAGE sql IMMUTABLE AS $$SELECT interval '15 minutes'$$;
COMMENT ON FUNCTION todo.login_max_failures() IS 'todo: failed logins within the window that lock an account';
COMMENT ON FUNCTION todo.login_failure_window() IS 'todo: how long failed logins are counted together';
COMMENT ON FUNCTION todo.login_lockout() IS 'todo: how long a locked account refuses logins';

-- Details for a JSON value that should be a string: a message, or NULL when it is one.
CREATE FUNCTION todo.string_error(field text, value jsonb)
RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
	SELECT CASE
		WHEN value IS NULL THEN todo.field_error(field, 'is required')
		WHEN pg_catalog.jsonb_typeof(value) OPERATOR(pg_catalog.<>) 'string' THEN todo.field_error(field, 'must be a string')
	END
$$;
COMMENT ON FUNCTION todo.string_error(text, jsonb) IS 'todo: details when a JSON value is missing or not a string';

CREATE FUNCTION api.register(body jsonb)
RETURNS api.result
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	errors jsonb := todo.unknown_field_errors(body, '{username,email,password,name}', '{id,is_active,email_verified,created_at,updated_at}');
	username text := body ->> 'username';
	email text := lower(todo.trim_space(body ->> 'email'));
	password text := body ->> 'password';
	name text := todo.trim_space(body ->> 'name');
	u todo.users;
	taken text;
BEGIN
	errors := errors || coalesce(todo.string_error('username', body -> 'username'),
		CASE WHEN username !~ '^[A-Za-z0-9_]{3,30}$' THEN todo.field_error('username', 'must be 3 to 30 letters, digits or underscores') END, '[]');
	errors := errors || coalesce(todo.string_error('email', body -> 'email'),
		CASE WHEN length(email) > 254 OR email !~ '^[^[:space:]@]+@[^[:space:]@]+\.[^[:space:]@]+$' THEN todo.field_error('email', 'must be a valid email address') END, '[]');
	errors := errors || coalesce(todo.string_error('password', body -> 'password'),
		CASE WHEN octet_length(password) NOT BETWEEN 8 AND 72 THEN todo.field_error('password', 'must be 8 to 72 bytes') END, '[]');
	IF jsonb_typeof(body -> 'name') NOT IN ('null', 'string') THEN
		errors := errors || todo.field_error('name', 'must be a string or null');
	ELSIF char_length(name) > 100 THEN
		errors := errors || todo.field_error('name', 'must be at most 100 characters');
	END IF;
	IF errors <> '[]' THEN
		PERFORM todo.raise_validation(errors);
	END IF;

	u.id := gen_random_uuid();
	PERFORM todo.act_as(u.id);
	BEGIN
		INSERT INTO todo.users (id, username, email, password_hash, name)
		VALUES (u.id, username, email, todo.hash_password(password), nullif(name, ''))
		RETURNING * INTO u;
	EXCEPTION WHEN unique_violation THEN
		GET STACKED DIAGNOSTICS taken = CONSTRAINT_NAME;
		PERFORM todo.raise_error('TD409', CASE taken
			WHEN 'users_username_key' THEN 'username is already taken'
			ELSE 'email is already registered' END);
	END;
	RETURN (todo.start_session(u), NULL, NULL)::api.result;
END
$$;
COMMENT ON FUNCTION api.register(jsonb) IS 'POST /api/auth/register: create a user and a session';

-- A failed login is returned, not raised, so that its count is committed (docs/sql-api.md).
CREATE FUNCTION api.login(body jsonb)
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
COMMENT ON FUNCTION api.login(jsonb) IS 'POST /api/auth/login: check credentials (throttled) and open a session';

CREATE FUNCTION api.logout()
RETURNS api.result
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	session todo.sessions := todo.authenticate();
BEGIN
	UPDATE todo.sessions SET revoked = true WHERE id = session.id;
	RETURN (NULL, NULL, NULL)::api.result;
END
$$;
COMMENT ON FUNCTION api.logout() IS 'POST /api/auth/logout: revoke the token''s session';

CREATE FUNCTION api.me()
RETURNS api.result
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	session todo.sessions := todo.authenticate();
BEGIN
	RETURN (SELECT (todo.user_json(u), NULL, NULL)::api.result FROM todo.users u WHERE u.id = session.user_id);
END
$$;
COMMENT ON FUNCTION api.me() IS 'GET /api/auth/me: the token''s user';

CREATE FUNCTION api.authorize()
RETURNS api.result
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM todo.authenticate();
	RETURN (NULL, NULL, NULL)::api.result;
END
$$;
COMMENT ON FUNCTION api.authorize() IS 'the 401/403 checks alone, for requests the gateway refuses for their body';
/* extension/schema/41_task_input.sql: validating and normalizing a task's fields from a request body */

-- Tags as sent: a JSON array of strings, or a comma-separated string (older clients),
-- whose empty items are dropped. NULL when the value is neither.
CREATE FUNCTION todo.tags_from_json(value jsonb)
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
COMMENT ON FUNCTION todo.tags_from_json(jsonb) IS 'todo: tags from a JSON array or a comma-separated string, NULL when neither';

-- Validates the task fields of body and returns them normalized, as a JSON object holding
-- only the fields that were sent: title trimmed, priority and status lowercase, due_date
-- in UTC, tags normalized, recursion_pattern in its stored form, completed folded into
-- status. Raises validation_failed naming every field that breaks a rule.
CREATE FUNCTION todo.task_fields(body jsonb, creating boolean)
RETURNS jsonb
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	errors jsonb := todo.unknown_field_errors(body,
		'{title,description,priority,due_date,tags,recursion_pattern,status,completed}',
		'{id,user_id,created_at,updated_at,completed_at}');
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
COMMENT ON FUNCTION todo.task_fields(jsonb, boolean) IS 'todo: a request body''s task fields, validated and normalized (422 otherwise)';
/* extension/schema/42_api_tasks.sql: create, get, update, delete, complete one task */

-- The next occurrence of a recurring task that has just become completed: same fields,
-- pending, due one period later. NULL when t does not recur (no pattern or no due date).
CREATE FUNCTION todo.create_next_occurrence(t todo.tasks)
RETURNS todo.tasks
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	next_task todo.tasks;
BEGIN
	IF t.recursion_pattern IS NULL OR t.due_date IS NULL THEN
		RETURN NULL;
	END IF;
	INSERT INTO todo.tasks (user_id, title, description, priority, due_date, tags, recursion_pattern)
	VALUES (t.user_id, t.title, t.description, t.priority,
		todo.advance_due_date(t.due_date, t.recursion_pattern), t.tags, t.recursion_pattern)
	RETURNING * INTO next_task;
	RETURN next_task;
END
$$;
COMMENT ON FUNCTION todo.create_next_occurrence(todo.tasks) IS 'todo: the next occurrence of a recurring task just completed';

-- The caller's task task_id, locked for the rest of the transaction; 404 when there is
-- none (malformed ids included: never tell whether another user's task exists).
CREATE FUNCTION todo.lock_task(task_id text)
RETURNS todo.tasks
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	t todo.tasks;
BEGIN
	SELECT * INTO t FROM todo.tasks
	WHERE id = todo.try_uuid(task_id) AND user_id = todo.current_user_id()
	FOR UPDATE;
	IF NOT FOUND THEN
		PERFORM todo.raise_error('TD404', 'task not found');
	END IF;
	RETURN t;
END
$$;
COMMENT ON FUNCTION todo.lock_task(text) IS 'todo: lock one of the caller''s tasks (404 when there is none)';

-- Applies fields (from todo.task_fields) to the locked task old and returns the API
-- result: the task, and meta.next_task when the change completed a recurring task.
CREATE FUNCTION todo.update_task(old todo.tasks, fields jsonb)
RETURNS api.result
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	t todo.tasks;
	next_task todo.tasks;
BEGIN
	UPDATE todo.tasks SET
		title = CASE WHEN fields ? 'title' THEN fields ->> 'title' ELSE title END,
		description = CASE WHEN fields ? 'description' THEN fields ->> 'description' ELSE description END,
		priority = CASE WHEN fields ? 'priority' THEN (fields ->> 'priority')::todo.task_priority ELSE priority END,
		due_date = CASE WHEN fields ? 'due_date' THEN (fields ->> 'due_date')::timestamptz ELSE due_date END,
		tags = CASE WHEN fields ? 'tags' THEN ARRAY(SELECT jsonb_array_elements_text(fields -> 'tags')) ELSE tags END,
		recursion_pattern = CASE WHEN fields ? 'recursion_pattern' THEN fields ->> 'recursion_pattern' ELSE recursion_pattern END,
		status = CASE WHEN fields ? 'status' THEN (fields ->> 'status')::todo.task_status ELSE status END
	WHERE id = old.id
	RETURNING * INTO t;

	IF old.status = 'pending' AND t.status = 'completed' THEN
		next_task := todo.create_next_occurrence(t);
	END IF;
	RETURN (todo.task_json(t),
		CASE WHEN next_task.id IS NOT NULL THEN json_build_object('next_task', todo.task_json(next_task)) END,
		NULL)::api.result;
END
$$;
COMMENT ON FUNCTION todo.update_task(todo.tasks, jsonb) IS 'todo: change a locked task, creating the next occurrence on completion';

CREATE FUNCTION api.task_create(body jsonb)
RETURNS api.result
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	session todo.sessions := todo.authenticate();
	fields jsonb := todo.task_fields(body, true);
	t todo.tasks;
BEGIN
	INSERT INTO todo.tasks (user_id, title, description, status, priority, due_date, tags, recursion_pattern)
	VALUES (session.user_id,
		fields ->> 'title',
		fields ->> 'description',
		coalesce(fields ->> 'status', 'pending')::todo.task_status,
		coalesce(fields ->> 'priority', 'medium')::todo.task_priority,
		(fields ->> 'due_date')::timestamptz,
		coalesce(ARRAY(SELECT jsonb_array_elements_text(fields -> 'tags')), '{}'),
		fields ->> 'recursion_pattern')
	RETURNING * INTO t;
	RETURN (todo.task_json(t), NULL, NULL)::api.result;
END
$$;
COMMENT ON FUNCTION api.task_create(jsonb) IS 'POST /api/{user_id}/tasks: create a task';

CREATE FUNCTION api.task_get(task_id text)
RETURNS api.result
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	session todo.sessions := todo.authenticate();
	result api.result;
BEGIN
	SELECT todo.task_json(t), NULL, NULL INTO result
	FROM todo.tasks t
	WHERE t.id = todo.try_uuid(task_id) AND t.user_id = session.user_id;
	IF NOT FOUND THEN
		PERFORM todo.raise_error('TD404', 'task not found');
	END IF;
	RETURN result;
END
$$;
COMMENT ON FUNCTION api.task_get(text) IS 'GET /api/{user_id}/tasks/{id}: one task';

CREATE FUNCTION api.task_update(task_id text, body jsonb)
RETURNS api.result
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	session todo.sessions := todo.authenticate();
	old todo.tasks := todo.lock_task(task_id);
BEGIN
	RETURN todo.update_task(old, todo.task_fields(body, false));
END
$$;
COMMENT ON FUNCTION api.task_update(text, jsonb) IS 'PUT /api/{user_id}/tasks/{id}: change any subset of a task''s fields';

CREATE FUNCTION api.task_delete(task_id text)
RETURNS api.result
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	session todo.sessions := todo.authenticate();
BEGIN
	DELETE FROM todo.tasks WHERE id = todo.try_uuid(task_id) AND user_id = session.user_id;
	IF NOT FOUND THEN
		PERFORM todo.raise_error('TD404', 'task not found');
	END IF;
	RETURN (NULL, NULL, NULL)::api.result;
END
$$;
COMMENT ON FUNCTION api.task_delete(text) IS 'DELETE /api/{user_id}/tasks/{id}: delete a task';

-- Without a body, toggles completion; with {"completed": true|false}, sets it.
CREATE FUNCTION api.task_complete(task_id text, body jsonb)
RETURNS api.result
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	session todo.sessions := todo.authenticate();
	old todo.tasks := todo.lock_task(task_id);
	errors jsonb;
	completed boolean := old.status = 'pending';
BEGIN
	IF body IS NOT NULL THEN
		errors := todo.unknown_field_errors(body, '{completed}');
		IF jsonb_typeof(body -> 'completed') IS DISTINCT FROM 'boolean' THEN
			errors := errors || todo.field_error('completed', 'must be true or false');
		END IF;
		IF errors <> '[]' THEN
			PERFORM todo.raise_validation(errors);
		END IF;
		completed := (body -> 'completed')::boolean;
	END IF;
	RETURN todo.update_task(old, jsonb_build_object('status',
		CASE WHEN completed THEN 'completed' ELSE 'pending' END));
END
$$;
COMMENT ON FUNCTION api.task_complete(text, jsonb) IS 'PATCH /api/{user_id}/tasks/{id}/complete: toggle or set completion';
/* extension/schema/43_api_task_list.sql: listing tasks with filters, sort and paging */

-- The single value of query parameter name (the gateway sends every parameter as an
-- array of its values); NULL when absent, 400 when repeated.
CREATE FUNCTION todo.query_param(params jsonb, name text)
RETURNS text
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF NOT params ? name THEN
		RETURN NULL;
	ELSIF jsonb_typeof(params -> name) = 'array' AND jsonb_array_length(params -> name) = 1 THEN
		RETURN params -> name ->> 0;
	END IF;
	PERFORM todo.raise_error('TD400', format('query parameter %s must be given once', name));
	RETURN NULL;
END
$$;
COMMENT ON FUNCTION todo.query_param(jsonb, text) IS 'todo: a query parameter''s single value (400 when repeated)';

CREATE FUNCTION todo.bad_query_param(name text, expected text)
RETURNS void
LANGUAGE sql
AS $$ SELECT todo.raise_error('TD400', pg_catalog.format('query parameter %s must be %s', name, expected)) $$;
COMMENT ON FUNCTION todo.bad_query_param(text, text) IS 'todo: raise bad_request for a malformed query parameter';

-- The caller's tasks that pass every given filter (a NULL filter passes everything).
-- Plain SQL so that the planner inlines it into each query that uses it.
CREATE FUNCTION todo.matching_tasks(user_id uuid, status todo.task_status, priority todo.task_priority,
	tags text[], search text, due_before timestamptz, due_after timestamptz, overdue boolean)
RETURNS SETOF todo.tasks
LANGUAGE sql STABLE
AS $$
	SELECT t.* FROM todo.tasks t
	WHERE t.user_id = matching_tasks.user_id
		AND (matching_tasks.status IS NULL OR t.status = matching_tasks.status)
		AND (matching_tasks.priority IS NULL OR t.priority = matching_tasks.priority)
		AND (matching_tasks.tags IS NULL OR t.tags OPERATOR(pg_catalog.@>) matching_tasks.tags)
		AND (search IS NULL OR pg_catalog.strpos(pg_catalog.lower(t.title), search) > 0
			OR pg_catalog.strpos(pg_catalog.lower(t.description), search) > 0)
		AND (due_before IS NULL OR t.due_date < due_before)
		AND (due_after IS NULL OR t.due_date > due_after)
		AND (overdue IS NOT TRUE OR (t.status = 'pending' AND t.due_date < pg_catalog.now()))
$$;
COMMENT ON FUNCTION todo.matching_tasks(uuid, todo.task_status, todo.task_priority, text[], text, timestamptz, timestamptz, boolean)
	IS 'todo: the caller''s tasks passing the list filters';

CREATE FUNCTION api.task_list(params jsonb)
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
/* extension/schema/44_api_health.sql: what the health endpoint asks of the database */

CREATE FUNCTION api.health()
RETURNS api.result
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT (json_build_object('schema_version', e.extversion), NULL, NULL)::api.result
	FROM pg_extension e WHERE e.extname = 'todo'
$$;
COMMENT ON FUNCTION api.health() IS 'GET /api/v1/health: the installed schema version';
/* extension/schema/90_privileges.sql: ownership, grants and backups (docs/security.md) */

-- The tables belong to todo_owner, which cannot log in; RLS is forced, so even it sees
-- only the rows of the user a transaction acts for.
ALTER TABLE todo.users OWNER TO todo_owner;
ALTER TABLE todo.tasks OWNER TO todo_owner;
ALTER TABLE todo.sessions OWNER TO todo_owner;
ALTER TABLE todo.login_attempts OWNER TO todo_owner;

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
	api.task_list(jsonb), api.task_create(jsonb), api.task_get(text), api.task_update(text, jsonb),
	api.task_delete(text), api.task_complete(text, jsonb) TO todo_user;

-- pg_dump backs up extension tables' rows only when asked to.
SELECT pg_catalog.pg_extension_config_dump('todo.users', '');
SELECT pg_catalog.pg_extension_config_dump('todo.tasks', '');
SELECT pg_catalog.pg_extension_config_dump('todo.sessions', '');
SELECT pg_catalog.pg_extension_config_dump('todo.login_attempts', '');
