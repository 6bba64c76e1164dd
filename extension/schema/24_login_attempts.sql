/* extension/schema/24_login_attempts.sql: table todo.login_attempts, the state of login throttling */

-- One row per counter with recent failed logins (api.login, docs/security.md). A counter's
-- key (column account) is either
--   'p:' || sha256 of the identifier as typed (kind, lowercased) and the client's address:
--        failures of one account name from one address; hashed, so that the table never
--        holds what people typed (a password typed into the username field, say);
--   'a:' || the client's address (IPv6: its /64): every failure from that address.
-- Email and username logins count apart, so a 429 tells nothing of which email belongs to
-- which username; the address in the first key keeps an attacker elsewhere from locking the
-- owner out.
CREATE TABLE todo.login_attempts (
	account text PRIMARY KEY,
	failures integer NOT NULL CONSTRAINT login_attempts_failures_positive CHECK (failures > 0),
	window_started_at timestamptz NOT NULL,
	locked_until timestamptz
);
COMMENT ON TABLE todo.login_attempts IS 'todo: failed login counters per account name and address, and per address (throttling)';

-- Expired counters are deleted by later logins, oldest first (todo.forget_login_attempts)
CREATE INDEX login_attempts_window_idx ON todo.login_attempts (window_started_at);

-- Limits (docs/security.md): this many failures of one account name from one address within
-- the window lock that pair for the lockout; this many failures from one address within
-- the window refuse every login from it until the window ends (room for many people
-- behind one address, not for a dictionary).
CREATE FUNCTION todo.login_max_failures() RETURNS integer LANGUAGE sql IMMUTABLE AS 'SELECT 5';
CREATE FUNCTION todo.login_address_max_failures() RETURNS integer LANGUAGE sql IMMUTABLE AS 'SELECT 200';
CREATE FUNCTION todo.login_failure_window() RETURNS interval LANGUAGE sql IMMUTABLE AS $$SELECT interval '15 minutes'$$;
CREATE FUNCTION todo.login_lockout() RETURNS interval LANGUAGE sql IMMUTABLE AS $$SELECT interval '15 minutes'$$;
COMMENT ON FUNCTION todo.login_max_failures() IS 'todo: failed logins of one account name from one address within the window that lock them';
COMMENT ON FUNCTION todo.login_address_max_failures() IS 'todo: failed logins from one address within the window that refuse its logins';
COMMENT ON FUNCTION todo.login_failure_window() IS 'todo: how long failed logins are counted together';
COMMENT ON FUNCTION todo.login_lockout() IS 'todo: how long a locked account name and address pair refuses logins';
