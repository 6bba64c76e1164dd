#!/usr/bin/env bash
# `make screenshots`: docs/screenshots/*.png, the web app's main views (sign-in, task list,
# edit dialog) at desktop and phone width, taken by test/browser/screenshots.mjs in Debian's
# Chromium from a gateway and a throwaway cluster (tmp_check/screenshots) started here and
# stopped at exit, whatever happens. Not part of `make test`.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
. test/lib.sh

scripts/node-deps.sh
make -s -C extension all install
make -s -C gateway all

dir=tmp_check/screenshots
gateway_pid=
cleanup() {
	# Chromium, when the script did not close it (its pid file is removed after a clean end)
	[ -f "$dir.chromium.pid" ] && kill "$(cat "$dir.chromium.pid")" 2>/dev/null
	rm -f "$dir.chromium.pid"
	[ -n "$gateway_pid" ] && kill "$gateway_pid" 2>/dev/null && wait "$gateway_pid" 2>/dev/null
	test/cluster.sh stop "$dir" >/dev/null 2>&1 || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

test/cluster.sh start "$dir" todo >/dev/null
. "$dir/env"
create_todo_database todo_screenshots >/dev/null 2>&1
port=$(free_port)
DATABASE_URL=$(database_url todo_screenshots) PORT=$port LOG_LEVEL=warn gateway/todo-gateway &
gateway_pid=$!
wait_http "http://127.0.0.1:$port/" 30
TODO_BASE_URL="http://127.0.0.1:$port" SCREENSHOT_DIR=docs/screenshots BROWSER_PID_FILE="$dir.chromium.pid" \
	timeout -k 10 180 node test/browser/screenshots.mjs
rm -f "$dir.chromium.pid"
