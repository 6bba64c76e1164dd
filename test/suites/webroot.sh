#!/usr/bin/env bash
# test/suites/webroot.sh - WEB_ROOT, with gateways of the suite's own: a root holding
# symlinks that point out of it (refused: 404) and in (served), directories (index.html,
# never a listing), a FIFO; WEB_ROOT= empty (API only: / is the API's JSON 404); a WEB_ROOT
# that is no directory (exit 1, named). The files themselves: test/e2e/static.t.
#
#   test/suites/webroot.sh WORKDIR     (run by test/run.sh with the main cluster's PG* env)
set -uo pipefail
. "$(dirname "$0")/lib/suite.bash" "$@"

at_exit "dropdb --if-exists todo_webroot"
create_todo_database todo_webroot >"$work/create.log" 2>&1 || {
	echo "Bail out! cannot create todo_webroot: $(cat "$work/create.log")"
	exit 1
}
url=$(database_url todo_webroot)

# GET PATH -> "STATUS CONTENT-TYPE BODY" (the path sent as written)
get() { curl -s --path-as-is -o "$work/body" -w '%{http_code} %{content_type}' "$gw_url$1" && echo " $(head -c 200 "$work/body")"; }

# the root: $work/root; outside it: $work/secret.txt
root=$work/root
rm -rf "$root" "$work/secret.txt"
mkdir -p "$root/docs" "$root/empty"
echo 'secret outside' >"$work/secret.txt"
echo '<p>home</p>' >"$root/index.html"
echo '<p>docs</p>' >"$root/docs/index.html"
echo 'body{}' >"$root/docs/a.css"
ln -s /etc/passwd "$root/passwd"
ln -s ../secret.txt "$root/secret.txt"
ln -s "$work" "$root/work"
ln -s .. "$root/docs/up"
ln -s docs/a.css "$root/in.css"
mkfifo "$root/fifo"

gateway_start_again planted DATABASE_URL="$url" WEB_ROOT="$root" || { echo "Bail out! gateway planted did not start"; exit 1; }
like "$(cat "$work/planted.out")" "\"web app: serving $root at /\"" "start-up names the web root"
is "$(get /)" "200 text/html; charset=utf-8 <p>home</p>" "/ is the root's index.html"
is "$(get /docs/)" "200 text/html; charset=utf-8 <p>docs</p>" "/docs/ is docs/index.html"
is "$(get /docs/a.css)" "200 text/css; charset=utf-8 body{}" "/docs/a.css"
is "$(get /in.css)" "200 text/css; charset=utf-8 body{}" "a symlink to a file inside the root is served"
is "$(get /docs/up/index.html)" "200 text/html; charset=utf-8 <p>home</p>" "docs/up -> .. stays inside: served"
for p in /passwd /secret.txt /work/secret.txt /docs/up/up/secret.txt /docs/up/up/root/index.html \
	/docs /empty/ /empty /fifo /docs/../../secret.txt /%2e%2e/secret.txt /docs/%2e%2e/%2e%2e/secret.txt; do
	is "$(get "$p")" "404 text/plain; charset=utf-8 Not found" "GET $p: 404"
done
gateway_stop planted

gateway_start_again off DATABASE_URL="$url" WEB_ROOT= || { echo "Bail out! gateway off did not start"; exit 1; }
like "$(cat "$work/off.out")" 'web app off \(WEB_ROOT is empty\)' "WEB_ROOT= : start-up says the web app is off"
like "$(get /)" '^404 application/json .*"code":"not_found"' "WEB_ROOT= : / is the API's JSON 404"
like "$(get /app.js)" '^404 application/json ' "WEB_ROOT= : /app.js too"
like "$(get /api/v1/health)" '^200 application/json ' "WEB_ROOT= : the API answers"
gateway_stop off

for bad in "$work/nope" "$root/index.html"; do
	rm -f "$work/pids/bad.pid"
	SUITE_GATEWAY=$gateway_bin perl -I"$top/test/suites/lib" -MSuite -e 'gateway_exec(@ARGV)' \
		bad "$(free_port)" DATABASE_URL="$url" WEB_ROOT="$bad"
	is "$?" 1 "WEB_ROOT=${bad#"$work"/}: exit 1"
	rm -f "$work/pids/bad.pid"
	like "$(cat "$work/bad.err")" "configuration error: WEB_ROOT: cannot open the directory $bad" \
		"WEB_ROOT=${bad#"$work"/}: the message names it"
done
tap_plan
