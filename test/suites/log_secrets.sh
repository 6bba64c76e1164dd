#!/usr/bin/env bash
# test/suites/log_secrets.sh - passwords and tokens stay out of the server log with statement
# logging on (log_min_duration_statement = 0, log_statement = all, and every parameter of a
# failing statement asked for): the install sets log_parameter_max_length = 0 for the
# gateway's role, the gateway sets log_parameter_max_length_on_error = 0 per transaction.
set -uo pipefail
. "$(dirname "$0")/lib/suite.bash" "$@"

# a fresh cluster: role settings are the cluster's, and must come from this install
"$top/test/cluster.sh" stop "$work/pg" && rm -rf "$work/pg"
suite_cluster "$work/pg" todo_log || {
	echo "Bail out! cannot start the suite's cluster"
	exit 1
}
. "$work/pg/env"
log=$work/pg/server.log
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d todo_log -c "$1"; }

is "$(q "SELECT array_to_string(setconfig, ',') FROM pg_db_role_setting WHERE setrole = 'todo_gateway'::regrole AND setdatabase = 0")" \
	"log_parameter_max_length=0" "the install sets log_parameter_max_length = 0 for todo_gateway"
q "ALTER SYSTEM SET log_min_duration_statement = 0" && q "ALTER SYSTEM SET log_statement = 'all'" &&
	q "ALTER SYSTEM SET log_parameter_max_length_on_error = -1" && q "SELECT pg_reload_conf()" >/dev/null
sleep 1 # the reload reaches every process
gateway_start gw "DATABASE_URL=$(database_url todo_log)" || {
	echo "Bail out! the gateway did not start"
	exit 1
}

password="Pw-$(random_secret | head -c 20)"
name="logged_$$"
curl -s -o /dev/null -X POST "$gw_url/api/auth/register" -H 'Content-Type: application/json' \
	-d "{\"username\":\"$name\",\"email\":\"$name@example.com\",\"password\":\"$password\"}"
token=$(curl -s -X POST "$gw_url/api/auth/login" -H 'Content-Type: application/json' \
	-d "{\"username\":\"$name\",\"password\":\"$password\"}" | perl -MJSON::PP -0ne 'print eval { decode_json($_)->{data}{access_token} } // ""')
like "$token" '^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$' "register and login through the gateway give a token"
is "$(curl -s -o /dev/null -w '%{http_code}' "$gw_url/api/auth/me" -H "Authorization: Bearer $token")" 200 \
	"the token works (GET /api/auth/me)"
# a failing call: api.login raises a 422, and the server would log its parameters on error
is "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$gw_url/api/auth/login" -H 'Content-Type: application/json' \
	-d "{\"username\":\"  \",\"password\":\"$password\"}")" 422 "a login that fails in the database (422), with the password"
# register under an Idempotency-Key (api.idempotent_register: the body, password and all, is
# a parameter of the keyed call): first, replayed, and failing (another key: taken, 409)
keyed_password="Pw-$(random_secret | head -c 20)"
keyed_name="keyed_$$"
keyed_body="{\"username\":\"$keyed_name\",\"email\":\"$keyed_name@example.com\",\"password\":\"$keyed_password\"}"
keyed() { curl -s -o /dev/null -w '%{http_code} %header{idempotent-replayed}' -X POST "$gw_url/api/auth/register" \
	-H 'Content-Type: application/json' -H "Idempotency-Key: $1" -d "$keyed_body"; }
is "$(keyed "log-$$")" "201 " "a register under an Idempotency-Key"
is "$(keyed "log-$$")" "201 true" "... and its retry, replayed"
is "$(keyed "log-other-$$")" "409 " "... and under another key: taken (a keyed call that fails)"
gateway_stop gw
q "ALTER SYSTEM RESET ALL" && q "SELECT pg_reload_conf()" >/dev/null

# the log did record the gateway's statements (else the test would prove nothing)
like "$(grep -c 'api.login' "$log")" '^[1-9][0-9]*$' "the server log holds the gateway's statements (logging was on)"
like "$(grep -c 'invalid fields: username' "$log")" '^[1-9][0-9]*$' "... and the failing call's error"
is "$(grep -c -F "$password" "$log")" 0 "the password is nowhere in the server log"
like "$(grep -c 'api.idempotent_register' "$log")" '^[1-9][0-9]*$' "the server log holds the keyed register's statements"
is "$(grep -c -F "$keyed_password" "$log")" 0 "the keyed register's password is nowhere in the server log"
is "$(grep -c -F "$token" "$log")" 0 "the token is nowhere in the server log"
is "$(grep -c -F "${token##*.}" "$log")" 0 "not even the token's signature"
tap_plan
