#!/usr/bin/env bash
# test/suites/rootclone.sh - a clone that the postgres user cannot enter (under a fresh
# directory of root's, mode 700, like /root) works: `make run` serves, prints the embedded
# database's URL and stops the gateway and the cluster on SIGTERM; `make test` runs a suite;
# the clone's permissions are left as they were. Needs root (skipped otherwise).
set -uo pipefail
. "$(dirname "$0")/lib/suite.bash" "$@"

if [ "$(id -u)" != 0 ] || ! id postgres >/dev/null 2>&1; then
	echo "1..0 # SKIP needs root and a postgres user (the server runs as postgres only under root)"
	exit 0
fi

home=$(mktemp -d /tmp/todo-rootclone.XXXXXX) # a fresh directory of root's
chmod 700 "$home"
clone=$home/todo
state=/var/tmp/todo-$(printf '%s' "$clone" | sha256sum | cut -c1-16)
run_pgid=
at_exit "rm -rf '$home' '$state'"
at_exit '[ -n "$run_pgid" ] && kill -TERM -- "-$run_pgid" 2>/dev/null; for d in "$state"/.run/pg "$state"/tmp_check/run/pg "$state"/tmp_check/run/restore; do [ -d "$d/data" ] && "$top/test/cluster.sh" stop "$d"; done'

git clone -q "$top" "$clone" && git -C "$clone" checkout -q "$(git -C "$top" rev-parse HEAD)" || {
	echo "Bail out! cannot clone $top"
	exit 1
}
is "$(git -C "$clone" rev-parse HEAD)" "$(git -C "$top" rev-parse HEAD)" "a clone of this checkout's HEAD"
runuser -u postgres -- test -x "$clone" 2>/dev/null && not_ok "the postgres user cannot enter the clone" || ok "the postgres user cannot enter the clone"
perms() { stat -c '%a %U' "$home" "$clone"; }
before=$(perms)

# --- make run: serves, prints the admin URL, stops everything on SIGTERM ---------------------
port=$(free_port)
# as a new user would run it: nothing of this run's clusters in the environment
# (nor the make that runs this suite: MAKELEVEL would make the clone's make print its directories;
# nor a TODO_RUN_DIR: the clone's make test would share, and wipe, this run's logs)
clean_env=(env -u DATABASE_URL -u PGHOST -u PGPORT -u PGUSER -u PGDATABASE -u GATEWAY_PASSWORD
	-u MAKEFLAGS -u MAKELEVEL -u MFLAGS -u TODO_RUN_DIR)
(cd "$clone" && PORT=$port exec "${clean_env[@]}" setsid make run) >"$work/run.out" 2>&1 &
run_pid=$!
run_pgid=$run_pid # setsid: the make is the leader of a new process group
up=false
for _ in $(seq 1500); do # the build comes first: up to 5 minutes
	curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$port/api/v1/health" && { up=true; break; }
	kill -0 "$run_pid" 2>/dev/null || break
	sleep 0.2
done
if $up; then ok "make run in the clone serves (health answers)"; else not_ok "make run in the clone serves (health answers)" "$(tail -20 "$work/run.out")"; fi
url=$(sed -n 's/.*DATABASE_URL=\(postgresql:\/\/[^ ]*\).*/\1/p' "$work/run.out" | head -1)
like "$url" '^postgresql://postgres@127\.0\.0\.1:[0-9]+/todo$' "make run prints the embedded database's admin URL (DATABASE_URL=postgresql://...)"
is "$(psql -X -At -d "${url:-postgresql://nowhere.invalid/x}" -c 'SELECT 1' 2>&1)" 1 "... which answers"
like "$(readlink "$clone/.run")" "^$state/\.run$" "the embedded cluster lives in $state (.run links to it)"
like "$(psql -X -At -d "${url:-postgresql://nowhere.invalid/x}" -c 'SHOW data_directory' 2>&1)" "^$state/" "... its data directory too"
is "$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$port/api/auth/login" -H 'Content-Type: application/json' \
	-d '{"email":"test@example.com","password":"Test123!@#"}')" 200 "the seeded development user logs in"
kill -TERM -- "-$run_pgid"
stopped=false
for _ in $(seq 300); do
	kill -0 "$run_pid" 2>/dev/null || { stopped=true; break; }
	sleep 0.2
done
$stopped && ok "make run exits on SIGTERM" || not_ok "make run exits on SIGTERM" "$(tail -10 "$work/run.out")"
wait "$run_pid" 2>/dev/null
run_pgid=
is "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$port/api/v1/health")" 000 "the gateway is gone"
is "$(psql -X -At -d "${url:-postgresql://nowhere.invalid/x}" -c 'SELECT 1' >/dev/null 2>&1; echo $?)" 2 "the embedded cluster is stopped (no connection)"
is "$(find "$state/.run/pg" -maxdepth 2 -name postmaster.pid 2>/dev/null | wc -l)" 0 "... no postmaster.pid left"
like "$(cat "$work/run.out")" "stopped the gateway and the embedded database" "make run says it stopped both"

# --- make test: one suite ------------------------------------------------------------------
(cd "$clone" && TODO_SUITES=pgtap exec "${clean_env[@]}" timeout 600 make test) >"$work/test.out" 2>&1
like "$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$work/test.out" | tail -1)" '^[1-9][0-9]* passed, 0 failed$' \
	"make test in the clone runs (TODO_SUITES=pgtap)"
like "$(readlink "$clone/tmp_check")" "^$state/tmp_check$" "its clusters and logs live in $state (tmp_check links to it)"
like "$(head -c 200 "$clone/tmp_check/run/logs/pgtap.log")" 'test/pgtap' "its logs are readable through the link"

is "$(perms)" "$before" "the clone's directories keep their owner and mode ($before)"
tap_plan
