#!/bin/sh
# dashboard over loopback: every route, status codes, filters, escaping of
# hostile data, large ranges, the memory backend on stdin, signals.
. "$(dirname "$0")/lib.sh"
. "$FIX/dashboard-lib.sh"
dash_trap

dash_fill "$T/db"
dash_hostile >"$T/hostile.jsonl"
store put -b sqlite --sqlite-path "$T/db" "$T/hostile.jsonl"
nkeys=$(store query -b sqlite --sqlite-path "$T/db" --type window | jq -r .key | sort -u | wc -l)

dash_start -b sqlite --sqlite-path "$T/db"

# The overview.
get /
is "$STATUS" 200 "overview: 200"
has "$T/headers" "^Content-Type: text/html; charset=utf-8" "overview: HTML"
has "$T/headers" "^Content-Security-Policy: default-src 'none';" "overview: CSP forbids scripts"
has "$T/headers" "^X-Content-Type-Options: nosniff" "overview: nosniff"
is "$(grep -c '<tr class="endpoint' "$OUT")" "$nkeys" "overview: one row per key ($nkeys)"
has "$OUT" 'class="health h-[a-z]+" title="[^"]*">[0-9]+</span>' "overview: health scores"
has "$OUT" '<h2>Active alerts \(2\)</h2>' "overview: two active alerts on top"
first=$(grep -o 'class="key" href="[^"]*">[^<]*' "$OUT" | head -1 | sed 's/.*">//')
is "$first" "$DASH_KEY" "overview: the critical endpoint first"
get '/?filter=catalog'
is "$(grep -c '<tr class="endpoint' "$OUT")" 3 "overview: filter by endpoint"
get '/?range=1h'
is "$STATUS" 200 "overview: range=1h"
has "$OUT" '2026-11-26 05:00 to 2026-11-26 06:00 UTC' "overview: last hour of the data"
run curl -sI "$DASH_URL/"
has "$OUT" "^HTTP/1.1 200" "HEAD /: 200"

# The endpoint view.
get "/endpoint?key=$DASH_KEY_Q"
is "$STATUS" 200 "endpoint: 200"
has "$OUT" '<polyline class="p95" data-points="360"' "endpoint: 6 h of windows, 360 points"
has "$OUT" '<rect class="band"' "endpoint: baseline band"
has "$OUT" '<line class="mk-start"' "endpoint: alert start marker"
has "$OUT" 'CRITICAL: median latency' "endpoint: the alert summary"
has "$OUT" '<tr class="signal"><td>2026-11-26T03:' "endpoint: signals listed"
get "/endpoint?key=$DASH_KEY_Q&since=2026-11-26T02:00:00Z&until=2026-11-26T03:00:00Z"
has "$OUT" 'data-points="60"' "endpoint: custom range"
get "/endpoint?key=nope"
is "$STATUS" 404 "endpoint: unknown key 404"
get "/endpoint"
is "$STATUS" 400 "endpoint: missing key 400"

# Alert history and its filters.
get /alerts
is "$STATUS" 200 "alerts: 200"
is "$(grep -c '<div class="card alert' "$OUT")" 2 "alerts: both incidents"
has "$OUT" '<div class="recommendations">' "alerts: recommendations"
get "/alerts?severity=critical"
is "$(grep -c '<div class="card alert' "$OUT")" 1 "alerts: severity filter"
get "/alerts?state=resolved"
is "$(grep -c '<div class="card alert' "$OUT")" 0 "alerts: state filter"
get "/alerts?state=active&key=$DASH_KEY_Q"
is "$(grep -c '<div class="card alert' "$OUT")" 1 "alerts: key and state filters"

# The JSON API.
get /api/endpoints
has "$T/headers" "^Content-Type: application/json" "api/endpoints: JSON"
is "$(jq '.endpoints | length' "$OUT")" "$nkeys" "api/endpoints: every key"
is "$(jq -r '.endpoints[0] | [.key, .alert, (.health < 60)] | @tsv' "$OUT")" \
    "$DASH_KEY	critical	true" "api/endpoints: worst first, alert, low health"
is "$(jq '[.endpoints[].health | select(. >= 0 and . <= 100)] | length' "$OUT")" \
    "$nkeys" "api/endpoints: health 0-100"
get "/api/series?key=$DASH_KEY_Q&range=1h"
is "$(jq -r '[.step_s, (.points | length), .sampled] | @tsv' "$OUT")" "60	60	false" \
    "api/series: an hour of 60 points"
get "/api/series?key=$DASH_KEY_Q&since=2026-11-26T02:00:00Z&until=2026-11-26T02:03:00Z"
is "$(jq -c '[.points[] | .t]' "$OUT")" \
    '["2026-11-26T02:00:00.000Z","2026-11-26T02:01:00.000Z","2026-11-26T02:02:00.000Z"]' \
    "api/series: since and until"
want=$(store query -b sqlite --sqlite-path "$T/db" --type window --key "$DASH_KEY" \
    --since 2026-11-26T02:00:00Z --until 2026-11-26T02:01:00Z | jq .latency_ms.p95)
is "$(jq '.points[0].p95' "$OUT")" "$want" "api/series: p95 as stored"
get "/api/series?key=nope"
is "$STATUS" 404 "api/series: unknown key 404"
is "$(jq -r .error "$OUT")" "no windows for this key" "api/series: JSON error"
get "/api/alerts?severity=warning"
is "$(jq -r '.alerts[].id' "$OUT")" "0badc0de" "api/alerts: severity filter"
get "/api/alerts?key=$DASH_KEY_Q"
is "$(jq -r '.alerts[] | [.id, .state, .severity] | @tsv' "$OUT")" \
    "$(store query -b sqlite --sqlite-path "$T/db" --type alert | jq -r 'select(.key != "<img src=x onerror=alert(1)>") | [.id, .state, .severity] | @tsv' | tail -1)" \
    "api/alerts: the latest record of the incident"

# Status codes.
for u in '/nope' '/api/nope' '/endpoint/x' '/static/x.js'; do
	get "$u"
	is "$STATUS" 404 "404: $u"
done
for u in '/?range=2h' '/?since=yesterday' '/?since=2026-11-26T05:00Z&until=2026-11-26T04:00Z' \
    '/?bogus=1' '/alerts?severity=fatal' '/alerts?state=open' '/api/series' \
    '/?range=1h&since=2026-11-26T05:00Z' '/?since=2020-01-01&until=2026-01-01' \
    '/?refresh=-1' '/api/alerts?%ff=1'; do
	get "$u"
	is "$STATUS" 400 "400: $u"
done
get '/api/endpoints?range=9d'
is "$(jq -r .error "$OUT")" "range: '9d' is not 1h, 6h, 24h, 7d or custom" "400: says why, in JSON"
get / -X POST
is "$STATUS" 405 "405: POST"
has "$T/headers" "^Allow: GET, HEAD" "405: Allow"

# Escaping: the hostile key and alert render as text, never as markup.
get /
hasnt "$OUT" '<img|<script|<svg onload|<b>bold' "overview: no markup from the data"
has "$OUT" '>&lt;img src=x onerror=alert\(1\)&gt;</a>' "overview: hostile key as text"
has "$OUT" "href=\"/endpoint\?key=$XSS_KEY_Q&amp;range=6h\"" "overview: hostile key percent-encoded in the link"
has "$OUT" '&lt;script&gt;alert\(2\)&lt;/script&gt; summary' "overview: hostile summary as text"
has "$OUT" '&quot;&gt;&lt;svg onload=alert\(3\)&gt;' "overview: attribute breakout escaped"
has "$OUT" '&amp;amp; check' "overview: entities escaped, not decoded"
get "/endpoint?key=$XSS_KEY_Q"
is "$STATUS" 200 "endpoint: hostile key 200"
hasnt "$OUT" '<img|<script|<svg onload' "endpoint: no markup from the data"
has "$OUT" '<title>&lt;img src=x onerror=alert\(1\)&gt; ' "endpoint: title escaped"
has "$OUT" 'name="key" value="&lt;img src=x onerror=alert\(1\)&gt;"' "endpoint: attribute escaped"
get "/alerts?key=$XSS_KEY_Q"
hasnt "$OUT" '<img|<script|<svg onload' "alerts: no markup from the data"
get "/api/endpoints"
is "$(jq -r --arg k "$XSS_KEY" '[.endpoints[] | select(.key == $k)] | length' "$OUT")" 1 \
    "api: the hostile key intact as JSON"
get "/?filter=%3Cscript%3E"
has "$OUT" 'name="filter" value="&lt;script&gt;"' "overview: filter echoed escaped"
get "/?range=%3Cscript%3E"
hasnt "$OUT" '<script' "400 page: parameter not echoed as markup"

dash_stop

# Options, exit status, signals.
run dashboard -h
is_rc 0 "-h exits 0"
has "$OUT" "^usage: dashboard" "-h prints the usage"
run dashboard --frobnicate
is_rc 2 "a bad option exits 2"
run dashboard -p 70000
is_rc 2 "a bad port exits 2"
run dashboard -b sqlite --sqlite-path "$T/none.db"
is_rc 1 "a missing database exits 1"
[ ! -e "$T/none.db" ]; ok $? "a missing database is not created"
dash_start -b sqlite --sqlite-path "$T/db"
kill -TERM "$DASH_PID"; RC=0; wait "$DASH_PID" || RC=$?; DASH_PID=""
is_rc 0 "SIGTERM exits 0"

# The memory backend reads its records from stdin, at the end of a pipe.
store query -b sqlite --sqlite-path "$T/db" --type window >"$T/windows.jsonl"
store query -b sqlite --sqlite-path "$T/db" --type alert >>"$T/windows.jsonl"
mkfifo "$T/fifo"
: >"$T/dash.err"
dashboard -b memory -p 0 <"$T/fifo" 2>"$T/dash.err" &
DASH_PID=$!
exec 3>"$T/fifo"
cat "$T/windows.jsonl" >&3
i=0; while [ $i -lt 100 ] && ! grep -q listening "$T/dash.err"; do sleep 0.1; i=$((i + 1)); done
DASH_URL=$(sed -n 's|.*listening on \(http://[0-9.]*:[0-9]*\)/$|\1|p' "$T/dash.err")
i=0; while [ $i -lt 100 ]; do
	get /api/endpoints
	[ "$(jq '.endpoints | length' "$OUT" 2>/dev/null)" = "$nkeys" ] && break
	sleep 0.1; i=$((i + 1))
done
is "$(jq '.endpoints | length' "$OUT")" "$nkeys" "memory: the piped records are served while the pipe is open"
echo 'not json' >&3
exec 3>&-
sleep 0.3
get "/api/alerts?state=active"
is "$(jq '.alerts | length' "$OUT")" 2 "memory: alerts from stdin"
has "$T/dash.err" "stdin:[0-9]+: " "memory: a bad line is reported with its line number"
kill -TERM "$DASH_PID"; RC=0; wait "$DASH_PID" || RC=$?; DASH_PID=""
is_rc 0 "memory: a bad line is skipped, as in every filter (exit 0)"
done_testing
