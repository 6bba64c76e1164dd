#!/usr/bin/env bash
# test/suites/startup.sh - the gateway's start-up against a database that is not there yet
# (a Neon compute still waking, a database still starting): test/suites/startup.t on a
# cluster of the suite's own, stopped and started by the test. ENVIRONMENT=production
# retries 5 times with exponential backoff then exits 1; development exits 1 at once; an
# unknown ENVIRONMENT is a configuration error.
#
#   test/suites/startup.sh WORKDIR     (run by test/run.sh)
set -uo pipefail
. "$(dirname "$0")/lib/suite.bash" "$@"

dir="$work/pg"
rm -rf "$dir"
suite_cluster "$dir" todo_startup || { echo "Bail out! cannot start the suite's cluster"; exit 1; }
. "$dir/env"
SUITE_PGDATA="$dir/data" PGDATABASE=todo_startup \
	STARTUP_URL="postgresql://todo_gateway:$GATEWAY_PASSWORD@127.0.0.1:$PGPORT/todo_startup" \
	prove -v "$top/test/suites/startup.t"
