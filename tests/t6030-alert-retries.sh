#!/bin/sh
# alert: retries with exponential back-off and jitter inside their
# bounds, Retry-After honoured, 4xx permanent and reported once with the
# body, timeouts, the Slack rate limit, and no secret on stderr.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/receiver/receiver.sh"

FIVE=$FIX/alert-five.jsonl
head -n 1 "$FIVE" >"$T/one"

# 500 three times, then 200: delays in [d/2, d] for d = 200, 400, 800 ms.
receiver_start b
printf '500\n500\n500\n' >"$T/b/plan"
run alert --webhook "$RECV_URL/x" --retries 3 --retry-base 200ms --retry-max 2s \
    --jitter-seed 7 "$T/one"
is_rc 0 "500 three times then 200: delivered, exit 0"
is "$(receiver_count b)" 4 "four attempts"
is "$(grep -c 'HTTP 500; retry' "$ERR")" 3 "each retry is reported"
is "$(receiver_gaps b | awk 'BEGIN { lo[1] = .1; lo[2] = .2; lo[3] = .4 }
    { n++; if ($1 < lo[n] - .01 || $1 > 2 * lo[n] + .25) bad = 1 } END { print bad + 0 }')" 0 \
    "back-off gaps within [100,200], [200,400], [400,800] ms (+ slack)"
delays=$(sed -n 's/.* in \([0-9]*\)ms$/\1/p' "$ERR" | tr '\n' ' ')
printf '500\n500\n500\n' >>"$T/b/plan"
run alert --webhook "$RECV_URL/x" --retries 3 --retry-base 200ms --retry-max 2s \
    --jitter-seed 7 "$T/one"
is "$(sed -n 's/.* in \([0-9]*\)ms$/\1/p' "$ERR" | tr '\n' ' ')" "$delays" "the jitter is reproducible with --jitter-seed"

# 429 with Retry-After: 1 waits a second, not the 10 ms back-off.
receiver_start ra
printf '429 1\n' >"$T/ra/plan"
run alert --webhook "$RECV_URL/x" --retry-base 10ms "$T/one"
is_rc 0 "429 then 200: exit 0"
has "$ERR" 'HTTP 429; retry 1 of 5 in 1000ms \(Retry-After\)' "Retry-After is reported"
is "$(receiver_gaps ra | awk '{ print ($1 >= 0.98 && $1 < 1.6) }')" 1 "Retry-After honoured: about 1 s between attempts"

# A 4xx is permanent: one attempt, reported once with the body; the
# other alerts still go out; exit 1.
receiver_start p
printf '200\n400 {"error":"invalid_payload","url":"/s3cr3t-path"}\n' >"$T/p/plan"
run alert --webhook "$RECV_URL/s3cr3t-path" --retry-base 10ms "$FIVE"
is_rc 1 "a refused alert: exit 1"
is "$(receiver_count p)" 5 "no retry of a 400"
is "$(grep -c 'refused, not retried' "$ERR")" 1 "reported once"
has "$ERR" '^alert: webhook sink \(127\.0\.0\.1\): alert a0000002 refused, not retried: HTTP 400: \{"error":"invalid_payload","url":"\[secret\]"\}$' \
    "with the response body, the secret scrubbed"

# A receiver that hangs: the total timeout ends each attempt.
receiver_start h
echo hang >"$T/h/mode"
start=$(date +%s)
run alert --webhook "$RECV_URL/x" --timeout 300ms --retries 1 --retry-base 50ms "$T/one"
is_rc 1 "a hanging receiver: exit 1"
is "$(receiver_count h)" 2 "two attempts, each cut by --timeout"
has "$ERR" 'Timeout was reached; retry 1 of 1' "the timeout is reported"
has "$ERR" '1 alerts not delivered \(no --spool: lost\)' "what was lost is said"
ok "$(( $(date +%s) - start > 4 ))" "the timeouts bound the run"

# Nobody listening: a transport error, retried.
run alert --webhook "http://127.0.0.1:1/x" --retries 2 --retry-base 10ms "$T/one"
is_rc 1 "connection refused: exit 1"
is "$(grep -c 'retry [12] of 2' "$ERR")" 2 "retried"

# Secrets never reach stderr: URLs as host only, routing keys, headers.
receiver_start s
echo 500 >"$T/s/mode"
run alert --slack "$RECV_URL/services/T000/B000/s3cr3tSLACK" \
    --webhook "$RECV_URL/hooks/s3cr3tHOOK?token=s3cr3tQ" --header 'Authorization: Bearer s3cr3tHDR' \
    --pagerduty s3cr3tPDKEY --pagerduty-url "$RECV_URL/pd" \
    --retries 1 --retry-base 10ms "$T/one"
is_rc 1 "every sink failing: exit 1"
has "$ERR" 'slack sink \(127\.0\.0\.1\)' "slack named by host"
has "$ERR" 'pagerduty sink \(127\.0\.0\.1\)' "pagerduty named by host"
hasnt "$ERR" 's3cr3t|services|hooks|token' "no URL path, query, key or header on stderr"
SLACK_WEBHOOK_URL="$RECV_URL/services/T000/B000/s3cr3tENV" run alert --retries 0 "$T/one"
has "$ERR" 'slack sink \(127\.0\.0\.1\)' "SLACK_WEBHOOK_URL selects the slack sink"
hasnt "$ERR" 's3cr3t' "and stays secret"
has "$T/s/log" 'POST /services/T000/B000/s3cr3tENV' "it posts to that URL"
run alert --webhook "$RECV_URL/x" --header "$(printf 'X-A: a\r\nX-Injected: b')" "$T/one"
is_rc 2 "a header with CR/LF is refused"
hasnt "$ERR" 'X-Injected' "without echoing it"

# Slack: one message a second after a burst of 3.
receiver_start sl
cat "$FIVE" "$T/one" | jq -c '.id = "c\(input_line_number)"' >"$T/six"
run alert --slack "$RECV_URL/rate" "$T/six"
is_rc 0 "six Slack messages: exit 0"
is "$(receiver_count sl)" 6 "all delivered"
is "$(awk '{ t[NR] = $2 } END { print (t[3] - t[1] < 0.5) " " (t[6] - t[3] >= 2.8) }' "$T/sl/log")" "1 1" \
    "slack: a burst of 3, then one a second"
# A sink that is down does not stop alert from reading: while the webhook
# waits 30 s or more for its retry, the next records are shown at once.
receiver_start dn
echo 500 >"$T/dn/mode"
rm -f "$T/fifo"; mkfifo "$T/fifo"
alert --webhook "$RECV_URL/dn" --group-wait 0s --retry-base 60s --retry-max 60s \
    --format json <"$T/fifo" >"$T/dn.out" 2>"$T/dn.err" &
pid=$!
exec 3>"$T/fifo"
sed -n 1p "$FIVE" >&3
receiver_wait dn 1
is "$(receiver_count dn)" 1 "the first attempt fails"
sed -n 2p "$FIVE" >&3
i=0
until [ "$(lines "$T/dn.out")" -ge 2 ] || [ $i -ge 100 ]; do sleep 0.05; i=$((i + 1)); done
is "$(jq -r .id "$T/dn.out" | tr '\n' ' ')" "a0000001 a0000002 " \
    "the next alert is shown within 5 s, not after the retry's 30-60 s"
has "$T/dn.err" 'HTTP 500; retry 1 of 5 in [0-9]+ms' "the retry is scheduled, not slept"
kill -TERM "$pid"
exec 3>&-
wait "$pid" 2>/dev/null || true
done_testing
