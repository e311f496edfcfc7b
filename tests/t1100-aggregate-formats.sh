#!/bin/sh
# t1100-aggregate-formats: aggregate --format reads access logs of
# Apache, Envoy and AWS ALB (sample lines written from each one's
# documentation) into the same windows as JSON events; bad, truncated,
# huge and non-UTF-8 lines are reported as FILE:LINE and counted, never
# dropped silently; the option's usage errors exit 2.
. "$(dirname "$0")/lib.sh"

F=$FIX/formats

for f in apache envoy alb; do
	run aggregate --format $f "$F/$f.log"
	is_rc 0 "--format $f: exit 0"
	same "$OUT" "$F/$f.expected" "--format $f: the windows of the documented lines"
	is "$(cat "$ERR")" "" "--format $f: no bad line"
done

# The same requests as JSON events make the same windows: the formats
# only map fields and units (Apache's %D microseconds, ALB seconds).
cat >"$T/apache.jsonl" <<'JSON'
{"timestamp":"2000-10-10T20:55:36Z","method":"GET","endpoint":"/apache_pb.gif","status_code":200,"latency_ms":1.234,"response_size":2326}
{"timestamp":"2000-10-10T20:55:41Z","method":"GET","endpoint":"/api/users/42","status_code":200,"latency_ms":48.211,"response_size":512}
{"timestamp":"2000-10-10T20:55:52Z","method":"GET","endpoint":"/api/users/7?full=1","status_code":200,"latency_ms":51.877,"response_size":498}
{"timestamp":"2000-10-10T20:55:59Z","method":"GET","endpoint":"/api/users/9","status_code":503,"latency_ms":1503.002,"response_size":299}
{"timestamp":"2000-10-10T20:56:03Z","method":"POST","endpoint":"/api/users","status_code":201,"latency_ms":88}
{"timestamp":"2000-10-10T20:56:04Z","method":"GET","endpoint":"/api/users/11","status_code":404,"latency_ms":0.9,"response_size":196}
JSON
run aggregate "$T/apache.jsonl"
same "$OUT" "$F/apache.expected" "Apache's log and the same requests as JSON events: the same windows"

# Upstream time preferred: Envoy's x-envoy-upstream-service-time (100),
# not %DURATION% (226); %DURATION% when there is none (the 504).
has "$F/envoy.expected" '"key":"POST /api/v1/locations".*"p50":100,' "envoy: the upstream's time"
has "$F/envoy.expected" '"codes":\{"504":1\}.*"max":15001\}' "envoy: a timeout keeps its duration"
# ALB: target_processing_time, or time - request_creation_time (the 502).
has "$F/alb.expected" '"codes":\{"502":1\}.*"max":11822\}' "alb: a 502 without a target still counts, with its whole time"

# Bad lines of every kind, between good ones.
run aggregate --format nginx "$F/nginx-bad.log"
is_rc 0 "bad nginx lines: exit 0"
same "$OUT" "$F/nginx-bad.expected" "the good lines around them are counted"
L=$F/nginx-bad.log
for want in \
    "2: no '\\\$request_time' after the combined fields" \
    "3: no '\\\$body_bytes_sent' field" \
    "4: no '\\\$request' field" \
    "5: '\\\$upstream_response_time' is not a list of seconds: 'abc'" \
    "6: '\\\$request_time' is not seconds: '1e3'" \
    "7: '\\\$body_bytes_sent' is not a byte count: '123456789012345678901234567890'" \
    "8: '\\\$request_time' is not seconds: '1234567890.0'" \
    "9: '\\\$status' is not a status in 100..599: '999'" \
    "10: no '\\\$time_local' field" \
    "12: 'endpoint' is not valid UTF-8" \
    "13: 'endpoint' holds a control character"; do
	has "$ERR" "^aggregate: $L:$want" "reported: line ${want%%:*}"
done
has "$ERR" "^aggregate: 11 bad lines skipped of 14 read\$" "the summary counts them"
run aggregate --format nginx --strict "$L"
is_rc 1 "--strict: the first bad line is fatal"
has "$ERR" "^aggregate: $L:2: " "and it is reported"

# A duration of 19 digits, found by make fuzz: refused, no overflow
# (UBSan, in the second pass of make check, fails on one).
{ sed -n 1p "$L" | sed 's/ 0\.010 0\.009$/ 8888888888888888888 -/'; sed -n 1p "$L"; } >"$T/digits.log"
run aggregate --format nginx "$T/digits.log"
is_rc 0 "a 19-digit \$request_time: exit 0"
has "$ERR" "^aggregate: $T/digits.log:1: '\\\$request_time' is not seconds: '8888888888888888888'" "refused as not seconds"
is "$(jq -s 'map(.count) | add' "$OUT")" 1 "the line after it is counted"

# A huge line is refused without being held, as for JSON.
{ printf '127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET /'; head -c 2000000 /dev/zero | tr '\0' a
  printf ' HTTP/1.1" 200 1 "-" "-" 0.1 -\n'; sed -n 1p "$L"; } >"$T/huge.log"
run aggregate --format nginx "$T/huge.log"
is_rc 0 "a 2 MB line: exit 0"
has "$ERR" "^aggregate: $T/huge.log:1: line is longer than the limit of 1048576 bytes" "a 2 MB line is too long"
is "$(jq -s 'map(.count) | add' "$OUT")" 1 "the line after it is counted"
# A long path under the limit of a line, over that of an endpoint.
{ printf '127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET /'; head -c 5000 /dev/zero | tr '\0' a
  printf ' HTTP/1.1" 200 1 "-" "-" 0.1 -\n'; } >"$T/long.log"
run aggregate --format nginx "$T/long.log"
has "$ERR" "^aggregate: $T/long.log:1: 'endpoint' is longer than 2048 bytes" "a 5000-byte path is refused"

# Truncated last lines of each format: reported, not read as events.
for f in apache envoy alb; do
	head -c 120 "$F/$f.log" >"$T/cut.log"
	run aggregate --format $f "$T/cut.log"
	has "$ERR" "^aggregate: $T/cut.log:1: " "--format $f: a line cut at 120 bytes is bad"
	is "$(lines "$OUT")" 0 "--format $f: and makes no window"
done

# One format's lines read as another's are bad lines, not events.
run aggregate --format envoy "$F/apache.log"
has "$ERR" "^aggregate: 6 bad lines skipped of 6 read\$" "Apache lines are not Envoy lines"
run aggregate --format haproxy "$F/alb.log"
has "$ERR" "^aggregate: 4 bad lines skipped of 4 read\$" "ALB lines are not HAProxy lines"
# JSON events are not a log format, nor the reverse.
run aggregate --format nginx "$T/apache.jsonl"
has "$ERR" "^aggregate: 6 bad lines skipped of 6 read\$" "JSON events are not nginx lines"
run aggregate "$F/apache.log"
has "$ERR" "^aggregate: $F/apache.log:1: invalid JSON" "without --format, log lines are invalid JSON as before"

# --service names the service; --format json is the default.
run aggregate --format apache --service shop "$F/apache.log"
is "$(jq -r .key "$OUT" | sort -u | tr '\n' '|')" \
    "shop GET /apache_pb.gif|shop GET /api/users/{id}|shop POST /api/users|" "--service shop keys every series"
run aggregate --format json "$T/apache.jsonl"
same "$OUT" "$F/apache.expected" "--format json: the default"

# Usage errors.
run aggregate --format iis "$F/apache.log"
is_rc 2 "an unknown format: exit 2"
is "$(cat "$ERR")" "aggregate: --format: 'iis' is not one of json, nginx, nginx-json, apache, haproxy, envoy, alb" \
    "the formats are listed"
run aggregate --service shop "$T/apache.jsonl"
is_rc 2 "--service without a log --format: exit 2"
run aggregate --merge --format nginx "$T/apache.jsonl"
is_rc 2 "--merge with --format: exit 2"
run aggregate --format apache --service "" "$F/apache.log"
is_rc 2 "an empty --service: exit 2"

done_testing
