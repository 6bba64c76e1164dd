#!/usr/bin/env bash
# test/suites/installcheck.sh - `make installcheck` as a DBA runs it on Neon: a server that
# cannot load our C library, whose database is owned by a login that is not a superuser
# (CREATEROLE, as neondb_owner), with the plain install that owner made with todoctl. Run as
# that owner, installcheck passes as many pgTAP assertions as a superuser's run on the same
# database, says what is missing before running anything, and leaves nothing behind: the
# catalog (roles, memberships, objects, policies, settings) and every table's rows are the
# same before and after both runs.
set -uo pipefail
. "$(dirname "$0")/lib/suite.bash" "$@"

pg="$work/pg"
db=neondb
owner=regress_neondb_owner

# --- a server without the C library, as Neon's -----------------------------------------------
suite_cluster_without_library "$pg"
owner_url="postgresql://$owner@127.0.0.1:$PGPORT/$db"
super_url="postgresql://postgres@127.0.0.1:$PGPORT/$db"
log="$work/setup.log"

# the owner (CREATEROLE, not a superuser) owns the database and makes the plain install
run_ok "a database owned by a CREATEROLE login that is not a superuser, with pgTAP" "$log" \
	psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE ROLE $owner LOGIN CREATEROLE" \
	-c "CREATE DATABASE $db OWNER $owner" -c "\\c $db" -c "CREATE EXTENSION pgtap"
use_todoctl
run_ok "... where that owner makes the plain install (todoctl migrate up --plain)" "$log" \
	env DATABASE_URL="$owner_url" "$todoctl" migrate up --plain --plain-dir "$top/extension/build/plain"

# --- before anything runs: what is missing, said, and nothing run ------------------------------
out=$(DATABASE_URL=$owner_url make -s -C "$top" installcheck 2>&1)
rc=$?
is "$rc" 2 "installcheck refuses to run while the plain install's JWT secret is unset"
like "$out" "JWT secret is not set \\(UPDATE todo\\.settings" "... and says how to set it"
run_ok "the owner sets the JWT secret" "$log" \
	psql -X -q -v ON_ERROR_STOP=1 -d "$owner_url" -c "UPDATE todo.settings SET jwt_secret = '$(random_secret)'"

psql -X -q -d postgres -c "CREATE ROLE regress_ic_stranger LOGIN" >>"$log" 2>&1
out=$(DATABASE_URL="postgresql://regress_ic_stranger@127.0.0.1:$PGPORT/$db" make -s -C "$top" installcheck 2>&1)
rc=$?
is "$rc" 2 "installcheck as a role that lacks what it needs stops before running anything"
like "$out" "GRANT todo_owner TO regress_ic_stranger" "... and says what to grant: todo_owner"
like "$out" "ALTER ROLE regress_ic_stranger CREATEROLE" "... and CREATEROLE"
unlike "$out" "[0-9]+ passed" "... and ran no test"
psql -X -q -d postgres -c "DROP ROLE regress_ic_stranger" >>"$log" 2>&1

# --- what must be the same afterwards -----------------------------------------------------------
snapshot() {
	psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$super_url" <<-'EOF'
		SELECT 'role ' || rolname || ' ' || concat_ws(',', rolsuper, rolinherit, rolcreaterole, rolcreatedb,
			rolcanlogin, rolbypassrls, rolconfig::text) FROM pg_roles ORDER BY 1;
		SELECT 'member ' || roleid::regrole || ' ' || member::regrole || ' ' || admin_option FROM pg_auth_members ORDER BY 1;
		SELECT 'db-setting ' || setdatabase || ' ' || setrole || ' ' || setconfig::text FROM pg_db_role_setting ORDER BY 1;
		SELECT 'class ' || oid::regclass || ' ' || relkind::text || ' ' || relowner::regrole || ' '
			|| relrowsecurity || relforcerowsecurity || ' ' || coalesce(relacl::text, '')
			FROM pg_class WHERE relnamespace NOT IN ('pg_catalog'::regnamespace, 'information_schema'::regnamespace)
			AND relpersistence <> 't' ORDER BY 1;
		SELECT 'function ' || oid::regprocedure || ' ' || proowner::regrole || ' ' || prosecdef || ' ' || coalesce(proacl::text, '')
			FROM pg_proc WHERE pronamespace NOT IN ('pg_catalog'::regnamespace, 'information_schema'::regnamespace) ORDER BY 1;
		SELECT 'policy ' || polrelid::regclass || ' ' || polname FROM pg_policy ORDER BY 1;
		SELECT 'schema ' || nspname || ' ' || nspowner::regrole FROM pg_namespace WHERE nspname NOT LIKE 'pg_temp%' AND nspname NOT LIKE 'pg_toast_temp%' ORDER BY 1;
		SELECT 'extension ' || extname || ' ' || extversion FROM pg_extension ORDER BY 1;
		SELECT 'database ' || datname FROM pg_database ORDER BY 1;
		SELECT 'rows todo.' || c.relname || ' ' || (xpath('/row/c/text()',
			query_to_xml(format('SELECT count(*) || '' '' || coalesce(md5(string_agg(t::text, '','' ORDER BY t::text)), '''') AS c FROM todo.%I t', c.relname),
			false, true, '')))[1]::text
			FROM pg_class c WHERE c.relnamespace = 'todo'::regnamespace AND c.relkind = 'r' ORDER BY 1;
	EOF
}
snapshot >"$work/before.txt" 2>&1

# --- the runs: the owner, then a superuser, on the same database -------------------------------------
count() { sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p' "$1" | tail -1; }
DATABASE_URL=$owner_url make -s -C "$top" installcheck >"$work/owner.log" 2>&1
owner_rc=$?
read -r owner_passed owner_failed <<<"$(count "$work/owner.log")"
is "$owner_rc ${owner_failed:-?}" "0 0" "make installcheck as the owner (not a superuser) of a plain install passes"
like "$(head -1 "$work/owner.log")" "the plain-SQL install, as $owner \\(not a superuser\\)" "... and says what it checks, as whom"
[ "$owner_rc" = 0 ] || grep -E -B2 -A6 '^not ok|Bail|ERROR' "$work/owner.log" | head -60 | diag

DATABASE_URL=$super_url make -s -C "$top" installcheck >"$work/super.log" 2>&1
super_rc=$?
read -r super_passed super_failed <<<"$(count "$work/super.log")"
is "$super_rc ${super_failed:-?}" "0 0" "make installcheck as a superuser on the same database passes"
[ "$super_rc" = 0 ] || grep -E -B2 -A6 '^not ok|Bail|ERROR' "$work/super.log" | head -60 | diag
pgtap_total=$(grep -cE '^(.*\.\. )?ok [0-9]+' "$work/super.log")
is "${owner_passed:-0}" "${super_passed:-x}" "the owner passes as many assertions as the superuser ($super_passed)"
is "$(grep -cE '^(.*\.\. )?ok [0-9]+' "$work/owner.log")" "$pgtap_total" "... counted from pgTAP's ok lines, the same in both runs"

snapshot >"$work/after.txt" 2>&1
is "$(diff "$work/before.txt" "$work/after.txt")" "" "nothing was left behind: roles, memberships, objects, policies, settings and rows are as before"
like "$(grep -c . "$work/before.txt")" "^[0-9]{3,}$" "... compared over the whole catalog ($(grep -c . "$work/before.txt") lines)"
