#!/bin/sh
# detect's floors: an endpoint broken from its first minute (every
# request a 502, or every request 30 s) alerts within two minutes with
# default flags, though no baseline has been learned; the failure is not
# learned as normal; per-key rules move a floor.
. "$(dirname "$0")/lib.sh"

# windows KEY MINUTES ERRORS P50 P95: one-minute windows of 100 requests.
windows() {
	awk -v key="$1" -v n="$2" -v e="$3" -v p50="$4" -v p95="$5" -v from="${6:-0}" 'BEGIN {
		for (i = from; i < from + n; i++)
			printf "{\"type\":\"window\",\"key\":\"%s\",\"start\":\"%s\",\"width_s\":60,\"count\":100,\"errors\":%d,\"latency_ms\":{\"p50\":%s,\"p95\":%s,\"p99\":%s}}\n",
			    key, strftime("%Y-%m-%dT%H:%M:%SZ", 1795996800 + i * 60, 1), e, p50, p95, p95 * 1.2
	}'
}

windows "svc GET /x" 30 100 5 9 >"$T/502"
run detect "$T/502"
is_rc 0 "detect on an endpoint answering 502 to everything"
has "$OUT" '"at":"2026-11-30T00:02:00.000Z","metric":"error_rate","detector":"floor","direction":"up","value":1,"baseline":0.5,' \
    "a floor signal on the error rate at its second minute"
detect "$T/502" | correlate >"$T/a"
is "$(jq -r 'select(.type == "alert") | "\(.state) \(.severity) \(.at)"' "$T/a")" \
    "firing critical 2026-11-30T00:02:00.000Z" "correlate alerts on it with default flags"
detect --floor-error-rate 1.5 "$T/502" | correlate >"$T/a"
is "$(jq -r 'select(.type == "alert") | .state' "$T/a")" "" "without the floor it never would (the baseline learns the 502s)"

windows "svc GET /slow" 30 0 30000 31000 >"$T/slow"
detect "$T/slow" | correlate >"$T/a"
is "$(jq -r 'select(.type == "alert") | "\(.state) \([.signals[].metric] | sort | join(","))"' "$T/a")" \
    "firing latency_p50,latency_p95" "every request 30 s: the median and p95 floors agree"
detect --floor-latency 'svc GET /sl*=1m' "$T/slow" | correlate >"$T/a"
is "$(jq -r 'select(.type == "alert") | .state' "$T/a")" "" "a per-key rule of 1m: 30 s is that key's normal"
detect --floor-latency 'other *=1m' --floor-latency 40s --floor-latency 'svc *=20s' "$T/slow" |
    correlate >"$T/a"
is "$(jq -r 'select(.type == "alert") | .state' "$T/a")" "firing" "the last matching rule wins over the default"

# Broken for 40 minutes, then healthy for 60: the 502s were not learned,
# so the baseline of the error rate after them is that of the healthy
# windows, and a second break is a binomial signal too.
{ windows "svc GET /x" 40 100 5 9; windows "svc GET /x" 60 0 5 9 40; windows "svc GET /x" 5 100 5 9 100; } >"$T/again"
run detect "$T/again"
is "$(jq -r 'select(.type == "signal" and .detector == "floor" and .state == "cleared") | .at' "$OUT")" \
    "2026-11-30T00:43:00.000Z" "the floor clears 3 minutes after the endpoint recovers"
is "$(jq -r 'select(.type == "signal" and .detector == "binomial") | "\(.at) \(.context.error_rate.baseline)"' "$OUT" | head -1)" \
    "2026-11-30T01:43:00.000Z 0" "the second break is measured against 0 errors: the 502s were never learned"
run detect --floor-error-rate 1.5 "$T/again"
is "$(jq -r 'select(.type == "signal" and .detector == "binomial") | "\(.at) \(.context.error_rate.baseline)"' "$OUT" | head -1)" \
    "2026-11-30T01:44:00.000Z 0.402692" "without the floor they were: 40% errors were the baseline"

run detect --floor-error-rate '=0.5' "$T/502"
is_rc 2 "an empty key pattern is refused"
has "$ERR" "floor-error-rate: '=0.5': the key pattern is empty" "with a message"
run detect --floor-latency 'x=soon' "$T/502"
is_rc 2 "a bad duration is refused"
done_testing
