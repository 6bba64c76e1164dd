#!/usr/bin/env bash
# `make bench`: the figures the issues ask for, on a throwaway cluster of its own.
# Timings vary with the machine's load: compare ratios measured in the same run.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
. test/lib.sh

state_dir tmp_check >/dev/null # reachable by the server, wherever the checkout is
dir="$top/tmp_check/bench"
make -s -C extension all install >/dev/null
make -s -C gateway all >/dev/null
make -s -C todoctl all >/dev/null
trap 'test/cluster.sh stop "$dir"' EXIT
test/cluster.sh start "$dir" todo >/dev/null
. "$dir/env"
create_todo_database todo_bench >/dev/null

echo "== database (in-database timings)"
psql -X -q -d todo_bench -f bench/database.sql 2>&1 | sed -n 's/^psql:.*NOTICE:  //p'
echo "== JWT verification (100,000 calls)"
psql -X -q -d todo_bench -f bench/jwt_verify.sql 2>&1 | sed -n 's/^psql:.*NOTICE:  //p'
echo "== other issuers' signatures (issue 10: 100,000 calls; authenticate())"
psql -X -q -d todo_bench -f bench/jws_verify.sql 2>&1 | sed -n 's/^psql:.*NOTICE:  //p'
bench/plain.sh   # the plain-SQL install against the extension, on this cluster
echo "== HTTP (wrk against the gateway, pgbench for the same SQL)"
bench/http.sh todo_bench
bench/stream.sh todo_bench   # the streamed list: 10 clients x 50 MB, backend memory 10k vs 100k
echo "== slow clients (600 slow connections from one address against health from another)"
bench/slowloris.sh todo_bench
echo "== Better Auth tokens over HTTP (issue 10)"
bench/betterauth.sh todo_bench
echo "== read replicas: list throughput with 0 and 1 replica (issue 13)"
bench/replica.sh     # a primary and a streaming standby of its own
bench/migration.sh   # migration 1.0 -> 1.1 under API load, on a cluster of its own
bench/import.sh      # legacy import of 10,000 users and 1,000,000 tasks, on a cluster of its own
