#!/usr/bin/env bash
# test/suites/replica.sh - read replicas (DATABASE_READ_URL) against a REAL streaming replica:
# a primary of the suite's own, a standby made from it with pg_basebackup -R, and the
# gateway with both. Shows, from the servers themselves: reads land on the replica (its own
# pg_stat_user_tables), another issuer's token seen first on a replica is served (its write
# redone on the primary, no 500), read-your-writes and logout while the replica is slowed on
# purpose (recovery_min_apply_delay), the logout bound through another gateway (measured,
# reported, not asserted tightly), and a replica stopped mid-load (pg_ctl stop -m
# immediate) with a client loop seeing no error, then back in rotation when it returns.
#
#   test/suites/replica.sh WORKDIR     (run by test/run.sh with the main cluster's PG* env)
set -uo pipefail
. "$(dirname "$0")/lib/suite.bash" "$@"

bindir=$(pg_config --bindir)
pdir="$work/primary"
rdir="$work/standby"
rm -rf "$pdir" "$rdir"
suite_cluster "$pdir" todo_replica || { echo "Bail out! cannot start the primary"; exit 1; }
. "$pdir/env"
ppsql() { psql -X -At -v ON_ERROR_STOP=1 -d todo_replica "$@"; }

# --- the standby: pg_basebackup -R (standby.signal, primary_conninfo), its own port and socket
rport=$(free_port)
mkdir -p "$rdir"
[ "$(id -u)" = 0 ] && chown postgres: "$rdir"
at_exit "as_pg '$bindir/pg_ctl' -D '$rdir/data' -m immediate -w stop >/dev/null 2>&1"
if ! as_pg "$bindir/pg_basebackup" -D "$rdir/data" -h "$PGHOST" -p "$PGPORT" -U postgres -R \
	-X stream >"$work/basebackup.log" 2>&1; then
	echo "Bail out! pg_basebackup: $(tail -3 "$work/basebackup.log")"
	exit 1
fi
cat >>"$rdir/data/postgresql.conf" <<-EOF
	port = $rport
	unix_socket_directories = '$rdir'
EOF
start_standby() { as_pg "$bindir/pg_ctl" -D "$rdir/data" -l "$rdir/server.log" -w -t 60 start >/dev/null; }
start_standby || { echo "Bail out! the standby does not start: $(tail -3 "$rdir/server.log")"; exit 1; }
rpsql() { psql -X -At -h "$rdir" -p "$rport" -d todo_replica "$@"; }
is "$(rpsql -c 'SELECT pg_is_in_recovery()')" t "the standby is in recovery (a streaming replica)"
replica_url="postgresql://todo_gateway:$GATEWAY_PASSWORD@127.0.0.1:$rport/todo_replica"

# --- the gateway on both -------------------------------------------------------------------
admin_port=$(free_port)
gateway_start_again gw DATABASE_URL="$DATABASE_URL" DATABASE_READ_URL="$replica_url" \
	REPLICA_CHECK_MS=100 REPLICA_MAX_LAG_MS=60000 ADMIN_PORT="$admin_port" || {
	echo "Bail out! the gateway did not start: $(tail -5 "$work/gw.err")"
	exit 1
}
gw=$gw_url
admin="http://127.0.0.1:$admin_port"
metric() { curl -s "$admin/metrics" | awk -v k="$1" '$1 == k { print $2 }'; }
# wait_rotation: until /ready says the replica is in rotation (bounded)
wait_rotation() {
	local i
	for ((i = 0; i < 300; i++)); do
		curl -s "$admin/ready" | grep -q '^replica 0: in rotation' && return 0
		sleep 0.1
	done
	return 1
}
# register NAME: a user through the gateway; sets uid and tok
register() {
	local r
	r=$(curl -s -X POST "$gw/api/auth/register" -H 'Content-Type: application/json' \
		-d "{\"username\":\"$1\",\"email\":\"$1@example.com\",\"password\":\"pw-$1-secret\"}")
	uid=$(jq -r .data.user.id <<<"$r")
	tok=$(jq -r .data.access_token <<<"$r")
}
# login NAME: a new token for NAME in tok
login() {
	tok=$(curl -s -X POST "$gw/api/auth/login" -H 'Content-Type: application/json' \
		-d "{\"username\":\"$1\",\"password\":\"pw-$1-secret\"}" | jq -r .data.access_token)
}
code() { # METHOD URL TOKEN [BODY]: the status only
	curl -s -o /dev/null -w '%{http_code}' -X "$1" "$2" -H "Authorization: Bearer $3" \
		${4:+-H 'Content-Type: application/json' -d "$4"}
}
# wait_served URL TOKEN: reads URL until the replica answers one (the token's user's last
# write replayed there: read-your-writes sends its reads to the primary until then)
wait_served() {
	local i before
	for ((i = 0; i < 100; i++)); do
		before=$(metric 'todo_replica_reads_total{replica="0"}')
		code GET "$1" "$2" >/dev/null
		[ "$(metric 'todo_replica_reads_total{replica="0"}')" != "$before" ] && return 0
		sleep 0.1
	done
	return 1
}
tasks_scans() { # SERVER-PSQL: scans of todo.tasks that server counted (its own statistics)
	"$@" -c "SELECT pg_stat_clear_snapshot(); SELECT coalesce(seq_scan, 0) + coalesce(idx_scan, 0)
		FROM pg_stat_user_tables WHERE relid = 'todo.tasks'::regclass" | tail -1
}

like "$(curl -s "$admin/ready")" "^ready
replica 0: " "/ready is 200 and names the replica's state"
is "$(curl -s "$gw/api/v1/health" | jq -c .)" \
	'{"status":200,"data":{"status":"healthy","database":"connected","migration":"up-to-date"},"error":null}' \
	"the health body stays exactly the contract's (no replica state in it)"
wait_rotation && ok "the replica enters rotation" ||
	not_ok "the replica enters rotation" "$(curl -s "$admin/ready"; tail -5 "$work/gw.err")"

# --- 1. reads land on the replica, as its own statistics show --------------------------------
register "reader$RANDOM"
reader_uid=$uid reader_tok=$tok
for i in 1 2 3; do
	code POST "$gw/api/$uid/tasks" "$tok" "{\"title\":\"task $i\"}" >/dev/null
done
wait_served "$gw/api/$uid/tasks" "$tok" && ok "once its writes are replayed, the user's reads go to the replica" ||
	not_ok "once its writes are replayed, the user's reads go to the replica"
before_r=$(tasks_scans rpsql)
before_p=$(tasks_scans ppsql)
reads_before=$(metric 'todo_replica_reads_total{replica="0"}')
n=40 bad=0
for ((i = 0; i < n; i++)); do
	[ "$(code GET "$gw/api/$uid/tasks" "$tok")" = 200 ] || bad=$((bad + 1))
done
is "$bad" 0 "$n task lists through the gateway: all 200"
# a backend publishes its counters when idle, at most once a second (PostgreSQL 15): wait
# for them (bounded), however loaded the machine
waited=0
for ((i = 0; i < 300; i++)); do
	after_r=$(tasks_scans rpsql)
	[ $((after_r - before_r)) -ge "$n" ] && break
	sleep 0.1
	waited=$((waited + 1))
done
echo "# the replica's counters showed the lists after about $((waited / 10)) s"
after_p=$(tasks_scans ppsql)
reads_after=$(metric 'todo_replica_reads_total{replica="0"}')
[ $((after_r - before_r)) -ge "$n" ] && ok "the replica's own statistics count the $n lists (scans of todo.tasks: +$((after_r - before_r)))" ||
	not_ok "the replica's own statistics count the $n lists" "replica scans +$((after_r - before_r)), primary +$((after_p - before_p))"
[ $((after_p - before_p)) -lt "$n" ] && ok "the primary did not serve them (scans of todo.tasks: +$((after_p - before_p)))" ||
	not_ok "the primary did not serve them" "primary scans +$((after_p - before_p))"
is "$((reads_after - reads_before))" "$n" "/metrics: todo_replica_reads_total counts them"
is "$(code GET "$gw/api/auth/me" "$tok")" 200 "GET /api/auth/me on the replica: 200"
ok_get=$(curl -s "$gw/api/$uid/tasks" -H "Authorization: Bearer $tok" | jq -r '.data[0].id')
is "$(code GET "$gw/api/$uid/tasks/$ok_get" "$tok")" 200 "GET one task on the replica: 200"

# --- 2. another issuer's token seen first on a replica: its write is redone on the primary --
secret=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
ppsql -c "SELECT todo.issuer_add('hs', 'https://hs.example', NULL, '$secret')" >/dev/null
# hs256 SUBJECT EMAIL: a token of that issuer
hs256() {
	python3 - "$secret" "$1" "$2" <<-'EOF'
		import base64, hmac, hashlib, json, sys, time
		b = lambda d: base64.urlsafe_b64encode(d).rstrip(b'=').decode()
		now = int(time.time())
		h = b(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
		p = b(json.dumps({"iss": "https://hs.example", "sub": sys.argv[2], "email": sys.argv[3],
		                  "iat": now, "exp": now + 3600}).encode())
		s = b(hmac.new(sys.argv[1].encode(), (h + "." + p).encode(), hashlib.sha256).digest())
		print(h + "." + p + "." + s)
	EOF
}
for ((i = 0; i < 100; i++)); do # the issuer replayed on the standby
	[ "$(rpsql -c 'SELECT count(*) FROM todo.issuers')" = 1 ] && break
	sleep 0.1
done
wait_rotation
ext_sub="ext-$RANDOM"
ext=$(hs256 "$ext_sub" "ext@example.com")
writes_before=$(metric 'todo_replica_fallbacks_total{reason="write"}')
me=$(curl -s -w '\n%{http_code}' "$gw/api/auth/me" -H "Authorization: Bearer $ext")
is "$(tail -1 <<<"$me")" 200 "another issuer's token, first seen by a read: 200 (not 500)"
is "$(($(metric 'todo_replica_fallbacks_total{reason="write"}') - writes_before))" 1 \
	"the replica refused its first-use write (25006): redone on the primary"
ext_uid=$(head -1 <<<"$me" | jq -r .data.id)
is "$(ppsql -c "SELECT count(*) FROM todo.users WHERE id = '$ext_uid'")" 1 \
	"its user was created on the primary"
is "$(code GET "$gw/api/auth/me" "$ext")" 200 "the same token again: 200"
ext3_sub="ext-list-$RANDOM"
ext3=$(hs256 "$ext3_sub" "list@example.com")
is "$(curl -s "$gw/api/$ext3_sub/tasks" -H "Authorization: Bearer $ext3" | jq -c '.data' 2>/dev/null)" '[]' \
	"another issuer's token, first seen by a (streamed) list under its subject: its empty list"
is "$(code GET "$gw/api/$ext3_sub/tasks" "$ext3")" 200 "and 200 again"
ext2=$(hs256 "$ext_sub" "changed@example.com")
is "$(curl -s "$gw/api/auth/me" -H "Authorization: Bearer $ext2" | jq -r .data.email)" \
	changed@example.com "a changed claim, seen by a read: written on the primary, answered"

# --- 3. read-your-writes and logout under a replica slowed on purpose -------------------------
rpsql -c "ALTER SYSTEM SET recovery_min_apply_delay = '2s'" -c 'SELECT pg_reload_conf()' >/dev/null
sleep 0.3
writer="writer$RANDOM"
register "$writer"
wait_rotation
ryw_bad=0 stale=0
fallback_before=$(metric 'todo_replica_fallbacks_total{reason="recent_write"}')
for i in 1 2 3 4 5; do
	created=$(curl -s -X POST "$gw/api/$uid/tasks" -H "Authorization: Bearer $tok" \
		-H 'Content-Type: application/json' -d "{\"title\":\"ryw $i\"}" | jq -r .data.id)
	got=$(curl -s "$gw/api/$uid/tasks/$created" -H "Authorization: Bearer $tok" | jq -r .data.id)
	listed=$(curl -s "$gw/api/$uid/tasks" -H "Authorization: Bearer $tok" |
		jq --arg id "$created" '[.data[] | select(.id == $id)] | length')
	[ "$got" = "$created" ] && [ "$listed" = 1 ] || ryw_bad=$((ryw_bad + 1))
	[ "$(rpsql -c "SELECT count(*) FROM todo.tasks WHERE id = '$created'")" = 0 ] && stale=$((stale + 1))
done
is "$ryw_bad" 0 "read-your-writes: 5 creates, each read at once (get and list) sees it"
echo "# the slowed replica lacked $stale of the 5 new tasks when they were read"
[ "$(($(metric 'todo_replica_fallbacks_total{reason="recent_write"}') - fallback_before))" -ge 1 ] &&
	ok "those reads went to the primary (fallbacks, reason recent_write)" ||
	not_ok "those reads went to the primary (fallbacks, reason recent_write)"
other_before=$(metric 'todo_replica_reads_total{replica="0"}')
code GET "$gw/api/$reader_uid/tasks" "$reader_tok" >/dev/null
[ "$(($(metric 'todo_replica_reads_total{replica="0"}') - other_before))" = 1 ] &&
	ok "meanwhile another user's read is served by the (2 s behind) replica" ||
	not_ok "meanwhile another user's read is served by the (2 s behind) replica"

# logout through this gateway: the token's next read, at once, is refused
login "$writer"
is "$(code GET "$gw/api/auth/me" "$tok")" 200 "a token just issued works at once (its session not yet on the replica)"
is "$(code POST "$gw/api/auth/logout" "$tok")" 204 "logout"
is "$(code GET "$gw/api/auth/me" "$tok")" 401 "the logged-out token's next read, at once: 401"
is "$(code GET "$gw/api/$uid/tasks" "$tok")" 401 "and its task list: 401"

# logout through another gateway (no replicas: the primary's): measured through this one,
# and through a third whose lag bound is below the replica's delay
gateway_start_again gw_primary DATABASE_URL="$DATABASE_URL" ||
	{ echo "Bail out! the second gateway did not start"; exit 1; }
gwp=$gw_url
gateway_start_again gw_bound DATABASE_URL="$DATABASE_URL" DATABASE_READ_URL="$replica_url" \
	REPLICA_CHECK_MS=100 REPLICA_MAX_LAG_MS=500 ||
	{ echo "Bail out! the third gateway did not start"; exit 1; }
gwb=$gw_url
login "$writer"
sleep 2.5 # its session replayed: the replica answers for it
wait_rotation
# seen SECONDS GATEWAY: milliseconds until GATEWAY refuses $tok, polling (-1 when never)
seen() {
	local t0 now
	t0=$(date +%s%3N)
	while :; do
		now=$(date +%s%3N)
		[ "$(code GET "$2/api/auth/me" "$tok")" = 401 ] && { echo $((now - t0)); return; }
		[ $((now - t0)) -gt $(($1 * 1000)) ] && { echo -1; return; }
		sleep 0.02
	done
}
is "$(code GET "$gwb/api/auth/me" "$tok")" 200 "the token works through the bounded gateway"
is "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$gwp/api/auth/logout" -H "Authorization: Bearer $tok")" 204 \
	"logout through another gateway"
ms_bound=$(seen 30 "$gwb")
ms_lag=$(seen 30 "$gw")
[ "$ms_bound" != -1 ] && ok "the gateway with REPLICA_MAX_LAG_MS=500 refuses it within 30 s" ||
	not_ok "the gateway with REPLICA_MAX_LAG_MS=500 refuses it within 30 s"
[ "$ms_lag" != -1 ] && ok "the gateway with REPLICA_MAX_LAG_MS=60000 refuses it within 30 s more" ||
	not_ok "the gateway with REPLICA_MAX_LAG_MS=60000 refuses it within 30 s more"
echo "# logout through another gateway seen after: ${ms_bound} ms (REPLICA_MAX_LAG_MS=500, replica 2 s behind), then ${ms_lag} ms more (REPLICA_MAX_LAG_MS=60000: the replica's own delay)"
echo "replica_logout_ms bound500=$ms_bound lag2s_after=$ms_lag" >"$work/figures.txt"
gateway_stop gw_bound
gateway_stop gw_primary
rpsql -c "ALTER SYSTEM RESET recovery_min_apply_delay" -c 'SELECT pg_reload_conf()' >/dev/null

# --- 4. the replica stopped mid-load: no client error; back in rotation when it returns ------
wait_rotation
load() { # OUT N: N task lists of the reader, one "STATUS TASKS" a line (a body cut short,
	# the list streamed, would show as no count)
	local i body
	for ((i = 0; i < $2; i++)); do
		body=$(curl -s -w '\n%{http_code}' "$gw/api/$reader_uid/tasks" -H "Authorization: Bearer $reader_tok")
		echo "$(tail -1 <<<"$body") $(head -n -1 <<<"$body" | jq -r '.data | length' 2>/dev/null)"
	done >"$1"
}
load "$work/load1" 300 &
l1=$!
load "$work/load2" 300 &
l2=$!
for ((i = 0; i < 300; i++)); do
	[ "$(cat "$work/load1" | wc -l)" -ge 60 ] && break
	sleep 0.05
done
as_pg "$bindir/pg_ctl" -D "$rdir/data" -m immediate -w stop >/dev/null 2>&1
stopped_at=$(cat "$work/load1" | wc -l)
wait "$l1" "$l2"
total=$(cat "$work/load1" "$work/load2" | wc -l)
errors=$(cat "$work/load1" "$work/load2" | grep -vc '^200 3$')
is "$total" 600 "the client loop ran 600 reads (replica stopped after $stopped_at of one worker's)"
is "$errors" 0 "no client error while the replica stopped (pg_ctl stop -m immediate): every answer 200 with the whole list"
like "$(curl -s "$admin/ready")" "replica 0: out of rotation" "/ready: the replica out of rotation"
grep -q 'replica 0: out of rotation' "$work/gw.err" && ok "the log says the replica left rotation" ||
	not_ok "the log says the replica left rotation"
start_standby || not_ok "the standby starts again"
wait_rotation && ok "back in rotation when it returns" || not_ok "back in rotation when it returns"
before=$(metric 'todo_replica_reads_total{replica="0"}')
is "$(code GET "$gw/api/$reader_uid/tasks" "$reader_tok")" 200 "a read after its return: 200"
is "$(($(metric 'todo_replica_reads_total{replica="0"}') - before))" 1 "served by the replica again"

# --- 5. a replica whose connections are all lent is busy, not down --------------------------
busy_admin=$(free_port)
gateway_start_again gw_busy DATABASE_URL="$DATABASE_URL" DATABASE_READ_URL="$replica_url" \
	REPLICA_POOL_SIZE=1 POOL_TIMEOUT=0 REPLICA_CHECK_MS=100 ADMIN_PORT="$busy_admin" ||
	{ echo "Bail out! the busy gateway did not start"; exit 1; }
gwz=$gw_url
for ((i = 0; i < 300; i++)); do
	curl -s "http://127.0.0.1:$busy_admin/ready" | grep -q '^replica 0: in rotation' && break
	sleep 0.1
done
busy_pids=()
for w in 1 2 3 4 5 6; do
	(for ((i = 0; i < 30; i++)); do code GET "$gwz/api/$reader_uid/tasks" "$reader_tok"; echo; done >"$work/busy$w") &
	busy_pids+=($!)
done
wait "${busy_pids[@]}"
is "$(cat "$work"/busy? | grep -vc '^200$')" 0 "6 clients on a replica pool of one connection, POOL_TIMEOUT=0: every read 200"
unlike "$(cat "$work/gw_busy.err")" "out of rotation" "a replica found busy is never taken out of rotation"
echo "# of 180 reads, $(curl -s "http://127.0.0.1:$busy_admin/metrics" | awk '$1 == "todo_replica_fallbacks_total{reason=\"busy\"}" { print $2 }') found the replica's one connection lent and went to the primary"
gateway_stop gw_busy

gateway_stop gw
tap_plan
