#!/bin/sh
# t2020-inject-scenarios: each scenario of inject(1) changes its target,
# in its window, by its size, and leaves every other key alone.
#
# One flat hour (no noise, no diurnal cycle) per scenario; the degradation
# starts at 00:20 and ramps over 10 minutes, so "pre" is [00:00, 00:20)
# and "full" [00:30, 01:00).  Bands are 5 standard errors wide or more:
# runs are deterministic, so a pass is a pass for good, and a failure
# means the model moved, not bad luck.
. "$(dirname "$0")/lib.sh"

D=2026-11-26T00
RUN="--start ${D}:00:00Z --hours 1 --no-noise --no-diurnal --degrade-at 20m --seed 11"

# stats FILE [P0 P1 F0 F1]: per key and phase statistics into $T/st.
stats() {
	awk -f "$FIX/inject-stats.awk" -v p0="${2:-$D:00}" -v p1="${3:-$D:20}" \
	    -v f0="${4:-$D:30}" -v f1="${5:-2026-11-26T01:00}" -v med=35 -v slow=140 \
	    "$1" >"$T/st"
}

# val KEY PHASE FIELD: fields 3 n, 4 5xx, 6 median, 8 below, 9 above,
# 10 error rate.
val() {
	awk -F'|' -v k="$1" -v p="$2" -v f="$3" '$1 == k && $2 == p { print $f }' "$T/st"
}

within() {	# within VALUE LO HI DESCRIPTION
	if awk -v x="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(x != "" && x >= lo && x <= hi) }'; then
		ok 0 "$4"
	else
		ok 1 "$4"; diag "got '$1', expected $2 .. $3"
	fi
}

# unchanged DESCRIPTION [SKIP [DPRE DFULL]]: every key but SKIP (a key,
# or a service followed by a space to skip all its keys) with
# at least 500 requests in each phase keeps its traffic rate, median
# latency and 5xx rate from "pre" to "full", within 5 standard errors;
# DPRE and DFULL are the phases' lengths in seconds.
unchanged() {
	awk -F'|' -v skip="${2:-}" -v dpre="${3:-1200}" -v dfull="${4:-1800}" '
	skip != "" && ($1 == skip || (skip ~ / $/ && index($1, skip) == 1)) { next }
	{ n[$1, $2] = $3; e[$1, $2] = $4; m[$1, $2] = $6; sd[$1, $2] = $7; keys[$1] = 1 }
	END {
		for (k in keys) {
			n1 = n[k, "pre"]; n2 = n[k, "full"]
			if (n1 < 500 || n2 < 500)
				continue
			v = 1 / n1 + 1 / n2
			r = (n2 / dfull) / (n1 / dpre)
			if ((r - 1)^2 > 25 * v)
				print k ": traffic x" r
			s = (sd[k, "pre"] + sd[k, "full"]) / 2
			d = log(m[k, "full"] / m[k, "pre"])
			if (d^2 > 25 * s^2 * v)
				print k ": median x" exp(d)
			p = (e[k, "pre"] + e[k, "full"]) / (n1 + n2)
			d = e[k, "full"] / n2 - e[k, "pre"] / n1
			if (d^2 > 25 * p * (1 - p) * v + 1e-5)
				print k ": 5xx " e[k, "pre"] / n1 " -> " e[k, "full"] / n2
			checked++
		}
		if (checked < 5)
			print "only " checked " keys checked"
	}' "$T/st" >"$T/changed"
	is "$(cat "$T/changed")" "" "$1"
}

scenario() {	# scenario NAME ARGS...: events into $T/NAME, stats of them
	inject $RUN --scenario "$@" >"$T/$1"
	stats "$T/$1"
}

ORDERS="checkout GET /api/orders/{id}"
SEARCH="catalog GET /api/search"
PAY="payments POST /api/payments"
USERS="users GET /api/users/{id}"
PRODUCTS="catalog GET /api/products"
PRODUCT="catalog GET /api/products/{id}"

# --- none ---------------------------------------------------------------------

scenario none
unchanged "none: no key changes"

# --- latency-ramp ----------------------------------------------------------------

scenario latency-ramp --ramp 10m
within "$(val "$ORDERS" pre 6)" 115 125 "latency-ramp: orders at 120 ms before"
within "$(val "$ORDERS" full 6)" 1056 1144 "latency-ramp: orders at 1100 ms once developed"
unchanged "latency-ramp: nothing else changes" "$ORDERS"
stats "$T/latency-ramp" $D:00 $D:20 $D:24:30 $D:25:30
within "$(val "$ORDERS" full 6)" 540 680 "latency-ramp: about 610 ms half way up the ramp"

# With the same seed and no noise, a scenario changes nothing before it starts.
awk -F'"' '$4 < "2026-11-26T00:20"' "$T/none" >"$T/a"
awk -F'"' '$4 < "2026-11-26T00:20"' "$T/latency-ramp" >"$T/b"
same "$T/b" "$T/a" "latency-ramp: the events before it are those of none"

# --- latency-creep -------------------------------------------------------------------

scenario latency-creep --ramp 10m
within "$(val "$SEARCH" pre 6)" 141 159 "latency-creep: search at 150 ms before"
within "$(val "$SEARCH" full 6)" 211 239 "latency-creep: search at 225 ms once developed"
unchanged "latency-creep: nothing else changes" "$SEARCH"

# --- error-creep -----------------------------------------------------------------

scenario error-creep --ramp 10m
within "$(val "$PAY" pre 10)" 0 0.005 "error-creep: payments 5xx about 0.2% before"
within "$(val "$PAY" full 10)" 0.025 0.035 "error-creep: payments 5xx at 3% once developed"
within "$(val "$PAY" full 6)" 230 250 "error-creep: payments latency unchanged"
unchanged "error-creep: nothing else changes" "$PAY"

# --- step --------------------------------------------------------------------------

scenario step
within "$(val "$USERS" pre 6)" 23.5 26.5 "step: users at 25 ms before"
within "$(val "$USERS" full 6)" 47 53 "step: users at 50 ms after"
unchanged "step: nothing else changes" "$USERS"
stats "$T/step" $D:19 $D:20 $D:20 $D:21
within "$(awk -v a="$(val "$USERS" pre 6)" -v b="$(val "$USERS" full 6)" 'BEGIN { print b / a }')" \
    1.6 2.5 "step: the minute after 00:20 is twice as slow as the one before"

# --- traffic-drop ------------------------------------------------------------------

scenario traffic-drop
within "$(val "$PRODUCTS" pre 3)" 6775 7625 "traffic-drop: products at 6/s before"
within "$(val "$PRODUCTS" full 3)" 916 1244 "traffic-drop: products at 0.6/s after"
within "$(val "$PRODUCTS" full 6)" 76 84 "traffic-drop: products latency unchanged"
unchanged "traffic-drop: nothing else changes" "$PRODUCTS"
stats "$T/traffic-drop" $D:19 $D:20 $D:20 $D:21
within "$(val "$PRODUCTS" pre 3)" 265 455 "traffic-drop: 360 requests in the minute before"
within "$(val "$PRODUCTS" full 3)" 10 66 "traffic-drop: 36 in the minute after"

# --- tail ---------------------------------------------------------------------------

# Product look-ups: median 35 ms; 140 ms is 4.6 sd above it, so only the
# slow share (5-10 times slower) lies beyond: 3% of requests, 93% of which
# pass 140 ms.
scenario tail --ramp 10m
within "$(val "$PRODUCT" pre 9)" 0 0.001 "tail: no product look-up over 140 ms before"
within "$(val "$PRODUCT" full 9)" 0.022 0.034 "tail: 2.8% over 140 ms once developed"
within "$(val "$PRODUCT" pre 8)" 0.475 0.525 "tail: half under 35 ms before"
within "$(val "$PRODUCT" full 8)" 0.46 0.51 "tail: still about half under 35 ms: p50 stays"
unchanged "tail: nothing else changes" "$PRODUCT"

# --- service-wide --------------------------------------------------------------------

scenario service-wide --ramp 10m
for k in "$ORDERS" "checkout POST /api/orders" "checkout GET /api/cart"; do
	within "$(awk -v a="$(val "$k" pre 6)" -v b="$(val "$k" full 6)" 'BEGIN { print b / a }')" \
	    1.7 1.9 "service-wide: $k latency x1.8"
	within "$(val "$k" full 10)" 0.007 0.033 "service-wide: $k 5xx at 2%"
done
unchanged "service-wide: no other service changes" "checkout "

# --- recovery -------------------------------------------------------------------------

scenario recovery
stats "$T/recovery" $D:00 $D:20 $D:20 $D:50
within "$(val "$PAY" full 6)" 456 504 "recovery: payments at 480 ms for 30 minutes"
within "$(val "$PAY" full 10)" 0.025 0.035 "recovery: payments 5xx at 3% for 30 minutes"
unchanged "recovery: nothing else changes meanwhile" "$PAY" 1200 1800
stats "$T/recovery" $D:00 $D:20 $D:50 2026-11-26T01:00
unchanged "recovery: everything is back to normal after it" "" 1200 600

done_testing
