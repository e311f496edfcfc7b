#!/bin/sh
# correlate: independence, --solo, lifecycle with a stable id, hysteresis,
# service grouping, severity rules, forwarding and determinism.
. "$(dirname "$0")/lib.sh"

# sig KEY METRIC DETECTOR HH:MM VALUE BASELINE [EXTRA-MEMBERS]
sig() {
	printf '{"type":"signal","key":"%s","at":"2026-11-26T%s:00.000Z","metric":"%s","detector":"%s","value":%s,"baseline":%s,"since":"2026-11-26T14:00:00.000Z"%s}\n' \
	    "$1" "$4" "$2" "$3" "$5" "$6" "${7:+,$7}"
}
win() { printf '{"type":"window","key":"x","end":"2026-11-26T%s:00.000Z"}\n' "$1"; }
K='checkout GET /api/orders/{id}'
alerts() { jq -c 'select(.type == "alert") | [.state, .severity, .id, (.keys | length)]' "$OUT" | tr -d '"'; }

# Two independent signals (different metric) fire.
{ sig "$K" latency_p95 cusum 14:10 200 100; sig "$K" error_rate binomial 14:12 0.01 0.002; } >"$T/two"
run correlate "$T/two"
is_rc 0 "two signals: exit 0"
is "$(alerts)" "[firing,warning,$(jq -r 'select(.type=="alert").id' "$OUT"),1]" "two independent signals fire one warning alert"
is "$(jq -r 'select(.type=="alert") | .started + " " + .at + " " + .key + " " + .service' "$OUT")" \
    "2026-11-26T14:00:00.000Z 2026-11-26T14:12:00.000Z $K checkout" "started is the earliest since, at the clock, service from the key"
is "$(jq -r 'select(.type=="alert") | [.signals[] | .metric] | join(",")' "$OUT")" "error_rate,latency_p95" "the supporting signals, whole, sorted"

# One signal does not fire; nor do two of the same metric and family.
run correlate "$T/two" --min-signals 3
is "$(lines "$OUT")" 0 "--min-signals 3: two signals do not fire"
sig "$K" latency_p95 cusum 14:10 200 100 | run correlate
is "$(lines "$OUT")" 0 "one signal does not fire"
{ sig "$K" latency_p95 level 14:10 200 100; sig "$K" latency_p95 zscore 14:11 200 100; } | run correlate
is "$(lines "$OUT")" 0 "same metric, same family (level, zscore) is one piece of evidence"
{ sig "$K" latency_p95 level 14:10 200 100; sig "$K" latency_p95 cusum 14:11 200 100; } | run correlate
is "$(alerts | cut -d, -f1)" "[firing" "same metric, different family (level, cusum) fires"
{ sig "$K" latency_p95 cusum 14:10 200 100; sig "$K" latency_p99 cusum 14:11 400 150; } | run correlate
is "$(alerts | cut -d, -f1)" "[firing" "same family, different metric (p95, p99) fires"
{ sig "$K" latency_p95 cusum 14:00 200 100; sig "$K" error_rate binomial 14:11 0.01 0.002; } | run correlate
is "$(lines "$OUT")" 0 "signals 11 minutes apart do not agree within 10m"
{ sig "$K" latency_p95 cusum 14:00 200 100; sig "$K" error_rate binomial 14:11 0.01 0.002; } | run correlate --within 15m
is "$(alerts | cut -d, -f1)" "[firing" "--within 15m joins them"
{ sig "$K" latency_p95 cusum 14:10 200 100; sig "$K" latency_p95 cusum 14:11 200 100 '"state":"cleared"'; sig "$K" error_rate binomial 14:12 0.01 0.002; } | run correlate
is "$(lines "$OUT")" 0 "a cleared signal no longer counts"
{ sig "$K" latency_p95 cusum 14:10 50 100 '"direction":"down"'; sig "$K" error_rate binomial 14:12 0.01 0.002; } | run correlate
is "$(lines "$OUT")" 0 "latency going down is benign and does not count"
{ sig "$K" latency_p95 cusum 14:10 200 100; sig "other GET /b" error_rate binomial 14:12 0.01 0.002; } | run correlate
is "$(lines "$OUT")" 0 "signals on different services do not combine"

# --solo
sig "$K" error_rate binomial 14:10 0.6 0.002 '"count":500' | run correlate --no-solo
is "$(lines "$OUT")" 0 "with --no-solo a single signal never fires"
sig "$K" error_rate binomial 14:10 0.6 0.002 '"count":500' | run correlate
is "$(alerts | cut -d, -f1,2)" "[firing,critical" "by default: error rate 60% of 500 requests fires alone, critical"
sig "$K" count traffic 14:10 15 100 '"direction":"down","expected":100,"windows":4' | run correlate
is "$(alerts | cut -d, -f1,2)" "[firing,warning" "by default: traffic at 15% of expected for 4 windows fires alone, warning"
sig "$K" count traffic 14:10 15 100 '"direction":"down","expected":100,"windows":2' | run correlate
is "$(lines "$OUT")" 0 "by default: traffic at 15% of expected for 2 windows is not enough"
sig "$K" count traffic 14:10 25 100 '"direction":"down","expected":100,"windows":4' | run correlate
is "$(lines "$OUT")" 0 "by default: traffic at 25% of expected is above the 20% bar"
sig "$K" latency_p99 level 14:10 300 100 '"score":25' | run correlate
is "$(lines "$OUT")" 0 "by default: a score of 25 alone is not enough (that is --solo)"
sig "$K" error_rate binomial 14:10 0.6 0.002 '"count":500' | run correlate --solo
is "$(alerts | cut -d, -f1,2)" "[firing,critical" "--solo: error rate 60% of 500 requests fires alone, critical"
sig "$K" error_rate binomial 14:10 0.6 0.002 '"count":5' | run correlate --solo
is "$(lines "$OUT")" 0 "--solo: 60% of 5 requests is not enough"
sig "$K" error_rate binomial 14:10 0.4 0.002 '"count":500' | run correlate --solo
is "$(lines "$OUT")" 0 "--solo: 40% is below the 50% bar"
sig "$K" count traffic 14:10 2 100 '"direction":"down","expected":100' | run correlate --solo
is "$(alerts | cut -d, -f1,2)" "[firing,critical" "--solo: traffic at 2% of expected fires alone"
sig "$K" count traffic 14:10 0 3 '"direction":"down","expected":3' | run correlate --solo
is "$(lines "$OUT")" 0 "--solo: traffic gone from 3 expected requests is weak evidence"
sig "$K" latency_p99 level 14:10 300 100 '"score":25' | run correlate --solo
is "$(alerts | cut -d, -f1)" "[firing" "--solo: a score of 25 fires alone"
sig "$K" latency_p99 level 14:10 300 100 '"score":25' | run correlate --solo --solo-score 30
is "$(lines "$OUT")" 0 "--solo-score 30 raises the bar"

# Lifecycle: firing, updated on severity change only, resolved after the
# quiet period, with one id.
{
	sig "$K" latency_p95 cusum 14:10 200 100
	sig "$K" error_rate binomial 14:11 0.01 0.002
	sig "$K" latency_p95 cusum 14:12 210 100	# same severity: nothing
	sig "$K" latency_p95 cusum 14:13 350 100	# 3.5x: critical
	sig "$K" latency_p95 cusum 14:14 150 100	# lower: severity stays
	win 14:23
	win 14:24
	win 14:30
} >"$T/life"
run correlate --no-forward "$T/life"
is_rc 0 "lifecycle: exit 0"
is "$(jq -r '.state + " " + .severity' "$OUT" | tr '\n' ' ')" \
    "firing warning updated critical resolved critical " "firing, updated on the severity change, resolved"
is "$(jq -r .id "$OUT" | sort -u | wc -l | tr -d ' ')" 1 "one stable id across the lifecycle"
is "$(jq -r 'select(.state == "resolved") | .resolved_at + " " + .at' "$OUT")" \
    "2026-11-26T14:24:00.000Z 2026-11-26T14:24:00.000Z" "resolved_at = last supporting signal + 10m"
id=$(jq -r .id "$OUT" | head -1)
is "$(printf '%s\n' "$id" | grep -Ec '^[0-9a-f]{8}$')" 1 "the id is 8 hex digits"
run correlate --no-forward --resolve-after 20m "$T/life"
is "$(jq -r .state "$OUT" | tr '\n' ' ')" "firing updated " "--resolve-after 20m: still open at the end of input"
run correlate "$T/life"
is "$(jq -c 'select(.type == "window")' "$OUT" | wc -l | tr -d ' ')" 3 "other records are forwarded"
is "$(jq -r '.type' "$OUT" | tr '\n' ' ')" "alert alert window alert window window " \
    "a resolve due at a record's time comes before that record"

# The quiet period is closed: a supporting signal at its very end (one
# window missing between two) keeps the incident open; any other record
# at that time resolves it (above).
{
	sig "$K" latency_p95 cusum 14:10 200 100
	sig "$K" error_rate binomial 14:11 0.01 0.002
	sig "$K" latency_p95 cusum 14:21 210 100
	win 14:40
} >"$T/edge"
run correlate --no-forward "$T/edge"
is "$(jq -r '.state + " " + .at' "$OUT" | tr '\n' ' ')" \
    "firing 2026-11-26T14:11:00.000Z resolved 2026-11-26T14:31:00.000Z " \
    "a signal exactly --resolve-after after the last one still supports the incident"

# The quiet must be seen: when the next record after the last support is
# a signal of the incident an hour later (the series' windows come that
# sparsely), the stream said nothing in between and the incident stays
# open; a window record in between shows the quiet, and it resolves.
{
	sig "$K" latency_p95 cusum 14:10 200 100
	sig "$K" error_rate binomial 14:11 0.01 0.002
	sig "$K" latency_p95 cusum 15:11 210 100
	win 15:30
} >"$T/gap"
run correlate --no-forward "$T/gap"
is "$(jq -r '.state + " " + .at' "$OUT" | tr '
' ' ')" \
    "firing 2026-11-26T14:11:00.000Z resolved 2026-11-26T15:21:00.000Z " \
    "a signal after an hour with no record at all keeps the incident open"
{
	sig "$K" latency_p95 cusum 14:10 200 100
	sig "$K" error_rate binomial 14:11 0.01 0.002
	win 14:15
	win 14:22
	sig "$K" latency_p95 cusum 15:11 210 100
} >"$T/gap"
run correlate --no-forward "$T/gap"
is "$(jq -r '.state + " " + .at' "$OUT" | tr '\n' ' ')" \
    "firing 2026-11-26T14:11:00.000Z resolved 2026-11-26T14:21:00.000Z " \
    "records past the quiet period resolve it, before the signal after them"
{
	sig "$K" latency_p95 cusum 14:10 200 100
	sig "$K" error_rate binomial 14:11 0.01 0.002
	sig "other GET /b" latency_p95 cusum 15:11 210 100
} >"$T/gap"
run correlate --no-forward "$T/gap"
is "$(jq -r '.state + " " + .at' "$OUT" | tr '\n' ' ')" \
    "firing 2026-11-26T14:11:00.000Z resolved 2026-11-26T14:21:00.000Z " \
    "a signal of another key after the gap does not keep it open"

# Hysteresis: firing again soon after resolving reopens the same incident.
{
	cat "$T/life"
	sig "$K" latency_p95 cusum 14:40 200 100 '"since":"2026-11-26T14:38:00.000Z"'
	sig "$K" error_rate binomial 14:41 0.01 0.002 '"since":"2026-11-26T14:39:00.000Z"'
} >"$T/reopen"
run correlate --no-forward "$T/reopen"
is "$(jq -r '.state' "$OUT" | tr '\n' ' ')" "firing updated resolved firing " "a second burst 16 minutes later reopens"
is "$(jq -r .id "$OUT" | sort -u | wc -l | tr -d ' ')" 1 "with the same id"
is "$(jq -r 'select(.reopened) | .reopened' "$OUT")" 1 "and says it reopened"
run correlate --no-forward --reopen 0 "$T/reopen"
is "$(jq -r .id "$OUT" | sort -u | wc -l | tr -d ' ')" 2 "--reopen 0: a new incident, a new id"

# Grouping: endpoints of one service become one alert.
{
	sig "checkout GET /a" latency_p95 cusum 14:10 200 100
	sig "checkout GET /a" error_rate binomial 14:10 0.01 0.002
	sig "checkout POST /b" latency_p95 cusum 14:11 200 100
	sig "checkout POST /b" error_rate binomial 14:12 0.01 0.002
	sig "search GET /q" latency_p95 cusum 14:12 200 100
	sig "search GET /q" latency_p50 level 14:12 200 100
	sig "checkout GET /c" latency_p95 level 14:13 200 100
	sig "checkout GET /c" latency_p99 level 14:13 200 100
} >"$T/group"
run correlate "$T/group"
is "$(jq -c '[.state, .service, .key, .keys, .severity]' "$OUT" | tr -d '"')" \
"[firing,checkout,checkout GET /a,[checkout GET /a],warning]
[updated,checkout,checkout GET /a,[checkout GET /a,checkout POST /b],warning]
[firing,search,search GET /q,[search GET /q],warning]
[updated,checkout,checkout GET /a,[checkout GET /a,checkout POST /b,checkout GET /c],critical]" \
    "endpoints join their service's alert; a third makes it critical"
run correlate --no-group "$T/group"
is "$(jq -r 'select(.state == "firing") | .key' "$OUT" | wc -l | tr -d ' ')" 4 "--no-group: one alert per key"
{
	sig "GET /a" latency_p95 cusum 14:10 200 100
	sig "GET /a" error_rate binomial 14:10 0.01 0.002
	sig "GET /b" latency_p95 cusum 14:10 200 100
	sig "GET /b" error_rate binomial 14:10 0.01 0.002
} | run correlate
is "$(jq -r '.state + " " + .key + " " + (has("service") | tostring)' "$OUT" | tr '\n' ' ')" \
    "firing GET /a false firing GET /b false " "keys without a service are not grouped"

# Severity rules, one case each.
sev() { run correlate --no-forward; jq -r .severity "$OUT" | head -1; }
is "$({ sig "$K" latency_p95 cusum 14:10 140 100; sig "$K" latency_p99 cusum 14:10 140 100; } | sev)" info "latency 1.4x: info"
is "$({ sig "$K" latency_p95 cusum 14:10 150 100; sig "$K" latency_p99 cusum 14:10 140 100; } | sev)" warning "latency 1.5x: warning"
is "$({ sig "$K" latency_p95 cusum 14:10 300 100; sig "$K" latency_p99 cusum 14:10 140 100; } | sev)" critical "latency 3x: critical"
is "$({ sig "$K" error_rate binomial 14:10 0.019 0.002; sig "$K" latency_p99 cusum 14:10 140 100; } | sev)" info "errors 1.9%: info"
is "$({ sig "$K" error_rate binomial 14:10 0.02 0.002; sig "$K" latency_p99 cusum 14:10 140 100; } | sev)" warning "errors 2%: warning"
is "$({ sig "$K" error_rate binomial 14:10 0.1 0.002; sig "$K" latency_p99 cusum 14:10 140 100; } | sev)" critical "errors 10%: critical"
is "$({ sig "$K" count traffic 14:10 50 100 '"direction":"down"'; sig "$K" latency_p99 cusum 14:10 140 100; } | sev)" warning "traffic at 50%: warning"
is "$({ sig "$K" count traffic 14:10 10 100 '"direction":"down"'; sig "$K" latency_p99 cusum 14:10 140 100; } | sev)" critical "traffic at 10%: critical"
is "$({ sig "$K" count traffic 14:10 600 100 '"direction":"up"'; sig "$K" latency_p95 cusum 14:10 140 100; sig "$K" latency_p99 cusum 14:10 140 100; } | sev)" warning "traffic surge 6x: warning"
# A surge is load, not evidence: with one latency signal it is no
# incident (a burst the service absorbs), with two it is.
{ sig "$K" count traffic 14:10 300 100 '"direction":"up"'; sig "$K" latency_p50 cusum 14:10 120 100; } | run correlate --no-forward
is "$(cat "$OUT")" "" "a 3x burst and one latency signal: no alert"
{ sig "$K" count traffic 14:10 300 100 '"direction":"up"'; sig "$K" latency_p50 cusum 14:10 120 100; sig "$K" latency_p95 level 14:10 130 100; } | run correlate --no-forward
is "$(jq -r '"\(.state) \([.signals[].detector] | join(","))"' "$OUT")" "firing traffic,cusum,level" "with a second latency signal it is, and keeps the surge as context"
is "$({ sig "$K" error_rate slo_burn 14:10 0.02 0.002 '"burn_rate":15'; sig "$K" latency_p99 cusum 14:10 140 100; } | sev)" critical "burn rate 15: critical"
is "$({ sig "$K" latency_p95 cusum 14:10 140 100; sig "$K" latency_p99 cusum 14:10 140 100; sig "$K" latency_p50 level 14:10 140 100; } | run correlate; jq -r '.state + " " + .severity' "$OUT" | tr '\n' ' ')" \
    "firing info updated warning " "a third independent signal: one step up, as an update"

# Byte-identical output for the same input.
correlate "$T/reopen" >"$T/a"
correlate <"$T/reopen" >"$T/b"
same "$T/a" "$T/b" "same input, same bytes"

run correlate -h
is_rc 0 "-h exits 0"
has "$OUT" "^usage: correlate" "-h prints the usage on stdout"
run correlate --within 5x
is_rc 2 "a bad duration is a usage error"
has "$ERR" "--within: '5x' is not a duration" "and says so"
run correlate --min-signals 0
is_rc 2 "--min-signals 0 is a usage error"
run correlate --bogus
is_rc 2 "an unknown option is a usage error"
run correlate "$T/nonexistent"
is_rc 1 "a missing file exits 1"
# detect's watermarks move the clock, then go on, after the alerts their
# time made due, so that alert(1) downstream keeps time too.
wm() { printf '{"type":"watermark","at":"2026-11-26T%s:00.000Z"}\n' "$1"; }
{ sig "$K" latency_p95 cusum 14:10 200 100; sig "$K" error_rate binomial 14:12 0.01 0.002
  wm 14:13; wm 14:30; } | run correlate
is "$(jq -r '.type + " " + (.state // "") + " " + .at[11:16]' "$OUT" | tr '\n' ,)" \
    "alert firing 14:12,watermark  14:13,alert resolved 14:22,watermark  14:30," \
    "watermarks are forwarded after the alerts they make due"
{ sig "$K" latency_p95 cusum 14:10 200 100; wm 14:13; } | run correlate --no-forward
is "$(grep -c watermark "$OUT")" 0 "--no-forward drops them"
# Wide windows: an active detector writes one signal a window, so an
# incident stays open for two windows of its last support, not only
# --resolve-after (10m): 30-minute windows neither resolve nor reopen it
# between two signals.
for t in 10:00 10:30 11:00 11:30; do
	printf '{"type":"signal","key":"svc GET /w","at":"2026-11-26T%s:00Z","metric":"value","detector":"level","direction":"up","value":9,"baseline":1,"width_s":1800%s}\n' \
	    "$t" "$( [ "$t" = 11:30 ] && echo ',"state":"cleared"')"
done >"$T/wide"
run correlate --min-signals 1 --no-forward "$T/wide"
is "$(jq -r '"\(.state) \(.at)"' "$OUT" | tr '\n' ' ')" \
    "firing 2026-11-26T10:00:00.000Z resolved 2026-11-26T11:30:00.000Z " \
    "30-minute windows: one incident, resolved by the clearing"
# A detector that takes over in the window in which the last one clears
# keeps the incident open, whatever the order of that window's signals:
# the clearing resolves it only once the instant is over (a watermark of
# its time, any later record, or the end of the input).
vsig() {	# HH:MM DETECTOR [cleared]
	printf '{"type":"signal","key":"svc GET /t","at":"2026-11-26T%s:00Z","metric":"value","detector":"%s","direction":"up","value":9,"baseline":1,"width_s":300%s}\n' \
	    "$1" "$2" "${3:+,\"state\":\"cleared\"}"
}
{ vsig 10:00 cusum; wm 10:00; vsig 10:05 cusum; wm 10:05
  vsig 10:10 cusum cleared; vsig 10:10 novel; wm 10:10
  vsig 10:15 novel cleared; wm 10:15; wm 10:20; } >"$T/takeover"
run correlate --min-signals 1 "$T/takeover"
is "$(jq -r 'select(.type == "alert") | "\(.state) \(.at[11:16]) \(.reopened // 0)"' "$OUT" | tr '\n' ,)" \
    "firing 10:00 0,resolved 10:15 0," \
    "a signal in the instant the last one clears keeps the incident open: one page"
is "$(jq -r '.type + " " + .at[11:16]' "$OUT" | grep -B1 'watermark 10:15' | tr '\n' ,)" \
    "alert 10:15,watermark 10:15," "the clearing's resolve comes before the watermark of its instant"
{ vsig 10:00 cusum; vsig 10:05 cusum; vsig 10:10 novel; vsig 10:10 cusum cleared; wm 10:10
  vsig 10:15 novel cleared; } | run correlate --min-signals 1 --no-forward
is "$(jq -r '"\(.state) \(.at[11:16])"' "$OUT" | tr '\n' ,)" \
    "firing 10:00,resolved 10:15," "the other order gives the same alerts, resolved at the end of the input"
{ vsig 10:00 cusum; vsig 10:05 cusum; vsig 10:10 cusum cleared; vsig 10:12 novel; } |
    run correlate --min-signals 1 --no-forward
is "$(jq -r '"\(.state) \(.at[11:16])"' "$OUT" | tr '\n' ,)" \
    "firing 10:00,resolved 10:10,firing 10:12," \
    "a signal after the instant is a new episode: resolved at the clearing, before it"
# An SLO burning so fast that most requests fail it alerts alone (an
# endpoint answering 502 to everything from its first minute); one at
# which 2% fail does not.
slo() {	# BURN COUNT
	printf '{"type":"signal","key":"svc GET /b","at":"2026-11-26T10:05:00Z","metric":"slo_availability","detector":"slo_burn","direction":"up","value":%s,"baseline":1,"count":%s,"burn_rate":%s,"objective":0.999,"factor":14.4,"windows":1}\n' "$1" "$2" "$1"
}
slo 1000 500 | run correlate --no-forward
is "$(jq -r '"\(.state) \(.severity)"' "$OUT")" "firing critical" "burn 1000 on 99.9% (all requests fail) alerts alone"
slo 20 500 | run correlate --no-forward
is "$(cat "$OUT")" "" "burn 20 (2% fail) does not"
slo 1000 5 | run correlate --no-forward
is "$(cat "$OUT")" "" "nor burn 1000 over 5 requests"
slo 1000 500 | run correlate --no-forward --no-solo
is "$(cat "$OUT")" "" "nor with --no-solo"
done_testing
