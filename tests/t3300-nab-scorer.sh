#!/bin/sh
# scripts/nab's NAB scorer against NAB's own figures: the detections of
# NAB's "numenta" detector (tests/data/nab-numenta, see its README), scored
# with NAB_ALARMS, give the per-file raw scores NAB published for them
# (NAB_RAW=1 prints them); no detection normalises to 0 and a detection at
# every window's start to 100; probation is sweeper.py's (capped at 750
# rows, a window wholly inside it not counted).  Needs the NAB corpus (NAB,
# default ../shared/data/nab beside the tree).
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
NAB=${NAB:-$TOP/../shared/data/nab}
D=$TOP/tests/data/nab-numenta
[ -f "$NAB/windows.json" ] || { echo "1..0 # SKIP no NAB corpus in $NAB"; exit 0; }

# subset DIR FILE...: a data folder DIR holding only FILEs (symlinks) and
# their windows.
subset() {
	_dir=$1; shift
	for _f in "$@"; do
		mkdir -p "$_dir/$(dirname "$_f")"
		ln -s "$NAB/$_f" "$_dir/$_f"
	done
	printf '%s\n' "$@" | jq -R . | jq -s --slurpfile w "$NAB/windows.json" \
	    '. as $f | $w[0] | with_entries(select(.key as $k | $f | index($k)))' \
	    >"$_dir/windows.json"
}

# Each set of published detections, scored on a subset of its files.
# shellcheck disable=SC2013
for set in $(cut -f1 "$D/published.tsv" | sort -u); do
	files=$(awk -F '\t' -v s="$set" '$1 == s { print $2 }' "$D/published.tsv")
	# shellcheck disable=SC2086
	subset "$T/$set" $files
	run env NAB_RAW=1 NAB_ALARMS="$D/$set" "$TOP/scripts/nab" "$T/$set"
	is_rc 0 "$set: scripts/nab exits 0"
	cp "$OUT" "$T/$set.out"
	awk -F '\t' -v s="$set" '$1 == s' "$D/published.tsv" >"$T/$set.want"
	while IFS='	' read -r _ f want src; do
		# Both levels score the same given detections.
		got=$(awk -F '\t' -v f="$f" '($1 == "detector" || $1 == "alert") && $2 == f { print $3 }' "$T/$set.out" | tr '\n' ' ')
		awk -v got="$got" -v want="$want" 'BEGIN {
			n = split(got, g, " "); if (n != 2) exit 1
			for (i = 1; i <= 2; i++) { d = g[i] - want; if (d < 0) d = -d; if (d > 1e-6) exit 1 }
		}' && r=0 || r=1
		ok "$r" "$set $f: raw $want ($src)"
		[ "$r" -eq 0 ] || diag "got (detector, alert): $got"
	done <"$T/$set.want"
done

# All four files, no detection: the null score, normalised 0; a detection
# on every window's first row: the perfect score, normalised 100.
files=$(cut -f2 "$D/published.tsv" | sort -u)
# shellcheck disable=SC2086
subset "$T/all" $files
for f in $files; do
	mkdir -p "$T/none/$(dirname "$f")" "$T/starts/$(dirname "$f")"
	: >"$T/none/$f"
	jq -r --arg f "$f" '.[$f][] | .[0][0:19]' "$T/all/windows.json" >"$T/starts/$f"
done
NAB_ALARMS=$T/none "$TOP/scripts/nab" "$T/all" >"$OUT" 2>"$ERR" || true
is "$(grep -c 'normalised score 0\.0$' "$OUT")" 2 "no detection: normalised score 0.0 at both levels"
NAB_ALARMS=$T/starts "$TOP/scripts/nab" "$T/all" >"$OUT" 2>"$ERR" || true
is "$(grep -c 'normalised score 100\.0$' "$OUT")" 2 "a detection at every window start: normalised score 100.0 at both levels"

# Probation on a long file, as NAB's sweeper.py has it: min(floor(15% of
# 15902 rows), 750) = 750 rows.  Row 750 is the last of them (not scored),
# row 751 the first scored: before the first of the 4 windows, a false
# positive of -0.11.
f=realTweets/Twitter_volume_AAPL.csv
subset "$T/long" "$f"
for row in 750 751; do
	mkdir -p "$T/r$row/realTweets"
	awk -F, -v r="$row" 'NR == r + 1 { print $1 }' "$NAB/$f" >"$T/r$row/$f"
	NAB_RAW=1 NAB_ALARMS=$T/r$row "$TOP/scripts/nab" "$T/long" >"$OUT" 2>"$ERR" || true
	awk -F '\t' '$1 == "detector" { print $3 }' "$OUT" >"$T/r$row.raw"
done
is "$(cat "$T/r750.raw")" -4.000000000 "long file: a detection on row 750 is in probation, raw -4 (4 missed windows)"
is "$(cat "$T/r751.raw")" -4.110000000 "long file: a detection on row 751 is scored, raw -4.11"

# A window wholly inside probation (no NAB corpus window is) has no scored
# row, so NAB does not count it: 20 rows, probation 3, windows on rows 2-3
# and 11-13, a detection on row 3.
mkdir -p "$T/syn/s" "$T/synal/s"
awk 'BEGIN { print "timestamp,value"; for (i = 0; i < 20; i++) printf "2026-01-01 00:%02d:00,1\n", i }' >"$T/syn/s/a.csv"
echo '{"s/a.csv": [["2026-01-01 00:01:00.000000", "2026-01-01 00:02:00.000000"], ["2026-01-01 00:10:00.000000", "2026-01-01 00:12:00.000000"]]}' >"$T/syn/windows.json"
echo '2026-01-01 00:02:00' >"$T/synal/s/a.csv"
NAB_ALARMS=$T/synal "$TOP/scripts/nab" "$T/syn" >"$OUT" 2>"$ERR" || true
is "$(grep -c '^NAB standard profile: raw -1\.00, null -1\.00, perfect 1\.00, normalised score 0\.0$' "$OUT")" 2 \
    "a window inside probation is not counted, nor a detection in it"
done_testing
