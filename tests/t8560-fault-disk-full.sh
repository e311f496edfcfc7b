#!/bin/sh
# t8560-fault-disk-full: a full disk (a 256 KiB tmpfs, really filled)
# under detect's and correlate's --state, alert's --spool, store's SQLite
# file and ingestd's log: a clear error naming the file, a non-zero exit
# (503 for ingestd) rather than a claim that it was written, the previous
# file whole, and everything written once there is room again.  Without
# mount(8) (not root) the test fails: the fault cannot be made.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/receiver/receiver.sh"
. "$FIX/ingestd-lib.sh"
. "$FIX/fault-lib.sh"

M=$T/mnt
rc=0; small_disk "$M" 256k || rc=$?
ok $rc "a 256 KiB tmpfs is mounted"
[ $rc -eq 0 ] || { done_testing; exit 1; }
ENOSPC='No space left on device'

incident "$T/ev"
aggregate "$T/ev" | detect --tee >"$T/d"
jq -c 'select((.end // .at) <= "2026-11-26T13:10")' "$T/d" >"$T/d1"
jq -c 'select((.end // .at) > "2026-11-26T13:10")' "$T/d" >"$T/d2"
jq -c 'select(.type == "window")' "$T/d1" >"$T/w1"
jq -c 'select(.type == "window")' "$T/d2" >"$T/w2"

# detect: the first part saved, the disk filled, the rest.
run detect --state "$M/detect.state" "$T/w1"
is_rc 0 "detect: saved with room"
cp "$M/detect.state" "$T/detect.before"
fill_disk "$M"
run detect --state "$M/detect.state" --state-every 100 "$T/w2"
is_rc 1 "detect: disk full: exit 1"
has "$ERR" "^detect: $M/detect\\.state: $ENOSPC\$" "detect: the error names the file"
same "$M/detect.state" "$T/detect.before" "detect: the previous state is whole"
cp "$M/detect.state" "$T/detect.copy"
run detect --state "$T/detect.copy" </dev/null
is_rc 0 "detect: ... and still loads"
ls "$M" | grep '\.tmp\.' >"$T/tmps" || true
is "$(lines "$T/tmps")" 0 "detect: no temporary file is left"
rm "$M/filler"
run detect --state "$M/detect.state" "$T/w2"
is_rc 0 "detect: room again: the rest is saved"
hasnt "$ERR" "not newer" "detect: nothing was skipped: the failed saves claimed nothing"
rm "$M/detect.state"

# correlate: the incident fires on a full disk.
run correlate --state "$M/corr.state" "$T/d1"
is_rc 0 "correlate: saved with room"
cp "$M/corr.state" "$T/corr.before"
fill_disk "$M"
run correlate --state "$M/corr.state" "$T/d2"
is_rc 1 "correlate: disk full: exit 1"
has "$ERR" "^correlate: $M/corr\\.state: $ENOSPC\$" "correlate: the error names the file"
same "$M/corr.state" "$T/corr.before" "correlate: the previous state is whole"
rm "$M/filler"
run correlate --state "$M/corr.state" "$T/d2"
is_rc 0 "correlate: room again, the input sent again: exit 0"
is "$(jq -r 'select(.type == "alert") | .state' "$OUT" | xargs)" "firing updated" "correlate: the incident fires and updates"
rm "$M/corr.state"

# alert: the receiver is down, so alerts wait in the spool; the disk fills.
receiver_start a
echo 500 >"$T/a/mode"
head -n 2 "$FIX/alert-five.jsonl" >"$T/two"
tail -n 3 "$FIX/alert-five.jsonl" >"$T/three"
run alert --webhook "$RECV_URL/x" --spool "$M/spool" --retries 0 --group-wait 0 "$T/two"
is_rc 1 "alert: receiver down: pending, exit 1"
cp "$M/spool/alert.spool" "$T/spool.before"
is "$(lines "$T/spool.before")" 2 "alert: two messages spooled"
fill_disk "$M"
run alert --webhook "$RECV_URL/x" --spool "$M/spool" --retries 0 --group-wait 0 "$T/three"
is_rc 1 "alert: disk full: exit 1"
has "$ERR" "^alert: spool: .*$M/spool/alert\\.spool: $ENOSPC" "alert: the error names the spool"
same "$M/spool/alert.spool" "$T/spool.before" "alert: the spool is whole as it was"
hasnt "$ERR" "alerts pending in $M" "alert: it does not claim to have kept what it could not write"
has "$ERR" "alerts pending, not all of them in $M/spool/alert\\.spool \\(it could not be written\\): the input must be sent again" \
    "alert: it says the input must be sent again"
rm "$M/filler"
echo 200 >"$T/a/mode"
run alert --webhook "$RECV_URL/x" --spool "$M/spool" --group-wait 0 "$T/three"
is_rc 0 "alert: room again, the input sent again: exit 0"
is "$(receiver_bodies a /x | jq -r '.alerts[0].labels.id' | awk '!seen[$0]++' | xargs)" \
    "a0000001 a0000002 a0000003 a0000004 a0000005" "alert: all five delivered, in order"
rm -rf "$M/spool"

# store: SQLite, a live put: five alerts stored (--tee says so), the
# disk fills, windows come.
jq -c 'select(.type == "window")' "$T/d" | head -n 40 >"$T/windows"
mkfifo "$T/fifo"
store put -b sqlite --sqlite-path "$M/s.db" --tee <"$T/fifo" >"$T/teed" 2>"$T/serr" &
spid=$!
_fault_pids="$_fault_pids $spid"
exec 3>"$T/fifo"
cat "$FIX/alert-five.jsonl" >&3
i=0
while [ "$(lines "$T/teed")" -lt 5 ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
is "$(lines "$T/teed")" 5 "store: five alerts stored with room"
fill_disk "$M"
cat "$T/windows" >&3
exec 3>&-
RC=0; wait "$spid" || RC=$?
is_rc 1 "store: disk full: exit 1"
has "$T/serr" "^store: sqlite $M/s\\.db: .*(database or disk is full|$ENOSPC)" "store: the error names the file"
has "$T/serr" "^store: 40 records not written; stopping" "store: and says what was not written"
is "$(lines "$T/teed")" 5 "store: nothing more is claimed stored (--tee)"
rm "$M/filler"
is "$(sqlite3 "$M/s.db" 'PRAGMA integrity_check')" ok "store: room again: integrity_check ok"
is "$(store query -b sqlite --sqlite-path "$M/s.db" --type alert | wc -l | tr -d ' ')" 5 "store: the five alerts are there"
run store put -b sqlite --sqlite-path "$M/s.db" "$T/windows"
is_rc 0 "store: the windows sent again: exit 0"
is "$(store query -b sqlite --sqlite-path "$M/s.db" --type window | wc -l | tr -d ' ')" 40 "store: the windows are stored"
is "$(sqlite3 "$M/s.db" 'PRAGMA integrity_check')" ok "store: integrity_check ok"
rm -f "$M"/s.db*

# ingestd: its log on the full disk.
start_ingestd -o "$M/raw.jsonl"
event first >"$T/b"
post "$T/b"
is "$CODE" 200 "ingestd: accepted with room"
fill_disk "$M"
for i in $(seq 40); do event "full-$i" ', "pad":"'"$(printf '%0200d' 0)"'"'; done >"$T/b"
post "$T/b"
is "$CODE" 503 "ingestd: disk full: 503, not 200"
has "$IERR" "^ingestd: $M/raw\\.jsonl: write: $ENOSPC; answering 503" "ingestd: the log names the file"
ok "$(all_json "$M/raw.jsonl" && echo 0 || echo 1)" "ingestd: no line is torn"
rm "$M/filler"
wait_for 10 sh -c "curl -s -o /dev/null -w '%{http_code}' $URL/healthz | grep -q 200"
ok $? "ingestd: healthy again once there is room"
post "$T/b"
is "$CODE" 200 "ingestd: the batch sent again is accepted"
stop_ingestd
is "$(jq -r .endpoint "$M/raw.jsonl" | sort | xargs)" "$({ echo /e/first; for i in $(seq 40); do echo "/e/full-$i"; done; } | sort | xargs)" \
    "ingestd: exactly the accepted events are in the file"
done_testing
