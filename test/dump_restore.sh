#!/usr/bin/env bash
# TAP: pg_dump of a database holding todo data restores into an empty cluster with every
# row (the user-data tables are registered with pg_extension_config_dump).
#
#   test/dump_restore.sh RESTORE_DIR
# Runs against the cluster of PGHOST/PGPORT; starts a second, empty cluster in RESTORE_DIR.
set -uo pipefail
cd "$(dirname "$0")/.."
. test/lib.sh

restore_dir=${1:?usage: dump_restore.sh RESTORE_DIR}
n=0
check() { # description command...
	n=$((n + 1))
	local what=$1
	shift
	if "$@" >/dev/null 2>&1; then echo "ok $n - $what"; else echo "not ok $n - $what"; fi
}
# on_restore command...: run against the second cluster
on_restore() { (. "$restore_dir/env" && "$@"); }

# every row of every table, in a canonical order, as one checksum
checksum() {
	psql -XtA -d "$1" <<-'SQL'
		SELECT string_agg(format('%s:%s:%s', t, c, h), ' ' ORDER BY t) FROM (
			SELECT 'users' t, count(*) c, md5(string_agg(u::text, ',' ORDER BY id)) h FROM todo.users u
			UNION ALL SELECT 'tasks', count(*), md5(string_agg(x::text, ',' ORDER BY id)) FROM todo.tasks x
			UNION ALL SELECT 'sessions', count(*), md5(string_agg(s::text, ',' ORDER BY id)) FROM todo.sessions s
		) per_table
	SQL
}
# same A B: A is not empty and B equals it
same() { [ -n "$1" ] && [ "$1" = "$2" ]; }
version() { psql -XtAc "SELECT extversion FROM pg_extension WHERE extname = 'todo'" "$1"; }
forced_rls() {
	psql -XtAc "SELECT bool_and(relrowsecurity AND relforcerowsecurity) FROM pg_class
		WHERE relnamespace = 'todo'::regnamespace AND relkind = 'r'" "$1"
}

echo "1..6"
dropdb --if-exists todo_dump
createdb todo_dump
psql -X -q -v ON_ERROR_STOP=1 -d todo_dump >/dev/null <<-'SQL'
	CREATE EXTENSION todo CASCADE;
	-- data made the way the API makes it, as the request roles
	BEGIN;
	SET LOCAL ROLE todo_anon;
	SELECT set_config('app.reg', (api.register('{"username":"dump_ann","email":"ann@example.com","password":"password1"}')).data::text, true);
	SET LOCAL ROLE todo_user;
	SELECT set_config('app.token', current_setting('app.reg')::json ->> 'access_token', true);
	SELECT api.task_create(format('{"title":"task %s","tags":["été","n%s"],"due_date":"2099-01-0%s","recursion_pattern":"monthly"}', i, i, i)::jsonb)
	FROM generate_series(1, 9) i;
	SELECT api.task_complete((api.task_list('{"sort":["title"],"limit":["1"]}')).data -> 0 ->> 'id', NULL);
	COMMIT;
SQL
check "source database has a user, a session and 10 tasks (one made by recurrence)" \
	test "$(psql -XtAc 'SELECT (SELECT count(*) FROM todo.users) = 1 AND (SELECT count(*) FROM todo.tasks) = 10 AND (SELECT count(*) FROM todo.sessions) = 1' todo_dump)" = t

dump="$restore_dir.dump"
check "pg_dump succeeds" pg_dump -Fc -f "$dump" todo_dump
test/cluster.sh stop "$restore_dir"
rm -rf "$restore_dir" # an empty cluster, every time
test/cluster.sh start "$restore_dir" todo_restore >/dev/null
check "pg_restore into an empty cluster succeeds" on_restore pg_restore --exit-on-error -d todo_restore "$dump"
check "restored rows equal the source rows" same "$(checksum todo_dump)" "$(on_restore checksum todo_restore)"
check "restored extension is the same version" same "$(version todo_dump)" "$(on_restore version todo_restore)"
check "restored tables still force row-level security" test "$(on_restore forced_rls todo_restore)" = t

test/cluster.sh stop "$restore_dir"
rm -f "$dump"
dropdb todo_dump
