#!/bin/sh
# t7850-store-streams-usage: the stream commands' bad input, usage errors
# and failures: a bad line is reported as FILE:LINE and skipped (fatal
# with --strict), a usage error exits 2, an unreachable server 1 without
# showing its password, and store xadd -h documents the commands.
. "$(dirname "$0")/lib.sh"
. "$FIX/streams-lib.sh"

command -v redis-server >/dev/null || { echo "1..0 # SKIP no redis-server"; exit 0; }
rs_start 1
S="--shards $RS_URL_1 --prefix u:"

printf '%s\n' 'nope' '{"endpoint":"/a","status_code":200,"latency_ms":1}' \
    '[1,2]' >"$T/bad.jsonl"
run store xadd $S "$T/bad.jsonl"
is_rc 0 "bad lines are skipped"
has "$ERR" "^store: $T/bad.jsonl:1: not a JSON object$" "line 1 is reported with its place"
has "$ERR" "bad.jsonl:3: not a JSON object" "so is line 3"
store xread $S --shard 0 --drain >"$OUT" 2>/dev/null
is "$(cat "$OUT")" '{"endpoint":"/a","status_code":200,"latency_ms":1}' "the good line is in the stream"
run store xadd $S --strict "$T/bad.jsonl"
is_rc 1 "--strict: the first bad line is fatal"

run store xread $S
is_rc 2 "xread needs --shard or --merge"
has "$ERR" "give one of --shard k and --merge" "and says so"
run store xread $S --shard 3
is_rc 2 "a shard beyond --streams is a usage error"
has "$ERR" "there are 1 streams" "naming the count"
run store xadd $S --by host
is_rc 2 "--by takes service or key"
run store xread $S --merge --out 1
is_rc 2 "--out is for xadd"
run store xadd --shards "$RS_URL_1,$RS_URL_1" --streams 1 </dev/null
is_rc 1 "fewer streams than servers is refused"

run store xstats --shards "redis://:s3cret@127.0.0.1:1/0"
is_rc 1 "an unreachable server: exit 1"
has "$ERR" 'connect' "the message says connect"
hasnt "$ERR" 's3cret' "without the password"

run store xadd -h
is_rc 0 "store xadd -h exits 0"
has "$OUT" '^usage: store xadd' "and prints the stream commands' usage"
done_testing
