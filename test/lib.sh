# Shell helpers shared by test/run.sh, test/cluster.sh, test/dump_restore.sh, the suites
# (test/suites/lib/suite.bash), scripts/run.sh and bench/.
# Expects PGHOST/PGPORT/PGUSER of a running cluster (test/cluster.sh writes them) where needed.

todo_test_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# free_port: a TCP port free on 127.0.0.1 now (Suite.pm's free_port, the one of the suites)
free_port() {
	perl -I"$todo_test_dir/suites/lib" -MSuite -e 'print free_port()'
}

# random_secret: a random string of [A-Za-z0-9], about 60 characters (a JWT secret, a password)
random_secret() {
	head -c 48 /dev/urandom | base64 | tr -d '/+=\n'
}

# as_pg COMMAND...: as the postgres user when run as root (PostgreSQL refuses to run as root)
as_pg() {
	if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# wait_http URL SECONDS: true once URL answers at all (any HTTP status)
wait_http() {
	local deadline=$((SECONDS + $2))
	while [ $SECONDS -lt $deadline ]; do
		curl -s -o /dev/null --max-time 2 "$1" && return 0
		sleep 0.2
	done
	return 1
}

# create_todo_database NAME: a fresh database with the extension (and pgTAP) installed,
# and the gateway's login role enabled with the cluster's generated password
create_todo_database() {
	dropdb --if-exists "$1" && createdb "$1" &&
		psql -X -q -v ON_ERROR_STOP=1 -d "$1" -v pw="$GATEWAY_PASSWORD" <<-'EOF'
			CREATE EXTENSION todo CASCADE;
			CREATE EXTENSION IF NOT EXISTS pgtap;
			ALTER ROLE todo_gateway LOGIN PASSWORD :'pw';
		EOF
}

# database_url NAME: the gateway's connection string for database NAME
database_url() {
	echo "postgresql://todo_gateway:$GATEWAY_PASSWORD@127.0.0.1:$PGPORT/$1"
}
