#!/usr/bin/env bash
# test/suites/task_limit.sh - the per-user task limit over HTTP: with todo.max_tasks_per_user
# = 3 for its database, a 4th task is 409 task_limit_reached and nothing is stored. Then the
# count it checks (todo.task_counts) under concurrency, in direct SQL: many sessions
# inserting for one user at once store exactly the limit, and sessions inserting and deleting
# the tasks of two users at once leave each count equal to the tasks there are.
set -uo pipefail
. "$(dirname "$0")/lib/suite.bash" "$@"

at_exit "dropdb --if-exists todo_limit"
create_todo_database todo_limit >"$work/create.log" 2>&1 &&
	psql -X -q -d todo_limit -c "ALTER DATABASE todo_limit SET todo.max_tasks_per_user = 3" >>"$work/create.log" 2>&1 || {
	echo "Bail out! cannot create database todo_limit"
	exit 1
}
gateway_start gw "DATABASE_URL=$(database_url todo_limit)" || {
	echo "Bail out! the gateway did not start"
	exit 1
}

json() { perl -MJSON::PP -0ne "print eval { my \$j = decode_json(\$_); $1 } // ''"; }
reg=$(curl -s -X POST "$gw_url/api/auth/register" -H 'Content-Type: application/json' \
	-d '{"username":"limited","email":"limited@example.com","password":"correct horse"}')
user=$(echo "$reg" | json '$j->{data}{user}{id}')
token=$(echo "$reg" | json '$j->{data}{access_token}')
create() { # title: "status body"
	curl -s -w ' %{http_code}' -X POST "$gw_url/api/$user/tasks" -H "Authorization: Bearer $token" \
		-H 'Content-Type: application/json' -d "{\"title\":\"$1\"}"
}
for i in 1 2 3; do
	like "$(create "task $i")" ' 201$' "task $i of 3: 201"
done
out=$(create "task 4")
like "$out" ' 409$' "task 4: 409"
is "$(echo "${out% *}" | json '$j->{error}{code}')" task_limit_reached "... error code task_limit_reached"
is "$(echo "${out% *}" | json '$j->{error}{message}')" "task limit reached: a user may have at most 3 tasks; delete some first" \
	"... a message that says the limit and what to do"
is "$(curl -s "$gw_url/api/$user/tasks" -H "Authorization: Bearer $token" | json 'scalar @{$j->{data}}')" 3 \
	"the list holds the 3 tasks, nothing of the refused one"
gateway_stop gw

# --- concurrency, in direct SQL as the superuser (each statement its own transaction) ---------
sql() { psql -X -q -A -t -v ON_ERROR_STOP=1 -d todo_limit "$@"; }
new_user() { # name: prints its id
	sql -c "INSERT INTO todo.users (username, email, password_hash) VALUES ('$1', '$1@example.com', '\$2a\$04\$' || repeat('a', 53)) RETURNING id" | head -1
}
# the users whose count differs from their tasks, none when exact
count_errors() {
	sql -c "SELECT coalesce(string_agg(format('%s: counted %s, has %s', coalesce(c.user_id, t.user_id), c.tasks, t.tasks), '; '), '')
		FROM todo.task_counts c FULL JOIN (SELECT user_id, count(*)::int AS tasks FROM todo.tasks GROUP BY user_id) t
			ON t.user_id = c.user_id WHERE c.tasks IS DISTINCT FROM t.tasks"
}

racer=$(new_user racer)
pids=()
for i in $(seq 1 12); do
	sql -c "INSERT INTO todo.tasks (user_id, title) VALUES ('$racer', 'race $i')" >/dev/null 2>&1 &
	pids+=($!)
done
wait "${pids[@]}"
is "$(sql -c "SELECT count(*) FROM todo.tasks WHERE user_id = '$racer'")" 3 \
	"12 sessions inserting for one user at once (limit 3): exactly 3 tasks stored"
is "$(sql -c "SELECT tasks FROM todo.task_counts WHERE user_id = '$racer'")" 3 "... and counted"

# inserts (single and two-user batches) and deletes of two users' tasks, in 6 sessions at once
one=$(new_user churn_one)
two=$(new_user churn_two)
churn() { # kind: a script of 150 statements
	for n in $(seq 1 150); do
		case $1 in
		insert) echo "INSERT INTO todo.tasks (user_id, title) VALUES ('$one', 'one $n');" ;;
		batch) echo "INSERT INTO todo.tasks (user_id, title) SELECT u, 'both $n' FROM unnest(ARRAY['$two', '$one']::uuid[]) u;" ;;
		delete) echo "DELETE FROM todo.tasks WHERE id IN (SELECT id FROM todo.tasks WHERE user_id IN ('$one', '$two') ORDER BY random() LIMIT 1);" ;;
		esac
	done
}
pids=()
for kind in insert insert batch batch delete delete; do
	churn "$kind" | PGOPTIONS='-c todo.max_tasks_per_user=100000' sql >/dev/null 2>"$work/churn-$kind-$RANDOM.err" &
	pids+=($!)
done
failed=0
for pid in "${pids[@]}"; do wait "$pid" || failed=$((failed + 1)); done
is "$failed" 0 "6 sessions inserting (one user and both) and deleting two users' tasks at once: no statement failed"
is "$(count_errors)" "" "... and every count equals the tasks there are"
like "$(sql -c "SELECT count(*) FROM todo.tasks WHERE user_id IN ('$one', '$two')")" '^[1-9][0-9]*$' "... (some tasks are left, so the counts were exercised)"

# a user's last task deleted while an insert for that user waits to commit: the delete must
# see the insert's count (the row locked before deciding), not delete the count row under it
last=$(new_user last_task)
sql -c "INSERT INTO todo.tasks (user_id, title) VALUES ('$last', 'the last')" >/dev/null
sql -c "BEGIN; INSERT INTO todo.tasks (user_id, title) VALUES ('$last', 'pending'); SELECT pg_sleep(2); COMMIT;" >/dev/null &
pending=$!
for _ in $(seq 100); do
	[ "$(sql -c "SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'PgSleep' AND datname = 'todo_limit'")" = 1 ] && break
	sleep 0.05
done
sql -c "DELETE FROM todo.tasks WHERE user_id = '$last' AND title = 'the last'" >/dev/null
wait "$pending"
is "$(sql -c "SELECT count(*) FROM todo.tasks WHERE user_id = '$last'"):$(count_errors)" "1:" \
	"the last task deleted while an insert for its user commits: 1 task, counted"
sql -c "DELETE FROM todo.users WHERE id IN ('$racer', '$one', '$two', '$last')" >/dev/null
is "$(sql -c "SELECT count(*) FROM todo.task_counts WHERE user_id IN ('$racer', '$one', '$two', '$last')")" 0 \
	"deleting the users deletes their counts"
tap_plan
