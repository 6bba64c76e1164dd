#!/usr/bin/env bash
# Installs the Debian packages the build, the tests and `make run` need, when missing.
# Idempotent; needs root (or sudo) only when something is missing.
set -euo pipefail

need=()
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
for pkg in postgresql-15 postgresql-contrib postgresql-server-dev-15 postgresql-15-pgtap \
	libtap-parser-sourcehandler-pgtap-perl libpq-dev libmicrohttpd-dev libjansson-dev \
	libsqlite3-dev sqlite3 pgbouncer pkg-config gcc make perl libdbd-pg-perl jq curl openssl libcurl4-openssl-dev nodejs \
	prometheus \
	clang libclang-rt-14-dev libfuzzer-14-dev libssl-dev chromium "$@"; do
	have_pkg "$pkg" || need+=("$pkg")
done
# Debian's nodejs comes without npm (a package of its own); a Node.js that bundles npm needs none
command -v npm >/dev/null || need+=(npm)
[ ${#need[@]} -eq 0 ] && exit 0

echo "installing Debian packages: ${need[*]}" >&2
sudo=
[ "$(id -u)" = 0 ] || sudo=sudo
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
