#!/usr/bin/env bash
# Installs the pinned Node packages of the tests and benches (package.json and
# package-lock.json at the top: exact versions, nothing ships) into node_modules/, when
# missing or older than the lock file. Node and npm themselves come from scripts/deps.sh
# (Debian's nodejs). Idempotent; the npm registry must be reachable only the first time.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v npm >/dev/null; then
	echo "node-deps: npm is missing (Debian: apt-get install nodejs npm)" >&2
	exit 1
fi
# npm ci writes node_modules/.package-lock.json: up to date when it matches the lock file
if [ -f node_modules/.package-lock.json ] && [ node_modules/.package-lock.json -nt package-lock.json ]; then
	exit 0
fi
echo "node-deps: installing the pinned Node packages (npm ci)" >&2
npm ci --no-audit --no-fund --loglevel=error >&2
