#!/bin/sh
# Every man page reads in an 80-column terminal, with mandoc(1) and with
# man(1) (groff): no line wider than 80 columns, and no table that
# degenerates (a row that does not fit on its line, columns broken one
# word a line).  The literal displays of EXAMPLES are left out of the width
# check: t9000 runs them exactly as written, records and all.
. "$(dirname "$0")/lib.sh"

# man(1) is what a reader types; scripts/deps installs it (man-db, groff).
ENGINES="mandoc man"
command -v man >/dev/null 2>&1 && command -v groff >/dev/null 2>&1
ok $? "man(1) and groff(1) are installed"

render() {	# render ENGINE FILE: the page as text, 80 columns, ASCII
	case $1 in
	mandoc) mandoc -Tascii -Owidth=80 "$2" ;;
	man) MANWIDTH=80 man -l "$2" 2>/dev/null ;;
	esac | col -bx
}

# The page without the literal displays of its EXAMPLES section.
no_examples() {
	awk '/^\.Sh / { ex = ($2 == "EXAMPLES") }
	ex && /^\.Bd -literal/ { skip = 1; next }
	skip && /^\.Ed/ { skip = 0; next }
	!skip' "$1"
}

# Runs of 3 lines or more that hold a single word far to the right: a
# column squeezed to one word a line.
squeezed() {
	awk 'NF == 1 && match($0, /^ */) && RLENGTH >= 20 { run++; if (run >= 3) bad[NR] = 1; next }
	{ run = 0 }
	END { for (n in bad) print n }' "$1" | sort -n
}

pages=0
for m in "$TOP"/man/*.[1-8]; do
	pages=$((pages + 1))
	p=$(basename "$m")
	no_examples "$m" >"$T/$p"
	for e in $ENGINES; do
		render "$e" "$T/$p" >"$T/$p.$e"
		awk 'length > 80 { printf "%d: %s\n", length, substr($0, 1, 100) }' \
		    "$T/$p.$e" >"$T/wide"
		if [ -s "$T/wide" ]; then
			ok 1 "$p ($e): no line wider than 80 columns"
			diag "$(lines "$T/wide") lines, the first:"; head -3 "$T/wide" | diag_stream
		else
			ok 0 "$p ($e): no line wider than 80 columns"
		fi
		squeezed "$T/$p.$e" >"$T/sq"
		if [ -s "$T/sq" ]; then
			ok 1 "$p ($e): no column squeezed to a word a line"
			diag "lines $(xargs <"$T/sq")"
		else
			ok 0 "$p ($e): no column squeezed to a word a line"
		fi
	done

	# Each table on its own: one line per row.
	awk -v dir="$T" -v p="$p" '
	/^\.Bl -column/ { n++; f = dir "/" p ".tab" n
		print ".Dd November 26, 2026\n.Dt T 1\n.Os slowburn\n.Sh BEGIN" > f; t = 1 }
	t { print > f }
	t && /^\.El/ { print ".Sh END" > f; close(f); t = 0 }' "$m"
	for tab in "$T/$p".tab*; do
		[ -e "$tab" ] || continue
		rows=$(grep -c '^\.It' "$tab")
		for e in $ENGINES; do
			got=$(render "$e" "$tab" | sed -n '/^BEGIN/,/^END/p' | grep -c '[^ ]')
			got=$((got - 2))
			is "$got" "$rows" "$p ($e): $(sed -n 5p "$tab" | cut -c 1-40)...: one line per row"
		done
	done
done
n=$(ls "$TOP"/man/*.[1-8] | wc -l | tr -d ' ')
is "$pages" "$n" "all $n man pages checked"

done_testing
