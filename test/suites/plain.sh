#!/usr/bin/env bash
# test/suites/plain.sh - the plain-SQL install (extension/plain, docs/deploy-neon.md) on a
# server like Neon's, which cannot load our C library: a cluster of its own whose
# postgresql.conf preloads nothing and sets no todo.* setting.
#
#   1. Installed as Neon runs it, by a role that is not a superuser (CREATEROLE, and the
#      owner of the database): the install works, gives everything to todo_owner, leaves
#      that role the means to set the secret and enable the gateway's login, and the API
#      answers; the downgrade and upgrade scripts run the same way and keep the version.
#   2. Installed by a superuser in another database, nothing in it written in C: the whole
#      pgTAP suite (test/pgtap) and the whole end-to-end HTTP suite (test/e2e, against the
#      ASan gateway), as test/run.sh runs them against the extension.
#
#   test/suites/plain.sh WORKDIR     (run by test/run.sh; prints TAP)
#
# The scripts are the installed ones, $(pg_config --sharedir)/todo-plain (make install), as
# todoctl migrate finds them; TODO_PLAIN_DIR names another directory.
set -uo pipefail
. "$(dirname "$0")/lib/suite.bash" "$@"

version=$(sed -n "s/^default_version = '\([^']*\)'.*/\1/p" "$top/extension/todo.control")
plain_dir=${TODO_PLAIN_DIR:-$(pg_config --sharedir)/todo-plain}
install="$plain_dir/todo-plain--$version.sql"
pg="$work/pg"

# q DB SQL [psql options...]: one value, as the cluster's superuser unless options say else
q() {
	local db=$1 sql=$2
	shift 2
	psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$db" "$@" -c "$sql"
}

# --- a server without the C library --------------------------------------------------------
suite_cluster_without_library "$pg"
if [ ! -f "$install" ]; then
	echo "Bail out! no plain install script $install (make -C extension install)"
	exit 1
fi
is "$(q postgres 'SHOW shared_preload_libraries')" "" "the server preloads no library"
is "$(q postgres "SELECT count(*) FROM pg_settings WHERE name LIKE 'todo.%'")" 0 "the server defines no todo.* setting"

# --- 1. installed as on Neon: by the database's owner, with CREATEROLE, not a superuser --------
neon=todo_plain_neon
owner=regress_neon_owner
log="$work/neon.log"
q postgres "CREATE ROLE $owner LOGIN CREATEROLE CREATEDB" >"$log" 2>&1 && q postgres "CREATE DATABASE $neon OWNER $owner" >>"$log" 2>&1
run_ok "the plain install runs, in one transaction, as a role that is not a superuser (as on Neon)" "$log" \
	psql -X -q -v ON_ERROR_STOP=1 --single-transaction -U "$owner" -d "$neon" -f "$install"
is "$(q postgres "SELECT rolsuper || ' ' || rolcreaterole || ' ' || rolbypassrls FROM pg_roles WHERE rolname = '$owner'")" "false true false" "... with CREATEROLE, no BYPASSRLS"
like "$(cat "$log")" "NOTICE:  todo: cannot set log_parameter_max_length = 0 for role todo_gateway" \
	"... it says that it cannot keep parameters out of a statement log (a superuser setting), and carries on"
is "$(q "$neon" "
	SELECT count(*) FROM (SELECT relowner AS o FROM pg_class WHERE relnamespace = 'todo'::regnamespace AND relkind = 'r'
		UNION ALL SELECT proowner FROM pg_proc WHERE prosecdef AND pronamespace IN ('todo'::regnamespace, 'api'::regnamespace)) x
	WHERE o <> 'todo_owner'::regrole")" 0 "... it gave every table and every SECURITY DEFINER function to todo_owner"
is "$(q "$neon" "
	SELECT pg_has_role('$owner', 'todo_owner', 'MEMBER') AND NOT has_schema_privilege('todo_owner', 'todo', 'CREATE')
		AND NOT has_schema_privilege('todo_owner', 'api', 'CREATE')")" t "... it is a member of todo_owner, which keeps no CREATE on schemas todo and api"
run_ok "... it sets the JWT secret (UPDATE todo.settings) and enables the gateway's login" "$log" \
	q "$neon" "UPDATE todo.settings SET jwt_secret = '$(random_secret)'; ALTER ROLE todo_gateway LOGIN PASSWORD '$GATEWAY_PASSWORD'" -U "$owner"
# requests as the gateway makes them: its login role, a request role, an API function
request() { # role token SQL: the last line of its output
	PGPASSWORD=$GATEWAY_PASSWORD psql -X -q -A -t -v ON_ERROR_STOP=1 -h 127.0.0.1 -U todo_gateway -d "$neon" \
		-c "SELECT set_config('role', '$1', false), set_config('app.token', '$2', false)" -c "$3" 2>&1 | tail -1
}
token=$(request todo_anon '' "SELECT (api.register('{\"username\":\"neon_user\",\"email\":\"neon@example.com\",
	\"password\":\"correct horse\"}')).data ->> 'access_token'")
is "$(echo "$token" | grep -cE '^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$')" 1 "... the gateway's role registers a user through the API"
is "$(request todo_user "$token" "SELECT (api.me()).data ->> 'username'")" neon_user "... whose token is accepted"
for t in one two; do request todo_user "$token" "SELECT (api.task_create('{\"title\":\"$t\"}')).error" >/dev/null; done
list=$(request todo_user "$token" "SELECT (api.task_list('{}')).data")
# each downgrade from this version, and the upgrade back
for script in "$plain_dir/todo-plain--$version--"*.sql; do
	[ -e "$script" ] || continue
	to=${script##*--}
	to=${to%.sql}
	for step in "$version--$to" "$to--$version"; do
		run_ok "todo-plain--$step.sql runs as that role, in one transaction" "$log" \
			psql -X -q -v ON_ERROR_STOP=1 --single-transaction -U "$owner" -d "$neon" -f "$plain_dir/todo-plain--$step.sql"
		is "$(q "$neon" "SELECT (SELECT version FROM todo.schema_version) || ' ' || ((api.health()).data ->> 'schema_version')")" \
			"${step#*--} ${step#*--}" "... todo.schema_version and api.health say ${step#*--}"
	done
done
is "$(request todo_user "$token" "SELECT (api.me()).data ->> 'username'")" neon_user "... and the user is still there, with a working token"
is "$(q "$neon" "SELECT string_agg(c.tasks::text, ',') FROM todo.task_counts c JOIN todo.users u ON u.id = c.user_id WHERE u.username = 'neon_user'")" 2 \
	"... and the upgrade counted its 2 tasks (todo.task_counts, filled as that role)"
is "$(q "$neon" "SELECT count(*) FROM todo.tasks WHERE stored_json IS NULL")" 0 \
	"... and stored the Task object of each (todo.tasks.stored_json)"
is "$(request todo_user "$token" "SELECT (api.task_list('{}')).data")" "$list" \
	"... and the list read from the stored objects is byte for byte the one before the downgrade"
# pg_dump leaves the stored objects out (a generated column): the restore writes them again,
# which needs what their function calls created before the table (BEGIN ATOMIC's dependencies)
stored="SELECT count(*) || ' ' || md5(string_agg(stored_json::text, ',' ORDER BY id)) FROM todo.tasks"
q postgres "CREATE DATABASE todo_plain_restored" >>"$log" 2>&1
run_ok "pg_dump of the plain install restores into an empty database" "$log" \
	sh -c "pg_dump -Fc -d '$neon' -f '$work/neon.dump' && pg_restore --exit-on-error -d todo_plain_restored '$work/neon.dump'"
is "$(q todo_plain_restored "$stored")" "$(q "$neon" "$stored")" "... with the same stored Task objects"
q postgres "DROP DATABASE todo_plain_restored" >>"$log" 2>&1
# roles are the cluster's: leave no member of todo_owner for the suites below
q postgres "REVOKE todo_owner FROM $owner" >>"$log" 2>&1

# --- 2. installed by a superuser: nothing written in C; the pgTAP and end-to-end suites -------
db=todo_plain
log="$work/install.log"
createdb "$db" >"$log" 2>&1
run_ok "the plain install runs, in one transaction, as a superuser" "$log" \
	psql -X -q -v ON_ERROR_STOP=1 --single-transaction -d "$db" -f "$install"
is "$(q "$db" "SELECT string_agg(extname, ' ' ORDER BY extname) FROM pg_extension")" "pgcrypto plpgsql" "... it installs no extension but pgcrypto"
is "$(q "$db" "
	SELECT count(*) FROM pg_proc WHERE (pronamespace IN ('todo'::regnamespace, 'api'::regnamespace)
		AND prolang NOT IN (SELECT oid FROM pg_language WHERE lanname IN ('sql', 'plpgsql'))) OR probin LIKE '%todo%'")" 0 "... no function in todo or api is written in C, none uses a C library"
is "$(q "$db" "SELECT (SELECT version FROM todo.schema_version) || ' ' || ((api.health()).data ->> 'schema_version')")" \
	"$version $version" "... its version is $version, and api.health says so"
run_ok "the JWT secret and the gateway's login are set, pgTAP is installed" "$log" \
	q "$db" "UPDATE todo.settings SET jwt_secret = '$(random_secret)'; ALTER ROLE todo_gateway LOGIN PASSWORD '$GATEWAY_PASSWORD';
		CREATE EXTENSION pgtap"

pg_prove -v -d "$db" "$top"/test/pgtap/*.sql
pgtap_rc=$?

if ! gateway_start e2e DATABASE_URL="$(database_url "$db")" ENVIRONMENT=development; then
	echo "Bail out! the gateway did not start on the plain install"
	tail -20 "$work/e2e.err"
	exit 1
fi
TODO_BASE_URL=$gw_url prove -v "$top/test/e2e"
e2e_rc=$?
gateway_stop e2e
[ "$pgtap_rc" = 0 ] && [ "$e2e_rc" = 0 ]
