#!/bin/sh
# Checks the Debian 12 packages Loket needs to build, run and test, and
# installs the missing ones with apt-get when run as root.  Without root it
# prints the exact command to run and fails.  Nothing comes from elsewhere.
# `install-deps.sh fuzz` checks what `make fuzz` needs instead: Debian's
# clang with its libFuzzer runtime.
set -eu

BUILD_PKGS="gcc make pkg-config libwebsockets-dev libjansson-dev libpq-dev \
libcurl4-openssl-dev libstemmer-dev libsqlite3-dev libssl-dev"
TEST_PKGS="python3 curl openssl sqlite3 fasttext postgresql postgresql-client"
if [ "${1:-}" = fuzz ]; then
	TEST_PKGS="clang libclang-rt-14-dev"
fi

# One dpkg-query for all of them: `make test` runs this every time.
# shellcheck disable=SC2086
missing=$(dpkg-query -W -f='${Package} ${Status}\n' $BUILD_PKGS $TEST_PKGS \
    2>/dev/null | awk '$NF == "installed" { ok[$1] = 1 }
	END { n = split(want, w, " "); for (i = 1; i <= n; i++)
		if (!(w[i] in ok)) printf(" %s", w[i]) }' \
    want="$BUILD_PKGS $TEST_PKGS")
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "loket: missing Debian packages:$missing" >&2
	echo "loket: install them with: sudo apt-get install -y$missing" >&2
	exit 1
fi
echo "loket: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq || true
# shellcheck disable=SC2086
apt-get install -y -qq $missing >/dev/null
