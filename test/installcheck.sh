#!/usr/bin/env bash
# `make installcheck`: the pgTAP suite (test/pgtap) against the database at DATABASE_URL as
# it is, for DBAs (docs/testing.md): the extension or the plain-SQL install, run by a
# superuser or by the database's owner (Neon's neondb_owner: CREATEROLE, no superuser).
#
# It leaves nothing behind: every pgTAP file runs in a transaction that rolls back (the
# roles, grants and policies a non-superuser needs are made inside it, _helpers.psql). With
# the extension and a superuser, the pg_regress files of the C functions run as well, in a
# scratch database of their own that is dropped at the end, whatever happens. They do not
# apply to the plain install, which has no C function (its SQL twins are what pgTAP checks).
# Prints "N passed, N failed", N counting assertions (pgTAP's ok lines; one per regress file).
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/test/lib.sh"

if [ -z "${DATABASE_URL:-}" ]; then
	echo "installcheck: DATABASE_URL is not set: the database to check, as its owner or a superuser (docs/testing.md)" >&2
	exit 2
fi

q() { psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$DATABASE_URL" -c "$1"; }

# --- before anything runs: what the connected role has, and what it lacks --------------------
if ! facts=$(q "SELECT concat_ws(' ',
		(SELECT rolsuper FROM pg_roles WHERE rolname = current_user),
		(SELECT rolcreaterole FROM pg_roles WHERE rolname = current_user),
		EXISTS (SELECT FROM pg_extension WHERE extname = 'todo'),
		EXISTS (SELECT FROM pg_class WHERE relname = 'schema_version' AND relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = 'todo')),
		EXISTS (SELECT FROM pg_extension WHERE extname = 'pgtap'),
		coalesce(pg_has_role(current_user, 'todo_owner', 'USAGE'), false),
		current_user)" 2>&1); then
	echo "installcheck: cannot connect to DATABASE_URL: $facts" >&2
	exit 2
fi
read -r superuser createrole extension plain pgtap owner role <<<"$facts"
missing=()
if [ "$extension" != t ] && [ "$plain" != t ]; then
	missing+=("todo is not installed in this database: todoctl migrate up (or --plain), docs/operations.md")
fi
if [ "$pgtap" != t ]; then
	missing+=("pgTAP is not installed in this database: CREATE EXTENSION pgtap (as a superuser; on Neon, as the owner)")
fi
if [ "$superuser" != t ]; then
	[ "$extension" = t ] && missing+=("the extension install is checked by a superuser (a plain install can be checked by its owner)")
	[ "$owner" != t ] && missing+=("role $role acts for the tables' owner only as a member of todo_owner: GRANT todo_owner TO $role")
	[ "$createrole" != t ] && missing+=("role $role needs CREATEROLE, to give itself the request roles inside each test: ALTER ROLE $role CREATEROLE")
fi
if [ ${#missing[@]} -gt 0 ]; then
	echo "installcheck: nothing was run, because:" >&2
	printf '  - %s\n' "${missing[@]}" >&2
	exit 2
fi
if [ "$plain" = t ] && [ -z "$(q "SELECT nullif(jwt_secret, '') FROM todo.settings")" ]; then
	echo "installcheck: nothing was run: the plain install's JWT secret is not set (UPDATE todo.settings SET jwt_secret = ..., docs/deploy-neon.md)" >&2
	exit 2
fi
kind=$([ "$extension" = t ] && echo extension || echo "plain-SQL install")
echo "# installcheck: the $kind, as $role ($([ "$superuser" = t ] && echo superuser || echo "not a superuser"))"

work=$(mktemp -d)
regress_db=
cleanup() {
	[ -n "$regress_db" ] && psql -X -q -d "$DATABASE_URL" -c "DROP DATABASE IF EXISTS $regress_db" >/dev/null 2>&1
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

passed=0
failed=0

# --- pgTAP ------------------------------------------------------------------------------------
pg_prove -v -d "$DATABASE_URL" "$top"/test/pgtap/*.sql >"$work/pgtap.log" 2>&1
rc=$?
cat "$work/pgtap.log"
read -r p f <<<"$(tap_counts "$work/pgtap.log" "$rc")"
passed=$((passed + p))
failed=$((failed + f))

# --- pg_regress: the C functions, in a scratch database dropped at the end ----------------------
if [ "$extension" = t ] && [ "$superuser" = t ]; then
	regress_db="regress_todo_$$"
	conn=$(psql -X -A -t -d "$DATABASE_URL" -c '\echo :HOST :PORT :USER')
	read -r host port user <<<"$conn"
	PGHOST=$host PGPORT=$port PGUSER=$user PGDATABASE= make -s -C "$top/extension" installcheck \
		CONTRIB_TESTDB="$regress_db" REGRESS_OUTPUTDIR="$work/regress" >"$work/regress.log" 2>&1
	rc=$?
	cat "$work/regress.log"
	read -r p f <<<"$(regress_counts "$work/regress.log" "$rc")"
	[ -f "$work/regress/regression.diffs" ] && head -60 "$work/regress/regression.diffs"
	passed=$((passed + p))
	failed=$((failed + f))
else
	echo "# pg_regress: skipped ($([ "$extension" = t ] && echo "the C functions' files need a superuser" || echo "the plain install has no C function; pgTAP checks its SQL twins"))"
fi

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
