#!/bin/sh
# detect on --metric series: seasonality is learned, not assumed.  The
# hour-of-day profile gives the expected value only where it predicts
# better than its own mean over the day; a series without a daily cycle
# (a burst at a different hour each day) has that mean as its expected
# value, so the hour of yesterday's burst is not low today, while a daily
# cycle keeps its profile.  The state keeps the trial.
. "$(dirname "$0")/lib.sh"

# bursts DAYS: 5-minute windows from 2026-11-02 of a flat 100 with noise,
# and each day a burst of +60 for two hours at an hour drawn for that day.
bursts() {
	awk -v days="$1" 'BEGIN {
		srand(5)
		for (d = 0; d < days; d++) bh[d] = int(rand() * 22)
		for (i = 0; i < days * 288; i++) {
			t = 1793577600 + i * 300	# 2026-11-02T00:00:00Z
			d = int(i / 288); h = (t % 86400) / 3600
			x = 100 + 6 * (rand() - 0.5) + (h >= bh[d] && h < bh[d] + 2 ? 60 : 0)
			printf "{\"type\":\"window\",\"key\":\"k\",\"start\":\"%s\",\"width_s\":300,\"value\":%.3f}\n",
			    strftime("%Y-%m-%dT%H:%M:%SZ", t, 1), x
		}
	}'
}
# daily DAYS [DIP]: a daily cycle of +-30 around 100; with DIP 1 the last
# day's peak hours (05:00 to 07:00) are at the day's mean, 100.
daily() {
	awk -v days="$1" -v dip="${2:-0}" 'BEGIN {
		srand(7)
		for (i = 0; i < days * 288; i++) {
			t = 1793577600 + i * 300
			h = (t % 86400) / 3600
			x = 100 + 30 * sin(2 * 3.14159265 * h / 24) + 6 * (rand() - 0.5)
			if (dip && i >= (days - 1) * 288 && h >= 5 && h < 7)
				x = 100 + 6 * (rand() - 0.5)
			printf "{\"type\":\"window\",\"key\":\"k\",\"start\":\"%s\",\"width_s\":300,\"value\":%.3f}\n",
			    strftime("%Y-%m-%dT%H:%M:%SZ", t, 1), x
		}
	}'
}
activations() {	# FILE: "at detector direction" of each activation
	jq -r 'select(.type == "signal") | "\(.at) \(.detector) \(.direction) \(.state // "active")"' "$1" |
	    awk '$4 == "cleared" { on[$2 $3] = 0; next } !on[$2 $3] { on[$2 $3] = 1; print $1, $2, $3 }'
}
shape() {	# STATE: "flat daily" mean residuals of the trial
	grep -o '"shape":\[[^]]*\]' "$1" | tr -d '"shape:[]' | awk -F, '{ printf "%.1f %.1f\n", $1, $2 }'
}

bursts 10 >"$T/bursts"
run detect --metric value --no-forward --no-watermark --state "$T/st" "$T/bursts"
is_rc 0 "detect on ten days of bursts at random hours"
activations "$OUT" >"$T/bursts.act"
is "$(awk '$3 == "down"' "$T/bursts.act")" "" \
    "the hour of an earlier burst is not low on a later day"
is "$(awk '$3 == "up" { print substr($1, 1, 10) }' "$T/bursts.act" | sort -u | tr '\n' ' ')" \
    "2026-11-02 2026-11-03 2026-11-04 " "the first bursts are found, until the series' tail knows them"
ok "$(shape "$T/st" | awk 'END { exit !(NR == 1 && $2 >= 0.8 * $1) }'; echo $?)" \
    "the state's trial: the daily profile does not predict 20% better than its mean ($(shape "$T/st"))"

daily 8 >"$T/daily"
run detect --metric value --no-forward --no-watermark --state "$T/st2" "$T/daily"
is_rc 0 "detect on eight days of a daily cycle"
is "$(cat "$OUT")" "" "the daily cycle is no anomaly"
ok "$(shape "$T/st2" | awk 'END { exit !(NR == 1 && $2 < 0.8 * $1) }'; echo $?)" \
    "the daily profile predicts better than its mean ($(shape "$T/st2"))"
daily 8 1 >"$T/dip"
run detect --metric value --no-forward --no-watermark "$T/dip"
activations "$OUT" >"$T/dip.act"
is "$(awk '{ print substr($1, 1, 10), $3 }' "$T/dip.act" | sort -u | tr '\n' ' ')" "2026-11-09 down " \
    "the day's mean at the peak hours of the last day is low: the profile is kept"

# The state keeps the trial: cut on day 6 (after it chose the mean), the
# rest continues as the one run does.
run detect --metric value --no-watermark "$T/bursts"
cp "$OUT" "$T/whole"
head -n $((6 * 288)) "$T/bursts" >"$T/b1"
tail -n +$((6 * 288 + 1)) "$T/bursts" >"$T/b2"
rm -f "$T/st3"
run detect --metric value --no-watermark --state "$T/st3" "$T/b1"
cp "$OUT" "$T/out1"
has "$T/st3" '"shape":\[' "the state holds the trial of the daily profile"
run detect --metric value --no-watermark --state "$T/st3" "$T/b2"
is_rc 0 "the rest, from the saved state"
cat "$T/out1" "$OUT" >"$T/split"
same "$T/split" "$T/whole" "the split run's output is the whole run's"

# A trial that is not three numbers is refused, and named.
sed 's/"shape":\[[^]]*\]/"shape":[1,2]/' "$T/st3" >"$T/bad"
run detect --metric value --no-watermark --state "$T/bad" "$T/b2"
is_rc 1 "a trial of two numbers: exit 1"
has "$ERR" "week_err and shape" "and says what the baselines may be"
done_testing
