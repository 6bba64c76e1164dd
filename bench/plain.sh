#!/usr/bin/env bash
# bench/plain.sh: the plain-SQL install (no C) against the extension, on the same cluster in
# the same run: todo.jwt_verify, and a task-list request of 20 tasks and of 10,000
# (bench/plain.sql), in one database of each kind; five rounds, the two kinds in turn, the
# best round of each (the machine's other load only ever adds time) and the ratio plain /
# extension.
#
#   bench/plain.sh     run by bench/run.sh on its cluster (PGHOST... set); alone, it starts
#                      a throwaway cluster of its own under tmp_check/bench-plain
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
. test/lib.sh

make -s -C extension all install >/dev/null
if [ -z "${PGHOST:-}" ]; then
	dir="$top/tmp_check/bench-plain"
	trap 'test/cluster.sh stop "$dir"' EXIT
	test/cluster.sh start "$dir" postgres >/dev/null
	. "$dir/env"
fi
version=$(sed -n "s/^default_version = '\([^']*\)'.*/\1/p" extension/todo.control)
secret=$(head -c 48 /dev/urandom | base64 | tr -d '/+=\n')
for db in bench_plain_ext bench_plain_sql; do dropdb --if-exists "$db" && createdb "$db"; done
psql -X -q -v ON_ERROR_STOP=1 -d bench_plain_ext -c 'CREATE EXTENSION todo CASCADE'
{ cat "$(pg_config --sharedir)/todo-plain/todo-plain--$version.sql"; echo "UPDATE todo.settings SET jwt_secret = '$secret';"; } |
	psql -X -q -v ON_ERROR_STOP=1 --single-transaction -d bench_plain_sql >/dev/null

rounds="$top/tmp_check/bench-plain.rounds"
: >"$rounds"
for round in 1 2 3 4 5; do
	for db in bench_plain_ext bench_plain_sql; do
		psql -X -q -v ON_ERROR_STOP=1 -d "$db" -f bench/plain.sql | sed "s/^/$db /" >>"$rounds"
	done
done
for db in bench_plain_ext bench_plain_sql; do dropdb "$db"; done

echo "== the plain-SQL install against the extension (in-database, best of 5 rounds)"
# figure database: the best round
best() { awk -v db="$2" -v f="$1" '$1 == db && $2 == f { print $3 }' "$rounds" | sort -g | head -1; }
printf '%-36s %10s %10s %8s\n' '' extension plain ratio
for figure in jwt_verify_us task_list_20_ms task_list_10000_ms; do
	ext=$(best "$figure" bench_plain_ext)
	sql=$(best "$figure" bench_plain_sql)
	case $figure in
	jwt_verify_us) what='todo.jwt_verify, us a call' ;;
	task_list_20_ms) what='task list of 20 tasks, ms' ;;
	*) what='task list of 10,000 tasks, ms' ;;
	esac
	printf '%-36s %10s %10s %7.1fx\n' "$what" "$ext" "$sql" "$(awk -v a="$sql" -v b="$ext" 'BEGIN { print a / b }')"
done
