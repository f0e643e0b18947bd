#!/bin/sh
# Layering check: every bot/ file may include only project headers of its
# own layer or a lower one, per the table in docs/internals.md.  Fails on
# an upward include and on a module the table does not place.
set -u
cd "$(dirname "$0")/.."

awk '
# The layer table: "| N | name | `mod`, `mod*` | ... |"
FNR == NR {
	if ($0 !~ /^\| [0-9]+ \|/)
		next
	split($0, col, "|")
	layer = col[2] + 0
	n = split(col[4], mods, ",")
	for (i = 1; i <= n; i++) {
		m = mods[i]
		gsub(/[ `]/, "", m)
		if (m != "")
			pat[m] = layer
	}
	next
}
function layer_of(mod,    p, best, bl) {
	if (mod in pat)
		return pat[mod]
	best = -1
	for (p in pat)
		if (p ~ /\*$/ && index(mod, substr(p, 1, length(p) - 1)) == 1 &&
		    length(p) > bl) {
			best = pat[p]
			bl = length(p)
		}
	return best
}
function module(path,    m) {
	m = path
	sub(/.*\//, "", m)
	sub(/\.[ch]$/, "", m)
	return m
}
FNR == 1 {
	if (cur != "")
		finish()
	cur = FILENAME
	own = layer_of(module(cur))
	bad = 0
	if (own < 0) {
		printf("not ok - %s: not in the layer table\n", cur)
		bad = 1
	}
}
/^#include "/ {
	h = $2
	gsub(/"/, "", h)
	l = layer_of(module(h))
	if (own >= 0 && l > own) {
		printf("not ok - %s (layer %d) includes %s (layer %d)\n",
		    cur, own, h, l)
		bad = 1
	}
}
function finish() {
	if (bad)
		failed++
	else
		passed++
}
END {
	if (cur != "")
		finish()
	printf("%d passed, %d failed\n", passed, failed)
	exit failed > 0
}
' docs/internals.md bot/*.c bot/*.h
