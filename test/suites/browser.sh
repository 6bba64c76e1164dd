#!/usr/bin/env bash
# test/suites/browser.sh - the web app in a real browser: test/browser/app.test.mjs drives
# Debian's Chromium (headless, through puppeteer-core, pinned in package.json) against a
# gateway of the suite's own serving gateway/web (its default WEB_ROOT) and a database of
# its own in the main cluster. Everything it starts (gateway, Chromium) is stopped at exit,
# however the suite ends; the script has a time limit of its own and one here.
#
#   test/suites/browser.sh WORKDIR     (run by test/run.sh with the main cluster's PG* env)
set -uo pipefail
. "$(dirname "$0")/lib/suite.bash" "$@"

command -v chromium >/dev/null || { echo "Bail out! chromium is missing (scripts/deps.sh installs it)"; exit 1; }
scripts/node-deps.sh >"$work/node-deps.log" 2>&1 || {
	echo "Bail out! cannot install the pinned Node packages: $(tail -5 "$work/node-deps.log")"
	exit 1
}
at_exit "dropdb --if-exists todo_browser"
create_todo_database todo_browser >"$work/create.log" 2>&1 || {
	echo "Bail out! cannot create todo_browser: $(cat "$work/create.log")"
	exit 1
}
gateway_start_again web DATABASE_URL="$(database_url todo_browser)" ENVIRONMENT=development || {
	echo "Bail out! the gateway did not start: $(tail -5 "$work/web.err")"
	exit 1
}

# Chromium's pid goes where suite_cleanup finds it: stopped even if node is killed
chromium_pid="$work/pids/chromium.pid"
TODO_BASE_URL=$gw_url BROWSER_PID_FILE=$chromium_pid BROWSER_TEST_SECONDS=400 TAP_NO_PLAN=1 \
	timeout -k 10 420 node test/browser/app.test.mjs 2>"$work/node.err" | tee "$work/browser.tap"
rc=${PIPESTATUS[0]}
# a normal end closed Chromium: its pid must not be signalled later (it may be reused)
[ "$rc" = 0 ] && rm -f "$chromium_pid"
tap_n=$(grep -cE '^(not )?ok [0-9]+' "$work/browser.tap")
if [ "$rc" != 0 ]; then
	not_ok "the browser script ends well (exit $rc)" "$(tail -20 "$work/node.err")"
fi
gateway_stop web
tap_plan
