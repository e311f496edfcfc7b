#!/bin/sh
# alert --alertmanager against a real Alertmanager (0.25, Debian's),
# started here on a free loopback port and routing everything to the
# recording receiver: an alert fires there with its labels and
# annotations, a silence made in Alertmanager holds one back, the resolve
# arrives, re-posts keep a long-firing alert active past resolve_timeout,
# and a spooled alert reaches Alertmanager once it is up.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/receiver/receiver.sh"

AM_BIN=/usr/bin/prometheus-alertmanager
AM_PID=""
am_stop() {
	[ -n "$AM_PID" ] || return 0
	kill "$AM_PID" 2>/dev/null || true
	wait "$AM_PID" 2>/dev/null || true
	AM_PID=""
}
trap 'am_stop; for _p in $_recv_pids; do kill "$_p" 2>/dev/null || true; done; rm -rf "$T"' EXIT
trap 'exit 1' INT TERM HUP PIPE

if [ ! -x "$AM_BIN" ]; then
	echo "1..0 # SKIP $AM_BIN not installed (scripts/deps)"
	exit 0
fi

# wait_until TENTHS CMD...: until CMD succeeds, at most TENTHS/10 seconds.
wait_until() {
	_t=$1; shift
	_i=0
	while ! "$@" && [ "$_i" -lt "$_t" ]; do sleep 0.1; _i=$((_i + 1)); done
	"$@"
}

receiver_start hook
HOOK_URL=$RECV_URL
# Short timers so that the test takes seconds; resolve_timeout 5s is
# what --am-repeat must beat.
cat >"$T/am.yml" <<EOF
global:
  resolve_timeout: 5s
route:
  receiver: hook
  group_by: [alertname, service]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
- name: hook
  webhook_configs:
  - url: $HOOK_URL/am
    send_resolved: true
EOF

am_start() {	# sets AM (base URL); a taken port is tried again
	_tries=0
	while [ $_tries -lt 5 ]; do
		_port=$(free_port)
		"$AM_BIN" --config.file="$T/am.yml" --storage.path="$T/am" \
		    --web.listen-address="127.0.0.1:$_port" \
		    --web.external-url="http://127.0.0.1:$_port" \
		    --cluster.listen-address= --log.level=warn \
		    >>"$T/am.log" 2>&1 &
		AM_PID=$!
		AM=http://127.0.0.1:$_port
		_i=0
		while [ $_i -lt 150 ]; do
			curl -sf "$AM/-/ready" >/dev/null 2>&1 && return 0
			kill -0 "$AM_PID" 2>/dev/null || break
			sleep 0.1
			_i=$((_i + 1))
		done
		am_stop
		_tries=$((_tries + 1))
	done
	echo "# alertmanager would not start:"; tail -n 5 "$T/am.log" | sed 's/^/#   /'
	return 1
}
am_start

# hook_alerts: every alert of every notification, one a line, as
# "status id severity"; hook_json: the notifications.
hook_json() { receiver_bodies hook /am | jq -c 'select(type == "object")'; }
hook_alerts() {
	hook_json | jq -r '.alerts[] | .status + " " + .labels.id + " " + .labels.severity'
}
hook_has() { hook_alerts | grep -qx "$1"; }
# am_state ID: the state of the alert with that id in Alertmanager, or "none".
am_state() {
	curl -s "$AM/api/v2/alerts" |
	    jq -r --arg id "$1" '[.[] | select(.labels.id == $id) | .status.state] | if length == 0 then "none" else join(",") end'
}

sed -n 1p "$FIX/alert-delivery.jsonl" >"$T/fire.jsonl"
sed -n 2p "$FIX/alert-delivery.jsonl" >"$T/resolve.jsonl"
sed -n 3p "$FIX/alert-delivery.jsonl" >"$T/search.jsonl"

# 1. An alert fires there.
run alert --alertmanager "$AM" --external-url http://127.0.0.1:5000 "$T/fire.jsonl"
is_rc 0 "posted to Alertmanager: exit 0"
is "$(cat "$ERR")" "" "posted to Alertmanager: nothing on stderr"
wait_until 100 hook_has "firing 21dac0b1 warning"
ok $? "the receiver behind Alertmanager gets the alert, firing"
hook_json | jq -c '.alerts[] | select(.labels.id == "21dac0b1")' | head -n 1 >"$T/a1.json"
is "$(jq -c '.labels' "$T/a1.json")" \
    '{"alertname":"slowburn","id":"21dac0b1","key":"checkout GET /api/orders/{id}","service":"checkout","severity":"warning"}' \
    "labels: alertname, id, key, service, severity"
is "$(jq -r '.annotations.summary' "$T/a1.json")" \
    "WARNING: error rate 3.1% and p95 latency 2.4x on checkout GET /api/orders/{id}" "annotation: summary"
has "$T/a1.json" '"description":"p95 latency of checkout GET /api/orders/\{id\} rose from 121 ms' "annotation: the explanation"
link='http://127.0.0.1:5000/alerts?key=checkout%20GET%20%2Fapi%2Forders%2F%7Bid%7D&since=2026-11-26T14:06:00.000Z'
is "$(jq -r '.annotations.dashboard' "$T/a1.json")" "$link" "annotation: the dashboard link"
is "$(jq -r '.generatorURL' "$T/a1.json")" "$link" "generatorURL: the dashboard link"
is "$(jq -r '.startsAt' "$T/a1.json")" 2026-11-26T14:06:00Z "startsAt: the incident's start"
is "$(am_state 21dac0b1)" active "Alertmanager holds it active"

# Our webhook sink speaks as this Alertmanager does: same fingerprint,
# same groupKey and groupLabels for the same alert.
receiver_start mine
run alert --webhook "$RECV_URL/w" --group-wait 0 "$T/fire.jsonl"
receiver_bodies mine /w >"$T/mine.json"
is "$(jq -r '.alerts[0].fingerprint' "$T/mine.json")" "$(jq -r '.fingerprint' "$T/a1.json")" \
    "webhook sink: the fingerprint Alertmanager computes ($(jq -r '.fingerprint' "$T/a1.json"))"
hook_json | jq -c 'select(.alerts[0].labels.id == "21dac0b1") | [.groupKey, .groupLabels]' | head -n 1 >"$T/am.gk"
is "$(jq -c '[.groupKey, .groupLabels]' "$T/mine.json")" "$(cat "$T/am.gk")" \
    "webhook sink: groupKey and groupLabels as Alertmanager's"

# 2. A silence created in Alertmanager holds back a second alert; a
# third one, of another service, goes through.
now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
until=$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)
sil=$(curl -s -H 'Content-Type: application/json' -d "{\"matchers\":[{\"name\":\"service\",\"value\":\"search\",\"isRegex\":false,\"isEqual\":true}],\"startsAt\":\"$now\",\"endsAt\":\"$until\",\"createdBy\":\"t6100\",\"comment\":\"maintenance\"}" \
    "$AM/api/v2/silences" | jq -r '.silenceID // empty')
is "$([ -n "$sil" ] && echo yes)" yes "a silence made through Alertmanager's API"
jq -c '.id = "0ther001" | .service = "pay" | .key = "pay POST /pay"' "$T/fire.jsonl" >"$T/pay.jsonl"
run alert --alertmanager "$AM" "$T/search.jsonl" "$T/pay.jsonl"
is_rc 0 "a silenced and an unsilenced alert: exit 0"
wait_until 100 hook_has "firing 0ther001 warning"
ok $? "the unsilenced alert reaches the receiver"
sleep 2	# a group_wait and a group_interval more for the silenced one
is "$(hook_alerts | grep -c dcf754b1)" 0 "the silenced alert does not"
is "$(am_state dcf754b1)" suppressed "Alertmanager holds it suppressed"
is "$(curl -s "$AM/api/v2/alerts" | jq -r '.[] | select(.labels.id == "dcf754b1") | .status.silencedBy[0]')" "$sil" \
    "... by that silence"

# 3. The resolve arrives, with endsAt.
run alert --alertmanager "$AM" "$T/resolve.jsonl"
is_rc 0 "resolve posted: exit 0"
wait_until 100 hook_has "resolved 21dac0b1 warning"
ok $? "the receiver gets the resolve"
is "$(hook_json | jq -r '.alerts[] | select(.labels.id == "21dac0b1" and .status == "resolved") | .endsAt' | head -n 1)" \
    2026-11-26T14:31:00Z "endsAt: the incident's resolve time"
is "$(am_state 21dac0b1)" none "no longer active in Alertmanager"

# 4. Re-posts keep a long-firing alert active past resolve_timeout (5s):
# "long" is posted by a live alert re-posting every second, then
# "once" by an alert that exits.  "once" ends by the timeout; "long",
# posted first, would have ended before it without the re-posts.
jq -c '.id = "1009f1re" | .service = "long" | .key = "long GET /x"' "$T/fire.jsonl" >"$T/long.jsonl"
jq -c '.id = "0e0e0e0e" | .service = "once" | .key = "once GET /y"' "$T/fire.jsonl" >"$T/once.jsonl"
mkfifo "$T/in"
alert --alertmanager "$AM" --am-repeat 1s <"$T/in" >"$T/live.out" 2>"$T/live.err" &
apid=$!
exec 3>"$T/in"
cat "$T/long.jsonl" >&3
wait_until 50 hook_has "firing 1009f1re warning"
ok $? "the long-firing alert fires"
run alert --alertmanager "$AM" "$T/once.jsonl"
wait_until 150 hook_has "resolved 0e0e0e0e warning"
ok $? "an alert posted once is ended by resolve_timeout"
is "$(am_state 1009f1re)" active "the re-posted one is still active then"
sleep 2
is "$(am_state 1009f1re)" active "... and later"
is "$(hook_alerts | grep -c 'resolved 1009f1re')" 0 "no resolve of it reached the receiver"
exec 3>&-
RC=0; wait "$apid" || RC=$?
is_rc 0 "the live alert exits 0 at the end of its input"

# 5. At least once: posted while Alertmanager is down, spooled, and
# delivered by the next run once it is up.
receiver_start dead
dead=$RECV_URL
kill "${_recv_pids##* }"
wait "${_recv_pids##* }" 2>/dev/null || true
jq -c '.id = "5p001ed1" | .service = "spooled" | .key = "spooled GET /z"' "$T/fire.jsonl" >"$T/spooled.jsonl"
run alert --alertmanager "$dead" --spool "$T" --retries 1 --retry-base 50ms "$T/spooled.jsonl"
is_rc 1 "Alertmanager down: exit 1"
has "$ERR" 'alertmanager sink \(127\.0\.0\.1\): 1 alerts pending in .*alert\.spool' "kept in the spool"
run alert --alertmanager "$AM" --spool "$T" </dev/null
is_rc 0 "the next run: exit 0"
is "$(am_state 5p001ed1)" active "the spooled alert reached Alertmanager"
wait_until 100 hook_has "firing 5p001ed1 warning"
ok $? "... and its receiver"
done_testing
