#!/bin/sh
# t7200-ingestd-otlp: POST /v1/traces, OpenTelemetry's OTLP/HTTP in the
# JSON encoding: HTTP server spans become events, other spans are skipped
# and counted.  First with the real OpenTelemetry JavaScript SDK
# (tests/otel, installed by scripts/deps from npm) instrumenting a real
# HTTP server, in both of its attribute conventions; then hand-written
# requests for every shape and every bad body.
. "$(dirname "$0")/lib.sh"
. "$FIX/ingestd-lib.sh"

OTEL=$TOP/tests/otel
if [ ! -d "$OTEL/node_modules/@opentelemetry/sdk-trace-node" ]; then
	ok 1 "the OpenTelemetry SDK is installed in tests/otel (scripts/deps)"
	done_testing
	exit 1
fi

# traces FILE [CURL-ARGS...]: POSTs FILE to /v1/traces as JSON.
traces() {
	_f=$1; shift
	CODE=$(curl -sS -o "$OUT" -D "$T/headers" -w '%{http_code}' \
	    --max-time 30 -H 'Content-Type: application/json' \
	    --data-binary @"$_f" "$@" "$URL/v1/traces") || CODE=000
}
traces_str() {
	printf '%s' "$1" >"$T/body.tmp"
	shift
	traces "$T/body.tmp" "$@"
}

# --- the real SDK --------------------------------------------------------

start_ingestd -o "$T/sdk.jsonl"
RC=0
(cd "$OTEL" && node server.js "$URL/v1/traces" shop 20 10) \
    >"$T/answered" 2>"$T/node.err" || RC=$?
is_rc 0 "an instrumented node server exports to ingestd"
is "$(jq -r '.count' "$T/answered")" 30 "it answered 30 requests"
is "$(lines "$T/sdk.jsonl")" 30 "30 server spans, 30 events"
is "$(metric ingestd_spans_ignored_total)" 30 "its 30 client spans are skipped and counted"
is "$(metric ingestd_events_rejected_total)" 0 "no span rejected"
is "$(jq -r 'select(.status_code == 200) | .endpoint' "$T/sdk.jsonl" | sort -u | wc -l | tr -d ' ')" 20 \
    "the 20 orders keep their own paths"
hasnt "$T/sdk.jsonl" '\?v=1' "without the query string"
is "$(jq -s '[.[] | select(.method == "POST" and .endpoint == "/api/pay" and .status_code == 503)] | length' "$T/sdk.jsonl")" 10 \
    "the 10 payments: POST /api/pay, 503"
is "$(jq -r .service "$T/sdk.jsonl" | sort -u)" shop "service from the resource's service.name"
is "$(jq -s '[.[] | select(.trace_id | test("^[0-9a-f]{32}$"))] | length' "$T/sdk.jsonl")" 30 \
    "every event carries its trace id"
# The server's own clock said each order took 15 ms or more; the span
# covers at least that, and not wildly more.
is "$(jq -s '[.[] | select(.status_code == 200 and .latency_ms >= 14 and .latency_ms < 1000)] | length' "$T/sdk.jsonl")" 20 \
    "the orders' latencies cover the server's 15 ms delay"
slow=$(jq -r '.orders_ms | min' "$T/answered")
is "$(jq -s --argjson s "$slow" '[.[] | select(.status_code == 200 and .latency_ms < $s - 2)] | length' "$T/sdk.jsonl")" 0 \
    "no span shorter than the server's own shortest measure"
run aggregate "$T/sdk.jsonl"
is_rc 0 "the events aggregate"
is "$(jq -s 'map(select(.key == "shop GET /api/orders/{id}") | .count) | add' "$OUT")" 20 \
    "aggregate: 20 requests of shop GET /api/orders/{id}"
is "$(jq -s 'map(select(.key == "shop POST /api/pay") | .errors) | add' "$OUT")" 10 \
    "aggregate: 10 errors of shop POST /api/pay"

RC=0
(cd "$OTEL" && OTEL_SEMCONV_STABILITY_OPT_IN=http \
    node server.js "$URL/v1/traces" shop2 4 2) >"$T/answered" 2>"$T/node.err" || RC=$?
is_rc 0 "the same with the stable attribute names"
is "$(jq -s '[.[] | select(.service == "shop2")] | length' "$T/sdk.jsonl")" 6 "6 more events"
is "$(jq -s '[.[] | select(.service == "shop2" and .method == "GET" and (.endpoint | startswith("/api/orders/")) and .status_code == 200)] | length' "$T/sdk.jsonl")" 4 \
    "read from http.request.method, url.path, http.response.status_code"
all_json "$T/sdk.jsonl"
ok $? "every line is one JSON object"
stop_ingestd

# --- hand-written requests ----------------------------------------------

span() {	# span KIND ATTRS [START END]
	printf '{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174","name":"x","kind":%s,"startTimeUnixNano":"%s","endTimeUnixNano":"%s","attributes":[%s]}' \
	    "$1" "${3:-1764165787000000000}" "${4:-1764165787125500000}" "$2"
}
kv() { printf '{"key":"%s","value":{"%s":%s}}' "$1" "$2" "$3"; }
doc() {	# doc SPANS...: one resource "svc" with the spans
	_s=$(IFS=,; printf '%s' "$*")
	printf '{"resourceSpans":[{"resource":{"attributes":[%s]},"scopeSpans":[{"scope":{"name":"t"},"spans":[%s]}]}]}' \
	    "$(kv service.name stringValue '"svc"')" "$_s"
}
GET=$(kv http.request.method stringValue '"GET"')
ROUTE=$(kv http.route stringValue '"/api/orders/{id}"')
S200=$(kv http.response.status_code intValue '"200"')

start_ingestd -o "$T/hand.jsonl"
traces_str "$(doc "$(span 2 "$GET,$ROUTE,$S200")")"
is "$CODE" 200 "one server span: 200"
is "$(cat "$OUT")" '{}' "an ExportTraceServiceResponse with no partial success"
has "$T/headers" '^Content-Type: application/json' "in JSON"
is "$(tail -n 1 "$T/hand.jsonl")" \
    '{"timestamp":"2025-11-26T14:03:07.125Z","service":"svc","method":"GET","endpoint":"/api/orders/{id}","status_code":200,"latency_ms":125.5,"trace_id":"5b8efff798038103d269b633813fc60c"}' \
    "the event: the span's end, its route, 125.5 ms to the microsecond"

traces_str "$(doc "$(span '"SPAN_KIND_SERVER"' "$GET,$(kv url.full stringValue '"https://h:8443/a/b?x=1#f"'),$(kv http.status_code intValue 404),$(kv http.response.body.size intValue 512)")")"
is "$CODE" 200 "kind as the enum's name, url.full, a number intValue"
is "$(tail -n 1 "$T/hand.jsonl" | jq -c '[.endpoint, .status_code, .response_size]')" '["/a/b",404,512]' \
    "the path of url.full, the status, the body size"

traces_str "$(doc "$(span 1 "$GET,$ROUTE,$S200")" "$(span 3 "$GET,$ROUTE,$S200")" "$(span 0 '')")"
is "$CODE" 200 "internal, client and unset spans: 200"
is "$(cat "$OUT")" '{}' "nothing rejected"
is "$(lines "$T/hand.jsonl")" 2 "and no event"

traces_str "$(doc "$(span 2 "$GET,$ROUTE")" "$(span 2 "$GET,$ROUTE,$S200")" "$(span 2 "$ROUTE,$S200")" "$(span 2 "$GET,$ROUTE,$(kv http.response.status_code intValue 700)")" "$(span 2 "$GET,$ROUTE,$S200" 2000 1000)")"
is "$CODE" 200 "server spans that make no event: still 200 (partial success)"
is "$(cat "$OUT")" '{"partialSuccess":{"rejectedSpans":"4","errorMessage":"server span without http.response.status_code in 100..599"}}' \
    "rejectedSpans counts them, the first reason is given"
is "$(lines "$T/hand.jsonl")" 3 "the good one of them is kept"

traces_str '{"resource_spans":[{"resource":{"attributes":[]},"scope_spans":[{"spans":[{"kind":2,"start_time_unix_nano":1000000000,"end_time_unix_nano":3000000000,"attributes":[{"key":"http.method","value":{"string_value":"PUT"}},{"key":"http.target","value":{"string_value":"/x?y"}},{"key":"http.status_code","value":{"int_value":"201"}}]}]}]}]}'
is "$CODE" 200 "snake_case field names"
is "$(tail -n 1 "$T/hand.jsonl")" \
    '{"timestamp":"1970-01-01T00:00:03.000Z","method":"PUT","endpoint":"/x","status_code":201,"latency_ms":2000}' \
    "read too; no service.name: no service"

traces_str '{}'
is "$CODE" 200 "an empty request: 200"
traces_str ''
is "$CODE" 200 "an empty body: 200"
is "$(lines "$T/hand.jsonl")" 4 "neither adds an event"

gz=$T/body.gz
doc "$(span 2 "$GET,$ROUTE,$S200")" | gzip -c >"$gz"
traces "$gz" -H 'Content-Encoding: gzip'
is "$CODE" 200 "a gzip body"
is "$(lines "$T/hand.jsonl")" 5 "its event is written"

# --- bad bodies -------------------------------------------------------------

bad() {	# bad CODE STATUS-RE DESCRIPTION BODY [CURL-ARGS...]
	_c=$1 _re=$2 _d=$3 _b=$4; shift 4
	traces_str "$_b" "$@"
	is "$CODE" "$_c" "$_d: $_c"
	has "$OUT" "$_re" "$_d: a google.rpc.Status saying why"
}
bad 400 '^\{"code":3,"message":"invalid JSON: ' "not JSON" '{"resourceSpans":['
bad 400 '"message":"not a JSON object"' "an array" '[1,2]'
bad 400 '"message":"resourceSpans is not an array"' "resourceSpans an object" '{"resourceSpans":{}}'
bad 400 '"message":"a span is not an object"' "a span that is a string" \
    '{"resourceSpans":[{"scopeSpans":[{"spans":["x"]}]}]}'
bad 400 'attributes are not an array' "attributes of the wrong shape" \
    '{"resourceSpans":[{"scopeSpans":[{"spans":[{"kind":2,"attributes":[{"value":1}]}]}]}]}'
bad 400 '"message":"a resource is not an object' "a resource that is a number" \
    '{"resourceSpans":[{"resource":7}]}'
printf 'x' >"$T/proto"
CODE=$(curl -sS -o "$OUT" -w '%{http_code}' --max-time 30 \
    -H 'Content-Type: application/x-protobuf' --data-binary @"$T/proto" \
    "$URL/v1/traces") || CODE=000
is "$CODE" 415 "protobuf: 415"
has "$OUT" '^\{"code":12,"message":"OTLP traces are read in the JSON encoding only' \
    "protobuf: UNIMPLEMENTED, saying to use http/json"
printf '{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"\377"}}]}}]}' >"$T/utf8"
traces "$T/utf8"
is "$CODE" 400 "invalid UTF-8: 400"
has "$OUT" 'invalid JSON' "and says so"
traces_str "$(doc "$(span 2 "$GET,$ROUTE,$S200" 99999999999999999999 99999999999999999999)")"
is "$CODE" 200 "times beyond int64: not an error of the body"
has "$OUT" '"rejectedSpans":"1","errorMessage":"server span without start and end times in ns"' \
    "but the span is rejected"
traces_str "$(doc "$(span 2 "$GET,$ROUTE,$S200" 4070908800000000000 4070908800100000000)")"
is "$CODE" 200 "a span from 2099: partial success"
has "$OUT" '"rejectedSpans":"1","errorMessage":"server span ends ahead of the server.s clock \(--max-ahead\)"' \
    "rejected as ahead of the clock"
is "$(metric ingestd_events_ahead_total)" 1 "and counted with the events refused so"
traces_str "$(doc "$(span 2 "$(kv http.request.method stringValue '"GETGETGETGETGETGETGETGETGETGETGETGETGET"'),$ROUTE,$S200")")"
is "$CODE" 200 "a method longer than events take: partial success"
has "$OUT" '"errorMessage":"'"'"'method'"'"' is longer than 32 bytes"' \
    "the event reader's own message (found by make fuzz)"
huge=$(head -c 200000 /dev/zero | tr '\0' a)
traces_str "$(doc "$(span 2 "$GET,$(kv http.route stringValue "\"/$huge\""),$S200")")"
is "$CODE" 200 "a 200 KB route: partial success"
has "$OUT" '"errorMessage":"'"'"'endpoint'"'"' is longer than [0-9]+ bytes"' \
    "refused as /ingest refuses such an endpoint"
is "$(lines "$T/hand.jsonl")" 5 "no bad body wrote an event"
all_json "$T/hand.jsonl"
ok $? "every line written is one JSON object"
get /v1/traces
is "$CODE" 405 "GET /v1/traces: 405"
stop_ingestd
is_rc 0 "ingestd stops cleanly"

# --- the token applies ---------------------------------------------------

INGEST_TOKEN=s3cret start_ingestd -o "$T/auth.jsonl"
traces_str "$(doc "$(span 2 "$GET,$ROUTE,$S200")")"
is "$CODE" 401 "without the token: 401"
has "$OUT" '^\{"code":16,' "UNAUTHENTICATED"
RC=0
(cd "$OTEL" && node server.js "$URL/v1/traces" shop 2 1 s3cret) \
    >"$T/answered" 2>"$T/node.err" || RC=$?
is_rc 0 "the SDK with the exporter's Authorization header"
is "$(lines "$T/auth.jsonl")" 3 "is let in"
stop_ingestd

done_testing
