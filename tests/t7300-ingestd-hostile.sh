#!/bin/sh
# t7300-ingestd-hostile: hostile clients of ingestd over loopback, each
# against a fresh ingestd whose peak resident memory (VmHWM) and open
# descriptors are measured during and after the attack: slowloris,
# 10,000 connections at once, oversized headers, a Content-Length that
# lies, a gzip bomb and invalid gzip, chunked bodies without end.  A good
# client, from another loopback address (127.0.0.2), must be served
# during and after each, and the descriptors must come back to where they
# were.  The attack clients are tests/clients/hostile.c.
. "$(dirname "$0")/lib.sh"
. "$FIX/ingestd-lib.sh"

HOSTILE=$SB_UNIT/clients/hostile
[ -x "$HOSTILE" ] || { echo "1..0 # SKIP $HOSTILE not built"; exit 0; }

event good >"$T/good"
# Peak RSS bounds are for the plain build; AddressSanitizer's shadow
# memory and quarantine multiply them.
RSS_SCALE=1
case $SB_BIN in */asan/*) RSS_SCALE=16 ;; esac

rss_kb() { awk '/^VmHWM:/ { print $2 }' "/proc/$IPID/status"; }
nfds() { ls "/proc/$IPID/fd" | wc -l; }
# good: a good client's POST /ingest from 127.0.0.2; its status in CODE.
good() {
	CODE=$(curl -sS -o "$T/good.out" -w '%{http_code}' --max-time 5 \
	    --interface 127.0.0.2 --data-binary @"$T/good" "$URL/ingest") ||
	    CODE=000
}
# fds_back N DESCRIPTION: waits up to 15 s for the descriptors to be back
# to N, and says whether they were (a test, and the count if not: set -e
# must not end the script before it is told).
fds_back() {
	if wait_for 15 sh -c "[ \$(ls /proc/$IPID/fd | wc -l) -le $1 ]"; then
		ok 0 "$2"
	else
		ok 1 "$2"
		diag "$(nfds) descriptors after 15 s"
	fi
}
# start ARGS: a fresh ingestd, served one good request; BASE its fds.
start() {
	start_ingestd -o "$T/raw.jsonl" "$@"
	good
	sleep 0.3	# the good client's connection closed
	BASE=$(nfds)
}
# watch PID: while the attack PID runs, samples the descriptors (the
# most in DURING) and posts as the good client about every 0.3 s (the
# codes in $T/codes, the slowest reply in SLOWEST ms).
watch() {
	DURING=0 SLOWEST=0
	: >"$T/codes"
	while kill -0 "$1" 2>/dev/null; do
		_f=$(nfds)
		[ "$_f" -gt "$DURING" ] && DURING=$_f
		_t0=$(date +%s%N)
		good
		_ms=$((($(date +%s%N) - _t0) / 1000000))
		[ "$_ms" -gt "$SLOWEST" ] && SLOWEST=$_ms
		echo "$CODE" >>"$T/codes"
		sleep 0.3
	done
	wait "$1"
}
# served WHAT: every good request during the attack was answered 200.
served() {
	is "$(sort -u "$T/codes" | tr '\n' ' ')" "200 " \
	    "$1: a good client is served during the attack ($(wc -l <"$T/codes") requests, the slowest $SLOWEST ms)"
}
# le A B DESCRIPTION: passes if A <= B.
le() { ok "$([ "$1" -le "$2" ] && echo 0 || echo 1)" "$3 ($1 <= $2)"; }
# figures ATTACK: one line of the table in the report.
figures() { diag "figures: $1: peak RSS $(rss_kb) kB, fds $BASE before, $DURING during, $(nfds) after"; }
# field NAME: the number after NAME in $T/h.out.
field() { tr ' ' '\n' <"$T/h.out" | sed -n "/^$1\$/{n;p;}"; }

# --- slowloris: 2,000 connections from 50 addresses, a header byte every
# 200 ms: each is cut at --header-timeout (or sooner, to make room past
# --max-connections), and a good client is served meanwhile.
start --header-timeout 2s
"$HOSTILE" -S 50 hold "$PORT" 2000 12 200 >"$T/h.out" &
watch $!
served slowloris
diag "$(tail -n 1 "$T/h.out")"
is "$(field open)" 0 "slowloris: no connection outlives the header deadline"
le "$(field maxlife_ms)" 4000 "slowloris: each is cut within --header-timeout 2s"
le "$DURING" $((2 * (1024 + 64) + BASE)) "slowloris: fds during the attack stay within 2 per connection"
fds_back "$BASE" "slowloris: fds back to $BASE after the attack"
good
is "$CODE" 200 "slowloris: a good client is served after the attack"
n=$(metric 'ingestd_connections_closed_total{reason="header_timeout"}')
n2=$(metric 'ingestd_connections_closed_total{reason="evicted"}')
is "$((n + n2))" "$(($(field cut) + $(field refused)))" "slowloris: every cut counted in ingestd_connections_closed_total ($n + $n2)"
le "$(rss_kb)" $((32768 * RSS_SCALE)) "slowloris: peak RSS"
figures slowloris
stop_ingestd

# --- 10,000 connections at once, spread over 100 addresses so that the
# per-address limit does not stop them: past --max-connections the oldest
# waiting for a header is closed to make room, so a good client still
# gets in at once.
start --header-timeout 5s
"$HOSTILE" -S 100 hold "$PORT" 10000 8 0 >"$T/h.out" &
watch $!
served "10,000 connections"
le "$SLOWEST" 2000 "10,000 connections: and at once (ms)"
diag "$(tail -n 1 "$T/h.out")"
is "$(field opened)" 10000 "10,000 connections: all tried"
is "$(field open)" 0 "10,000 connections: none left open"
le "$DURING" $((2 * (1024 + 64) + BASE)) "10,000 connections: fds within --max-connections"
fds_back "$BASE" "10,000 connections: fds back to $BASE"
good
is "$CODE" 200 "10,000 connections: a good client is served after"
n=$(metric 'ingestd_connections_closed_total{reason="evicted"}')
ok "$([ "$n" -ge 8000 ] && echo 0 || echo 1)" "10,000 connections: most evicted to make room ($n)"
le "$(rss_kb)" $((32768 * RSS_SCALE)) "10,000 connections: peak RSS"
figures "10,000 connections"

# The same 10,000 from one address: --max-per-ip refuses all but 128.
"$HOSTILE" hold "$PORT" 10000 3 0 >"$T/h.out" &
watch $!
served "10,000 connections from one address"
diag "$(tail -n 1 "$T/h.out")"
le "$(field open)" 128 "10,000 connections from one address: at most 128 held"
le "$DURING" $((2 * 128 + BASE + 8)) "10,000 connections from one address: fds within --max-per-ip"
fds_back "$BASE" "10,000 connections from one address: fds back to $BASE"
figures "10,000 connections, one address"
stop_ingestd

# --- oversized headers: libmicrohttpd's per-connection memory is
# --max-header; past it 431 (414 for a long URL), at once.
start
hdr() {	# hdr SIZE [NAME]: a POST with a header field of SIZE bytes
	{ printf 'POST /ingest%s HTTP/1.1\r\nHost: x\r\n' "${2:-}"
	  printf 'X-Big: '; head -c "$1" /dev/zero | tr '\0' a
	  printf '\r\nContent-Length: %d\r\nConnection: close\r\n\r\n' "$(wc -c <"$T/good")"
	  cat "$T/good"; } >"$T/hdr"
}
hdr 20000
res=$("$HOSTILE" send "$PORT" "$T/hdr" wait 5)
is "${res% *}" "HTTP/1.1 431 Request Header Fields Too Large" "a 20 KB header field: 431"
le "${res##* }" 1000 "a 20 KB header field: at once (ms)"
hdr 7000
res=$("$HOSTILE" send "$PORT" "$T/hdr" wait 5)
is "${res% *}" "HTTP/1.1 200 OK" "a 7 KB header field: 200"
{ printf 'POST /ingest?'; head -c 20000 /dev/zero | tr '\0' a
  printf ' HTTP/1.1\r\nHost: x\r\n\r\n'; } >"$T/url"
res=$("$HOSTILE" send "$PORT" "$T/url" wait 5)
is "${res% *}" "HTTP/1.1 414 URI Too Long" "a 20 KB URL: 414"
{ printf 'POST /ingest HTTP/1.1\r\nHost: x\r\n'
  for i in $(seq 3000); do printf 'X-%d: a\r\n' "$i"; done
  printf 'Content-Length: 2\r\n\r\n{}'; } >"$T/many"
res=$("$HOSTILE" send "$PORT" "$T/many" wait 5)
is "${res% *}" "HTTP/1.1 431 Request Header Fields Too Large" "3,000 header fields: 431"
for i in $(seq 200); do "$HOSTILE" send "$PORT" "$T/many" wait 5; done >"$T/h.out" &
watch $!
served "oversized headers"
is "$(grep -c ' 431 ' "$T/h.out")" 200 "oversized headers: 200 of them, each 431"
fds_back "$BASE" "oversized headers: fds back to $BASE after 200 of them"
le "$(rss_kb)" $((16384 * RSS_SCALE)) "oversized headers: peak RSS"
figures "oversized headers"
stop_ingestd
start --max-header 32k
hdr 20000
res=$("$HOSTILE" send "$PORT" "$T/hdr" wait 5)
is "${res% *}" "HTTP/1.1 200 OK" "--max-header 32k: a 20 KB header field is taken"
stop_ingestd

# --- a Content-Length that lies ----------------------------------------
start --body-timeout 2s
ev() { event "$1" | tr -d '\n'; echo; }
# Shorter: 3 events of a declared 10,000 bytes, then the client leaves.
{ printf 'POST /ingest HTTP/1.1\r\nHost: x\r\nContent-Length: 10000\r\n\r\n'
  ev short; ev short; ev short; } >"$T/short"
"$HOSTILE" send "$PORT" "$T/short" close
# Longer: the declared length ends in the middle of the second event.
l=$(($(ev long | wc -c) + 40))
{ printf 'POST /ingest HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n' "$l"
  ev long; ev long; ev long; } >"$T/long"
res=$("$HOSTILE" send "$PORT" "$T/long" wait 5)
is "${res% *}" "HTTP/1.1 200 OK" "a body longer than its Content-Length: 200 for what it declared"
# The same cut inside a JSON array: not valid JSON, nothing taken.
{ printf 'POST /ingest HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n[' "$l"
  ev array | tr '\n' ,; ev array | tr '\n' ,; ev array | tr '\n' ']'; } >"$T/arr"
res=$("$HOSTILE" send "$PORT" "$T/arr" wait 5)
is "${res% *}" "HTTP/1.1 400 Bad Request" "an array cut by its Content-Length: 400"
for cl in 4611686018427387905 18446744073709551615 99999999999999999999999; do
	{ printf 'POST /ingest HTTP/1.1\r\nHost: x\r\nContent-Length: %s\r\n\r\n' "$cl"
	  ev huge; } >"$T/huge"
	res=$("$HOSTILE" send "$PORT" "$T/huge" wait 5)
	is "${res% *}" "HTTP/1.1 413 Content Too Large" "Content-Length $cl: 413"
	le "${res##* }" 1000 "Content-Length $cl: at once, unread (ms)"
done
# A true length, a body that never comes: --body-timeout.
"$HOSTILE" body "$PORT" 100000 20 500 >"$T/h.out" &
watch $!
served "slow body"
res=$(cat "$T/h.out")
diag "slow body: $res"
case $res in closed*) r=0 ;; *) r=1 ;; esac
ok $r "a body slower than --body-timeout 2s is cut off"
set -- $res
le "$5" 4000 "after --body-timeout (ms)"
n=$(metric 'ingestd_connections_closed_total{reason="body_timeout"}')
ok "$([ "$n" -ge 1 ] && echo 0 || echo 1)" "counted as a body timeout ($n)"
fds_back "$BASE" "lying lengths: fds back to $BASE"
le "$(rss_kb)" $((16384 * RSS_SCALE)) "lying lengths: peak RSS"
figures "lying Content-Length"
stop_ingestd
is "$(grep -c '/e/short' "$T/raw.jsonl")" 0 "nothing of the body cut short is written"
is "$(grep -c '/e/long' "$T/raw.jsonl")" 1 "of the longer body, the one whole event declared"
is "$(grep -c '/e/array\|/e/huge\|/hostile' "$T/raw.jsonl")" 0 "nothing of the others"
ok "$(all_json "$T/raw.jsonl"; echo $?)" "every line written is whole JSON"

# --- a gzip bomb: about 10 MB that inflates to 1 GB ----------------------
(head -c 8192 /dev/urandom; head -c 1048576 /dev/zero) | gzip -c >"$T/member"
i=0
while [ $i -lt 1000 ]; do cat "$T/member"; i=$((i + 1)); done >"$T/bomb"
size=$(wc -c <"$T/bomb")
diag "gzip bomb: $size bytes inflating to $((1000 * (8192 + 1048576))) bytes"
start
post "$T/bomb" -H 'Content-Encoding: gzip'
is "$CODE" 413 "gzip bomb, default --max-body: 413 from its Content-Length"
stop_ingestd
start --max-body 16M --queue-size 64M
# bombs N: N bombs one after the other from 127.0.0.3, a line "CODE MS"
# for each in $T/h.out, the last reply in $OUT.
bombs() {
	for i in $(seq "$1"); do
		curl -sS -o "$OUT" -w '%{http_code} %{time_total}\n' --max-time 30 \
		    --interface 127.0.0.3 -H 'Content-Encoding: gzip' \
		    --data-binary @"$T/bomb" "$URL/ingest" || echo 000
	done >"$T/h.out"
}
bombs 5 &
watch $!
served "gzip bomb"
is "$(cut -d' ' -f1 "$T/h.out" | sort -u)" 413 "gzip bomb, --max-body 16M: 413, 5 times"
has "$OUT" 'inflates to more than 100 times its size \(--max-inflate-ratio\)' "by --max-inflate-ratio"
le "$(sort -n -k2 "$T/h.out" | tail -n 1 | awk '{ printf "%d", $2 * 1000 }')" 3000 "gzip bomb: refused quickly (ms)"
le "$(rss_kb)" $((65536 * RSS_SCALE)) "gzip bomb, 16M body: peak RSS"
figures "gzip bomb, ratio"
stop_ingestd
start --max-body 16M --queue-size 64M --max-inflate-ratio 0
bombs 5 &
watch $!
served "gzip bomb by size"
is "$(cut -d' ' -f1 "$T/h.out" | sort -u)" 413 "gzip bomb, no ratio limit: 413, 5 times"
has "$OUT" 'body inflates to more than --max-body' "by --max-body, what it inflates to"
le "$(rss_kb)" $((98304 * RSS_SCALE)) "gzip bomb by size: peak RSS"
figures "gzip bomb, size"
stop_ingestd
start
printf 'not gzip at all' >"$T/b"
post "$T/b" -H 'Content-Encoding: gzip'
is "$CODE" 400 "invalid gzip: 400"
has "$OUT" '^\{"error":"body is not valid gzip: incorrect header check"\}$' "with zlib's reason"
event 1 | gzip -c | head -c 20 >"$T/b"
post "$T/b" -H 'Content-Encoding: gzip'
has "$OUT" '^\{"error":"body is not valid gzip: unexpected end of data"\}$' "a truncated gzip body: 400, unexpected end"
{ event 1 | gzip -c; printf 'trailing garbage'; } >"$T/b"
post "$T/b" -H 'Content-Encoding: gzip'
is "$CODE" 400 "gzip with trailing garbage: 400"
# A small but legitimate body of the same event: ratio 280, under the floor.
i=0
while [ $i -lt 9000 ]; do cat "$T/good"; i=$((i + 1)); done | gzip -c >"$T/same"
post "$T/same" -H 'Content-Encoding: gzip'
is "$CODE" 200 "9,000 identical events (ratio > 100, under 1 MiB inflated): 200"
stop_ingestd

# --- chunked bodies without end ------------------------------------------
start --body-timeout 2s
res=$("$HOSTILE" body "$PORT" chunked 30 0)
diag "chunks at full speed: $res"
set -- $res
is "$1" closed "chunks without end, at full speed: the connection is closed"
le "$3" $((40 * 1024 * 1024)) "after --max-body and 16 MiB dropped, not forever (bytes)"
"$HOSTILE" body "$PORT" chunked 30 200 >"$T/h.out" &
watch $!
res=$(cat "$T/h.out")
diag "chunks, one per 200 ms: $res"
set -- $res
is "$1" closed "chunks without end, slowly: the connection is closed"
le "$5" 4000 "by --body-timeout 2s (ms)"
served "chunks"
fds_back "$BASE" "chunks: fds back to $BASE"
is "$(metric 'ingestd_connections_closed_total{reason="endless_body"}')" 1 "counted as an endless body"
is "$(metric 'ingestd_connections_closed_total{reason="body_timeout"}')" 1 "and the slow one as a body timeout"
le "$(rss_kb)" $((16384 * RSS_SCALE)) "chunks without end: peak RSS"
figures "chunks without end"
stop_ingestd
is_rc 0 "ingestd stops cleanly after all that"
is "$(grep -c '/hostile' "$T/raw.jsonl")" 0 "nothing of the endless bodies is written"
done_testing
