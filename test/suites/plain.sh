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
top=$(cd "$(dirname "$0")/../.." && pwd)
work=${1:?usage: plain.sh WORKDIR}
. "$top/test/suites/lib/suite.sh"

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
# check DESCRIPTION GOT EXPECTED: one TAP line, with what was got when it is not expected
check() {
	if [ "$2" = "$3" ]; then tap_ok 0 "$1"; else tap_ok 1 "$1"; printf 'got: %s\nexpected: %s\n' "$2" "$3" | tap_diag; fi
}
# run_ok DESCRIPTION LOG COMMAND...: one TAP line for the command, with the end of its log when it fails
run_ok() {
	local what=$1 log=$2
	shift 2
	"$@" >>"$log" 2>&1
	local rc=$?
	tap_ok "$rc" "$what"
	[ "$rc" = 0 ] || tail -5 "$log" | tap_diag
}
random_secret() { head -c 48 /dev/urandom | base64 | tr -d '/+=\n'; }

# --- a server without the C library --------------------------------------------------------
# test/cluster.sh's cluster, new each run, started once to be created, then without
# shared_preload_libraries and the todo.* settings that it writes into postgresql.conf
"$top/test/cluster.sh" stop "$pg" >/dev/null 2>&1
rm -rf "$pg"
at_exit "'$top/test/cluster.sh' stop '$pg'"
if ! { "$top/test/cluster.sh" start "$pg" postgres && "$top/test/cluster.sh" stop "$pg" &&
	sed -i -e '/^shared_preload_libraries/d' -e '/^todo\./d' "$pg/data/postgresql.conf" &&
	"$top/test/cluster.sh" start "$pg" postgres; } >"$work/cluster.log" 2>&1; then
	echo "Bail out! cannot start a cluster without the C library: $(tail -5 "$work/cluster.log")"
	exit 1
fi
. "$pg/env"
if [ ! -f "$install" ]; then
	echo "Bail out! no plain install script $install (make -C extension install)"
	exit 1
fi
check "the server preloads no library" "$(q postgres 'SHOW shared_preload_libraries')" ""
check "the server defines no todo.* setting" "$(q postgres "SELECT count(*) FROM pg_settings WHERE name LIKE 'todo.%'")" 0

# --- 1. installed as on Neon: by the database's owner, with CREATEROLE, not a superuser --------
neon=todo_plain_neon
owner=regress_neon_owner
log="$work/neon.log"
q postgres "CREATE ROLE $owner LOGIN CREATEROLE CREATEDB" >"$log" 2>&1 && q postgres "CREATE DATABASE $neon OWNER $owner" >>"$log" 2>&1
run_ok "the plain install runs, in one transaction, as a role that is not a superuser (as on Neon)" "$log" \
	psql -X -q -v ON_ERROR_STOP=1 --single-transaction -U "$owner" -d "$neon" -f "$install"
check "... with CREATEROLE, no BYPASSRLS" "$(q postgres "SELECT rolsuper || ' ' || rolcreaterole || ' ' || rolbypassrls FROM pg_roles WHERE rolname = '$owner'")" "false true false"
check "... it gave every table and every SECURITY DEFINER function to todo_owner" "$(q "$neon" "
	SELECT count(*) FROM (SELECT relowner AS o FROM pg_class WHERE relnamespace = 'todo'::regnamespace AND relkind = 'r'
		UNION ALL SELECT proowner FROM pg_proc WHERE prosecdef AND pronamespace IN ('todo'::regnamespace, 'api'::regnamespace)) x
	WHERE o <> 'todo_owner'::regrole")" 0
check "... it is a member of todo_owner, which keeps no CREATE on schemas todo and api" "$(q "$neon" "
	SELECT pg_has_role('$owner', 'todo_owner', 'MEMBER') AND NOT has_schema_privilege('todo_owner', 'todo', 'CREATE')
		AND NOT has_schema_privilege('todo_owner', 'api', 'CREATE')")" t
run_ok "... it sets the JWT secret (UPDATE todo.settings) and enables the gateway's login" "$log" \
	q "$neon" "UPDATE todo.settings SET jwt_secret = '$(random_secret)'; ALTER ROLE todo_gateway LOGIN PASSWORD '$GATEWAY_PASSWORD'" -U "$owner"
# requests as the gateway makes them: its login role, a request role, an API function
request() { # role token SQL: the last line of its output
	PGPASSWORD=$GATEWAY_PASSWORD psql -X -q -A -t -v ON_ERROR_STOP=1 -h 127.0.0.1 -U todo_gateway -d "$neon" \
		-c "SELECT set_config('role', '$1', false), set_config('app.token', '$2', false)" -c "$3" 2>&1 | tail -1
}
token=$(request todo_anon '' "SELECT (api.register('{\"username\":\"neon_user\",\"email\":\"neon@example.com\",
	\"password\":\"correct horse\"}')).data ->> 'access_token'")
check "... the gateway's role registers a user through the API" "$(echo "$token" | grep -cE '^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$')" 1
check "... whose token is accepted" "$(request todo_user "$token" "SELECT (api.me()).data ->> 'username'")" neon_user
# each downgrade from this version, and the upgrade back
for script in "$plain_dir/todo-plain--$version--"*.sql; do
	[ -e "$script" ] || continue
	to=${script##*--}
	to=${to%.sql}
	for step in "$version--$to" "$to--$version"; do
		run_ok "todo-plain--$step.sql runs as that role, in one transaction" "$log" \
			psql -X -q -v ON_ERROR_STOP=1 --single-transaction -U "$owner" -d "$neon" -f "$plain_dir/todo-plain--$step.sql"
		check "... todo.schema_version and api.health say ${step#*--}" \
			"$(q "$neon" "SELECT (SELECT version FROM todo.schema_version) || ' ' || ((api.health()).data ->> 'schema_version')")" \
			"${step#*--} ${step#*--}"
	done
done
check "... and the user is still there, with a working token" "$(request todo_user "$token" "SELECT (api.me()).data ->> 'username'")" neon_user
# roles are the cluster's: leave no member of todo_owner for the suites below
q postgres "REVOKE todo_owner FROM $owner" >>"$log" 2>&1

# --- 2. installed by a superuser: nothing written in C; the pgTAP and end-to-end suites -------
db=todo_plain
log="$work/install.log"
createdb "$db" >"$log" 2>&1
run_ok "the plain install runs, in one transaction, as a superuser" "$log" \
	psql -X -q -v ON_ERROR_STOP=1 --single-transaction -d "$db" -f "$install"
check "... it installs no extension but pgcrypto" "$(q "$db" "SELECT string_agg(extname, ' ' ORDER BY extname) FROM pg_extension")" "pgcrypto plpgsql"
check "... no function in todo or api is written in C, none uses a C library" "$(q "$db" "
	SELECT count(*) FROM pg_proc WHERE (pronamespace IN ('todo'::regnamespace, 'api'::regnamespace)
		AND prolang NOT IN (SELECT oid FROM pg_language WHERE lanname IN ('sql', 'plpgsql'))) OR probin LIKE '%todo%'")" 0
check "... its version is $version, and api.health says so" \
	"$(q "$db" "SELECT (SELECT version FROM todo.schema_version) || ' ' || ((api.health()).data ->> 'schema_version')")" "$version $version"
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
sanitizer_ok
[ "$pgtap_rc" = 0 ] && [ "$e2e_rc" = 0 ]
