#!/bin/sh
# alert --alertmanager against the recording receiver: the request (path,
# a JSON array of postable alerts, labels, annotations, startsAt, endsAt),
# the re-posts of firing alerts in wall time, retries through the spool,
# the environment; and the webhook sink's --external-url, groupLabels and
# fingerprints, with the dashboard answering the incident link.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/receiver/receiver.sh"
. "$FIX/dashboard-lib.sh"
trap 'dash_stop; for _p in $_recv_pids; do kill "$_p" 2>/dev/null || true; done; rm -rf "$T"' EXIT
trap 'exit 1' INT TERM HUP PIPE

FIRING=$T/firing.jsonl
head -n 1 "$FIX/alert-delivery.jsonl" >"$FIRING"
sed -n 2p "$FIX/alert-delivery.jsonl" >"$T/resolved.jsonl"

# wait_until TENTHS CMD...: until CMD succeeds, at most TENTHS/10 seconds.
wait_until() {
	_t=$1; shift
	_i=0
	while ! "$@" && [ "$_i" -lt "$_t" ]; do sleep 0.1; _i=$((_i + 1)); done
}
count_at_least() { [ "$(receiver_count "$1")" -ge "$2" ]; }

receiver_start am
run alert --alertmanager "$RECV_URL/" "$FIX/alert-delivery.jsonl"
is_rc 0 "three alert records: exit 0"
is "$(cat "$OUT")" "" "no console output with --alertmanager alone"
is "$(cut -d' ' -f3,4 "$T/am/log" | sort -u)" "POST /api/v2/alerts" \
    "posted to URL/api/v2/alerts (a trailing slash dropped)"
is "$(receiver_count am)" 3 "one request per record: not grouped here"
has "$T/am/0001.head" '^Content-Type: application/json' "JSON content type"
receiver_bodies am /api/v2/alerts >"$T/am.json"
is "$(jq -c 'map(.labels)' "$T/am.json" | head -n 1)" \
    '[{"alertname":"slowburn","id":"21dac0b1","key":"checkout GET /api/orders/{id}","service":"checkout","severity":"warning"}]' \
    "labels: alertname, id, key, service, severity"
is "$(jq -r '.[0].annotations | keys | join(",")' "$T/am.json" | head -n 1)" \
    "description,insights,recommendations,summary" "annotations: summary and explanation (description)"
is "$(jq -r '.[0].annotations.summary' "$T/am.json" | head -n 1)" \
    "WARNING: error rate 3.1% and p95 latency 2.4x on checkout GET /api/orders/{id}" "annotations: the summary"
is "$(jq -r '.[0] | [.startsAt, .endsAt // "-"] | join(" ")' "$T/am.json" | tr '\n' ,)" \
    "2026-11-26T14:06:00.000Z -,2026-11-26T14:06:00.000Z 2026-11-26T14:31:00.000Z,2026-11-26T14:58:00.000Z -," \
    "startsAt the incident's start; endsAt only on the resolve"
is "$(jq -s 'all(.[]; type == "array" and length == 1 and (.[0].generatorURL == null))' "$T/am.json")" true \
    "a JSON array each time; no generatorURL without --external-url"

# --external-url: the dashboard link as generatorURL and annotation.
run alert --alertmanager "$RECV_URL/api/v2/alerts" --external-url http://127.0.0.1:5000/ "$FIRING"
is_rc 0 "--external-url: exit 0"
is "$(tail -n 1 "$T/am/log" | cut -d' ' -f4)" /api/v2/alerts "a URL already ending in /api/v2/alerts is kept"
body=$T/am/$(tail -n 1 "$T/am/log" | cut -d' ' -f1).body
link='http://127.0.0.1:5000/alerts?key=checkout%20GET%20%2Fapi%2Forders%2F%7Bid%7D&since=2026-11-26T14:06:00.000Z'
is "$(jq -r '.[0].generatorURL' "$body")" "$link" "generatorURL: the incident on the dashboard"
is "$(jq -r '.[0].annotations.dashboard' "$body")" "$link" "annotation dashboard: the same link"

# The environment, and --header on the Alertmanager sink.
receiver_start env
ALERTMANAGER_URL=$RECV_URL run alert --header 'Authorization: Bearer t0ken' "$FIRING"
is_rc 0 "ALERTMANAGER_URL: exit 0"
is "$(receiver_count env)" 1 "ALERTMANAGER_URL: posted"
has "$T/env/0001.head" '^Authorization: Bearer t0ken' "--header reaches Alertmanager"

# Re-posts in wall time: every --am-repeat while firing, none after the resolve.
receiver_start live
mkfifo "$T/in"
alert --alertmanager "$RECV_URL" --am-repeat 1s <"$T/in" >"$T/live.out" 2>"$T/live.err" &
apid=$!
exec 3>"$T/in"
cat "$FIRING" >&3
wait_until 100 count_at_least live 4
is "$(receiver_count live)" 4 "firing: posted, then re-posted every second"
receiver_gaps live | tail -n 3 >"$T/gaps"
is "$(awk '$1 < 0.8 || $1 > 2.5 { bad++ } END { print bad + 0 }' "$T/gaps")" 0 \
    "re-posts about a second apart ($(tr '\n' ' ' <"$T/gaps"))"
is "$(receiver_bodies live /api/v2/alerts | jq -s 'map(.[0].labels.id + " " + (.[0].endsAt // "firing")) | unique | join(",")')" \
    '"21dac0b1 firing"' "each re-post is the firing alert, without endsAt"
cat "$T/resolved.jsonl" >&3
wait_until 50 count_at_least live 5
n=$(receiver_count live)
sleep 2.5
is "$(receiver_count live)" "$n" "no re-post after the resolve"
is "$(receiver_bodies live /api/v2/alerts | tail -n 1 | jq -r '.[0].endsAt')" 2026-11-26T14:31:00.000Z \
    "the resolve posted with endsAt"
exec 3>&-
RC=0; wait "$apid" || RC=$?
is_rc 0 "the live alert exits 0 at the end of its input"

# A severity change is a new label set: the old one is ended.
jq -c '.severity = "critical" | .at = "2026-11-26T14:25:00.000Z"' "$FIRING" >"$T/crit.jsonl"
receiver_start sev
run alert --alertmanager "$RECV_URL" "$FIRING" "$T/crit.jsonl"
receiver_bodies sev /api/v2/alerts | tail -n 1 >"$T/sev.json"
is "$(jq -c 'map([.labels.severity, .endsAt // "firing"])' "$T/sev.json")" \
    '[["warning","2026-11-26T14:25:00.000Z"],["critical","firing"]]' \
    "severity up: the warning ended at the record's time, the critical firing"

# A resolve that alert's own silence drops still reaches Alertmanager,
# which was told the alert fires.
alert silence add --silences "$T/silences.jsonl" --match 'id=21dac0b1' \
    --starts 2026-11-26T14:30:00Z --for 1h >/dev/null
receiver_start sil
run alert --alertmanager "$RECV_URL" --silences "$T/silences.jsonl" "$FIRING" "$T/resolved.jsonl"
is_rc 0 "silenced resolve: exit 0"
has "$ERR" 'silenced by' "the resolve is recorded as silenced"
is "$(receiver_bodies sil /api/v2/alerts | jq -r '.[0].endsAt // "firing"' | tr '\n' ,)" \
    "firing,2026-11-26T14:31:00.000Z," "Alertmanager still gets the resolve"

# Delivery machinery: a 500 is retried, a 400 is refused for good.
receiver_start retry
printf '500\n200\n' >"$T/retry/plan"
run alert --alertmanager "$RECV_URL" --retry-base 50ms "$FIRING"
is_rc 0 "500 then 200: exit 0"
is "$(receiver_count retry)" 2 "500 then 200: retried once"
has "$ERR" 'alertmanager sink \(127\.0\.0\.1\): alert 21dac0b1: HTTP 500; retry 1 of 5' "the retry is reported"
echo '400 {"code":400,"message":"bad alert"}' >"$T/retry/mode"
run alert --alertmanager "$RECV_URL" "$FIRING"
is_rc 1 "400: exit 1"
has "$ERR" 'refused, not retried: HTTP 400: \{"code":400' "400: refused with Alertmanager's message"

# The firing set survives a restart in the spool, and is re-posted at once.
receiver_start sp
run alert --alertmanager "$RECV_URL" --spool "$T" "$FIRING"
is_rc 0 "with --spool: exit 0"
run alert --alertmanager "$RECV_URL" --spool "$T" --am-repeat 1h - <<EOF
{"type":"watermark","at":"2026-11-26T14:22:00.000Z"}
EOF
is_rc 0 "restart: exit 0"
is "$(receiver_count sp)" 2 "restart: the alert still firing is posted again at once"

# Beside a grouped sink: Alertmanager gets each record, the webhook
# its group notifications.
receiver_start both
run alert --alertmanager "$RECV_URL" --webhook "$RECV_URL/hook" "$FIX/alert-delivery.jsonl"
is_rc 0 "--alertmanager and --webhook: exit 0"
is "$(cut -d' ' -f4 "$T/both/log" | sort | uniq -c | awk '{ printf "%s=%s ", $2, $1 }')" \
    "/api/v2/alerts=3 /hook=3 " "both sinks get the three alerts"
receiver_bodies both /hook >"$T/both.json"
same "$T/both.json" "$FIX/alert-webhook.expected" "the webhook's messages are unchanged beside Alertmanager"

# Usage.
run alert --alertmanager "$RECV_URL" --am-repeat 10ms "$FIRING"
is_rc 2 "--am-repeat below 1s: usage error"
run alert --alertmanager "$RECV_URL" --external-url ftp://x "$FIRING"
is_rc 2 "--external-url not http(s): usage error"
has "$ERR" "external-url: 'ftp://x' is not an http or https URL" "--external-url: the message"
receiver_start wh
run alert --webhook "$RECV_URL/api/v2/alerts" "$FIRING"
has "$ERR" 'use --alertmanager' "--webhook at Alertmanager's API: a hint"
run alert --alertmanager "$RECV_URL" --am-repeat 5m "$FIRING"
has "$ERR" "am-repeat: not below Alertmanager's default resolve_timeout" "--am-repeat 5m: a warning"

# The webhook sink: externalURL, generatorURL, groupLabels, fingerprints.
receiver_start hook
run alert --webhook "$RECV_URL/hook" --external-url http://127.0.0.1:5000 "$FIX/alert-delivery.jsonl"
is_rc 0 "webhook --external-url: exit 0"
receiver_bodies hook /hook >"$T/hook.json"
is "$(jq -r '.externalURL' "$T/hook.json" | sort -u)" http://127.0.0.1:5000 "webhook: externalURL"
is "$(jq -r '.alerts[0].generatorURL' "$T/hook.json" | head -n 1)" "$link" "webhook: generatorURL links to the incident"
is "$(jq -r '.commonAnnotations.dashboard' "$T/hook.json" | head -n 1)" "$link" "webhook: dashboard annotation"
is "$(jq -c '.groupLabels' "$T/hook.json" | head -n 1)" '{"alertname":"slowburn","service":"checkout"}' \
    "webhook: groupLabels carry alertname"
is "$(jq -r '.alerts[].fingerprint' "$T/hook.json" | grep -Ec '^[0-9a-f]{16}$')" 3 "webhook: fingerprints of 16 hex digits"
is "$(jq -r '.alerts[0].fingerprint' "$T/hook.json" | sed -n 1p)" b9ce1bb8f43fc677 \
    "webhook: the fingerprint Alertmanager computes for these labels"

# The link works: the dashboard shows the incident.
store put -b sqlite --sqlite-path "$T/db" "$FIX/alert-delivery.jsonl" >/dev/null
dash_start -b sqlite --sqlite-path "$T/db"
path=${link#http://127.0.0.1:5000}
get "$path"
is "$STATUS" 200 "the dashboard answers the incident link"
is "$(grep -c '<div class="card alert' "$OUT")" 1 "the page shows one incident"
has "$OUT" 'checkout GET /api/orders/\{id\} is back to normal' "... this one, in its latest record"
done_testing
