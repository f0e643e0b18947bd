#!/bin/sh
# Fault tests (issue 14): the real server against a misbehaving Graph API
# (tests/mock_graph.py on 127.0.0.1) and a misbehaving database.  Short
# form by default, for `make test`; FAULTS_LONG=1 adds the cases that wait
# out real timeouts.  Ends with the summed "N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
pass=0
fail=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for t in tests/faults/test_*.py; do
	echo "== $t"
	python3 "$t" >"$log" 2>&1
	status=$?
	cat "$log"
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
	if [ -z "$line" ]; then
		echo "!! $t: no result line (exit $status)"
		fail=$((fail + 1))
		continue
	fi
	pass=$((pass + $(echo "$line" | cut -d' ' -f1)))
	fail=$((fail + $(echo "$line" | cut -d' ' -f3)))
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
