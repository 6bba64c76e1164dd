#!/usr/bin/env bash
# A throwaway PostgreSQL cluster under the repo, on a free port and its own socket dir.
#
#   test/cluster.sh start DIR [DBNAME]   initdb (first time), start, create DBNAME, write DIR/env
#   test/cluster.sh stop DIR             stop it (fast); no error when it is not running
#
# DIR/env holds shell assignments (PGHOST, PGPORT, PGDATABASE, PGUSER, DATABASE_URL for the
# gateway's login role, GATEWAY_PASSWORD) for tests to source. The JWT secret and the
# gateway's password are generated per cluster and live only in DIR, never in the repo.
# PostgreSQL refuses to run as root, so as root the server runs as the 'postgres' user.
set -euo pipefail

cmd=${1:?usage: cluster.sh start|stop DIR [DBNAME]}
dir=${2:?usage: cluster.sh start|stop DIR [DBNAME]}
dbname=${3:-todo}
bindir=$(pg_config --bindir)

. "$(dirname "$0")/lib.sh"

case "$cmd" in
start)
	mkdir -p "$dir"
	dir=$(cd "$dir" && pwd -P) # the server is given physical paths (state_dir in lib.sh)
	if [ "$(id -u)" = 0 ] && ! runuser -u postgres -- test -x "$dir/.." 2>/dev/null; then
		echo "cluster.sh: the postgres user cannot reach $dir (a checkout under /root?): use a directory it can, as make run and make test do (state_dir in test/lib.sh)" >&2
		exit 1
	fi
	data="$dir/data"
	[ "$(id -u)" = 0 ] && chown postgres: "$dir"
	if [ ! -f "$data/PG_VERSION" ]; then
		as_pg "$bindir/initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 \
			--locale=C.UTF-8 >"$dir/initdb.log"
		port=$(free_port)
		# the JWT secret in a file only the server's user reads (not a setting: those are
		# readable by pg_read_all_settings, docs/security.md)
		(umask 077 && printf '%s\n' "${JWT_SECRET:-$(random_secret)}" >"$data/todo_jwt_secret")
		[ "$(id -u)" = 0 ] && chown postgres: "$data/todo_jwt_secret"
		cat >>"$data/postgresql.conf" <<-EOF
			port = $port
			listen_addresses = '127.0.0.1'
			unix_socket_directories = '$dir'
			max_connections = 200
			fsync = off
			shared_preload_libraries = 'todo'
			todo.jwt_secret_file = 'todo_jwt_secret'
			todo.bcrypt_cost = 10
		EOF
	fi
	# a cluster made before the secret moved to a file: move it there
	if grep -q "^todo.jwt_secret = " "$data/postgresql.conf"; then
		(umask 077 && sed -n "s/^todo.jwt_secret = '\(.*\)'$/\1/p" "$data/postgresql.conf" | tail -1 >"$data/todo_jwt_secret")
		[ "$(id -u)" = 0 ] && chown postgres: "$data/todo_jwt_secret"
		sed -i '/^todo.jwt_secret = /d' "$data/postgresql.conf"
		echo "todo.jwt_secret_file = 'todo_jwt_secret'" >>"$data/postgresql.conf"
	fi
	port=$(sed -n 's/^port = \([0-9]*\)$/\1/p' "$data/postgresql.conf" | tail -1)
	if ! as_pg "$bindir/pg_ctl" -D "$data" status >/dev/null 2>&1; then
		# the port may have been taken since initdb: pick a new one if so
		if ! perl -MIO::Socket::INET -e 'exit(IO::Socket::INET->new(Listen=>1,LocalAddr=>"127.0.0.1",LocalPort=>$ARGV[0],ReuseAddr=>1) ? 0 : 1)' "$port"; then
			port=$(free_port)
			echo "port = $port" >>"$data/postgresql.conf"
		fi
		as_pg "$bindir/pg_ctl" -D "$data" -l "$dir/server.log" -w -t 60 start >/dev/null
	fi
	export PGHOST="$dir" PGPORT="$port" PGUSER=postgres
	if [ -z "$(psql -d postgres -XtAc "SELECT 1 FROM pg_database WHERE datname = '$dbname'")" ]; then
		createdb "$dbname"
	fi
	if [ ! -f "$dir/gateway_password" ]; then
		random_secret >"$dir/gateway_password"
		chmod 600 "$dir/gateway_password"
	fi
	cat >"$dir/env" <<-EOF
		export PGHOST='$dir' PGPORT='$port' PGUSER=postgres PGDATABASE='$dbname'
		export GATEWAY_PASSWORD='$(cat "$dir/gateway_password")'
		export DATABASE_URL='postgresql://todo_gateway:$(cat "$dir/gateway_password")@127.0.0.1:$port/$dbname'
	EOF
	;;
stop)
	[ -d "$dir/data" ] || exit 0
	dir=$(cd "$dir" && pwd -P)
	as_pg "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
	;;
*)
	echo "usage: cluster.sh start|stop DIR [DBNAME]" >&2
	exit 2
	;;
esac
