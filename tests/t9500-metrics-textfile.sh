#!/bin/sh
# --metrics-file: each long-running stage writes its metrics in the
# Prometheus text format for node_exporter's textfile collector.  Every
# file passes `promtool check metrics`; the counters equal what known
# inputs make them; the file is rewritten on the wall clock while the
# input is quiet, at exit, and never seen half-written.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/receiver/receiver.sh"

# mval FILE SERIES: the value of one sample, e.g.
# mval m.prom 'slowburn_input_lines_total{tool="aggregate"}'
mval() { awk -v k="$2" '$1 == k { print $2 }' "$1"; }

# promtool_ok FILE WHAT: promtool accepts it, lint included, silently.
promtool_ok() {
	_rc=0
	promtool check metrics <"$1" >"$T/promtool.out" 2>&1 || _rc=$?
	[ -s "$T/promtool.out" ] && _rc=1
	ok "$_rc" "$2: promtool check metrics"
	[ "$_rc" -eq 0 ] || diag_stream <"$T/promtool.out"
}

# --- options ----------------------------------------------------------------

run aggregate --metrics-file "$T/m.prom" --metrics-interval 50ms </dev/null
is_rc 2 "--metrics-interval below 100ms is a usage error"
has "$ERR" "^aggregate: --metrics-interval: '50ms' is too short$" "and says why"
run detect --metrics-file '' </dev/null
is_rc 2 "an empty --metrics-file is a usage error"
run store query --type alert --metrics-file "$T/m.prom"
is_rc 2 "store: --metrics-file is for put"
has "$ERR" "^store: query: --metrics-file is for put$" "and says so"
run correlate --metrics-file "$T/no/such/dir/m.prom" </dev/null
is_rc 1 "a file that cannot be written at start: exit 1"
has "$ERR" "^correlate: $T/no/such/dir/m.prom: No such file or directory$" "named with the reason"
for t in aggregate detect correlate explain alert; do
	run "$t" -h
	has "$OUT" '\[--metrics-file (file|FILE) \[--metrics-interval (duration|DUR)\]\]' "$t -h shows --metrics-file"
done

# --- aggregate: known counts ------------------------------------------------

# 600 events, one a second from 2026-11-26T00:00:00Z (1795651200) on
# three endpoints; 3 bad lines, 1 blank, 2 records of other types.
awk 'BEGIN { for (i = 0; i < 600; i++)
    printf "{\"timestamp\":%d,\"endpoint\":\"/e%d\",\"status_code\":%d,\"latency_ms\":%d}\n",
    1795651200 + i, i % 3, i % 50 == 0 ? 500 : 200, 10 + i % 7 }' >"$T/ev"
{
	head -n 300 "$T/ev"
	echo 'not json'
	echo '{"endpoint":"/e1","status_code":200}'
	echo
	echo '{"type":"note","at":"2026-11-26T00:05:00.000Z"}'
	sed -n '301,599p' "$T/ev"
	echo '{"endpoint":"/e1","status_code":999,"latency_ms":1}'
	echo '{"type":"note","at":"2026-11-26T00:09:00.000Z"}'
	tail -n 1 "$T/ev"
} >"$T/agg.in"
run aggregate --metrics-file "$T/agg.prom" "$T/agg.in"
is_rc 0 "aggregate with --metrics-file: exit 0"
promtool_ok "$T/agg.prom" "aggregate"
A='{tool="aggregate"}'
is "$(mval "$T/agg.prom" "slowburn_input_lines_total$A")" 606 "aggregate: 606 lines in"
is "$(mval "$T/agg.prom" "slowburn_input_bad_lines_total$A")" 3 "aggregate: 3 bad lines"
is "$(mval "$T/agg.prom" 'slowburn_records_in_total{tool="aggregate",kind="event"}')" 600 "aggregate: 600 events in"
is "$(mval "$T/agg.prom" 'slowburn_records_in_total{tool="aggregate",kind="other"}')" 2 "aggregate: 2 other records in"
is "$(mval "$T/agg.prom" 'slowburn_records_out_total{tool="aggregate",kind="window"}')" \
    "$(grep -c '"type":"window"' "$OUT")" "aggregate: windows out as written"
is "$(mval "$T/agg.prom" 'slowburn_records_out_total{tool="aggregate",kind="window"}')" 30 "aggregate: 30 windows"
is "$(mval "$T/agg.prom" 'slowburn_records_out_total{tool="aggregate",kind="forwarded"}')" 2 "aggregate: 2 forwarded"
is "$(mval "$T/agg.prom" "slowburn_open_series$A")" 3 "aggregate: 3 series"
is "$(mval "$T/agg.prom" "slowburn_event_time_seconds$A")" 1795651799 "aggregate: the newest event time"
lag=$(mval "$T/agg.prom" "slowburn_event_time_lag_seconds$A")
now=$(date +%s)
ok "$(awk -v l="$lag" -v n="$now" 'BEGIN { d = n - 1795651799 - l; exit !(d > -2 && d < 60) }' && echo 0 || echo 1)" \
    "aggregate: the lag is the wall clock minus that ($lag)"
v=$(aggregate --version | awk '{ print $3 }')
is "$(mval "$T/agg.prom" "slowburn_build_info{tool=\"aggregate\",version=\"$v\"}")" 1 "aggregate: build info, the version of --version"
is "$(grep -c '^# TYPE' "$T/agg.prom")" "$(grep -c '^# HELP' "$T/agg.prom")" "aggregate: a HELP for every TYPE"
hasnt "$T/agg.prom" '^[a-z_]+_total(\{[^}]*\})? [0-9]+ [0-9]+$' "aggregate: no timestamps (the textfile collector refuses them)"
ls "$T" | grep -q 'agg\.prom\.tmp' && r=1 || r=0
ok "$r" "aggregate: no temporary file left"

run aggregate "$T/agg.in"
cp "$OUT" "$T/out.plain"
run aggregate --metrics-file "$T/agg2.prom" "$T/agg.in"
same "$OUT" "$T/out.plain" "aggregate: the records are the same with --metrics-file"

# --- detect, correlate, explain: a degradation through the pipe -------------

inject --scenario latency-ramp --hours 6 --seed 7 --start 2026-11-26T00:00:00Z \
    --rate-scale 0.2 | aggregate >"$T/win"
echo '{"type":"window","key":"x"}' >>"$T/win"
run detect --tee --metrics-file "$T/det.prom" "$T/win"
is_rc 0 "detect with --metrics-file: exit 0"
cp "$OUT" "$T/det.out"
promtool_ok "$T/det.prom" "detect"
D='{tool="detect"}'
is "$(mval "$T/det.prom" "slowburn_input_lines_total$D")" "$(lines "$T/win")" "detect: every line counted"
is "$(mval "$T/det.prom" "slowburn_input_bad_lines_total$D")" 1 "detect: 1 bad line"
nwin=$(grep -c '"type":"window"' "$T/win")
is "$(mval "$T/det.prom" 'slowburn_records_in_total{tool="detect",kind="window"}')" $((nwin - 1)) "detect: windows in"
is "$(mval "$T/det.prom" 'slowburn_records_out_total{tool="detect",kind="signal"}')" \
    "$(grep -c '"type":"signal"' "$T/det.out")" "detect: signals out as written"
ok "$([ "$(grep -c '"type":"signal"' "$T/det.out")" -gt 0 ] && echo 0 || echo 1)" "detect: (some signals)"
is "$(mval "$T/det.prom" 'slowburn_records_out_total{tool="detect",kind="watermark"}')" \
    "$(grep -c '"type":"watermark"' "$T/det.out")" "detect: watermarks out as written"
is "$(mval "$T/det.prom" 'slowburn_records_out_total{tool="detect",kind="window"}')" $((nwin - 1)) "detect: --tee windows out"
is "$(mval "$T/det.prom" "slowburn_open_series$D")" \
    "$(grep '"type":"window"' "$T/win" | jq -r '"\(.key) \(.width_s)"' | grep -v '^x ' | sort -u | wc -l | tr -d ' ')" \
    "detect: one series per key and width"
last_end=$(grep '"type":"window"' "$T/win" | jq -r 'select(.end) | .end' | sort | tail -n 1)
is "$(mval "$T/det.prom" "slowburn_event_time_seconds$D")" "$(date -u -d "$last_end" +%s)" \
    "detect: the event time is the newest window end"

run correlate --metrics-file "$T/cor.prom" "$T/det.out"
is_rc 0 "correlate with --metrics-file: exit 0"
cp "$OUT" "$T/cor.out"
promtool_ok "$T/cor.prom" "correlate"
is "$(mval "$T/cor.prom" 'slowburn_records_in_total{tool="correlate",kind="signal"}')" \
    "$(grep -c '"type":"signal"' "$T/det.out")" "correlate: signals in"
nal=$(grep -c '"type":"alert"' "$T/cor.out")
is "$(mval "$T/cor.prom" 'slowburn_records_out_total{tool="correlate",kind="alert"}')" "$nal" "correlate: alerts out as written ($nal)"
is "$(mval "$T/cor.prom" 'slowburn_records_out_total{tool="correlate",kind="forwarded"}')" \
    "$(grep -vc '"type":"\(signal\|alert\)"' "$T/cor.out")" "correlate: forwarded as written"
open=$(grep '"type":"alert"' "$T/cor.out" | jq -r '"\(.id) \(.state)"' |
    awk '{ s[$1] = $2 } END { for (i in s) n += s[i] != "resolved"; print n + 0 }')
is "$(mval "$T/cor.prom" 'slowburn_open_incidents{tool="correlate"}')" "$open" "correlate: open incidents ($open)"

run explain --metrics-file "$T/exp.prom" "$T/cor.out"
is_rc 0 "explain with --metrics-file: exit 0"
cp "$OUT" "$T/exp.out"
promtool_ok "$T/exp.prom" "explain"
is "$(mval "$T/exp.prom" 'slowburn_records_out_total{tool="explain",kind="alert"}')" "$nal" "explain: alerts out"
is "$(mval "$T/exp.prom" 'slowburn_records_in_total{tool="explain",kind="other"}')" \
    "$(grep -vc '"type":"alert"' "$T/cor.out")" "explain: other records in"

# --- alert: deliveries, retries, refusals, the spool ------------------------

receiver_start hook
printf '500\n500\n400 no\n' >"$T/hook/plan"
run alert --webhook "$RECV_URL/x" --retry-base 10ms --metrics-file "$T/al.prom" \
    "$FIX/alert-five.jsonl"
is_rc 1 "alert: a refused alert, exit 1"
promtool_ok "$T/al.prom" "alert"
W='tool="alert",sink="webhook"'
is "$(receiver_count hook)" 7 "alert: 7 requests reached the receiver"
is "$(mval "$T/al.prom" "slowburn_alert_deliveries_total{$W,result=\"sent\"}")" 4 "alert: 4 sent"
is "$(mval "$T/al.prom" "slowburn_alert_deliveries_total{$W,result=\"failed\"}")" 2 "alert: 2 failed (500)"
is "$(mval "$T/al.prom" "slowburn_alert_deliveries_total{$W,result=\"refused\"}")" 1 "alert: 1 refused (400)"
is "$(mval "$T/al.prom" "slowburn_alert_retries_total{$W}")" 2 "alert: 2 retries"
is "$(mval "$T/al.prom" "slowburn_alert_spool_messages{$W}")" 0 "alert: nothing left in the spool"
is "$(mval "$T/al.prom" 'slowburn_records_in_total{tool="alert",kind="alert"}')" 5 "alert: 5 alerts in"

mkdir "$T/sp"
run alert --webhook "http://127.0.0.1:1/x" --retries 1 --retry-base 10ms --spool "$T/sp" \
    --metrics-file "$T/al2.prom" "$FIX/alert-five.jsonl"
promtool_ok "$T/al2.prom" "alert, receiver down"
is "$(mval "$T/al2.prom" "slowburn_alert_deliveries_total{$W,result=\"sent\"}")" 0 "alert down: none sent"
is "$(mval "$T/al2.prom" "slowburn_alert_deliveries_total{$W,result=\"failed\"}")" 2 "alert down: 2 attempts failed"
is "$(mval "$T/al2.prom" "slowburn_alert_spool_messages{$W}")" 5 "alert down: 5 messages spooled"
run alert --metrics-file "$T/al3.prom" "$FIX/alert-five.jsonl"
hasnt "$T/al3.prom" 'slowburn_alert_deliveries_total' "alert, console only: no delivery metrics"

# --- store put ----------------------------------------------------------------

{ head -n 20 "$T/exp.out"; echo 'oops'; } >"$T/put.in"
run store put -b sqlite --sqlite-path "$T/db" --metrics-file "$T/st.prom" "$T/put.in"
is_rc 0 "store put with --metrics-file: exit 0"
promtool_ok "$T/st.prom" "store"
stored=$(head -n 20 "$T/exp.out" | grep -vc '"type":"watermark"')
is "$(mval "$T/st.prom" 'slowburn_store_records_total{tool="store",result="stored"}')" "$stored" "store: $stored records stored"
is "$(mval "$T/st.prom" 'slowburn_input_bad_lines_total{tool="store"}')" 1 "store: 1 bad line"
is "$(mval "$T/st.prom" 'slowburn_input_lines_total{tool="store"}')" 21 "store: 21 lines"
run store put -b redis --redis-url "redis://127.0.0.1:1/0" --retry-for 0 --spool "$T/spool" \
    --metrics-file "$T/st2.prom" "$T/put.in"
promtool_ok "$T/st2.prom" "store, backend away"
is "$(mval "$T/st2.prom" 'slowburn_store_records_total{tool="store",result="spooled"}')" "$stored" "store away: $stored records spooled"
is "$(mval "$T/st2.prom" 'slowburn_store_spool_files{tool="store"}')" "$(ls "$T/spool" | grep -c '\.jsonl$')" "store away: spool files as on disk"

# --- on the wall clock, while the input is quiet ------------------------------

mkfifo "$T/fifo"
aggregate --metrics-file "$T/live.prom" --metrics-interval 200ms <"$T/fifo" >"$T/live.out" 2>"$T/live.err" &
apid=$!
exec 3>"$T/fifo"
head -n 5 "$T/ev" >&3
# wait_val FILE SERIES VALUE: until the sample has the value (10 s at most)
wait_val() {
	_i=0
	while [ "$(mval "$1" "$2" 2>/dev/null)" != "$3" ] && [ $_i -lt 100 ]; do
		sleep 0.1; _i=$((_i + 1))
	done
	mval "$1" "$2"
}
is "$(wait_val "$T/live.prom" "slowburn_input_lines_total$A" 5)" 5 "live: 5 lines counted while the input stays open"
ok "$(kill -0 $apid 2>/dev/null && echo 0 || echo 1)" "live: aggregate still runs"
l1=$(mval "$T/live.prom" "slowburn_event_time_lag_seconds$A")
sleep 1
l2=$(mval "$T/live.prom" "slowburn_event_time_lag_seconds$A")
ok "$(awk -v a="$l1" -v b="$l2" 'BEGIN { exit !(b - a > 0.5 && b - a < 5) }' && echo 0 || echo 1)" \
    "live: no input, still rewritten: the lag grows with the clock ($l1, $l2)"
printf 'bad\nbad\n' >&3
is "$(wait_val "$T/live.prom" "slowburn_input_bad_lines_total$A" 2)" 2 "live: 2 bad lines counted"
exec 3>&-
wait $apid || true
is "$(mval "$T/live.prom" "slowburn_input_lines_total$A")" 7 "live: the last write at exit"

# SIGTERM: the last write still comes, with everything read.
mkfifo "$T/fifo4"
detect --tee --metrics-file "$T/term.prom" --metrics-interval 1h <"$T/fifo4" >"$T/term.out" 2>&1 &
dpid=$!
exec 3>"$T/fifo4"
head -n 40 "$T/win" >&3
wait_caught $dpid
i=0
while [ "$(mval "$T/term.prom" "slowburn_input_lines_total$D")" != 0 ] && [ $i -lt 20 ]; do
	sleep 0.1; i=$((i + 1))
done
is "$(mval "$T/term.prom" "slowburn_input_lines_total$D")" 0 "term: with an hour's interval, only the first write so far"
i=0
while [ "$(grep -c '"type":"window"' "$T/term.out")" -lt 40 ] && [ $i -lt 100 ]; do
	sleep 0.1; i=$((i + 1))
done
kill -TERM $dpid
RC=0; wait $dpid || RC=$?
exec 3>&-
is_rc 0 "term: detect exits 0 on SIGTERM"
is "$(mval "$T/term.prom" "slowburn_input_lines_total$D")" 40 "term: the last write counts the 40 lines read"

# --idle-flush keeps its own time while the metrics tick more often.
mkfifo "$T/fifo3"
aggregate --idle-flush 500ms --lateness 0 --metrics-file "$T/idle.prom" \
    --metrics-interval 100ms <"$T/fifo3" >"$T/idle.out" 2>/dev/null &
apid=$!
exec 3>"$T/fifo3"
echo '{"timestamp":"2026-11-26T14:00:59.900Z","endpoint":"/a","status_code":200,"latency_ms":3}' >&3
i=0
while ! grep -q '"type":"window"' "$T/idle.out" && [ $i -lt 100 ]; do
	sleep 0.1; i=$((i + 1))
done
has "$T/idle.out" '"start":"2026-11-26T14:00:00.000Z"' "idle: --idle-flush still closes the window"
ok "$(kill -0 $apid 2>/dev/null && echo 0 || echo 1)" "idle: while the input stays open"
is "$(wait_val "$T/idle.prom" 'slowburn_records_out_total{tool="aggregate",kind="window"}' 1)" 1 \
    "idle: the metrics count it before the input ends"
exec 3>&-
wait $apid || true

# --- never half-written -------------------------------------------------------

# A reader polls the file as fast as it can while aggregate rewrites it
# every 100ms: each read must be whole (from the first family to the
# last, ending in a newline); it must also see the file change.
cat >"$T/poll.pl" <<'EOF'
use strict; use warnings; use Time::HiRes qw(time);
my ($f, $secs) = @ARGV;
my ($reads, $torn, %seen) = (0, 0);
my $end = time + $secs;
while (time < $end) {
	open(my $fh, '<', $f) or next;
	local $/; my $s = <$fh>; close $fh;
	$reads++;
	if (!defined $s || $s !~ /\A# HELP slowburn_build_info / ||
	    $s !~ /\nslowburn_other_events_total\{tool="aggregate"\} \d+\n\z/) {
		$torn++; next;
	}
	$seen{$1} = 1 if $s =~ /\nslowburn_input_lines_total\{tool="aggregate"\} (\d+)\n/;
}
printf "%d %d %d\n", $reads, $torn, scalar keys %seen;
EOF
mkfifo "$T/fifo2"
aggregate --metrics-file "$T/at.prom" --metrics-interval 100ms <"$T/fifo2" >/dev/null 2>&1 &
apid=$!
exec 3>"$T/fifo2"
perl "$T/poll.pl" "$T/at.prom" 3 >"$T/poll.out" &
ppid=$!
i=0
while kill -0 $ppid 2>/dev/null && [ $i -lt 600 ]; do
	sed -n "$((i % 600 + 1))p" "$T/ev" >&3
	i=$((i + 1))
	sleep 0.005
done
wait $ppid || true
exec 3>&-
wait $apid || true
read -r reads torn distinct <"$T/poll.out"
ok "$([ "$reads" -gt 100 ] && echo 0 || echo 1)" "atomic: the reader read the file often ($reads reads)"
is "$torn" 0 "atomic: no read saw a partial file"
ok "$([ "$distinct" -gt 3 ] && echo 0 || echo 1)" "atomic: it saw the file rewritten ($distinct versions)"

done_testing
