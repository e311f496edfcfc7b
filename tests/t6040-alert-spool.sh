#!/bin/sh
# alert: at-least-once.  What a sink has not accepted is in the spool;
# kill -9 loses nothing, and the next run delivers it, in order.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/receiver/receiver.sh"

FIVE=$FIX/alert-five.jsonl
ids() { receiver_bodies "$1" /x | jq -r '.alerts[0].labels.id' | tr '\n' ' '; }

spool_wait() {	# spool_wait FILE N: until FILE holds N messages (30 s at most)
	_i=0
	while [ "$(grep -c '"sink"' "$1" 2>/dev/null || echo 0)" -lt "$2" ] && [ "$_i" -lt 600 ]; do
		sleep 0.05; _i=$((_i + 1))
	done
}

# The receiver is down (500): everything waits in the spool.  kill -9.
# (--group-wait 0: each alert is its own message at once; t6060 kills
# alert while alerts wait in their groups.)
receiver_start k
echo 500 >"$T/k/mode"
mkdir "$T/spool"
mkfifo "$T/fifo"
alert --webhook "$RECV_URL/x" --spool "$T/spool" --retries 1 --retry-base 10ms \
    --retry-max 10s --group-wait 0 <"$T/fifo" 2>"$T/err1" &
pid=$!
exec 3>"$T/fifo"
cat "$FIVE" >&3
spool_wait "$T/spool/alert.spool" 5
kill -9 "$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || true
exec 3>&-
is "$(grep -c '"sink":"webhook"' "$T/spool/alert.spool")" 5 "five alerts spooled when alert is killed"
echo 200 >"$T/k/mode"
n0=$(receiver_count k)
run alert --webhook "$RECV_URL/x" --spool "$T/spool" </dev/null
is_rc 0 "the restart exits 0"
has "$ERR" '5 alerts pending from an earlier run' "it says it replays"
is "$(receiver_count k)" "$((n0 + 5))" "five deliveries after the restart"
is "$(tail -n 5 "$T/k/log" | awk '{ print $4 }' | sort -u)" /x "to the same URL"
is "$(for i in $(seq $((n0 + 1)) $((n0 + 5))); do jq -r '.alerts[0].labels.id' "$T/k/$(printf %04d "$i").body"; done | tr '\n' ' ')" \
    "a0000001 a0000002 a0000003 a0000004 a0000005 " "in the order they came"
is "$(grep -c . "$T/spool/alert.spool" || true)" 0 "the spool is empty after"

# Killed while delivering (each answer takes 0.2 s).  Input alert had
# not read yet is upstream's to send again, as a restarted pipe does: the
# spooled message goes first, then the input again; nothing is lost and
# first deliveries keep the order.  Each alert is its own group (its own
# key, --group-by key) and goes at once (--group-wait 0).
receiver_start d
echo 'delay 0.2 200' >"$T/d/mode"
mkdir "$T/spool2"
for i in 1 2; do jq -c ".id += \"-$i\" | .key += \"-$i\"" "$FIVE"; done >"$T/ten"
alert --webhook "$RECV_URL/x" --spool "$T/spool2" --group-by key --group-wait 0 \
    "$T/ten" 2>"$T/err2" &
pid=$!
receiver_wait d 3
kill -9 "$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || true
echo 200 >"$T/d/mode"
run alert --webhook "$RECV_URL/x" --spool "$T/spool2" --group-by key --group-wait 0 "$T/ten"
is_rc 0 "restart after a kill in flight exits 0"
got=$(ids d)
is "$(printf '%s\n' $got | awk '!seen[$0]++' | tr '\n' ' ')" "$(jq -r .id "$T/ten" | tr '\n' ' ')" \
    "every alert delivered, first deliveries in order"
is "$(printf '%s\n' $got | sort | uniq -c | awk '$1 > 2 { n++ } $1 > 3 { bad = 1 } END { print (n <= 1 && !bad) }')" 1 \
    "duplicates only from the crash: the message in flight, and the input sent again"

# The spool in the storage backend's state area: --state store:NAME.
STORAGE_BACKEND=sqlite SQLITE_DB_PATH=$T/alerts.db
export STORAGE_BACKEND SQLITE_DB_PATH
receiver_start st
echo 500 >"$T/st/mode"
run alert --webhook "$RECV_URL/x" --state store:alert-spool --retries 0 "$FIVE"
is_rc 1 "store spool: the receiver down, exit 1"
has "$ERR" '5 alerts pending in store:alert-spool' "five pending in the store"
echo 200 >"$T/st/mode"
run alert --webhook "$RECV_URL/x" --state store:alert-spool </dev/null
is_rc 0 "store spool: replayed, exit 0"
is "$(ids st | awk '{ for (i = NF - 4; i <= NF; i++) printf "%s ", $i }')" \
    "a0000001 a0000002 a0000003 a0000004 a0000005 " "delivered from the store in order"
run store state get alert-spool 2>/dev/null || true
unset STORAGE_BACKEND SQLITE_DB_PATH

: >"$T/notadir"
run alert --spool "$T/notadir/dir" --webhook "$RECV_URL/x" "$FIVE"
is_rc 1 "an unusable spool: exit 1"
# The spool directory is made if missing, parents included.
run alert --spool "$T/new/spool/dir" --format json "$FIVE"
is_rc 0 "--spool with a missing directory: exit 0"
ok "$([ -d "$T/new/spool/dir" ] && echo 0 || echo 1)" "the directory is created"
: >"$T/afile"
run alert --spool "$T/afile/dir" --format json "$FIVE"
is_rc 1 "a spool under a file: exit 1"
has "$ERR" "^alert: spool: $T/afile/dir: Not a directory" "saying why"
done_testing
