#!/bin/sh
# t7020-ingestd-auth: INGEST_TOKEN and --token-file require a bearer token
# on POST /ingest; without one it is open.  The token is never logged.
. "$(dirname "$0")/lib.sh"
. "$FIX/ingestd-lib.sh"

event 1 >"$T/ev"
SECRET=s3cr3t-token-0123456789

start_ingestd -o "$T/raw.jsonl"
post "$T/ev"
is "$CODE" 200 "no token configured: open"
stop_ingestd

INGEST_TOKEN=$SECRET start_ingestd -o "$T/raw.jsonl" -vv
post "$T/ev"
is "$CODE" 401 "INGEST_TOKEN set, no Authorization: 401"
has "$T/headers" '^WWW-Authenticate: Bearer' "with WWW-Authenticate: Bearer"
is "$(jq -r .error "$OUT")" "missing or wrong bearer token" "and a message"
post "$T/ev" -H "Authorization: Bearer wrong"
is "$CODE" 401 "a wrong token: 401"
post "$T/ev" -H "Authorization: Bearer ${SECRET}x"
is "$CODE" 401 "the token and one more byte: 401"
post "$T/ev" -H "Authorization: Bearer $(printf '%s' "$SECRET" | cut -c2-)"
is "$CODE" 401 "the token less one byte: 401"
post "$T/ev" -H "Authorization: Basic $SECRET"
is "$CODE" 401 "another scheme: 401"
post "$T/ev" -H "Authorization: Bearer $SECRET"
is "$CODE" 200 "the right token: 200"
post "$T/ev" -H "Authorization: bearer $SECRET"
is "$CODE" 200 "the scheme is case-insensitive"
get /healthz
is "$CODE" 200 "GET /healthz needs no token"
get /metrics
is "$CODE" 200 "GET /metrics needs no token"
is "$(metric 'ingestd_requests_total{code="401"}')" 5 "401s are counted"
stop_ingestd
is "$(lines "$T/raw.jsonl")" 3 "only the authorised events are written"
hasnt "$IERR" "$SECRET" "the token is not logged, even with -vv"
has "$IERR" ': 401: missing or wrong bearer token$' "refusals are logged with -vv"

printf '%s\n' "$SECRET" >"$T/token"
INGEST_TOKEN=other start_ingestd -o "$T/raw.jsonl" --token-file "$T/token"
post "$T/ev" -H "Authorization: Bearer other"
is "$CODE" 401 "--token-file overrides INGEST_TOKEN"
post "$T/ev" -H "Authorization: Bearer $SECRET"
is "$CODE" 200 "the file's first line is the token"
stop_ingestd

run ingestd -n --token-file "$T/token"
is_rc 0 "-n with a token file"
has "$OUT" "^token from $T/token\$" "-n names where the token comes from"
hasnt "$OUT" "$SECRET" "but never the token"
: >"$T/empty"
run ingestd -n --token-file "$T/empty"
is_rc 1 "an empty token file is an error"
has "$ERR" "no token in the first line" "and says so"
run ingestd -n --token-file "$T/none"
is_rc 1 "a missing token file is an error"
done_testing
