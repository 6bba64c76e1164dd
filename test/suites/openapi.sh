#!/usr/bin/env bash
# test/suites/openapi.sh - the OpenAPI document (gateway/openapi/openapi.json): redocly lint
# with its recommended rules and no warning; served as it is at GET /api/openapi.json, with
# the reference page /api/docs (its CSP) and its vendored script; openapi-typescript's types
# and a typed client (test/openapi/client.ts) that compiles with tsc --strict and works
# against the gateway. (The route check is the unit test test_openapi.c; every e2e response
# is checked against the document by test/run.sh's e2e suite: test/openapi/validate.mjs.)
set -uo pipefail
. "$(dirname "$0")/lib/suite.bash" "$@"

doc=gateway/openapi/openapi.json
bin=$top/node_modules/.bin
if ! scripts/node-deps.sh >"$work/node-deps.log" 2>&1; then
	echo "Bail out! cannot install the pinned Node packages: $(tail -3 "$work/node-deps.log")"
	exit 1
fi

# --- lint ---------------------------------------------------------------------------------
lint=$("$bin/redocly" lint --config gateway/openapi/redocly.yaml "$doc" 2>&1)
rc=$?
is "$rc" 0 "redocly lint (recommended rules): no error"
unlike "$lint" "You have [0-9]+ warning" "redocly lint: no warning either"
[ "$rc" = 0 ] || printf '%s\n' "$lint" | tail -40 | diag

# --- served by the gateway --------------------------------------------------------------------
at_exit "dropdb --if-exists todo_openapi"
create_todo_database todo_openapi >"$work/create.log" 2>&1 || { echo "Bail out! cannot create todo_openapi"; exit 1; }
make -s -C gateway vendor >"$work/vendor.log" 2>&1 || { echo "Bail out! make -C gateway vendor failed"; cat "$work/vendor.log"; exit 1; }
if ! gateway_start openapi DATABASE_URL="$(database_url todo_openapi)"; then
	echo "Bail out! the gateway did not start"
	exit 1
fi
curl -s -D "$work/doc.h" -o "$work/served.json" "$gw_url/api/openapi.json"
if cmp -s "$work/served.json" "$doc"; then ok "GET /api/openapi.json serves the document byte for byte"
else not_ok "GET /api/openapi.json serves the document byte for byte"; fi
like "$(cat "$work/doc.h")" "Content-Type: application/json" "the document: application/json"
page=$(curl -s -D "$work/page.h" "$gw_url/api/docs")
like "$page" '<redoc spec-url="/api/openapi.json">' "GET /api/docs: the Redoc page of the document"
like "$(cat "$work/page.h")" "Content-Type: text/html; charset=utf-8" "the page: text/html"
like "$(cat "$work/page.h")" "Content-Security-Policy: default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'" \
	"the page: its own CSP (no inline script, styles inline for Redoc)"
like "$(cat "$work/page.h")" "Server-Timing: db;dur=0.000, total;dur=" "the page: Server-Timing, no database time"
code=$(curl -s -o "$work/redoc.js" -w '%{http_code} %{content_type}' "$gw_url/api/docs/redoc.standalone.js")
is "$code" "200 text/javascript; charset=utf-8" "GET /api/docs/redoc.standalone.js: the vendored script"
if cmp -s "$work/redoc.js" node_modules/redoc/bundles/redoc.standalone.js; then ok "the script is the pinned package's bundle"
else not_ok "the script is the pinned package's bundle"; fi
is "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$gw_url/api/openapi.json")" 405 "POST /api/openapi.json: 405"
# the page renders in a real browser under its own CSP, with no internet (Debian's chromium,
# when installed: the web app's browser test needs it too)
browser=$(command -v chromium || true)
if [ -n "$browser" ]; then
	timeout 120 "$browser" --headless --no-sandbox --disable-gpu --virtual-time-budget=20000 \
		--user-data-dir="$work/chromium" --dump-dom "$gw_url/api/docs" >"$work/docs.dom" 2>"$work/chromium.log"
	like "$(cat "$work/docs.dom")" "Create a task.*Complete or reopen a task" \
		"chromium renders /api/docs: Redoc shows the document's operations"
else
	ok "# SKIP chromium is not installed: the page is not rendered"
fi

# --- types and a typed client ----------------------------------------------------------------
ts=$work/ts
rm -rf "$ts" && mkdir -p "$ts"
cp test/openapi/client.ts "$ts/"
run_ok "openapi-typescript generates the types" "$work/ts.log" "$bin/openapi-typescript" "$doc" -o "$ts/api.d.ts"
run_ok "the typed client compiles with tsc --strict" "$work/ts.log" \
	"$bin/tsc" --strict --target ES2022 --module NodeNext --moduleResolution NodeNext --lib ES2022,DOM \
	--noEmitOnError --outDir "$ts/out" "$ts/client.ts"
# a client that misuses a type must not compile (the types are not all `any`)
sed 's/priority: .HIGH./priority: 7/' "$ts/client.ts" >"$ts/wrong.ts"
if "$bin/tsc" --strict --target ES2022 --module NodeNext --moduleResolution NodeNext --lib ES2022,DOM \
	--noEmit "$ts/wrong.ts" >"$work/wrong.log" 2>&1; then
	not_ok "a priority that is a number does not compile"
else like "$(cat "$work/wrong.log")" "TS2322" "a priority that is a number does not compile"; fi
if [ -f "$ts/out/client.js" ]; then
	node "$ts/out/client.js" "$gw_url" >"$work/client.tap" 2>&1
	rc=$?
	while IFS= read -r line; do
		case $line in
		"ok "*) ok "${line#ok * - }" ;;
		"not ok "*) not_ok "${line#not ok * - }" ;;
		esac
	done <"$work/client.tap"
	is "$rc" 0 "the typed client runs against the gateway"
fi
gateway_stop openapi
tap_plan
