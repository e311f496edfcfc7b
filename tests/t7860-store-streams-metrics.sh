#!/bin/sh
# t7860-store-streams-metrics: store xadd and xread --metrics-file show
# each shard stream's lag as store xstats does (length, pending, backlog,
# lag) and xread the event time of what it passed on; a live xread writes
# the file on time while it waits on Redis.
. "$(dirname "$0")/lib.sh"
. "$FIX/streams-lib.sh"

command -v redis-server >/dev/null || { echo "1..0 # SKIP no redis-server"; exit 0; }
rs_start 1
S="--shards $RS_URL_1 --streams 2 --prefix m:"
xlen() { redis-cli -p "$RS_PORT_1" XLEN "m:ev:$1"; }
# metric FILE NAME LABELS: the value of one sample
metric() {
	[ -f "$1" ] || return 0
	awk -v n="$2{tool=\"store\"${3:+,$3}}" '$1 == n { print $2 }' "$1"
}

inject --seed 5 --hours 1 --start 2026-11-26T10:00:00Z 2>/dev/null >"$T/ev.jsonl"
head -20000 "$T/ev.jsonl" >"$T/a.jsonl"
tail -n +20001 "$T/ev.jsonl" >"$T/b.jsonl"

run store xadd $S --metrics-file "$T/add.prom" "$T/a.jsonl"
is_rc 0 "xadd with --metrics-file"
is "$(metric "$T/add.prom" slowburn_input_lines_total)" 20000 "lines read"
is "$(metric "$T/add.prom" slowburn_stream_length 'stream="ev:0"') $(metric "$T/add.prom" slowburn_stream_length 'stream="ev:1"')" \
    "$(xlen 0) $(xlen 1)" "the length of each stream, as XLEN"
hasnt "$T/add.prom" 'slowburn_stream_backlog' "no group yet: no backlog sample"

run store xread $S --shard 1 --drain --metrics-file "$T/read.prom"
is_rc 0 "xread --drain with --metrics-file"
cp "$OUT" "$T/read1.jsonl"
is "$(metric "$T/read.prom" slowburn_records_out_total 'kind="forwarded"')" \
    "$(lines "$T/read1.jsonl")" "lines passed on"
last=$(tail -1 "$T/read1.jsonl" | jq -r .timestamp)
want=$(jq -rn --arg t "$last" '$t | sub("\\.[0-9]+Z$"; "Z") | fromdate')
got=$(metric "$T/read.prom" slowburn_event_time_seconds)
is "${got%.*}" "$want" "event time: the last line passed on ($last)"
for m in pending backlog lag_seconds; do
	is "$(metric "$T/read.prom" slowburn_stream_$m 'stream="ev:1"')" 0 \
	    "read and acknowledged: $m 0"
done

# More events: ev:1 now holds entries its group has not read.
before=$(xlen 1)
run store xadd $S --metrics-file "$T/add2.prom" "$T/b.jsonl"
is_rc 0 "xadd again"
is "$(metric "$T/add2.prom" slowburn_stream_backlog 'stream="ev:1"')" \
    "$(($(xlen 1) - before))" "backlog: the entries added since the read"
hasnt "$T/add2.prom" 'slowburn_stream_backlog\{tool="store",stream="ev:0"\}' \
    "ev:0 has no group: no backlog sample"

# Live: the file is rewritten every interval while xread waits on Redis.
setsid store xread $S --shard 0 --block 200ms --metrics-file "$T/live.prom" \
    --metrics-interval 300ms >"$T/live.out" 2>"$T/live.err" &
LPID=$!
WORKER_GROUPS="$WORKER_GROUPS $LPID"
n0=$(lines "$T/a.jsonl")
i=0 got=
while [ $i -lt 100 ]; do
	got=$(metric "$T/live.prom" slowburn_records_out_total 'kind="forwarded"')
	[ -n "$got" ] && [ "$got" -gt 0 ] && [ "$got" = "$(lines "$T/live.out")" ] && break
	sleep 0.1
	i=$((i + 1))
done
is "$got" "$(lines "$T/live.out")" "live: the file counts what was passed on"
store xadd $S "$T/a.jsonl" 2>/dev/null
i=0 got2=
while [ $i -lt 100 ]; do
	got2=$(metric "$T/live.prom" slowburn_records_out_total 'kind="forwarded"')
	[ -n "$got2" ] && [ "$got2" -gt "$got" ] && break
	sleep 0.1
	i=$((i + 1))
done
ok "$([ -n "$got2" ] && [ "$got2" -gt "$got" ] && echo 0 || echo 1)" \
    "live: rewritten while blocked on Redis ($got, then $got2)"
ok "$(kill -0 "$LPID" 2>/dev/null && echo 0 || echo 1)" "and still running"
kill -TERM "-$LPID" 2>/dev/null || true
wait "$LPID" 2>/dev/null || true
is "$(metric "$T/live.prom" slowburn_records_out_total 'kind="forwarded"')" \
    "$(lines "$T/live.out")" "the last write, at exit, counts every line"

# Usage and failures.
run store xstats $S --metrics-file "$T/x.prom"
is_rc 2 "xstats takes no --metrics-file"
has "$ERR" 'xstats: --metrics-file is for xadd and xread' "says so"
run store xread $S --shard 0 --drain --metrics-file "$T/no/such/dir/m.prom"
is_rc 1 "an unwritable metrics file"
has "$ERR" "no/such/dir/m.prom" "names it"
run store xadd $S --metrics-interval 0s --metrics-file "$T/m.prom" /dev/null
is_rc 2 "--metrics-interval 0s is a usage error"
done_testing
