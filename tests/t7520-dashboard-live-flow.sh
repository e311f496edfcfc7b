#!/bin/sh
# The documented flows with storage feed the dashboard: the README's
# `scripts/pipeline --store data/raw_logs.jsonl` and its live flow
# `ingestd -o - | aggregate | detect --tee | ... | store put --tee | alert`
# (fed by inject over HTTP) are taken from README.md and run as written,
# into the default storage (SQLite in data/alerts.db); then dashboard
# serves each store and a real headless Chromium (tests/browser/probe.js)
# must show the endpoint, its health and its alert, and the endpoint's
# drift lines: the windows were stored, not only the alerts.
. "$(dirname "$0")/lib.sh"
. "$FIX/dashboard-lib.sh"
dash_trap
README=${SB_README:-$TOP/README.md}

if ! command -v chromium >/dev/null 2>&1 || ! command -v node >/dev/null 2>&1; then
	ok 1 "chromium and node are installed (scripts/deps)"
	done_testing
	exit 1
fi

# The commands, as the README gives them.
batch=$(sed -n 's/^    \(scripts\/pipeline [^#]*store[^#]*data\/raw_logs\.jsonl\)\( *#.*\)\{0,1\}$/\1/p' "$README" | head -n 1)
live=$(sed -n 's/^    \(ingestd -o - | .*store put.*\)$/\1/p' "$README" | head -n 1)
_r=0; [ -n "$batch" ] || _r=$?; ok $_r "README has the pipeline with storage: $batch"
_r=0; [ -n "$live" ] || _r=$?; ok $_r "README has the live flow with storage: $live"

# The option is documented where the README says: the script's -h.
run "$TOP/scripts/pipeline" -h
is_rc 0 "scripts/pipeline -h exits 0"
has "$OUT" '^  --store  .*storage' "scripts/pipeline -h explains --store"

# probe_store DIR NAME: dashboard on DIR/data/alerts.db, the overview and
# the endpoint page in Chromium, checked.
probe_store() {
	_db=$1/data/alerts.db
	_name=$2
	_summary=$(store query -b sqlite --sqlite-path "$_db" --type alert --key "$DASH_KEY" |
	    jq -r 'select(.state == "firing") | .summary' | head -n 1)
	_r=0; [ -n "$_summary" ] || _r=$?; ok $_r "$_name: the store holds a firing alert on $DASH_KEY"
	_nwin=$(store query -b sqlite --sqlite-path "$_db" --type window --key "$DASH_KEY" | wc -l)
	_r=0; [ "$_nwin" -ge 30 ] || _r=$?; ok $_r "$_name: the store holds the windows of $DASH_KEY ($_nwin)"
	dash_start -b sqlite --sqlite-path "$_db"
	mkdir -p "$T/chrome"
	RC=0
	TMPDIR=$T/chrome node "$TOP/tests/browser/probe.js" \
	    "$DASH_URL/?range=24h" "$DASH_URL/endpoint?key=$DASH_KEY_Q&range=24h" \
	    >"$T/probe" 2>"$ERR" || RC=$?
	is_rc 0 "$_name: chromium loads the overview and the endpoint page"
	sed -n 1p "$T/probe" >"$T/ov.json"
	sed -n 2p "$T/probe" >"$T/ep.json"
	is "$(jq --arg k "$DASH_KEY" '[.keys[] | select(. == $k)] | length' "$T/ov.json")" 1 \
	    "$_name: overview lists the endpoint"
	is "$(jq -r '.keys[0]' "$T/ov.json")" "$DASH_KEY" "$_name: the degraded endpoint first"
	is "$(jq '.rows > 1 and .rows == (.keys | length)' "$T/ov.json")" true \
	    "$_name: a row per endpoint"
	is "$(jq '(.keys | length) as $n | [.health[] | select(test("^[0-9]+$")) | tonumber | select(. <= 100)] | length == $n' "$T/ov.json")" \
	    true "$_name: a health score 0-100 on every row"
	is "$(jq '.health[0] | tonumber < 100' "$T/ov.json")" true "$_name: the endpoint's health is below 100"
	is "$(jq --arg s "$_summary" '[.alerts[] | select(. == $s)] | length >= 1' "$T/ov.json")" true \
	    "$_name: overview shows the alert"
	is "$(jq '.text | contains("No windows in this range")' "$T/ov.json")" false \
	    "$_name: overview does not say 'No windows in this range'"
	is "$(jq -r .h1 "$T/ep.json")" "$DASH_KEY" "$_name: endpoint page heading"
	is "$(jq '[.polylines[] | select(.cls == "p95" and .points >= 30)] | length' "$T/ep.json")" 1 \
	    "$_name: endpoint page draws the p95 drift line"
	is "$(jq --arg s "$_summary" '[.alerts[] | select(. == $s)] | length >= 1' "$T/ep.json")" true \
	    "$_name: endpoint page shows the alert"
	dash_stop
}

# 1. scripts/pipeline --store over a log file, in a tree like the source's.
W=$T/batch
mkdir -p "$W/data"
ln -s "$TOP/scripts" "$W/scripts"
inject --scenario latency-ramp --hours 6 --seed 7 --start 2026-11-26T00:00:00Z \
    >"$W/data/raw_logs.jsonl"
RC=0
(cd "$W" && sh -c "$batch") >"$OUT" 2>"$ERR" || RC=$?
is_rc 0 "the pipeline with storage exits 0"
has "$OUT" "firing $DASH_KEY" "it prints the alert on the console"
probe_store "$W" "pipeline --store"

# 2. The live flow: ingestd on a free port, inject posting an hour of
# traffic with the ramp at its 40th minute, 240 times faster than real time.
W=$T/live
mkdir -p "$W"
cmd=$(printf '%s\n' "$live" | sed 's/^ingestd /ingestd -p 0 /')
# The file first: the loop below may read it before the job opens it.
: >"$T/live.err"
(cd "$W" && exec sh -c "$cmd") >"$T/live.out" 2>"$T/live.err" &
lpid=$!
i=0
url=""
while [ $i -lt 300 ] && [ -z "$url" ]; do
	url=$(sed -n 's|^ingestd: listening on \(127\.0\.0\.1:[0-9]*\)$|http://\1|p' "$T/live.err")
	sleep 0.1
	i=$((i + 1))
done
_r=0; [ -n "$url" ] || _r=$?; ok $_r "the live flow's ingestd listens"
RC=0
inject --url "$url" --scenario latency-ramp --duration 60 --degrade-at 40m --speed 240 \
    --seed 7 --start 2026-11-26T00:00:00Z >/dev/null 2>"$ERR" || RC=$?
is_rc 0 "inject posts an hour of traffic to it"
# Stop ingestd, found by its parent, the flow's shell: the rest of the
# pipe drains and ends.
ipid=$(ps -o pid= -o comm= --ppid "$lpid" | awk '$2 == "ingestd" { print $1 }')
_r=0; [ -n "$ipid" ] || _r=$?; ok $_r "ingestd found in the flow"
[ -z "$ipid" ] || kill -TERM "$ipid"
RC=0
wait "$lpid" || RC=$?
is_rc 0 "the live flow exits 0 once ingestd stops"
has "$T/live.out" "firing $DASH_KEY" "alert shows the alert live"
probe_store "$W" "live flow"
done_testing
