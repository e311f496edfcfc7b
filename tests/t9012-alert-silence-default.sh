#!/bin/sh
# alert silence add with no --silences and no STORAGE_BACKEND uses the
# default storage, as store(1) does (SQLite in data/alerts.db, or
# SQLITE_DB_PATH), and alert reads its silences from there; alert never
# creates that database itself, and a running alert finds it once a
# silence add has made it.  The README's command, exactly.
. "$(dirname "$0")/lib.sh"

A='{"type":"alert","id":"1","key":"GET /api/export","state":"firing","at":"2026-11-26T14:30:00Z"}'
B='{"type":"alert","id":"2","key":"GET /api/orders","state":"firing","at":"2026-11-26T14:31:00Z"}'

mkdir "$T/w" && cd "$T/w"

# Delivery in a directory without the database: nothing silenced, nothing created.
printf '%s\n' "$A" >in.jsonl
run alert --format json in.jsonl
is_rc 0 "alert with no silences anywhere exits 0"
same "$OUT" in.jsonl "the alert is delivered"
is "$(ls)" "in.jsonl" "alert creates no data/alerts.db of its own"

run alert silence add --match 'key~/api/export' --for 2h
is_rc 0 "the README's 'alert silence add' works with the default storage"
has "$OUT" '^[0-9a-f]{8}$' "it prints the silence's id"
id=$(cat "$OUT")
is "$(ls data)" "alerts.db" "the silence is in data/alerts.db, store's default"
run store stats
is "$(jq .state_keys "$OUT")" 1 "store sees it in the state area of the same database"
run alert silence list
is_rc 0 "silence list exits 0"
has "$OUT" "^$id active .* key~/api/export\$" "silence list shows it, active"

# A silence in event time, so that the records below fall in it.
run alert silence add --match 'key~/api/export' --starts 2026-11-26T14:00Z --for 2h
is_rc 0 "a second silence, in event time"
id2=$(cat "$OUT")
printf '%s\n%s\n' "$A" "$B" >ab.jsonl
run alert --format json ab.jsonl
is_rc 0 "alert exits 0"
is "$(cat "$OUT")" "$B" "alert applies the default silences: only the other alert goes out"
has "$ERR" "silenced by $id2: .*GET /api/export" "the silenced alert is recorded on stderr"

run alert silence expire "$id2"
is_rc 0 "silence expire with the default storage"
run alert silence list
has "$OUT" "^$id2 expired " "silence list shows it expired"

# SQLITE_DB_PATH moves the default, for add and for delivery alike.
run env SQLITE_DB_PATH="$T/other.db" alert silence add --match 'key=GET /api/orders' \
    --starts 2026-11-26T14:00Z --for 1h
is_rc 0 "silence add into SQLITE_DB_PATH"
_r=0; test -f "$T/other.db" || _r=$?; ok $_r "SQLITE_DB_PATH names the file"
run env SQLITE_DB_PATH="$T/other.db" alert --format json ab.jsonl
is "$(cat "$OUT")" "$A" "alert reads the silences of SQLITE_DB_PATH"

# A running alert finds the database once a silence add has made it.
mkdir "$T/live" && cd "$T/live"
mkfifo fifo
alert --format json <fifo >out 2>err &
apid=$!
exec 3>fifo
printf '%s\n' "$B" >&3
sleep 0.5
alert silence add --match 'key~/api/export' --starts 2026-11-26T14:00Z --for 2h >/dev/null
sleep 2.5
printf '%s\n' "$A" >&3
exec 3>&-
rc=0; wait "$apid" || rc=$?
is "$rc" 0 "the running alert exits 0"
is "$(cat out)" "$B" "a silence added while alert runs reaches it"
has err "silenced by" "and is recorded on stderr"

# STORAGE_BACKEND still chooses the backend; a file location still wins.
cd "$T/w"
run alert silence add --silences s.jsonl --match 'key=x' --for 1h
is_rc 0 "--silences FILE still works"
_r=0; test -s s.jsonl || _r=$?; ok $_r "and writes that file"
done_testing
