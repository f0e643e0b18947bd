#!/bin/sh
# tests/intents.sh — the phrase files against the engine: `loket intents
# check` must find no errors, the held-out set must keep its macro-F1, and
# so must cross-validation over the phrase files.  Ends with the harness
# line "N passed, N failed"; exits 1 on any failure.
#
# MIN_F1 is the level reached when the engine was tuned (tests/intents/nl.tsv
# macro-F1 0.975, 10-fold cross-validation 0.941) minus a margin for phrase
# edits; raise it when the phrases get better, never lower it to pass.
set -u
cd "$(dirname "$0")/.." || exit 1

LOKET=${LOKET_BIN:-${LOKET:-build/loket}}
DIR=${INTENTS:-intents/nl}
TSV=${TSV:-tests/intents/nl.tsv}
MIN_F1=${MIN_F1:-0.94}
MIN_CV_F1=${MIN_CV_F1:-0.92}

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
passed=0
failed=0

check() {
	name=$1
	shift
	if "$@" >"$tmp/out" 2>&1; then
		passed=$((passed + 1))
		echo "ok   $name"
	else
		failed=$((failed + 1))
		echo "FAIL $name"
		sed 's/^/     /' "$tmp/out" | tail -40
	fi
	grep -E '^(messages|core|[0-9]+ error)' "$tmp/out" | sed 's/^/     /'
}

check "intents check $DIR" "$LOKET" intents check "$DIR"
check "intents test $TSV (macro-F1 >= $MIN_F1)" \
	"$LOKET" intents test "$TSV" --intents "$DIR" --min-macro-f1 "$MIN_F1"
check "10-fold cross-validation (macro-F1 >= $MIN_CV_F1)" \
	"$LOKET" intents test --intents "$DIR" --cross-validate 10 \
	--min-macro-f1 "$MIN_CV_F1"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
