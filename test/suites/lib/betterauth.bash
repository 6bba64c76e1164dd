# test/suites/lib/betterauth.bash - helpers of the suites that take tokens of other issuers
# (betterauth.sh, betterauth_plain.sh): the Node servers of test/betterauth/, requests to
# the gateway, todoctl issuer. Sourced after suite.bash and use_todoctl; expects $gw_url
# (gateway_start) and $admin_url (an admin connection to the suite's database).
# shellcheck shell=bash

# node_start NAME SCRIPT [VAR=VALUE...]: a server of test/betterauth/ in the background; sets
# node_url from the line it prints once it listens. Stopped at exit.
node_start() {
	local name=$1 script=$2 i
	shift 2
	env "$@" node "test/betterauth/$script" >"$work/$name.out" 2>"$work/$name.err" &
	at_exit "kill $! 2>/dev/null"
	for ((i = 0; i < 150; i++)); do
		node_url=$(jq -r '.url // empty' "$work/$name.out" 2>/dev/null | head -1)
		[ -n "$node_url" ] && return 0
		sleep 0.1
	done
	echo "Bail out! $script did not start: $(tail -5 "$work/$name.err")"
	exit 1
}

# api METHOD PATH TOKEN [BODY]: one request to the gateway; sets status and body
api() {
	local -a args=(-s -o "$work/body" -w '%{http_code}' -X "$1" "$gw_url$2")
	[ -n "$3" ] && args+=(-H "Authorization: Bearer $3")
	[ $# -ge 4 ] && args+=(-H 'Content-Type: application/json' --data-binary "$4")
	status=$(curl "${args[@]}")
	body=$(cat "$work/body")
}

# keyed_logout TOKEN KEY: POST /api/auth/logout under an Idempotency-Key; sets status and
# replayed (the Idempotent-Replayed header's value, empty when absent)
keyed_logout() {
	status=$(curl -s -o /dev/null -D "$work/headers" -w '%{http_code}' -X POST "$gw_url/api/auth/logout" \
		-H "Authorization: Bearer $1" -H "Idempotency-Key: $2")
	replayed=$(tr -d '\r' <"$work/headers" | sed -n 's/^[Ii]dempotent-[Rr]eplayed: //p')
}

# issuer ARGS...: todoctl issuer, as the database's superuser; sets out
issuer() { out=$(DATABASE_URL=$admin_url "$todoctl" issuer "$@" 2>&1); }

# ba_user BAURL EMAIL NAME: signs up with Better Auth; sets ba_sub and ba_token (GET /token)
ba_user() {
	local jar="$work/jar.$2"
	ba_sub=$(curl -s -c "$jar" -X POST "$1/api/auth/sign-up/email" -H 'Content-Type: application/json' \
		-d "{\"email\":\"$2\",\"password\":\"correct horse battery\",\"name\":\"$3\"}" | jq -r '.user.id // empty')
	ba_token=$(curl -s -b "$jar" "$1/api/auth/token" | jq -r '.token // empty')
}

# signed URL PAYLOAD [HEADER]: a token from a test server's /sign route (Better Auth's own
# key through its signJWT, or the JWKS server's)
signed() {
	curl -s -X POST "$1/sign" -H 'Content-Type: application/json' \
		-d "{\"payload\":$2${3:+,\"header\":$3}}" | jq -r '.token // empty'
}

# signed_by URL KID PAYLOAD [HEADER]: the same from the JWKS server, by its key KID
signed_by() {
	curl -s -X POST "$1/sign" -H 'Content-Type: application/json' \
		-d "{\"kid\":\"$2\",\"payload\":$3${4:+,\"header\":$4}}" | jq -r '.token // empty'
}

# refused TOKEN PATH DESCRIPTION: a 401 (with the error envelope), and nothing else
refused() {
	api GET "$2" "$1"
	is "$status $(jq -r '.error.code // empty' <<<"$body")" "401 unauthorized" "$3: 401"
}

# gw_log_wait ERE SECONDS: waits for a line of the gateway's logs; true when it came
gw_log_wait() {
	local deadline=$((SECONDS + $2))
	while [ $SECONDS -lt $deadline ]; do
		grep -qE "$1" "$work/gw.out" "$work/gw.err" 2>/dev/null && return 0
		sleep 0.5
	done
	return 1
}

now() { date +%s; }

# ok_or DESCRIPTION COMMAND...: a test passing when the command succeeds (the gateway's
# warnings shown when it does not)
ok_or() {
	local what=$1
	shift
	if "$@"; then ok "$what"; else not_ok "$what" "$(tail -20 "$work/gw.err")"; fi
}

# task_e2e LABEL USER_ID TOKEN: the task endpoints with TOKEN on /api/USER_ID: create, list,
# get, update, complete, then {user_id} as our own id, me; leaves the task, its id in $id
# and our user id in $our_id (for isolation tests), deleted by the caller
task_e2e() {
	local label=$1 uid=$2 token=$3
	api POST "/api/$uid/tasks" "$token" '{"title":"Buy milk","priority":"high","tags":["Home"]}'
	is "$status" 201 "$label: create (the issuer's first token: no restart)"
	id=$(jq -r '.data.id // empty' <<<"$body")
	our_id=$(jq -r '.data.user_id // empty' <<<"$body")
	api GET "/api/$uid/tasks" "$token"
	is "$status $(jq -r '[.data[]?.title] | join(",")' <<<"$body")" "200 Buy milk" "$label: list"
	api GET "/api/$uid/tasks/$id" "$token"
	is "$status $(jq -r '.data.tags[0]?' <<<"$body")" "200 home" "$label: get"
	api PUT "/api/$uid/tasks/$id" "$token" '{"title":"Buy oat milk"}'
	is "$status $(jq -r '.data.title?' <<<"$body")" "200 Buy oat milk" "$label: update"
	api PATCH "/api/$uid/tasks/$id/complete" "$token"
	is "$status $(jq -r '.data.completed?' <<<"$body")" "200 true" "$label: complete"
	api GET "/api/$our_id/tasks/$id" "$token"
	is "$status" 200 "$label: {user_id} may also be our own user id"
	api GET /api/auth/me "$token"
	is "$status $(jq -r '.data.id?' <<<"$body")" "200 $our_id" "$label: me"
}

# task_isolation LABEL USER_ID TOKEN OTHER_ID OTHER_TOKEN: the other user cannot reach the
# task $id of USER_ID: 403 on USER_ID's path, 404 on its own, absent from its list
task_isolation() {
	local label=$1 uid=$2 other=$4 other_token=$5
	api GET "/api/$uid/tasks/$id" "$other_token"
	is "$status" 403 "$label's token on the owner's path: 403"
	api PUT "/api/$uid/tasks/$id" "$other_token" '{"title":"mine now"}'
	is "$status" 403 "$label's token updating on the owner's path: 403"
	api GET "/api/$other/tasks/$id" "$other_token"
	is "$status" 404 "$label's own path, the owner's task: 404"
	api GET "/api/$other/tasks" "$other_token"
	is "$status $(jq -r --arg id "$id" '[.data[]? | select(.id == $id)] | length' <<<"$body")" "200 0" \
		"$label lists none of the owner's tasks"
}

# jwt_header TOKEN: its decoded header (JSON)
jwt_header() {
	local h=${1%%.*}
	h=$(tr '_-' '/+' <<<"$h")
	while [ $((${#h} % 4)) != 0 ]; do h+='='; done
	base64 -d <<<"$h" 2>/dev/null
}

# hs256 SUB [CLAIMS]: a token of the HS256 issuer "shared" (iss https://app.example.com, aud
# todo-api, secret $secret or $HS_SECRET), valid for 10 minutes unless CLAIMS (jq object
# members, e.g. 'aud: "other"') say otherwise
hs256() {
	local sub=$1 t
	t=$(now)
	shift
	node test/betterauth/forge.mjs hs256 "${HS_SECRET:-$secret}" "$(jq -cn --arg sub "$sub" --argjson t "$t" \
		'{sub: $sub, iss: "https://app.example.com", aud: "todo-api", iat: $t, exp: ($t + 600),
		  email: ($sub + "@app.example.com"), name: $sub}' | jq -c ". + {${*:-}}")"
}
