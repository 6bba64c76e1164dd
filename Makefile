# todo: the database extension, the HTTP gateway, and the commands that run and test them.
# `make run` and `make test` are the two commands of README.md; see docs/layout.md.

PG_CONFIG ?= pg_config
export PG_CONFIG

.PHONY: all deps extension gateway todoctl plain install test installcheck run bench clean asan valgrind migrate seed fuzz screenshots

all: extension gateway todoctl

deps:
	@scripts/deps.sh

extension: deps
	$(MAKE) -C extension

gateway: deps
	$(MAKE) -C gateway

# the admin tool: todoctl migrate|seed|import (docs/operations.md)
todoctl: deps
	$(MAKE) -C todoctl

# the plain-SQL install for servers without our C library, such as Neon (docs/deploy-neon.md):
# extension/build/plain/todo-plain--*.sql; make install puts them in $(pg_config --sharedir)/todo-plain
plain: deps
	$(MAKE) -C extension plain

install: extension
	$(MAKE) -C extension install

# every test against real servers; ends with one line "N passed, N failed"
test: deps
	@test/run.sh

# the pgTAP suite (and, for the extension as a superuser, the pg_regress files) against the
# database at DATABASE_URL as it is, as its owner or a superuser; leaves nothing behind
# (docs/testing.md)
installcheck: deps
	@test/installcheck.sh

# the embedded database (when DATABASE_URL is unset) and the gateway on $PORT
run: deps
	@scripts/run.sh

# the schema of the database at DATABASE_URL (an admin connection) to the latest version
migrate: todoctl
	todoctl/todoctl migrate up

# the development user test@example.com and its tasks, in the database at DATABASE_URL
seed: todoctl
	todoctl/todoctl seed

# docs/screenshots/*.png: the web app's main views at desktop and phone width (Chromium)
screenshots: deps
	@scripts/screenshots.sh

bench:
	@scripts/deps.sh wrk jq procps
	@bench/run.sh

# every libFuzzer harness of fuzz/ for FUZZ_SECONDS (default 60) each; figures in docs/fuzzing.md
fuzz: deps
	$(MAKE) -C fuzz run

# the end-to-end suite against a gateway built with AddressSanitizer + UBSan (part of make test)
asan: deps
	@TODO_SUITES=e2e test/run.sh

# the end-to-end suite against the gateway under valgrind: no definite leaks
valgrind:
	@scripts/deps.sh valgrind
	@TODO_SUITES=e2e TODO_GATEWAY_WRAPPER=valgrind test/run.sh

clean:
	$(MAKE) -C extension clean
	$(MAKE) -C gateway clean
	$(MAKE) -C todoctl clean
	$(MAKE) -C fuzz clean
	if [ -L tmp_check ]; then rm -rf "$$(readlink tmp_check)"; fi
	rm -rf tmp_check
