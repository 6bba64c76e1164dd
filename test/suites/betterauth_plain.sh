#!/usr/bin/env bash
# test/suites/betterauth_plain.sh: tokens of other issuers on the plain-SQL install (Neon,
# docs/deploy-neon.md), which has no C library and so verifies HS256 only: an HS256 issuer
# (a shared secret) goes through the same end-to-end tests as Better Auth's tokens on the
# extension (betterauth.sh): the task endpoints, isolation, me, logout, the attack list that
# applies; a real Better Auth's EdDSA token, and ES256 and RS256 ones, are refused with a
# 401 that says why (never a silent pass), while the gateway still fetches and stores their
# keys. Prints TAP.
#
#   test/suites/betterauth_plain.sh WORKDIR    (PGHOST, PGPORT, PGUSER, GATEWAY_PASSWORD set)
set -uo pipefail

. "$(dirname "$0")/lib/suite.bash" "$@"
. test/suites/lib/betterauth.bash
use_todoctl

db=todo_betterauth_plain
version=$(sed -n "s/^default_version = '\([^']*\)'.*/\1/p" extension/todo.control)
install=${TODO_PLAIN_DIR:-$(pg_config --sharedir)/todo-plain}/todo-plain--$version.sql
q() { psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$db" -c "$1"; }

if ! scripts/node-deps.sh >"$work/node-deps.log" 2>&1; then
	echo "Bail out! cannot install the pinned Node packages: $(tail -3 "$work/node-deps.log")"
	exit 1
fi
dropdb --if-exists "$db" >/dev/null 2>&1
at_exit "dropdb --if-exists $db"
if ! { createdb "$db" && psql -X -q -v ON_ERROR_STOP=1 --single-transaction -d "$db" -f "$install" &&
	q "UPDATE todo.settings SET jwt_secret = '$(random_secret)'"; } >"$work/db.log" 2>&1; then
	echo "Bail out! cannot install $install in $db: $(tail -3 "$work/db.log")"
	exit 1
fi
admin_url="postgresql://$PGUSER@127.0.0.1:$PGPORT/$db"
is "$(q "SELECT count(*) FROM pg_proc WHERE pronamespace IN ('todo'::regnamespace, 'api'::regnamespace)
	AND prolang NOT IN (SELECT oid FROM pg_language WHERE lanname IN ('sql', 'plpgsql'))")" 0 \
	"the plain install: no function in todo or api is written in C"

node_start jw jwks-server.mjs JW_ISSUER=https://own.example
jw=$node_url
for alg in EdDSA ES256 RS256; do curl -s -X POST "$jw/keys" -d "{\"alg\":\"$alg\"}" >/dev/null; done
node_start ba server.mjs BA_ALG=EdDSA
ba=$node_url
if ! gateway_start gw DATABASE_URL="$(database_url "$db")" ENVIRONMENT=development LOG_LEVEL=info; then
	echo "Bail out! the gateway did not start on the plain install: $(tail -5 "$work/gw.err")"
	exit 1
fi

secret=$(random_secret)
SHARED_SECRET=$secret issuer add shared --issuer https://app.example.com --hs256-secret-env SHARED_SECRET --audience todo-api
is "$?" 0 "todoctl issuer add shared (HS256) on the plain install"
issuer add ba --issuer "$ba" --jwks-url "$ba/api/auth/jwks" --audience "$ba"
is "$?" 0 "todoctl issuer add ba (Better Auth's JWKS) on the plain install"
issuer add own --issuer https://own.example --jwks-url "$jw/jwks"
is "$?" 0 "todoctl issuer add own (ES256 and RS256 keys too)"

# hs256 SUB [CLAIM=JSON...]: a token of the shared issuer, valid unless claims say otherwise
hs256() {
	local sub=$1 t
	t=$(now)
	shift
	node test/betterauth/forge.mjs hs256 "${HS_SECRET:-$secret}" "$(jq -cn --arg sub "$sub" --argjson t "$t" \
		'{sub: $sub, iss: "https://app.example.com", aud: "todo-api", iat: $t, exp: ($t + 600),
		  email: ($sub + "@app.example.com"), name: $sub}' | jq -c ". + {${*:-}}")"
}
u1=app-user-1 u2=app-user-2
t1=$(hs256 $u1) t2=$(hs256 $u2)
task_e2e "plain HS256" "$u1" "$t1"
task_isolation "plain HS256: another user" "$u1" "$t1" "$u2" "$t2"
api POST /api/auth/register "" '{"username":"native_plain","email":"native@example.com","password":"correct horse"}'
native_token=$(jq -r '.data.access_token // empty' <<<"$body")
native_id=$(jq -r '.data.user.id // empty' <<<"$body")
api GET "/api/$u1/tasks" "$native_token"
is "$status" 403 "plain HS256: the native user's token on the HS256 user's path: 403"
api GET "/api/$native_id/tasks" "$t1"
is "$status" 403 "plain HS256: the HS256 user's token on the native user's path: 403"
api DELETE "/api/$u1/tasks/$id" "$t1"
is "$status" 204 "plain HS256: delete"

t=$(now)
refused "$(HS_SECRET=${secret}x hs256 $u1)" "/api/$u1/tasks" "plain HS256: another secret"
refused "$(node test/betterauth/forge.mjs none "$t1")" "/api/$u1/tasks" "plain HS256: alg none"
refused "$(node test/betterauth/forge.mjs tamper-payload "$t1")" "/api/${u1}x/tasks" "plain HS256: tampered payload"
refused "$(hs256 $u1 "exp: $((t - 3600)), iat: $((t - 7200))")" "/api/$u1/tasks" "plain HS256: expired"
refused "$(hs256 $u1 "nbf: $((t + 3600))")" "/api/$u1/tasks" "plain HS256: not yet valid (nbf)"
refused "$(hs256 $u1 'iss: "https://evil.example"')" "/api/$u1/tasks" "plain HS256: wrong iss"
refused "$(hs256 $u1 'aud: "other"')" "/api/$u1/tasks" "plain HS256: wrong aud (a string)"
refused "$(hs256 $u1 'aud: ["other", "evil"]')" "/api/$u1/tasks" "plain HS256: wrong aud (an array)"
api POST /api/auth/logout "$t2"
is "$status" 204 "plain HS256: logout"
refused "$t2" "/api/$u2/tasks" "plain HS256: the token after its logout"

# asymmetric tokens: refused by name, after the gateway fetched and stored their keys
ba_user "$ba" alice@example.com Alice
api GET "/api/$ba_sub/tasks" "$ba_token"
is "$status" 401 "plain: Better Auth's EdDSA token is refused (no C library to verify it)"
like "$(jq -r .error.message <<<"$body")" "EdDSA.*plain" "... with a message naming the algorithm and the plain install"
like "$(cat "$work/gw.out")" 'jwks: issuer ba: 1 keys stored' "... after the gateway stored Better Auth's key all the same"
for alg in ES256 RS256; do
	kid=$(curl -s "$jw/jwks" | jq -r --arg a "$alg" '.keys[] | select(.alg == $a) | .kid')
	api GET /api/u/tasks "$(jq -n --arg kid "$kid" '{kid: $kid, payload: {sub: "u"}}' |
		curl -s -X POST "$jw/sign" -H 'Content-Type: application/json' --data-binary @- | jq -r .token)"
	is "$status $(jq -r .error.message <<<"$body" | grep -c "$alg")" "401 1" "plain: an $alg token is refused, naming $alg"
done
grep -h '"status":500' "$work/gw.out" >"$work/500s"
is "$(wc -l <"$work/500s")" 0 "no request of the suite was answered 500"
gateway_stop gw
tap_plan
