#!/bin/sh
# Runs each fuzz target (build-fuzz/fuzz_NAME, from `make fuzz`) for
# SECONDS, starting from the kept corpus tests/fuzz/corpus/NAME; new
# inputs go to build-fuzz/corpus/NAME, crashes to tests/fuzz/crashes/NAME/.
# Prints executions and crashes per target.
# usage: tests/fuzz/fuzz.sh SECONDS NAME...
set -u
cd "$(dirname "$0")/../.."
secs=$1; shift
status=0
for t in "$@"; do
	mkdir -p "build-fuzz/corpus/$t" "tests/fuzz/crashes/$t"
	dict=""
	[ -f "tests/fuzz/$t.dict" ] && dict="-dict=tests/fuzz/$t.dict"
	log="build-fuzz/fuzz_$t.log"
	kept=$(find "tests/fuzz/crashes/$t" -type f | wc -l)
	# shellcheck disable=SC2086
	"build-fuzz/fuzz_$t" -max_total_time="$secs" -print_final_stats=1 \
	    -timeout=10 -rss_limit_mb=2048 -max_len=65536 $dict \
	    -artifact_prefix="tests/fuzz/crashes/$t/" \
	    "build-fuzz/corpus/$t" "tests/fuzz/corpus/$t" >"$log" 2>&1
	rc=$?
	execs=$(grep 'stat::number_of_executed_units' "$log" | awk '{print $2}')
	crashes=$(find "tests/fuzz/crashes/$t" -type f | wc -l)
	echo "fuzz $t: ${execs:-?} executions in ${secs} s, exit $rc," \
	    "$((crashes - kept)) new crash inputs, $crashes kept (log $log)"
	[ "$rc" -eq 0 ] || status=1
done
exit $status
