#!/bin/sh
# detect on --metric series: the novelty detector (a value or a residual
# beyond every record of the series, once a day of history is in, at most
# once per --novel-rearm each way; a residual on a far window) and the
# tails (a z-score is weighed against the series' own excursions, so a
# burst that a series has every few hours is not a level shift, while
# the same burst on a quiet series is).
. "$(dirname "$0")/lib.sh"

# series AWK COUNT: COUNT windows of 5 minutes from 2026-11-30, a daily
# wave with noise in x that AWK may change (i is the window number).
series() {
	awk -v n="$2" 'BEGIN {
		srand(7)
		for (i = 0; i < n; i++) {
			t = 1795996800 + i * 300	# 2026-11-30T00:00:00Z
			h = (t % 86400) / 3600
			x = 100 + 20 * sin(2 * 3.14159265 * h / 24) + 2 * (rand() - 0.5)
			'"$1"'
			printf "{\"type\":\"window\",\"key\":\"k\",\"start\":\"%s\",\"width_s\":300,\"value\":%.4f}\n",
			    strftime("%Y-%m-%dT%H:%M:%SZ", t, 1), x
		}
	}'
}
activations() {	# FILE DETECTOR: "at direction" of each activation
	jq -r --arg d "$2" 'select(.type == "signal" and .detector == $d)
	    | "\(.at) \(.direction) \(.state // "active")"' "$1" |
	    awk '$3 == "cleared" { on[$2] = 0; next } !on[$2] { on[$2] = 1; print $1, $2 }'
}

# Three days of a daily wave; on the third day at 12:00 one window of 160
# (the record is about 121), at 14:00 one of 170, and at 02:00 on the
# fourth day one of 180: each a new record.
series 'if (i == 2 * 288 + 144) x = 160; if (i == 2 * 288 + 168) x = 170; if (i == 3 * 288 + 24) x = 180' 900 >"$T/w"
run detect --metric value --no-forward --no-watermark "$T/w"
is_rc 0 "detect on a daily wave with three record windows"
activations "$OUT" novel >"$T/nov"
is "$(cat "$T/nov")" "2026-12-02T12:05:00.000Z up
2026-12-03T02:05:00.000Z up" "novel fires on the first record and on the one 14 hours later, not on the one 2 hours after the first"
has "$OUT" '"detector":"novel","direction":"up","value":160,' "its signal carries the value"
run detect --metric value --no-forward --no-watermark --novel-rearm 1h "$T/w"
is "$(activations "$OUT" novel | wc -l)" 3 "--novel-rearm 1h: all three fire"

# The rearm is per direction: on the third day a record high at 12:00,
# a record low (40, the lowest is about 79) at 14:00 and a lower one (30)
# at 16:00.  The fall after the rise fires; the second fall does not.
series 'if (i == 2 * 288 + 144) x = 160; if (i == 2 * 288 + 168) x = 40; if (i == 2 * 288 + 192) x = 30' 900 >"$T/w"
run detect --metric value --no-forward --no-watermark "$T/w"
is "$(activations "$OUT" novel)" "2026-12-02T12:05:00.000Z up
2026-12-02T14:05:00.000Z down" "a record low two hours after a record high fires; a second low two hours later does not"

# The same jump in the first day: no history to call it a record yet.
series 'if (i == 100) x = 160' 400 >"$T/young"
run detect --metric value --no-forward --no-watermark "$T/young"
is "$(activations "$OUT" novel)" "" "no novelty before a day of history"

# A residual record: on day 6 at 06:00, where the wave is at its top
# (120), the value is 80 (the bottom of the wave, seen every night): no
# value record, but never so far below the day's profile.  Residuals are
# kept from the profile only (its buckets hold 30 windows after 2.5
# days) and tested two days later.
series 'if (i >= 5 * 288 + 72 && i < 5 * 288 + 76) x = 80' 1800 >"$T/res"
run detect --metric value --no-forward --no-watermark "$T/res"
got=$(activations "$OUT" novel)
is "$got" "2026-12-05T06:05:00.000Z down" "a value seen every night, at noon's hour, is a record of the residual"
# A residual record needs a far window.  Before the residuals are tested
# they learn a range of about +-6 (windows 12 above and 12 below the
# wave); on day 6 at noon a window 10 above, one 18 below and one 1
# below: the mean of the last two is a record low (-9.5, beyond -6 by
# more than 20% of the range), but that window is near its expected
# value and the one before was no record (-4): nothing fires.
series 'if (i == 3 * 288 + 216) x += 12; if (i == 4 * 288 + 72) x -= 12; if (i == 5 * 288 + 144) x += 10; if (i == 5 * 288 + 145) x -= 18; if (i == 5 * 288 + 146) x -= 1' 1800 >"$T/near"
run detect --metric value --no-forward --no-watermark "$T/near"
is "$(activations "$OUT" novel)" "" "a record of the residuals' mean on a window near its expected value does not fire"
series 'if (i == 3 * 288 + 216) x += 12; if (i == 4 * 288 + 72) x -= 12; if (i == 5 * 288 + 144) x += 10; if (i == 5 * 288 + 145) x -= 18; if (i == 5 * 288 + 146) x -= 20' 1800 >"$T/near"
run detect --metric value --no-forward --no-watermark "$T/near"
is "$(activations "$OUT" novel)" "2026-12-05T12:15:00.000Z down" "the same on a window 20 below it, far enough, does"
# The same on day 3, before the profile: the residuals from the recent
# level are the wave itself, and no record of them is kept.
series 'if (i >= 2 * 288 + 72 && i < 2 * 288 + 76) x = 80' 900 >"$T/res"
run detect --metric value --no-forward --no-watermark "$T/res"
is "$(activations "$OUT" novel)" "" "no residual record before the time-of-day profile predicts"

# A day unlike the others: a square wave (20 at night, 80 from 09:00 to
# 18:00, noise of 2) whose sixth day stays at 20.  Each of those values
# is common, and the profile expects 80: the spread of a value learns
# ten times more slowly than its level, so the missing high phase is
# not taken for noise within the hour.
awk 'BEGIN {
	srand(7)
	for (i = 0; i < 2016; i++) {
		t = 1795996800 + i * 300
		h = (t % 86400) / 3600
		x = (h >= 9 && h < 18 && (i < 5 * 288 || i >= 6 * 288) ? 80 : 20) + 4 * (rand() - 0.5)
		printf "{\"type\":\"window\",\"key\":\"k\",\"start\":\"%s\",\"width_s\":300,\"value\":%.4f}\n",
		    strftime("%Y-%m-%dT%H:%M:%SZ", t, 1), x
	}
}' >"$T/sq"
run detect --metric value --no-forward --no-watermark "$T/sq"
got=$( (activations "$OUT" level; activations "$OUT" cusum) |
    awk '$2 == "down" && $1 >= "2026-12-05T09" && $1 < "2026-12-05T18"' | wc -l)
is "$got" 1 "a day without its high phase is a shift down that day"

# Tails.  A quiet series (noise of 1) with one burst of 3 windows at +12
# on its last day: a level shift.  The same series with such a burst
# every 8 hours from the start: after the first few, the last is what
# the series does, and the level detector stays quiet on it.  (Bursts
# every 3 hours would be quiet even without the tails: they raise the
# long-run spread, the floor of a value's spread.)
quiet='x = 100 + 2 * (rand() - 0.5)'
series "$quiet; if (i >= 800 && i < 803) x += 12" 820 >"$T/quiet"
series "$quiet; if (i % 96 < 3 || (i >= 800 && i < 803)) x += 12" 820 >"$T/bursty"
run detect --metric value --no-forward --no-watermark "$T/quiet"
has "$OUT" '"at":"2026-12-02T18:5[05]:00.000Z","metric":"value","detector":"level","direction":"up"' \
    "a burst on a quiet series is a level shift"
run detect --metric value --no-forward --no-watermark "$T/bursty"
is "$(jq -r 'select(.type == "signal" and .detector == "level" and .at >= "2026-12-02T18:00") | .at' "$OUT" | head -1)" "" \
    "the same burst, on a series that has one every 8 hours, is not"
run detect --metric value --no-forward --no-watermark --tail-q 1 "$T/bursty"
has "$OUT" '"at":"2026-12-02T18:5[05]:00.000Z","metric":"value","detector":"level","direction":"up"' \
    "--tail-q 1 turns the tails off: it is again"
done_testing
