#!/usr/bin/env bash
# bench/http.sh DBNAME: requests per second through the gateway (wrk) next to the same SQL
# sent straight to PostgreSQL (pgbench, pipelined like the gateway), to show the HTTP cost.
#
# Expects the environment of test/cluster.sh (PGHOST, PGPORT, GATEWAY_PASSWORD) and a
# database DBNAME with the extension installed (bench/run.sh provides both). Starts the
# gateway on a free port and stops it on exit. BENCH_SECONDS (5), BENCH_CONNECTIONS (10).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
. test/lib.sh

db=${1:?usage: bench/http.sh DBNAME}
secs=${BENCH_SECONDS:-5}
conns=${BENCH_CONNECTIONS:-10}
tmp=$(mktemp -d)
port=$(free_port)
base="http://127.0.0.1:$port"
gateway_pid=
cleanup() {
	if [ -n "$gateway_pid" ]; then kill -TERM "$gateway_pid" 2>/dev/null; wait "$gateway_pid" || true; fi
	rm -rf "$tmp"
}
trap cleanup EXIT

make -s -C gateway all >/dev/null
DATABASE_URL=$(database_url "$db") PORT=$port POOL_SIZE=$conns LOG_LEVEL=warn \
	gateway/todo-gateway >/dev/null 2>"$tmp/gateway.err" &
gateway_pid=$!
wait_http "$base/api/v1/health" 30 || { cat "$tmp/gateway.err" >&2; exit 1; }

# one user with 100 tasks
name="bench$RANDOM$RANDOM"
reg=$(curl -sf -X POST "$base/api/auth/register" -H 'Content-Type: application/json' \
	-d "{\"username\":\"$name\",\"email\":\"$name@example.com\",\"password\":\"bench-password\"}")
token=$(jq -r .data.access_token <<<"$reg")
uid=$(jq -r .data.user.id <<<"$reg")
for i in $(seq 1 100); do
	tid=$(curl -sf -X POST "$base/api/$uid/tasks" -H "Authorization: Bearer $token" \
		-H 'Content-Type: application/json' \
		-d "{\"title\":\"task $i\",\"tags\":[\"t$((i % 5))\"],\"priority\":\"high\"}" | jq -r .data.id)
done

http() { # label path [wrk args]: prints "label  N req/s  p50 p99"
	local label=$1 path=$2
	shift 2
	wrk -t2 -c"$conns" -d"${secs}s" --latency "$@" "$base$path" >"$tmp/wrk" 2>&1
	printf '  %-34s %8s req/s   p50 %-8s p99 %s\n' "$label" \
		"$(awk '/Requests\/sec/ {printf "%.0f", $2}' "$tmp/wrk")" \
		"$(awk '$1 == "50%" {print $2}' "$tmp/wrk")" "$(awk '$1 == "99%" {print $2}' "$tmp/wrk")"
	if [ "$path" != /nowhere ] && grep -q 'Non-2xx' "$tmp/wrk"; then
		grep 'Non-2xx' "$tmp/wrk" | sed 's/^/    /'
	fi
}

sql() { # label role call: the gateway's pipeline (context + call, one Sync) via pgbench
	local label=$1 role=$2 call=$3
	cat >"$tmp/script.sql" <<-SQL
		\\startpipeline
		SELECT pg_catalog.set_config('role', '$role', true), pg_catalog.set_config('app.token', :token, true), pg_catalog.set_config('app.user_id', :uid, true);
		SELECT data, meta, error FROM $call;
		\\endpipeline
	SQL
	PGPASSWORD=$GATEWAY_PASSWORD pgbench -n -h 127.0.0.1 -p "$PGPORT" -U todo_gateway \
		-c "$conns" -j 2 -T "$secs" -M extended -D token="$token" -D uid="$uid" -D tid="$tid" \
		-f "$tmp/script.sql" "$db" >"$tmp/pgbench" 2>&1 || { cat "$tmp/pgbench" >&2; return 1; }
	if grep -qE 'aborted|failed transactions: [1-9]' "$tmp/pgbench"; then grep -E 'aborted|failed transactions: [1-9]' "$tmp/pgbench" | sed 's/^/    /'; fi
	printf '  %-34s %8s tx/s\n' "$label" \
		"$(awk '/^tps/ {printf "%.0f", $3}' "$tmp/pgbench")"
}

auth=(-H "Authorization: Bearer $token")
echo "gateway (wrk, $conns connections, ${secs}s each):"
http "GET /api/v1/health" /api/v1/health
http "GET /api/auth/me" /api/auth/me "${auth[@]}"
http "GET /api/{uid}/tasks/{id}" "/api/$uid/tasks/$tid" "${auth[@]}"
http "GET /api/{uid}/tasks?limit=20" "/api/$uid/tasks?limit=20" "${auth[@]}"
http "GET /api/{uid}/tasks (100 tasks)" "/api/$uid/tasks" "${auth[@]}"
http "GET /nowhere (404, no database)" /nowhere
echo "the same SQL without HTTP (pgbench, pipelined, $conns connections):"
sql "api.health()" todo_anon "api.health()"
sql "api.me()" todo_user "api.me()"
sql "api.task_get(id)" todo_user "api.task_get(:tid)"
sql "api.task_list({limit: 20})" todo_user "api.task_list('{\"limit\":[\"20\"]}'::jsonb)"
sql "api.task_list({})" todo_user "api.task_list('{}'::jsonb)"
