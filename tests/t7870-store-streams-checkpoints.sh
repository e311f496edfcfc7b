#!/bin/sh
# t7870-store-streams-checkpoints: workers whose stages keep --state and
# whose reader puts a checkpoint record in the pipe (store xread
# --checkpoint).  The sink commits each checkpoint in Redis and trims the
# shard's event stream up to it; a worker killed with kill -9 in the
# middle of an incident restarts from its last commit, not from the
# start of the stream, and the alerts are still those of one
# uninterrupted run, byte for byte.
. "$(dirname "$0")/lib.sh"
. "$FIX/streams-lib.sh"

command -v redis-server >/dev/null || { echo "1..0 # SKIP no redis-server"; exit 0; }
rs_start 1
U=$RS_URL_1
S="--shards $U --streams 2 --prefix c:"

# ckworker K [--drain]: a worker whose stages keep their state in
# $T/st.K, checkpointing every 200ms; a drained run is the stream's last
# (aggregate --final closes its open windows).
ckworker() {
	_k=$1
	shift
	_fin=""
	[ "${1:-}" = --drain ] && _fin=--final
	mkdir -p "$T/st.$_k"
	setsid sh -c "store xread $S --shard $_k --checkpoint 200ms $* |
	    aggregate --state $T/st.$_k/aggregate $_fin |
	    detect --state $T/st.$_k/detect | correlate --state $T/st.$_k/correlate |
	    explain | STORAGE_BACKEND=sqlite SQLITE_DB_PATH=$T/store.$_k.db store put --tee |
	    store xadd $S --out $_k $*" 2>>"$T/worker.$_k.err" &
	WPID=$!
	WORKER_GROUPS="$WORKER_GROUPS $WPID"
}

inject --scenario service-wide --seed 21 --hours 2 --degrade-at 80m \
    --start 2026-11-26T10:00:00Z -o "$T/ev.jsonl" 2>/dev/null
awk '$0 < "{\"timestamp\":\"2026-11-26T11:27"' "$T/ev.jsonl" >"$T/part1"
awk '$0 >= "{\"timestamp\":\"2026-11-26T11:27"' "$T/ev.jsonl" >"$T/part2"
"$TOP/scripts/pipeline" --json "$T/ev.jsonl" >"$T/single"
ok "$(grep -q '"state":"firing"' "$T/single" && echo 0 || echo 1)" \
    "the single run fires"

# The first part in three slices, so that the live workers make several
# checkpoints (one after each slice is read).
n1=$(lines "$T/part1")
head -n $((n1 / 3)) "$T/part1" >"$T/p1a"
sed -n "$((n1 / 3 + 1)),$((2 * n1 / 3))p" "$T/part1" >"$T/p1b"
tail -n +$((2 * n1 / 3 + 1)) "$T/part1" >"$T/p1c"
ckworker 0
W0=$WPID
ckworker 1
W1=$WPID
rc=0
for p in p1a p1b p1c; do
	store xadd $S --chunk 20 "$T/$p" || rc=1
	sleep 1.5
done
is "$rc" 0 "the first part is in the streams"

# Wait until a worker has written an alert and committed a checkpoint
# after it: that one is killed.
alerted_committed() {
	redis-cli -p "$RS_PORT_1" XRANGE "c:out:$1" - + | grep -q '"type":"alert"' &&
	    [ "$(redis-cli -p "$RS_PORT_1" HGET "c:ckpt:$1" seq)" -ge 2 ] 2>/dev/null
}
pick_victim alerted_committed
ok "$([ -n "$victim" ] && echo 0 || echo 1)" "a worker wrote an alert and committed checkpoints (shard ${victim:-none})"
kill_workers

info() { redis-cli -p "$RS_PORT_1" XINFO STREAM "c:ev:$1" | awk -v f="$2" 'p { print; exit } $0 == f { p = 1 }'; }
added=$(info "$victim" entries-added)
len=$(info "$victim" length)
ok "$([ "$len" -lt "$added" ] && echo 0 || echo 1)" \
    "the killed worker's stream was trimmed behind its commits ($len of $added entries left)"
ls "$T/st.$victim" >"$T/gens"
has "$T/gens" '^detect\.ck[01]$' "detect keeps checkpoint generations beside its state"
has "$T/gens" '^aggregate\.ck[01]$' "so does aggregate"
seq=$(redis-cli -p "$RS_PORT_1" HGET "c:ckpt:$victim" seq)
has "$T/st.$victim/correlate.ck$((seq % 2))" "^\{\"checkpoint\":$seq\}\$" \
    "the committed generation is there, with its number"

run store xadd $S --chunk 20 "$T/part2"
is_rc 0 "the second part is in the streams"
# What the restart must replay: the entries after the committed one up
# to the group's last delivered (a read that was blocked when the worker
# died may have been given one of the new entries).
X=$(redis-cli -p "$RS_PORT_1" HGET "c:ckpt:$victim" id)
R=$(redis-cli -p "$RS_PORT_1" XINFO GROUPS "c:ev:$victim" | awk 'p { print; exit } $0 == "last-delivered-id" { p = 1 }')
expect=$(redis-cli -p "$RS_PORT_1" XRANGE "c:ev:$victim" "($X" "$R" | grep -c '^[0-9][0-9]*-[0-9][0-9]*$' || true)
: >"$T/worker.$victim.err"
ckworker 0 --drain
W0=$WPID
ckworker 1 --drain
W1=$WPID
rc=0
wait "$W0" || rc=$?
wait "$W1" || rc=$?
is "$rc" 0 "the restarted workers resume and end"
replayed=$(sed -n 's/.*replayed \([0-9]*\) entries.*/\1/p' "$T/worker.$victim.err")
is "${replayed:-0}" "$expect" "the restart replays only what its last commit did not cover ($expect entries after $X, up to $R)"
hasnt "$T/worker.$victim.err" 'no checkpoint|cannot restore' "every stage had the committed generation"

RC=0
timeout 120 store xread $S --merge --drain 2>"$ERR" | alert --format json >"$OUT" || RC=$?
is_rc 0 "the merge exits 0"
same "$OUT" "$T/single" "identical alerts to the uninterrupted single run"

# A resume record for a checkpoint a stage never saved: refused.
printf '{"type":"checkpoint","stream":"ev:0","id":"1-0","seq":999,"resume":true}\n' >"$T/resume"
cp "$T/st.0/detect" "$T/detect.before"
run detect --state "$T/st.0/detect" "$T/resume"
is_rc 1 "a resume to a checkpoint never saved exits 1"
has "$ERR" 'detect\.ck1: (holds another checkpoint .*, not 999|no checkpoint 999 saved)$' "and says which"
cmp -s "$T/detect.before" "$T/st.0/detect"
is "$?" 0 "and leaves the state as it was"

# store put --tee passes a checkpoint record on, after what came before
# it is stored, and does not store it.
printf '{"type":"checkpoint","stream":"ev:0","id":"1-1","seq":3}\n' >"$T/ck1"
RC=0
STORAGE_BACKEND=sqlite SQLITE_DB_PATH=$T/ck.db store put --tee "$T/ck1" >"$OUT" 2>"$ERR" || RC=$?
is_rc 0 "store put takes a checkpoint record"
same "$OUT" "$T/ck1" "and passes it on unchanged"
is "$(STORAGE_BACKEND=sqlite SQLITE_DB_PATH=$T/ck.db store stats | jq -c .types)" "{}" \
    "without storing it"

# Two generations: a stage one checkpoint ahead of the commit still has
# the committed one; two ahead, it does not, and says so.
ck() { printf '{"type":"checkpoint","stream":"ev:0","id":"1-%s","seq":%s%s}\n' "$1" "$1" "${2:-}"; }
head -n 300 "$T/ev.jsonl" | aggregate >"$T/w"
{ head -n 100 "$T/w"; ck 1; sed -n 101,200p "$T/w"; ck 2; } >"$T/in12"
detect --state "$T/g" "$T/in12" >"$T/o12"
{ ck 1 ',"resume":true'; sed -n 101,200p "$T/w"; ck 2; } >"$T/re1"
run detect --state "$T/g" "$T/re1"
is_rc 0 "one checkpoint ahead: the committed one loads"
awk 'f; /"seq":1}/ { f = 1 }' "$T/o12" >"$T/after1"
tail -n +2 "$OUT" >"$T/again"
same "$T/again" "$T/after1" "and the stage goes on from it as it did"
{ ck 3; } >"$T/in3"
detect --state "$T/g" "$T/in3" >/dev/null
run detect --state "$T/g" "$T/re1"
is_rc 1 "two ahead: the committed generation was overwritten"
has "$ERR" 'g\.ck1: holds another checkpoint .*, not 1$' "and that is said"
done_testing
