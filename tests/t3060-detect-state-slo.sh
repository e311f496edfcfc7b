#!/bin/sh
# detect --state and --slo: the burn rates, a detector of the series in
# the detectors' table, keep the "slo" section of a series line that the
# detect of 9693ef8 (before they joined the table) wrote.  Its file, cut
# while one series burns, loads, goes on exactly as one run, and is
# written back byte for byte; a malformed section is refused, naming it.
. "$(dirname "$0")/lib.sh"

slo="--slo availability=99.9 --slo latency=500ms@99"
inject --scenario error-creep --seed 7 --hours 2.5 --degrade-at 1h --start 2026-11-26T11:00:00Z |
    aggregate >"$T/ec"
# The fixture holds the windows that end by 13:00.
awk -v a="$T/ec1" -v b="$T/ec2" '{ e = $0; sub(/.*"end":"/, "", e)
	print > (substr(e, 1, 19) <= "2026-11-26T13:00:00" ? a : b) }' "$T/ec"
is "$(lines "$T/ec1") $(lines "$T/ec2")" "1439 360" "the windows split at 13:00"
detect --no-forward --no-watermark $slo "$T/ec" >"$T/all"
detect --no-forward --no-watermark $slo "$T/ec1" >"$T/p1"
has "$FIX/detect-state-v3-slo.json" '"availability":\{"up":\{"active":1,' \
    "the fixture was cut while an SLO burns"

# No new window: the file is written back as it was.
cp "$FIX/detect-state-v3-slo.json" "$T/same"
run detect --no-forward --no-watermark $slo --state "$T/same" /dev/null
is_rc 0 "the file of 9693ef8 with SLO sections loads"
is "$(cat "$ERR")" "" "without a word"
same "$T/same" "$FIX/detect-state-v3-slo.json" "and is saved back byte for byte"

# The rest of the windows: the signals of one run.
cp "$FIX/detect-state-v3-slo.json" "$T/s"
run detect --no-forward --no-watermark $slo --state "$T/s" "$T/ec2"
is_rc 0 "it goes on over the rest"
cat "$T/p1" "$OUT" >"$T/joined"
same "$T/joined" "$T/all" "exactly as one run, burn rates and all"
ok "$(grep -c '"detector":"slo_burn"' "$OUT" | awk '{ exit !($1 > 10) }'; echo $?)" \
    "with burn-rate signals after the cut ($(grep -c slo_burn "$OUT"))"

# Without --slo the sections are not used, and not kept.
cp "$FIX/detect-state-v3-slo.json" "$T/noslo"
run detect --no-forward --no-watermark --state "$T/noslo" "$T/ec2"
is_rc 0 "without --slo the file loads"
hasnt "$T/noslo" '"slo":' "and is saved without SLO sections"

# A malformed section is refused, naming it.
sed '2s/"slo":{"cap":361,/"slo":{"cap":"361",/' "$FIX/detect-state-v3-slo.json" >"$T/bad1"
sed '2s/"ring":\[/"ring":["x",/;2s/,[^,]*\]}}$/]}}/' "$FIX/detect-state-v3-slo.json" >"$T/bad2"
sed '2s/"m":\[{"base"/"m":[{"slo":{},"base"/' "$FIX/detect-state-v3-slo.json" >"$T/bad3"
for f in bad1 bad2 bad3; do
	run detect --no-forward $slo --state "$T/$f" "$T/ec2"
	is_rc 1 "state file $f is refused"
	is "$(lines "$OUT")" 0 "nothing is written with state file $f"
done
run detect --no-forward $slo --state "$T/bad1" "$T/ec2"
has "$ERR" "^detect: $T/bad1:2: not a valid series of a detect state file: 'slo' is not an SLO state\$" \
    "a section that is not an SLO state is named"
run detect --no-forward $slo --state "$T/bad2" "$T/ec2"
has "$ERR" ":2: not a valid series of a detect state file: 'slo' 'ring' is not numbers\$" \
    "a ring that is not numbers is named"
run detect --no-forward $slo --state "$T/bad3" "$T/ec2"
has "$ERR" "metric 'count' has the state of a detector 'slo' that this detect does not run on it\$" \
    "the series' detector in a metric's place is named"
done_testing
