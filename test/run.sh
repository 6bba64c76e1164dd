#!/usr/bin/env bash
# Runs every test suite against real servers it starts itself (a throwaway PostgreSQL
# cluster under tmp_check/, the gateway on a free port), stops them whatever happens,
# and ends with one line: "N passed, N failed".
#
#   TODO_SUITES            suites to run (default: all, in this order)
#   TODO_GATEWAY_WRAPPER   'valgrind' runs the e2e gateway under valgrind instead of ASan
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
. test/lib.sh

# the built-in suites, then every test/suites/NAME.sh in name order (see suite_script)
extra_suites=$(for f in test/suites/*.sh; do [ -e "$f" ] && basename "$f" .sh; done)
suites=${TODO_SUITES:-"regress pgtap dump unit e2e $extra_suites"}
tmp="${TODO_RUN_DIR:-$(state_dir tmp_check)/run}" # separate runs need separate directories
logs="$tmp/logs"
rm -rf "$logs"
mkdir -p "$logs"
passed=0
failed=0
gateway_pid=

cleanup() {
	[ -n "$gateway_pid" ] && kill "$gateway_pid" 2>/dev/null && wait "$gateway_pid" 2>/dev/null
	test/cluster.sh stop "$tmp/pg"
	test/cluster.sh stop "$tmp/restore"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# sanitizer_tap DIR [N]: TAP test N (default 1): no AddressSanitizer, LeakSanitizer or UBSan
# report in DIR (the sanitized programs of a suite write theirs there: log_path=DIR/asan.NAME)
sanitizer_tap() {
	local reports f n=${2:-1}
	reports=$(find "$1" -maxdepth 1 \( -name 'asan.*' -o -name 'ubsan.*' \) -size +0 | sort)
	if [ -z "$reports" ]; then
		echo "ok $n - no sanitizer report (AddressSanitizer, LeakSanitizer, UBSan)"
		return
	fi
	echo "not ok $n - sanitizer reports: $(echo $reports)"
	for f in $reports; do head -60 "$f" | sed 's/^/# /'; done
}

# add the counts of a TAP log (unindented "ok N" / "not ok N" lines); a runner that
# failed without a failing line (a crash, a bad plan) counts as one failure
count_tap() { # suite log exit_code
	local p f
	read -r p f <<<"$(tap_counts "$2" "$3")"
	report "$1" "$p" "$f" "$2"
}

report() { # suite passed failed log
	passed=$((passed + $2))
	failed=$((failed + $3))
	printf '%-8s %4d passed, %d failed\n' "$1" "$2" "$3"
	if [ "$3" != 0 ]; then
		echo "--- $1: failures (full log: ${4#$top/})"
		grep -E -A8 '^(.*\.\. )?not ok|FAILED|failed|ERROR|error:' "$4" | head -80
		[ "$1" = regress ] && [ -f "$tmp/regress/regression.diffs" ] && head -100 "$tmp/regress/regression.diffs"
		echo "---"
	fi
}

step() { # what log command...: runs a build step; a failure is one failed test
	local what=$1 log=$2
	shift 2
	if ! "$@" >"$log" 2>&1; then
		echo "--- $what failed:"
		tail -40 "$log"
		failed=$((failed + 1))
		return 1
	fi
}

build() {
	step "build extension" "$logs/build-extension.log" make -C extension all &&
		step "install extension" "$logs/install-extension.log" make -C extension install &&
		step "build gateway" "$logs/build-gateway.log" make -C gateway all asan &&
		step "build todoctl" "$logs/build-todoctl.log" make -C todoctl all asan &&
		step "node packages" "$logs/node-deps.log" scripts/node-deps.sh &&
		step "vendor the reference page's script" "$logs/vendor.log" make -C gateway vendor
}

start_database() {
	step "start cluster" "$logs/cluster.log" test/cluster.sh start "$tmp/pg" todo || return 1
	. "$tmp/pg/env"
	for db in todo_tap todo_e2e; do
		step "create $db" "$logs/create-$db.log" create_todo_database "$db" || return 1
	done
}

suite_regress() {
	local log="$logs/regress.log" rc
	make -C extension installcheck REGRESS_OUTPUTDIR="$tmp/regress" >"$log" 2>&1
	rc=$?
	local p f
	read -r p f <<<"$(regress_counts "$log" "$rc")"
	report regress "$p" "$f" "$log"
}

suite_pgtap() {
	local log="$logs/pgtap.log"
	pg_prove -v -d todo_tap test/pgtap/*.sql >"$log" 2>&1
	count_tap pgtap "$log" $?
}

suite_dump() {
	local log="$logs/dump.log"
	test/dump_restore.sh "$tmp/restore" >"$log" 2>&1
	count_tap dump "$log" $?
}

# the C unit tests of gateway/test and todoctl/test, under ASan + UBSan
suite_unit() {
	local log="$logs/unit.log" rc=0
	make -s -C gateway test-asan PROVE_FLAGS=-v >"$log" 2>&1 || rc=$?
	make -s -C todoctl test-asan PROVE_FLAGS=-v >>"$log" 2>&1 || rc=$?
	count_tap unit "$log" "$rc"
}

suite_e2e() {
	local log="$logs/e2e.log" port admin_port binary=gateway/todo-gateway-asan rc
	port=$(free_port)
	admin_port=$(free_port)
	local -a wrapper=()
	if [ "${TODO_GATEWAY_WRAPPER:-}" = valgrind ]; then
		binary=gateway/todo-gateway
		wrapper=(valgrind --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=99
			--log-file="$logs/valgrind.log")
	fi
	# TRUSTED_PROXIES: the suite plays a load balancer too (X-Forwarded-For, login_throttle.t)
	# ADMIN_PORT: metrics.t reads the counters; every response is recorded (TODO_E2E_RECORD)
	# and checked against the OpenAPI document afterwards (test/openapi/validate.mjs)
	DATABASE_URL=$(database_url todo_e2e) PORT=$port ADMIN_PORT=$admin_port ENVIRONMENT=development TRUSTED_PROXIES=127.0.0.1 \
		ASAN_OPTIONS="log_path=$logs/asan:detect_leaks=1" \
		UBSAN_OPTIONS="log_path=$logs/ubsan:print_stacktrace=1" \
		"${wrapper[@]}" "$binary" >"$logs/gateway.out" 2>"$logs/gateway.err" &
	gateway_pid=$!
	if ! wait_http "http://127.0.0.1:$port/api/v1/health" 60; then
		echo "--- gateway did not start:"
		tail -20 "$logs/gateway.err"
		failed=$((failed + 1))
		return
	fi
	rm -f "$logs/e2e-responses.jsonl"
	TODO_BASE_URL="http://127.0.0.1:$port" TODO_ADMIN_URL="http://127.0.0.1:$admin_port" \
		TODO_E2E_RECORD="$logs/e2e-responses.jsonl" TODO_E2E_TRUSTED_PROXY=1 \
		prove -v test/e2e >"$log" 2>&1
	rc=$?
	kill -TERM "$gateway_pid"
	wait "$gateway_pid"
	local gateway_rc=$?
	gateway_pid=
	# the gateway's own verdict: a clean exit 0 after SIGTERM, and no sanitizer report
	{
		if [ "$gateway_rc" = 0 ]; then echo "ok 1 - gateway exits 0 on SIGTERM"; else echo "not ok 1 - gateway exit code $gateway_rc"; fi
	} >>"$log"
	sanitizer_tap "$logs" 2 >>"$log"
	# every response the suite received, against the OpenAPI document (numbered from 3)
	node test/openapi/validate.mjs gateway/openapi/openapi.json "$logs/e2e-responses.jsonl" |
		awk '/^(not )?ok [0-9]+/ { sub(/ok [0-9]+/, "ok " (++n + 2)) } { print }' >>"$log" || rc=1
	count_tap e2e "$log" "$rc"
}

# test/suites/NAME.sh: a suite that needs servers of its own (a second cluster, a pooler,
# a gateway under load...), written with test/suites/lib/suite.bash (its header says how).
# It runs with the main cluster's PGHOST/PGPORT/PGUSER and GATEWAY_PASSWORD in its
# environment and its own work directory as $1, prints TAP, and must stop whatever it
# started, even when it fails (at_exit). One more test here: no sanitizer report there.
suite_script() { # name
	local log="$logs/$1.log" work="$tmp/$1" rc
	mkdir -p "$work"
	rm -f "$work"/asan.* "$work"/ubsan.*
	timeout 900 "test/suites/$1.sh" "$work" >"$log" 2>&1
	rc=$?
	sanitizer_tap "$work" >>"$log"
	count_tap "$1" "$log" "$rc"
}

if build && start_database; then
	for suite in $suites; do
		if declare -F "suite_$suite" >/dev/null; then "suite_$suite"; else suite_script "$suite"; fi
	done
fi

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
