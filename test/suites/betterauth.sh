#!/usr/bin/env bash
# test/suites/betterauth.sh: tokens of other issuers through HTTP (issue 10): a real Better
# Auth server (npm better-auth, pinned in package.json; its memory adapter, email/password
# sign-up, the JWT plugin) per algorithm (EdDSA, ES256, RS256, PS256), an HS256 issuer
# sharing a secret, and a JWKS server of our own (test/betterauth/jwks-server.mjs) for what
# Better Auth does not do: Cache-Control, keys removed, broken JWKS documents.
#
#   1. per algorithm, an issuer registered while the gateway runs (todoctl issuer add): the
#      task endpoints with its tokens ({user_id} = sub, or our id), two Better Auth users
#      and a native one kept apart, me, logout, and the attack list (alg none, HS256 with
#      the public key as secret, a key the JWKS does not have, tampered header or payload,
#      expired, not yet valid, wrong iss, wrong aud as a string and in an array): 401 each
#   2. an HS256 issuer (a shared secret): todoctl's refusals, then the same end-to-end tests
#      and attacks; odd JWT headers; broken JWKS documents (malformed JSON, huge n, points
#      off the curve...): 401, never a 500
#   3. once the 30 s refresh limit has passed: key rotation (a new kid is accepted without
#      a restart), a key removed from a JWKS stops verifying after the cache window, and an
#      unusable JWKS keeps the last good keys
# Then the gateway (ASan + UBSan) exits 0 (test/run.sh adds: no sanitizer report). Prints TAP.
#
#   test/suites/betterauth.sh WORKDIR    (PGHOST, PGPORT, PGUSER, GATEWAY_PASSWORD set)
#   TODO_BETTERAUTH_INSTALL=plain        the same against the plain-SQL install (Neon):
#                                        test/suites/betterauth_plain.sh
#   TODO_BETTERAUTH_ALGS="EdDSA ..."     the Better Auth algorithms (default: the four)
set -uo pipefail

. "$(dirname "$0")/lib/suite.bash" "$@"
. test/suites/lib/betterauth.bash
use_todoctl

install=${TODO_BETTERAUTH_INSTALL:-extension} # or plain: betterauth_plain.sh
db=todo_betterauth_$install
algs=${TODO_BETTERAUTH_ALGS:-"EdDSA ES256 RS256 PS256"}
q() { psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$db" -c "$1"; }

if ! scripts/node-deps.sh >"$work/node-deps.log" 2>&1; then
	echo "Bail out! cannot install the pinned Node packages: $(tail -3 "$work/node-deps.log")"
	exit 1
fi
at_exit "dropdb --if-exists $db"
if [ "$install" = plain ]; then
	# the plain-SQL install as on Neon (docs/deploy-neon.md): no C function in the database
	version=$(sed -n "s/^default_version = '\([^']*\)'.*/\1/p" extension/todo.control)
	script=${TODO_PLAIN_DIR:-$(pg_config --sharedir)/todo-plain}/todo-plain--$version.sql
	dropdb --if-exists "$db" >/dev/null 2>&1
	{ createdb "$db" && psql -X -q -v ON_ERROR_STOP=1 --single-transaction -d "$db" -f "$script" &&
		q "UPDATE todo.settings SET jwt_secret = '$(random_secret)'"; } >"$work/db.log" 2>&1
else
	create_todo_database "$db" >"$work/db.log" 2>&1
fi || {
	echo "Bail out! cannot create $db ($install): $(tail -3 "$work/db.log")"
	exit 1
}
is "$(q "SELECT count(*) FROM pg_proc WHERE pronamespace IN ('todo'::regnamespace, 'api'::regnamespace)
	AND prolang NOT IN (SELECT oid FROM pg_language WHERE lanname IN ('sql', 'plpgsql'))" | sed 's/^[1-9][0-9]*$/some/')" \
	"$([ "$install" = plain ] && echo 0 || echo some)" "the $install install: $([ "$install" = plain ] && echo no || echo its) functions written in C"
admin_url="postgresql://$PGUSER@127.0.0.1:$PGPORT/$db"

# --- the gateway, and an issuer of our own registered before it starts --------------------
node_start jw jwks-server.mjs JW_ISSUER=https://own.example JW_AUDIENCE=todo-api
jw=$node_url
k1=$(curl -s -X POST "$jw/keys" -d '{"alg":"EdDSA"}' | jq -r .kid)
k2=$(curl -s -X POST "$jw/keys" -d '{"alg":"ES256"}' | jq -r .kid)
k_rsa=$(curl -s -X POST "$jw/keys" -d '{"alg":"RS256"}' | jq -r .kid)
# /jwks: max-age=1, cut up to the 30 s minimum; /keep: the same keys, broken later
curl -s -X POST "$jw/control" -d '{"cache_control":"max-age=1"}' >/dev/null
curl -s -X POST "$jw/control" -d '{"path":"/keep","cache_control":"max-age=1"}' >/dev/null
issuer add own --issuer https://own.example --jwks-url "$jw/jwks" --audience todo-api
is "$?" 0 "todoctl issuer add own (JWKS at $jw/jwks, an audience): exit 0"
issuer add keep --issuer https://keep.example --jwks-url "$jw/keep"
is "$?" 0 "todoctl issuer add keep (no audience): exit 0"

if ! gateway_start_again gw DATABASE_URL="$(database_url "$db")" ENVIRONMENT=development LOG_LEVEL=info; then
	echo "Bail out! the gateway did not start: $(tail -5 "$work/gw.err")"
	exit 1
fi
ok_or "at start the gateway fetched own's JWKS (3 keys) without any token" \
	gw_log_wait 'jwks: issuer own: 3 keys stored' 20
ok_or "... with max-age=1 cut up to the 30 s minimum" grep -q 'issuer own: 3 keys stored.*max-age=1), next fetch in 30 s' "$work/gw.out"

own_user=own-user-1
t_own=$(signed_by "$jw" "$k1" "{\"sub\":\"$own_user\",\"email\":\"own1@example.com\"}")
api GET "/api/$own_user/tasks" "$t_own"
is "$status" 200 "a token of own (EdDSA key $k1) lists {sub}'s tasks"

# --- 1. Better Auth, one server per algorithm ------------------------------------------------
declare -A ba_url ba_t1 ba_sub1 ba_jar ba_fetched_at
api POST /api/auth/register "" '{"username":"native_ba","email":"native@example.com","password":"correct horse"}'
native_token=$(jq -r '.data.access_token // empty' <<<"$body")
native_id=$(jq -r '.data.user.id // empty' <<<"$body")
is "$status" 201 "a native user registers"

for alg in $algs; do
	node_start "ba-$alg" server.mjs BA_ALG="$alg"
	ba=$node_url
	ba_url[$alg]=$ba
	lower=${alg,,}

	api GET /api/x/tasks "$(signed "$ba/test" '{"sub":"x"}')"
	is "$status" 401 "$alg: before its issuer is registered, a Better Auth token is 401"
	issuer add "ba_$lower" --issuer "$ba" --jwks-url "$ba/api/auth/jwks" --audience "$ba"
	is "$?" 0 "$alg: todoctl issuer add ba_$lower while the gateway runs"

	ba_user "$ba" "alice.$lower@example.com" "Alice $alg"
	alice=$ba_sub alice_t=$ba_token
	ba_user "$ba" "bob.$lower@example.com" "Bob $alg"
	bob=$ba_sub bob_t=$ba_token
	ba_sub1[$alg]=$alice ba_t1[$alg]=$alice_t ba_jar[$alg]="$work/jar.alice.$lower@example.com"
	like "$alice" '^[A-Za-z0-9]{32}$' "$alg: Better Auth's user id is a 32-character string"
	is "$(jwt_header "$alice_t" | jq -r .alg)" "$alg" "$alg: its token is signed $alg"

	# the task endpoints, {user_id} = sub (the first token made the gateway fetch the keys)
	task_e2e "$alg" "$alice" "$alice_t"
	ba_fetched_at[$alg]=$SECONDS
	is "$(jq -r .data.email <<<"$body")" "alice.$lower@example.com" "$alg: me: the email of the token's claim"

	# isolation: Better Auth users between them, and with the native user
	task_isolation "$alg: bob" "$alice" "$alice_t" "$bob" "$bob_t"
	api GET "/api/$alice/tasks" "$native_token"
	is "$status" 403 "$alg: the native user's token on alice's path: 403"
	api GET "/api/$native_id/tasks" "$alice_t"
	is "$status" 403 "$alg: alice's token on the native user's path: 403"
	api DELETE "/api/$alice/tasks/$id" "$alice_t"
	is "$status" 204 "$alg: delete"

	# the attacks, each a 401
	refused "$(node test/betterauth/forge.mjs none "$alice_t")" "/api/$alice/tasks" "$alg: alg none"
	n=0
	while read -r forged; do
		n=$((n + 1))
		refused "$forged" "/api/$alice/tasks" "$alg: HS256 with the public key as the secret ($([ $n = 1 ] && echo PEM || echo JWK))"
	done < <(node test/betterauth/forge.mjs hs256-pubkey "$alice_t" "$ba/api/auth/jwks")
	refused "$(node test/betterauth/forge.mjs tamper-header "$alice_t")" "/api/$alice/tasks" "$alg: tampered header"
	refused "$(node test/betterauth/forge.mjs tamper-payload "$alice_t")" "/api/${alice}x/tasks" "$alg: tampered payload"
	refused "$(signed "$jw" "{\"sub\":\"$alice\",\"iss\":\"$ba\",\"aud\":\"$ba\"}")" "/api/$alice/tasks" \
		"$alg: a key the JWKS does not have (unknown kid, after a refresh)"
	ba_fetched_at[$alg]=$SECONDS # (an unknown kid may have made the gateway fetch again)
	t=$(now)
	refused "$(signed "$ba/test" "{\"sub\":\"$alice\",\"iat\":$((t - 7200)),\"exp\":$((t - 3600))}")" "/api/$alice/tasks" "$alg: expired"
	refused "$(signed "$ba/test" "{\"sub\":\"$alice\",\"nbf\":$((t + 3600))}")" "/api/$alice/tasks" "$alg: not yet valid (nbf)"
	refused "$(signed "$ba/test" "{\"sub\":\"$alice\",\"iss\":\"https://evil.example\"}")" "/api/$alice/tasks" "$alg: wrong iss"
	refused "$(signed "$ba/test" "{\"sub\":\"$alice\",\"aud\":\"https://evil.example\"}")" "/api/$alice/tasks" "$alg: wrong aud (a string)"
	refused "$(signed "$ba/test" "{\"sub\":\"$alice\",\"aud\":[\"https://evil.example\",\"other\"]}")" "/api/$alice/tasks" "$alg: wrong aud (an array)"
	api GET "/api/$alice/tasks" "$(signed "$ba/test" "{\"sub\":\"$alice\",\"aud\":[\"other\",\"$ba\"]}")"
	is "$status" 200 "$alg: ... while an array holding the right aud is accepted"

	# logout denies that exact token; its retry under the same key is replayed; a new token works
	keyed_logout "$bob_t" "logout-$alg"
	is "$status:$replayed" "204:" "$alg: logout (under an Idempotency-Key)"
	refused "$bob_t" "/api/$bob/tasks" "$alg: the token after its logout"
	keyed_logout "$bob_t" "logout-$alg"
	is "$status:$replayed" "204:true" "$alg: the logout again with that key: its answer replayed, not 401"
	sleep 1 # a new iat: Better Auth would otherwise sign the same bytes
	api GET "/api/$bob/tasks" "$(curl -s -b "$work/jar.bob.$lower@example.com" "$ba/api/auth/token" | jq -r .token)"
	is "$status" 200 "$alg: a new token of the same user after logout"
done

# the token from Better Auth's set-auth-jwt header (what authClient.getSession gives)
first=${algs%% *}
hdr_token=$(curl -s -D - -o /dev/null -b "${ba_jar[$first]}" "${ba_url[$first]}/api/auth/get-session" |
	tr -d '\r' | sed -n 's/^set-auth-jwt: //Ip')
api GET "/api/${ba_sub1[$first]}/tasks" "$hdr_token"
is "$status" 200 "$first: the token of Better Auth's set-auth-jwt header works the same"

# --- 2. HS256 issuer, odd headers, broken JWKS documents -------------------------------------
secret=$(random_secret)
SHARED_SECRET=$secret issuer add shared --issuer https://app.example.com --hs256-secret-env SHARED_SECRET --audience todo-api
is "$?" 0 "todoctl issuer add shared (an HS256 secret from the environment)"
unlike "$out" "$secret" "... the secret appears nowhere in its output"
issuer list
like "$out" 'shared +https://app.example.com +hs256' "todoctl issuer list shows it, kind hs256"
unlike "$out" "$secret" "... and never the secret"
issuer add shared --issuer https://other.example --hs256-secret-env SHARED_SECRET
is "$?" 2 "todoctl issuer add with an unset secret variable: exit 2 (usage)"
SHARED_SECRET=$secret issuer add shared --issuer https://other.example --hs256-secret-env SHARED_SECRET
is "$?" 1 "todoctl issuer add of a name taken: exit 1"
SHORT=only-20-bytes-secret issuer add short --issuer https://short.example --hs256-secret-env SHORT
is "$?:$(grep -c only-20-bytes-secret <<<"$out")" 1:0 "todoctl issuer add with a secret under 32 bytes: exit 1, the secret not echoed"
issuer add plain_http --issuer https://plain.example --jwks-url http://auth.example.com/api/auth/jwks
is "$?" 1 "todoctl issuer add with an http JWKS URL off loopback: exit 1"
issuer add both --issuer https://both.example --jwks-url https://x.example/jwks --hs256-secret-env SHARED_SECRET
is "$?" 2 "todoctl issuer add with both a JWKS URL and a secret: exit 2 (usage)"
issuer add noiss --jwks-url https://x.example/jwks
is "$?" 2 "todoctl issuer add without --issuer: exit 2 (usage)"
issuer list
unlike "$out" '(short|plain_http|both|noiss) ' "... none of the refused issuers was added"
# the HS256 issuer's tokens through the same end-to-end tests
u1=app-user-1 u2=app-user-2
t1=$(hs256 $u1) t2=$(hs256 $u2)
task_e2e "HS256" "$u1" "$t1"
task_isolation "HS256: another user" "$u1" "$t1" "$u2" "$t2"
api GET "/api/$u1/tasks" "$native_token"
is "$status" 403 "HS256: the native user's token on the HS256 user's path: 403"
api GET "/api/$native_id/tasks" "$t1"
is "$status" 403 "HS256: the HS256 user's token on the native user's path: 403"
api DELETE "/api/$u1/tasks/$id" "$t1"
is "$status" 204 "HS256: delete"
t=$(now)
refused "$(HS_SECRET=${secret}x hs256 $u1)" "/api/$u1/tasks" "HS256: another secret"
refused "$(node test/betterauth/forge.mjs none "$t1")" "/api/$u1/tasks" "HS256: alg none"
refused "$(node test/betterauth/forge.mjs tamper-payload "$t1")" "/api/${u1}x/tasks" "HS256: tampered payload"
refused "$(hs256 $u1 "exp: $((t - 3600)), iat: $((t - 7200))")" "/api/$u1/tasks" "HS256: expired"
refused "$(hs256 $u1 "nbf: $((t + 3600))")" "/api/$u1/tasks" "HS256: not yet valid (nbf)"
refused "$(hs256 $u1 'iss: "https://evil.example"')" "/api/$u1/tasks" "HS256: wrong iss"
refused "$(hs256 $u1 'aud: "other"')" "/api/$u1/tasks" "HS256: wrong aud (a string)"
refused "$(hs256 $u1 'aud: ["other", "evil"]')" "/api/$u1/tasks" "HS256: wrong aud (an array)"
api POST /api/auth/logout "$t2"
is "$status" 204 "HS256: logout"
refused "$t2" "/api/$u2/tasks" "HS256: the token after its logout"

# odd JWT headers on a genuine Better Auth token: 401 each, never a 500
node test/betterauth/forge.mjs fuzz-headers "${ba_t1[$first]}" >"$work/fuzz-headers"
codes=$(while read -r forged; do
	api GET "/api/${ba_sub1[$first]}/tasks" "$forged"
	echo "$status"
done <"$work/fuzz-headers" | sort | uniq -c | tr -s ' ' | tr '\n' ';')
ba_fetched_at[$first]=$SECONDS # odd kids are unknown kids: the gateway may have fetched
is "$codes" " $(wc -l <"$work/fuzz-headers") 401;" "fuzzed JWT headers ($(wc -l <"$work/fuzz-headers") tokens): 401 each"

# broken JWKS documents, one issuer each: refused by the gateway or the database (logged),
# the tokens naming their keys 401, the gateway unharmed
big_n=$(head -c 600000 /dev/urandom | base64 -w0 | tr '+/' '-_' | tr -d '=')
declare -A broken=(
	[malformed]='{"keys":[{"kty":"OKP","crv":"Ed25519","x":'
	[not_keys]='{"keys":{"kty":"OKP"}}'
	[a_list]='[{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","kid":"k"}]'
	[huge_n]="{\"keys\":[{\"kty\":\"RSA\",\"alg\":\"RS256\",\"kid\":\"k\",\"e\":\"AQAB\",\"n\":\"$big_n\"}]}"
	[tiny_rsa]='{"keys":[{"kty":"RSA","alg":"RS256","kid":"k","e":"AQAB","n":"xzQ"}]}'
	[off_curve]='{"keys":[{"kty":"EC","crv":"P-256","alg":"ES256","kid":"k","x":"AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA","y":"AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}]}'
	[short_x]='{"keys":[{"kty":"OKP","crv":"Ed25519","alg":"EdDSA","kid":"k","x":"AAAA"}]}'
	[bad_b64]='{"keys":[{"kty":"OKP","crv":"Ed25519","alg":"EdDSA","kid":"k","x":"!!!!not base64url!!!!"}]}'
	[wrong_types]='{"keys":[{"kty":5,"crv":null,"kid":["k"],"x":{}}, null, "k", 7]}'
	[oct_key]='{"keys":[{"kty":"oct","alg":"HS256","kid":"k","k":"c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0"}]}'
	[nul]='{"keys":[{"kty":"OKP","crv":"Ed25519","kid":"k\u0000","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}'
	[too_big]="{\"keys\":[],\"pad\":\"$big_n$big_n\"}"
)
# why each is refused: by the gateway (not JSON, no keys array, too big), else the database
declare -A why
for name in "${!broken[@]}"; do why[$name]="SQLSTATE 22023"; done
why[malformed]="not a JWKS document" why[not_keys]="not a JWKS document" why[a_list]="not a JWKS document"
why[nul]="not a JWKS document" why[too_big]="larger than"
for name in "${!broken[@]}"; do
	printf '%s' "${broken[$name]}" >"$work/broken.json"
	jq -n --arg p "/$name" --rawfile raw "$work/broken.json" '{path: $p, raw: $raw}' |
		curl -s -X POST "$jw/control" -H 'Content-Type: application/json' --data-binary @- >/dev/null
	issuer add "broken_$name" --issuer "https://$name.example" --jwks-url "$jw/$name"
	# one token by each of our EdDSA, ES256 and RS256 keys, each naming the document's key "k"
	codes=
	for kid in "$k1" "$k2" "$k_rsa"; do
		api GET /api/u/tasks "$(signed_by "$jw" "$kid" "{\"sub\":\"u\",\"iss\":\"https://$name.example\"}" '{"kid":"k"}')"
		codes+="$status "
	done
	is "$codes" "401 401 401 " "broken JWKS $name: EdDSA, ES256 and RS256 tokens naming its key: 401"
	ok_or "broken JWKS $name: refused (${why[$name]}), logged" \
		gw_log_wait "issuer broken_$name: keys not refreshed.*${why[$name]}" 15
done
api GET /api/v1/health ""
is "$status" 200 "the gateway still answers after all of them"

# --- 3. once the 30 s refresh limit has passed: rotation, removal, the last good keys ---------
t_keep=$(signed "$jw" '{"sub":"keep-user","iss":"https://keep.example"}')
api GET /api/keep-user/tasks "$t_keep"
is "$status" 200 "keep: a token of keep verifies with the keys fetched at start"
t_own2=$(signed_by "$jw" "$k2" "{\"sub\":\"$own_user\"}")
# own: K1 leaves its JWKS; keep: its document turns into an error page
curl -s -X POST "$jw/keys/remove?kid=$k1" >/dev/null
curl -s -X POST "$jw/control" -d '{"path":"/keep","raw":"<html>502 Bad Gateway</html>"}' >/dev/null
api GET "/api/$own_user/tasks" "$t_own"
is "$status" 200 "own: right after key $k1 left the JWKS its token still verifies (cached until the next fetch)"
ok_or "own: the next scheduled fetch (30 s after the last) stores the 2 keys left" \
	gw_log_wait 'jwks: issuer own: 2 keys stored' 75
refused "$t_own" "/api/$own_user/tasks" "own: after the cache window the removed key's token"
api GET "/api/$own_user/tasks" "$t_own2"
is "$status" 200 "own: ... while a token of a key still published verifies"
ok_or "keep: the fetch of an unusable document is logged, and keeps the last good keys" \
	gw_log_wait 'jwks: issuer keep: keys not refreshed' 75
api GET /api/keep-user/tasks "$t_keep"
is "$status" 200 "keep: its token still verifies with the last good keys"

for alg in $algs; do
	ba=${ba_url[$alg]}
	lower=${alg,,}
	like "$(cat "$work/gw.out")" "issuer ba_$lower: 1 keys stored .*Cache-Control none\\), next fetch in 300 s" \
		"$alg: Better Auth sends no Cache-Control: its keys are fetched again after 300 s"
	old_t=${ba_t1[$alg]}
	old_kid=$(jwt_header "$old_t" | jq -r .kid)
	# a new kid gets a fetch 30 s after the last one (its first token's, or an unknown kid's)
	while [ $((SECONDS - ba_fetched_at[$alg])) -le $((30 + 1)) ]; do sleep 1; done
	curl -s -X POST "$ba/test/rotate" >/dev/null
	new_t=$(curl -s -b "${ba_jar[$alg]}" "$ba/api/auth/token" | jq -r .token)
	new_kid=$(jwt_header "$new_t" | jq -r .kid)
	if [ -n "$new_kid" ] && [ "$new_kid" != "$old_kid" ]; then ok "$alg: rotation: Better Auth signs with a new kid"; else not_ok "$alg: rotation: a new kid" "$old_kid -> $new_kid"; fi
	api GET "/api/${ba_sub1[$alg]}/tasks" "$new_t"
	is "$status" 200 "$alg: rotation: the new kid's token is accepted at once, nothing restarted"
	api GET "/api/${ba_sub1[$alg]}/tasks" "$old_t"
	is "$status" 200 "$alg: rotation: the old key, still published, still verifies"
	refused "$(signed "$jw" "{\"sub\":\"${ba_sub1[$alg]}\",\"iss\":\"$ba\",\"aud\":\"$ba\"}")" "/api/${ba_sub1[$alg]}/tasks" \
		"$alg: a kid the JWKS does not have, right after a refresh"
done
last=${algs##* }
like "$(cat "$work/gw.out")" "issuer ba_${last,,}: 2 keys stored" "the refresh after a rotation stored both keys"

issuer remove own
is "$?" 0 "todoctl issuer remove own"
refused "$t_own2" "/api/$own_user/tasks" "own: removed, its tokens are refused at once (no restart)"
issuer remove own
is "$?" 1 "todoctl issuer remove of an unknown name: exit 1"
api GET /api/v1/health ""
is "$status" 200 "the gateway answers health at the end"
grep -h '"status":500' "$work/gw.out" >"$work/500s"
is "$(wc -l <"$work/500s")" 0 "no request of the suite was answered 500"
gateway_stop gw
tap_plan
