#!/bin/sh
# detect --rebase-after: a series degraded without a break for a day has
# a new normal.  Its baselines move by the recent residual, the
# detectors clear, and a later change on the new level is an alarm of
# its own; with --rebase-after 0 the first episode never ends and the
# later change joins it unseen.  The state file keeps a rebase under
# way, so a run split in the middle of one gives what one run gives.
# On request windows a halved traffic has its new normal; a doubled
# latency, held by its rising CUSUM, does not.
. "$(dirname "$0")/lib.sh"

# Eight days of 5-minute windows from 2026-11-02: a level of 50 (noise
# +-2); from day 3 a level of 60 for good; on day 6 from 12:00 to 15:00
# a second step to 80.
awk 'BEGIN {
	srand(7)
	for (i = 0; i < 8 * 288; i++) {
		t = 1793577600 + i * 300	# 2026-11-02T00:00:00Z
		x = 50 + 4 * (rand() - 0.5)
		if (i >= 3 * 288) x += 10
		if (i >= 6 * 288 + 144 && i < 6 * 288 + 180) x += 20
		printf "{\"type\":\"window\",\"key\":\"k\",\"start\":\"%s\",\"width_s\":300,\"value\":%.3f}\n",
		    strftime("%Y-%m-%dT%H:%M:%SZ", t, 1), x
	}
}' >"$T/w"
activations() {	# FILE: "at detector direction" of each activation
	jq -r 'select(.type == "signal") | "\(.at) \(.detector) \(.direction) \(.state // "active")"' "$1" |
	    awk '$4 == "cleared" { on[$2 $3] = 0; next } !on[$2 $3] { on[$2 $3] = 1; print $1, $2, $3 }'
}
active_at() {	# FILE TIME: the detectors active at TIME
	jq -r --arg t "$2" 'select(.type == "signal" and .at <= $t) | "\(.detector) \(.direction) \(.state // "active")"' "$1" |
	    awk '{ on[$1 " " $2] = $3 != "cleared" } END { for (k in on) if (on[k]) print k }' | sort | tr '\n' ' '
}

run detect --metric value --no-forward --no-watermark "$T/w"
is_rc 0 "detect with the default rebase"
activations "$OUT" >"$T/act"
is "$(awk '$1 >= "2026-11-05" && $1 < "2026-11-05T01" { print $3 }' "$T/act" | sort -u)" "up" \
    "the step to 60 is found at once"
is "$(active_at "$OUT" 2026-11-06T12:00:00Z)" "" \
    "a day later the new level is normal: nothing is active"
is "$(active_at "$OUT" 2026-11-06T00:00:00Z | grep -c up)" 1 \
    "... though the detectors were still active before the day was over"
first=$(awk '$1 >= "2026-11-08T12:00" { print $1; exit }' "$T/act")
ok "$([ -n "$first" ] && [ "$first" \< "2026-11-08T12:30" ] && echo 0 || echo 1)" \
    "the second step is a new activation within 30 minutes (first: ${first:-none})"
is "$(awk '$1 >= "2026-11-06T12" && ($1 < "2026-11-08T12" || $1 >= "2026-11-08T16")' "$T/act")" "" \
    "and nothing else after the new normal is"
base=$(jq -r 'select(.type == "signal" and .at >= "2026-11-08T12:00") | .baseline' "$OUT" | head -1)
ok "$(awk -v b="$base" 'BEGIN { exit !(b > 58 && b < 62) }' && echo 0 || echo 1)" \
    "its baseline is the new level (${base:-none}), not the old 50"

run detect --metric value --no-forward --no-watermark --rebase-after 0 "$T/w"
is_rc 0 "--rebase-after 0"
activations "$OUT" >"$T/act0"
is "$(awk '$1 >= "2026-11-06"' "$T/act0")" "" \
    "without the rebase no activation follows the first step's"
is "$(active_at "$OUT" 2026-11-09T23:59:59Z | grep -c up)" 1 \
    "... which is still active at the end"

run detect --metric value --no-forward --no-watermark --rebase-after 48h "$T/w"
activations "$OUT" >"$T/act48"
is "$(active_at "$OUT" 2026-11-06T12:00:00Z | grep -c up)" 1 \
    "--rebase-after 48h: still active a day and a half after the step"
is "$(active_at "$OUT" 2026-11-07T06:00:00Z)" "" "... and normal after two days"

# Cut in the middle of the degraded run: the state holds the rebase
# under way, and the split run's output is the whole run's.
run detect --metric value --no-watermark "$T/w"
cp "$OUT" "$T/whole"
head -n $((3 * 288 + 144)) "$T/w" >"$T/w1"
tail -n +$((3 * 288 + 145)) "$T/w" >"$T/w2"
run detect --metric value --no-watermark --state "$T/st" "$T/w1"
is_rc 0 "the first three and a half days, saved"
cp "$OUT" "$T/out1"
has "$T/st" '"shift":\[' "the state holds the rebase under way"
cp "$T/st" "$T/st1"
run detect --metric value --no-watermark --state "$T/st" "$T/w2"
is_rc 0 "the rest, from the saved state"
cat "$T/out1" "$OUT" >"$T/split"
cmp -s "$T/whole" "$T/split"
is "$?" 0 "the split run's output is the whole run's, byte for byte"

# A shift that is not three numbers, or counts no window, is refused.
sed 's/"shift":\[/"shift":[1,/' "$T/st1" >"$T/bad"
run detect --metric value --no-watermark --state "$T/bad" "$T/w2"
is_rc 1 "a shift of four numbers: exit 1"
has "$ERR" "are not glob, aux, prof, shift" "and says what is wrong"
sed 's/"shift":\[\([^],]*\),\([^],]*\),[^]]*\]/"shift":[\1,\2,0]/' "$T/st1" >"$T/bad"
grep -q '"shift":\[[^]]*,0\]' "$T/bad"
is "$?" 0 "(the shift made to count no window)"
run detect --metric value --no-watermark --state "$T/bad" "$T/w2"
is_rc 1 "a shift of no window: exit 1"
run detect --metric value --rebase-after -1h "$T/w"
is_rc 2 "--rebase-after -1h: usage error"

# Request windows: from day 3 the latency of one endpoint doubles for
# good and the traffic of another halves for good.  The traffic has a
# new normal a day later; the latency is held by its rising CUSUM
# (--learn-hold: a creep is never the new normal) and stays degraded.
awk 'BEGIN {
	srand(5)
	for (i = 0; i < 6 * 288; i++) {
		t = strftime("%Y-%m-%dT%H:%M:%SZ", 1793577600 + i * 300, 1)
		late = i >= 3 * 288
		l = 100 * (1 + 0.1 * (rand() - 0.5)) * (late ? 2 : 1)
		printf "{\"type\":\"window\",\"key\":\"GET /slow\",\"start\":\"%s\",\"width_s\":300,\"count\":600,\"errors\":0,\"latency_ms\":{\"p50\":%.2f,\"p95\":%.2f,\"p99\":%.2f}}\n", t, l, 2 * l, 3 * l
		c = int((late ? 300 : 600) + 40 * (rand() - 0.5))
		l = 100 * (1 + 0.1 * (rand() - 0.5))
		printf "{\"type\":\"window\",\"key\":\"GET /quiet\",\"start\":\"%s\",\"width_s\":300,\"count\":%d,\"errors\":0,\"latency_ms\":{\"p50\":%.2f,\"p95\":%.2f,\"p99\":%.2f}}\n", t, c, l, 2 * l, 3 * l
	}
}' >"$T/req"
run detect --no-forward --no-watermark "$T/req"
is_rc 0 "detect on request windows"
on_end() {	# KEY: its detectors active at the end
	jq -r --arg k "$1" 'select(.type == "signal" and .key == $k) | "\(.metric) \(.detector) \(.direction) \(.state // "active")"' "$OUT" |
	    awk '{ on[$1 " " $2 " " $3] = $4 != "cleared" } END { for (k in on) if (on[k]) print k }' | sort | tr '\n' ' '
}
is "$(jq -r 'select(.type == "signal" and .key == "GET /quiet" and .at < "2026-11-05T01:00") | .detector' "$OUT" | sort -u | tr '\n' ' ')" "traffic " \
    "the halved traffic is found"
is "$(on_end "GET /quiet")" "" "a day later it is the new normal: nothing active at the end"
ok "$(on_end "GET /slow" | grep -q "latency_p50 cusum up" && echo 0 || echo 1)" \
    "the doubled latency is still active three days on ($(on_end "GET /slow"))"
done_testing
