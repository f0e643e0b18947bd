#!/bin/sh
# Runs every test twice: with the normal build (build/) and with
# AddressSanitizer + UndefinedBehaviorSanitizer (build-san/).  Each suite
# prints "N passed, N failed"; this script adds them up and ends with the
# total on one line.  Exit status 0 only if nothing failed.
# A throwaway PostgreSQL cluster (tests/pg/cluster.sh) runs meanwhile: the
# store, conversation, outbox, intake, report and staff suites, the
# integration suites about the database (PG_SUITES below), the scripted
# conversations and what two instances share (tests/pg/shared.py) run
# against it too, the two-instance fault test (tests/pg/two_instances.py)
# and the outage test (tests/pg/outage.py, which stops and starts the
# cluster).  It is removed at the end, whatever failed.
set -u
cd "$(dirname "$0")/.."

total_pass=0
total_fail=0
log=$(mktemp)
pgdir=$(mktemp -d /tmp/loket-pg.XXXXXX)
cleanup() {
	rm -f "$log"
	tests/pg/cluster.sh stop "$pgdir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Runs one suite, echoes its output, adds its last "N passed, N failed".
suite() {
	name=$1; shift
	echo "== $name"
	t0=$(date +%s)
	"$@" >"$log" 2>&1
	status=$?
	cat "$log"
	echo "   ($(($(date +%s) - t0)) s)"
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
	if [ -z "$line" ]; then
		echo "!! $name: no result line (exit $status)"
		total_fail=$((total_fail + 1))
		return
	fi
	p=$(echo "$line" | cut -d' ' -f1)
	f=$(echo "$line" | cut -d' ' -f3)
	if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "!! $name: exit status $status"
		f=1
	fi
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
}

run_all() {
	build=$1
	for t in "$build"/tests/test_*; do
		[ -x "$t" ] || continue
		suite "$t" "$t"
	done
	for t in tests/integration/test_*.py tests/faults/test_*.py; do
		[ -f "$t" ] || continue
		suite "$t ($build)" env LOKET_BIN="$build/loket" python3 "$t"
	done
	for t in tests/*.sh; do
		[ -x "$t" ] || continue
		[ "$(basename "$t")" = run.sh ] && continue
		suite "$t ($build)" env LOKET_BIN="$build/loket" "$t"
	done
	suite "tests/conversations/natural ($build)" env LOKET_BIN="$build/loket" \
	    python3 tests/conversations/natural/run.py
	run_pg "$build"
	for t in tests/*/run.sh; do
		[ -x "$t" ] || continue
		case "$t" in tests/browser/*) continue ;; esac
		suite "$t ($build)" env LOKET_BIN="$build/loket" "$t"
	done
}

# The integration suites about the database's behaviour, again on
# PostgreSQL (loketlib gives each server a fresh database there).  These
# stay on SQLite only:
#   integration/test_diskfull.py  the SQLite file and its WAL on a full
#       file system (PostgreSQL's disk is its server's business);
#   integration/test_lock_loop.py, faults/test_database.py  a lock
#       another process holds on the SQLite file, a read-only file; on
#       PostgreSQL the like are the citizen's lock held by another
#       session (pg/shared.py) and the server going away
#       (pg/two_instances.py);
#   integration/test_transport.py  slow clients, the connection cap and
#       EMFILE: the transport, before any database is involved.
PG_SUITES="integration/test_intake integration/test_outbox
    integration/test_e2e integration/test_console integration/test_console_inbox
    integration/test_review integration/test_console_review
    integration/test_report integration/test_crash integration/test_reload
    integration/test_media integration/test_hostile integration/test_keepalive
    integration/test_login_loop faults/test_graph"

# The suites that use the database, again on PostgreSQL.
run_pg() {
	build=$1
	if [ -z "$pg" ]; then
		echo "!! postgresql: no cluster, suites on PostgreSQL not run"
		total_fail=$((total_fail + 1))
		return
	fi
	for t in store conv outbox intake report staff; do
		suite "$build/tests/test_$t (postgresql)" \
		    env LOKET_TEST_PG="$pg" "$build/tests/test_$t"
	done
	for t in $PG_SUITES; do
		suite "tests/$t.py ($build, postgresql)" \
		    env LOKET_BIN="$build/loket" LOKET_TEST_PG="$pg" \
		    python3 "tests/$t.py"
	done
	suite "tests/conversations/run.sh ($build, postgresql)" \
	    env LOKET_BIN="$build/loket" LOKET_TEST_PG="$pg" \
	    tests/conversations/run.sh
	suite "tests/pg/shared.py ($build)" env LOKET_BIN="$build/loket" \
	    LOKET_TEST_PG="$pg" python3 tests/pg/shared.py
	# Two servers on one PostgreSQL, killed in turn under load: 60 s as
	# issue 12 asks with the normal build, 20 s under the sanitizers
	# (three times slower, and the 60 s run has shown the same paths).
	secs=60
	[ "$build" = build ] || secs=20
	suite "tests/pg/two_instances.py ($build, ${secs} s)" \
	    env LOKET_BIN="$build/loket" LOKET_TEST_PG="$pg" \
	    LOKET_TWO_SECONDS=$secs python3 tests/pg/two_instances.py
	# PostgreSQL stopped for 10 s under load, then started again.
	suite "tests/pg/outage.py ($build)" \
	    env LOKET_BIN="$build/loket" LOKET_TEST_PG="$pg" \
	    python3 tests/pg/outage.py
}

echo "== starting a PostgreSQL cluster"
pg=$(tests/pg/cluster.sh start "$pgdir") || pg=""

echo "== building"
make -s -j2 unit || { echo "0 passed, 1 failed"; exit 1; }
run_all build

echo "== building with ASan + UBSan"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
make -s -j2 BUILD=build-san SAN=1 unit ||
    { echo "$total_pass passed, $((total_fail + 1)) failed"; exit 1; }
run_all build-san

# The browser test needs Chromium; it runs once, against the normal build.
if [ -x tests/browser/run.sh ]; then
	suite "tests/browser" env LOKET_BIN=build/loket tests/browser/run.sh
fi

echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
