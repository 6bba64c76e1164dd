#!/usr/bin/env bash
# test/suites/outage.sh - the database goes away and comes back while the gateway runs (a
# Neon compute suspending, restarting, waking): test/suites/outage.t on a cluster of the
# suite's own, which it terminates, restarts and stops. The gateway is never restarted.
#
#   test/suites/outage.sh WORKDIR     (run by test/run.sh)
set -uo pipefail
. "$(dirname "$0")/lib/suite.bash" "$@"

dir="$work/pg"
rm -rf "$dir"
suite_cluster "$dir" todo_outage || { echo "Bail out! cannot start the suite's cluster"; exit 1; }
. "$dir/env"
SUITE_PGDATA="$dir/data" PGDATABASE=todo_outage \
	OUTAGE_URL="postgresql://todo_gateway:$GATEWAY_PASSWORD@127.0.0.1:$PGPORT/todo_outage" \
	prove -v "$top/test/suites/outage.t"
