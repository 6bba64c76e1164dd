#!/usr/bin/env bash
# test/suites/todoctl.sh: todoctl's unit tests (todoctl/test/test_*.c: versions, the plain
# scripts' directory and chains, the SQL scanner) under AddressSanitizer + UBSan. Prints TAP.
#
#   test/suites/todoctl.sh WORKDIR    (needs no server)
set -uo pipefail
cd "$(dirname "$0")/../.."
exec make -s -C todoctl test-asan PROVE_FLAGS=-v
