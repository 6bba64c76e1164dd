#!/usr/bin/env bash
# bench/import.sh: the import figure of issue 4, on a throwaway cluster of its own.
# Builds a legacy todo_app.db of 10,000 users and 1,000,000 tasks (sqlite3, a recursive
# CTE: test/import/make_legacy_db.sh big), imports it with `todoctl import` into an empty
# database, and reports the import's wall time (target: at most 60 s) and the importer's
# peak resident memory (target: under 100 MB; /usr/bin/time -v's maximum resident set
# size, else VmHWM read from /proc while it runs), then the time of a second, no-op run.
# Timings vary with the machine's load: the load average is printed with them.
#
#   BENCH_IMPORT_USERS   users (10000)
#   BENCH_IMPORT_TASKS   tasks (1000000)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
. test/lib.sh

users=${BENCH_IMPORT_USERS:-10000}
tasks=${BENCH_IMPORT_TASKS:-1000000}
dir="$top/tmp_check/bench-import"
make -s -C extension all install >/dev/null
make -s -C todoctl all >/dev/null
cleanup() {
	test/cluster.sh stop "$dir"
	rm -rf "$dir/data" "$dir/todo_app.db"   # a gigabyte together; the logs and the report stay
}
trap cleanup EXIT
trap 'exit 130' INT TERM
test/cluster.sh stop "$dir"
rm -rf "$dir"
test/cluster.sh start "$dir" todo >/dev/null
. "$dir/env"
create_todo_database todo_import >/dev/null
export DATABASE_URL="postgresql://postgres@127.0.0.1:$PGPORT/todo_import"
legacy="$dir/todo_app.db"

echo "== legacy import (todoctl import, $users users, $tasks tasks)"
# seconds since $1 (a date +%s.%N)
since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }'; }
start=$(date +%s.%N)
test/import/make_legacy_db.sh "$legacy" big "$users" "$tasks"
printf 'legacy file: %s MB, built by sqlite3 in %.1f s\n' "$(($(stat -c %s "$legacy") / 1048576))" "$(since "$start")"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

# run_import LOG: the import, timed; sets seconds and peak_kb
run_import() {
	local log=$1 pid hwm=0 v
	start=$(date +%s.%N)
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -v -o "$log.time" todoctl/todoctl import --report "$log.report" "$legacy" 2>"$log"
		peak_kb=$(sed -n 's/^\s*Maximum resident set size (kbytes): //p' "$log.time")
	else
		todoctl/todoctl import --report "$log.report" "$legacy" 2>"$log" &
		pid=$!
		while kill -0 "$pid" 2>/dev/null; do
			v=$(sed -n 's/^VmHWM:\s*\([0-9]*\) kB/\1/p' "/proc/$pid/status" 2>/dev/null || true)
			[ -n "$v" ] && [ "$v" -gt "$hwm" ] && hwm=$v
			sleep 0.1
		done
		wait "$pid"
		peak_kb=$hwm
	fi
	seconds=$(since "$start")
}

run_import "$dir/import.log"
sed 's/^todoctl import: /  /' "$dir/import.log"
grep -E '^(users|tasks|sessions|verified|result):' "$dir/import.log.report" | sed 's/^/  /'
printf 'import: %.1f s wall (target: at most 60 s), %.0f tasks/s\n' "$seconds" "$(awk -v t="$tasks" -v s="$seconds" 'BEGIN { print t / s }')"
printf 'importer peak memory: %.1f MB resident (target: under 100 MB)\n' "$(awk -v k="$peak_kb" 'BEGIN { print k / 1024 }')"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
run_import "$dir/rerun.log"
printf 'second run (nothing to import): %.1f s, %.1f MB; %s\n' "$seconds" "$(awk -v k="$peak_kb" 'BEGIN { print k / 1024 }')" \
	"$(grep '^result:' "$dir/rerun.log.report")"
