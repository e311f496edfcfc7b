#!/bin/sh
# t8540-fault-store-kill: store put (SQLite) killed with SIGKILL in the
# middle of a stream, restarted on the same file with the stream sent
# again from the start (at least once), stores exactly what one
# uninterrupted put stores: batches are whole or absent, copies are
# skipped, and the database passes PRAGMA integrity_check.
. "$(dirname "$0")/lib.sh"
. "$FIX/fault-lib.sh"

incident "$T/ev"
aggregate "$T/ev" | detect --tee | correlate | explain >"$T/stream"
head -n 300000 "$T/ev" >"$T/ev300k"
dump() {	# dump DB: every record of every type, in the order of queries
	for type in event window alert; do
		store query -b sqlite --sqlite-path "$1" --type "$type"
	done
}
integrity() { sqlite3 "$1" 'PRAGMA integrity_check'; }

store put -b sqlite --sqlite-path "$T/ref.db" "$T/ev300k" "$T/stream"
dump "$T/ref.db" >"$T/want"
is "$(jq -r '.type // "event"' "$T/want" | sort | uniq -c | awk '{ printf "%s=%s ", $2, $1 }')" \
    "alert=2 event=300000 window=2879 " "the uninterrupted put"

# 1. Killed between batches: part of the stream through a FIFO, stored
# (--tee says so), then SIGKILL while it waits for more.
mkfifo "$T/fifo"
store put -b sqlite --sqlite-path "$T/a.db" --tee --batch 500 <"$T/fifo" >"$T/teed" 2>"$T/err1" &
pid=$!
_fault_pids=$pid
exec 3>"$T/fifo"
head -n 2000 "$T/stream" >&3
i=0
while [ "$(lines "$T/teed")" -lt 2000 ] && [ $i -lt 200 ]; do sleep 0.1; i=$((i + 1)); done
is "$(lines "$T/teed")" 2000 "the first 2000 records are stored (--tee)"
kill -9 "$pid"
wait "$pid" 2>/dev/null || true
exec 3>&-
is "$(integrity "$T/a.db")" ok "after SIGKILL: integrity_check ok"
run store put -b sqlite --sqlite-path "$T/a.db" "$T/ev300k" "$T/stream"
is_rc 0 "the restart on the whole stream exits 0"
dump "$T/a.db" >"$T/got"
same "$T/got" "$T/want" "the same records as the uninterrupted put, none twice"

# 2. Killed in the middle of writing: 300,000 events in batches of
# 10,000, SIGKILL after 0.6 s, wherever it is.
store put -b sqlite --sqlite-path "$T/b.db" "$T/ev300k" "$T/stream" 2>"$T/err2" &
pid=$!
_fault_pids=$pid
sleep 0.6
kill -9 "$pid"
wait "$pid" 2>/dev/null || true
n=$(store query -b sqlite --sqlite-path "$T/b.db" --type event | wc -l)
diag "$n events stored when killed"
is "$((n % 10000))" 0 "whole batches only ($n events)"
is "$(integrity "$T/b.db")" ok "after SIGKILL mid-write: integrity_check ok"
run store put -b sqlite --sqlite-path "$T/b.db" "$T/ev300k" "$T/stream"
is_rc 0 "the restart exits 0"
dump "$T/b.db" >"$T/got"
same "$T/got" "$T/want" "the same records as the uninterrupted put"
done_testing
