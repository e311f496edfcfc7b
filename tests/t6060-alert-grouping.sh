#!/bin/sh
# alert: Alertmanager's grouping for the remote sinks, in event time:
# --group-by, --group-wait, --group-interval, repeats and resolves
# through the group's timers, the flush at the end of input, one message
# per group (webhook, Slack, exec) but one PagerDuty event per alert,
# and the spool's at-least-once for alerts waiting in a group and for
# group messages across kill -9.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/receiver/receiver.sh"

a() {	# a ID STATE SEVERITY SERVICE PATH HH:MM:SS
	printf '{"type":"alert","id":"%s","state":"%s","severity":"%s","service":"%s","key":"%s %s","started":"2026-11-26T14:00:00Z","at":"2026-11-26T%sZ","summary":"%s on %s"}\n' \
	    "$1" "$2" "$3" "$4" "$4" "$5" "$6" "$3" "$5"
}
tick() {	# tick HH:MM:SS: a signal, only to move the clock
	printf '{"type":"signal","key":"clock GET /","at":"2026-11-26T%sZ","metric":"m","detector":"level","direction":"up","value":2,"baseline":1}\n' "$1"
}
posts() {	# posts NAME PATH: per POST, "status:id,id,..." then a space
	receiver_bodies "$1" "$2" | jq -r '.status + ":" + ([.alerts[] | .labels.id + (if .status == "resolved" then "/r" else "" end)] | join(","))' | tr '\n' ' '
}
feed() { for _l in "$@"; do printf '%s\n' "$_l" >&3; done; }
settle() { sleep 0.5; }	# alert answers in milliseconds: a POST that
			# must not come has had time to come

# Live, through a FIFO: two endpoints of one service 10 s apart in event
# time are one POST when the clock passes the group wait (30 s).
receiver_start w
mkfifo "$T/fifo"
alert --webhook "$RECV_URL/g" <"$T/fifo" 2>"$T/err1" &
pid=$!
exec 3>"$T/fifo"
feed "$(a p1 firing warning pay 'GET /cart' 14:00:00)" "$(a p2 firing warning pay 'POST /pay' 14:00:10)"
settle
is "$(receiver_count w)" 0 "group wait: nothing sent at once"
feed "$(tick 14:00:29)"
settle
is "$(receiver_count w)" 0 "nothing 29 s after the first alert (event time)"
feed "$(tick 14:00:31)"
receiver_wait w 1
is "$(posts w /g)" "firing:p1,p2 " "at 30 s: one POST with both alerts"
receiver_bodies w /g >"$T/g1.json"
is "$(jq -c '[.groupKey, .groupLabels, .commonLabels.service, (.alerts|length), .commonAnnotations]' "$T/g1.json")" \
    '["{}:{alertname=\"slowburn\", service=\"pay\"}",{"alertname":"slowburn","service":"pay"},"pay",2,{}]' \
    "Alertmanager group fields: groupKey, groupLabels, commonLabels, alerts[]"
# A third alert 2 min later waits for the next tick of the group
# interval (5 min after the first notification: 14:05:30).
feed "$(a p3 firing warning pay 'GET /refund' 14:02:31)"
settle
is "$(receiver_count w)" 1 "a new alert in a notified group: not at once"
feed "$(tick 14:05:29)"
settle
is "$(receiver_count w)" 1 "not before the group interval has passed"
feed "$(tick 14:05:30)"
receiver_wait w 2
is "$(posts w /g)" "firing:p1,p2 firing:p1,p2,p3 " "at the interval: one POST with the whole group"
# Nothing changed: nothing at the next ticks.
feed "$(tick 14:20:00)"
settle
is "$(receiver_count w)" 2 "an unchanged group is not sent again within --repeat-interval"
# A change of severity is news; two resolves 5 s apart are one POST.
feed "$(a p1 updated critical pay 'GET /cart' 14:21:00)" "$(tick 14:25:31)"
receiver_wait w 3
is "$(receiver_bodies w /g | sed -n 3p | jq -r '[.alerts[] | .labels.id + " " + .labels.severity] | join(",")')" \
    "p1 critical,p2 warning,p3 warning" "a change of severity goes at the next tick"
feed "$(a p2 resolved warning pay 'POST /pay' 14:26:00)" "$(a p3 resolved warning pay 'GET /refund' 14:26:05)" "$(tick 14:30:31)"
receiver_wait w 4
is "$(receiver_bodies w /g | sed -n 4p | jq -c '[.status, [.alerts[] | .status], [.alerts[] | .endsAt]]')" \
    '["firing",["firing","resolved","resolved"],["0001-01-01T00:00:00Z","2026-11-26T14:26:00.000Z","2026-11-26T14:26:05.000Z"]]' \
    "resolves: grouped at the next tick, with the alerts still firing"
feed "$(a p1 resolved critical pay 'GET /cart' 14:31:00)"
settle
is "$(receiver_count w)" 4 "the last resolve waits for its tick too"
exec 3>&-
wait "$pid" || true
is "$(receiver_count w)" 5 "the end of input sends what waits"
is "$(receiver_bodies w /g | sed -n 5p | jq -c '[.status, [.alerts[].labels.id]]')" '["resolved",["p1"]]' \
    "... the last resolve, alone: resolved alerts leave their group once sent"

# The same events from a file: the same POSTs (event time, not the clock).
{
	a p1 firing warning pay 'GET /cart' 14:00:00; a p2 firing warning pay 'POST /pay' 14:00:10
	tick 14:00:31; a p3 firing warning pay 'GET /refund' 14:02:31; tick 14:05:30
	tick 14:20:00; a p1 updated critical pay 'GET /cart' 14:21:00; tick 14:25:31
	a p2 resolved warning pay 'POST /pay' 14:26:00; a p3 resolved warning pay 'GET /refund' 14:26:05
	tick 14:30:31; a p1 resolved critical pay 'GET /cart' 14:31:00
} >"$T/pay"
receiver_start f
run alert --webhook "$RECV_URL/g" "$T/pay"
is_rc 0 "from a file: exit 0"
is "$(posts f /g)" "$(posts w /g)" "from a file: the same notifications"

# --group-by key: one group per endpoint.
receiver_start k
run alert --webhook "$RECV_URL/k" --group-by key "$T/pay"
is "$(receiver_bodies k /k | head -n 2 | jq -c '[.groupLabels, [.alerts[].labels.id]]' | tr '\n' ' ')" \
    '[{"alertname":"slowburn","key":"pay GET /cart"},["p1"]] [{"alertname":"slowburn","key":"pay POST /pay"},["p2"]] ' \
    "--group-by key: separate POSTs, grouped by the key"
is "$(posts k /k)" "firing:p1 firing:p2 firing:p3 firing:p1 resolved:p3/r resolved:p2/r resolved:p1/r " \
    "--group-by key: each endpoint on its own timers"

# --group-wait 0: the first notification at once; --group-interval 0: every
# change at once.
receiver_start z
mkfifo "$T/fifo.z"
alert --webhook "$RECV_URL/z" --group-wait 0 <"$T/fifo.z" 2>"$T/err2" &
pid=$!
exec 3>"$T/fifo.z"
feed "$(a p1 firing warning pay 'GET /cart' 14:00:00)"
receiver_wait z 1
is "$(posts z /z)" "firing:p1 " "--group-wait 0: sent at once"
feed "$(a p2 firing warning pay 'POST /pay' 14:00:10)"
settle
is "$(receiver_count z)" 1 "--group-wait 0: later changes still wait for the interval"
exec 3>&-
wait "$pid" || true
run alert --webhook "$RECV_URL/z" --group-wait 0 --group-interval 0 "$T/pay"
is "$(posts z /z | cut -d' ' -f3-)" \
    "firing:p1 firing:p1,p2 firing:p1,p2,p3 firing:p1,p2,p3 firing:p1,p2/r,p3 firing:p1,p3/r resolved:p1/r " \
    "--group-interval 0: one notification per change"

# --send-resolved no: resolves leave the group silently.
receiver_start n
run alert --webhook "$RECV_URL/n" --send-resolved no "$T/pay"
is "$(posts n /n)" "firing:p1,p2 firing:p1,p2,p3 firing:p1,p2,p3 " "--send-resolved no: no resolve is sent"

# An alert that fires and resolves within the group wait was never
# notified: nor is its resolve (as Alertmanager).
receiver_start b
{ a q1 firing warning cart 'GET /a' 14:00:00; a q1 resolved warning cart 'GET /a' 14:00:20; tick 14:10:00; } >"$T/blip"
run alert --webhook "$RECV_URL/b" "$T/blip"
is_rc 0 "a blip: exit 0"
is "$(receiver_count b)" 0 "a blip inside the group wait: no notification"
{ a q1 firing warning cart 'GET /a' 14:00:00; a q1 resolved warning cart 'GET /a' 14:00:20; a q1 resolved warning cart 'GET /a' 14:05:00; } >"$T/blip2"
run alert --webhook "$RECV_URL/b" "$T/blip2"
is "$(receiver_count b)" 0 "... nor a second resolve of it"
# A resolve alone is taken for one whose firing an earlier run notified;
# if the alert fires again, that is news.
{ a v1 resolved warning cart 'GET /v' 14:00:00; a v1 firing warning cart 'GET /v' 14:00:10; } >"$T/alone"
run alert --webhook "$RECV_URL/b" "$T/alone"
is "$(posts b /b)" "firing:v1 " "a resolve alone, then a firing: the firing is sent"

# --repeat-interval: an unchanged firing group is sent again, at a tick.
receiver_start r
{ a r1 firing warning api 'GET /a' 14:00:00; tick 14:59:00; tick 15:00:29; tick 15:00:30; tick 15:30:00; } >"$T/rep"
run alert --webhook "$RECV_URL/r" --repeat-interval 1h "$T/rep"
is "$(receiver_count r)" 2 "--repeat-interval 1h: sent again once, at the first tick an hour after"
is "$(posts r /r)" "firing:r1 firing:r1 " "the repeat is the unchanged group"

# Slack: one message listing the alerts of the group; the 50-block cap
# with an "and N more alerts" line.
receiver_start s
run alert --slack "$RECV_URL/s" "$T/pay"
is "$(receiver_count s)" 5 "slack: one message per notification"
receiver_bodies s /s | head -n 1 >"$T/s1.json"
is "$(jq -r '[.blocks[] | select(.type == "header") | .text.text] | join(",")' "$T/s1.json")" \
    ":warning: WARNING: pay GET /cart,:warning: WARNING: pay POST /pay" "slack: one message with both keys"
is "$(jq -r '.text' "$T/s1.json" | tr '\n' '|')" \
    "[WARNING] firing pay GET /cart: warning on GET /cart|[WARNING] firing pay POST /pay: warning on POST /pay|" \
    "slack: the text fallback lists both"
is "$(jq '[.blocks[] | select(.type == "divider")] | length' "$T/s1.json")" 1 "slack: a divider between alerts"
for i in $(seq 1 60); do a "m$i" firing warning big "GET /e$i" 14:00:00; done >"$T/sixty"
run alert --slack "$RECV_URL/s60" "$T/sixty"
is "$(receiver_bodies s /s60 | jq -c '[(.blocks|length) <= 50, ([.blocks[] | select(.type == "header")] | length), .blocks[-1].elements[0].text]')" \
    '[true,11,"and 49 more alerts"]' "slack: 60 alerts in one message, within 50 blocks, 'and 49 more alerts'"
receiver_bodies s /s60 >"$T/s60.json"
is "$(jq '(.text|length) <= 3000' "$T/s60.json")" true "slack: the text fallback within 3000 characters"

# PagerDuty: grouping does not merge events: one per alert that changed,
# dedup_key its id.
receiver_start pd
run alert --pagerduty R0UTINGKEY --pagerduty-url "$RECV_URL/pd" "$T/pay"
is "$(receiver_bodies pd /pd | jq -r '.event_action + " " + .dedup_key + " " + (.payload.severity // "-")' | tr '\n' ,)" \
    "trigger p1 warning,trigger p2 warning,trigger p3 warning,trigger p1 critical,resolve p2 -,resolve p3 -,resolve p1 -," \
    "pagerduty: one event per alert, only those that changed"

# exec: one run per notification, the group's records one a line.
run alert --exec 'jq -sc "map(.id)"' "$T/pay"
is "$(tr '\n' ' ' <"$OUT")" '["p1","p2"] ["p1","p2","p3"] ["p1","p2","p3"] ["p1","p2","p3"] ["p1"] ' \
    "exec: one run per group notification, its records on stdin"

# kill -9 while two alerts wait in their group: they are in the spool
# (sink "group") and the next run sends them, as one message.
receiver_start h
mkdir "$T/spool"
rm -f "$T/fifo"; mkfifo "$T/fifo"
alert --webhook "$RECV_URL/h" --spool "$T/spool" <"$T/fifo" 2>"$T/err3" &
pid=$!
exec 3>"$T/fifo"
feed "$(a h1 firing warning pay 'GET /cart' 14:00:00)" "$(a h2 firing warning pay 'POST /pay' 14:00:10)"
_i=0
while [ "$(grep -c '"sink":"group"' "$T/spool/alert.spool" 2>/dev/null || echo 0)" -lt 2 ] && [ "$_i" -lt 200 ]; do
	sleep 0.05; _i=$((_i + 1))
done
kill -9 "$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || true
exec 3>&-
is "$(grep -c '"sink":"group"' "$T/spool/alert.spool")" 2 "killed in the group wait: both alerts in the spool"
is "$(receiver_count h)" 0 "nothing was sent"
run alert --webhook "$RECV_URL/h" --spool "$T/spool" </dev/null
is_rc 0 "the restart exits 0"
has "$ERR" '2 alert records from an earlier run wait in their groups' "it says so"
is "$(posts h /h)" "firing:h1,h2 " "and sends them as one message"
is "$(grep -c . "$T/spool/alert.spool" || true)" 0 "the spool is empty after"

# kill -9 while a group message fails (500): spooled as one unit, the
# waiting alerts replaced by it in one atomic change.
echo 500 >"$T/h/mode"
rm -f "$T/fifo"; mkfifo "$T/fifo"
alert --webhook "$RECV_URL/h" --spool "$T/spool" --retries 100 --retry-base 50ms \
    --retry-max 50ms <"$T/fifo" 2>"$T/err4" &
pid=$!
exec 3>"$T/fifo"
n0=$(receiver_count h)
feed "$(a u1 firing warning pay 'GET /cart' 14:00:00)" "$(a u2 firing warning pay 'POST /pay' 14:00:10)" "$(tick 14:00:31)"
receiver_wait h $((n0 + 2))
kill -9 "$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || true
exec 3>&-
is "$(grep -c . "$T/spool/alert.spool")" 1 "a group message is one spool item"
is "$(jq -r '.sink + " " + .id' "$T/spool/alert.spool")" "webhook u1,u2" "... for both alerts, none left waiting"
echo 200 >"$T/h/mode"
n0=$(receiver_count h)
run alert --webhook "$RECV_URL/h" --spool "$T/spool" </dev/null
is_rc 0 "restart: exit 0"
has "$ERR" '2 alerts pending from an earlier run' "two alerts pending, in one message"
is "$(receiver_count h)" $((n0 + 1)) "delivered after the restart: one POST"
is "$(receiver_bodies h /h | tail -n 1 | jq -c '[.alerts[].labels.id]')" '["u1","u2"]' "with both alerts"
has "$T/err4" 'alerts u1,u2: HTTP 500; retry' "a group message is named by its alerts"

# A watermark moves the clock as a signal does: in the full chain,
# correlate forwards detect's watermarks, so that a quiet live pipe still
# notifies a group when its wait is over.
receiver_start m
rm -f "$T/fifo"; mkfifo "$T/fifo"
alert --webhook "$RECV_URL/m" <"$T/fifo" 2>"$T/errm" &
pid=$!
exec 3>"$T/fifo"
feed "$(a m1 firing warning mark 'GET /x' 15:00:00)" '{"type":"watermark","at":"2026-11-26T15:00:00.000Z"}'
settle
is "$(receiver_count m)" 0 "watermark: nothing before the group wait"
feed '{"type":"watermark","at":"2026-11-26T15:01:00.000Z"}'
receiver_wait m 1
is "$(posts m /m)" "firing:m1 " "a watermark past the group wait sends the group, input still open"
feed '{"type":"watermark","at":"soon"}'
exec 3>&-
wait "$pid"
ok $? "alert exits 0 at the end of its input"
has "$T/errm" "stdin:4: watermark: missing 'at' or not an RFC 3339 time" "a bad watermark is a bad line"

# Options.
run alert --webhook "$RECV_URL/x" --group-wait soon "$T/pay"
is_rc 2 "a bad --group-wait: usage error"
run alert --webhook "$RECV_URL/x" --group-interval -1s "$T/pay"
is_rc 2 "a bad --group-interval: usage error"
run alert -h
has "$OUT" '--group-wait DUR' "usage names --group-wait"
done_testing
