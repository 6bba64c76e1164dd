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
