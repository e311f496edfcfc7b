#!/bin/sh
# alert: the exact JSON each sink sends (golden files), checked against
# the documented field lists: Alertmanager webhook v4, Slack Block Kit
# within Slack's limits, PagerDuty Events API v2; and the exec sink.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/receiver/receiver.sh"

receiver_start r
run alert --webhook "$RECV_URL/hook" --slack "$RECV_URL/slack" \
    --pagerduty R0UTINGKEY --pagerduty-url "$RECV_URL/pd" "$FIX/alert-delivery.jsonl"
is_rc 0 "three sinks: exit 0"
is "$(cat "$OUT")" "" "no console output when a sink is given"
is "$(receiver_count r)" 9 "three alerts, three sinks: nine requests"
receiver_bodies r /hook >"$T/hook.json"
receiver_bodies r /slack >"$T/slack.json"
receiver_bodies r /pd >"$T/pd.json"
same "$T/hook.json" "$FIX/alert-webhook.expected" "webhook: Alertmanager v4 payloads"
same "$T/slack.json" "$FIX/alert-slack.expected" "slack: Block Kit payloads"
same "$T/pd.json" "$FIX/alert-pagerduty.expected" "pagerduty: Events API v2 payloads"
has "$T/r/0001.head" '^Content-Type: application/json' "JSON content type"

# Alertmanager's documented webhook fields, every one present and typed.
is "$(jq -s 'all(.[]; .version == "4" and (.groupKey|type) == "string" and .truncatedAlerts == 0 and
    (.status == "firing" or .status == "resolved") and (.receiver|type) == "string" and
    (.groupLabels|type) == "object" and (.commonLabels|type) == "object" and
    (.commonAnnotations|type) == "object" and (.externalURL|type) == "string" and
    (.alerts|length) >= 1 and all(.alerts[];
	(.status == "firing" or .status == "resolved") and (.labels.alertname|type) == "string" and
	(.annotations|type) == "object" and (.startsAt|test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T")) and
	(.endsAt|type) == "string" and (.generatorURL|type) == "string" and (.fingerprint|type) == "string"))' "$T/hook.json")" true \
    "webhook: every documented Alertmanager field"
is "$(jq -r '.alerts[0] | .status + " " + .endsAt' "$T/hook.json" | tr '\n' ,)" \
    "firing 0001-01-01T00:00:00Z,resolved 2026-11-26T14:31:00.000Z,firing 0001-01-01T00:00:00Z," \
    "webhook: endsAt is zero while firing, the resolve time after"

# Slack: text fallback, allowed block types, limits.
is "$(jq -s 'all(.[]; (.text|type) == "string" and (.text|length) <= 3000 and (.blocks|length) <= 50 and
    all(.blocks[]; .type == "header" or .type == "section" or .type == "divider" or .type == "context") and
    all(.blocks[] | select(.type == "header"); (.text.type == "plain_text") and (.text.text|length) <= 150) and
    all(.blocks[] | select(.type == "section"); ((.text.text // "")|length) <= 3000 and ((.fields // [])|length) <= 10))' "$T/slack.json")" true \
    "slack: text fallback and blocks within Slack's limits"
has "$T/slack.json" '"text":":white_check_mark: RESOLVED: checkout' "slack: a resolve is clearly marked"

# PagerDuty: trigger with payload, resolve with the same dedup_key.
is "$(jq -r '[.event_action, .dedup_key, .routing_key] | join(" ")' "$T/pd.json" | tr '\n' ,)" \
    "trigger 21dac0b1 R0UTINGKEY,resolve 21dac0b1 R0UTINGKEY,trigger dcf754b1 R0UTINGKEY," \
    "pagerduty: trigger and resolve, dedup_key = alert id"
is "$(jq -s 'all(.[] | select(.event_action == "trigger");
    (.payload.summary|length) >= 1 and (.payload.summary|length) <= 1024 and
    (.payload.source|length) >= 1 and
    (.payload.severity | IN("critical", "error", "warning", "info")) and
    (.payload.timestamp|type) == "string")' "$T/pd.json")" true \
    "pagerduty: required payload fields and severity values"

# Truncation: a 10,000-character explanation stays within 3,000 per
# section, cut at a word, with an ellipsis; the header within 150.
long=$(awk 'BEGIN { for (i = 0; i < 1500; i++) printf "word%d & ", i }')
key=$(awk 'BEGIN { printf "svc GET /"; for (i = 0; i < 200; i++) printf "x" }')
jq -c --arg e "$long" --arg k "$key" '.explanation = $e | .key = $k' "$FIX/alert-delivery.jsonl" | head -n 1 >"$T/long"
run alert --slack "$RECV_URL/long" "$T/long"
is_rc 0 "a long alert: exit 0"
receiver_bodies r /long >"$T/long.json"
is "$(jq '[.blocks[] | select(.type == "section") | .text.text // "" | length] | max <= 3000' "$T/long.json")" true \
    "slack: long sections cut to 3000 characters"
is "$(jq '[.blocks[] | select(.type == "header") | .text.text | length] | max <= 150' "$T/long.json")" true \
    "slack: the header cut to 150 characters"
has "$T/long.json" 'word[0-9]+ &amp;…"|word[0-9]+…"' "slack: cut at a word, never in an entity, with an ellipsis"
hasnt "$T/long.json" '&(a|am|amp)?…' "slack: no broken entity"

# exec: the alert record on stdin, one run per alert.
run alert --exec "cat >>$T/exec.out; echo ran" "$FIX/alert-delivery.jsonl"
is_rc 0 "exec: exit 0"
is "$(grep -c ran "$OUT")" 3 "exec: the command ran once per alert, its stdout is alert's"
same "$T/exec.out" "$FIX/alert-delivery.jsonl" "exec: each alert record on stdin, byte for byte"
done_testing
