#!/bin/sh
# GET /metrics of ingestd and dashboard: slowburn_build_info and the
# process_* families through lib/metrics, the dashboard's own requests
# and latency; each checked by promtool and against known requests.
# Then the --metrics-file of every stage of a pipe, in one directory,
# read by a real node_exporter's textfile collector; and a real
# Prometheus, started here on a free loopback port, scrapes ingestd,
# dashboard and node_exporter, read back through its HTTP API.
. "$(dirname "$0")/lib.sh"
. "$FIX/ingestd-lib.sh"

DPID=""
NPID=""
PPID_PROM=""
trap 'for p in $IPID $DPID $NPID $PPID_PROM; do kill "$p" 2>/dev/null || true; done
    for p in $IPID $DPID $NPID $PPID_PROM; do wait "$p" 2>/dev/null || true; done
    rm -rf "$T"' EXIT
trap 'exit 1' INT TERM HUP PIPE

mval() { awk -v k="$2" '$1 == k { print $2 }' "$1"; }
promtool_ok() {
	_rc=0
	promtool check metrics <"$1" >"$T/promtool.out" 2>&1 || _rc=$?
	[ -s "$T/promtool.out" ] && _rc=1
	ok "$_rc" "$2: promtool check metrics"
	[ "$_rc" -eq 0 ] || diag_stream <"$T/promtool.out"
}
# within A B TOLERANCE: |A - B| <= TOLERANCE
within() { awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN { d = a - b; exit !(d <= t && -d <= t) }'; }

# --- ingestd ------------------------------------------------------------------

t0=$(date +%s)
start_ingestd -o "$T/raw.jsonl"
{ for i in 1 2 3 4 5 6 7; do event "$i"; done; echo '{"endpoint":"/x"}'; } >"$T/body"
post "$T/body"
is "$CODE" 200 "ingestd: a body of 7 events and a bad one"
curl -sS --max-time 10 -o "$T/ing.prom" "$URL/metrics"
promtool_ok "$T/ing.prom" "ingestd /metrics"
is "$(mval "$T/ing.prom" ingestd_events_accepted_total)" 7 "ingestd: 7 events accepted"
is "$(mval "$T/ing.prom" ingestd_events_rejected_total)" 1 "ingestd: 1 rejected"
has "$T/ing.prom" '^slowburn_build_info\{tool="ingestd",version="[^"]+"\} 1$' "ingestd: build info"
st=$(mval "$T/ing.prom" process_start_time_seconds)
ok "$(awk -v s="$st" -v a="$t0" -v b="$(date +%s)" 'BEGIN { exit !(s >= a - 1 && s <= b + 1) }' && echo 0 || echo 1)" \
    "ingestd: process_start_time_seconds is when it started ($st)"
nfd=$(ls "/proc/$IPID/fd" | wc -l)
ofd=$(mval "$T/ing.prom" process_open_fds)
ok "$(within "$ofd" "$nfd" 3 && echo 0 || echo 1)" "ingestd: process_open_fds as in /proc ($ofd, $nfd)"
lim=$(awk '/^Max open files/ { print $4 }' "/proc/$IPID/limits")
is "$(mval "$T/ing.prom" process_max_fds)" "$lim" "ingestd: process_max_fds is the soft limit"
rss=$(awk '/^VmRSS:/ { print $2 * 1024 }' "/proc/$IPID/status")
ok "$(awk -v a="$(mval "$T/ing.prom" process_resident_memory_bytes)" -v b="$rss" \
    'BEGIN { exit !(a > b / 2 && a < b * 2) }' && echo 0 || echo 1)" "ingestd: resident memory as in /proc ($rss)"
ok "$(awk -v c="$(mval "$T/ing.prom" process_cpu_seconds_total)" -v e="$(( $(date +%s) - t0 + 1 ))" \
    'BEGIN { exit !(c >= 0 && c <= e) }' && echo 0 || echo 1)" "ingestd: CPU seconds no more than the time it ran"
has "$T/ing.prom" '^# TYPE process_cpu_seconds_total counter$' "ingestd: process_cpu_seconds_total is a counter"

# --- dashboard ----------------------------------------------------------------

for m in 0 1 2 3 4; do
	printf '{"type":"window","key":"GET /a","start":"2026-11-26T14:0%d:00Z","count":60,"errors":1,"latency_ms":{"p50":40,"p95":90,"p99":150}}\n' "$m"
done >"$T/w.jsonl"
store put -b sqlite --sqlite-path "$T/db" "$T/w.jsonl"
: >"$T/dash.err"
dashboard -p 0 -b sqlite --sqlite-path "$T/db" 2>"$T/dash.err" &
DPID=$!
i=0
DURL=""
while [ -z "$DURL" ] && [ $i -lt 300 ] && kill -0 "$DPID" 2>/dev/null; do
	DURL=$(sed -n 's|.*listening on \(http://[0-9.]*:[0-9]*\)/$|\1|p' "$T/dash.err")
	[ -n "$DURL" ] || sleep 0.1
	i=$((i + 1))
done
ok "$([ -n "$DURL" ] && echo 0 || echo 1)" "dashboard started ($DURL)"
code() { curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$DURL$1"; }
is "$(code /) $(code /) $(code '/endpoint?key=GET%20/a')" "200 200 200" "dashboard: three pages"
is "$(code /nope) $(code /nope.html)" "404 404" "dashboard: two unknown pages"
is "$(code '/api/endpoints?bogus=1')" 400 "dashboard: an unknown parameter"
curl -sS --max-time 10 -D "$T/dh" -o "$T/dash.prom" "$DURL/metrics"
promtool_ok "$T/dash.prom" "dashboard /metrics"
has "$T/dh" '^Content-Type: text/plain; version=0\.0\.4' "dashboard: the exposition format's content type"
H='tool="dashboard"'
is "$(mval "$T/dash.prom" "slowburn_http_requests_total{$H,code=\"200\"}")" 3 "dashboard: 3 answered 200"
is "$(mval "$T/dash.prom" "slowburn_http_requests_total{$H,code=\"404\"}")" 2 "dashboard: 2 answered 404"
is "$(mval "$T/dash.prom" "slowburn_http_requests_total{$H,code=\"400\"}")" 1 "dashboard: 1 answered 400"
is "$(mval "$T/dash.prom" "slowburn_http_request_duration_seconds_count{$H}")" 6 "dashboard: 6 latencies observed"
is "$(mval "$T/dash.prom" "slowburn_http_request_duration_seconds_bucket{$H,le=\"+Inf\"}")" 6 "dashboard: +Inf bucket holds them all"
has "$T/dash.prom" '^process_resident_memory_bytes [0-9]+$' "dashboard: process metrics"
has "$T/dash.prom" '^slowburn_build_info\{tool="dashboard",version="[^"]+"\} 1$' "dashboard: build info"

# --- node_exporter reads the textfiles of a whole pipe ---------------------------

mkdir "$T/tf"
inject --scenario latency-ramp --hours 3 --seed 7 --start 2026-11-26T00:00:00Z \
    --rate-scale 0.2 --degrade-at 1h >"$T/pipe.in"
aggregate --metrics-file "$T/tf/aggregate.prom" "$T/pipe.in" |
    detect --tee --metrics-file "$T/tf/detect.prom" |
    correlate --metrics-file "$T/tf/correlate.prom" |
    explain --metrics-file "$T/tf/explain.prom" |
    store put -b sqlite --sqlite-path "$T/db2" --tee --metrics-file "$T/tf/store.prom" |
    alert --format json --metrics-file "$T/tf/alert.prom" >"$T/pipe.out"
is "$(ls "$T/tf" | tr '\n' ' ')" "aggregate.prom alert.prom correlate.prom detect.prom explain.prom store.prom " \
    "a pipe of six stages leaves six textfiles, no temporary one"
for f in "$T"/tf/*.prom; do promtool_ok "$f" "${f##*/}"; done

NURL=""
tries=0
while [ -z "$NURL" ] && [ $tries -lt 5 ]; do
	np=$(free_port)
	prometheus-node-exporter --collector.disable-defaults --collector.textfile \
	    --collector.textfile.directory="$T/tf" --web.listen-address="127.0.0.1:$np" \
	    >"$T/ne.log" 2>&1 &
	NPID=$!
	i=0
	while [ $i -lt 100 ] && kill -0 "$NPID" 2>/dev/null; do
		if curl -sf -o "$T/ne.prom" --max-time 2 "http://127.0.0.1:$np/metrics"; then
			NURL=http://127.0.0.1:$np
			break
		fi
		sleep 0.1
		i=$((i + 1))
	done
	if [ -z "$NURL" ]; then
		kill "$NPID" 2>/dev/null || true
		wait "$NPID" 2>/dev/null || true
		NPID=""
	fi
	tries=$((tries + 1))
done
ok "$([ -n "$NURL" ] && echo 0 || echo 1)" "node_exporter is up ($NURL)"
is "$(mval "$T/ne.prom" node_textfile_scrape_error)" 0 "node_exporter: every textfile read without error"
is "$(grep -c '^slowburn_build_info{' "$T/ne.prom")" 6 "node_exporter: the families of the six files merged"
for t in aggregate detect correlate explain store alert; do
	is "$(mval "$T/ne.prom" "slowburn_input_lines_total{tool=\"$t\"}")" \
	    "$(mval "$T/tf/$t.prom" "slowburn_input_lines_total{tool=\"$t\"}")" "node_exporter: $t's lines as in its file"
done
is "$(mval "$T/ne.prom" 'slowburn_input_lines_total{tool="aggregate"}')" "$(lines "$T/pipe.in")" \
    "node_exporter: aggregate read every line of the pipe"

# --- a real Prometheus scrapes them -------------------------------------------

IHP=${URL#http://}
DHP=${DURL#http://}
NHP=${NURL#http://}
cat >"$T/prom.yml" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: ingestd
    static_configs:
      - targets: ['$IHP']
  - job_name: dashboard
    static_configs:
      - targets: ['$DHP']
  - job_name: node
    static_configs:
      - targets: ['$NHP']
EOF
run promtool check config "$T/prom.yml"
is_rc 0 "promtool accepts the scrape configuration"

# A free port: a random one, another if Prometheus cannot bind it.
PURL=""
tries=0
while [ -z "$PURL" ] && [ $tries -lt 5 ]; do
	pp=$(free_port)
	prometheus --config.file="$T/prom.yml" --storage.tsdb.path="$T/tsdb" \
	    --web.listen-address="127.0.0.1:$pp" --log.level=warn \
	    >"$T/prom.log" 2>&1 &
	PPID_PROM=$!
	i=0
	while [ $i -lt 300 ] && kill -0 "$PPID_PROM" 2>/dev/null; do
		if [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$pp/-/ready")" = 200 ]; then
			PURL=http://127.0.0.1:$pp
			break
		fi
		sleep 0.1
		i=$((i + 1))
	done
	if [ -z "$PURL" ]; then
		kill "$PPID_PROM" 2>/dev/null || true
		wait "$PPID_PROM" 2>/dev/null || true
		PPID_PROM=""
	fi
	tries=$((tries + 1))
done
ok "$([ -n "$PURL" ] && echo 0 || echo 1)" "Prometheus is ready ($PURL)"
[ -n "$PURL" ] || diag_stream <"$T/prom.log"

# q QUERY: the values of an instant query, sorted, space-separated
q() {
	curl -sS --max-time 10 --get --data-urlencode "query=$1" "$PURL/api/v1/query" |
	    jq -r '[.data.result[].value[1]] | sort | join(" ")'
}
i=0
while [ "$(q 'sum(up)')" != 3 ] && [ $i -lt 300 ]; do
	sleep 0.1; i=$((i + 1))
done
is "$(q 'up{job="ingestd"}')" 1 "Prometheus: up == 1 for ingestd"
is "$(q 'up{job="dashboard"}')" 1 "Prometheus: up == 1 for dashboard"
curl -sS --max-time 10 "$PURL/api/v1/targets" >"$T/targets"
is "$(jq -r '[.data.activeTargets[] | select(.health == "up" and .lastError == "")] | length' "$T/targets")" 3 \
    "Prometheus: the three targets healthy, no scrape error"
is "$(q 'up{job="node"}')" 1 "Prometheus: up == 1 for node_exporter"
is "$(q ingestd_events_accepted_total)" 7 "Prometheus: ingestd_events_accepted_total 7"
is "$(q 'slowburn_http_requests_total{code="404"}')" 2 "Prometheus: the dashboard's 2 404s"
is "$(q 'slowburn_build_info{job!="node"}')" "1 1" "Prometheus: build info of both servers"
is "$(q 'count(slowburn_build_info{job="node"})')" 6 "Prometheus: build info of the six stages"
is "$(q 'slowburn_input_lines_total{job="node",tool="aggregate"}')" "$(lines "$T/pipe.in")" \
    "Prometheus: aggregate's lines, through node_exporter"
is "$(q 'slowburn_records_out_total{job="node",tool="detect",kind="signal"}')" \
    "$(mval "$T/tf/detect.prom" 'slowburn_records_out_total{tool="detect",kind="signal"}')" \
    "Prometheus: detect's signals, through node_exporter"
is "$(q 'count(slowburn_event_time_lag_seconds{job="node"} > 0)')" 5 \
    "Prometheus: the lag of the five stages that see event time"
is "$(q 'count by (job) (process_resident_memory_bytes{job!="node"})')" "1 1" "Prometheus: process metrics of both servers"
pst=$(q 'process_start_time_seconds{job="ingestd"}')
ok "$(within "$pst" "$st" 0.001 && echo 0 || echo 1)" "Prometheus: ingestd's start time as served ($pst)"
is "$(q 'slowburn_http_request_duration_seconds_count >= bool 6')" 1 \
    "Prometheus: the dashboard's latency histogram"

kill "$PPID_PROM" 2>/dev/null || true
wait "$PPID_PROM" 2>/dev/null || true
PPID_PROM=""
kill "$DPID"; wait "$DPID" || true; DPID=""
kill "$NPID"; wait "$NPID" 2>/dev/null || true; NPID=""
stop_ingestd
is "$RC" 0 "ingestd stops cleanly"

done_testing
