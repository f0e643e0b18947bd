#!/bin/sh
# tests/bench/classify.sh — speed and quality of Loket's intent engine,
# side by side with a fastText supervised model trained on the same
# phrase files and scored on the same held-out set.  Prints figures; not a
# pass/fail test.  Needs build/loket and the Debian package fasttext.
#
# Scoring rule for both (as `loket intents test`): a topic gold label must
# be predicted as that topic; for every other gold label a predicted topic
# counts as vraag.  Macro-F1 is the mean F1 over the gold labels.
set -eu
cd "$(dirname "$0")/../.."

LOKET=${LOKET_BIN:-${LOKET:-build/loket}}
DIR=${INTENTS:-intents/nl}
TSV=${TSV:-tests/intents/nl.tsv}
ROUNDS=${ROUNDS:-40}	# copies of the test messages for the speed runs

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

now() { date +%s%N; }
ms() { echo "$1 $2" | awk '{ printf "%.1f", ($2 - $1) / 1e6 }'; }

# --- test data -----------------------------------------------------------
grep -v '^#' "$TSV" | grep -v '^[[:space:]]*$' > "$tmp/gold.tsv"
cut -f2- "$tmp/gold.tsv" > "$tmp/msgs.txt"
cut -f1 "$tmp/gold.tsv" > "$tmp/gold.txt"
: > "$tmp/many.txt"
i=0
while [ "$i" -lt "$ROUNDS" ]; do
	cat "$tmp/msgs.txt" >> "$tmp/many.txt"
	i=$((i + 1))
done
n_many=$(wc -l < "$tmp/many.txt")
ls "$DIR"/onderwerpen/*.txt 2>/dev/null | sed 's|.*/||; s|\.txt$||' \
	> "$tmp/topics.txt" || true

# score GOLD PRED: accuracy and macro-F1 with the topic rule above.
score() {
	paste "$1" "$2" | awk -F'\t' -v topics="$tmp/topics.txt" '
	BEGIN { while ((getline t < topics) > 0) topic[t] = 1 }
	{
		g = $1; p = $2
		if (!(g in topic) && (p in topic)) p = "vraag"
		n++; gold[g]++; pred[p]++
		if (g == p) { ok++; tp[g]++ }
	}
	END {
		for (g in gold) {
			pr = pred[g] ? tp[g] / pred[g] : 0
			rc = tp[g] / gold[g]
			f += pr + rc > 0 ? 2 * pr * rc / (pr + rc) : 0
			k++
		}
		printf "accuracy %.3f  macro-F1 %.3f", ok / n, f / k
	}'
}

# --- Loket ---------------------------------------------------------------
t0=$(now)
i=0
while [ "$i" -lt 10 ]; do
	"$LOKET" classify --intents "$DIR" < /dev/null > /dev/null
	i=$((i + 1))
done
t1=$(now)
loket_load=$(echo "$t0 $t1" | awk '{ printf "%.1f", ($2 - $1) / 1e7 }')

"$LOKET" classify --intents "$DIR" < "$tmp/msgs.txt" > "$tmp/loket.json"
sed 's/.*"intent":"\([^"]*\)".*/\1/' "$tmp/loket.json" > "$tmp/li.txt"
sed 's/.*"topic":"\([^"]*\)".*/\1/; t; s/.*//' "$tmp/loket.json" \
	> "$tmp/lt.txt"
paste "$tmp/gold.txt" "$tmp/li.txt" "$tmp/lt.txt" | awk -F'\t' -v \
    topics="$tmp/topics.txt" '
	BEGIN { while ((getline t < topics) > 0) topic[t] = 1 }
	{ print (($1 in topic) && $3 != "") ? $3 : $2 }' > "$tmp/loket.pred"
loket_q=$(score "$tmp/gold.txt" "$tmp/loket.pred")

t0=$(now)
"$LOKET" classify --intents "$DIR" < "$tmp/many.txt" > /dev/null
t1=$(now)
loket_rate=$(echo "$t0 $t1 $n_many $loket_load" | awk '{
	s = ($2 - $1) / 1e9 - $4 / 1e3; printf "%.0f", $3 / s }')

# --- fastText ------------------------------------------------------------
# fastText's own tutorial preprocessing: punctuation split off, lower case.
prep() { sed -e "s/\([.!?,'/()]\)/ \1 /g" | tr '[:upper:]' '[:lower:]'; }

for f in "$DIR"/*.txt "$DIR"/onderwerpen/*.txt; do
	[ -f "$f" ] || continue
	id=$(basename "$f" .txt)
	grep -v '^[[:space:]]*#' "$f" | grep -v '^[[:space:]]*$' | prep |
	    sed "s/^/__label__$id /"
done > "$tmp/train.txt"
prep < "$tmp/msgs.txt" > "$tmp/ft_msgs.txt"
prep < "$tmp/many.txt" > "$tmp/ft_many.txt"

t0=$(now)
fasttext supervised -input "$tmp/train.txt" -output "$tmp/model" \
	-epoch 50 -lr 0.5 -wordNgrams 2 -minn 3 -maxn 5 -dim 50 \
	-verbose 0 -thread 1 -seed 1 > /dev/null 2>&1
t1=$(now)
ft_train=$(ms "$t0" "$t1")

fasttext predict "$tmp/model.bin" "$tmp/ft_msgs.txt" |
	sed 's/^__label__//' > "$tmp/ft.pred"
ft_q=$(score "$tmp/gold.txt" "$tmp/ft.pred")

t0=$(now)
fasttext predict "$tmp/model.bin" - < /dev/null > /dev/null
t1=$(now)
ft_load=$(ms "$t0" "$t1")
t0=$(now)
fasttext predict "$tmp/model.bin" "$tmp/ft_many.txt" > /dev/null
t1=$(now)
ft_rate=$(echo "$t0 $t1 $n_many $ft_load" | awk '{
	s = ($2 - $1) / 1e9 - $4 / 1e3; printf "%.0f", $3 / s }')

# --- report --------------------------------------------------------------
n_test=$(wc -l < "$tmp/gold.txt")
n_train=$(wc -l < "$tmp/train.txt")
echo "phrases: $n_train from $DIR; held-out messages: $n_test from $TSV"
echo "speed: $n_many messages ($ROUNDS copies), one process each"
printf '%-9s %-34s %14s %14s\n' "engine" "quality on $TSV" \
	"load/train ms" "messages/s"
printf '%-9s %-34s %14s %14s\n' "loket" "$loket_q" "$loket_load" \
	"$loket_rate"
printf '%-9s %-34s %14s %14s\n' "fasttext" "$ft_q" \
	"$ft_train+$ft_load" "$ft_rate"
