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
