#!/usr/bin/env bash
# test/suites/idempotency.sh - Idempotency-Key where it needs the database's hand or a
# restart: test/suites/idempotency.t on a cluster of the suite's own: a key in use (409, the
# first request held open by a row lock), expiry and purge, and 20 clients creating tasks
# under keys while PostgreSQL is restarted with `pg_ctl restart -m immediate`, retrying every
# 503 and lost connection with the same key: as many tasks as keys, none twice, none lost.
#
#   test/suites/idempotency.sh WORKDIR     (run by test/run.sh)
set -uo pipefail
. "$(dirname "$0")/lib/suite.bash" "$@"

dir="$work/pg"
rm -rf "$dir"
suite_cluster "$dir" todo_idem || { echo "Bail out! cannot start the suite's cluster"; exit 1; }
. "$dir/env"
# fsync on (test clusters run without): a commit written to the kernel but not yet
# acknowledged when the server is killed survives the restart, as on a real server, so
# that some answers are lost after their commit: the case the keys are for
psql -X -q -d postgres -c "ALTER SYSTEM SET fsync = on" -c "SELECT pg_reload_conf()" >/dev/null ||
	{ echo "Bail out! cannot turn fsync on"; exit 1; }
SUITE_PGDATA="$dir/data" PGDATABASE=todo_idem \
	IDEM_URL="postgresql://todo_gateway:$GATEWAY_PASSWORD@127.0.0.1:$PGPORT/todo_idem" \
	prove -v "$top/test/suites/idempotency.t"
