#!/bin/sh
# Browser end-to-end test of the staff console: Debian's chromium driven by
# playwright-core (npm).  Installs what is missing itself: the chromium
# package with apt-get (as root), playwright-core from the committed
# package-lock.json into tests/browser/node_modules.  Prints
# "N passed, N failed" as its last line (console.test.js, media.test.js
# and review.test.js added up).
set -u
cd "$(dirname "$0")"

fail() {
	echo "browser: $*"
	echo "0 passed, 1 failed"
	exit 1
}

if [ ! -x /usr/bin/chromium ]; then
	[ "$(id -u)" -eq 0 ] ||
	    fail "chromium missing: sudo apt-get install -y chromium"
	echo "browser: installing chromium"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >/dev/null 2>&1 || true
	apt-get install -y -qq chromium >/dev/null 2>&1 ||
	    fail "apt-get install chromium failed"
fi
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
	[ "$(id -u)" -eq 0 ] ||
	    fail "node missing: sudo apt-get install -y nodejs npm"
	echo "browser: installing nodejs and npm"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >/dev/null 2>&1 || true
	apt-get install -y -qq nodejs npm >/dev/null 2>&1 ||
	    fail "apt-get install nodejs npm failed"
fi
if [ ! -f node_modules/playwright-core/package.json ]; then
	echo "browser: installing playwright-core"
	npm ci --no-audit --no-fund --loglevel=error >/dev/null 2>&1 ||
	    fail "npm ci failed"
fi
LOKET_BIN=${LOKET_BIN:-build/loket}
case "$LOKET_BIN" in
/*) ;;
*) LOKET_BIN="$(cd ../.. && pwd)/$LOKET_BIN" ;;
esac
export LOKET_BIN
# Each test file prints "N passed, N failed" last; the sum is ours.
pass=0 fails=0
for t in console.test.js media.test.js review.test.js; do
	out=$(mktemp)
	node "$t" >"$out" 2>&1
	cat "$out"
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$out" | tail -n 1)
	rm -f "$out"
	[ -n "$line" ] || line="0 passed, 1 failed"
	pass=$((pass + $(echo "$line" | cut -d' ' -f1)))
	fails=$((fails + $(echo "$line" | cut -d' ' -f3)))
done
echo "$pass passed, $fails failed"
[ "$fails" -eq 0 ]
