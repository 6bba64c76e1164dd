# test/suites/lib/suite.bash - the one shell library of the suites in test/suites/.
# (Their Perl halves, NAME.t, use test/suites/lib/Suite.pm, which this file shares.)
#
# A new suite test/suites/NAME.sh (found by test/run.sh, run as `NAME.sh WORKDIR` with the
# main cluster's PGHOST/PGPORT/PGUSER and GATEWAY_PASSWORD in its environment):
#
#     #!/usr/bin/env bash
#     # test/suites/NAME.sh - what it tests, in a sentence or two.
#     set -uo pipefail
#     . "$(dirname "$0")/lib/suite.bash" "$@"
#     at_exit "dropdb --if-exists todo_NAME"      # whatever it makes, undone at exit
#     create_todo_database todo_NAME >"$work/create.log" 2>&1 || { echo "Bail out! ..."; exit 1; }
#     is "$(psql -X -At -d todo_NAME -c 'SELECT 1')" 1 "a first test"
#     tap_plan                                    # optional: "1..N" of the lines above
#
# Then the repository ($top) is the working directory; $work (WORKDIR) is absolute and
# exists, and is exported as SUITE_WORK for the Perl half (prove -v "$top/test/suites/NAME.t");
# test/lib.sh is loaded (free_port, wait_http, create_todo_database, database_url, as_pg).
# The suite prints TAP: lines "ok N" / "not ok N", counted by test/run.sh, which also adds
# one test of its own after the suite: no AddressSanitizer/UBSan report in $work (the
# gateways of gateway_start and Suite.pm, and todoctl after use_todoctl, write theirs there).
# Never trap EXIT in a suite: at_exit adds a step to the cleanup, which runs however the
# suite ends and also stops the gateways it started.
# shellcheck shell=bash

work=${1:?usage: $(basename "$0") WORKDIR}
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
cd "$top" || exit 1
. test/lib.sh
mkdir -p "$work/pids"
work=$(cd "$work" && pwd)
export SUITE_WORK=$work

# --- TAP: each function prints one numbered line --------------------------------------------
tap_n=0
ok() { tap_n=$((tap_n + 1)); echo "ok $tap_n - $1"; }
not_ok() { # description [diagnostic text, shown as # lines]
	tap_n=$((tap_n + 1))
	echo "not ok $tap_n - $1"
	[ $# -gt 1 ] && printf '%s\n' "$2" | head -60 | diag
	return 0
}
diag() { sed 's/^/# /'; } # stdin as TAP comments
is() {                    # got expected description
	if [ "$1" = "$2" ]; then ok "$3"; else not_ok "$3" "got: $1
expected: $2"; fi
}
# like TEXT ERE DESCRIPTION: the whole text matches (. matches newlines, ^ $ are its ends)
like() {
	if [[ $1 =~ $2 ]]; then ok "$3"; else not_ok "$3" "no /$2/ in:
$1"; fi
}
unlike() {
	if [[ $1 =~ $2 ]]; then not_ok "$3" "/$2/ in:
$1"; else ok "$3"; fi
}
# run_ok DESCRIPTION LOG COMMAND...: the command succeeds; its output appended to LOG, the
# end of which is shown when it fails
run_ok() {
	local what=$1 log=$2 rc
	shift 2
	"$@" >>"$log" 2>&1
	rc=$?
	if [ "$rc" = 0 ]; then ok "$what"; else not_ok "$what (exit $rc)" "$(tail -5 "$log")"; fi
}
tap_plan() { echo "1..$tap_n"; }

# --- cleanup: whatever the suite started is stopped when it exits, however it exits ---------
cleanup_steps=()
at_exit() { cleanup_steps+=("$1"); } # a shell command, run at exit (last added, first run)
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

# suite_cluster_without_library DIR: a throwaway cluster as Neon's servers are, which cannot
# load our C library: test/cluster.sh's, new each run, started once to be created, then
# without shared_preload_libraries and the todo.* settings it writes into postgresql.conf.
# Stopped at exit; its env (DIR/env) is loaded. A cluster that does not start bails out.
suite_cluster_without_library() {
	local pg=$1
	"$top/test/cluster.sh" stop "$pg" >/dev/null 2>&1
	rm -rf "$pg"
	at_exit "'$top/test/cluster.sh' stop '$pg'"
	if ! { "$top/test/cluster.sh" start "$pg" postgres && "$top/test/cluster.sh" stop "$pg" &&
		sed -i -e '/^shared_preload_libraries/d' -e '/^todo\./d' "$pg/data/postgresql.conf" &&
		"$top/test/cluster.sh" start "$pg" postgres; } >"$work/cluster.log" 2>&1; then
		echo "Bail out! cannot start a cluster without the C library: $(tail -5 "$work/cluster.log")"
		exit 1
	fi
	. "$pg/env"
}

# --- the gateway: started by Suite.pm's gateway_exec (its binary, environment and logs, as
# for the Perl halves), watched from here ----------------------------------------------------
# gateway_start NAME VAR=VALUE...: the gateway ($gateway_bin: the ASan build unless the
# suite says otherwise) on a free port with exactly these settings; sets gw_pid and gw_url
# and waits until it answers HTTP. Its output goes to $work/NAME.out and NAME.err.
gateway_bin=$top/gateway/todo-gateway-asan
gateway_start() {
	local name=$1 port
	shift
	port=$(free_port)
	SUITE_GATEWAY=$gateway_bin perl -I"$top/test/suites/lib" -MSuite -e 'gateway_exec(@ARGV)' \
		"$name" "$port" "$@" &
	gw_pid=$! # gateway_exec writes $work/pids/NAME.pid and execs: the gateway has this pid
	gw_url="http://127.0.0.1:$port"
	wait_http "$gw_url/api/v1/health" 60 && kill -0 "$gw_pid" 2>/dev/null
}

# gateway_start_again NAME VAR=VALUE...: gateway_start, once more on another free port when
# the first one was taken between free_port and the gateway's bind (other test runs share
# the machine)
gateway_start_again() {
	gateway_start "$@" && return 0
	grep -q 'Address already in use' "$work/$1.err" || return 1
	rm -f "$work/pids/$1.pid"
	gateway_start "$@"
}

# gateway_stop NAME: SIGTERM to the gateway started as NAME; a test: it exits 0
gateway_stop() {
	local f="$work/pids/$1.pid" pid rc
	pid=$(cat "$f")
	kill -TERM "$pid"
	wait "$pid"
	rc=$?
	rm -f "$f"
	is "$rc" 0 "gateway $1 exits 0 on SIGTERM"
}

# suite_gateway NAME [VAR=VALUE...]: a database todo_NAME in the main cluster, the gateway
# NAME on it (gateway_start, with those settings) and a user registered through it, whose id and token are then in $uid
# and $token. Bails out of the suite when any of these fails.
suite_gateway() {
	local name="u_$RANDOM$RANDOM" reg
	create_todo_database "todo_$1" >"$work/create.log" 2>&1 || {
		echo "Bail out! cannot create todo_$1: $(cat "$work/create.log")"
		exit 1
	}
	gateway_start "$1" DATABASE_URL="$(database_url "todo_$1")" "${@:2}" || {
		echo "Bail out! the gateway did not start: $(tail -5 "$work/$1.err")"
		exit 1
	}
	reg=$(curl -s --max-time 30 -X POST "$gw_url/api/auth/register" -H 'Content-Type: application/json' \
		-d "{\"username\":\"$name\",\"email\":\"$name@example.com\",\"password\":\"pw-$name\"}")
	uid=$(jq -r .data.user.id <<<"$reg")
	token=$(jq -r .data.access_token <<<"$reg")
	[ -n "$uid" ] && [ "$uid" != null ] || {
		echo "Bail out! cannot register a user: $reg"
		exit 1
	}
}

# --- todoctl ---------------------------------------------------------------------------------
# use_todoctl: $todoctl is the todoctl under test, the sanitized build when there is one,
# its reports in $work (from here on, for every program this shell starts)
use_todoctl() {
	todoctl="$top/todoctl/todoctl-asan"
	[ -x "$todoctl" ] || todoctl="$top/todoctl/todoctl"
	export ASAN_OPTIONS="log_path=$work/asan:detect_leaks=1"
	export UBSAN_OPTIONS="log_path=$work/ubsan:print_stacktrace=1"
}
