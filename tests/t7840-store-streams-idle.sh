#!/bin/sh
# t7840-store-streams-idle: live, a shard whose worker writes nothing
# holds the merge back (it cannot know that nothing older will come);
# store xread --merge --idle stops waiting for it after that long, and
# the alerts of the busy shard go out.
. "$(dirname "$0")/lib.sh"
. "$FIX/streams-lib.sh"

command -v redis-server >/dev/null || { echo "1..0 # SKIP no redis-server"; exit 0; }
rs_start 1
S="--shards $RS_URL_1 --streams 2 --prefix i:"

# Only checkout's events: shard 1 gets them all, shard 0 nothing.
inject --scenario service-wide --seed 3 --hours 2 --degrade-at 80m \
    --start 2026-11-26T10:00:00Z 2>/dev/null |
    jq -c 'select(.service == "checkout")' >"$T/ev.jsonl"
run store xadd $S "$T/ev.jsonl"
is_rc 0 "checkout's events are in the streams"
is "$(redis-cli -p "$RS_PORT_1" XLEN i:ev:0) $(redis-cli -p "$RS_PORT_1" XLEN i:ev:1 | sed 's/[1-9][0-9]*/n/')" "0 n" \
    "all on shard 1"
worker "$RS_URL_1" 2 i: 0
worker "$RS_URL_1" 2 i: 1

# merge GROUP OUT [FLAGS]: a live merge into alert, in its own group
merge() {
	_g=$1 _o=$2
	shift 2
	setsid sh -c "store xread $S --group $_g --merge $* |
	    alert --format json >$_o" 2>>"$T/merge.err" &
	MPID=$!
	WORKER_GROUPS="$WORKER_GROUPS $MPID"
}
# wait_alert FILE: up to 20 s for an alert in FILE; 0 if one came
wait_alert() {
	_i=0
	while [ $_i -lt 100 ]; do
		grep -q '"type":"alert"' "$1" 2>/dev/null && return 0
		sleep 0.2
		_i=$((_i + 1))
	done
	return 1
}

merge m1 "$T/held"
m1=$MPID
merge m2 "$T/idle" --idle 1s
wait_alert "$T/idle" && r=0 || r=1
ok "$r" "with --idle 1s the alerts of the busy shard go out"
has "$T/idle" '"service":"checkout"' "checkout's"
ok "$(grep -q '"type":"alert"' "$T/held" && echo 1 || echo 0)" \
    "without --idle the merge waits for the silent shard"
kill -9 "-$m1" "-$MPID" 2>/dev/null || true
done_testing
