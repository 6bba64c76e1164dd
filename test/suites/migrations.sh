#!/usr/bin/env bash
# test/suites/migrations.sh: todoctl migrate against the main test cluster, in databases of
# its own (todo_mig_*): a fresh 1.1 and a 1.0 upgraded to 1.1 have identical catalogs;
# 1.1 -> 1.0 -> 1.1 keeps the data; a downgrade that would drop legacy ids refuses unless
# forced; a failing script leaves the version as it was; idempotence, status, the
# DATABASE_URL rules; the plain-SQL install kind (with scripts made here); and health
# across a migration with a running gateway. Prints TAP.
#
#   test/suites/migrations.sh WORKDIR    (PGHOST, PGPORT, PGUSER, GATEWAY_PASSWORD set)
set -uo pipefail

. "$(dirname "$0")/lib/suite.bash" "$@"
use_todoctl
unset DATABASE_URL TODO_PLAIN_DIR ENVIRONMENT

ext_dir="$(pg_config --sharedir)/extension"
bad_version="9.9.$$"
latest=$(sed -n "s/^default_version = '\([^']*\)'.*/\1/p" "$ext_dir/todo.control")
bad_script="$ext_dir/todo--$latest--$bad_version.sql"
databases="todo_mig_fresh todo_mig_ext todo_mig_up todo_mig_base todo_mig_trip todo_mig_bad todo_mig_plain todo_mig_real todo_mig_real2 todo_mig_health"
holder_pid=

cleanup() {
	[ -n "$holder_pid" ] && kill "$holder_pid" 2>/dev/null && wait "$holder_pid" 2>/dev/null
	rm -f "$bad_script"
	for db in $databases; do dropdb --if-exists "$db" 2>/dev/null; done
}
at_exit cleanup

url() { echo "postgresql://postgres@127.0.0.1:$PGPORT/$1"; }
# tc DB ARGS...: todoctl against DB; sets out (stdout and stderr) and rc
tc() {
	local db=$1
	shift
	out=$(DATABASE_URL=$(url "$db") "$todoctl" "$@" 2>&1)
	rc=$?
}
q() { psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$1" -c "$2"; }
new_db() { dropdb --if-exists "$1" 2>/dev/null && createdb "$1"; }
version() { q "$1" "SELECT coalesce((SELECT extversion FROM pg_extension WHERE extname = 'todo'), 'none')"; }
catalog() { psql -X -q -v ON_ERROR_STOP=1 -d "$1" -f test/suites/lib/schema_catalog.sql; }
same_catalog() { # db1 db2 description: the catalogs are identical, else the diff
	local d
	catalog "$1" >"$work/$1.catalog" && catalog "$2" >"$work/$2.catalog" || {
		not_ok "$3" "cannot read the catalogs"
		return
	}
	if d=$(diff -u "$work/$1.catalog" "$work/$2.catalog"); then
		ok "$3 ($(wc -l <"$work/$1.catalog") catalog lines)"
	else
		not_ok "$3" "$d"
	fi
}
# every row of every table (the legacy ids apart, which 1.0 has not, and the plain install's
# stored Task object, which 1.3 derives from the row and 1.2 has not) in one digest
checksum() {
	q "$1" "SELECT count(*) || ' rows, md5 ' || coalesce(md5(string_agg(r, E'\n' ORDER BY r)), '-') FROM (
		SELECT 'users ' || (to_jsonb(t) - 'legacy_id')::text FROM todo.users t
		UNION ALL SELECT 'tasks ' || (to_jsonb(t) - '{legacy_id,stored_json}'::text[])::text FROM todo.tasks t
		UNION ALL SELECT 'sessions ' || (to_jsonb(t) - '{legacy_id,issuer,subject,verified_keys_at}'::text[])::text FROM todo.sessions t
		UNION ALL SELECT 'login_attempts ' || to_jsonb(t)::text FROM todo.login_attempts t) AS rows (r)"
}
add_data() { # a few users, tasks of every kind, a session, a login counter
	q "$1" "
		INSERT INTO todo.users (id, username, email, password_hash, name, is_active, email_verified) VALUES
			('00000000-0000-4000-8000-000000000001', 'ada', 'ada@example.com', todo.hash_password('correct horse'), 'Ada', true, true),
			('00000000-0000-4000-8000-000000000002', 'bob', 'bob@example.com', todo.hash_password('battery staple'), NULL, false, false);
		INSERT INTO todo.tasks (user_id, title, description, status, priority, due_date, tags, recursion_pattern)
		SELECT ('00000000-0000-4000-8000-00000000000' || (1 + i % 2))::uuid, 'task ' || i, CASE WHEN i % 3 = 0 THEN 'about ' || i END,
			CASE WHEN i % 4 = 0 THEN 'completed' ELSE 'pending' END::todo.task_status,
			(ARRAY['low', 'medium', 'high'])[1 + i % 3]::todo.task_priority,
			CASE WHEN i % 2 = 0 THEN timestamptz '2030-01-01 00:00Z' + i * interval '1 day' END,
			todo.normalize_tags(ARRAY['t' || i % 5, 'Common']), CASE WHEN i % 7 = 0 THEN 'every 2 weeks' END
		FROM generate_series(1, 40) i;
		INSERT INTO todo.sessions (user_id, token_jti, expires_at)
			VALUES ('00000000-0000-4000-8000-000000000001', 'jti-1', '2030-01-01Z');
		INSERT INTO todo.login_attempts (account, failures, window_started_at)
			VALUES ('bob@example.com', 2, '2026-01-01Z');" >/dev/null ||
		not_ok "test data for $1"
}

echo "# todoctl: $todoctl"

# --- DATABASE_URL: required, never a fallback, never the password in a message
new_db todo_mig_fresh
out=$(env -u DATABASE_URL PGDATABASE=todo_mig_fresh "$todoctl" migrate status 2>&1)
rc=$?
is "$rc" 2 "DATABASE_URL unset: exit 2"
like "$out" "DATABASE_URL is not set" "DATABASE_URL unset: the message names DATABASE_URL"
unlike "$out" "install:|before:" "DATABASE_URL unset: no fallback to PGHOST/PGPORT (nothing read from a database)"
out=$(DATABASE_URL= "$todoctl" migrate up 2>&1)
rc=$?
is "$rc:$(version todo_mig_fresh)" "2:none" "DATABASE_URL empty: exit 2, nothing installed"
secret="pw-$$-Secret"
out=$(DATABASE_URL="postgresql://postgres:$secret@127.0.0.1:$PGPORT/todo_mig_fresh" "$todoctl" migrate status 2>&1)
unlike "$out" "$secret" "a password in DATABASE_URL is not printed (connected)"
port=$(free_port)
out=$(DATABASE_URL="postgresql://postgres:$secret@127.0.0.1:$port/x" "$todoctl" migrate status 2>&1)
rc=$?
is "$rc" 1 "unreachable server: exit 1"
unlike "$out" "$secret" "a password in DATABASE_URL is not printed (connection refused)"
out=$(DATABASE_URL="host=127.0.0.1 port=$port password=$secret dbname=x bogus" "$todoctl" migrate status 2>&1)
rc=$?
is "$rc" 2 "an unparseable DATABASE_URL: exit 2"
unlike "$out" "$secret" "a password in an unparseable DATABASE_URL is not printed"

# --- fresh install of the latest version, status, idempotence
tc todo_mig_fresh migrate status
like "$out" "install: nothing installed" "status of an empty database: nothing installed"
tc todo_mig_fresh migrate up
is "$rc:$(version todo_mig_fresh)" "0:$latest" "up on an empty database installs the latest version ($latest)"
like "$out" "before: nothing installed" "up prints the version before"
like "$out" "after: $latest \(extension todo, the latest\)" "up prints the version after"
tc todo_mig_fresh migrate status
like "$out" "install: extension todo"$'\n'"version: $latest"$'\n'"latest: $latest"$'\n'"state: up-to-date" "status at the latest version: up-to-date"
catalog todo_mig_fresh >"$work/before-idempotent.catalog"
tc todo_mig_fresh migrate up
is "$rc:$(version todo_mig_fresh)" "0:$latest" "up at the latest version: exit 0"
like "$out" "nothing to do: already at $latest" "up at the latest version says so"
catalog todo_mig_fresh >"$work/after-idempotent.catalog"
if d=$(diff -u "$work/before-idempotent.catalog" "$work/after-idempotent.catalog"); then
	ok "up at the latest version changes nothing in the catalogs"
else
	not_ok "up at the latest version changes nothing in the catalogs" "$d"
fi

# --- 1.0 upgraded to 1.1 is the same as a fresh 1.1
new_db todo_mig_up
tc todo_mig_up migrate up --to 1.0
is "$rc:$(version todo_mig_up)" "0:1.0" "up --to 1.0 on an empty database installs 1.0"
tc todo_mig_up migrate status
like "$out" "version: 1.0"$'\n'"latest: $latest"$'\n'"state: out-of-date" "status at 1.0: out-of-date"
tc todo_mig_up migrate up
is "$rc:$(version todo_mig_up)" "0:$latest" "up from 1.0 goes to $latest"
like "$out" "before: 1.0 \(extension todo\)" "up from 1.0 prints the version before"
same_catalog todo_mig_fresh todo_mig_up "a fresh $latest and 1.0 upgraded to $latest have identical catalogs"
# Releases (docs/migrations.md): the only install scripts are the base's, 1.0 as shipped,
# and the latest's, built from the pieces; every version between them is the base and the
# upgrade scripts up to it, as a database of that version came to be. Each, upgraded to
# the latest, has a fresh latest's catalogs.
base=1.0
latest=$(q postgres "SELECT default_version FROM pg_available_extensions WHERE name = 'todo'")
is "$(cd extension && ls todo--*.sql | grep -v -e '--.*--' | grep -vx "todo--$latest.sql" | paste -sd' ')" "todo--$base.sql" \
	"extension/ holds one install script besides the latest's (built): the base's, todo--$base.sql"
for v in $(q postgres "SELECT version FROM pg_available_extension_versions WHERE name = 'todo' AND version NOT IN ('$base', '$latest')"); do
	new_db todo_mig_up
	tc todo_mig_up migrate up --to "$base"
	tc todo_mig_up migrate up --to "$v"
	is "$rc:$(version todo_mig_up)" "0:$v" "$base upgraded to $v"
	tc todo_mig_up migrate up
	same_catalog todo_mig_fresh todo_mig_up "a fresh $latest and $v (from $base) upgraded to $latest have identical catalogs"
done
# the comparison itself sees a difference when there is one
q todo_mig_up "COMMENT ON COLUMN todo.tasks.legacy_id IS 'changed'"
if diff -q <(catalog todo_mig_fresh) <(catalog todo_mig_up) >/dev/null; then
	not_ok "the catalog comparison notices a changed comment"
else
	ok "the catalog comparison notices a changed comment"
fi

# --- 1.1 -> 1.0 -> 1.1 with data
new_db todo_mig_trip
tc todo_mig_trip migrate up --to 1.1
add_data todo_mig_trip
sum=$(checksum todo_mig_trip)
tc todo_mig_trip migrate down
is "$rc:$(version todo_mig_trip)" "0:1.0" "down from 1.1 without legacy ids goes to 1.0 (no --force needed)"
like "$out" "before: 1.1.*after: 1.0" "down prints the versions before and after"
is "$(checksum todo_mig_trip)" "$sum" "1.1 -> 1.0 keeps every row ($sum)"
new_db todo_mig_base
tc todo_mig_base migrate up --to 1.0
same_catalog todo_mig_base todo_mig_trip "1.1 downgraded to 1.0 has the catalogs of a fresh 1.0"
tc todo_mig_trip migrate down
is "$rc:$(version todo_mig_trip)" "1:1.0" "down at the oldest version: exit 1, still 1.0"
like "$out" "no version below 1.0" "down at the oldest version says why"
tc todo_mig_trip migrate up --to 1.0
is "$rc" 0 "up --to the current version: nothing to do, exit 0"
tc todo_mig_trip migrate up --to 1.1
is "$rc:$(version todo_mig_trip)" "0:1.1" "1.0 -> 1.1 again"
is "$(checksum todo_mig_trip)" "$sum" "1.1 -> 1.0 -> 1.1 keeps every row"
tc todo_mig_trip migrate up
same_catalog todo_mig_fresh todo_mig_trip "after 1.1 -> 1.0 -> 1.1 -> $latest the catalogs equal a fresh $latest's"
tc todo_mig_trip migrate down --to 1.1
is "$rc:$(version todo_mig_trip)" "0:1.1" "down from $latest with no user of another issuer: no --force needed"
tc todo_mig_trip migrate up --to 1.0
is "$rc:$(version todo_mig_trip)" "1:1.1" "up --to an older version refuses"
like "$out" "use todoctl migrate down --to 1.0" "up --to an older version points to down"

# --- a downgrade that would drop legacy ids refuses unless forced, and names the data
q todo_mig_trip "UPDATE todo.users SET legacy_id = 7 WHERE username = 'ada';
	UPDATE todo.tasks SET legacy_id = CASE title WHEN 'task 1' THEN 101 ELSE 102 END
	WHERE title IN ('task 1', 'task 2');"
sum=$(checksum todo_mig_trip)
tc todo_mig_trip migrate down
is "$rc:$(version todo_mig_trip)" "1:1.1" "down with legacy ids: refused (exit 1), still 1.1"
like "$out" "would drop the legacy ids of 1 users, 2 tasks and 0 sessions" "the refusal says which data"
like "$out" "down --force" "the refusal says how to force it"
is "$(q todo_mig_trip "SELECT count(legacy_id) FROM todo.users") $(q todo_mig_trip "SELECT count(legacy_id) FROM todo.tasks")" "1 2" "the refused downgrade kept the legacy ids"
tc todo_mig_trip migrate down --force
is "$rc:$(version todo_mig_trip)" "0:1.0" "down --force with legacy ids goes to 1.0"
is "$(checksum todo_mig_trip)" "$sum" "down --force keeps every row (but the legacy ids)"
tc todo_mig_trip migrate up
is "$rc:$(version todo_mig_trip):$(q todo_mig_trip "SELECT count(legacy_id) FROM todo.users")" "0:$latest:0" "up after a forced downgrade: $latest, legacy ids empty"
tc todo_mig_trip migrate up --force
is "$rc" 2 "--force is refused for up (usage, exit 2)"

# --- a downgrade from 1.2 that would delete the users of other issuers refuses unless forced
new_db todo_mig_ext
tc todo_mig_ext migrate up --to 1.2
add_data todo_mig_ext
q todo_mig_ext "SELECT todo.issuer_add('hs', 'https://hs.example', NULL, 'a-test-only-secret-of-32-bytes-or-more', NULL, NULL)"
q todo_mig_ext "INSERT INTO todo.users (id, username, email, password_hash) VALUES ('e0000000-0000-4000-8000-0000000000e1', 'ext', NULL, NULL);
	INSERT INTO todo.external_identities (issuer, subject, user_id) VALUES ('https://hs.example', 's1', 'e0000000-0000-4000-8000-0000000000e1');
	INSERT INTO todo.tasks (user_id, title) VALUES ('e0000000-0000-4000-8000-0000000000e1', 'ext task')"
tc todo_mig_ext migrate down
is "$rc:$(version todo_mig_ext)" "1:1.2" "down from 1.2 with a user of another issuer: refused, still 1.2"
like "$out" "would delete 1 users of other issuers with their 1 tasks, and 1 trusted issuers" "the refusal says which data"
tc todo_mig_ext migrate down --force
is "$rc:$(version todo_mig_ext):$(q todo_mig_ext "SELECT count(*) FROM todo.users WHERE username = 'ext'")" "0:1.1:0" "down --force: 1.1, that user gone"
tc todo_mig_ext migrate up
is "$rc:$(version todo_mig_ext)" "0:$latest" "and up again"

# --- a failing upgrade script leaves the database at the version it started from
new_db todo_mig_bad
tc todo_mig_bad migrate up
add_data todo_mig_bad
sum=$(checksum todo_mig_bad)
catalog todo_mig_bad >"$work/bad-before.catalog"
if cat >"$bad_script" 2>/dev/null <<-'EOF'; then
	/* test/suites/migrations.sh: a deliberately failing upgrade; removed when the suite ends */
	\echo Use "ALTER EXTENSION todo UPDATE" to load this file. \quit
	ALTER TABLE todo.tasks ADD COLUMN half_way integer;
	CREATE TABLE todo.half_way (id integer);
	UPDATE todo.tasks SET priority = 'high';
	DELETE FROM todo.sessions;
	SELECT 1 / 0;
	CREATE TABLE todo.never (id integer);
EOF
	tc todo_mig_bad migrate up --to "$bad_version"
	is "$rc:$(version todo_mig_bad)" "1:$latest" "a script failing half-way: exit 1, still $latest"
	like "$out" "division by zero" "the failure prints the database's error"
	like "$out" "after: $latest" "the failure prints the version after (unchanged)"
	is "$(checksum todo_mig_bad)" "$sum" "a script failing half-way changes no row"
	if d=$(diff -u "$work/bad-before.catalog" <(catalog todo_mig_bad)); then
		ok "a script failing half-way changes nothing in the catalogs"
	else
		not_ok "a script failing half-way changes nothing in the catalogs" "$d"
	fi
	rm -f "$bad_script"
else
	for t in exit version error after rows catalogs; do
		ok "# SKIP cannot write $bad_script (not root?): failing-script test ($t)"
	done
fi

# --- a migration waits for a lock at most --lock-timeout, then rolls back and tries again
# (down to 1.1: the 1.2 -> 1.1 script locks todo.tasks, whatever the newest release does)
# hold_lock DB SECONDS: a transaction reading todo.tasks for SECONDS, in the background
hold_lock() {
	psql -X -q -d "$1" -c "BEGIN; SELECT count(*) FROM todo.tasks; SELECT pg_sleep($2); COMMIT;" >/dev/null &
	holder_pid=$!
	for _ in $(seq 50); do
		[ "$(q "$1" "SELECT count(*) FROM pg_locks WHERE relation = 'todo.tasks'::regclass AND granted AND pid <> pg_backend_pid()")" != 0 ] && return
		sleep 0.1
	done
}
hold_lock todo_mig_bad 4
tc todo_mig_bad migrate down --to 1.1 --lock-timeout 200 --attempts 2
is "$rc:$(version todo_mig_bad)" "1:$latest" "a lock held throughout: exit 1 after 2 attempts, still $latest"
like "$out" "lock timeout.*attempt 1 of 2 rolled back.*gave up after 2 attempts" "a lock held throughout: says it timed out, retried, gave up"
wait "$holder_pid"
hold_lock todo_mig_bad 1
tc todo_mig_bad migrate down --to 1.1 --lock-timeout 300 --attempts 4
is "$rc:$(version todo_mig_bad)" "0:1.1" "a lock released after 1 s: a later attempt succeeds"
like "$out" "attempt 1 of 4 rolled back.*after: 1.1" "a lock released after 1 s: retried, then done"
wait "$holder_pid"
is "$(checksum todo_mig_bad)" "$sum" "retried migrations keep every row"

# --- the plain-SQL install kind, with scripts made here (the real ones: make -C extension plain)
plain="$work/plain"
rm -rf "$plain" "$work/plain-gap" "$work/plain-bad"
mkdir -p "$plain"
cat >"$plain/todo-plain--1.0.sql" <<-'EOF'
	CREATE SCHEMA todo;
	CREATE TABLE todo.schema_version (version text NOT NULL);
	CREATE TABLE todo.items (id integer PRIMARY KEY, name text NOT NULL);
	INSERT INTO todo.items VALUES (1, 'one'), (2, 'two');
EOF
cat >"$plain/todo-plain--1.0--1.1.sql" <<-'EOF'
	ALTER TABLE todo.items ADD COLUMN legacy_id bigint;
EOF
cat >"$plain/todo-plain--1.1--1.0.sql" <<-'EOF'
	DO $$
	BEGIN
		IF EXISTS (SELECT FROM todo.items WHERE legacy_id IS NOT NULL)
			AND current_setting('todo_migrate.force', true) IS DISTINCT FROM 'on' THEN
			RAISE EXCEPTION 'downgrading to 1.0 would drop the legacy ids of % items',
				(SELECT count(*) FROM todo.items WHERE legacy_id IS NOT NULL) USING ERRCODE = 'object_in_use';
		END IF;
	END
	$$;
	ALTER TABLE todo.items DROP COLUMN legacy_id;
EOF
plain_version() { q todo_mig_plain "SELECT string_agg(version, ',') FROM todo.schema_version"; }
new_db todo_mig_plain
tc todo_mig_plain migrate up --plain --plain-dir "$work/nowhere"
is "$rc" 1 "plain: a missing scripts directory: exit 1"
like "$out" "cannot open the plain-SQL scripts directory $work/nowhere" "plain: a missing scripts directory is a clear error"
tc todo_mig_plain migrate up --plain --plain-dir "$plain"
is "$rc:$(plain_version)" "0:1.1" "plain: up --plain installs from scratch (1.0 and the chain to 1.1)"
like "$out" "applying: [^ ]*/todo-plain--1.0.sql.*applying: [^ ]*/todo-plain--1.0--1.1.sql" "plain: the install prints each script it applies"
tc todo_mig_plain migrate status --plain-dir "$plain"
like "$out" $'install: plain-SQL install\nversion: 1.1\nlatest: 1.1\nstate: up-to-date' "plain: status"
out=$(DATABASE_URL=$(url todo_mig_plain) TODO_PLAIN_DIR="$plain" "$todoctl" migrate up 2>&1)
rc=$?
is "$rc:$(plain_version)" "0:1.1" "plain: up at the latest (TODO_PLAIN_DIR): nothing to do, exit 0"
q todo_mig_plain "UPDATE todo.items SET legacy_id = 5 WHERE id = 1"
tc todo_mig_plain migrate down --plain-dir "$plain"
is "$rc:$(plain_version)" "1:1.1" "plain: a downgrade dropping data refuses"
like "$out" "legacy ids of 1 items" "plain: the refusal names the data"
tc todo_mig_plain migrate down --force --plain-dir "$plain"
is "$rc:$(plain_version):$(q todo_mig_plain "SELECT count(*) FROM todo.items")" "0:1.0:2" "plain: down --force goes to 1.0, rows kept"
mkdir -p "$work/plain-gap"
cp "$plain/todo-plain--1.0.sql" "$work/plain-gap/"
echo "CREATE TABLE todo.t12 (id integer);" >"$work/plain-gap/todo-plain--1.1--1.2.sql"
tc todo_mig_plain migrate up --plain-dir "$work/plain-gap"
is "$rc:$(plain_version)" "1:1.0" "plain: a missing script in the chain: exit 1, still 1.0"
like "$out" "no chain of scripts from 1.0 to 1.2 in $work/plain-gap" "plain: a missing script is named as such"
cp -r "$plain" "$work/plain-bad"
echo "CREATE TABLE todo.t12 (id integer);" >"$work/plain-bad/todo-plain--1.1--1.2.sql"
printf '%s\n' "CREATE TABLE todo.t13 (id integer);" "SELECT 1 / 0;" >"$work/plain-bad/todo-plain--1.2--1.3.sql"
tc todo_mig_plain migrate up --plain-dir "$work/plain-bad"
is "$rc:$(plain_version)" "1:1.0" "plain: a chain 1.0 -> 1.3 failing in its third script: still 1.0"
is "$(q todo_mig_plain "SELECT count(*) FROM pg_tables WHERE schemaname = 'todo' AND tablename IN ('t12', 't13')"):$(q todo_mig_plain "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'todo' AND column_name = 'legacy_id'")" "0:0" \
	"plain: nothing of the failed chain's first scripts remains"
tc todo_mig_plain migrate up --plain-dir "$plain"
is "$rc:$(plain_version)" "0:1.1" "plain: up again to 1.1"
rm -rf "$work/plain-commit"
cp -r "$plain" "$work/plain-commit"
printf '%s\n' "CREATE TABLE todo.t12 (id integer);" "COMMIT;" "SELECT 1 / 0;" >"$work/plain-commit/todo-plain--1.1--1.2.sql"
tc todo_mig_plain migrate up --plain-dir "$work/plain-commit"
is "$rc:$(plain_version):$(q todo_mig_plain "SELECT count(*) FROM pg_tables WHERE schemaname = 'todo' AND tablename = 't12'")" "1:1.1:0" \
	"plain: a script with a COMMIT is refused before it runs"
like "$out" "todo-plain--1.1--1.2.sql, line 2: COMMIT: todoctl runs the scripts in its own transaction" "plain: the refusal names the script, the line and the statement"
tc todo_mig_fresh migrate up --plain --plain-dir "$plain"
is "$rc:$(version todo_mig_fresh)" "1:$latest" "--plain on a database with the extension refuses"

# --- the real plain-SQL scripts, when installed (make -C extension install puts them there)
real="$(pg_config --sharedir)/todo-plain"
if compgen -G "$real/todo-plain--*.sql" >/dev/null; then
	new_db todo_mig_real
	tc todo_mig_real migrate up --plain
	is "$rc:$(q todo_mig_real "SELECT version FROM todo.schema_version")" "0:$latest" "real plain scripts: up --plain installs $latest from $real"
	tc todo_mig_real migrate status
	like "$out" "install: plain-SQL install.*state: up-to-date" "real plain scripts: status up-to-date"
	add_data todo_mig_real
	sum=$(checksum todo_mig_real)
	tc todo_mig_real migrate down
	prev=$(q todo_mig_real "SELECT version FROM todo.schema_version")
	is "$rc:$(checksum todo_mig_real)" "0:$sum" "real plain scripts: down ($latest -> $prev) keeps every row"
	tc todo_mig_real migrate up
	is "$rc:$(q todo_mig_real "SELECT version FROM todo.schema_version"):$(checksum todo_mig_real)" "0:$latest:$sum" "real plain scripts: up again keeps every row"
	new_db todo_mig_real2
	tc todo_mig_real2 migrate up --plain
	same_catalog todo_mig_real2 todo_mig_real "real plain scripts: $latest -> $prev -> $latest has a fresh plain install's catalogs"
else
	for t in install status down up catalogs; do
		ok "# SKIP no plain-SQL scripts in $real (make -C extension install): $t"
	done
fi

# --- health across a migration: a gateway built for 1.1 against a database at 1.0
gateway_bin=$top/gateway/todo-gateway
new_db todo_mig_health
tc todo_mig_health migrate up --to 1.0
q todo_mig_health "ALTER ROLE todo_gateway LOGIN PASSWORD '$GATEWAY_PASSWORD'" 2>/dev/null
health() { curl -s --max-time 2 -w ' %{http_code}' "$gw_url/api/v1/health"; }
if gateway_start gateway DATABASE_URL="$(database_url todo_mig_health)" ENVIRONMENT=development; then
	h=$(health)
	like "$h" '"status": ?"degraded".*"migration": ?"out-of-date".* 200$' "health at 1.0 (gateway built for $latest): 200, degraded, out-of-date"
	like "$(cat "$work/gateway.err" "$work/gateway.out")" "schema version 1.0 differs from the version this gateway was built for \($latest\)" \
		"the gateway's start-up log warns that the schema is 1.0, not $latest"
	tc todo_mig_health migrate up
	is "$rc:$(version todo_mig_health)" "0:$latest" "todoctl migrate up under a running gateway"
	start=$SECONDS
	while h=$(health) && ! printf '%s' "$h" | grep -q '"up-to-date"' && [ $((SECONDS - start)) -lt 10 ]; do
		sleep 0.1
	done
	like "$h" '"status": ?"healthy".*"migration": ?"up-to-date".* 200$' "health after the migration: healthy, up-to-date, without a restart (within $((SECONDS - start)) s)"
	is "$(kill -0 "$gw_pid" 2>/dev/null && echo running)" running "the gateway kept running throughout"
	gateway_stop gateway
else
	not_ok "the gateway did not start" "$(tail -20 "$work/gateway.err")"
fi


tap_plan
