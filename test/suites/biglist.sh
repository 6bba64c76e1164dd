#!/usr/bin/env bash
# test/suites/biglist.sh - one response cannot take the gateway's memory past its bound
# (issue 9, item 9, the gateway's part; docs/security.md): a user whose tasks' data is
# longer than GW_LIST_MAX_BYTES (32 MiB: 4,000 tasks of 10,000-character descriptions,
# inserted with psql) asks for the list without limit: 400 bad_request naming the bound and
# the way out (pages), and the gateway's resident memory grows by less than the list; a
# page of it (limit=100) is still a 200, and the gateway still answers health.
set -uo pipefail
. "$(dirname "$0")/lib/suite.bash" "$@"

suite_gateway biglist
psql -X -q -v ON_ERROR_STOP=1 -d todo_biglist -v uid="$uid" >"$work/insert.log" 2>&1 <<-'EOF2'
	INSERT INTO todo.tasks (user_id, title, description)
	SELECT :'uid', 'task ' || i, repeat('d', 10000) FROM generate_series(1, 4000) AS i;
EOF2
is "$?" 0 "4,000 tasks of 10,000 characters inserted (40 MB of descriptions)"

rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$gw_pid/status"; }
before=$(rss_kb)
code=$(curl -s -o "$work/list.json" --max-time 120 -w '%{http_code}' "$gw_url/api/$uid/tasks" \
	-H "Authorization: Bearer $token")
after=$(rss_kb)
is "$code" 400 "the whole list (over 32 MiB) is refused: 400"
is "$(jq -r .error.code "$work/list.json")" bad_request "with the code bad_request"
like "$(jq -r .error.message "$work/list.json")" "32 MiB.*limit and offset" "its message names the bound and the way out"
grew=$(((after - before) / 1024))
echo "# the gateway's resident memory: $((before / 1024)) MiB before, $((after / 1024)) MiB after"
if [ "$grew" -lt 40 ]; then ok "the gateway's memory grew by less than the list ($grew MiB)"; else not_ok "the gateway's memory grew by less than the list ($grew MiB)"; fi
code=$(curl -s -o "$work/page.json" --max-time 60 -w '%{http_code}' "$gw_url/api/$uid/tasks?limit=100&offset=3900" \
	-H "Authorization: Bearer $token")
is "$code" 200 "a page of it is a 200"
is "$(jq '.data | length' "$work/page.json") $(jq .meta.total "$work/page.json")" "100 4000" "with 100 tasks of 4,000"
is "$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$gw_url/api/v1/health")" 200 "health answers"
gateway_stop biglist
tap_plan
