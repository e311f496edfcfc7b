#!/bin/sh
# t2000-inject-basic: the event stream of inject(1): its format, order,
# determinism, volume and the way the program starts and stops.
. "$(dirname "$0")/lib.sh"

S=2026-11-26T00:00:00Z
H1="--start $S --hours 1"

# --- the event stream ------------------------------------------------------

run inject $H1 --seed 3
is_rc 0 "one hour of traffic: exit 0"
is "$(cat "$ERR")" "" "one hour of traffic: nothing on stderr"
cp "$OUT" "$T/hour"

run inject $H1 --seed 3
same "$OUT" "$T/hour" "the same flags give the same bytes"

run inject $H1 --seed 4
if cmp -s "$OUT" "$T/hour"; then ok 1 "another seed gives other events"
else ok 0 "another seed gives other events"; fi

is "$(awk -F'"' 'NR > 1 && $4 < prev { bad++ } { prev = $4 }
    END { print bad + 0 }' "$T/hour")" 0 "timestamps never decrease"
is "$(awk -F'"' '$4 < "2026-11-26T00:00:00.000Z" || $4 > "2026-11-26T00:59:59.999Z"' \
    "$T/hour" | wc -l | tr -d ' ')" 0 "every event lies in [--start, --start + --hours)"

# Every line is an event of the original schema, members in order, an
# error_message exactly on 5xx, the status mix documented in inject(1).
# The regular expressions check every line; jq, slower, checks that a
# sample of them, every 5xx among them, parses as the right JSON types.
ev='^\{"timestamp":"2026-11-26T00:[0-5][0-9]:[0-5][0-9]\.[0-9]{3}Z","service":"[a-z]+","method":"(GET|POST)","endpoint":"/[^"]*","status_code":'
num='"latency_ms":[0-9]+\.[0-9],"response_size":[0-9]+'
is "$(grep -Ev "$ev(200|201|400|401|404|429),$num\}\$" "$T/hour" |
    grep -Ev "$ev(500,$num,\"error_message\":\"internal error\"|502,$num,\"error_message\":\"connection reset\"|503,$num,\"error_message\":\"service unavailable\"|504,$num,\"error_message\":\"upstream timeout\")\}\$" |
    wc -l | tr -d ' ')" 0 \
    "every line has the event members in order, error_message on 5xx"
has "$T/hour" '"status_code":5' "the hour has some 5xx"
cat >"$T/valid.jq" <<'EOF'
def valid:
  (.timestamp | type == "string")
  and (.service | type == "string") and (.method | type == "string")
  and (.endpoint | type == "string")
  and (.status_code | type == "number" and floor == . and . >= 100 and . <= 599)
  and (.latency_ms | type == "number" and . >= 0)
  and (.response_size | type == "number" and floor == . and . >= 0)
  and (if .status_code >= 500 then .error_message | type == "string"
       else has("error_message") | not end);
select(valid | not)
EOF
awk 'NR % 20 == 1 || /"status_code":5/' "$T/hour" >"$T/sample"
run jq -c -f "$T/valid.jq" "$T/sample"
is_rc 0 "jq parses a sample of the lines, every 5xx among them"
is "$(lines "$OUT")" 0 "the sample has the right JSON types"

# Paths carry real ids, so that aggregate's normalisation has work to do.
has "$T/hour" '"endpoint":"/api/orders/[1-9][0-9]*"' "numeric ids in order paths"
has "$T/hour" '"endpoint":"/api/sessions/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"' \
    "UUIDs in session paths"
has "$T/hour" '"endpoint":"/api/payments/[0-9a-f]{24}"' "long hex ids in payment paths"
has "$T/hour" '"endpoint":"/api/search\?q=[a-z+-]+"' "query strings on searches"
hasnt "$T/hour" '\{id\}' "no path holds a literal {id}"

# --- volume -------------------------------------------------------------------

# 41.00833 requests/s in all; without noise the count in a span is
# Poisson, so 5 standard deviations around the mean is a band a correct
# generator leaves once in 1.7 million runs.
band() {	# band COUNT MEAN DESCRIPTION
	if awk -v n="$1" -v m="$2" 'BEGIN { exit !((n - m)^2 <= 25 * m) }'; then
		ok 0 "$3"
	else
		ok 1 "$3"; diag "count $1, expected $2 +- 5 sd"
	fi
}

run inject $H1 --no-noise --no-diurnal
band "$(lines "$OUT")" 147630 "flat hour: about 41 requests/s"
band "$(grep -c '"endpoint":"/api/orders/' "$OUT")" 18000 \
    "flat hour: 5 requests/s on GET /api/orders/{id}"
run inject $H1 --no-noise --no-diurnal --rate-scale 0.5
band "$(lines "$OUT")" 73815 "--rate-scale 0.5 halves the traffic"

# The diurnal load 1 + 0.5 sin(2 pi (h - 9) / 24), integrated over 00-01 UTC.
mean=$(awk 'BEGIN { pi = atan2(0, -1); w = 2 * pi / 24
    avg = 1 + 0.5 * (cos(w * (0 - 9)) - cos(w * (1 - 9))) / w
    printf "%.0f", 41.008333 * 3600 * avg }')
run inject $H1 --no-noise
band "$(lines "$OUT")" "$mean" "diurnal hour 00-01 UTC: $mean requests expected"

# --- --events, -o and defaults ------------------------------------------------

run inject $H1 --seed 3 --events 1000
is "$(lines "$OUT")" 1000 "--events 1000 writes 1000 lines"
head -n 1000 "$T/hour" >"$T/head"
same "$OUT" "$T/head" "--events N is the first N events of the span"
run inject $H1 --events 0
is_rc 0 "--events 0: exit 0"
is "$(lines "$OUT")" 0 "--events 0 writes nothing"
run inject --start $S --hours 0.01 --events 999999
band "$(lines "$OUT")" 1033 "--events beyond the span stops at its end"

run inject $H1 --seed 3 -o "$T/file"
is_rc 0 "-o FILE: exit 0"
is "$(lines "$OUT")" 0 "-o FILE: nothing on stdout"
same "$T/file" "$T/hour" "-o FILE holds what stdout would"
run inject $H1 --seed 3 --output=-
same "$OUT" "$T/hour" "--output=- is stdout"

run inject --hours 0.5 --events 1 --no-noise
now=$(date -u +%s)
ts=$(jq -r '.timestamp | sub("\\.[0-9]+Z$"; "Z") | fromdate' "$OUT")
if [ "$ts" -le "$now" ] && [ "$ts" -ge $((now - 1800 - 60 - 10)) ]; then
	ok 0 "default --start: the span ends now"
else
	ok 1 "default --start: the span ends now"; diag "first event $ts, now $now"
fi

# --- --list and -h --------------------------------------------------------------

run inject --list
is_rc 0 "--list: exit 0"
is "$(grep -c '^scenario	' "$OUT")" 9 "--list: nine scenarios"
is "$(grep -c '^endpoint	' "$OUT")" 12 "--list: twelve endpoints"
has "$OUT" '^scenario	latency-ramp	checkout GET /api/orders/\{id\}	5m	-	1100	' \
    "--list: latency-ramp targets checkout's order look-up"
has "$OUT" '^endpoint	checkout GET /api/orders/\{id\}	5	120	' \
    "--list: orders at 5/s, median 120 ms"
is "$(awk -F'\t' '$1 == "endpoint" { r += $3 } END { printf "%.2f", r }' "$OUT")" \
    41.01 "--list: 41 requests/s in all"
has "$OUT" '^endpoint	reports GET /api/reports/export	0\.00833333	' \
    "--list: one endpoint below one request a minute"
run inject --list --rate-scale 2
has "$OUT" '^endpoint	payments POST /api/payments	24	' "--list shows scaled rates"

run inject -h
is_rc 0 "-h: exit 0"
has "$OUT" '^usage: inject ' "-h: usage on stdout"

# --- usage errors -----------------------------------------------------------------

usage_error() {	# usage_error MESSAGE ARGS...: exit 2, MESSAGE first on stderr
	_msg=$1; shift
	run inject "$@"
	if [ "$RC" -eq 2 ] && [ "$(head -n 1 "$ERR")" = "$_msg" ] && [ ! -s "$OUT" ]; then
		ok 0 "usage error: $*"
	else
		ok 1 "usage error: $*"
		diag "exit $RC, stderr:"; head -3 "$ERR" | diag_stream
	fi
}

usage_error "inject: --hours: 'abc' is invalid" --hours abc
usage_error "inject: --hours: '0' is too small" --hours 0
usage_error "inject: --hours: '1e9' is too large" --hours 1e9
usage_error "inject: --seed: '-1' is too small" --seed -1
usage_error "inject: --events: '10k' is invalid" --events 10k
usage_error "inject: --rate-scale: '0' is too small" --rate-scale 0
usage_error "inject: --start: 'yesterday' is invalid" --start yesterday
usage_error "inject: --ramp: '5x' is invalid" --ramp 5x
usage_error "inject: --scenario: 'slow' is unknown" --scenario slow
usage_error "inject: --target: 'GET /nope' is not an endpoint" \
    --scenario step --target 'GET /nope'
usage_error "inject: --target: 'billing' is not a service" \
    --scenario service-wide --target billing
usage_error "inject: --magnitude: '0' is too small" --scenario step --magnitude 0
usage_error "inject: --magnitude: '1.5' is too large" \
    --scenario error-creep --magnitude 1.5
usage_error "inject: --magnitude: 'big' is invalid" --scenario tail --magnitude big
usage_error "inject: --degrade-at: '2h' is past the end of the span" \
    $H1 --scenario step --degrade-at 2h
usage_error "inject: --degrade-last: '2h' is longer than the span" \
    $H1 --scenario step --degrade-last 2h
usage_error "inject: --degrade-at and --degrade-last are mutually exclusive" \
    $H1 --scenario step --degrade-at 10m --degrade-last 10m
usage_error "inject: --degrade-for: '0s' is too small" \
    $H1 --scenario step --degrade-for 0s
usage_error "inject: --hours: '2' is too large for --start" \
    --start 9999-12-31T23:00:00Z --hours 2
usage_error "inject: unrecognized option '--rate-sc'" --rate-sc 5
usage_error "inject: unrecognized option '--hour'" --hour=5
usage_error "inject: unexpected operand 'extra'" $H1 extra
run inject --no-such-option
is_rc 2 "an unknown option: exit 2"
has "$ERR" '^usage: inject ' "an unknown option: usage on stderr"

# --- runtime failures, pipes and signals ------------------------------------------------

run inject $H1 -o "$T/no/such/dir"
is_rc 1 "unwritable -o: exit 1"
has "$ERR" "^inject: $T/no/such/dir: No such file or directory\$" \
    "unwritable -o: says which file and why"
if [ -w /dev/full ]; then
	run inject $H1 -o /dev/full
	is_rc 1 "a full disk: exit 1"
	has "$ERR" '^inject: /dev/full: No space left on device$' "a full disk: says so"
fi
run inject $H1 --truth "$T/no/such/dir"
is_rc 1 "unwritable --truth: exit 1"

# A closed pipe ends inject at once and quietly, however long the span.
{ rc=0; timeout 30 inject --start $S --hours 87600 2>"$T/pipe.err" || rc=$?
  echo $rc >"$T/pipe.rc"; } | head -n 3 >"$T/pipe.out"
is "$(lines "$T/pipe.out")" 3 "inject | head -n 3: three lines"
is "$(cat "$T/pipe.err")" "" "inject | head: nothing on stderr"
if [ "$(cat "$T/pipe.rc")" -ne 124 ]; then ok 0 "inject | head: inject ends"
else ok 1 "inject | head: inject ends"; fi

# SIGTERM: stop generating, flush whole lines, exit 0.  A fifo keeps
# only the tail of what would be gigabytes.
mkfifo "$T/fifo"
tail -c 2000 <"$T/fifo" >"$T/sig" &
inject --start $S --hours 87600 -o "$T/fifo" 2>"$T/sig.err" &
pid=$!
wait_caught $pid
sleep 0.3
kill -TERM $pid
rc=0
wait $pid || rc=$?
wait
is "$rc" 0 "SIGTERM: exit 0"
is "$(cat "$T/sig.err")" "" "SIGTERM: nothing on stderr"
is "$(tail -c 1 "$T/sig" | od -An -c | tr -d ' ')" '\n' "SIGTERM: output ends with a whole line"
run sh -c "tail -n 1 '$T/sig' | jq -e .latency_ms"
is_rc 0 "SIGTERM: the last line is an event"

done_testing
