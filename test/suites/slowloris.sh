#!/usr/bin/env bash
# test/suites/slowloris.sh - slow clients cannot starve the gateway (issue 9, item 8).
# test/tools/slowloris.pl holds 600 connections from 127.0.0.2 for 20 s, each sending one
# more header line a second and never ending its request (reconnecting whatever the gateway
# closes); meanwhile, from 127.0.0.1, health and an authenticated list are asked for every
# half second, from the attack's first second to its end. Every one must answer 200 (each
# with a generous 10 s timeout: the property is "answered", not a latency threshold).
# Then the gateway still runs and exits 0 on SIGTERM (test/run.sh checks for sanitizer reports).
#
#   test/suites/slowloris.sh WORKDIR    (run by test/run.sh with the main cluster's PG* env)
set -uo pipefail
. "$(dirname "$0")/lib/suite.bash" "$@"

attackers=600
attack_s=20
# the attacker's sockets, the gateway's and the probes' (the default 1024 is close)
ulimit -n 4096 2>/dev/null || ulimit -n "$(ulimit -Hn)"

suite_gateway slowloris

"$top/test/tools/slowloris.pl" "${gw_url##*:}" 127.0.0.2 "$attackers" "$attack_s" \
	>"$work/attack.out" 2>"$work/attack.err" &
attack_pid=$!
at_exit "kill $attack_pid 2>/dev/null"

# probe URL [AUTH]: "status seconds" of one GET from 127.0.0.1 (000 when none came)
probe() {
	curl -s -o /dev/null --interface 127.0.0.1 --max-time 10 -w '%{http_code} %{time_total}\n' \
		${2:+-H "Authorization: Bearer $2"} "$1"
}
: >"$work/health.txt"
: >"$work/list.txt"
while kill -0 "$attack_pid" 2>/dev/null; do
	probe "$gw_url/api/v1/health" >>"$work/health.txt"
	probe "$gw_url/api/$uid/tasks?limit=10" "$token" >>"$work/list.txt"
	sleep 0.5
done
wait "$attack_pid"
attack=$(cat "$work/attack.out")
echo "# $attack"

like "$attack" "opened ([6-9][0-9][0-9]|[0-9]{4,})," "the attacker opened at least $attackers connections from 127.0.0.2"
for what in health list; do
	total=$(wc -l <"$work/$what.txt")
	good=$(grep -c '^200 ' "$work/$what.txt")
	worst=$(sort -k2 -n "$work/$what.txt" | tail -1 | cut -d' ' -f2)
	echo "# $what from 127.0.0.1 during the attack: $good of $total answered 200, slowest ${worst:-?} s"
	if [ "$total" -ge 10 ] && [ "$good" = "$total" ]; then
		ok "every $what request from another address answered 200 during the attack ($good of $total)"
	else
		not_ok "every $what request from another address answered 200 during the attack ($good of $total)" "$(sort "$work/$what.txt" | uniq -c)"
	fi
done
is "$(probe "$gw_url/api/v1/health" | cut -d' ' -f1)" 200 "health answers after the attack"
if kill -0 "$gw_pid" 2>/dev/null; then ok "the gateway still runs"; else not_ok "the gateway still runs"; fi
gateway_stop slowloris
tap_plan
