# Shell helpers shared by test/run.sh, test/dump_restore.sh and scripts/run.sh.
# Expects PGHOST/PGPORT/PGUSER of a running cluster (test/cluster.sh writes them) where needed.

free_port() {
	perl -MIO::Socket::INET -e \
		'print IO::Socket::INET->new(Listen => 1, LocalAddr => "127.0.0.1", LocalPort => 0, ReuseAddr => 1)->sockport'
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
