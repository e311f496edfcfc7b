#!/bin/sh
# t1120-aggregate-haproxy: a real HAProxy (option httplog), started here
# on a free loopback port in front of a local upstream with known delays
# and statuses, is loaded with wrk.  It logs each request twice, raw to
# stdout ("log stdout format raw") and with an RFC 5424 syslog header to
# stderr; both logs go through aggregate --format haproxy and agree with
# each other and with wrk's and the upstream's figures.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/upstream/lib.sh"
upstream_trap

HAPROXY=$(command -v haproxy 2>/dev/null || echo /usr/sbin/haproxy)
H=$T/haproxy
mkdir -p "$H"

haproxy_conf() {
	cat <<CONF
global
	maxconn 256
	# HAProxy drops a log line rather than wait when two threads write
	# to one fd at once (its DroppedLogs counter): one thread, no loss.
	nbthread 1
defaults
	mode http
$(documented haproxy)
	log stderr format rfc5424 local0
	timeout connect 2s
	timeout client 10s
	timeout server 10s
frontend web
	bind 127.0.0.1:$1
	http-request return status 404 if { path /missing }
	default_backend app
backend app
	server s1 127.0.0.1:$UPORT
CONF
}

haproxy_start() {
	_tries=0
	while [ $_tries -lt 5 ]; do
		HPORT=$(free_port)
		haproxy_conf "$HPORT" >"$H/haproxy.cfg"
		# HAProxy logs its accept date in local time without a zone.
		TZ=UTC "$HAPROXY" -f "$H/haproxy.cfg" -db >"$H/raw.log" 2>"$H/syslog.log" &
		HPID=$!
		if wait_port "$HPORT" "$HPID"; then
			web_started "$HPID"
			return 0
		fi
		kill "$HPID" 2>/dev/null || true
		wait "$HPID" 2>/dev/null || true
		_tries=$((_tries + 1))
	done
	echo "# haproxy would not start:" >&2
	sed 's/^/#   /' "$H/syslog.log" >&2
	return 1
}

upstream_start
haproxy_start
wrk_mix "http://127.0.0.1:$HPORT" 2s
# A soft stop: connections finish, every request is logged.
kill -USR1 "$HPID"
wait "$HPID" 2>/dev/null || true
upstream_stop

completed=$(wrk_completed)
requests=$(grep -c '"GET ' "$H/raw.log" || true)
own=$(grep -c '^Proxy ' "$H/raw.log" || true)
diag "wrk: $completed responses; haproxy logged $requests requests and $own messages of its own"
ok "$([ "$completed" -gt 200 ] && echo 0 || echo 1)" "wrk got enough responses to measure ($completed)"

run aggregate --format haproxy -w 1d "$H/raw.log"
is_rc 0 "aggregate --format haproxy: exit 0"
cp "$OUT" "$T/windows"
# HAProxy's own messages ("Proxy web stopped") share the log: bad lines,
# each reported, none silently dropped.
has "$ERR" "^aggregate: $H/raw.log:[0-9]+: not an HAProxy HTTP log line" \
    "HAProxy's own messages in the log are reported"
if [ "$own" -gt 0 ]; then
	has "$ERR" "^aggregate: $own bad lines? skipped of $((requests + own)) read\$" \
	    "and only those are bad ($own)"
else
	hasnt "$ERR" "bad line" "no bad line"
fi

sum() { jq -s --arg k "$1" "map(select(.key == \$k) | $2 // 0) | add // 0" "$T/windows"; }
pct() { jq -r --arg k "$1" "select(.key == \$k and .count > 0) | .latency_ms.$2" "$T/windows"; }

total=$(jq -s 'map(.count) | add' "$T/windows")
is "$total" "$requests" "every logged request is counted once"
ok "$([ "$total" -ge "$completed" ] && [ "$total" -le $((completed + 8)) ] && echo 0 || echo 1)" \
    "the count agrees with wrk's ($total vs $completed, at most 8 in flight)"
for code in 200 404 503; do
	if [ $code = 200 ]; then
		got=$(jq -s 'map(.count - ([.codes // {} | .[]] | add // 0)) | add' "$T/windows")
	else
		got=$(jq -s "map(.codes[\"$code\"] // 0) | add" "$T/windows")
	fi
	want=$(wrk_status $code)
	ok "$([ "$got" -ge "$want" ] && [ "$got" -le $((want + 8)) ] && echo 0 || echo 1)" \
	    "status $code: $got in the windows, $want seen by wrk"
done

# The service is the backend: "app" for proxied requests, the frontend
# itself for what it answers (http-request return).
ok "$([ "$(sum "app GET /api/fast" .count)" -gt 0 ] && echo 0 || echo 1)" \
    "proxied requests are keyed by their backend, 'app'"
is "$(sum "web GET /missing" .client_errors)" "$(sum "web GET /missing" .count)" \
    "the frontend's own 404s are keyed by the frontend, 'web'"
up503=$(upstream_count /api/err 503)
got503=$(sum "app GET /api/err" .errors)
ok "$([ "$got503" -ge $((up503 - 8)) ] && [ "$got503" -le $((up503 + 8)) ] && echo 0 || echo 1)" \
    "app GET /api/err: $got503 errors, the upstream sent $up503 503s"

# Latency Ta - TR, whole milliseconds: the upstream's own time plus the
# proxy hop, rounded by HAProxy to the millisecond.
for path in /api/fast /api/slow /api/err; do
	for q in 50 90; do
		up=$(upstream_pct $path 0.$q)
		got=$(pct "app GET $path" p$q)
		slack=$([ $q = 50 ] && echo 15 || echo 40)
		ok "$(within "$got" "$(awk -v u="$up" 'BEGIN { print u * 0.99 - 2 }')" \
		    "$(awk -v u="$up" -v s="$slack" 'BEGIN { print u * 1.01 + s }')" && echo 0 || echo 1)" \
		    "app GET $path p$q: $got ms, the upstream's own p$q $up ms"
	done
done

# The same requests with an RFC 5424 header make the same windows; the
# log's other lines (HAProxy's warnings on stderr) are bad lines.
run aggregate --format haproxy -w 1d "$H/syslog.log"
is_rc 0 "aggregate --format haproxy on the RFC 5424 log: exit 0"
same "$OUT" "$T/windows" "the syslog-framed log gives the same windows as the raw one"
other=$(grep -vc '^<134>1 ' "$H/syslog.log" || true)
has "$ERR" "^aggregate: $other bad lines? skipped of $((requests + other)) read\$" \
    "every line but the request logs is reported bad ($other)"

# --strict: the first bad line is fatal.
run aggregate --format haproxy --strict -w 1d "$H/raw.log"
if [ "$own" -gt 0 ]; then
	is_rc 1 "--strict: a message of HAProxy's own in the log is fatal"
else
	is_rc 0 "--strict: no bad line, exit 0"
fi

done_testing
