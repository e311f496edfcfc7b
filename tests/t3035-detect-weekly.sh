#!/bin/sh
# detect on --metric series: the hour-of-week profile.  A value learns
# the typical level of each hour of the week besides each hour of the
# day, and takes the weekly one where it predicts better, so weekends
# stop being anomalies of the daily cycle and a holiday on a weekday is
# one; the state file keeps the weekly profile, so a run split in two
# gives what one run gives.
. "$(dirname "$0")/lib.sh"

# weeks HOL: five weeks of 10-minute windows from Monday 2026-11-02, a
# daily hump on weekdays and half of it on Saturdays and Sundays; with
# HOL 1 the Wednesday of the fifth week is like a Sunday.
weeks() {
	awk -v hol="$1" 'BEGIN {
		srand(3)
		for (i = 0; i < 35 * 144; i++) {
			t = 1793577600 + i * 600	# 2026-11-02T00:00:00Z
			d = int(i / 144); h = (t % 86400) / 3600
			we = (d % 7 >= 5) || (hol && d == 30)
			hump = h >= 8 && h < 20 ? sin(3.14159265 * (h - 8) / 12) : 0
			x = 100 + (we ? 30 : 60) * hump + 6 * (rand() - 0.5)
			printf "{\"type\":\"window\",\"key\":\"k\",\"start\":\"%s\",\"width_s\":600,\"value\":%.3f}\n",
			    strftime("%Y-%m-%dT%H:%M:%SZ", t, 1), x
		}
	}'
}
activations() {	# FILE: "at detector direction" of each activation
	jq -r 'select(.type == "signal") | "\(.at) \(.detector) \(.direction) \(.state // "active")"' "$1" |
	    awk '$4 == "cleared" { on[$2 $3] = 0; next } !on[$2 $3] { on[$2 $3] = 1; print $1, $2, $3 }'
}

weeks 0 >"$T/plain"
weeks 1 >"$T/holiday"
run detect --metric value --no-forward --no-watermark "$T/plain"
is_rc 0 "detect on five weeks with quiet weekends"
activations "$OUT" >"$T/plain.act"
is "$(awk '$1 >= "2026-11-23"' "$T/plain.act")" "" \
    "from the fourth week on, no weekend is an anomaly"
is "$(awk '$1 >= "2026-11-03" { print substr($1, 1, 10) }' "$T/plain.act" | sort -u | tr '\n' ' ')" \
    "2026-11-14 2026-11-15 2026-11-21 " \
    "before it, weekend days are: the daily profile is a weekday's"
run detect --metric value --no-forward --no-watermark "$T/holiday"
activations "$OUT" >"$T/holiday.act"
is "$(awk '$1 >= "2026-12-02" && $1 < "2026-12-03" && $3 == "down" { print $2 }' "$T/holiday.act" | sort | tr '\n' ' ')" "cusum level " \
    "a Wednesday like a Sunday is a shift down that day"
is "$(awk '$1 >= "2026-11-23" && ($1 < "2026-12-02" || $1 >= "2026-12-03")' "$T/holiday.act")" "" \
    "and nothing else in the last two weeks is"

# The state keeps the weekly profile: cut on day 30 (the weekly profile
# in use), the second half continues as the one run does.
run detect --metric value --no-watermark "$T/holiday"
cp "$OUT" "$T/whole"
head -n $((29 * 144)) "$T/holiday" >"$T/h1"
tail -n +$((29 * 144 + 1)) "$T/holiday" >"$T/h2"
run detect --metric value --no-watermark --state "$T/st" "$T/h1"
is_rc 0 "the first 29 days, saved"
cp "$OUT" "$T/out1"
has "$T/st" '"week":\[\[' "the state holds the weekly profile"
has "$T/st" '"week_err":\[' "and how well it predicts"
run detect --metric value --no-watermark --state "$T/st" "$T/h2"
is_rc 0 "the rest, from the saved state"
cat "$T/out1" "$OUT" >"$T/split"
cmp -s "$T/whole" "$T/split"
is "$?" 0 "the split run's output is the whole run's, byte for byte"

# A state file whose weekly profile is not 168 baselines is refused.
sed 's/"week":\[\[/"week":[[1,2,3],[/' "$T/st" >"$T/bad"
run detect --metric value --no-watermark --state "$T/bad" "$T/h2"
is_rc 1 "a weekly profile of 169 hours: exit 1"
has "$ERR" "not 24 or 168 baselines" "and says what is wrong"
done_testing
