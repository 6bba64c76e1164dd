#!/usr/bin/env bash
# test/suites/tls.sh - TLS and authentication as Neon has them: a cluster of the suite's
# own with ssl=on (a certificate made here with openssl) and scram-sha-256 required for
# every TCP connection (TLS only: plain TCP is rejected). test/suites/tls.t then runs the
# gateway with sslmode=require&channel_binding=require, and checks the start-up failures
# (no TLS on the server, no TLS asked, wrong password) and their messages.
#
#   test/suites/tls.sh WORKDIR     (run by test/run.sh with the main cluster's PG* env)
set -uo pipefail
. "$(dirname "$0")/lib/suite.bash" "$@"

main_port=$PGPORT           # the main cluster: no TLS
main_password=$GATEWAY_PASSWORD
dir="$work/tls"
rm -rf "$dir"
suite_cluster "$dir" todo_tls || { echo "Bail out! cannot start the TLS cluster"; exit 1; }
. "$dir/env"

# a self-signed certificate for 127.0.0.1 (subjectAltName, so verify-full can check it)
if ! openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
	-addext subjectAltName=IP:127.0.0.1 -keyout "$dir/server.key" -out "$dir/server.crt" \
	>"$work/openssl.log" 2>&1; then
	echo "Bail out! openssl: $(tail -3 "$work/openssl.log")"
	exit 1
fi
chmod 600 "$dir/server.key"
[ "$(id -u)" = 0 ] && chown postgres: "$dir/server.key" "$dir/server.crt"
cat >>"$dir/data/postgresql.conf" <<-EOF
	ssl = on
	ssl_cert_file = '$dir/server.crt'
	ssl_key_file = '$dir/server.key'
	log_connections = on
EOF
cat >"$dir/data/pg_hba.conf" <<-EOF
	# the suite's superuser over the socket; over TCP only TLS with a SCRAM password
	local     all  all                 trust
	hostssl   all  all  127.0.0.1/32   scram-sha-256
	hostnossl all  all  127.0.0.1/32   reject
EOF
# ssl and pg_hba.conf take effect on reload (the gateway's password, set by
# create_todo_database, is already a SCRAM verifier: PostgreSQL 15's default; tls.t checks)
as_pg "$(pg_config --bindir)/pg_ctl" -D "$dir/data" reload >/dev/null &&
	sleep 0.5 || { echo "Bail out! cannot reload the TLS cluster"; exit 1; }

TLS_PORT=$PGPORT TLS_DB=todo_tls TLS_PASSWORD=$GATEWAY_PASSWORD \
	TLS_CERT="$dir/server.crt" TLS_LOG="$dir/server.log" \
	PLAIN_PORT=$main_port PLAIN_PASSWORD=$main_password \
	prove -v "$top/test/suites/tls.t"
