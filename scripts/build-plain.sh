#!/usr/bin/env bash
# scripts/build-plain.sh: the plain-SQL install's scripts (docs/deploy-neon.md), for servers
# that cannot load our C library, made from the extension's sources. extension/Makefile runs
# it (make plain) with extension/ as the working directory; OUT is relative to it.
#
#   build-plain.sh install VERSION OUT     the install script of VERSION (the newest)
#   build-plain.sh update SCRIPT OUT       an upgrade or downgrade script, todo--A--B.sql
#   build-plain.sh regress OUT PIECE...    plain pieces in schema regress_plain (sql/plain.sql)
set -euo pipefail

usage() {
	sed -n 's/^#   //p' "$0" >&2
	exit 2
}

# The first lines of each script: its name, what it is, and that it sets its version itself
# (so that todoctl migrate, which runs a chain of them in one transaction, needs to know
# nothing of versions but the scripts' names).
banner() { # NAME WHAT VERSION
	printf '/* %s: %s, built by make plain (docs/deploy-neon.md) */\n\n%s\n%s\n' "$1" "$2" \
		"-- It sets todo.schema_version to $3 itself, in its last statement: psql -f and todoctl migrate" \
		'-- (which runs a chain of them in one transaction) run it as it is; nothing else writes that row.'
}

# The tables and functions that a piece of plain/ defines in place of the extension's, as
# name|name|...: what no upgrade script may touch as it is (see update below).
plain_own() {
	sed -nE 's/^[[:space:]]*CREATE (FUNCTION|TABLE) (todo|api)\.([a-z0-9_]+).*/\3/p' plain/*.sql | sort -u | paste -sd'|'
}

# Each script is written to a temporary file, renamed when complete: a failure leaves no
# half-built script that make would take as up to date.
tmp=
trap '[ -z "$tmp" ] || rm -f "$tmp"' EXIT
begin() { # OUT
	mkdir -p "$(dirname "$1")"
	tmp="$1.tmp"
}
finish() { # OUT
	mv "$tmp" "$1"
	tmp=
}

install_script() { # VERSION OUT
	local version=$1 out=$2 piece
	begin "$out"
	{
		banner "$(basename "$out")" "the plain-SQL install of todo $version (no C: PL/pgSQL and pgcrypto)" "$version"
		# The pieces in name order, as for the extension's install script; a piece of plain/
		# takes the place of the schema/ piece of the same name, and a name only plain/ has
		# adds a piece (plain/00_header.sql, in place of the psql guard, creates what CREATE
		# EXTENSION would: pgcrypto and schema todo).
		(cd schema && ls -- *.sql && cd ../plain && ls -- *.sql) | LC_ALL=C sort -u |
			while read -r piece; do
				echo
				if [ -f "plain/$piece" ]; then cat "plain/$piece"; else cat "schema/$piece"; fi
			done
		# The version, last: the one row of todo.schema_version (plain/44_api_health.sql).
		printf '\nINSERT INTO todo.schema_version (version) VALUES (%s);\n' "'$version'"
	} >"$tmp"
	finish "$out"
}

begin_extension_only='^-- begin extension only'
end_extension_only='^-- end extension only'

update_script() { # SCRIPT OUT
	local script=$1 out=$2 version
	version=$(basename "$script" .sql)
	version=${version##*--}
	# An upgrade script that creates, replaces or drops what plain/ defines in place of the
	# extension's would install the extension's version of it: such a change needs a plain
	# script of its own, so refuse rather than build a wrong one. Its parts between
	# "-- begin extension only" and "-- end extension only" lines are left out of the plain
	# script (below): changes that the plain install, whose pieces differ, does not need.
	if sed "/$begin_extension_only/,/$end_extension_only/s/.*//" "$script" |
		grep -nwE "(FUNCTION|TABLE) (todo|api)\.($(plain_own))" >&2; then
		echo "$script: changes what extension/plain/ replaces: the plain install needs a version of its own" >&2
		exit 1
	fi
	begin "$out"
	{
		banner "$(basename "$out")" "$script for a plain-SQL install" "$version"
		echo
		# The script without its psql guard (its comment and the \echo ... \quit line): the
		# plain scripts are run with psql -f and by todoctl migrate, not by ALTER EXTENSION;
		# and without its parts for the extension only.
		# A line "-- plain install: FILE" stands for plain/FILE there: what the plain install
		# defines in place of the extension only part before it (the C functions' twins).
		sed -e '/^-- complain if script is sourced in psql/d' -e '/^\\echo Use /d' \
			-e "/$begin_extension_only/,/$end_extension_only/d" "$script" |
			while IFS= read -r line; do
				case $line in
				"-- plain install: "*) cat "plain/${line#-- plain install: }" ;;
				*) printf '%s\n' "$line" ;;
				esac
			done
		# The version, last.
		printf '\nUPDATE todo.schema_version SET version = %s;\n' "'$version'"
	} >"$tmp"
	finish "$out"
}

regress_script() { # OUT PIECE...
	local out=$1
	shift
	begin "$out"
	# sql/plain.sql and bench/jwt_verify.sql compare the plain functions with the C ones in
	# one database, where schema todo is the extension's: every table and function the
	# pieces create in todo, and every reference to one of them, moves to schema
	# regress_plain (the extension's other objects, such as todo.raise_error, stay shared).
	perl -0777 -ne '
		$sql .= $_;
		push @names, /CREATE (?:FUNCTION|TABLE) todo\.(\w+)/g;
		END {
			my $names = join "|", @names;
			$sql =~ s/\btodo\.($names)\b/regress_plain.$1/g;
			print $sql;
		}' "$@" >"$tmp"
	finish "$out"
}

[ $# -ge 1 ] || usage
command=$1
shift
case "$command" in
install) [ $# -eq 2 ] || usage; install_script "$@" ;;
update) [ $# -eq 2 ] || usage; update_script "$@" ;;
regress) [ $# -ge 2 ] || usage; regress_script "$@" ;;
*) usage ;;
esac
