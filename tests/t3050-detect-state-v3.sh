#!/bin/sh
# detect --state, version 3: files of version 2 (written by the detect of
# c084f55, before the detectors' table) still load and go on exactly as
# the run that wrote them; a file of version 3 keeps each detector in a
# section of named members; what a file leaves out starts afresh, and
# what this detect does not know refuses the file with its name.
. "$(dirname "$0")/lib.sh"

inject --scenario recovery --seed 5 --hours 2 --degrade-at 40m --start 2026-11-26T10:00:00Z |
    aggregate >"$T/w"
total=$(lines "$T/w")
half=$((total / 2))
head -n "$half" "$T/w" >"$T/w1"
tail -n +"$((half + 1))" "$T/w" >"$T/w2"
detect --no-forward --no-watermark "$T/w" >"$T/all"
detect --no-forward --no-watermark "$T/w1" >"$T/part1"

# Version 2, from the first hour: the second hour as one run writes it.
cp "$FIX/detect-state-v2.json" "$T/v2"
run detect --no-forward --no-watermark --state "$T/v2" "$T/w2"
is_rc 0 "a version 2 state file loads"
is "$(cat "$ERR")" "" "without a word on stderr"
cat "$T/part1" "$OUT" >"$T/joined"
# The error CUSUM's signals report the errors of its run since version 3,
# which a version 2 file does not hold: those numbers start afresh.
norun='if .metric == "error_rate" and .detector == "cusum" then
    del(.value, .spread, .expected, .count, .errors) else . end'
jq -c "$norun" "$T/all" >"$T/all.norun"
jq -c "$norun" "$T/joined" >"$T/joined.norun"
same "$T/joined.norun" "$T/all.norun" "version 2: the second hour's signals are those of one run"
has "$T/v2" '^\{"type":"detect-state","version":3,' "and it is saved as version 3"
hasnt "$T/v2" '"m":\[\[' "with no positional arrays left"
has "$T/v2" '"binomial":\{"errors":\[.*"level":\{' "but sections named by detector"

# Version 2 with two SLOs, from 60% of an error creep.
inject --scenario error-creep --seed 7 --hours 2.5 --degrade-at 1h --start 2026-11-26T11:00:00Z |
    aggregate >"$T/ec"
n=$(lines "$T/ec")
head -n $((n * 6 / 10)) "$T/ec" >"$T/ec1"
tail -n +$((n * 6 / 10 + 1)) "$T/ec" >"$T/ec2"
slo="--slo availability=99.9 --slo latency=500ms@99"
detect --no-forward --no-watermark $slo "$T/ec" >"$T/ec.all"
detect --no-forward --no-watermark $slo "$T/ec1" >"$T/ec.p1"
has "$T/ec.all" '"detector":"slo_burn"' "the SLO run has burn-rate signals"
cp "$FIX/detect-state-v2-slo.json" "$T/v2slo"
run detect --no-forward --no-watermark $slo --state "$T/v2slo" "$T/ec2"
is_rc 0 "a version 2 state file with SLOs loads"
cat "$T/ec.p1" "$OUT" >"$T/ec.joined"
# Not every signal: the error CUSUM sums likelihood ratios since version
# 3, and a version 2 file's sum of z-scores, carried as a share of the
# threshold, fires it at another window mid-creep, which moves what the
# series learns.  The burn rates, against the objective, go on exactly.
jq -c 'select(.detector == "slo_burn") | del(.context)' "$T/ec.all" >"$T/ec.all.slo"
jq -c 'select(.detector == "slo_burn") | del(.context)' "$T/ec.joined" >"$T/ec.joined.slo"
ok "$(test "$(lines "$T/ec.all.slo")" -gt 10; echo $?)" "burn-rate signals to compare ($(lines "$T/ec.all.slo"))"
same "$T/ec.joined.slo" "$T/ec.all.slo" "version 2 with SLOs: the burn rates go on exactly"

# Version 3 round trip with both SLOs.
detect --no-forward --no-watermark $slo --state "$T/s3" "$T/ec1" >"$T/ec.q1"
detect --no-forward --no-watermark $slo --state "$T/s3" "$T/ec2" >"$T/ec.q2"
cat "$T/ec.q1" "$T/ec.q2" >"$T/ec.joined3"
same "$T/ec.joined3" "$T/ec.all" "version 3 with SLOs goes on exactly"
has "$T/s3" '"slo":\{"cap":[0-9]+,"head":[0-9]+,"n":[0-9]+,"availability":\{.*"latency":\{' \
    "the SLOs are named by their SLI"

# Another set of SLOs: the burn rates start afresh, the rest goes on.
detect --no-forward --no-watermark --state "$T/s4" $slo "$T/ec1" >/dev/null
run detect --no-forward --no-watermark --slo availability=99.9 --state "$T/s4" "$T/ec2"
is_rc 0 "a state file of other SLOs loads"
is "$(cat "$ERR")" "" "quietly"

# A section left out starts afresh: the level detectors of every metric.
detect --no-forward --no-watermark --state "$T/s5" "$T/w1" >/dev/null
jq -c 'if .type then . else .m |= map(del(.level)) end' "$T/s5" >"$T/s5b"
hasnt "$T/s5b" '"level":' "the level sections are gone"
run detect --no-forward --no-watermark --state "$T/s5b" "$T/w2"
is_rc 0 "a file without a detector's section loads"
is "$(cat "$ERR")" "" "without a word"
has "$T/s5b" '"level":' "and the section is back when saved"

# What this detect does not know refuses the file, naming it.
detect --no-forward --no-watermark --state "$T/s6" "$T/w1" >/dev/null
sed '2s/"m":\[{/"m":[{"spectral":{"up":{"active":1}},/' "$T/s6" >"$T/bad1"
sed '2s/"binomial":{/"binomial":{"pvalue":1,/' "$T/s6" >"$T/bad2"
sed '2s/"binomial":{"errors":\[/"binomial":{"errors":[1,/' "$T/s6" >"$T/bad3"
sed '2s/"filled":16/"filled":"16"/' "$T/s6" >"$T/bad4"
sed '2s/"error_cusum":{"up":{/"error_cusum":{"up":{"active":1.5,/' "$T/s6" >"$T/bad5"
sed '2s/"m":\[{"base"/"m":[{"novel":{},"base"/' "$T/s6" >"$T/bad6"
for f in bad1 bad2 bad3 bad4 bad5 bad6; do
	run detect --state "$T/$f" "$T/w2"
	is_rc 1 "state file $f is refused"
	is "$(lines "$OUT")" 0 "nothing is written with state file $f"
done
has_err() { run detect --state "$T/$1" "$T/w2"; has "$ERR" "$2" "$3"; }
has_err bad1 "^detect: $T/bad1:2: not a valid series of a detect state file: metric 'count' has the state of a detector 'spectral' that this detect does not run on it\$" \
    "an unknown detector is named"
has_err bad2 "'binomial' has a member 'pvalue' this detect does not know\$" \
    "an unknown member is named"
has_err bad3 "'errors' of 'binomial' is not an array of numbers\$" \
    "a ring of the wrong length is named"
has_err bad4 "'filled' of 'binomial' is not a number\$" "a string for a number is named"
has_err bad5 "'active' of 'up' is not an integer in range\$" "a fraction for a flag is named"
has_err bad6 "metric 'count' has the state of a detector 'novel' that this detect does not run on it\$" \
    "a detector on a metric it does not watch is named"
done_testing
