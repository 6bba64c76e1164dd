# test/suites/lib/suite.sh - sourced by the suites in test/suites/*.sh (see suite_script in
# test/run.sh): TAP lines, stop-everything-at-exit, throwaway clusters, the ASan gateway.
# The suite sets top (the repo) and work (its own work directory, $1) before sourcing.
# shellcheck shell=bash

. "$top/test/lib.sh"
mkdir -p "$work/pids"
work=$(cd "$work" && pwd)

# --- TAP ---------------------------------------------------------------------------------
tap_n=0
tap_ok() { # exit-status description: one test line
	tap_n=$((tap_n + 1))
	if [ "$1" = 0 ]; then echo "ok $tap_n - $2"; else echo "not ok $tap_n - $2"; fi
}
tap_diag() { sed 's/^/# /'; }

# --- cleanup: whatever the suite started is stopped when it exits, however it exits -------
cleanup_steps=()
at_exit() { cleanup_steps+=("$1"); }
suite_cleanup() {
	local i f
	# gateways started by this suite (shell or Perl half) that are still running
	for f in "$work"/pids/*.pid; do
		[ -e "$f" ] || continue
		kill -TERM "$(cat "$f")" 2>/dev/null
		rm -f "$f"
	done
	for ((i = ${#cleanup_steps[@]} - 1; i >= 0; i--)); do eval "${cleanup_steps[$i]}"; done
}
trap suite_cleanup EXIT
trap 'exit 130' INT TERM

as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

# suite_cluster DIR DB: a throwaway cluster of the suite's own (test/cluster.sh) with DB
# created as create_todo_database does; stopped at exit. Its env is written to DIR/env.
suite_cluster() {
	"$top/test/cluster.sh" start "$1" "$2" >"$work/cluster.log" 2>&1 || {
		cat "$work/cluster.log"
		return 1
	}
	at_exit "'$top/test/cluster.sh' stop '$1'"
	(. "$1/env" && create_todo_database "$2") >>"$work/cluster.log" 2>&1 || {
		cat "$work/cluster.log"
		return 1
	}
}

# gateway_start NAME VAR=VALUE...: the gateway ($gateway_bin: the ASan build unless the
# suite says otherwise) on a free port with exactly these settings (plus PORT and the
# sanitizers' log paths in $work); sets gw_pid and gw_url and waits until it answers HTTP.
# Its output goes to $work/NAME.out and NAME.err.
gateway_bin=$top/gateway/todo-gateway-asan
gateway_start() {
	local name=$1 port
	shift
	port=$(free_port)
	env -u DATABASE_URL -u ENVIRONMENT -u POOL_SIZE -u POOL_TIMEOUT -u LOG_LEVEL "$@" PORT="$port" \
		ASAN_OPTIONS="log_path=$work/asan.$name:detect_leaks=1" \
		UBSAN_OPTIONS="log_path=$work/ubsan.$name:print_stacktrace=1" \
		"$gateway_bin" >"$work/$name.out" 2>"$work/$name.err" &
	gw_pid=$!
	echo "$gw_pid" >"$work/pids/$name.pid"
	gw_url="http://127.0.0.1:$port"
	wait_http "$gw_url/api/v1/health" 60 && kill -0 "$gw_pid" 2>/dev/null
}

# gateway_stop NAME: SIGTERM to the gateway started as NAME; a TAP line for a clean exit 0
gateway_stop() {
	local f="$work/pids/$1.pid" pid rc
	pid=$(cat "$f")
	kill -TERM "$pid"
	wait "$pid"
	rc=$?
	rm -f "$f"
	tap_ok "$rc" "gateway $1 exits 0 on SIGTERM (exit $rc)"
}

# sanitizer_ok: a TAP line, failing with the reports when ASan or UBSan wrote any
sanitizer_ok() {
	local reports
	reports=$(find "$work" -maxdepth 1 \( -name 'asan.*' -o -name 'ubsan.*' \) -size +0 | sort)
	if [ -z "$reports" ]; then
		tap_ok 0 "no sanitizer report (AddressSanitizer, LeakSanitizer, UBSan)"
	else
		tap_ok 1 "sanitizer reports: $(echo $reports)"
		for f in $reports; do head -60 "$f" | tap_diag; done
	fi
}
