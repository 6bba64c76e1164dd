#!/usr/bin/env bash
# test/suites/task_limit.sh - the per-user task limit over HTTP: with todo.max_tasks_per_user
# = 3 for its database, a 4th task is 409 task_limit_reached and nothing is stored.
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
tap_plan
