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

# state_dir NAME: the physical path of $top/NAME (tmp_check: the tests' clusters and logs;
# .run: make run's embedded database), a directory the postgres user can reach. As root
# with a checkout that user cannot enter (a clone under /root, mode 700), $top/NAME is a
# symbolic link to /var/tmp/todo-HASH/NAME, HASH from the checkout's path, the directory
# root:postgres mode 750: the clusters and their logs live there, still reachable from
# the checkout, whose permissions stay as they are.
state_dir() {
	local name=$1 base
	if [ "$(id -u)" != 0 ] || runuser -u postgres -- test -x "$top" 2>/dev/null; then
		[ -L "$top/$name" ] || mkdir -p "$top/$name"
		(cd "$top/$name" && pwd -P)
		return
	fi
	base=/var/tmp/todo-$(printf '%s' "$top" | sha256sum | cut -c1-16)
	mkdir -p "$base/$name"
	chown root:postgres "$base" && chmod 750 "$base"
	if [ ! -L "$top/$name" ]; then
		# nothing of a server can be in it: the postgres user could never enter it
		rm -rf "${top:?}/$name"
		ln -s "$base/$name" "$top/$name"
	fi
	echo "$base/$name"
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

# tap_counts LOG EXIT_CODE: "PASSED FAILED" of a TAP log (unindented "ok N" / "not ok N",
# and prove's "file .. ok N"); a runner that failed without a failing line (a crash, a bad
# plan) counts as one failure
tap_counts() {
	local p f
	p=$(grep -cE '^(.*\.\. )?ok [0-9]+' "$1")
	f=$(grep -cE '^(.*\.\. )?not ok [0-9]+' "$1")
	p=$((p - f))
	if [ "$2" != 0 ] && [ "$f" = 0 ]; then f=1; fi
	echo "$p $f"
}

# regress_counts LOG EXIT_CODE: "PASSED FAILED" of pg_regress's output, one per test file
regress_counts() {
	local p f
	p=$(grep -cE '^(test| ) *[a-z_]+ +\.\.\. ok' "$1")
	f=$(grep -cE '\.\.\. FAILED' "$1")
	if [ "$2" != 0 ] && [ "$f" = 0 ]; then f=1; fi
	echo "$p $f"
}
