#!/usr/bin/env bash
# bench/stream.sh DB: the streamed list (issue 11; docs/sql-api.md, "The streamed list").
#   1. 10 clients each read a list of 50 MB (5,000 tasks of 10,000 characters) at once: the
#      gateway's peak resident memory (VmHWM of a gateway started for this alone), the peak
#      private memory (RssAnon) of the database backends serving it, and the throughput.
#   2. One client reads a list of 10,000 tasks, then one of 100,000, each through a gateway
#      with one pooled connection: that backend's peak private memory (VmHWM less the
#      shared buffers it touched) for each, to show it does not grow with the list.
# Needs the environment of a cluster (test/cluster.sh) and DB with the extension installed.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
. test/lib.sh
db=${1:?usage: bench/stream.sh DATABASE}
tmp=$(mktemp -d)
run=$$  # user names of this run
gateway_pid=
cleanup() {
	if [ -n "$gateway_pid" ]; then
		kill -TERM "$gateway_pid" 2>/dev/null || true
		wait "$gateway_pid" 2>/dev/null || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
make -s -C gateway all >/dev/null

# gateway_start POOL_SIZE: a gateway of its own (its VmHWM is this bench's alone)
gateway_start() {
	port=$(free_port)
	base="http://127.0.0.1:$port"
	DATABASE_URL=$(database_url "$db") PORT=$port POOL_SIZE=$1 setsid gateway/todo-gateway >/dev/null 2>"$tmp/gateway.err" &
	gateway_pid=$!
	wait_http "$base/api/v1/health" 30 || { cat "$tmp/gateway.err" >&2; exit 1; }
}
gateway_stop() {
	kill -TERM "$gateway_pid"
	wait "$gateway_pid" || true
	gateway_pid=
}
register() { # NAME: prints "user_id token"
	curl -sf --max-time 10 -X POST "$base/api/auth/register" -H 'Content-Type: application/json' \
		-d "{\"username\":\"stream_$1_$run\",\"email\":\"stream_$1_$run@example.com\",\"password\":\"benchmark1\"}" |
		jq -r '.data.user.id + " " + .data.access_token'
}
# the backends of this database but ours (the gateway's connections), their pids
backends() {
	psql -XAtq -d "$db" -c "SELECT pid FROM pg_stat_activity WHERE datname = current_database()
		AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
}
# sample_anon FILE PIDS...: until killed, each pid's RssAnon (kB) as "pid kB" lines, every
# 20 ms
sample_anon() {
	local out=$1 pid
	shift
	while :; do
		for pid in "$@"; do
			awk -v pid="$pid" '/^RssAnon/ {print pid, $2}' "/proc/$pid/status" 2>/dev/null || true
		done >>"$out"
		sleep 0.02
	done
}
# the largest value of one backend (kB) in a sample file
max_of() { awk '$2 > m { m = $2 } END { print m + 0 }' "$1"; }

gateway_start 10
read -r big_uid big_token < <(register big)
# (the two tokens below are read as ${!token_var})
# shellcheck disable=SC2034
read -r k10_uid k10_token < <(register k10)
# shellcheck disable=SC2034
read -r k100_uid k100_token < <(register k100)
psql -X -q -v ON_ERROR_STOP=1 -d "$db" -v big="$big_uid" -v k10="$k10_uid" -v k100="$k100_uid" <<-'EOF'
	INSERT INTO todo.tasks (user_id, title, description)
	SELECT :'big', 'task ' || i, repeat('d', 10000) FROM generate_series(1, 5000) i;
	INSERT INTO todo.tasks (user_id, title, description, priority, due_date, tags)
	SELECT u, 'task number ' || i, 'description of task ' || i,
		(ARRAY['low','medium','high'])[1 + i % 3]::todo.task_priority, now() + i * interval '1 hour', ARRAY['t' || (i % 7), 'work']
	FROM (VALUES (:'k10'::uuid, 10000), (:'k100'::uuid, 100000)) AS n(u, count), generate_series(1, n.count) i;
	ANALYZE todo.tasks;
EOF
curl -sf --max-time 60 -o "$tmp/one.json" "$base/api/$big_uid/tasks" -H "Authorization: Bearer $big_token"
size=$(wc -c <"$tmp/one.json")

# --- 1. 10 clients x 50 MB at once ---------------------------------------------------------
# a first round, unmeasured, opens the pool's connections
big_round() {
	local i clients=()
	for i in $(seq 1 10); do
		curl -sf --max-time 300 -o "$tmp/big$i.json" -w '%{http_code}\n' "$base/api/$big_uid/tasks" \
			-H "Authorization: Bearer $big_token" >"$tmp/code$i" &
		clients+=($!)
	done
	wait "${clients[@]}"
}
big_round
mapfile -t pids < <(backends)
sample_anon "$tmp/anon10" "${pids[@]}" &
sampler=$!
t0=$(date +%s.%N)
big_round
t1=$(date +%s.%N)
kill "$sampler" 2>/dev/null; wait "$sampler" 2>/dev/null || true
complete=0
for i in $(seq 1 10); do
	if [ "$(cat "$tmp/code$i")" = 200 ] && cmp -s "$tmp/big$i.json" "$tmp/one.json"; then complete=$((complete + 1)); fi
done
hwm=$(awk '/^VmHWM/ {print $2}' "/proc/$gateway_pid/status")
echo "== the streamed list (issue 11): 10 clients each reading a list of $((size / 1000000)) MB (5,000 tasks) at once"
awk -v s="$size" -v t0="$t0" -v t1="$t1" -v ok="$complete" -v hwm="$hwm" -v anon="$(max_of "$tmp/anon10")" -v n="${#pids[@]}" 'BEGIN {
	printf "  complete and identical: %d of 10; %.2f s; %.0f MB/s; %.1f lists/s\n", ok, t1 - t0, 10 * s / (t1 - t0) / 1e6, 10 / (t1 - t0)
	printf "  gateway peak resident memory (VmHWM): %.1f MB (target < 30 MB: %s)\n", hwm / 1024, hwm / 1024 < 30 ? "met" : "NOT met"
	printf "  the %d backends'"'"' private memory (RssAnon): at most %.1f MB each\n", n, anon / 1024 }'
gateway_stop

# --- 2. one backend, 10,000 then 100,000 tasks ---------------------------------------------
# A backend's peak private memory: its peak resident memory (VmHWM) less what of it is
# shared (RssShmem: the shared buffers it touched, which only grows) and mapped files, read
# at the end; each list on a backend of its own (a gateway with one pooled connection).
peak_private_kb() {
	awk '/^VmHWM/ {h = $2} /^RssShmem/ {s = $2} /^RssFile/ {f = $2} END { print h - s - f }' "/proc/$1/status"
}
for n in k10 k100; do
	uid_var=${n}_uid token_var=${n}_token
	gateway_start 1
	curl -sf --max-time 60 -o /dev/null "$base/api/${!uid_var}/tasks?limit=1" -H "Authorization: Bearer ${!token_var}"
	mapfile -t pids < <(backends)
	before=$(peak_private_kb "${pids[0]}")
	t0=$(date +%s.%N)
	curl -sf --max-time 300 -o "$tmp/$n.json" "$base/api/${!uid_var}/tasks" -H "Authorization: Bearer ${!token_var}"
	t1=$(date +%s.%N)
	awk -v n="$n" -v s="$(wc -c <"$tmp/$n.json")" -v t0="$t0" -v t1="$t1" -v b="$before" -v a="$(peak_private_kb "${pids[0]}")" 'BEGIN {
		printf "  list of %s tasks (%.1f MB) on a backend of its own: %.2f s; its peak private memory: %.1f MB (%.1f MB after a page of one task)\n",
			n == "k10" ? "10,000" : "100,000", s / 1e6, t1 - t0, a / 1024, b / 1024 }'
	gateway_stop
done
