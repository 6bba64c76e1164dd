#!/usr/bin/env bash
# test/suites/pooler.sh - the gateway behind PgBouncer in transaction mode, as on Neon's
# pooled connection string: the whole end-to-end suite through a server pool of 3 (the
# gateway's pool is 10), then test/suites/pooler.t: two users' requests interleaved over a
# single server connection, with nothing (role, token, user id) surviving a request.
#
#   test/suites/pooler.sh WORKDIR     (run by test/run.sh with the main cluster's PG* env)
#
# PgBouncer is Debian's (/usr/sbin/pgbouncer), run as the postgres user with its own
# configuration in WORKDIR, on a free port; client authentication scram-sha-256.
set -uo pipefail
. "$(dirname "$0")/lib/suite.bash" "$@"

pgbouncer=${PGBOUNCER:-/usr/sbin/pgbouncer}
pb="$work/pgbouncer"
pb_port=$(free_port)

start_pgbouncer() {
	rm -rf "$pb"
	mkdir -p "$pb"
	cat >"$pb/pgbouncer.ini" <<-EOF
		[databases]
		; the e2e suite: a server pool smaller than the gateway's (POOL_SIZE 10)
		pooled3 = host=127.0.0.1 port=$PGPORT dbname=todo_pooler pool_size=3
		; the interleaving test: every request over one server connection
		pooled1 = host=127.0.0.1 port=$PGPORT dbname=todo_pooler1 pool_size=1

		[pgbouncer]
		listen_addr = 127.0.0.1
		listen_port = $pb_port
		unix_socket_dir =
		auth_type = scram-sha-256
		auth_file = $pb/userlist.txt
		pool_mode = transaction
		default_pool_size = 3
		max_client_conn = 300
		logfile = $pb/pgbouncer.log
		pidfile = $pb/pgbouncer.pid
	EOF
	printf '"todo_gateway" "%s"\n' "$GATEWAY_PASSWORD" >"$pb/userlist.txt"
	chmod 600 "$pb/userlist.txt"
	[ "$(id -u)" = 0 ] && chown -R postgres: "$pb"
	as_pg "$pgbouncer" -d "$pb/pgbouncer.ini" || return 1
	at_exit "stop_pgbouncer"
	local i
	for i in $(seq 50); do
		PGPASSWORD=$GATEWAY_PASSWORD psql -X -At -h 127.0.0.1 -p "$pb_port" -U todo_gateway \
			-d pooled3 -c 'SELECT 1' >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

stop_pgbouncer() { # SIGINT: a safe shutdown; SIGTERM (immediate) if it lingers
	[ -f "$pb/pgbouncer.pid" ] || return 0
	local pid i
	pid=$(cat "$pb/pgbouncer.pid")
	kill -INT "$pid" 2>/dev/null
	for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
	kill -TERM "$pid" 2>/dev/null
}

# how many server connections the gateway's login role holds on DB (through the pooler)
server_connections() {
	psql -X -At -d postgres -c "SELECT count(*) FROM pg_stat_activity
		WHERE datname = '$1' AND usename = 'todo_gateway'"
}

for db in todo_pooler todo_pooler1; do
	create_todo_database "$db" >"$work/create-$db.log" 2>&1 || {
		echo "Bail out! cannot create $db: $(cat "$work/create-$db.log")"
		exit 1
	}
done
if ! start_pgbouncer; then
	echo "Bail out! PgBouncer did not start: $("$pgbouncer" --version 2>&1 | head -1)"
	tail -20 "$pb/pgbouncer.log" 2>/dev/null
	exit 1
fi
echo "# $("$pgbouncer" --version | head -1), pool_mode transaction, port $pb_port"

# --- the end-to-end suite through the pooler ----------------------------------------------
# The release build here: the e2e suite already runs against the ASan build (suite e2e),
# and under ASan it takes three times as long; pooler.t below runs the ASan build.
pooled="postgresql://todo_gateway:$GATEWAY_PASSWORD@127.0.0.1:$pb_port"
gateway_bin=$top/gateway/todo-gateway
# PgBouncer 1.18 cannot carry named statements in transaction mode: PREPARED_STATEMENTS=off
if ! gateway_start e2e DATABASE_URL="$pooled/pooled3" POOL_SIZE=10 ENVIRONMENT=development \
	PREPARED_STATEMENTS=off; then
	echo "Bail out! the gateway did not start behind PgBouncer"
	tail -20 "$work/e2e.err"
	exit 1
fi
TODO_BASE_URL=$gw_url prove -v "$top/test/e2e"
e2e_rc=$?
gateway_stop e2e
n=$(server_connections todo_pooler)
like "$n" '^[123]$' "the e2e suite used at most 3 server connections (PgBouncer's pool), for a gateway pool of 10: $n"

# --- one server connection, two users ------------------------------------------------------
POOLED_URL="$pooled/pooled1" POOLER_PORT=$pb_port POOLED_DB=todo_pooler1 \
	prove -v "$top/test/suites/pooler.t"
t_rc=$?

if grep -qE 'ERROR|FATAL' "$pb/pgbouncer.log"; then
	grep -E 'ERROR|FATAL|WARNING' "$pb/pgbouncer.log" | head -20 | diag
fi
[ "$e2e_rc" = 0 ] && [ "$t_rc" = 0 ]
