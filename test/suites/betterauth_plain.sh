#!/usr/bin/env bash
# test/suites/betterauth_plain.sh: betterauth.sh against the plain-SQL install (Neon,
# docs/deploy-neon.md), whose PL/pgSQL verifies the tokens where the extension's C does:
# the same Better Auth servers, issuers, end-to-end tests and attacks, the same expectations.
#
#   test/suites/betterauth_plain.sh WORKDIR    (PGHOST, PGPORT, PGUSER, GATEWAY_PASSWORD set)
TODO_BETTERAUTH_INSTALL=plain exec "$(dirname "$0")/betterauth.sh" "$@"
