#!/usr/bin/env bash
# `make run`: build, then serve the API and the web app on $PORT (default 8080).
#
# With DATABASE_URL unset, and only then, it starts (or reuses) an embedded throwaway
# cluster under .run/pg, installs or upgrades the extension there (todoctl migrate up),
# enables the gateway's login role, seeds the development user test@example.com
# (todoctl seed; not when ENVIRONMENT=production) and points the gateway at it, and says
# so; SIGTERM or Ctrl-C stops the gateway, then that cluster. Its files are where the
# postgres user can reach them: in .run, or, in a checkout that user cannot enter (a clone
# under /root), in /var/tmp/todo-HASH/.run with .run a link to it (state_dir, test/lib.sh).
# With DATABASE_URL set, it serves against that database as it is (install and migrate it
# first: docs/operations.md).
#
# AUTH_ISSUER and AUTH_JWKS_URL (AUTH_AUDIENCE optional) register a trusted token issuer,
# such as the frontend's Better Auth (docs/better-auth.md), named AUTH_ISSUER_NAME (default
# betterauth), unless one of that name is there already: todoctl issuer add, as the embedded
# database's superuser, or as ADMIN_DATABASE_URL when DATABASE_URL is set.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
. test/lib.sh

make -s -C extension all
make -s -C gateway all
# the API reference page's script (Redoc, from the pinned npm package): GET /api/docs
if scripts/node-deps.sh && make -s -C gateway vendor; then :; else
	echo "run: cannot vendor Redoc (npm): /api/docs will say so; the API works without it" >&2
fi
make -s -C todoctl all

if [ -z "${DATABASE_URL:-}" ]; then
	echo "run: DATABASE_URL is not set: starting the embedded development database in .run/pg" >&2
	make -s -C extension install
	# where the postgres user can reach it, even in a checkout under /root (test/lib.sh)
	cluster=$(state_dir .run)/pg
	[ "$cluster" = "$top/.run/pg" ] || echo "run: (.run is a link to $(dirname "$cluster"): the postgres user cannot enter this checkout)" >&2
	test/cluster.sh start "$cluster" todo
	. "$cluster/env"
	# todoctl takes an admin connection (the cluster's superuser); the gateway its own role
	admin_url="postgresql://postgres@127.0.0.1:$PGPORT/$PGDATABASE"
	DATABASE_URL=$admin_url todoctl/todoctl migrate up | sed 's/^/run: /' >&2
	psql -X -q -v ON_ERROR_STOP=1 -v pw="$GATEWAY_PASSWORD" <<-'SQL'
		ALTER ROLE todo_gateway LOGIN PASSWORD :'pw';
	SQL
	if [ "${ENVIRONMENT:-}" = production ]; then
		echo "run: ENVIRONMENT=production: not seeding the development user" >&2
	else
		DATABASE_URL=$admin_url todoctl/todoctl seed | sed 's/^/run: /' >&2
	fi
	echo "run: embedded database: psql -h $PGHOST -p $PGPORT -U postgres $PGDATABASE   (Ctrl-C stops it with the gateway)" >&2
	echo "run: its admin URL (todoctl, make migrate, make seed): DATABASE_URL=$admin_url" >&2
	export DATABASE_URL
fi

# the frontend's issuer: registered once, as an admin (todoctl issuer add)
if [ -n "${AUTH_ISSUER:-}" ] && [ -n "${AUTH_JWKS_URL:-}" ]; then
	name=${AUTH_ISSUER_NAME:-betterauth}
	issuer_admin=${admin_url:-${ADMIN_DATABASE_URL:-}}
	if [ -z "$issuer_admin" ]; then
		echo "run: AUTH_ISSUER is set but not ADMIN_DATABASE_URL: not registering it (todoctl issuer add, docs/better-auth.md)" >&2
	elif DATABASE_URL=$issuer_admin todoctl/todoctl issuer list | awk -v n="$name" 'NR > 1 && $1 == n { found = 1 } END { exit !found }'; then
		echo "run: issuer $name is registered already (todoctl issuer list; remove it to change it)" >&2
	else
		DATABASE_URL=$issuer_admin todoctl/todoctl issuer add "$name" --issuer "$AUTH_ISSUER" \
			--jwks-url "$AUTH_JWKS_URL" ${AUTH_AUDIENCE:+--audience "$AUTH_AUDIENCE"} | sed 's/^/run: /' >&2
	fi
fi

port=${PORT:-8080}
export PORT=$port
base="http://localhost:$port"
if [ "${WEB_ROOT-unset}" = "" ]; then
	web="the web app is off (WEB_ROOT is empty): API only"
else
	web="the web app: open $base/ in a browser (files from ${WEB_ROOT:-gateway/web})"
fi
if [ -n "${ADMIN_PORT:-}" ]; then
	admin="probes and metrics: http://${ADMIN_BIND:-127.0.0.1}:$ADMIN_PORT/live, /ready, /metrics"
else
	admin="probes and metrics are off: set ADMIN_PORT (e.g. ADMIN_PORT=9090 make run) for /live, /ready, /metrics"
fi
cat >&2 <<-EOF
	run: serving $base  (Ctrl-C stops the gateway)
	run: $web
	run: API reference: $base/api/docs   (the OpenAPI 3.1 document: $base/api/openapi.json)
	run: $admin
	run: try the API:
	  curl -s -X POST $base/api/auth/register -H 'Content-Type: application/json' \\
	       -d '{"username":"ada","email":"ada@example.com","password":"correct horse"}'
	  # then, with the access_token and user.id of that answer:
	  curl -s -X POST $base/api/USER_ID/tasks -H "Authorization: Bearer TOKEN" \\
	       -H 'Content-Type: application/json' -d '{"title":"Try the API","tags":["demo"]}'
EOF
# The gateway as a child, so that SIGTERM or Ctrl-C stops it and then the embedded cluster
# (when there is one), wherever its files are.
stop() {
	trap '' INT TERM
	if [ -n "${gateway_pid:-}" ]; then
		kill -TERM "$gateway_pid" 2>/dev/null || true
		# a wait cut short (make passes SIGTERM on to us once more) or the gateway's own exit
		# status must not end this script before the cluster is stopped (set -e)
		for _ in $(seq 300); do
			kill -0 "$gateway_pid" 2>/dev/null || break
			wait "$gateway_pid" 2>/dev/null || sleep 0.1
		done
	fi
	if [ -n "${cluster:-}" ]; then
		test/cluster.sh stop "$cluster"
		echo "run: stopped the gateway and the embedded database" >&2
	fi
}
trap 'stop; exit 130' INT
trap 'stop; exit 143' TERM
gateway/todo-gateway &
gateway_pid=$!
rc=0
wait "$gateway_pid" || rc=$?
gateway_pid=
stop
exit "$rc"
