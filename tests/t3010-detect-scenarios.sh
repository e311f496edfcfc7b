#!/bin/sh
# detect: the quality bar of issue 3 on inject's scenarios, default flags.
# For each scenario, the first signal on the degraded key must come within
# the bar after the truth's start; two days of 'none' with all noise must
# give few signals and never two different metrics or detector families
# on one key within 10 minutes (what correlate would turn into an alert).
. "$(dirname "$0")/lib.sh"

SEED=${SB_DETECT_SEED:-101}

# epoch SECONDS of the first signal on the truth's key after its start,
# minus that start; "none" when there is none.
delay() {
	jq -rs '(map(select(.type == "truth"))[0]) as $t
	    | def sec: sub("\\.[0-9]+Z$"; "Z") | fromdate;
	    map(select(.type == "signal" and .key == $t.key and
		.at > $t.start and .state == null))[0]
	    | if . == null then "none" else
		"\((.at | sec) - ($t.start | sec)) \(.metric) \(.detector)" end' "$1"
}

# scenario NAME BAR-SECONDS WHAT
scenario() {
	inject --scenario "$1" --seed "$SEED" --hours 2.5 --degrade-at 1h \
	    --start 2026-11-26T11:00:00Z --truth - | aggregate | detect >"$T/$1"
	d=$(delay "$T/$1")
	s=${d%% *}
	if [ "$s" != none ] && [ "$s" -le "$2" ]; then
		ok 0 "$1: $3 (first signal after ${s}s: ${d#* })"
	else
		ok 1 "$1: $3"; diag "first signal: $d, bar ${2}s"
	fi
}

scenario latency-ramp 180 "within 3 minutes of the ramp's start"
# +50% over 2h is +25% after an hour.
scenario latency-creep 3600 "before latency is 25% above baseline"
scenario error-creep 900 "within 15 minutes"
scenario step 120 "within 2 windows"
scenario traffic-drop 300 "within 5 minutes"
scenario tail 5400 "detected"

# Two days of noise only.
inject --scenario none --seed "$SEED" --hours 48 --start 2026-11-20T00:00:00Z |
    aggregate | detect --no-forward >"$T/none"
jq -r 'def sec: sub("\\.[0-9]+Z$"; "Z") | fromdate;
    select(.state == null) | [(.at | sec), .key, .metric + "/" + .detector] | @tsv' \
    "$T/none" | sort -t "$(printf '\t')" -k2,2 -k1,1n >"$T/none.tsv"
# An onset is a signal whose key, metric and detector had none the minute before.
onsets=$(awk -F '\t' '{ id = $2 "|" $3; if (!(id in l) || $1 - l[id] > 60) n++; l[id] = $1 }
    END { print n + 0 }' "$T/none.tsv")
ok "$([ "$onsets" -le 4 ] && echo 0 || echo 1)" "none, 2 days: at most 2 signal onsets a day ($onsets)"
awk -F '\t' '$2 != k { delete t; k = $2 }
    { for (i in t) if (i != $3 && $1 - t[i] <= 600) print $2 ": " i " and " $3; t[$3] = $1 }' \
    "$T/none.tsv" | sort -u >"$T/pairs"
is "$(lines "$T/pairs")" 0 "none, 2 days: never two metrics or detectors on one key within 10 minutes"
[ -s "$T/pairs" ] && head -5 "$T/pairs" | diag_stream
# --slo availability=99.9 on the error creep: the 14.4x pair fires once
# the last hour's errors reach 1.44% (and the last 5 minutes' too); never
# without --slo, and not on the other endpoints.
hasnt "$T/error-creep" '"slo_' "error-creep: no SLO signal without --slo"
inject --scenario error-creep --seed "$SEED" --hours 2.5 --degrade-at 1h \
    --start 2026-11-26T11:00:00Z | aggregate | detect --slo availability=99.9 --no-forward >"$T/slo"
is "$(jq -r 'select(.metric == "slo_availability" and .state == null) | .key' "$T/slo" | sort -u | xargs)" \
    "payments POST /api/payments" "error-creep --slo availability=99.9: burns only on the degraded key"
jq -r 'select(.metric == "slo_availability") | [.burn_rate, .burn_rate_short, .factor, .score] | @tsv' "$T/slo" |
    awk '{ if ($4 != ($1 < $2 ? $1 : $2) || $3 != 14.4) bad++ } END { exit !(NR > 0 && bad == 0) }'
ok $? "error-creep --slo: page pair (14.4), score = the smaller burn rate"
done_testing
