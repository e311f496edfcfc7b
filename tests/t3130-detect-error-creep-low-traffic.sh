#!/bin/sh
# t3130-detect-error-creep-low-traffic: an error rate that creeps up on
# a quiet endpoint (checkout POST /api/orders at --rate-scale 0.4, about
# 0.8 requests/s, 0.3% to 10% 5xx over two hours) is alerted within 40
# minutes of its start, as the SRE workbook's burn-rate alerts find it,
# for each of four seeds; the error CUSUM's likelihood ratio (detect(1),
# cusum on errors) is what makes that: the variance-stabilised z it
# replaced took 41 to 46 minutes on three of these seeds.
. "$(dirname "$0")/lib.sh"

KEY='checkout POST /api/orders'
for seed in 1 2 3 4; do
	inject --scenario error-creep --target "$KEY" --magnitude 0.1 \
	    --ramp 2h --hours 6 --degrade-at 3h --rate-scale 0.4 \
	    --seed "$seed" --start 2026-11-26T09:00:00Z \
	    2>/dev/null >"$T/ev"
	aggregate "$T/ev" | detect | correlate >"$T/al" 2>"$ERR"
	ok $? "seed $seed: the pipe runs"
	first=$(jq -r --arg k "$KEY" 'select(.type == "alert" and
	    .state == "firing" and .key == $k) | .at' "$T/al" | head -1)
	min=$(jq -rn --arg t "$first" 'if $t == "" then 9999 else
	    (($t | sub("\\.[0-9]+Z$"; "Z") | fromdate) -
	    ("2026-11-26T12:00:00Z" | fromdate)) / 60 end')
	ok "$([ "$min" -le 40 ] && echo 0 || echo 1)" \
	    "seed $seed: alerted $min minutes after the creep began (at most 40)"
	has "$T/al" '"metric":"error_rate","detector":"cusum"' \
	    "seed $seed: with the error CUSUM among its signals"
	n=$(jq -r --arg k "$KEY" 'select(.type == "alert" and
	    .state == "firing" and .key != $k) | .key' "$T/al" | wc -l)
	is "$n" 0 "seed $seed: no alert on any other endpoint"
done
done_testing
