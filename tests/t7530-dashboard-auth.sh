#!/bin/sh
# t7530-dashboard-auth: the dashboard binds to loopback unless it has a
# lock on the door: --htpasswd (HTTP Basic, hashed passwords) or
# --token-file (bearer), or --insecure-no-auth said out loud.  Security
# headers on every reply, refusals included.
. "$(dirname "$0")/lib.sh"
. "$FIX/dashboard-lib.sh"
dash_trap

dash_fill "$T/db" 2
B="-b sqlite --sqlite-path $T/db"

# --- binding -----------------------------------------------------------------
# shellcheck disable=SC2086
run dashboard $B -p 0 -l 0.0.0.0
is_rc 2 "-l 0.0.0.0 without authentication: usage error"
is "$(cat "$ERR")" "dashboard: -l 0.0.0.0: not a loopback address: give --htpasswd or --token-file, or --insecure-no-auth" \
    "saying what to do"
# shellcheck disable=SC2086
dash_start $B -l 0.0.0.0 --insecure-no-auth
ok $? "--insecure-no-auth: it starts on 0.0.0.0"
DASH_URL=$(printf '%s' "$DASH_URL" | sed 's|0\.0\.0\.0|127.0.0.1|')
code=$(curl -s -o /dev/null -w '%{http_code}' "$DASH_URL/")
is "$code" 200 "and serves without credentials"
dash_stop
# shellcheck disable=SC2086
dash_start $B -l 127.0.0.2
ok $? "any 127/8 address is loopback: no authentication needed"
dash_stop

# --- htpasswd ---------------------------------------------------------------
printf 'alice:%s\n# a comment\n\nbob:%s\n' "$(openssl passwd -6 -salt s4ltS4lt 'wonder land')" \
    "$(openssl passwd -5 -salt pepper hunter2)" >"$T/htpasswd"
printf 'eve:plain\n' >"$T/weak"
printf 'mallory:%s\n' "$(openssl passwd -1 -salt ab x)" >"$T/md5"
# shellcheck disable=SC2086
run dashboard $B -p 0 --htpasswd "$T/weak"
is_rc 2 "a plain-text password file is refused at start"
has "$ERR" "weak:1: user 'eve': not a bcrypt, SHA-256, SHA-512 or yescrypt hash" "saying which line and why"
# shellcheck disable=SC2086
run dashboard $B -p 0 --htpasswd "$T/md5"
is_rc 2 "an MD5 hash is refused too"
# shellcheck disable=SC2086
run dashboard $B -p 0 --htpasswd "$T/missing"
is_rc 2 "a missing file: usage error"

# shellcheck disable=SC2086
dash_start $B -l 0.0.0.0 --htpasswd "$T/htpasswd"
ok $? "-l 0.0.0.0 with --htpasswd starts"
U=$(printf '%s' "$DASH_URL" | sed 's|0\.0\.0\.0|127.0.0.1|')
req() {	# req PATH [CURL-ARGS]: status in CODE, headers in $T/h, body in $OUT
	_p=$1; shift
	CODE=$(curl -s -o "$OUT" -D "$T/h" -w '%{http_code}' "$@" "$U$_p") || CODE=000
}
req /
is "$CODE" 401 "no credentials: 401"
has "$T/h" '^WWW-Authenticate: Basic realm="slowburn", charset="UTF-8"' "asking for Basic"
has "$T/h" "^Content-Security-Policy: default-src 'none'" "with the CSP"
has "$T/h" '^X-Content-Type-Options: nosniff' "nosniff"
has "$T/h" '^X-Frame-Options: DENY' "no framing"
hasnt "$OUT" 'checkout' "and no data"
req / -u 'alice:wonder lan'
is "$CODE" 401 "a wrong password: 401"
req / -u 'nobody:wonder land'
is "$CODE" 401 "an unknown user: 401"
req / -u 'alice:wonder land'
is "$CODE" 200 "alice (SHA-512): 200"
has "$OUT" 'checkout' "the overview"
req /api/endpoints -u 'bob:hunter2'
is "$CODE" 200 "bob (SHA-256) on the API: 200"
req /api/endpoints
is "$CODE" 401 "the API without credentials: 401"
is "$(jq -r .error "$OUT")" "authentication required" "in JSON"
req /metrics
is "$CODE" 401 "/metrics is behind the door too"
req /healthz
is "$CODE" 200 "/healthz is not"
req /nope -u 'alice:wonder land'
is "$CODE" 404 "a 404 after authentication"
has "$T/h" "^Content-Security-Policy: default-src 'none'" "with the CSP too"
dash_stop

# --- token ------------------------------------------------------------------
printf 's3cr3t-t0ken\n' >"$T/token"
# shellcheck disable=SC2086
dash_start $B --token-file "$T/token"
U=$DASH_URL
req /api/alerts -H 'Authorization: Bearer s3cr3t-t0ken'
is "$CODE" 200 "the bearer token: 200"
req /api/alerts -H 'Authorization: Bearer s3cr3t-t0ke'
is "$CODE" 401 "a token one byte short: 401"
has "$T/h" '^WWW-Authenticate: Bearer realm="slowburn"' "asking for a bearer token"
req /api/alerts -H 'Authorization: Bearer s3cr3t-t0kenX'
is "$CODE" 401 "a token one byte long: 401"
req /api/alerts -u 'alice:wonder land'
is "$CODE" 401 "Basic credentials without --htpasswd: 401"
dash_stop
hasnt "$T/dash.err" 's3cr3t' "the token is never logged"
done_testing
