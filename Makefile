# todo: the database extension, the HTTP gateway, and the commands that run and test them.
# `make run` and `make test` are the two commands of README.md; see docs/layout.md.

PG_CONFIG ?= pg_config
export PG_CONFIG

.PHONY: all deps extension gateway install test run bench clean asan valgrind

all: extension gateway

deps:
	@scripts/deps.sh

extension: deps
	$(MAKE) -C extension

gateway: deps
	$(MAKE) -C gateway

install: extension
	$(MAKE) -C extension install

# every test against real servers; ends with one line "N passed, N failed"
test: deps
	@test/run.sh

# the embedded database (when DATABASE_URL is unset) and the gateway on $PORT
run: deps
	@scripts/run.sh

bench: deps
	@bench/run.sh

# the end-to-end suite against a gateway built with AddressSanitizer + UBSan (part of make test)
asan: deps
	@TODO_SUITES=e2e test/run.sh

# the end-to-end suite against the gateway under valgrind: no definite leaks
valgrind: deps
	@TODO_SUITES=e2e TODO_GATEWAY_WRAPPER=valgrind test/run.sh

clean:
	$(MAKE) -C extension clean
	$(MAKE) -C gateway clean
	rm -rf tmp_check
