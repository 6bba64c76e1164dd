#!/usr/bin/env bash
# test/suites/exhaustion.sh - more concurrent slow requests than database connections:
# test/suites/exhaustion.t with a gateway of POOL_SIZE 2 and POOL_TIMEOUT 2 on a database
# of its own in the main cluster, its requests held up by a row lock taken with psql.
#
#   test/suites/exhaustion.sh WORKDIR     (run by test/run.sh with the main cluster's PG* env)
set -uo pipefail
. "$(dirname "$0")/lib/suite.bash" "$@"

create_todo_database todo_exhaustion >"$work/create.log" 2>&1 || {
	echo "Bail out! cannot create todo_exhaustion: $(cat "$work/create.log")"
	exit 1
}
PGDATABASE=todo_exhaustion \
	EXHAUSTION_URL="$(database_url todo_exhaustion)" \
	prove -v "$top/test/suites/exhaustion.t"
