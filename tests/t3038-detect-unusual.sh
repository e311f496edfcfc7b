#!/bin/sh
# detect on --metric series: novel's unusual stretch.  A burst lower than
# the series' record (tweets after a viral day) is no record, but the
# mean z of its windows is far beyond what that mean usually is: novel
# fires on it.  So it does on a level that moved within the range the
# series has covered, where the distance |z| of each window stays what it
# was (a gauge that alternates, shifted by its own amplitude).  One
# window as high is not a stretch; weeks of noise fire nothing; the state
# keeps the law of the mean, so a run split in two gives what one run
# gives, and a state of detect 0.9.0 (the law of |z|) still loads.
. "$(dirname "$0")/lib.sh"

# series BURST SPIKE: 16 days of 5-minute windows from 2026-11-02, noise
# around 50; on day 6 at 12:00 a record of 1000 for one window; on day
# 12 at 12:00 BURST windows at SPIKE.
series() {
	awk -v burst="$1" -v spike="$2" 'BEGIN {
		srand(11)
		for (i = 0; i < 16 * 288; i++) {
			t = 1793577600 + i * 300	# 2026-11-02T00:00:00Z
			x = 50 + 10 * (rand() - 0.5) + 6 * (rand() - 0.5)
			if (i == 6 * 288 + 144) x = 1000
			if (i >= 12 * 288 + 144 && i < 12 * 288 + 144 + burst) x = spike
			printf "{\"type\":\"window\",\"key\":\"k\",\"start\":\"%s\",\"width_s\":300,\"value\":%.3f}\n",
			    strftime("%Y-%m-%dT%H:%M:%SZ", t, 1), x
		}
	}'
}
novel_on() {	# FILE: "at direction" of each novel activation from day 7
	jq -r 'select(.type == "signal" and .detector == "novel" and .at >= "2026-11-09") | "\(.at) \(.direction) \(.state // "active")"' "$1" |
	    awk '$3 == "cleared" { on[$2] = 0; next } !on[$2] { on[$2] = 1; print $1, $2 }'
}

series 0 0 >"$T/noise"
run detect --metric value --no-forward --no-watermark "$T/noise"
is_rc 0 "detect on 16 days of noise with one record"
is "$(novel_on "$OUT")" "" "from day 7 on, noise is neither new nor unusual"

series 8 400 >"$T/burst"
run detect --metric value --no-forward --no-watermark "$T/burst"
novel_on "$OUT" >"$T/on"
is "$(awk '{ print substr($1, 1, 13), $2 }' "$T/on")" "2026-11-14T12 up" \
    "eight windows at 400, below the record of 1000: unusual, up, that hour"
jq -e 'select(.type == "signal" and .detector == "novel" and .at >= "2026-11-14") | .value' "$OUT" |
    head -1 >"$T/v"
ok "$([ -s "$T/v" ] && awk '{ exit !($1 < 1000) }' "$T/v" && echo 0 || echo 1)" \
    "... on a value that is no record ($(cat "$T/v"))"

series 1 400 >"$T/one"
run detect --metric value --no-forward --no-watermark "$T/one"
is "$(novel_on "$OUT")" "" "one window at 400 is not a stretch"

# gauge SHIFT: 16 days of a gauge alternating 45 and 55 (noise of +-1),
# one window at 1000 on day 6; on day 12 from 12:00, three hours SHIFT
# higher.  Within the range, no residual record, and the distance |z| of
# each window stays what it was: 10 and 0 from 50 instead of 5 and 5.
gauge() {
	awk -v shift="$1" 'BEGIN {
		srand(7)
		for (i = 0; i < 16 * 288; i++) {
			t = 1793577600 + i * 300	# 2026-11-02T00:00:00Z
			x = 50 + (i % 2 ? 5 : -5) + 2 * (rand() - 0.5)
			if (i == 6 * 288 + 144) x = 1000
			if (i >= 12 * 288 + 144 && i < 12 * 288 + 180) x += shift
			printf "{\"type\":\"window\",\"key\":\"k\",\"start\":\"%s\",\"width_s\":300,\"value\":%.3f}\n",
			    strftime("%Y-%m-%dT%H:%M:%SZ", t, 1), x
		}
	}'
}
for shift in 5 -5; do
	gauge $shift >"$T/gauge"
	run detect --metric value --no-forward --no-watermark "$T/gauge"
	is_rc 0 "detect on the gauge shifted by $shift"
	want=up
	[ $shift -lt 0 ] && want=down
	is "$(novel_on "$OUT" | awk '{ print substr($1, 1, 13), $2 }')" \
	    "2026-11-14T12 $want" "shifted by $shift for three hours: unusual, $want, that hour"
	is "$(jq -r 'select(.type == "signal" and .at >= "2026-11-09" and .detector != "novel") | .detector' "$OUT")" "" \
	    "... where neither level nor cusum sees it (the floor of the spread is the swing)"
done
gauge 0 >"$T/gauge"
run detect --metric value --no-forward --no-watermark "$T/gauge"
is "$(novel_on "$OUT")" "" "the gauge not shifted: nothing from day 7 on"

# The state keeps the law of the mean z and the recent windows: cut
# in the middle of the burst, the split run is the whole run.
run detect --metric value --no-watermark "$T/burst"
cp "$OUT" "$T/whole"
cut=$((12 * 288 + 148))
head -n $cut "$T/burst" >"$T/b1"
tail -n +$((cut + 1)) "$T/burst" >"$T/b2"
run detect --metric value --no-watermark --state "$T/st" "$T/b1"
is_rc 0 "the first part, saved in the middle of the burst"
cp "$OUT" "$T/out1"
has "$T/st" '"law":\[' "the state holds the law of the mean z"
has "$T/st" '"recent":\[' "and the recent windows"
cp "$T/st" "$T/st1"
run detect --metric value --no-watermark --state "$T/st" "$T/b2"
is_rc 0 "the rest, from the saved state"
cat "$T/out1" "$OUT" >"$T/split"
cmp -s "$T/whole" "$T/split"
is "$?" 0 "the split run's output is the whole run's, byte for byte"

# detect 0.9.0 kept the law of the mean |z| as "dist": a law of another
# quantity, read and dropped, so the stretch learns its own law afresh.
sed 's/"law":\[[^]]*\]/"dist":[0.8,1,5000]/' "$T/st1" >"$T/old"
has "$T/old" '"dist":\[0.8' "a state as detect 0.9.0 wrote it"
run detect --metric value --no-watermark --state "$T/old" "$T/b2"
is_rc 0 "loads"
hasnt "$T/old" '"dist"' "and is saved without the old law"
has "$T/old" '"law":\[' "but with a law learned afresh"

sed 's/"recent":\[/"recent":[1,/' "$T/st1" >"$T/bad"
run detect --metric value --no-watermark --state "$T/bad" "$T/b2"
is_rc 1 "eleven recent windows: exit 1"
has "$ERR" "recent" "and the message names the member"
done_testing
