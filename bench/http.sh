#!/usr/bin/env bash
# bench/http.sh DBNAME: the HTTP figures of issues 3 and 11 (docs/benchmarks.md). For each
# request, wrk against the gateway, pgbench sending the very transaction the gateway sends
# for it (docs/sql-api.md: context statement + API call, pipelined, one Sync, bind
# parameters), and pgbench -M prepared running the request's one-statement reference
# (bench/reference_REQUEST.sql, as a superuser), in turns that rotate from round to round so
# that drift in the machine's load hits all alike. Prints one line per run, then the table.
#
# Expects the environment of test/cluster.sh (PGHOST, PGPORT, GATEWAY_PASSWORD) and a
# database DBNAME with the extension installed; bench/run.sh (`make bench`) provides both.
# Loopback only. Starts the gateway as `make run` does (POOL_SIZE, LOG_LEVEL, ... from the
# environment, defaults otherwise; the access log goes to /dev/null) and stops it on exit.
# The cluster and the gateway are scheduled as services (bench/service_layout.sh: a CPU
# cgroup each, as systemd runs them) when the machine lets root do so; the list is then also
# measured once as a login session schedules it (kernel autogroups), for comparison.
#
#   BENCH_SECONDS      length of each measured run (10)
#   BENCH_WARMUP       unmeasured wrk and pgbench run before each request's first (2)
#   BENCH_ROUNDS       wrk/pgbench pairs per request (2)
#   BENCH_CONNECTIONS  wrk connections and pgbench clients (50)
#   BENCH_ONLY         requests to run, among: health list create create_one get update complete
#                      (all; create: POSTs spread over 50 users, create_one: all for one user)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
. test/lib.sh
. bench/service_layout.sh

db=${1:?usage: bench/http.sh DBNAME}
secs=${BENCH_SECONDS:-10}
warm=${BENCH_WARMUP:-2}
rounds=${BENCH_ROUNDS:-2}
conns=${BENCH_CONNECTIONS:-50}
only=${BENCH_ONLY:-health list create create_one get update complete}
for tool in wrk pgbench curl jq; do
	command -v "$tool" >/dev/null || { echo "bench/http.sh: $tool is not installed" >&2; exit 1; }
done
: "${PGPORT:?bench/http.sh: no cluster environment (run it through bench/run.sh)}"

tmp=$(mktemp -d)
port=$(free_port)
base="http://127.0.0.1:$port"
gateway_pid=
sampler_pid=
cleanup() {
	if [ -n "$sampler_pid" ]; then kill "$sampler_pid" 2>/dev/null || true; fi
	service_layout_stop
	if [ -n "$gateway_pid" ]; then
		kill -TERM "$gateway_pid" 2>/dev/null || true
		wait "$gateway_pid" 2>/dev/null || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

make -s -C gateway all >/dev/null
DATABASE_URL=$(database_url "$db") PORT=$port setsid gateway/todo-gateway >/dev/null 2>"$tmp/gateway.err" &
gateway_pid=$!
wait_http "$base/api/v1/health" 30 || { cat "$tmp/gateway.err" >&2; exit 1; }

# register NAME: prints "user_id token"
register() {
	local name="bench_$1_$RANDOM$RANDOM" reg
	reg=$(curl -sf --max-time 10 -X POST "$base/api/auth/register" -H 'Content-Type: application/json' \
		-d "{\"username\":\"$name\",\"email\":\"$name@example.com\",\"password\":\"bench-password\"}")
	jq -r '.data.user.id + " " + .data.access_token' <<<"$reg"
}
# the list user has 20 tasks; POSTs go to 50 users (one drawn at random per request, by
# every tool alike), or for create_one all to the first of them: each insert locks its
# user's task count until it commits (extension/schema/27_task_limit.sql), so one user's
# inserts measure that lock rather than the request path
read -r list_uid list_token < <(register list)
create_users=50
for i in $(seq 1 "$create_users"); do register "create$i"; done >"$tmp/create_users"
read -r create_uid create_token <"$tmp/create_users"
create_uids=$(awk '{print "\047" $1 "\047"}' "$tmp/create_users" | paste -sd, -)
for i in $(seq 1 20); do
	curl -sf --max-time 10 -o /dev/null -X POST "$base/api/$list_uid/tasks" -H "Authorization: Bearer $list_token" \
		-H 'Content-Type: application/json' \
		-d "{\"title\":\"task $i\",\"description\":\"description of task $i\",\"priority\":\"high\",\"tags\":[\"t$((i % 5))\",\"work\"],\"due_date\":\"2030-01-$(printf %02d "$i")T10:00:00Z\"}"
done
[ "$(curl -sf --max-time 10 "$base/api/$list_uid/tasks" -H "Authorization: Bearer $list_token" | jq '.data | length')" = 20 ] ||
	{ echo "bench/http.sh: the list user does not have 20 tasks" >&2; exit 1; }
export BENCH_TASK_BODY='{"title":"bench-task","description":"created by bench/http.sh","priority":"high","tags":["bench","work"]}'
export BENCH_UPDATE_BODY='{"title":"bench-update","priority":"low"}'
# the item user's 50 tasks, for GET, PUT and PATCH of one task: ids ...000010 to ...000059,
# drawn at random per request (bench/item_task.lua, bench/reference_*.sql), so that 50
# connections do not all wait for one row's lock
read -r item_uid item_token < <(register item)
psql -XAtq -d "$db" -v ON_ERROR_STOP=1 -c "INSERT INTO todo.tasks (id, user_id, title, description, priority, tags)
	SELECT ('00000000-0000-4000-8000-0000000000' || i)::uuid, '$item_uid', 'item ' || i, 'description of item ' || i, 'medium', '{bench}'
	FROM generate_series(10, 59) i"
# the session of each token (the references check it as the API does)
jti_of() { psql -XAtq -d "$db" -c "SELECT token_jti FROM todo.sessions WHERE user_id = '$1'"; }
list_jti=$(jti_of "$list_uid"); create_jti=$(jti_of "$create_uid"); item_jti=$(jti_of "$item_uid")
# pgbench's POST: one script per user (its variables uidN, tokenN, jtiN), drawn at random
# per transaction, as post_task.lua draws a user per request
create_vars=()
i=0
while read -r uid token; do
	create_vars+=(-D "uid$i=$uid" -D "token$i=$token" -D "jti$i=$(jti_of "$uid")")
	i=$((i + 1))
done <"$tmp/create_users"
# the POSTs of one run go before the next (a user's tasks are bounded, and every run then
# starts from the same table)
forget_created() {
	case $1 in create | create_one) ;; *) return 0 ;; esac
	psql -XAtq -d "$db" -c "DELETE FROM todo.tasks WHERE user_id IN ($create_uids)" -c "VACUUM todo.tasks" >/dev/null
}
item_id="'00000000-0000-4000-8000-0000000000'::text || :i"

# The gateway's transaction as a pgbench script (query.c: context_sql, then the route's SQL
# from router.c). pgbench cannot pass an empty variable, so the anonymous route's empty
# token and user id are literals; everything else is a bind parameter, as in the gateway.
pgbench_script() { # request
	local context="SELECT pg_catalog.set_config('log_parameter_max_length_on_error', '0', true), pg_catalog.set_config('role', :role, true), pg_catalog.set_config('app.token', :token, true), pg_catalog.set_config('app.user_id', :uid, true), pg_catalog.set_config('app.client_addr', :addr, true);"
	local call draw=
	case $1 in
	health)
		context="SELECT pg_catalog.set_config('log_parameter_max_length_on_error', '0', true), pg_catalog.set_config('role', :role, true), pg_catalog.set_config('app.token', '', true), pg_catalog.set_config('app.user_id', '', true), pg_catalog.set_config('app.client_addr', :addr, true);"
		call="SELECT data, meta, error FROM api.health();" ;;
	# router.c's TASK_LIST_SQL (the size bound) and task_create's key columns
	list) call="SELECT CASE WHEN s.too_large THEN NULL ELSE r.data END, r.meta, CASE WHEN s.too_large THEN json_build_object('sqlstate', 'TD400', 'message', 'too long') ELSE r.error END FROM api.task_list(:query::jsonb) r, LATERAL (SELECT octet_length(r.data::text) > 33554432 AS too_large) s;" ;;
	create | create_one) call="SELECT data, meta, error, data->>'user_id', data->>'id' FROM api.task_create(:body::jsonb);" ;;
	get) call="SELECT data, meta, error FROM api.task_get($item_id);" ;;
	update) call="SELECT data, meta, error FROM api.task_update($item_id, :ubody::jsonb);" ;;
	complete) call="SELECT data, meta, error FROM api.task_complete($item_id, NULL);" ;;
	esac
	case $1 in get | update | complete) draw='\set i random(10, 59)' ;; esac
	printf '%s\n' ${draw:+"$draw"} '\startpipeline' "$context" "$call" '\endpipeline' >"$tmp/$1.sql"
	if [ "$1" = create ]; then
		for i in $(seq 0 $((create_users - 1))); do
			sed "s/:token\b/:token$i/; s/:uid\b/:uid$i/" "$tmp/create.sql" >"$tmp/create.$i.sql"
			sed "s/:jti\b/:jti$i/; s/:uid\b/:uid$i/" bench/reference_create.sql >"$tmp/reference_create.$i.sql"
		done
	fi
}
# pgbench's -f options for request (one per user for create)
scripts() { # request prefix
	if [ "$1" = create ]; then
		for i in $(seq 0 $((create_users - 1))); do printf -- '-f\n%s\n' "$tmp/$2create.$i.sql"; done
	elif [ "$2" = reference_ ]; then
		printf -- '-f\n%s\n' "bench/reference_${1%_one}.sql"
	else
		printf -- '-f\n%s\n' "$tmp/$1.sql"
	fi
}

# CPU time, in ms, that the cluster has used so far: the postmaster, its live children and
# the children it has reaped (cutime, cstime). With the gateway's and the client tool's, it
# gives each path's CPU cost per request, which the machine's other load does not skew.
postmaster_pid=$(psql -XAtd "$db" -c "SELECT pid FROM pg_stat_activity WHERE backend_type = 'checkpointer'" |
	xargs -I{} awk '{print $4}' /proc/{}/stat)
ticks_ms=$((1000 / $(getconf CLK_TCK)))
if service_layout_start "$postmaster_pid" "$gateway_pid" >"$tmp/layout"; then layout=services; else layout=session; fi
cluster_cpu_ms() {
	{ cat "/proc/$postmaster_pid/stat"; for c in $(pgrep -P "$postmaster_pid"); do cat "/proc/$c/stat" 2>/dev/null; done; } |
		awk -v ms="$ticks_ms" '{ sub(/^.*\) /, ""); t += $12 + $13; if (NR == 1) t += $14 + $15 } END { print t * ms }'
}
gateway_cpu_ms() {
	awk -v ms="$ticks_ms" '{ sub(/^.*\) /, ""); print ($12 + $13) * ms }' "/proc/$gateway_pid/stat"
}
TIMEFORMAT='%3U %3S'
tool_cpu_ms() { # the output of bash's time: user and system seconds
	awk '{ printf "%.0f", ($1 + $2) * 1000 }' "$1"
}

# percentiles of pgbench's sampled per-transaction log (microseconds, 3rd field) in ms
pgbench_percentiles() {
	cat "$tmp"/pgblog* | awk '{print $3}' | sort -n | awk '
		{ v[NR] = $1 }
		END {
			if (NR == 0) { print "- -"; exit }
			i50 = int(NR * 0.50); if (i50 < 1) i50 = 1
			i99 = int(NR * 0.99); if (i99 < 1) i99 = 1
			printf "%.2fms %.2fms\n", v[i50] / 1000, v[i99] / 1000
		}'
}

# wrk's latency ("812.00us", "3.21ms", "1.02s") in ms
wrk_ms() {
	awk -v x="$1" 'BEGIN {
		if (x ~ /us$/) v = x / 1000; else if (x ~ /ms$/) v = x + 0; else if (x ~ /s$/) v = x * 1000; else { print "-"; exit }
		printf "%.2fms\n", v }'
}

# run_wrk request seconds: prints "rps p50 p99 non2xx errors maxrss_kb cpu_us_per_request"
run_wrk() {
	local req=$1 t=$2 path args=()
	case $req in
	health) path=/api/v1/health ;;
	list) path="/api/$list_uid/tasks"; args=(-H "Authorization: Bearer $list_token") ;;
	create) path="/api/$create_uid/tasks"; args=(-s bench/post_task.lua); export BENCH_USERS_FILE="$tmp/create_users" ;;
	create_one) path="/api/$create_uid/tasks"; args=(-H "Authorization: Bearer $create_token" -s bench/post_task.lua); export BENCH_USERS_FILE= ;;
	get | update | complete)
		path="/api/$item_uid/tasks"; args=(-H "Authorization: Bearer $item_token" -s bench/item_task.lua)
		export BENCH_TASKS_PATH="/api/$item_uid/tasks/" BENCH_SUFFIX= BENCH_METHOD=GET
		case $req in update) BENCH_METHOD=PUT ;; complete) BENCH_METHOD=PATCH BENCH_SUFFIX=/complete ;; esac ;;
	esac
	forget_created "$req"
	( while :; do awk '/^VmRSS/ {print $2}' "/proc/$gateway_pid/status"; sleep 0.5; done ) >"$tmp/rss" 2>/dev/null &
	sampler_pid=$!
	local c0 g0 c1 g1
	c0=$(cluster_cpu_ms); g0=$(gateway_cpu_ms)
	{ time wrk -t2 -c"$conns" -d"${t}s" --latency "${args[@]}" "$base$path" >"$tmp/wrk" 2>&1 || true; } 2>"$tmp/time"
	c1=$(cluster_cpu_ms); g1=$(gateway_cpu_ms)
	kill "$sampler_pid" 2>/dev/null || true
	wait "$sampler_pid" 2>/dev/null || true
	sampler_pid=
	printf '%s %s %s %s %s %s %s\n' \
		"$(awk '/^Requests\/sec/ {printf "%.0f", $2}' "$tmp/wrk")" \
		"$(wrk_ms "$(awk '$1 == "50%" {print $2}' "$tmp/wrk")")" \
		"$(wrk_ms "$(awk '$1 == "99%" {print $2}' "$tmp/wrk")")" \
		"$(awk '/Non-2xx/ {print $NF}' "$tmp/wrk" | grep . || echo 0)" \
		"$(awk '/Socket errors/ {gsub(/,/, ""); print $4 + $6 + $8 + $10}' "$tmp/wrk" | grep . || echo 0)" \
		"$(sort -n "$tmp/rss" | tail -1)" \
		"$(awk -v cpu=$((c1 - c0 + g1 - g0 + $(tool_cpu_ms "$tmp/time"))) \
			'/requests in/ { printf "%.0f", cpu * 1000 / $1 }' "$tmp/wrk")"
}

# pgbench_cpu request args...: runs pgbench for request with the given length arguments,
# leaving its output in $tmp/pgbench; prints the CPU ms it cost (cluster + pgbench)
pgbench_cpu() {
	local req=$1 role=todo_user uid=$list_uid token=$list_token c0 c1 rc=0
	shift
	forget_created "$req"
	case $req in
	health) role=todo_anon ;;
	create | create_one) uid=$create_uid; token=$create_token ;;
	get | update | complete) uid=$item_uid; token=$item_token ;;
	esac
	c0=$(cluster_cpu_ms)
	{ time PGPASSWORD=$GATEWAY_PASSWORD pgbench -n -h 127.0.0.1 -p "$PGPORT" -U todo_gateway \
		-c "$conns" -j 2 -M extended "$@" \
		-D role="$role" -D token="$token" -D uid="$uid" -D addr=127.0.0.1 -D query='{}' -D body="$BENCH_TASK_BODY" \
		-D ubody="$BENCH_UPDATE_BODY" "${create_vars[@]}" \
		$(scripts "$req" '') "$db" >"$tmp/pgbench" 2>&1 || rc=$?; } 2>"$tmp/time"
	sleep 0.2       # the postmaster reaps the backends that just exited: their CPU counts
	c1=$(cluster_cpu_ms)
	if [ "$rc" != 0 ]; then
		cat "$tmp/pgbench" >&2
		return 1
	fi
	echo $((c1 - c0 + $(tool_cpu_ms "$tmp/time")))
}

# What pgbench's connections cost on top of their transactions (the gateway's are made
# once): one transaction per client, so connection set-up, authentication and each
# backend's first call. Subtracted from every run's CPU below, with those transactions.
calibrate_pgbench() { # request
	setup_cpu_ms=$(pgbench_cpu "$1" -t 1)
}

# run_pgbench request seconds: prints "tps p50 p99 failed cpu_us_per_transaction"
run_pgbench() {
	local req=$1 t=$2 cpu
	rm -f "$tmp"/pgblog*
	cpu=$(pgbench_cpu "$req" -T "$t" -l --log-prefix="$tmp/pgblog" --sampling-rate=0.2) || return 1
	printf '%s %s %s %s\n' "$(awk '/^tps/ {printf "%.0f", $3}' "$tmp/pgbench")" \
		"$(pgbench_percentiles)" \
		"$(awk '/^number of failed transactions/ {print $5}' "$tmp/pgbench")" \
		"$(awk -v cpu=$((cpu - setup_cpu_ms)) -v c="$conns" \
			'/^number of transactions actually processed/ { printf "%.0f", cpu * 1000 / ($NF - c) }' "$tmp/pgbench")"
}

# run_reference request seconds: the request's one-statement reference (bench/reference_*.sql),
# pgbench -M prepared as the cluster's superuser over its socket; prints "tps p50 p99 failed
# cpu_us_per_transaction" (the cluster's and pgbench's CPU, its 50 connections' set-up included:
# about 1 us a transaction)
run_reference() {
	local req=$1 t=$2 uid=$list_uid jti=$list_jti c0 c1 rc=0
	case $req in
	create | create_one) uid=$create_uid; jti=$create_jti ;;
	get | update | complete) uid=$item_uid; jti=$item_jti ;;
	esac
	rm -f "$tmp"/pgblog*
	forget_created "$req"
	c0=$(cluster_cpu_ms)
	{ time pgbench -n -c "$conns" -j 2 -M prepared -T "$t" -l --log-prefix="$tmp/pgblog" --sampling-rate=0.2 \
		-D uid="$uid" -D jti="$jti" "${create_vars[@]}" $(scripts "$req" reference_) "$db" >"$tmp/reference" 2>&1 ||
		rc=$?; } 2>"$tmp/time"
	sleep 0.2       # the postmaster reaps the backends that just exited: their CPU counts
	c1=$(cluster_cpu_ms)
	if [ "$rc" != 0 ]; then
		cat "$tmp/reference" >&2
		return 1
	fi
	printf '%s %s %s %s\n' "$(awk '/^tps/ {printf "%.0f", $3}' "$tmp/reference")" \
		"$(pgbench_percentiles)" \
		"$(awk '/^number of failed transactions/ {print $5}' "$tmp/reference")" \
		"$(awk -v cpu=$((c1 - c0 + $(tool_cpu_ms "$tmp/time"))) \
			'/^number of transactions actually processed/ { printf "%.0f", cpu * 1000 / $NF }' "$tmp/reference")"
}

label() {
	case $1 in
	health) echo "GET /api/v1/health" ;;
	list) echo "GET /api/{user_id}/tasks (20 tasks)" ;;
	create) echo "POST /api/{user_id}/tasks (50 users)" ;;
	create_one) echo "POST /api/{user_id}/tasks (one user)" ;;
	get) echo "GET /api/{user_id}/tasks/{id}" ;;
	update) echo "PUT /api/{user_id}/tasks/{id}" ;;
	complete) echo "PATCH /api/{user_id}/tasks/{id}/complete" ;;
	esac
}

echo "gateway as \`make run\` starts it: POOL_SIZE=${POOL_SIZE:-10} LOG_LEVEL=${LOG_LEVEL:-info} (access log to /dev/null);"
echo "wrk -t2 -c$conns, pgbench -j2 -c$conns -M extended (the gateway's transaction) and -M prepared (the reference),"
echo "${secs}s runs after ${warm}s warm-ups, $rounds rounds each, $(nproc) CPUs"
echo "load average at the start: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine skews the ratios: docs/benchmarks.md)"
cat "$tmp/layout"
: >"$tmp/summary"
for req in $only; do
	pgbench_script "$req"
	run_wrk "$req" "$warm" >/dev/null
	calibrate_pgbench "$req"
	run_pgbench "$req" "$warm" >/dev/null
	tools="wrk pgbench"
	if [ "$req" != health ]; then
		tools="wrk pgbench reference"
		run_reference "$req" "$warm" >/dev/null
	fi
	for r in $(seq 1 "$rounds"); do
		# rotate the turns: wrk pgbench reference, pgbench reference wrk, ...
		order=$tools
		for _ in $(seq 2 "$r"); do order="${order#* } ${order%% *}"; done
		for tool in $order; do
			if [ "$tool" = reference ]; then
				read -r tps p50 p99 failed cpu < <(run_reference "$req" "$secs")
				printf '  %-36s ref     %7s tx/s   p50 %-9s p99 %-9s cpu %5s us/tx%s\n' "$(label "$req")" \
					"$tps" "$p50" "$p99" "$cpu" "$([ "$failed" = 0 ] || echo "  failed $failed")"
				echo "$req reference $tps $p50 $p99 - $failed 0 $cpu" >>"$tmp/summary"
				continue
			fi
			if [ "$tool" = wrk ]; then
				read -r rps p50 p99 non2xx errs rss cpu < <(run_wrk "$req" "$secs")
				printf '  %-36s wrk     %7s req/s  p50 %-9s p99 %-9s cpu %5s us/req  rss %s kB%s\n' \
					"$(label "$req")" "$rps" "$p50" "$p99" "$cpu" "$rss" \
					"$([ "$non2xx$errs" = 00 ] || echo "  non-2xx $non2xx, socket errors $errs")"
				echo "$req wrk $rps $p50 $p99 $rss $non2xx $errs $cpu" >>"$tmp/summary"
			else
				read -r tps p50 p99 failed cpu < <(run_pgbench "$req" "$secs")
				printf '  %-36s pgbench %7s tx/s   p50 %-9s p99 %-9s cpu %5s us/tx%s\n' "$(label "$req")" \
					"$tps" "$p50" "$p99" "$cpu" "$([ "$failed" = 0 ] || echo "  failed $failed")"
				echo "$req pgbench $tps $p50 $p99 - $failed 0 $cpu" >>"$tmp/summary"
			fi
		done
	done
done
hwm=$(awk '/^VmHWM/ {print $2}' "/proc/$gateway_pid/status")

# The table: means over the rounds; p50 / p99 are the worst of the rounds. "CPU/request" is
# the CPU time of the whole path (PostgreSQL + gateway + wrk, or PostgreSQL + pgbench, less
# pgbench's connection set-up) per request, and "cost" the ratio of the two: what the
# throughput ratio would be on a machine with nothing else running, where the CPU is the
# limit; "ref cost" likewise the reference's CPU per transaction over the gateway path's
# (PostgreSQL + pgbench against PostgreSQL + gateway + wrk), the gw/ref ratio with the
# machine's other load taken out.
echo
awk -v hwm="$hwm" -v conns="$conns" '
	function ms(x) { sub(/ms$/, "", x); return x + 0 }
	{
		k = $1 SUBSEP $2; n[k]++; rate[k] += $3; cpu[k] += $9
		if (ms($4) > p50[k]) p50[k] = ms($4); if (ms($5) > p99[k]) p99[k] = ms($5)
		if ($2 == "wrk" && $6 > rss[$1]) rss[$1] = $6
		bad[$1] += $7 + $8
		if (!($1 in seen)) { seen[$1] = 1; order[++nreq] = $1 }
	}
	END {
		label["health"] = "GET /api/v1/health"
		label["list"] = "GET /api/{user_id}/tasks (20 tasks)"
		label["create"] = "POST /api/{user_id}/tasks (50 users)"
		label["create_one"] = "POST .../tasks (one user)"
		label["get"] = "GET /api/{user_id}/tasks/{id}"
		label["update"] = "PUT /api/{user_id}/tasks/{id}"
		label["complete"] = "PATCH .../tasks/{id}/complete"
		printf "%-34s %7s %7s %5s %7s %5s  %-13s %-13s %-13s %-15s %5s %5s %5s  %s\n", "request", "gateway", "pgbench", \
			"gw/pg", "ref", "gw/ref", "gateway", "pgbench", "reference", "CPU/request", "cost", "ref", "RSS", "target"
		printf "%-34s %7s %7s %5s %7s %5s  %-13s %-13s %-13s %-15s %5s %5s %5s\n", "", "req/s", "tx/s", "", "tx/s", "", \
			"p50/p99 ms", "p50/p99 ms", "p50/p99 ms", "us: gw/pgb/ref", "", "cost", "MB"
		for (i = 1; i <= nreq; i++) {
			q = order[i]; w = q SUBSEP "wrk"; p = q SUBSEP "pgbench"; r = q SUBSEP "reference"
			g = n[w] ? rate[w] / n[w] : 0; b = n[p] ? rate[p] / n[p] : 0; f = n[r] ? rate[r] / n[r] : 0
			gc = n[w] ? cpu[w] / n[w] : 0; bc = n[p] ? cpu[p] / n[p] : 0; fc = n[r] ? cpu[r] / n[r] : 0
			rcost = gc > 0 && fc > 0 ? sprintf("%.0f%%", 100 * fc / gc) : "-"
			ratio = b > 0 ? sprintf("%.0f%%", 100 * g / b) : "-"
			rratio = f > 0 ? sprintf("%.0f%%", 100 * g / f) : "-"
			cost = gc > 0 ? sprintf("%.0f%%", 100 * bc / gc) : "-"
			# issue 11: p99 at most 2.5 x the mean latency by Little law (conns / throughput)
			bound = g > 0 ? 2.5 * conns / g * 1000 : 0
			if (q == "health") target = sprintf(">= 20000 req/s: %s", g >= 20000 ? "met" : "NOT met")
			else if (q == "list") target = sprintf(">= 40%% of ref: %s; p99 <= %.0f ms: %s", \
				g >= 0.4 * f ? "met" : "NOT met", bound, p99[w] <= bound ? "met" : "NOT met")
			else if (q == "create") target = sprintf(">= 50%% of ref: %s", g >= 0.5 * f ? "met" : "NOT met")
			else target = "report"
			if (bad[q] > 0) target = target "; ERRORS (see the runs above)"
			printf "%-34s %7.0f %7.0f %5s %7s %5s  %-13s %-13s %-13s %-15s %5s %5s %5.1f  %s\n", label[q], g, b, ratio, \
				(f > 0 ? sprintf("%.0f", f) : "-"), rratio, \
				sprintf("%.1f/%.1f", p50[w], p99[w]), sprintf("%.1f/%.1f", p50[p], p99[p]), \
				(f > 0 ? sprintf("%.1f/%.1f", p50[r], p99[r]) : "-"), \
				(fc > 0 ? sprintf("%.0f/%.0f/%.0f", gc, bc, fc) : sprintf("%.0f/%.0f", gc, bc)), cost, rcost, \
				rss[q] / 1024, target
		}
		printf "gateway peak resident memory (VmHWM) over the whole run: %.1f MB (target < 30 MB: %s)\n", \
			hwm / 1024, hwm < 30 * 1024 ? "met" : "NOT met"
	}' "$tmp/summary"
# the same list as a login session's processes are scheduled (kernel autogroups): what the
# service layout changes (docs/benchmarks.md, "The list's p99")
if [ "$layout" = services ] && [[ " $only " == *" list "* ]]; then
	service_layout_stop
	read -r rps p50 p99 _ < <(run_wrk list "$secs")
	printf 'list scheduled as a login session (autogroups), for comparison: %s req/s, p50 %s, p99 %s (bound %.0f ms)\n' \
		"$rps" "$p50" "$p99" "$(awk -v r="$rps" -v c="$conns" 'BEGIN { print (r > 0 ? 2.5 * c / r * 1000 : 0) }')"
fi
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
if [ -s "$tmp/gateway.err" ]; then
	echo "gateway warnings/errors during the run: $(wc -l <"$tmp/gateway.err") lines, e.g.:"
	head -3 "$tmp/gateway.err" | sed 's/^/  /'
fi
