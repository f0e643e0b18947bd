#!/bin/sh
# Webhook benchmark, loaded the way Meta loads it: signed WhatsApp webhooks
# with today's timestamps, thousands of distinct citizens, real Dutch
# messages that start conversations, and the replies sent to a Graph API
# stand-in (tests/bench/loadgen.c plays both sides in one epoll loop).
# One run measures:
#   - the ceiling of the HTTP stack (--ack-only), keep-alive and one
#     request per connection;
#   - durable intake (every 200 committed), keep-alive and one request per
#     connection, at saturation, with the time from each webhook's 200 to
#     its reply reaching the Graph stand-in;
#   - that reply time at 200 messages/s, alone and while other connections
#     flood the intake with delivery statuses;
#   - the npm bot whatsapp-api-js (PEER_DIR, default ../shared/bench/
#     peer-wa-api-js) on the same load, if Node.js is installed;
#   - the CPU time per request of each thread (cpu_us_*), and what the
#     machine's cores allow at that cost.
# Figures, not a test: the keep-alive figures (and the npm bot) are the
# median of ROUNDS runs (default 3, each printed); look at the spread.
# Usage: [ROUNDS=N] tests/bench/webhook.sh [--pg [ROUNDS]] [SECONDS]
#            [CONNECTIONS] [CITIZENS]
# --pg: durable intake (keep-alive, replies to the stand-in) on SQLite, on
# one instance on PostgreSQL and on two instances sharing it (the load
# split over both), ROUNDS times each (default 3, printing each round and
# the median), on a throwaway PostgreSQL cluster with fsync and
# synchronous_commit on (tests/pg/cluster.sh, LOKET_PG_DURABLE=1).
set -eu
cd "$(dirname "$0")/../.."
PG_ROUNDS=""
if [ "${1:-}" = --pg ]; then
	shift
	PG_ROUNDS=3
	case ${1:-} in [0-9]*) if [ -n "${2:-}" ]; then PG_ROUNDS=$1; shift; fi ;; esac
fi
SECS=${1:-10}
CONNS=${2:-64}
CITIZENS=${3:-5000}
BIN=${LOKET_BIN:-build/loket}
PEER_DIR=${PEER_DIR:-../shared/bench/peer-wa-api-js}
PEER_SECRET=bench-app-secret-0123456789abcdef
tmp=$(mktemp -d)
pids=""
pgdir=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null || true; done
	rm -rf "$tmp"
	[ -z "$pgdir" ] || tests/pg/cluster.sh stop "$pgdir"
}
trap cleanup EXIT INT TERM

cc -O2 -o "$tmp/loadgen" tests/bench/loadgen.c -lcrypto
free_port() {
	python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'
}
port=$(free_port)
gport=$(free_port)

# The example config with the Graph API on the stand-in, and the sending
# number allowed 1000 messages/s (Meta's top tier): the default 80/s would
# make the rate limit, not Loket, the figure at saturation.
sed -e "s|^graph_url = .*|graph_url = http://127.0.0.1:$gport|" \
    -e '/^whatsapp_phone_number_id = 106540352242922/a rate_limit = 1000' \
    deploy/loket.conf >"$tmp/bench.conf"

wait_http() {
	i=0
	until curl -s -o /dev/null "http://127.0.0.1:$1/${2:-}"; do
		i=$((i + 1)); [ $i -gt 200 ] && { cat "$tmp/server.log"; exit 1; }
		sleep 0.05
	done
}

# The log level of production (info: a line per webhook, 28 MB in a
# 10-second durable run), written to a file as a service manager would.
start_loket() {
	rm -f "$tmp/bench.db"*
	LOKET_PORT=$port LOKET_DB="${DB:-$tmp/bench.db}" LOKET_APP_SECRET=bench \
	LOKET_ACCESS_TOKEN=bench-token LOKET_LOG_LEVEL=info \
	    "$BIN" serve --config "$tmp/bench.conf" "$@" 2>"$tmp/server.log" &
	lpid=$!
	pids="$pids $lpid"
	wait_http "$port" healthz
}

stop_loket() {
	kill "$lpid"; wait "$lpid" 2>/dev/null || true
}

# -P: the CPU time each of Loket's threads and the load generator spend
# per request (cpu_us_*), read over the measured seconds.
load() {
	"$tmp/loadgen" -p "$port" -s bench -u "$CITIZENS" -P "$lpid" "$@"
}

field() { echo "$1" | sed -n "s/.*[ ^]$2=\([0-9.]*\).*/\1/p"; }
ratio() { awk "BEGIN{ if ($2 > 0) printf \"%.2f\", $1/$2; else print \"-\" }"; }

# --pg: SQLite, one instance and two instances on PostgreSQL, same load.
# The median of lines sorted by their first number (the whole line).
median() { sort -n | awk '{ v[NR] = $0 } END { print v[int((NR + 1) / 2)] }'; }
if [ -n "$PG_ROUNDS" ]; then
	pgdir=$(mktemp -d /tmp/loket-bench-pg.XXXXXX)
	pg=$(LOKET_PG_DURABLE=1 tests/pg/cluster.sh start "$pgdir")
	fresh_db() {
		psql -qXAt "$pg dbname=postgres" \
		    -c "DROP DATABASE IF EXISTS bench WITH (FORCE)" \
		    -c "CREATE DATABASE bench" >/dev/null 2>&1
	}
	echo "Loket durable intake, keep-alive, ${SECS}s per figure," \
	    "$CONNS connections, $PG_ROUNDS rounds"
	for kind in sqlite pg1 pg2; do
		: >"$tmp/rps"; : >"$tmp/p99"
		r=0
		while [ $r -lt "$PG_ROUNDS" ]; do
			r=$((r + 1))
			DB=""
			[ $kind = sqlite ] || { fresh_db; DB="$pg dbname=bench"; }
			start_loket
			if [ $kind = pg2 ]; then
				port1=$port; lpid1=$lpid
				port=$(free_port)
				start_loket
				# One load generator plays the Graph stand-in
				# for both instances' replies.
				"$tmp/loadgen" -p "$port" -s bench -u 100000 \
				    -c $((CONNS / 2)) -d "$SECS" -k -g "$gport" \
				    >"$tmp/out2" &
				g2=$!
				"$tmp/loadgen" -p "$port1" -s bench -u 100000 \
				    -c $((CONNS / 2)) -d "$SECS" -k >"$tmp/out1" &
				g1=$!
				wait "$g1" "$g2"
				out1=$(cat "$tmp/out1"); out2=$(cat "$tmp/out2")
				rps=$(awk "BEGIN{print $(field "$out1" rps) + \
				    $(field "$out2" rps)}")
				p99=$(awk "BEGIN{a=$(field "$out1" p99_ms); \
				    b=$(field "$out2" p99_ms); print (a > b ? a : b)}")
				echo "  $kind round $r: rps=$rps p99_ms=$p99" \
				    "(a: $out1) (b: $out2)"
				stop_loket
				kill "$lpid1"; wait "$lpid1" 2>/dev/null || true
				port=$port1
			else
				out=$(load -c "$CONNS" -d "$SECS" -k -g "$gport" \
				    -u 100000)
				rps=$(field "$out" rps); p99=$(field "$out" p99_ms)
				echo "  $kind round $r: $out"
				stop_loket
			fi
			echo "$rps" >>"$tmp/rps"; echo "$p99" >>"$tmp/p99"
		done
		echo "$kind: durable rps median $(median <"$tmp/rps")" \
		    "(min $(sort -n "$tmp/rps" | head -1)," \
		    "max $(sort -n "$tmp/rps" | tail -1))," \
		    "p99_ms median $(median <"$tmp/p99")" \
		    "(min $(sort -n "$tmp/p99" | head -1)," \
		    "max $(sort -n "$tmp/p99" | tail -1))"
	done
	exit 0
fi

# The keep-alive figures decide the ratios and vary most from run to run
# (which threads share a core): ROUNDS runs each, every run printed and
# the median run used.
ROUNDS=${ROUNDS:-3}
median_of_rounds() {
	label=$1; shift
	: >"$tmp/runs"
	r=0
	while [ $r -lt "$ROUNDS" ]; do
		r=$((r + 1))
		out=$("$@")
		echo "  $label round $r: $out" >&2
		echo "$(field "$out" rps) $out" >>"$tmp/runs"
	done
	median <"$tmp/runs" | cut -d' ' -f2-
}
# One keep-alive load on a fresh server started with "$@".
loket_keepalive() {
	start_loket "$@"
	load -c "$CONNS" -d "$SECS" -k $LOAD_OPTS
	stop_loket
}

echo "Loket, ${SECS}s per figure, $CONNS connections, $CITIZENS citizens," \
    "keep-alive figures the median of $ROUNDS runs"
ck=$(LOAD_OPTS="" median_of_rounds "ceiling, keep-alive" \
    loket_keepalive --ack-only)
echo "ceiling, keep-alive:            $ck"
start_loket --ack-only
cc1=$(load -c "$CONNS" -d "$SECS")
echo "ceiling, request/connection:    $cc1"
stop_loket

dk=$(LOAD_OPTS="-g $gport -u 100000" median_of_rounds \
    "durable, keep-alive" loket_keepalive)
echo "durable, keep-alive:            $dk"
start_loket
dc=$(load -c "$CONNS" -d "$SECS" -g "$gport" -u 100000)
echo "durable, request/connection:    $dc"
stop_loket

start_loket
r200=$(load -c 8 -d "$SECS" -k -r 200 -g "$gport")
echo "200 msg/s:                      $r200"
stop_loket
start_loket
r200f=$(load -c 8 -d "$SECS" -k -r 200 -f "$CONNS" -g "$gport")
echo "200 msg/s + status flood:       $r200f"
rows=$(sqlite3 "$tmp/bench.db" "SELECT count(*) FROM inbound" 2>/dev/null ||
    echo "?")
stop_loket
echo "  (inbound rows after the last run: $rows)"

echo "ratio durable/ceiling (keep-alive):   $(ratio "$(field "$dk" rps)" \
    "$(field "$ck" rps)")"
# What the machine allows: the CPU time one request costs, all threads of
# Loket and the load generator together (they share the cores), against
# the cores there are.  The ratio of the two bounds is about the most the
# durable/ceiling ratio can be on this machine at today's cost per request
# (a little more: a thread that waits costs a wake-up, less at full use).
cores=$(nproc)
cpu_ck=$(field "$ck" cpu_us_total); cpu_dk=$(field "$dk" cpu_us_total)
if [ -n "$cpu_ck" ] && [ -n "$cpu_dk" ]; then
	bound() { awk "BEGIN{ printf \"%.0f\", $cores * 1e6 / $1 }"; }
	echo "CPU per request, all threads (us):   ceiling $cpu_ck," \
	    "durable $cpu_dk; at full use of $cores cores: ceiling" \
	    "$(bound "$cpu_ck")/s, durable $(bound "$cpu_dk")/s," \
	    "bound on the ratio $(ratio "$cpu_ck" "$cpu_dk")"
	echo "share of that bound reached:          ceiling $(ratio \
	    "$(field "$ck" rps)" "$(bound "$cpu_ck")"), durable $(ratio \
	    "$(field "$dk" rps)" "$(bound "$cpu_dk")")"
fi
echo "ratio durable/ceiling (per request):  $(ratio "$(field "$dc" rps)" \
    "$(field "$cc1" rps)")"

# The npm bot: keep-alive, one SQLite commit per message, the reply
# awaited before its 200.  Installed once in a cache, never in the tree.
if ! command -v node >/dev/null 2>&1; then
	echo "npm bot: not measured (node is not installed)"
	exit 0
fi
if [ ! -f "$PEER_DIR/wa-api-js-bot.mjs" ]; then
	echo "npm bot: not measured ($PEER_DIR not found)"
	exit 0
fi
cache=${XDG_CACHE_HOME:-$HOME/.cache}/loket-bench/peer-wa-api-js
if [ ! -d "$cache/node_modules" ]; then
	mkdir -p "$cache"
	cp "$PEER_DIR"/*.js "$PEER_DIR"/*.mjs "$PEER_DIR"/package*.json "$cache/"
	(cd "$cache" && npm install --no-audit --no-fund --ignore-scripts \
	    >/dev/null 2>&1 && npm rebuild better-sqlite3 \
	    --ignore-scripts=false >/dev/null 2>&1) ||
	    { echo "npm bot: not measured (npm install failed)"; exit 0; }
fi
cp "$PEER_DIR"/*.js "$PEER_DIR"/*.mjs "$cache/"
mport=$(free_port)
MOCK_PORT=$mport MOCK_TLS_PORT=0 node "$cache/mock-graph.js" \
    2>"$tmp/mock.log" &
pids="$pids $!"
PORT=$port APP_SECRET=$PEER_SECRET DB_PATH="$tmp/peer.sqlite" \
GRAPH_URL=http://127.0.0.1:$mport node "$cache/wa-api-js-bot.mjs" \
    2>"$tmp/peer.log" &
ppid=$!
pids="$pids $ppid"
wait_http "$port"
npm=$(median_of_rounds "npm bot" "$tmp/loadgen" -p "$port" \
    -s "$PEER_SECRET" -u "$CITIZENS" -c "$CONNS" -d "$SECS" -k -P "$ppid")
echo "npm bot, keep-alive (reply before 200): $npm"
echo "ratio Loket durable keep-alive / npm bot: $(ratio \
    "$(field "$dk" rps)" "$(field "$npm" rps)")"
