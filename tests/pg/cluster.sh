#!/bin/sh
# A throwaway PostgreSQL cluster for the tests, with Debian's initdb and
# pg_ctl: `tests/pg/cluster.sh start DIR` creates DIR/data, starts a server that
# listens on a unix socket in DIR only (no TCP) and prints its libpq
# connection string; `tests/pg/cluster.sh stop DIR` stops it and removes DIR.
# `down DIR` stops the server (fast shutdown: sessions are cut, nothing
# committed is lost) and `up DIR` starts it again, for the fault tests.
# initdb refuses to run as root, so as root the cluster belongs to
# `nobody` (DIR is handed to it); the tests connect as role "loket".
# Durability is off (fsync=off): nothing here outlives the run.  With
# LOKET_PG_DURABLE=1 (the benchmark) it is on: fsync and synchronous_commit
# as in production.
set -eu

bin=${LOKET_PG_BIN:-/usr/lib/postgresql/15/bin}
cmd=${1:-}
dir=${2:-}
[ -n "$dir" ] || { echo "usage: $0 start|stop|down|up DIR" >&2; exit 2; }

as_owner() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u nobody -- "$@"
	else
		"$@"
	fi
}

options() {
	opts="-k $dir -c listen_addresses= -c max_connections=200"
	[ "${LOKET_PG_DURABLE:-}" = 1 ] || opts="$opts -c fsync=off \
	    -c synchronous_commit=off -c full_page_writes=off"
	echo "$opts"
}

case $cmd in
start)
	[ -x "$bin/initdb" ] || {
		echo "cluster.sh: $bin/initdb missing (deploy/install-deps.sh" \
		    "installs postgresql)" >&2
		exit 1
	}
	mkdir -p "$dir"
	[ "$(id -u)" -eq 0 ] && chown nobody "$dir"
	chmod 0700 "$dir"
	as_owner "$bin/initdb" -D "$dir/data" -U loket -A trust \
	    --no-sync -E UTF8 --locale=C >"$dir/initdb.log" 2>&1 || {
		cat "$dir/initdb.log" >&2
		exit 1
	}
	as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
	    -t 30 -o "$(options)" start >/dev/null || {
		cat "$dir/server.log" >&2
		exit 1
	}
	echo "host=$dir port=5432 user=loket"
	;;
down)
	as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 30 stop >/dev/null
	;;
up)
	as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
	    -t 30 -o "$(options)" start >/dev/null
	;;
stop)
	if [ -f "$dir/data/postmaster.pid" ]; then
		as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop \
		    >/dev/null 2>&1 || true
	fi
	rm -rf "$dir"
	;;
*)
	echo "usage: $0 start|stop|down|up DIR" >&2
	exit 2
	;;
esac
