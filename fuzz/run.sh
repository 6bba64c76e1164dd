#!/usr/bin/env bash
# fuzz/run.sh - runs one libFuzzer harness of fuzz/build/ (built by fuzz/Makefile).
#
#   fuzz/run.sh replay NAME              every input of fuzz/corpus/NAME/ once (regressions)
#   fuzz/run.sh fresh NAME SECONDS DIR   SECONDS of new inputs mutated from the corpus (and
#                                        the tokens of fuzz/dict/NAME.dict, if any); new
#                                        inputs to DIR/corpus/NAME, a crash to DIR/crashes/NAME/
#   fuzz/run.sh fuzz NAME SECONDS        the same into fuzz/build/ (make fuzz), then one line of
#                                        figures: runs, exec/s, cov (edges), ft (features), corpus
# Exit status: 0 when no input crashed, broke a property, leaked or hung (10 s an input).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
mode=${1:?usage: run.sh replay|fresh|fuzz NAME [SECONDS [DIR]]}
name=${2:?harness name}
bin="$here/build/$name"
seeds="$here/corpus/$name"
[ -x "$bin" ] || { echo "run.sh: $bin is not built (make -C fuzz)" >&2; exit 2; }
[ -d "$seeds" ] || { echo "run.sh: no corpus $seeds" >&2; exit 2; }
opts=(-timeout=10 -rss_limit_mb=2048 -print_final_stats=1)
# a dictionary of boundary values and tokens helps mutations reach them (dict/NAME.dict)
dict=()
[ -f "$here/dict/$name.dict" ] && dict=(-dict="$here/dict/$name.dict")

fresh() { # seconds dir: libFuzzer writes new inputs to the first directory only
	local seconds=$1 dir=$2
	mkdir -p "$dir/corpus/$name" "$dir/crashes/$name"
	timeout $((seconds + 120)) "$bin" "${opts[@]}" "${dict[@]}" -max_total_time="$seconds" \
		-artifact_prefix="$dir/crashes/$name/" "$dir/corpus/$name" "$seeds"
}

case $mode in
replay)
	# each file once, no mutation (libFuzzer runs the files given as arguments)
	timeout 300 "$bin" "${opts[@]}" "$seeds"/*
	;;
fresh)
	fresh "${3:?seconds}" "${4:?work directory}"
	;;
fuzz)
	mkdir -p "$here/build/logs"
	log="$here/build/logs/$name.log"
	rc=0
	fresh "${3:?seconds}" "$here/build" >"$log" 2>&1 || rc=$?
	# "#N DONE cov: C ft: F corp: K/B lim: L exec/s: E rss: R": the last status line
	status=$(grep -E '^#[0-9]+[[:space:]]+(DONE|pulse|NEW|REDUCE|INITED)' "$log" | tail -1)
	printf '%-16s runs %s  exec/s %s  cov %s  ft %s  corpus %s  (log: %s)\n' "$name" \
		"$(sed -E 's/^#([0-9]+).*/\1/' <<<"$status")" \
		"$(grep -oE 'exec/s: [0-9]+' <<<"$status" | cut -d' ' -f2)" \
		"$(grep -oE 'cov: [0-9]+' <<<"$status" | cut -d' ' -f2)" \
		"$(grep -oE 'ft: [0-9]+' <<<"$status" | cut -d' ' -f2)" \
		"$(grep -oE 'corp: [0-9]+' <<<"$status" | cut -d' ' -f2)" "${log#"$here"/}"
	if [ "$rc" != 0 ]; then
		echo "$name: FAILED (exit $rc): crash input in fuzz/build/crashes/$name/" >&2
		grep -E 'ERROR|property failed|SUMMARY' "$log" | head -5 >&2
	fi
	exit "$rc"
	;;
*)
	echo "run.sh: unknown mode $mode" >&2
	exit 2
	;;
esac
