#!/bin/sh
# Webhook intake benchmark: 64 connections posting signed ~1 KB WhatsApp
# text messages (each its own message id) at (a) `loket serve`, where
# every 200 is committed to SQLite first, and (b) `loket serve --ack-only`,
# which answers 200 at once: the ceiling of this HTTP stack.  Prints
# requests/s, p50 and p99 latency of both and their ratio.
# Usage: tests/bench/webhook.sh [SECONDS] [CONNECTIONS]
set -eu
cd "$(dirname "$0")/../.."
SECS=${1:-10}
CONNS=${2:-64}
BIN=${LOKET_BIN:-build/loket}
tmp=$(mktemp -d)
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT

cc -O2 -o "$tmp/loadgen" tests/bench/loadgen.c -lcrypto
port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')

run() {
	LOKET_PORT=$port LOKET_DB="$tmp/bench.db" LOKET_APP_SECRET=bench \
	LOKET_GRAPH_URL=log: LOKET_LOG_LEVEL=warn \
	    "$BIN" serve --config deploy/loket.conf "$@" 2>"$tmp/server.log" &
	pid=$!
	i=0
	until curl -sf "http://127.0.0.1:$port/healthz" >/dev/null; do
		i=$((i + 1)); [ $i -gt 100 ] && { cat "$tmp/server.log"; exit 1; }
		sleep 0.05
	done
	"$tmp/loadgen" "$port" bench "$CONNS" "$SECS"
	kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
}

echo "durable (every 200 committed, synchronous=FULL):"
durable=$(run); echo "  $durable"
rows=$(sqlite3 "$tmp/bench.db" "SELECT count(*) FROM inbound")
echo "  rows stored: $rows"
rm -f "$tmp/bench.db"*
echo "ceiling (--ack-only, nothing checked or stored):"
ceiling=$(run --ack-only); echo "  $ceiling"
d=$(echo "$durable" | sed 's/.*rps=\([0-9]*\).*/\1/')
c=$(echo "$ceiling" | sed 's/.*rps=\([0-9]*\).*/\1/')
echo "ratio durable/ceiling: $(awk "BEGIN{printf \"%.2f\", $d/$c}")"
