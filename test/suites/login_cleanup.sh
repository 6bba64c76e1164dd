#!/usr/bin/env bash
# test/suites/login_cleanup.sh - deleting expired login counters never waits for one that a
# login in flight holds: two failed logins could otherwise deadlock (each waiting for a
# counter the other holds), and the one PostgreSQL cancels would answer 500. A second session
# holds an expired counter's row lock; todo.forget_login_attempts() returns at once without
# error, leaves that counter, and the holder is still holding it when it returns.
set -uo pipefail
. "$(dirname "$0")/lib/suite.bash" "$@"

db=todo_login_cleanup
at_exit "dropdb --if-exists $db"
create_todo_database "$db" >"$work/create.log" 2>&1 || { echo "Bail out! cannot create $db: $(tail -3 "$work/create.log")"; exit 1; }
q() { psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$db" -c "$1"; }

q "INSERT INTO todo.login_attempts (account, failures, window_started_at)
	VALUES ('regress-held', 1, now() - interval '2 days'), ('regress-free', 1, now() - interval '2 days')" >/dev/null

# session A: counts the expired counter again (as a returning login would) and keeps its lock
psql -X -q -d "$db" -c "BEGIN; UPDATE todo.login_attempts SET failures = failures + 1 WHERE account = 'regress-held';
	SELECT pg_sleep(60) /* regress_holder */; COMMIT;" >"$work/holder.log" 2>&1 &
holder=$!
at_exit "kill $holder 2>/dev/null"
for _ in $(seq 1 300); do
	[ "$(q "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%regress_holder%' AND state = 'active' AND pid <> pg_backend_pid()")" = 1 ] && break
	sleep 0.1
done

out=$(q "SELECT todo.forget_login_attempts()" 2>&1)
rc=$?
still=$(q "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%regress_holder%' AND state = 'active' AND pid <> pg_backend_pid()")
is "$rc" 0 "todo.forget_login_attempts() with an expired counter locked by another session: no error"
is "$still" 1 "... it returned while the other session still held the counter (it did not wait for it)"
is "$(q "SELECT string_agg(account, ',' ORDER BY account) FROM todo.login_attempts")" "regress-free,regress-held" \
	"... and left the counters to a later login"
q "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE query LIKE '%regress_holder%' AND pid <> pg_backend_pid()" >/dev/null
wait "$holder" 2>/dev/null
q "SELECT todo.forget_login_attempts()" >/dev/null
is "$(q "SELECT count(*) FROM todo.login_attempts")" 0 "once nothing holds them, the next cleanup deletes both"
if [ -n "$out" ]; then echo "$out" | diag; fi
