#!/usr/bin/env bash
# bench/betterauth.sh DBNAME: issue 10's HTTP figure (docs/benchmarks.md): GET
# /api/{user_id}/tasks (20 tasks) with a Better Auth EdDSA token (verified in the database
# with the issuer's Ed25519 key) against the same request with our own HS256 token, in one
# run, alternated (ours, Better Auth's, Better Auth's, ours, ...) so that drift in the
# machine's load hits both alike. Prints one line per run, then the medians and the ratio.
#
# Expects the environment of test/cluster.sh (PGHOST, PGPORT, PGUSER, GATEWAY_PASSWORD) and
# a database DBNAME with the extension installed; bench/run.sh (`make bench`) provides both.
# Starts a Better Auth server (test/betterauth/server.mjs) and the gateway on loopback, and
# stops both on exit.
#
#   BENCH_SECONDS      length of each measured run (10)
#   BENCH_ROUNDS       pairs of runs (3)
#   BENCH_CONNECTIONS  wrk connections (50)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
. test/lib.sh

db=${1:?usage: bench/betterauth.sh DBNAME}
secs=${BENCH_SECONDS:-10}
rounds=${BENCH_ROUNDS:-3}
conns=${BENCH_CONNECTIONS:-50}
for tool in wrk curl jq node; do
	command -v "$tool" >/dev/null || { echo "bench/betterauth.sh: $tool is not installed" >&2; exit 1; }
done
: "${PGPORT:?bench/betterauth.sh: no cluster environment (run it through bench/run.sh)}"
scripts/node-deps.sh

tmp=$(mktemp -d)
port=$(free_port)
base="http://127.0.0.1:$port"
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

node test/betterauth/server.mjs >"$tmp/ba.out" 2>"$tmp/ba.err" &
pids+=($!)
for _ in $(seq 100); do ba=$(jq -r '.url // empty' "$tmp/ba.out" 2>/dev/null | head -1); [ -n "$ba" ] && break; sleep 0.1; done
[ -n "$ba" ] || { cat "$tmp/ba.err" >&2; exit 1; }
DATABASE_URL="postgresql://$PGUSER@127.0.0.1:$PGPORT/$db" todoctl/todoctl issuer add bench_ba \
	--issuer "$ba" --jwks-url "$ba/api/auth/jwks" --audience "$ba" >/dev/null

make -s -C gateway all >/dev/null
DATABASE_URL=$(database_url "$db") PORT=$port LOG_LEVEL=warn setsid gateway/todo-gateway >/dev/null 2>"$tmp/gateway.err" &
pids+=($!)
wait_http "$base/api/v1/health" 30 || { cat "$tmp/gateway.err" >&2; exit 1; }

# ours: register; Better Auth's: sign up, then its JWT plugin's token
name="bench_hs_$RANDOM$RANDOM"
read -r hs_uid hs_token < <(curl -sf -X POST "$base/api/auth/register" -H 'Content-Type: application/json' \
	-d "{\"username\":\"$name\",\"email\":\"$name@example.com\",\"password\":\"bench-password\"}" |
	jq -r '.data.user.id + " " + .data.access_token')
ba_uid=$(curl -sf -c "$tmp/jar" -X POST "$ba/api/auth/sign-up/email" -H 'Content-Type: application/json' \
	-d '{"email":"bench@example.com","password":"bench-password","name":"Bench"}' | jq -r .user.id)
ba_token=$(curl -sf -b "$tmp/jar" "$ba/api/auth/token" | jq -r .token)

for who in hs ba; do
	uid_var=${who}_uid token_var=${who}_token
	for i in $(seq 1 20); do
		curl -sf -o /dev/null -X POST "$base/api/${!uid_var}/tasks" -H "Authorization: Bearer ${!token_var}" \
			-H 'Content-Type: application/json' \
			-d "{\"title\":\"task $i\",\"description\":\"description of task $i\",\"priority\":\"high\",\"tags\":[\"t$((i % 5))\",\"work\"],\"due_date\":\"2030-01-$(printf %02d "$i")T10:00:00Z\"}"
	done
	[ "$(curl -sf "$base/api/${!uid_var}/tasks" -H "Authorization: Bearer ${!token_var}" | jq '.data | length')" = 20 ] ||
		{ echo "bench/betterauth.sh: the $who user does not have 20 tasks" >&2; exit 1; }
done

# run who seconds: requests per second (and non-2xx answers, which must be none)
run() {
	local uid_var=${1}_uid token_var=${1}_token
	wrk -t2 -c"$conns" -d"${2}s" -H "Authorization: Bearer ${!token_var}" "$base/api/${!uid_var}/tasks" >"$tmp/wrk" 2>&1 || true
	printf '%s %s\n' "$(awk '/^Requests\/sec/ {printf "%.0f", $2}' "$tmp/wrk")" \
		"$(awk '/Non-2xx/ {print $NF}' "$tmp/wrk" | grep . || echo 0)"
}
run hs 2 >/dev/null
run ba 2 >/dev/null
hs_all=() ba_all=()
for r in $(seq 1 "$rounds"); do
	order="hs ba"
	[ $((r % 2)) = 0 ] && order="ba hs"
	for who in $order; do
		read -r rps bad < <(run "$who" "$secs")
		[ "$bad" = 0 ] || { echo "bench/betterauth.sh: $bad non-2xx answers for $who" >&2; exit 1; }
		printf '  round %d %-28s %7s req/s\n' "$r" "$([ "$who" = hs ] && echo "our HS256 token" || echo "Better Auth EdDSA token")" "$rps"
		if [ "$who" = hs ]; then hs_all+=("$rps"); else ba_all+=("$rps"); fi
	done
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
hs_med=$(median "${hs_all[@]}")
ba_med=$(median "${ba_all[@]}")
printf 'GET /api/{user_id}/tasks (20 tasks), %d connections, median of %d runs of %d s:\n' "$conns" "$rounds" "$secs"
printf '  our HS256 token          %7s req/s\n' "$hs_med"
printf '  Better Auth EdDSA token  %7s req/s  (%s%% of HS256; target >= 90%%)\n' "$ba_med" \
	"$(awk -v a="$ba_med" -v b="$hs_med" 'BEGIN {printf "%.1f", 100 * a / b}')"
