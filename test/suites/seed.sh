#!/usr/bin/env bash
# test/suites/seed.sh: todoctl seed against the main test cluster, in databases of its own
# (todo_seed_*): what it creates, that the password logs in through the API, idempotence,
# completing a partial seed, and its refusals (production, no DATABASE_URL, no schema, a
# username taken by someone else). Prints TAP.
#
#   test/suites/seed.sh WORKDIR    (PGHOST, PGPORT, PGUSER set)
set -uo pipefail

. "$(dirname "$0")/lib/suite.bash" "$@"
use_todoctl
unset DATABASE_URL ENVIRONMENT

databases="todo_seed todo_seed_empty todo_seed_taken"
at_exit 'for db in $databases; do dropdb --if-exists "$db" 2>/dev/null; done'

url() { echo "postgresql://postgres@127.0.0.1:$PGPORT/$1"; }
seed() { # DB [env assignments...]: todoctl seed; sets out and rc
	local db=$1
	shift
	out=$(env "$@" DATABASE_URL="$(url "$db")" "$todoctl" seed 2>&1)
	rc=$?
}
q() { psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$1" -c "$2"; }
new_db() { # NAME [install]: an empty database, with the extension when asked
	dropdb --if-exists "$1" 2>/dev/null && createdb "$1" &&
		{ [ $# -lt 2 ] || q "$1" "SET client_min_messages = warning; CREATE EXTENSION todo CASCADE"; }
}
uid="(SELECT id FROM todo.users WHERE email = 'test@example.com')"
# the seed user's row and all its tasks, every column: "changes nothing" means this is equal
state() {
	q "$1" "SELECT md5(coalesce((SELECT to_jsonb(u)::text FROM todo.users u WHERE email = 'test@example.com'), '-')
		|| coalesce((SELECT string_agg(to_jsonb(t)::text, E'\n' ORDER BY t.title) FROM todo.tasks t WHERE user_id = $uid), '-'))"
}
tasks() { q "$1" "SELECT count(*) FROM todo.tasks WHERE user_id = $uid"; }

echo "# todoctl: $todoctl"

# --- refusals
new_db todo_seed install
out=$(env -u DATABASE_URL PGDATABASE=todo_seed "$todoctl" seed 2>&1)
rc=$?
is "$rc" 2 "DATABASE_URL unset: exit 2"
like "$out" "DATABASE_URL is not set" "DATABASE_URL unset: the message names DATABASE_URL"
is "$(q todo_seed "SELECT count(*) FROM todo.users")" 0 "DATABASE_URL unset: no fallback to PGHOST/PGDATABASE (nothing created)"
seed todo_seed ENVIRONMENT=production
is "$rc" 1 "ENVIRONMENT=production: refused, exit 1"
like "$out" "refused: ENVIRONMENT is production" "ENVIRONMENT=production: the message says why"
is "$(q todo_seed "SELECT count(*) FROM todo.users")" 0 "ENVIRONMENT=production: nothing created"
new_db todo_seed_empty
seed todo_seed_empty
is "$rc" 1 "no schema installed: exit 1"
like "$out" "not installed in this database: todoctl migrate up first" "no schema installed: the message says what to do"

# --- the seed
seed todo_seed ENVIRONMENT=development
is "$rc" 0 "seed: exit 0"
like "$out" "user test@example.com: created.*tasks: 5 created, 5 of 5 present" "seed: says what it created"
is "$(q todo_seed "SELECT username || ' ' || left(password_hash, 4) FROM todo.users WHERE email = 'test@example.com'")" 'test $2a$' \
	"the user test@example.com, username test, a bcrypt password hash"
is "$(q todo_seed "SELECT string_agg(status || ':' || count, ' ' ORDER BY status) FROM (SELECT status, count(*) FROM todo.tasks WHERE user_id = $uid GROUP BY status) s")" \
	"pending:2 completed:3" "5 tasks: 2 pending, 3 completed"
is "$(q todo_seed "SELECT string_agg(DISTINCT priority::text, ',' ORDER BY priority::text) FROM todo.tasks WHERE user_id = $uid")" \
	"high,low,medium" "the tasks' priorities vary (low, medium, high)"
is "$(q todo_seed "SELECT count(due_date) FILTER (WHERE due_date > now()) || '/' || count(due_date) || ' ' || bool_and(extract(minute FROM due_date AT TIME ZONE 'UTC') = 0) FROM todo.tasks WHERE user_id = $uid")" \
	"3/3 true" "3 tasks have due dates, all in the future, on whole UTC hours"
is "$(q todo_seed "SELECT count(*) FILTER (WHERE cardinality(tags) > 0) || ' ' || bool_and(tags = todo.normalize_tags(tags)) || ' ' || bool_or(tags @> '{work}') FROM todo.tasks WHERE user_id = $uid")" \
	"4 true true" "4 tasks have tags, all normalized ('Work' stored as 'work')"
is "$(q todo_seed "SELECT bool_and((status = 'completed') = (completed_at IS NOT NULL)) FROM todo.tasks WHERE user_id = $uid")" \
	"t" "completed tasks have completed_at"
login=$(q todo_seed "BEGIN; SET LOCAL ROLE todo_anon;
	SELECT (api.login('{\"email\": \"test@example.com\", \"password\": \"Test123!@#\"}')).data -> 'user' ->> 'username'; COMMIT;")
is "$login" "test" "the password Test123!@# logs in through the API (api.login)"

# --- idempotence and partial states
before=$(state todo_seed)
seed todo_seed
is "$rc:$(tasks todo_seed)" "0:5" "a second run: exit 0, still 5 tasks"
like "$out" "present, left as it is.*0 created, 5 of 5 present.*nothing to do" "a second run says there was nothing to do"
is "$(state todo_seed)" "$before" "a second run changes nothing (the user's row and its tasks, every column)"
q todo_seed "DELETE FROM todo.tasks WHERE title IN ('Buy groceries', 'Renew the passport')"
seed todo_seed
is "$rc:$(tasks todo_seed)" "0:5" "2 tasks deleted: the rerun restores exactly 5"
like "$out" "tasks: 2 created, 5 of 5 present" "2 tasks deleted: the rerun says it created 2"
is "$(q todo_seed "SELECT count(DISTINCT title) FROM todo.tasks WHERE user_id = $uid")" 5 "no task is duplicated"
q todo_seed "DELETE FROM todo.tasks"
seed todo_seed
is "$rc:$(tasks todo_seed)" "0:5" "every task deleted (user present): the rerun restores 5, user kept"
q todo_seed "INSERT INTO todo.tasks (user_id, title) SELECT $uid, 'my own task'"
before=$(state todo_seed)
seed todo_seed
is "$rc:$(tasks todo_seed):$(state todo_seed)" "0:6:$before" "a task of the user's own is left alone"

# --- the username belongs to somebody else
new_db todo_seed_taken install
q todo_seed_taken "INSERT INTO todo.users (username, email, password_hash) VALUES ('Test', 'other@example.com', todo.hash_password('whatever123'))"
seed todo_seed_taken
is "$rc" 1 "username test taken by another email: exit 1"
like "$out" "username test already belongs to other@example.com" "username taken: the message names the owner"
is "$(q todo_seed_taken "SELECT count(*) FROM todo.users")|$(q todo_seed_taken "SELECT count(*) FROM todo.tasks")" "1|0" "username taken: nothing created"

tap_plan
