#!/bin/sh
# t7010-ingestd-bad-bodies: every kind of bad body gets the right status
# and message, and the good events beside bad ones are still written.
. "$(dirname "$0")/lib.sh"
. "$FIX/ingestd-lib.sh"

start_ingestd -o "$T/raw.jsonl" --max-body 64k

# bad BODY-FILE STATUS ERROR-REGEX DESCRIPTION: a body with no good event.
bad() {
	post "$1"
	is "$CODE" "$2" "$4: $2"
	has "$OUT" "$3" "$4: the message"
}

printf 'hello' >"$T/b"
bad "$T/b" 400 '^\{"accepted":0,"rejected":1,"errors":\[\{"index":0,"error":"invalid JSON: unexpected character .h. at byte 1"\}\]\}$' "not JSON"
printf '{"endpoint":"/a","status_code":200,"lat' >"$T/b"
bad "$T/b" 400 '"index":0,"error":"invalid JSON: [a-z ]+ at byte [0-9]+"' "truncated object"
printf '[{"endpoint":"/a","status_code":200,"latency_ms":1},' >"$T/b"
bad "$T/b" 400 '^\{"accepted":0,"rejected":1,' "truncated array: one bad item"
printf '{"endpoint":"/a","status_code":"ok","latency_ms":1}' >"$T/b"
bad "$T/b" 400 "\"error\":\"'status_code' is not an integer in 100\\.\\.599\"" "status_code of the wrong type"
printf '{"endpoint":"/a","status_code":200,"latency":[1]}' >"$T/b"
bad "$T/b" 400 "\"error\":\"'latency' is not a number\"" "an alias of the wrong type is named as sent"
printf '{"endpoint":"/a","status_code":200,"latency_ms":-1}' >"$T/b"
bad "$T/b" 400 "\"error\":\"'latency_ms' is negative\"" "negative latency"
printf '{"endpoint":"/a","status_code":200,"latency_ms":1e999}' >"$T/b"
bad "$T/b" 400 "\"error\":\"'latency_ms' is out of range\"" "latency out of range"
printf '{"status_code":200,"latency_ms":1}' >"$T/b"
bad "$T/b" 400 "\"error\":\"missing 'endpoint'\"" "missing endpoint"
printf '{"endpoint":"/\377\376","status_code":200,"latency_ms":1}' >"$T/b"
bad "$T/b" 400 '"error":"invalid JSON: invalid UTF-8 in string at byte [0-9]+"' "invalid UTF-8"
printf '{"endpoint":"/a","status_code":200,"latency_ms":1,"x":%s1%s}' \
    "$(printf '[%.0s' $(seq 3000))" "$(printf ']%.0s' $(seq 3000))" >"$T/b"
bad "$T/b" 400 '"error":"invalid JSON: nesting too deep at byte [0-9]+"' "nested junk deeper than the limit"
printf '[1,"x",null,[{}]]' >"$T/b"
bad "$T/b" 400 '^\{"accepted":0,"rejected":4,"errors":\[(\{"index":[0-3],"error":"not a JSON object"\},?){4}\]\}$' "an array of non-objects"
printf '{"type":"window","endpoint":"/a","status_code":200,"latency_ms":1}' >"$T/b"
bad "$T/b" 400 "\"error\":\"'type' is set: not a raw event\"" "a typed record is not an event"
: >"$T/b"
bad "$T/b" 400 '^\{"error":"empty body"\}$' "an empty body"
printf ' \r\n\n ' >"$T/b"
bad "$T/b" 400 '^\{"error":"empty body"\}$' "white space only"
printf 'not gzip at all' >"$T/b"
post "$T/b" -H 'Content-Encoding: gzip'
is "$CODE" 400 "Content-Encoding: gzip on a plain body: 400"
has "$OUT" '"error":"body is not valid gzip: incorrect header check"' "and the message"
event 1 | gzip -c | head -c 20 >"$T/b"
post "$T/b" -H 'Content-Encoding: gzip'
is "$CODE" 400 "truncated gzip: 400"
printf '[]' >"$T/b"
post "$T/b"
is "$CODE" 200 "an empty array is an empty batch: 200"
is "$(lines "$T/raw.jsonl")" 0 "nothing bad was written"

# Too large: refused from Content-Length, unread; chunked, as it comes;
# and a gzip bomb by what it inflates to.
head -c 2000000 /dev/zero | tr '\0' ' ' >"$T/big"
post "$T/big"
is "$CODE" 413 "a 2 MB body with --max-body 64k: 413"
has "$OUT" '"error":"body is larger than 65536 bytes \(--max-body\)"' "and the limit"
post "$T/big" -H 'Transfer-Encoding: chunked'
is "$CODE" 413 "a 2 MB chunked body: 413"
{ event 1; head -c 2000000 /dev/zero | tr '\0' ' '; } | gzip -c >"$T/bomb"
ok "$([ "$(wc -c <"$T/bomb")" -lt 65536 ] && echo 0 || echo 1)" "the gzip bomb itself is small"
post "$T/bomb" -H 'Content-Encoding: gzip'
is "$CODE" 413 "a gzip body inflating past --max-body: 413"
has "$OUT" '"error":"body inflates to more than --max-body"' "and the message"

# Good and bad in one batch: 200, the good ones written, each bad one
# reported with its index.
{
	event 1
	printf '{"endpoint":"/bad","status_code":99,"latency_ms":1}\n'
	printf 'garbage\n'
	event 2
	printf '\n'
	printf '{"endpoint":"/bad","status_code":200,"latency_ms":1}x\n'
	event 3
} >"$T/mixed"
post "$T/mixed"
is "$CODE" 200 "a mixed NDJSON batch: 200"
is "$(jq -c '[.accepted, .rejected, [.errors[].index]]' "$OUT")" '[3,3,[1,2,4]]' \
    "counts and indexes (blank lines not counted)"
has "$OUT" '"index":4,"error":"invalid JSON: trailing garbage at byte 53"' "trailing garbage"
is "$(jq -r .endpoint "$T/raw.jsonl" | xargs)" "/e/1 /e/2 /e/3" "the good events are written, in order"

{ event 4; echo '{"endpoint":3}'; } | jq -s -c . >"$T/mixed.json"
post "$T/mixed.json"
is "$(jq -c '[.accepted, .rejected]' "$OUT")" '[1,1]' "a mixed array: 1 and 1"
is "$(jq -r '.errors[0].error' "$OUT")" "'endpoint' is not a string" "and its message"

# At most 100 errors are listed; all are counted.
yes 'x' | head -n 500 >"$T/many"
post "$T/many"
is "$(jq -c '[.rejected, (.errors | length)]' "$OUT")" '[500,100]' "500 bad lines: all counted, 100 listed"

is "$(metric ingestd_events_rejected_total)" "$(( 1+1+1+1+1+1+1+1+1+1+4+1 + 3 + 1 + 500 ))" "rejected events are counted"
stop_ingestd
is_rc 0 "ingestd survives all of it and exits 0"
ok "$(all_json "$T/raw.jsonl" && echo 0 || echo 1)" "every line written is one JSON object"
done_testing
