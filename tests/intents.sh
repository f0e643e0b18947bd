#!/bin/sh
# tests/intents.sh — the phrase files against the engine: `loket
# classify` writes the documented JSON lines (fixture set, invalid UTF-8
# too), `loket intents check` finds no errors, the held-out set keeps its
# macro-F1, and so does cross-validation over the phrase files.  Ends with
# the harness line "N passed, N failed"; exits 1 on any failure.
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
BLIND=${BLIND:-tests/intents/blind.tsv}
MIN_BLIND_F1=${MIN_BLIND_F1:-0.97}
BLIND2=${BLIND2:-tests/intents/blind2.tsv}
MIN_BLIND2_F1=${MIN_BLIND2_F1:-0.95}
BLIND3=${BLIND3:-tests/intents/blind3.tsv}
MIN_BLIND3_F1=${MIN_BLIND3_F1:-0.97}
BLIND4=${BLIND4:-tests/intents/blind4.tsv}
MIN_BLIND4_F1=${MIN_BLIND4_F1:-0.97}
BLIND5=${BLIND5:-tests/intents/blind5.tsv}
MIN_BLIND5_F1=${MIN_BLIND5_F1:-0.95}
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

# classify: one JSON object per input line, fields as documented.
classify_json() {
	printf '%s\n%s\n%b\n' 'ik wil een klacht indienen' \
	    'zijn jullie open op zaterdag?' 'caf\0351 \0377 invalid' |
	    "$LOKET" classify --explain \
	    --intents tests/fixtures/intents/good > "$tmp/json" || return 1
	python3 - "$tmp/json" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
assert len(rows) == 3, rows
for r in rows:
    for k in ("intent", "confidence", "second", "second_confidence",
              "lang", "explain"):
        assert k in r, (k, r)
    assert 0 <= r["confidence"] <= 1 and 0 <= r["second_confidence"] <= 1
assert rows[0]["intent"] == "klacht", rows[0]
assert rows[1]["intent"] == "vraag" and rows[1]["topic"] == "openingsuren"
assert "topic" not in rows[0]
print("3 JSON lines ok")
PY
}

check "classify writes JSON lines" classify_json
check "intents check $DIR" "$LOKET" intents check "$DIR"
check "intents test $TSV (macro-F1 >= $MIN_F1)" \
	"$LOKET" intents test "$TSV" --intents "$DIR" --min-macro-f1 "$MIN_F1"
# The blind sets were written by someone who never saw the phrase files
# or the signals code.  blind.tsv scored 0.947 when it was added, then
# guided the signals (0.98 now); blind2.tsv scored 0.907 on arrival and
# 0.955 after class-level fixes, blind3.tsv 0.944 and blind4.tsv 0.941
# on arrival (each before the fixes it prompted).  blind5.tsv is the
# held-out one: 0.969 when measured once, never tuned on.  Floors are
# raised, never lowered.
check "intents test $BLIND (macro-F1 >= $MIN_BLIND_F1)" \
	"$LOKET" intents test "$BLIND" --intents "$DIR" \
	--min-macro-f1 "$MIN_BLIND_F1"
check "intents test $BLIND2 (macro-F1 >= $MIN_BLIND2_F1)" \
	"$LOKET" intents test "$BLIND2" --intents "$DIR" \
	--min-macro-f1 "$MIN_BLIND2_F1"
check "intents test $BLIND3 (macro-F1 >= $MIN_BLIND3_F1)" \
	"$LOKET" intents test "$BLIND3" --intents "$DIR" \
	--min-macro-f1 "$MIN_BLIND3_F1"
check "intents test $BLIND4 (macro-F1 >= $MIN_BLIND4_F1)" \
	"$LOKET" intents test "$BLIND4" --intents "$DIR" \
	--min-macro-f1 "$MIN_BLIND4_F1"
check "intents test $BLIND5, held out (macro-F1 >= $MIN_BLIND5_F1)" \
	"$LOKET" intents test "$BLIND5" --intents "$DIR" \
	--min-macro-f1 "$MIN_BLIND5_F1"
check "10-fold cross-validation (macro-F1 >= $MIN_CV_F1)" \
	"$LOKET" intents test --intents "$DIR" --cross-validate 10 \
	--min-macro-f1 "$MIN_CV_F1"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
