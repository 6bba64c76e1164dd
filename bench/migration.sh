#!/usr/bin/env bash
# bench/migration.sh: the migration figure of issue 4, on a throwaway cluster of its own.
# A database at 1.0 with 10,000 users, 1,000,000 tasks and 10,000 sessions; while
# pgbench calls the API the way the gateway does (api.task_list and api.task_create, each
# with its context statement in one implicit transaction, as todo_gateway), `todoctl
# migrate up` takes it to 1.1. Reports the migration's time, and how long the API stalled:
# the longest API call that overlapped the migration, next to the longest before and after
# it, the API calls that failed, and the lock waits over one second the server logged
# (log_lock_waits). todoctl runs with its defaults (--lock-timeout 2000, --attempts 5).
#
#   BENCH_MIGRATION_TASKS    tasks (1000000)
#   BENCH_MIGRATION_CLIENTS  pgbench clients (4)
#   BENCH_MIGRATION_TO       the version to migrate to (the latest), for trying a variant script
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
. test/lib.sh

tasks=${BENCH_MIGRATION_TASKS:-1000000}
clients=${BENCH_MIGRATION_CLIENTS:-4}
dir="$top/tmp_check/bench-migration"
tmp="$dir/work"
make -s -C extension all install >/dev/null
make -s -C todoctl all >/dev/null
pgbench_pid=
cleanup() {
	[ -n "$pgbench_pid" ] && kill "$pgbench_pid" 2>/dev/null && wait "$pgbench_pid" 2>/dev/null
	test/cluster.sh stop "$dir"
	rm -rf "$dir/data"   # half a gigabyte; the logs stay in $dir
}
trap cleanup EXIT
trap 'exit 130' INT TERM
# a new cluster each time: server settings and logs of an earlier run must not count
test/cluster.sh stop "$dir"
rm -rf "$dir"
test/cluster.sh start "$dir" todo >/dev/null
. "$dir/env"
rm -rf "$tmp"
mkdir -p "$tmp"
[ "$(id -u)" = 0 ] && chown postgres: "$tmp"
db=todo_migration
admin_url="postgresql://postgres@127.0.0.1:$PGPORT/$db"
psql -X -q -d postgres -c "ALTER SYSTEM SET log_lock_waits = on" -c "SELECT pg_reload_conf()" >/dev/null
dropdb --if-exists "$db" 2>/dev/null; createdb "$db"
psql -X -q -v ON_ERROR_STOP=1 -d "$db" -v pw="$GATEWAY_PASSWORD" <<-'SQL'
	SET client_min_messages = warning;
	CREATE EXTENSION todo VERSION '1.0' CASCADE;
	ALTER ROLE todo_gateway LOGIN PASSWORD :'pw';
SQL

clock() { date +%s.%N; }
elapsed() { echo "$1 $2" | awk '{ printf "%.2f", $2 - $1 }'; }

echo "== migration 1.0 -> ${BENCH_MIGRATION_TO:-1.1} under API load ($tasks tasks, $clients pgbench clients)"

# --- the data, as superuser (one bcrypt hash shared by every user: hashing is not measured)
t0=$(clock)
psql -X -q -v ON_ERROR_STOP=1 -d "$db" -v tasks="$tasks" <<-'SQL'
	INSERT INTO todo.users (username, email, password_hash)
	SELECT 'user' || i, 'user' || i || '@example.com', h.hash
	FROM generate_series(1, 10000) i, (SELECT todo.hash_password('bench password') AS hash) h;
	INSERT INTO todo.tasks (user_id, title, description, status, priority, due_date, tags)
	SELECT u.id, 'task ' || i, CASE WHEN i % 3 = 0 THEN 'description of task ' || i END,
		CASE WHEN i % 4 = 0 THEN 'completed' ELSE 'pending' END::todo.task_status,
		(ARRAY['low', 'medium', 'high'])[1 + i % 3]::todo.task_priority,
		CASE WHEN i % 2 = 0 THEN now() + (i % 1000) * interval '1 hour' END,
		(ARRAY['{}', '{work}', '{home,work}', '{errands}'])[1 + i % 4]::text[]
	FROM generate_series(1, :tasks) i
	JOIN (SELECT id, row_number() OVER (ORDER BY username) - 1 AS k FROM todo.users) u ON u.k = i % 10000;
	INSERT INTO todo.sessions (user_id, token_jti, expires_at)
	SELECT id, 'bench-' || id, now() + interval '1 day' FROM todo.users;
	VACUUM ANALYZE;
	CHECKPOINT;
SQL
t1=$(clock)
echo "data: 10,000 users, $tasks tasks, 10,000 sessions at 1.0, loaded in $(elapsed "$t0" "$t1") s ($(psql -X -A -t -d "$db" -c "SELECT pg_size_pretty(pg_database_size(current_database()))"))"

# --- the API load: a token of user1 (one of its 100 tasks a page), like the gateway sends
login=$(psql -X -A -t -q -d "$db" -c "BEGIN; SET LOCAL ROLE todo_anon;
	SELECT (r.data ->> 'access_token') || ' ' || (r.data -> 'user' ->> 'id')
	FROM api.login('{\"username\": \"user1\", \"password\": \"bench password\"}') r; COMMIT;" | grep -v '^$')
token=${login% *}
uid=${login#* }
ctx="SELECT pg_catalog.set_config('role', 'todo_user', true), pg_catalog.set_config('app.token', ':token', true), pg_catalog.set_config('app.user_id', ':uid', true)"
echo "$ctx \\; SELECT data, meta, error FROM api.task_list('{\"limit\": [\"20\"]}');" >"$tmp/list.sql"
echo "$ctx \\; SELECT data, meta, error FROM api.task_create('{\"title\": \"created during the migration\"}');" >"$tmp/create.sql"

load_secs=20
before_secs=5
(cd "$tmp" && PGPASSWORD=$GATEWAY_PASSWORD exec pgbench -n -h 127.0.0.1 -p "$PGPORT" -U todo_gateway \
	-c "$clients" -j "$clients" -T "$load_secs" -D token="$token" -D uid="$uid" \
	-f list.sql@3 -f create.sql@1 -l --log-prefix=api "$db" >pgbench.out 2>&1) &
pgbench_pid=$!
sleep "$before_secs"

# --- the migration (the server log from here on is the migration's)
log_from=$(($(stat -c %s "$dir/server.log") + 1))
m0=$(date +%s%6N)
target=${BENCH_MIGRATION_TO:-1.1}
migrate_rc=0
DATABASE_URL=$admin_url todoctl/todoctl migrate up --to "$target" --lock-timeout 2000 --attempts 5 \
	>"$tmp/migrate.out" 2>&1 || migrate_rc=$?
m1=$(date +%s%6N)
wait "$pgbench_pid" || { cat "$tmp/pgbench.out"; exit 1; }
pgbench_pid=
version=$(psql -X -A -t -d "$db" -c "SELECT extversion FROM pg_extension WHERE extname = 'todo'")
attempts=$(grep -c '^applying' "$tmp/migrate.out" || true)
seconds=$(awk -v a="$m0" -v b="$m1" 'BEGIN { printf "%.2f", (b - a) / 1e6 }')
if [ "$migrate_rc" = 0 ] && [ "$version" = "$target" ]; then
	echo "todoctl migrate up 1.0 -> $target: $seconds s (the whole command: connect, lock, ALTER EXTENSION, commit; $attempts attempt(s))"
else
	# a figure too: reported, not fatal, so that the rest of make bench runs
	echo "todoctl migrate up 1.0 -> $target FAILED (exit $migrate_rc, still $version) after $seconds s and $attempts attempt(s):"
	grep -E 'failed:|gave up' "$tmp/migrate.out" | sort | uniq -c | sed 's/^/  /'
fi

# pgbench's per-transaction log: client tx latency_us script epoch_s epoch_us ("failed"
# for the latency of a failed call); a call overlaps the migration when it began before
# the migration ended and ended after it began
cat "$tmp"/api.* | awk -v m0="$m0" -v m1="$m1" -v clients="$clients" '
	$3 !~ /^[0-9]+$/ { failed++; next }
	{ end = $5 * 1000000 + $6; start = end - $3
	  if (end <= m0) { before++; if ($3 + 0 > bmax) bmax = $3 + 0 }
	  else if (start < m1) { during++; if ($3 + 0 > dmax) dmax = $3 + 0 }
	  else { after++; if ($3 + 0 > amax) amax = $3 + 0 } }
	END {
	  printf "API calls (%d pgbench clients, task_list 3 : task_create 1):\n", clients
	  printf "  before the migration: %6d calls, the longest %7.1f ms\n", before, bmax / 1000
	  printf "  overlapping it:       %6d calls, the longest %7.1f ms (the stall)\n", during, dmax / 1000
	  printf "  after it:             %6d calls, the longest %7.1f ms\n", after, amax / 1000
	  printf "  failed:               %6d\n", failed }'
tail -c "+$log_from" "$dir/server.log" >"$tmp/server.log"
echo "server, during the load: $(grep -c "still waiting for" "$tmp/server.log") lock waits over deadlock_timeout (1 s), $(grep -c "ERROR:  deadlock detected" "$tmp/server.log") deadlocks, $(grep -c "ERROR:  canceling statement due to lock timeout" "$tmp/server.log") lock timeouts"

# --- the same migration without load (after going back to 1.0 if it went through)
if [ "$version" = "$target" ] &&
	! DATABASE_URL=$admin_url todoctl/todoctl migrate down --to 1.0 >"$tmp/down.out" 2>&1; then
	echo "todoctl migrate up 1.0 -> $target without load: not measured (no way back to 1.0: $tmp/down.out)"
	exit 0
fi
i0=$(date +%s%6N)
DATABASE_URL=$admin_url todoctl/todoctl migrate up --to "$target" >"$tmp/idle.out" 2>&1 || { cat "$tmp/idle.out"; exit 1; }
i1=$(date +%s%6N)
echo "todoctl migrate up 1.0 -> $target without load: $(awk -v a="$i0" -v b="$i1" 'BEGIN { printf "%.2f", (b - a) / 1e6 }') s"
