#!/bin/sh
# Every EXAMPLES command of every man page runs, and where the page shows
# its output, the output must be exactly that.
#
# The convention (see slowburn(7), NOTES): inside .Bd -literal ... .Ed in
# the EXAMPLES section, a line starting with "$ " is a command (a trailing
# backslash continues it); the lines after it, up to the next command or
# .Ed, are its expected standard output.  The commands of one page run in
# order in one fresh directory, so a later example may read a file that an
# earlier one wrote.
. "$(dirname "$0")/lib.sh"

extract() {	# extract PAGE DIR: DIR/N.cmd and DIR/N.out for each example
	awk -v dir="$2" '
	function unroff(s) {
		gsub(/\\&/, "", s); gsub(/\\\(aq/, "\047", s)
		gsub(/\\\(dq/, "\"", s); gsub(/\\-/, "-", s)
		gsub(/\\e/, "\\", s)
		return s
	}
	/^\.Sh / { inex = ($2 == "EXAMPLES"); next }
	inex && /^\.Bd -literal/ { lit = 1; next }
	inex && /^\.Ed/ { lit = 0; cont = 0; next }
	!lit { next }
	{
		line = unroff($0)
		if (cont) {
			cmd = cmd "\n" line
		} else if (substr(line, 1, 2) == "$ ") {
			n++
			cmd = substr(line, 3)
			printf "" > (dir "/" n ".out")
		} else if (n > 0) {
			print line >> (dir "/" n ".out")
			next
		} else {
			next
		}
		cont = (cmd ~ /\\$/)
		if (!cont) {
			printf "%s\n", cmd > (dir "/" n ".cmd")
			close(dir "/" n ".cmd")
		}
	}' "$1"
}

for page in "$TOP"/man/*.[1-8]; do
	name=${page##*/}
	ex=$T/ex.$name
	work=$T/work.$name
	mkdir -p "$ex" "$work"
	extract "$page" "$ex"
	n=1
	while [ -f "$ex/$n.cmd" ]; do
		cmd=$(head -n 1 "$ex/$n.cmd")
		RC=0
		(cd "$work" && sh -c "set -e; $(cat "$ex/$n.cmd")") \
		    >"$OUT" 2>"$ERR" </dev/null || RC=$?
		is_rc 0 "$name example $n exits 0: $cmd"
		if [ -s "$ex/$n.out" ]; then
			same "$OUT" "$ex/$n.out" "$name example $n output: $cmd"
		fi
		n=$((n + 1))
	done
	if [ "$n" -eq 1 ]; then
		ok 1 "$name has EXAMPLES that this test can run"
	fi
done
done_testing
