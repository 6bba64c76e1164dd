#!/usr/bin/env bash
# bench/replica.sh: list throughput with 0 and 1 read replicas (issue 13, docs/scaling.md), as
# a ratio measured in one run. A primary and a streaming standby of its own (pg_basebackup
# -R, as test/suites/replica.sh makes them), two gateways on the primary: one without
# replicas, one with the standby in DATABASE_READ_URL; wrk lists a user's 20 tasks through
# each in turns (0, 1, 0, 1, ...) so that drift in the machine's load hits both alike.
# Both servers, both gateways and wrk share the machine's cores: on one machine a replica
# moves the work, it does not add CPU (docs/scaling.md says what to expect and why).
#
#   BENCH_SECONDS      length of each measured run (10)
#   BENCH_ROUNDS       runs per setting (2)
#   BENCH_CONNECTIONS  wrk connections (50)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
. test/lib.sh

secs=${BENCH_SECONDS:-10}
rounds=${BENCH_ROUNDS:-2}
conns=${BENCH_CONNECTIONS:-50}
for tool in wrk curl jq pg_basebackup; do
	command -v "$tool" >/dev/null || { echo "bench/replica.sh: $tool is not installed" >&2; exit 1; }
done

state_dir tmp_check >/dev/null # reachable by the server, wherever the checkout is
dir="$top/tmp_check/bench-replica"
bindir=$(pg_config --bindir)
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do
		kill -TERM "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	as_pg "$bindir/pg_ctl" -D "$dir/standby/data" -m fast -w stop >/dev/null 2>&1 || true
	test/cluster.sh stop "$dir/primary"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

make -s -C extension all install >/dev/null
make -s -C gateway all >/dev/null
test/cluster.sh stop "$dir/primary" >/dev/null 2>&1 || true
as_pg "$bindir/pg_ctl" -D "$dir/standby/data" -m immediate -w stop >/dev/null 2>&1 || true
rm -rf "$dir"
mkdir -p "$dir/standby"
[ "$(id -u)" = 0 ] && chown postgres: "$dir/standby"
test/cluster.sh start "$dir/primary" todo >/dev/null
. "$dir/primary/env"
create_todo_database todo_bench >/dev/null
rport=$(free_port)
as_pg "$bindir/pg_basebackup" -D "$dir/standby/data" -h "$PGHOST" -p "$PGPORT" -U postgres -R -X stream
cat >>"$dir/standby/data/postgresql.conf" <<-EOF
	port = $rport
	unix_socket_directories = '$dir/standby'
EOF
as_pg "$bindir/pg_ctl" -D "$dir/standby/data" -l "$dir/standby/server.log" -w -t 60 start >/dev/null

# gateway NAME VAR=VALUE...: a gateway on a free port; sets gw_url. Not called in $(...):
# its pid must reach this shell's pids, which cleanup stops
gateway() {
	local name=$1 port
	shift
	port=$(free_port)
	env "$@" PORT="$port" LOG_LEVEL=warn setsid gateway/todo-gateway >/dev/null 2>"$dir/$name.err" &
	pids+=($!)
	wait_http "http://127.0.0.1:$port/api/v1/health" 30 || { cat "$dir/$name.err" >&2; exit 1; }
	gw_url="http://127.0.0.1:$port"
}
admin=$(free_port)
gateway gw0 DATABASE_URL="$(database_url todo_bench)"
gw0=$gw_url
gateway gw1 DATABASE_URL="$(database_url todo_bench)" ADMIN_PORT="$admin" \
	DATABASE_READ_URL="postgresql://todo_gateway:$GATEWAY_PASSWORD@127.0.0.1:$rport/todo_bench"
gw1=$gw_url

name="bench_replica_$RANDOM$RANDOM"
reg=$(curl -sf -X POST "$gw0/api/auth/register" -H 'Content-Type: application/json' \
	-d "{\"username\":\"$name\",\"email\":\"$name@example.com\",\"password\":\"bench-password\"}")
uid=$(jq -r .data.user.id <<<"$reg")
token=$(jq -r .data.access_token <<<"$reg")
for i in $(seq 1 20); do
	curl -sf -o /dev/null -X POST "$gw0/api/$uid/tasks" -H "Authorization: Bearer $token" \
		-H 'Content-Type: application/json' \
		-d "{\"title\":\"task $i\",\"description\":\"description of task $i\",\"priority\":\"high\",\"tags\":[\"t$((i % 5))\",\"work\"]}"
done
# the tasks replayed and the replica in rotation: gw1's reads then go to it
for ((i = 0; i < 100; i++)); do
	curl -s "http://127.0.0.1:$admin/ready" | grep -q '^replica 0: in rotation' &&
		[ "$(psql -X -At -h "$dir/standby" -p "$rport" -d todo_bench -c "SELECT count(*) FROM todo.tasks WHERE user_id = '$uid'")" = 20 ] && break
	sleep 0.1
done
reads() { curl -s "http://127.0.0.1:$admin/metrics" | awk '$1 == "todo_replica_reads_total{replica=\"0\"}" { print $2 }'; }

# run URL: requests a second of wrk's list
run() {
	wrk -t2 -c"$conns" -d"${secs}s" -H "Authorization: Bearer $token" "$1/api/$uid/tasks" |
		awk '/^Requests\/sec:/ { print $2 }'
}
wrk -t2 -c"$conns" -d2s -H "Authorization: Bearer $token" "$gw1/api/$uid/tasks" >/dev/null # warm-up
wrk -t2 -c"$conns" -d2s -H "Authorization: Bearer $token" "$gw0/api/$uid/tasks" >/dev/null
r0=() r1=()
before=$(reads)
for ((k = 1; k <= rounds; k++)); do
	r0+=("$(run "$gw0")")
	r1+=("$(run "$gw1")")
	echo "round $k: 0 replicas ${r0[-1]} req/s, 1 replica ${r1[-1]} req/s"
done
served=$(($(reads) - before))
awk -v a="${r0[*]}" -v b="${r1[*]}" -v s="$served" -v load="$(cut -d' ' -f1-3 /proc/loadavg)" 'BEGIN {
	n = split(a, x, " "); split(b, y, " ")
	for (i = 1; i <= n; i++) { s0 += x[i]; s1 += y[i] }
	printf "list of 20 tasks: 0 replicas %.0f req/s, 1 replica %.0f req/s, ratio %.2f (mean of %d runs; %d reads answered by the replica; load average %s)\n",
		s0 / n, s1 / n, s1 / s0, n, s, load
}'
