#!/usr/bin/env bash
# test/suites/property.sh - the black-box property test (issue 9): test/suites/property.t
# sends 20,000 generated requests, shared by PROPERTY_WORKERS processes each with a gateway
# and a database of its own in the main cluster: no 5xx, no gateway dies, nothing changes
# for a refused request.
#
#   test/suites/property.sh WORKDIR     (run by test/run.sh with the main cluster's PG* env)
#   PROPERTY_SEED=N      replay one run (the seed is printed first)
#   PROPERTY_REQUESTS=N  how many requests (default 20000)
#   PROPERTY_WORKERS=N   how many in parallel (default 4: on a busy machine more processes
#                        get more of the CPU; each waits on its gateway most of the time)
#   PROPERTY_BUDGET_S=N  stop early (with a note) when a busy machine takes longer (150)
set -uo pipefail
. "$(dirname "$0")/lib/suite.bash" "$@"

dbs=
urls=
for i in $(seq 1 "${PROPERTY_WORKERS:-4}"); do
	create_todo_database "todo_property$i" >"$work/create.log" 2>&1 || {
		echo "Bail out! cannot create todo_property$i: $(cat "$work/create.log")"
		exit 1
	}
	dbs="$dbs todo_property$i"
	urls="$urls $(database_url "todo_property$i")"
done
PROPERTY_DBS=$dbs PROPERTY_URLS=$urls prove -v "$top/test/suites/property.t"
