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
-- A login sees and changes its own counters (app.login_counters)...
CREATE POLICY login_attempts_account ON todo.login_attempts
	USING (account = ANY ((SELECT todo.login_counters())::text[]))
	WITH CHECK (account = ANY ((SELECT todo.login_counters())::text[]));
-- ... and finds and deletes long-expired ones (todo.forget_login_attempts).
CREATE POLICY login_attempts_expired_select ON todo.login_attempts FOR SELECT
	USING (window_started_at < now() - todo.login_failure_window() - todo.login_lockout());
CREATE POLICY login_attempts_expired_delete ON todo.login_attempts FOR DELETE
	USING (window_started_at < now() - todo.login_failure_window() - todo.login_lockout());

-- The number of accounts per bcrypt cost: counts, nothing per user (todo.decoy_cost).
ALTER TABLE todo.password_costs ENABLE ROW LEVEL SECURITY;
ALTER TABLE todo.password_costs FORCE ROW LEVEL SECURITY;
CREATE POLICY password_costs_all ON todo.password_costs USING (true) WITH CHECK (true);

-- A user's number of tasks (27_task_limit.sql) is that user's, like the tasks it counts:
-- the triggers that keep it run as whoever changes the tasks, under the same rule.
ALTER TABLE todo.task_counts ENABLE ROW LEVEL SECURITY;
ALTER TABLE todo.task_counts FORCE ROW LEVEL SECURITY;
CREATE POLICY task_counts_owner ON todo.task_counts
	USING (user_id = (SELECT todo.current_user_id()))
	WITH CHECK (user_id = (SELECT todo.current_user_id()));

-- Another issuer's token has a session keyed by the token's digest (37_external_tokens.sql):
-- a request may read the session of the very token it presents, before it knows its user.
CREATE POLICY sessions_presented_token ON todo.sessions FOR SELECT
	USING (token_jti = (SELECT todo.presented_token_key()));

-- The configuration of other issuers holds no user's rows: todo_owner alone reads and
-- changes it (the request roles and the gateway have no privilege on it at all).
ALTER TABLE todo.issuers ENABLE ROW LEVEL SECURITY;
ALTER TABLE todo.issuers FORCE ROW LEVEL SECURITY;
CREATE POLICY issuers_owner ON todo.issuers TO todo_owner USING (true) WITH CHECK (true);
ALTER TABLE todo.issuer_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE todo.issuer_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY issuer_keys_owner ON todo.issuer_keys TO todo_owner USING (true) WITH CHECK (true);

-- An identity is its user's; a verified token may look up the one it names (app.identity).
ALTER TABLE todo.external_identities ENABLE ROW LEVEL SECURITY;
ALTER TABLE todo.external_identities FORCE ROW LEVEL SECURITY;
CREATE POLICY external_identities_self ON todo.external_identities
	USING (user_id = (SELECT todo.current_user_id()))
	WITH CHECK (user_id = (SELECT todo.current_user_id()));
CREATE POLICY external_identities_verified ON todo.external_identities FOR SELECT
	USING (jsonb_build_array(issuer, subject) = (SELECT todo.verified_identity()));

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
