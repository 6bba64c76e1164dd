#!/usr/bin/env bash
# Installs the pinned Node packages of the tests and benches (package.json and
# package-lock.json at the top: exact versions, nothing ships) into node_modules/, when
# missing or older than the lock file. Node and npm themselves come from scripts/deps.sh.
# The pinned tools need Node.js 20.19 or newer (@redocly/cli, better-auth's @noble/*): the
# machines this project runs on ship Node.js 20; Debian 12's own nodejs (18) is too old, and
# this says so rather than failing half-way. Idempotent; the npm registry must be reachable
# only the first time.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v npm >/dev/null; then
	echo "node-deps: npm is missing (Debian: apt-get install nodejs npm)" >&2
	exit 1
fi
if ! node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)'; then
	echo "node-deps: Node.js $(node --version) is too old: the pinned test tools need 20.19 or newer (docs/layout.md)" >&2
	exit 1
fi
# npm ci writes node_modules/.package-lock.json: up to date when it matches the lock file
if [ -f node_modules/.package-lock.json ] && [ node_modules/.package-lock.json -nt package-lock.json ]; then
	exit 0
fi
echo "node-deps: installing the pinned Node packages (npm ci)" >&2
npm ci --no-audit --no-fund --loglevel=error >&2
