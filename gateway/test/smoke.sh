#!/usr/bin/env bash
# gateway/test/smoke.sh - a quick end-to-end check of a running gateway (TAP output).
#
#   gateway/test/smoke.sh [BASE_URL]       default http://localhost:8080
#
# Needs curl and jq, and a gateway connected to a database with the todo extension. It
# registers throwaway users; the real end-to-end suite lives in test/e2e/.
set -uo pipefail

base=${1:-http://localhost:8080}
n=0
failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# call METHOD PATH [curl args...]: sets status, body, and headers (file $tmp/h)
call() {
	local method=$1 path=$2
	shift 2
	status=$(curl -s -o "$tmp/b" -D "$tmp/h" -w '%{http_code}' -X "$method" "$@" "$base$path")
	body=$(cat "$tmp/b")
}
header() { grep -i "^$1:" "$tmp/h" | head -1 | cut -d' ' -f2- | tr -d '\r'; }
check() {
	n=$((n + 1))
	if [ "$1" = "$2" ]; then echo "ok $n - $3"; else
		echo "not ok $n - $3"; echo "#   got: $1"; echo "#   expected: $2"; failed=$((failed + 1)); fi
}
code() { echo "$body" | jq -r '.error.code // empty'; }
json=(-H 'Content-Type: application/json')
suffix=$RANDOM$RANDOM

call GET /api/v1/health
check "$status" 200 "health 200"
check "$(echo "$body" | jq -r .data.status)" healthy "health healthy"

call POST /api/auth/register "${json[@]}" -d "{\"username\":\"smoke$suffix\",\"email\":\"smoke$suffix@example.com\",\"password\":\"password123\"}"
check "$status" 201 "register 201"
tok=$(echo "$body" | jq -r .data.access_token)
uid=$(echo "$body" | jq -r .data.user.id)
auth=(-H "Authorization: Bearer $tok")
call POST /api/auth/register "${json[@]}" -d "{\"username\":\"other$suffix\",\"email\":\"other$suffix@example.com\",\"password\":\"password123\"}"
other=$(echo "$body" | jq -r .data.user.id)
call POST /api/auth/register "${json[@]}" -d "{\"username\":\"smoke$suffix\",\"email\":\"x$suffix@example.com\",\"password\":\"password123\"}"
check "$status $(code)" "409 conflict" "duplicate username 409"

# route
call GET /nowhere
check "$status $(code)" "404 not_found" "unknown path 404"
call GET /api/auth/register
check "$status $(code)" "405 method_not_allowed" "wrong method 405"
check "$(header Allow)" "POST, OPTIONS" "405 Allow"
call DELETE "/api/$uid/tasks" -H "Authorization: Bearer junk"
check "$status" 405 "405 before 401"

# auth
call GET /api/auth/me
check "$status $(code)" "401 unauthorized" "no token 401"
check "$(header WWW-Authenticate)" "Bearer" "401 WWW-Authenticate"
call GET /api/auth/me -H "Authorization: Basic dXNlcjpwYXNz"
check "$status" 401 "Basic scheme 401"
call GET /api/auth/me -H "Authorization: Bearer not.a.jwt"
check "$status $(code)" "401 unauthorized" "bad token 401 (database)"
call GET /api/auth/me "${auth[@]}"
check "$status $(echo "$body" | jq -r .data.id)" "200 $uid" "me 200"
call GET "/api/$other/tasks" "${auth[@]}"
check "$status $(code)" "403 forbidden" "other user's path 403"

# body checks, after auth
call POST "/api/$uid/tasks" "${auth[@]}" -H 'Content-Type: text/plain' -d '{"title":"x"}'
check "$status $(code)" "415 unsupported_media_type" "text/plain 415"
call POST "/api/$uid/tasks" -H "Authorization: Bearer junk" -H 'Content-Type: text/plain' -d 'x'
check "$status" 401 "401 before 415"
call POST "/api/$other/tasks" "${auth[@]}" -H 'Content-Type: text/plain' -d 'x'
check "$status" 403 "403 before 415"
head -c 70000 /dev/zero | tr '\0' ' ' >"$tmp/big"
call POST "/api/$uid/tasks" "${auth[@]}" "${json[@]}" --data-binary @"$tmp/big"
check "$status $(code)" "413 payload_too_large" "70000 bytes 413"
call POST "/api/$other/tasks" "${auth[@]}" "${json[@]}" --data-binary @"$tmp/big"
check "$status" 403 "403 before 413"
call POST "/api/$uid/tasks" "${auth[@]}" "${json[@]}" -H 'Transfer-Encoding: chunked' --data-binary @"$tmp/big"
check "$status $(code)" "413 payload_too_large" "chunked 70000 bytes 413"
call POST "/api/$uid/tasks" "${auth[@]}" "${json[@]}" -d '{"title": '
check "$status $(code)" "400 invalid_json" "broken JSON 400"
call POST "/api/$uid/tasks" "${auth[@]}" "${json[@]}" -d '["title"]'
check "$status $(code)" "400 invalid_json" "array body 400"
call POST "/api/$uid/tasks" "${auth[@]}"
check "$status $(code)" "400 invalid_json" "no body 400"
call POST "/api/auth/login" -H 'Content-Type: text/plain' -d '{}'
check "$status" 415 "anonymous route 415"
call POST "/api/$uid/tasks" "${auth[@]}" "${json[@]}" -d '{}'
check "$status $(code)" "422 validation_failed" "empty task 422"
check "$(echo "$body" | jq -r '.error.details | type')" array "422 details"

# tasks
call POST "/api/$uid/tasks" "${auth[@]}" -H 'Content-Type: application/json; charset=utf-8' -d '{"title":"smoke task","tags":"A, b"}'
check "$status" 201 "create 201"
tid=$(echo "$body" | jq -r .data.id)
check "$(header Location)" "/api/$uid/tasks/$tid" "create Location"
call GET "/api/$uid/tasks?tag=a&tag=b&sort=title&limit=10" "${auth[@]}"
check "$status $(echo "$body" | jq -r '.meta.total')" "200 1" "list with repeated tag"
call GET "/api/$uid/tasks?q=smoke+task" "${auth[@]}"
check "$(echo "$body" | jq -r '.meta.total')" 1 "list q with +"
call GET "/api/$uid/tasks?sort=sideways" "${auth[@]}"
check "$status $(code)" "400 bad_request" "bad sort 400"
call GET "/api/$uid/tasks?q=%FF" "${auth[@]}"
check "$status $(code)" "400 bad_request" "non-UTF-8 query 400"
call GET "/api/$uid/tasks/$tid" "${auth[@]}"
check "$status" 200 "get 200"
call GET "/api/$uid/tasks/not-a-uuid" "${auth[@]}"
check "$status $(code)" "404 not_found" "malformed id 404"
call PUT "/api/$uid/tasks/$tid" "${auth[@]}" "${json[@]}" -d '{"priority":"High"}'
check "$status $(echo "$body" | jq -r .data.priority)" "200 high" "update 200"
call PATCH "/api/$uid/tasks/$tid/complete" "${auth[@]}"
check "$status $(echo "$body" | jq -r .data.completed)" "200 true" "toggle without body"
call PATCH "/api/$uid/tasks/$tid/complete" "${auth[@]}" "${json[@]}" -d '{"completed":true}'
check "$status $(echo "$body" | jq -r .data.completed)" "200 true" "set completed"
call DELETE "/api/$uid/tasks/$tid" "${auth[@]}"
check "$status $body" "204 " "delete 204, no body"
call GET "/api/$uid/tasks/$tid" "${auth[@]}"
check "$status" 404 "deleted 404"

# headers
call OPTIONS "/api/$uid/tasks" -H 'Origin: http://localhost:3000' -H 'Access-Control-Request-Method: POST'
check "$status" 204 "preflight 204"
check "$(header Access-Control-Allow-Origin)" "http://localhost:3000" "preflight origin"
check "$(header Access-Control-Allow-Headers)" "Authorization, Content-Type, Idempotency-Key" "preflight headers"
check "$(header Access-Control-Allow-Methods)" "GET, HEAD, POST, OPTIONS" "preflight methods"
call GET /nowhere -H 'Origin: http://localhost:3000'
check "$(header Access-Control-Allow-Origin)" "http://localhost:3000" "CORS on errors"
call GET /api/v1/health -H 'Origin: http://evil.example'
check "$(header Access-Control-Allow-Origin)" "" "other origin: no CORS"
call GET /api/v1/health -H 'X-Request-Id: my-id_1.2'
check "$(header X-Request-Id)" "my-id_1.2" "sane request id kept"
call GET /api/v1/health -H 'X-Request-Id: bad id!'
check "$(header X-Request-Id | grep -cE '^[0-9a-f-]{36}$')" 1 "insane request id replaced"

# logout, login, throttling
call POST /api/auth/logout "${auth[@]}"
check "$status" 204 "logout 204"
call GET /api/auth/me "${auth[@]}"
check "$status" 401 "revoked token 401"
call POST /api/auth/login "${json[@]}" -d "{\"username\":\"smoke$suffix\",\"password\":\"password123\"}"
check "$status" 200 "login 200"
for i in 1 2 3 4 5; do
	call POST /api/auth/login "${json[@]}" -d "{\"username\":\"smoke$suffix\",\"password\":\"wrong-password\"}"
done
check "$status" 401 "wrong password 401"
call POST /api/auth/login "${json[@]}" -d "{\"username\":\"smoke$suffix\",\"password\":\"password123\"}"
check "$status $(code)" "429 too_many_requests" "throttled 429"
check "$(header Retry-After | grep -cE '^[0-9]+$')" 1 "429 Retry-After"

echo "1..$n"
[ "$failed" = 0 ]
