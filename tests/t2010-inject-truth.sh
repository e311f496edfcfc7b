#!/bin/sh
# t2010-inject-truth: the ground truth inject(1) writes with --truth: one
# record per changed key and metric, exact times, and the noise episodes
# and where they may fall.
. "$(dirname "$0")/lib.sh"

S=2026-11-26T00:00:00Z

# truth ARGS...: the truth records of a 24 h run from $S, events skipped.
truth() {
	run inject --start $S --events 0 --truth "$T/truth" "$@"
	grep '"type":"truth"' "$T/truth" >"$T/t" || true
	grep '"type":"noise"' "$T/truth" >"$T/n" || true
}

# expect DESCRIPTION: compares the truth records with stdin.
expect() {
	cat >"$T/want"
	same "$T/t" "$T/want" "$1"
}

R='{"type":"truth","scenario"'

truth --scenario latency-ramp
is_rc 0 "--events 0 --truth: exit 0"
is "$(lines "$OUT")" 0 "--events 0 --truth: no events"
expect "latency-ramp: orders 120 -> 1100 ms over 5m from the middle" <<EOF
$R:"latency-ramp","key":"checkout GET /api/orders/{id}","service":"checkout","metric":"latency","start":"2026-11-26T12:00:00.000Z","developed":"2026-11-26T12:05:00.000Z","end":null,"baseline":120,"peak":1100}
EOF

truth --scenario latency-creep
expect "latency-creep: search +50% over 2h" <<EOF
$R:"latency-creep","key":"catalog GET /api/search","service":"catalog","metric":"latency","start":"2026-11-26T12:00:00.000Z","developed":"2026-11-26T14:00:00.000Z","end":null,"baseline":150,"peak":225}
EOF

truth --scenario error-creep
expect "error-creep: payments 5xx 0.2% -> 3% over 1h" <<EOF
$R:"error-creep","key":"payments POST /api/payments","service":"payments","metric":"error_rate","start":"2026-11-26T12:00:00.000Z","developed":"2026-11-26T13:00:00.000Z","end":null,"baseline":0.002,"peak":0.03}
EOF

truth --scenario step
expect "step: users latency x2 at once" <<EOF
$R:"step","key":"users GET /api/users/{id}","service":"users","metric":"latency","start":"2026-11-26T12:00:00.000Z","developed":"2026-11-26T12:00:00.000Z","end":null,"baseline":25,"peak":50}
EOF

truth --scenario traffic-drop
expect "traffic-drop: products 6/s -> 0.6/s" <<EOF
$R:"traffic-drop","key":"catalog GET /api/products","service":"catalog","metric":"traffic","start":"2026-11-26T12:00:00.000Z","developed":"2026-11-26T12:00:00.000Z","end":null,"baseline":6,"peak":0.6}
EOF

# p99 of a lognormal (median 35, sigma 0.3) is 35 exp(0.3 * 2.3263) =
# 70.33; with 3% of requests 5-10 times slower it sits among those.
truth --scenario tail
expect "tail: p99 of product look-ups" <<EOF
$R:"tail","key":"catalog GET /api/products/{id}","service":"catalog","metric":"latency_p99","start":"2026-11-26T12:00:00.000Z","developed":"2026-11-26T12:30:00.000Z","end":null,"baseline":70.3338,"peak":302.079}
EOF

truth --scenario service-wide
expect "service-wide: every checkout endpoint, latency and errors" <<EOF
$R:"service-wide","key":"checkout GET /api/orders/{id}","service":"checkout","metric":"latency","start":"2026-11-26T12:00:00.000Z","developed":"2026-11-26T12:10:00.000Z","end":null,"baseline":120,"peak":216}
$R:"service-wide","key":"checkout GET /api/orders/{id}","service":"checkout","metric":"error_rate","start":"2026-11-26T12:00:00.000Z","developed":"2026-11-26T12:10:00.000Z","end":null,"baseline":0.002,"peak":0.02}
$R:"service-wide","key":"checkout POST /api/orders","service":"checkout","metric":"latency","start":"2026-11-26T12:00:00.000Z","developed":"2026-11-26T12:10:00.000Z","end":null,"baseline":210,"peak":378}
$R:"service-wide","key":"checkout POST /api/orders","service":"checkout","metric":"error_rate","start":"2026-11-26T12:00:00.000Z","developed":"2026-11-26T12:10:00.000Z","end":null,"baseline":0.003,"peak":0.02}
$R:"service-wide","key":"checkout GET /api/cart","service":"checkout","metric":"latency","start":"2026-11-26T12:00:00.000Z","developed":"2026-11-26T12:10:00.000Z","end":null,"baseline":45,"peak":81}
$R:"service-wide","key":"checkout GET /api/cart","service":"checkout","metric":"error_rate","start":"2026-11-26T12:00:00.000Z","developed":"2026-11-26T12:10:00.000Z","end":null,"baseline":0.001,"peak":0.02}
EOF

truth --scenario recovery
expect "recovery: 30 minutes of trouble, then an end time" <<EOF
$R:"recovery","key":"payments POST /api/payments","service":"payments","metric":"latency","start":"2026-11-26T12:00:00.000Z","developed":"2026-11-26T12:00:00.000Z","end":"2026-11-26T12:30:00.000Z","baseline":240,"peak":480}
$R:"recovery","key":"payments POST /api/payments","service":"payments","metric":"error_rate","start":"2026-11-26T12:00:00.000Z","developed":"2026-11-26T12:00:00.000Z","end":"2026-11-26T12:30:00.000Z","baseline":0.002,"peak":0.03}
EOF

truth --scenario none
is "$(lines "$T/t")" 0 "none: no truth records"
truth
is "$(lines "$T/t")" 0 "no --scenario is none"

# --- placement, size and target options ----------------------------------------

truth --scenario latency-ramp --degrade-last 3h
expect "--degrade-last 3h: starts three hours before the end" <<EOF
$R:"latency-ramp","key":"checkout GET /api/orders/{id}","service":"checkout","metric":"latency","start":"2026-11-26T21:00:00.000Z","developed":"2026-11-26T21:05:00.000Z","end":null,"baseline":120,"peak":1100}
EOF

truth --scenario step --degrade-at 6h30m15s --degrade-for 90m --target 'GET /api/cart'
expect "--degrade-at, --degrade-for and a service-less --target" <<EOF
$R:"step","key":"checkout GET /api/cart","service":"checkout","metric":"latency","start":"2026-11-26T06:30:15.000Z","developed":"2026-11-26T06:30:15.000Z","end":"2026-11-26T08:00:15.000Z","baseline":45,"peak":90}
EOF

truth --scenario latency-ramp --ramp 20m --magnitude 600 --hours 2
expect "--ramp, --magnitude in ms, middle of a 2 h span" <<EOF
$R:"latency-ramp","key":"checkout GET /api/orders/{id}","service":"checkout","metric":"latency","start":"2026-11-26T01:00:00.000Z","developed":"2026-11-26T01:20:00.000Z","end":null,"baseline":120,"peak":600}
EOF

# A degradation that ends before its ramp is done peaks where it ends.
truth --scenario latency-ramp --degrade-for 2m
expect "--degrade-for shorter than the ramp: developed = end, peak reached" <<EOF
$R:"latency-ramp","key":"checkout GET /api/orders/{id}","service":"checkout","metric":"latency","start":"2026-11-26T12:00:00.000Z","developed":"2026-11-26T12:02:00.000Z","end":"2026-11-26T12:02:00.000Z","baseline":120,"peak":512}
EOF

truth --scenario error-creep --magnitude 0.1 --target 'checkout POST /api/orders' \
    --degrade-at 90m --ramp 0
expect "error-creep elsewhere, --magnitude as a 5xx rate, --ramp 0" <<EOF
$R:"error-creep","key":"checkout POST /api/orders","service":"checkout","metric":"error_rate","start":"2026-11-26T01:30:00.000Z","developed":"2026-11-26T01:30:00.000Z","end":null,"baseline":0.003,"peak":0.1}
EOF

truth --scenario traffic-drop --rate-scale 2 --magnitude 0
expect "traffic-drop: rates after --rate-scale, --magnitude 0 is silence" <<EOF
$R:"traffic-drop","key":"catalog GET /api/products","service":"catalog","metric":"traffic","start":"2026-11-26T12:00:00.000Z","developed":"2026-11-26T12:00:00.000Z","end":null,"baseline":12,"peak":0}
EOF

truth --scenario service-wide --target users --magnitude 3
expect "service-wide --target users" <<EOF
$R:"service-wide","key":"users GET /api/users/{id}","service":"users","metric":"latency","start":"2026-11-26T12:00:00.000Z","developed":"2026-11-26T12:10:00.000Z","end":null,"baseline":25,"peak":75}
$R:"service-wide","key":"users GET /api/users/{id}","service":"users","metric":"error_rate","start":"2026-11-26T12:00:00.000Z","developed":"2026-11-26T12:10:00.000Z","end":null,"baseline":0.001,"peak":0.02}
$R:"service-wide","key":"users GET /api/sessions/{id}","service":"users","metric":"latency","start":"2026-11-26T12:00:00.000Z","developed":"2026-11-26T12:10:00.000Z","end":null,"baseline":12,"peak":36}
$R:"service-wide","key":"users GET /api/sessions/{id}","service":"users","metric":"error_rate","start":"2026-11-26T12:00:00.000Z","developed":"2026-11-26T12:10:00.000Z","end":null,"baseline":0.0005,"peak":0.02}
EOF

run inject --start 2026-11-26T01:00:00.500+01:00 --hours 1 --events 0 --truth - \
    --scenario step
has "$OUT" '"start":"2026-11-26T00:30:00.000Z"' \
    "--start with an offset; the default start is floored to the minute"

# --- --truth - ----------------------------------------------------------------

run inject --start $S --hours 0.1 --scenario step --truth -
is_rc 0 "--truth -: exit 0"
is "$(head -n 1 "$OUT" | jq -r .type)" truth "--truth -: the records come first"
is "$(grep -vc '"type"' "$OUT")" "$(inject --start $S --hours 0.1 --scenario step | wc -l | tr -d ' ')" \
    "--truth -: then the same events"

# --- noise ---------------------------------------------------------------------

truth --no-noise --scenario step
is "$(lines "$T/n")" 0 "--no-noise: no noise records"

# Thirty days at the documented densities: 3 bursts, 4 GC pauses and 2
# deploys per day, Poisson; 5 standard deviations either side.
truth --hours 720 --seed 5
is_rc 0 "thirty days of noise: exit 0"
jq -r '[.kind, .start] | @tsv' "$T/n" | sort -u | cut -f1 | sort | uniq -c |
    awk '{ print $2, $1 }' >"$T/counts"
for kd in burst:90 gc-pause:120 deploy:60; do
	k=${kd%%:*} m=${kd#*:}
	c=$(awk -v k="$k" '$1 == k { print $2 }' "$T/counts")
	if awk -v n="${c:-0}" -v m="$m" 'BEGIN { exit !((n - m)^2 <= 25 * m) }'; then
		ok 0 "30 days: about $m $k episodes ($c)"
	else
		ok 1 "30 days: about $m $k episodes"; diag "got ${c:-0}"
	fi
done

cat >"$T/shape.jq" <<'EOF'
def secs: sub("\\.000Z$"; "Z") | fromdate;
select(
  (.end | secs) - (.start | secs) as $d
  | .kind as $k
  | ((.start | endswith(":00.000Z") or test("[0-9]\\.000Z$")) | not)
    or ($k == "burst" and ($d < 60 or $d > 120))
    or ($k == "gc-pause" and ($d < 10 or $d > 20))
    or ($k == "deploy" and $d != 60)
    or .start < "2026-11-26" or .end > "2026-12-26"
    or .key == "reports GET /api/reports/export")
EOF
run jq -c -f "$T/shape.jq" "$T/n"
is "$(lines "$OUT")" 0 "noise: whole seconds, documented durations, in the span, busy keys"
is "$(jq -r .start "$T/n" | sort -c && echo sorted)" sorted "noise records come in time order"
jq -c 'select(.kind == "deploy")' "$T/n" | jq -r '.start + " " + .service' | sort |
    uniq -c | awk '{ print $3, $1 }' | sort -u >"$T/deploys"
is "$(awk '($1 == "checkout" && $2 != 3) || ($1 == "payments" && $2 != 2) ||
    ($1 == "catalog" && $2 != 3) || ($1 == "users" && $2 != 2) || ($1 == "gateway" && $2 != 1)' \
    "$T/deploys" | wc -l | tr -d ' ')" 0 "a deploy has one record per endpoint of its service"

# Noise stays 15 minutes clear of the degradation window, for any seed.
bad=0
for seed in 1 2 3 4 5 6 7 8; do
	truth --seed $seed --scenario recovery --degrade-at 6h --degrade-for 6h
	jq -r '.start + " " + .end' "$T/n" >"$T/w"
	awk '$2 > "2026-11-26T05:45" && $1 < "2026-11-26T12:15"' "$T/w" >>"$T/overlap"
	c=$(lines "$T/w")
	[ "$c" -gt 0 ] || bad=1
done
is "$(cat "$T/overlap")" "" "noise never comes near the degradation window"
is "$bad" 0 "noise does occur outside it"

truth --seed 3 --scenario latency-creep
jq -r .end "$T/n" | sort | tail -n 1 >"$T/last"
if [ "$(cat "$T/last")" \< "2026-11-26T11:45:00.001Z" ]; then
	ok 0 "a degradation to the end keeps noise before it"
else
	ok 1 "a degradation to the end keeps noise before it"; diag "$(cat "$T/last")"
fi

truth --seed 9 --hours 48
cp "$T/n" "$T/n1"
truth --seed 9 --hours 48 --rate-scale 0.1 --no-diurnal
same "$T/n" "$T/n1" "noise placement does not depend on --rate-scale or --no-diurnal"
truth --seed 10 --hours 48
if cmp -s "$T/n" "$T/n1"; then ok 1 "another seed, other noise"
else ok 0 "another seed, other noise"; fi

done_testing
