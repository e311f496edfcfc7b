#!/bin/sh
# t7810-store-streams-kill9: a worker killed with kill -9 in the middle
# of a service-wide incident, and another stopped with SIGTERM, restart
# and replay their shards: the alerts are those of an uninterrupted
# single run, byte for byte, and the store holds each window and alert
# once.  Entries a dead consumer read and never acknowledged are claimed.
. "$(dirname "$0")/lib.sh"
. "$FIX/streams-lib.sh"

command -v redis-server >/dev/null || { echo "1..0 # SKIP no redis-server"; exit 0; }
rs_start 1
rs_start 2
U="$RS_URL_1,$RS_URL_2"
S="--shards $U --streams 2 --prefix k:"

# Two hours, checkout degrading from 11:20 over 10 minutes: cut at 11:27,
# after the first alert and before the incident is at its worst.
inject --scenario service-wide --seed 21 --hours 2 --degrade-at 80m \
    --start 2026-11-26T10:00:00Z -o "$T/ev.jsonl" 2>/dev/null
awk '$0 < "{\"timestamp\":\"2026-11-26T11:27"' "$T/ev.jsonl" >"$T/part1"
awk '$0 >= "{\"timestamp\":\"2026-11-26T11:27"' "$T/ev.jsonl" >"$T/part2"
is "$(cat "$T/part1" "$T/part2" | cmp - "$T/ev.jsonl" && echo same)" same \
    "the two parts make the events"

STORAGE_BACKEND=sqlite SQLITE_DB_PATH=$T/single.db \
    "$TOP/scripts/pipeline" --json --store "$T/ev.jsonl" >"$T/single"
ok "$(grep -q '"state":"firing"' "$T/single" && echo 0 || echo 1)" \
    "the single run fires"
count() {	# count TYPE DB...: records of TYPE in the SQLite files
	_type=$1
	shift
	for _db in "$@"; do
		STORAGE_BACKEND=sqlite SQLITE_DB_PATH=$_db store stats |
		    jq --arg t "$_type" '.types[$t].count // 0'
	done | awk '{ s += $1 } END { print s + 0 }'
}

run store xadd $S "$T/part1"
is_rc 0 "the first part is in the streams"
SB_WORKER_STORE=1
export SB_WORKER_STORE
worker "$U" 2 k: 0
W0=$WPID
worker "$U" 2 k: 1
W1=$WPID

# Wait for the live workers to have written an alert: that shard is
# checkout's, the one to kill.
alerted() {
	redis-cli -p "$(eval echo "\$RS_PORT_$(($1 % 2 + 1))")" \
	    XRANGE "k:out:$1" - + | grep -q '"type":"alert"'
}
pick_victim alerted
ok "$([ -n "$victim" ] && echo 0 || echo 1)" "a live worker wrote an alert (shard ${victim:-none})"
kill_workers
mid=$(count alert "$T/store.$victim.db")
ok "$([ "$mid" -ge 1 ] && echo 0 || echo 1)" "the killed worker had stored $mid alerts"

# The rest of the incident arrives while both are down; a consumer that
# dies holding entries it never acknowledged leaves them pending.
run store xadd $S "$T/part2"
is_rc 0 "the second part is in the streams"
vport=$(eval echo "\$RS_PORT_$((victim % 2 + 1))")
# The killed worker may itself have died holding entries: count the
# dead consumer's 3 on top of what was pending before it read.
pending() { store xstats $S | jq -s --arg s "k:ev:$victim" '.[] | select(.stream == $s) | .pending'; }
pend0=$(pending)
redis-cli -p "$vport" XREADGROUP GROUP slowburn dead COUNT 3 STREAMS "k:ev:$victim" '>' >/dev/null
pend=$(pending)
is "$((pend - pend0))" 3 "a dead consumer holds 3 entries ($pend0 pending before)"
lag=$(store xstats $S | jq -rs --arg s "k:ev:$victim" '.[] | select(.stream == $s) | [.backlog > 0, .event_lag_s > 60, .newest[0:16]] | @tsv' | tr '\t' ' ')
is "$lag" "true true 2026-11-26T11:59" "xstats shows the backlog and the lag in event time"

worker "$U" 2 k: 0 --drain
W0=$WPID
worker "$U" 2 k: 1 --drain
W1=$WPID
rc=0
wait "$W0" || rc=$?
wait "$W1" || rc=$?
is "$rc" 0 "the restarted workers replay and end"
has "$T/worker.$victim.err" 'replayed [0-9]+ entries' "the replay is said"
has "$T/worker.$victim.err" 'already in .*, not written again' \
    "what the killed worker had written is not written again"

RC=0
store xread $S --merge --drain 2>"$ERR" | alert --format json >"$OUT" || RC=$?
is_rc 0 "the merge exits 0"
same "$OUT" "$T/single" "identical alerts to the uninterrupted single run"

store xstats $S >"$T/stats"
is "$(jq -s '[.[] | select(.group) | .backlog + .pending] | add' "$T/stats")" 0 \
    "nothing unread or pending: the dead consumer's entries were claimed"
is "$(count alert "$T/store.0.db" "$T/store.1.db")" "$(count alert "$T/single.db")" \
    "each alert stored once"
is "$(count window "$T/store.0.db" "$T/store.1.db")" "$(count window "$T/single.db")" \
    "each window stored once"
done_testing
