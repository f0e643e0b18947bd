#!/bin/sh
# One prefix per module: every name a bot/ object file exports starts
# with its module's prefix (conv_db.o: conv_ or conv_db_), as
# docs/internals.md says.  The dialog's private helpers (dialog_int.h)
# use dlg_.  Reads the objects of the build LOKET_BIN belongs to.
set -u
cd "$(dirname "$0")/.."
obj=$(dirname "${LOKET_BIN:-build/loket}")/obj
pass=0
fail=0
for c in bot/*.c; do
	m=$(basename "$c" .c)
	o=$obj/$m.o
	if [ ! -f "$o" ]; then
		echo "not ok - $o: not built"
		fail=$((fail + 1))
		continue
	fi
	bad=$(nm -g --defined-only "$o" | awk -v m="$m" '
	    NF == 3 && $3 !~ /^__/ {
		base = m; sub(/_.*/, "", base)
		s = $3
		if (index(s, base "_") == 1 || s == m || s == "main" && m == "main")
			next
		if (base == "dialog" && index(s, "dlg_") == 1)
			next
		printf(" %s", s)
	    }')
	if [ -n "$bad" ]; then
		echo "not ok - $m exports names without its prefix:$bad"
		fail=$((fail + 1))
	else
		pass=$((pass + 1))
	fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
