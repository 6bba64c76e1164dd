#!/usr/bin/env bash
# test/suites/fuzz.sh: the libFuzzer harnesses of fuzz/ (docs/fuzzing.md), built with clang,
# AddressSanitizer and UBSan. For each harness: one assertion that every committed input of
# fuzz/corpus/NAME/ (seeds and regressions) passes, one that FUZZ_CHECK_SECONDS (default 4)
# of fresh inputs mutated from them find no crash, leak, hang or broken property. Prints TAP.
#
#   test/suites/fuzz.sh WORKDIR
set -uo pipefail

. "$(dirname "$0")/lib/suite.bash" "$@"

seconds=${FUZZ_CHECK_SECONDS:-4}
if ! make -s -C fuzz all >"$work/build.log" 2>&1; then
	not_ok "fuzz: the harnesses build (clang -fsanitize=fuzzer,address,undefined)" "$(tail -30 "$work/build.log")"
	tap_plan
	exit 1
fi
ok "fuzz: the harnesses build (clang -fsanitize=fuzzer,address,undefined)"

for name in $(make -s --no-print-directory -C fuzz list); do
	log="$work/$name.replay.log"
	if fuzz/run.sh replay "$name" >"$log" 2>&1; then
		ok "$name: the $(find "fuzz/corpus/$name" -type f | wc -l) inputs of fuzz/corpus/$name pass"
	else
		not_ok "$name: the inputs of fuzz/corpus/$name pass" "$(grep -E -A12 'ERROR|property failed|Running' "$log" | tail -40)"
	fi
	log="$work/$name.fresh.log"
	if fuzz/run.sh fresh "$name" "$seconds" "$work" >"$log" 2>&1; then
		ok "$name: $seconds s of fresh inputs ($(grep -oE '^stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$') runs): no crash"
	else
		not_ok "$name: $seconds s of fresh inputs: no crash (input kept in $work/crashes/$name/)" \
			"$(grep -E -A12 'ERROR|property failed' "$log" | tail -40)"
	fi
done
tap_plan
