#!/usr/bin/env bash
# bench/slowloris.sh DBNAME: health under a slow-client attack (issue 9, item 8;
# docs/benchmarks.md). For each gateway setting below: wrk from 127.0.0.1 against health
# with no attack, then the same while test/tools/slowloris.pl holds 600 connections from
# 127.0.0.2 (a header line a second each, reconnecting what the gateway closes), plus one
# curl probe every half second from the attack's first second; prints the ratios
# (throughput and latency under attack / without). The first setting is the default; the
# second is the gateway as it was before (512 connections, no per-address limit).
#
# Expects the environment of test/cluster.sh and a database DBNAME with the extension
# (bench/run.sh provides both).
#   BENCH_SLOW_SECONDS   each wrk run (10)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
. test/lib.sh

db=${1:?usage: bench/slowloris.sh DBNAME}
secs=${BENCH_SLOW_SECONDS:-10}
: "${PGPORT:?bench/slowloris.sh: no cluster environment (run it through bench/run.sh)}"
ulimit -n 4096 2>/dev/null || ulimit -n "$(ulimit -Hn)"
tmp=$(mktemp -d)
gateway_pid=
attack_pid=
cleanup() {
	[ -n "$attack_pid" ] && kill "$attack_pid" 2>/dev/null
	if [ -n "$gateway_pid" ]; then
		kill -TERM "$gateway_pid" 2>/dev/null || true
		wait "$gateway_pid" 2>/dev/null || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
make -s -C gateway all >/dev/null

# wrk_health URL: "rps avg_ms p99_ms errors"
wrk_health() {
	wrk -t2 -c10 -d"${secs}s" --latency "$1/api/v1/health" >"$tmp/wrk" 2>&1 || true
	awk '
		function ms(x) { if (x ~ /us$/) return x / 1000; if (x ~ /ms$/) return x + 0; if (x ~ /s$/) return x * 1000; return -1 }
		/^Requests\/sec/ { rps = $2 }
		$1 == "Latency" && $2 != "Distribution" { avg = ms($2) }
		$1 == "99%" { p99 = ms($2) }
		/Socket errors/ { gsub(/,/, ""); err = $4 + $6 + $8 + $10 }
		END { printf "%.0f %.2f %.2f %d\n", rps, avg, p99, err }' "$tmp/wrk"
}

# one_case LABEL VAR=VALUE...: a gateway with these settings, health without and under attack
one_case() {
	local label=$1 port base
	shift
	port=$(free_port)
	base="http://127.0.0.1:$port"
	env "$@" DATABASE_URL="$(database_url "$db")" PORT=$port LOG_LEVEL=error \
		setsid gateway/todo-gateway >/dev/null 2>"$tmp/gateway.err" &
	gateway_pid=$!
	wait_http "$base/api/v1/health" 30 || { cat "$tmp/gateway.err" >&2; exit 1; }
	read -r rps0 avg0 p990 err0 < <(wrk_health "$base")

	test/tools/slowloris.pl "$port" 127.0.0.2 600 $((secs + 6)) >"$tmp/attack" 2>/dev/null &
	attack_pid=$!
	: >"$tmp/probes"
	for _ in 1 2 3 4 5 6; do  # the attack's first seconds, while it opens its connections
		curl -s -o /dev/null --interface 127.0.0.1 --max-time 5 -w '%{http_code} %{time_total}\n' \
			"$base/api/v1/health" >>"$tmp/probes" || true
		sleep 0.5
	done
	read -r rps1 avg1 p991 err1 < <(wrk_health "$base")
	wait "$attack_pid" || true
	attack_pid=
	kill -TERM "$gateway_pid"
	wait "$gateway_pid" || true
	gateway_pid=

	echo "-- $label"
	echo "   attacker: $(sed 's/^slowloris: //' "$tmp/attack")"
	echo "   first 3 s of the attack, health probes from 127.0.0.1: $(grep -c '^200 ' "$tmp/probes") of $(wc -l <"$tmp/probes") answered 200, slowest $(sort -k2 -n "$tmp/probes" | tail -1 | awk '{printf "%.1f ms", $2 * 1000}')"
	echo "   health without attack: $rps0 req/s, avg $avg0 ms, p99 $p990 ms, socket errors $err0"
	echo "   health under attack:   $rps1 req/s, avg $avg1 ms, p99 $p991 ms, socket errors $err1"
	awk -v r0="$rps0" -v r1="$rps1" -v a0="$avg0" -v a1="$avg1" 'BEGIN {
		printf "   ratios under attack / without: throughput %.2f, average latency %s\n",
			(r0 > 0 ? r1 / r0 : 0), ((a0 > 0 && r1 > 0) ? sprintf("%.2f", a1 / a0) : "-") }'
}

echo "wrk -t2 -c10 ${secs}s on health from 127.0.0.1; attack: 600 slow connections from 127.0.0.2; $(nproc) CPUs"
one_case "default settings"
one_case "as before the fix (MAX_CONNECTIONS=512, MAX_CONNECTIONS_PER_ADDRESS=0)" MAX_CONNECTIONS=512 MAX_CONNECTIONS_PER_ADDRESS=0
