#!/usr/bin/env bash
# test/suites/property.sh - the black-box property test (issue 9): test/suites/property.t
# sends 20,000 generated requests to a gateway of its own on a database of its own in the
# main cluster: no 5xx, the gateway never dies, nothing changes for a refused request.
#
#   test/suites/property.sh WORKDIR     (run by test/run.sh with the main cluster's PG* env)
#   PROPERTY_SEED=N      replay one run (the seed is printed first)
#   PROPERTY_REQUESTS=N  how many requests (default 20000)
#   PROPERTY_BUDGET_S=N  stop early (with a note) when a busy machine takes longer (150)
set -uo pipefail
. "$(dirname "$0")/lib/suite.bash" "$@"

create_todo_database todo_property >"$work/create.log" 2>&1 || {
	echo "Bail out! cannot create todo_property: $(cat "$work/create.log")"
	exit 1
}
PGDATABASE=todo_property PROPERTY_URL="$(database_url todo_property)" \
	prove -v "$top/test/suites/property.t"
