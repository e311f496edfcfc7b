#!/bin/sh
# t7000-ingestd-basic: POST /ingest over real HTTP: the original client's
# payload, every body shape, gzip, the server's clock for undated events,
# the other routes, -n, -o - and a clean stop.
. "$(dirname "$0")/lib.sh"
. "$FIX/ingestd-lib.sh"

# --- usage -----------------------------------------------------------------

run ingestd -h
is_rc 0 "-h exits 0"
has "$OUT" '^usage: ingestd ' "-h prints the usage on stdout"
run ingestd --fsync sometimes
is_rc 2 "a bad --fsync is a usage error"
has "$ERR" "^ingestd: --fsync: 'sometimes' is not always, interval or never$" "and says why"
run ingestd -p 70000
is_rc 2 "a port out of range is a usage error"
run ingestd extra
is_rc 2 "an operand is a usage error"

run ingestd -n
is_rc 0 "-n checks the default configuration"
has "$OUT" '^listen 127\.0\.0\.1 port 8000$' "-n: the default address and port"
has "$OUT" '^output data/raw_logs\.jsonl$' "-n: the default output"
has "$OUT" '^fsync interval 200ms$' "-n: the default fsync policy"
has "$OUT" '^max-body 1048576$' "-n: the default --max-body"
: >"$T/file"
run ingestd -n -o "$T/file/raw.jsonl"
is_rc 1 "-n fails when the output cannot be created"
has "$ERR" "^ingestd: $T/file: Not a directory\$" "and says why"

# --- the original client ---------------------------------------------------

start_ingestd -o "$T/data/raw_logs.jsonl"
post "$FIX/ingestd-original.json" -H 'Content-Type: application/json'
is "$CODE" 200 "the original client's payload, byte for byte: 200"
is "$(cat "$OUT")" '{"accepted":1,"rejected":0,"errors":[]}' "and its reply"
is "$(tail -n 1 "$T/data/raw_logs.jsonl")" \
    '{"timestamp":"2026-11-26T14:03:07.125000","endpoint":"/api/orders/48213","status_code":503,"latency_ms":812.4,"response_size":1031,"error_message":"upstream timeout"}' \
    "written as one compact line, members and values as sent"
ok "$([ -d "$T/data" ] && echo 0 || echo 1)" "the output's directory was created"
post_str '{"timestamp": "2026-11-26T14:03:08.000000", "endpoint": "/api/cart", "status_code": 200, "latency_ms": 45.0, "response_size": 820, "error_message": null}'
is "$CODE" 200 "error_message null, as the original client sends it"

# --- shapes ----------------------------------------------------------------

: >"$T/data/raw_logs.jsonl"
{ event 1; event 2; event 3; } | jq -s -c . >"$T/array.json"
post "$T/array.json"
is "$CODE" 200 "a JSON array"
is "$(jq -c . "$OUT")" '{"accepted":3,"rejected":0,"errors":[]}' "a JSON array: 3 accepted"
{ event 4; printf '\r\n\n'; event 5; event 6 | tr -d '\n'; } >"$T/nd.json"
post "$T/nd.json" -H 'Content-Type: text/plain'
is "$CODE" 200 "NDJSON, blank lines, CRLF, no final newline, wrong Content-Type"
is "$(jq -r .accepted "$OUT")" 3 "NDJSON: 3 accepted"
event 7 | jq . >"$T/pretty.json"
post "$T/pretty.json" -H 'Content-Type:'
is "$CODE" 200 "one pretty-printed object, no Content-Type"
event 8 | gzip -c >"$T/gz"
event 9 | gzip -c >>"$T/gz"
post "$T/gz" -H 'Content-Encoding: gzip'
is "$(jq -r .accepted "$OUT")" 2 "a gzip body of two members"
is "$(lines "$T/data/raw_logs.jsonl")" 9 "9 lines written"
is "$(jq -r '.endpoint' "$T/data/raw_logs.jsonl" | sort -t/ -k3n | xargs)" \
    "/e/1 /e/2 /e/3 /e/4 /e/5 /e/6 /e/7 /e/8 /e/9" "each event once, whole"
ok "$(all_json "$T/data/raw_logs.jsonl" && echo 0 || echo 1)" "every line is one JSON object"

# --- the server's clock, aliases and extra members -------------------------

: >"$T/data/raw_logs.jsonl"
before=$(date -u +%Y-%m-%dT%H:%M:%S)
post_str '{"path":"/a","status":201,"duration_ms":"12.5","bytes":7,"service":"s","trace":{"id":[1,2]}}'
is "$CODE" 200 "aliases and a number in a string"
line=$(cat "$T/data/raw_logs.jsonl")
is "$(printf '%s' "$line" | jq -c 'del(.timestamp)')" \
    '{"path":"/a","status":201,"duration_ms":"12.5","bytes":7,"service":"s","trace":{"id":[1,2]}}' \
    "every member is kept as sent"
ts=$(printf '%s' "$line" | jq -r .timestamp)
after=$(date -u +%Y-%m-%dT%H:%M:%S.999Z)
ok "$(expr "$ts" \>= "$before" >/dev/null && expr "$ts" \<= "$after" >/dev/null && echo 0 || echo 1)" \
    "a missing timestamp is the server's clock ($ts)"
has "$T/data/raw_logs.jsonl" '"timestamp":"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{3}Z"}$' \
    "appended last, RFC 3339 with milliseconds"
post_str '{"timestamp":null,"endpoint":"/n","status_code":200,"latency_ms":1}'
has "$T/data/raw_logs.jsonl" '^\{"timestamp":"[^"]*Z","endpoint":"/n"' "a null timestamp is replaced in place"
post_str '{"ts":1764165787,"endpoint":"/epoch","status_code":200,"latency_ms":1}'
has "$T/data/raw_logs.jsonl" '^\{"ts":1764165787,"endpoint":"/epoch","status_code":200,"latency_ms":1\}$' \
    "an epoch time under an alias is kept as sent"

# --- other routes ----------------------------------------------------------

get /healthz
is "$CODE" 200 "GET /healthz: 200"
is "$(cat "$OUT")" '{"status":"ok"}' "GET /healthz: body"
get /metrics
is "$CODE" 200 "GET /metrics: 200"
has "$T/headers" '^Content-Type: text/plain; version=0\.0\.4' "in Prometheus text format"
has "$OUT" '^ingestd_requests_total\{code="200"\} [0-9]+$' "requests by status"
is "$(metric ingestd_events_accepted_total)" 14 "events accepted are counted"
for m in ingestd_events_rejected_total ingestd_received_bytes_total \
    ingestd_written_bytes_total ingestd_queue_bytes ingestd_queue_requests \
    ingestd_writer_healthy 'ingestd_write_seconds_count' \
    'ingestd_fsync_seconds_count' ingestd_connections; do
	has "$OUT" "^$m [0-9.]+\$" "metric $m"
done
has "$OUT" '^ingestd_write_seconds_bucket\{le="0\.001"\} [0-9]+$' "write latency histogram"
get /nothing
is "$CODE" 404 "an unknown path: 404"
CODE=$(curl -sS -o "$OUT" -D "$T/headers" -w '%{http_code}' "$URL/ingest")
is "$CODE" 405 "GET /ingest: 405"
has "$T/headers" '^Allow: POST' "with Allow: POST"
post_str "$(event 10)" -H 'Content-Encoding: br'
is "$CODE" 415 "an unknown Content-Encoding: 415"

stop_ingestd
is_rc 0 "SIGTERM: exit 0"
has "$IERR" '^ingestd: stopped$' "and it says so"

# --- --fsync always and never; -o - ----------------------------------------

for policy in always never; do
	start_ingestd -o "$T/$policy.jsonl" --fsync $policy
	{ event 1; event 2; } >"$T/two.json"
	post "$T/two.json"
	is "$CODE" 200 "--fsync $policy: 200"
	n=$(metric ingestd_fsync_seconds_count)
	stop_ingestd
	is "$(lines "$T/$policy.jsonl")" 2 "--fsync $policy: written"
	if [ $policy = always ]; then
		ok "$([ "$n" -ge 1 ] && echo 0 || echo 1)" "--fsync always: fsync before the reply ($n)"
	else
		is "$n" 0 "--fsync never: no fsync"
	fi
done

launch_ingestd -o - >"$T/stdout.jsonl"
{ event 1; event 2; } >"$T/two.json"
	post "$T/two.json"
is "$CODE" 200 "-o - (which implies -d): 200"
stop_ingestd
is_rc 0 "-o -: exit 0"
is "$(lines "$T/stdout.jsonl")" 2 "-o -: the events on standard output"
done_testing
