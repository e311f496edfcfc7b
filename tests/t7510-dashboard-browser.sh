#!/bin/sh
# dashboard in a real headless Chromium (tests/browser/probe.js, over the
# DevTools protocol on a pipe): the overview and an endpoint page of a
# store filled by inject and the pipeline, checked in the DOM; hostile
# data never runs.  Screenshots are left in $SB_ARTIFACTS when set.
. "$(dirname "$0")/lib.sh"
. "$FIX/dashboard-lib.sh"
dash_trap

# scripts/deps installs both; a machine without them fails this test
# rather than passing it unrun.
if ! command -v chromium >/dev/null 2>&1 || ! command -v node >/dev/null 2>&1; then
	ok 1 "chromium and node are installed (scripts/deps)"
	done_testing
	exit 1
fi

dash_fill "$T/db"
dash_hostile | store put -b sqlite --sqlite-path "$T/db"
nkeys=$(store query -b sqlite --sqlite-path "$T/db" --type window | jq -r .key | sort -u | wc -l)
npts=$(store query -b sqlite --sqlite-path "$T/db" --type window --key "$DASH_KEY" \
    --since 2026-11-26T00:00:00Z --until 2026-11-26T06:00:00Z |
    jq -s '[.[] | select(.latency_ms.p95 != null)] | length')
summary=$(store query -b sqlite --sqlite-path "$T/db" --type alert --key "$DASH_KEY" |
    jq -r .summary | tail -1)

dash_start -b sqlite --sqlite-path "$T/db"
mkdir -p "$T/chrome"
RC=0
TMPDIR=$T/chrome node "$TOP/tests/browser/probe.js" --shot "$T/endpoint.png" \
    "$DASH_URL/?range=6h" "$DASH_URL/endpoint?key=$DASH_KEY_Q&range=6h" \
    "$DASH_URL/alerts?key=$XSS_KEY_Q" >"$T/probe" 2>"$ERR" || RC=$?
is_rc 0 "chromium loads three pages"
sed -n 1p "$T/probe" >"$T/ov.json"
sed -n 2p "$T/probe" >"$T/ep.json"
sed -n 3p "$T/probe" >"$T/al.json"

# Overview.
is "$(jq -r .title "$T/ov.json")" "Overview — slowburn" "overview: title"
is "$(jq .rows "$T/ov.json")" "$nkeys" "overview: a row per key"
is "$(jq '[.health[] | select(test("^[0-9]+$")) | tonumber | select(. <= 100)] | length' "$T/ov.json")" \
    "$nkeys" "overview: a health score 0-100 per row"
is "$(jq -r '.keys[0]' "$T/ov.json")" "$DASH_KEY" "overview: worst first"
is "$(jq '[.polylines[] | select(.cls == "spark" and .points > 0)] | length' "$T/ov.json")" \
    "$nkeys" "overview: a sparkline per row"
is "$(jq --arg s "$summary" '[.alerts[] | select(. == $s)] | length' "$T/ov.json")" 1 \
    "overview: the alert's summary shown"
is "$(jq --arg k "$XSS_KEY" '[.keys[] | select(. == $k)] | length' "$T/ov.json")" 1 \
    "overview: the hostile key shown as text"

# Endpoint page.
is "$(jq -r .h1 "$T/ep.json")" "$DASH_KEY" "endpoint: heading"
for c in p50 p95 p99; do
	is "$(jq --arg c $c '.polylines[] | select(.cls == $c) | .points' "$T/ep.json")" \
	    "$npts" "endpoint: $c line has $npts points in the SVG DOM"
done
is "$(jq '.polylines[] | select(.cls == "err") | .points' "$T/ep.json")" "$npts" \
    "endpoint: error-rate line"
is "$(jq .band "$T/ep.json")" 1 "endpoint: baseline band"
is "$(jq '.markers >= 2' "$T/ep.json")" true "endpoint: alert markers on both charts"
is "$(jq --arg s "$summary" '.alerts == [$s]' "$T/ep.json")" true "endpoint: the alert text"
is "$(jq '.signals > 0' "$T/ep.json")" true "endpoint: signals listed"

# Nothing from the data ran or became markup.
for f in ov ep al; do
	is "$(jq -c '[.dialogs, .imgs, .scripts, .onerror, .console]' "$T/$f.json")" \
	    '[[],0,0,0,[]]' "$f: no dialog, img, script, handler or console output"
done
is "$(jq '[.alerts[] | select(startswith("<script>alert(2)</script>"))] | length' "$T/al.json")" 1 \
    "alerts: the hostile summary shown as text"
is "$(jq '.text | contains("\"><svg onload=alert(3)>")' "$T/al.json")" true \
    "alerts: the hostile explanation shown as text"

is "$(head -c 8 "$T/endpoint.png" | od -An -tx1 | tr -d ' ')" 89504e470d0a1a0a "screenshot is a PNG"
if [ -n "${SB_ARTIFACTS:-}" ]; then
	mkdir -p "$SB_ARTIFACTS" && cp "$T/endpoint.png" "$SB_ARTIFACTS/dashboard-endpoint.png"
fi
dash_stop
done_testing
