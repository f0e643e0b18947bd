#!/bin/sh
# Scripted conversations: drives `loket chat` through a pipe per script
# and checks the replies.  Prints "N passed, N failed" (one per script).
#
# Script format (tests/conversations/*.txt), one item per line:
#   # comment
#   @agency vmsw          agency (default vmsw)
#   @channel messenger    channel (default whatsapp)
#   @at 2026-12-01T10:00  simulated Brussels start time (default: a
#                         Tuesday 10:00, inside office hours)
#   > text                what the citizen types ("> 2" presses button 2)
#   /wait 25h  /image     chat commands, sent as they are
#   /restart              ends this `loket chat` run and starts a new one
#                         on the same database (a server restart)
#   < text                a reply to the last input contains text
#   <none                 the last input got no reply at all
#   outcome: NAME         the outcome at the end ("open" if none)
#   case: TEXT            a case reference containing TEXT was made
#   nocase                no case was made
#
# Usage: tests/conversations/run.sh [SCRIPT...]   (default: all scripts)
# With LOKET_TEST_PG (a libpq connection string without dbname) each
# script runs on a new PostgreSQL database instead of a SQLite file.
set -u
cd "$(dirname "$0")/../.."
BIN=${LOKET_BIN:-build/loket}
CONF=${LOKET_CHAT_CONFIG:-deploy/loket.conf}
DIR=tests/conversations
pass=0
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Runs one script in work directory w (its database, input, transcript,
# errors); prints why when it fails.
run_one() {
	script=$1
	w=$2
	agency=$(sed -n 's/^@agency  *//p' "$script" | head -n 1)
	channel=$(sed -n 's/^@channel  *//p' "$script" | head -n 1)
	at=$(sed -n 's/^@at  *//p' "$script" | head -n 1)
	: "${agency:=vmsw}" "${channel:=whatsapp}" "${at:=2026-12-01T10:00}"
	db=$w/db
	if [ -n "${LOKET_TEST_PG:-}" ]; then	# a new database per script
		name=conv_$$_$(basename "$w")
		psql -q -X "$LOKET_TEST_PG dbname=postgres" -c \
		    "DROP DATABASE IF EXISTS $name WITH (FORCE)" -c \
		    "CREATE DATABASE $name" >/dev/null 2>&1
		db="$LOKET_TEST_PG dbname=$name"
	fi
	: >"$w/out"
	: >"$w/in"
	: >"$w/err"
	# Split the inputs at /restart; one chat run per part.
	while IFS= read -r line || [ -n "$line" ]; do
		case $line in
		"> "*) printf '%s\n' "${line#> }" >>"$w/in" ;;
		/restart)
			"$BIN" chat --config "$CONF" --agency "$agency" \
			    --channel "$channel" --db "$db" --at "$at" \
			    <"$w/in" >>"$w/out" 2>>"$w/err"
			: >"$w/in" ;;
		/*) printf '%s\n' "$line" >>"$w/in" ;;
		esac
	done <"$script"
	"$BIN" chat --config "$CONF" --agency "$agency" --channel "$channel" \
	    --db "$db" --at "$at" <"$w/in" >>"$w/out" 2>>"$w/err"
	awk -v script="$script" '
	FNR == NR { t[++n] = $0; next }
	function block_has(s,    i) {
		for (i = start; i <= n && t[i] !~ /^(> |outcome: )/; i++)
			if (substr(t[i], 1, 2) == "< " && index(t[i], s))
				return 1
		return 0
	}
	function block_empty(    i) {
		for (i = start; i <= n && t[i] !~ /^(> |outcome: )/; i++)
			if (substr(t[i], 1, 2) == "< ")
				return 0
		return 1
	}
	function bad(msg) {
		printf "FAIL %s:%d: %s\n", script, FNR, msg
		failed = 1
	}
	/^> / || /^\/(wait|image)/ {
		want = /^> / ? $0 : "> " $0
		for (p = pos + 1; p <= n && t[p] != want; p++)
			;
		if (p > n) { bad("input not echoed: " want); exit }
		pos = p; start = p + 1; next
	}
	/^< / {
		s = substr($0, 3)
		if (!block_has(s)) bad("no reply containing \"" s "\" after \"" t[pos] "\"")
		next
	}
	/^<none/ { if (!block_empty()) bad("a reply after \"" t[pos] "\""); next }
	/^outcome: / {
		last = ""
		for (i = 1; i <= n; i++) if (t[i] ~ /^outcome: /) last = t[i]
		if (last != $0) bad("got \"" last "\", want \"" $0 "\"")
		next
	}
	/^case: / {
		s = substr($0, 7); found = 0
		for (i = 1; i <= n; i++) if (t[i] ~ /^case: / && index(t[i], s)) found = 1
		if (!found) bad("no case containing " s)
		next
	}
	/^nocase/ {
		for (i = 1; i <= n; i++) if (t[i] ~ /^case: /) bad("a case was made")
		next
	}
	END { exit failed }
	' "$w/out" "$script"
	rc=$?
	if [ -n "${LOKET_TEST_PG:-}" ]; then
		psql -q -X "$LOKET_TEST_PG dbname=postgres" -c \
		    "DROP DATABASE IF EXISTS $name WITH (FORCE)" >/dev/null 2>&1
	fi
	return $rc
}

# Runs script $2 in work directory $tmp/$1: its report in report, its
# exit status in status.
run_in() {
	mkdir "$tmp/$1"
	run_one "$2" "$tmp/$1" >"$tmp/$1/report" 2>&1
	echo $? >"$tmp/$1/status"
}

if [ $# -eq 0 ]; then
	set -- "$DIR"/*.txt
fi
# As many scripts at once as there are cores, each on its own database;
# reported in order.
jobs=$(nproc 2>/dev/null || echo 2)
i=0
for s in "$@"; do
	i=$((i + 1))
	run_in $i "$s" &
	[ $((i % jobs)) -eq 0 ] && wait
done
wait
i=0
for s in "$@"; do
	i=$((i + 1))
	w=$tmp/$i
	cat "$w/report"
	if [ "$(cat "$w/status" 2>/dev/null)" = 0 ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "---- transcript of $s"
		sed 's/^/    /' "$w/out"
		[ -s "$w/err" ] && sed 's/^/    err: /' "$w/err"
	fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
