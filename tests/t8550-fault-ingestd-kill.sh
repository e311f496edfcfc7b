#!/bin/sh
# t8550-fault-ingestd-kill: ingestd killed with SIGKILL while a client
# sends a stream in batches, restarted on the same file: a client that
# sends each batch until it is answered 200 (at least once, as ingestd(8)
# says) gets every event into the file; duplicates are whole batches that
# were written but not answered; the file is whole lines after the
# restart, and aggregate reads it without a bad line.
. "$(dirname "$0")/lib.sh"
. "$FIX/ingestd-lib.sh"
. "$FIX/fault-lib.sh"

incident "$T/ev"
# 20,000 events, each numbered, in 200 batches of 100.
head -n 20000 "$T/ev" | awk '{ sub(/}$/, ",\"seq\":" NR "}"); print }' >"$T/sent"
mkdir "$T/b"
split -l 100 -a 3 "$T/sent" "$T/b/"

# client: each batch until 200, re-reading the URL after a failure.
client() {
	for f in "$T"/b/*; do
		while :; do
			code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 \
			    --data-binary @"$f" "$(cat "$T/url")/ingest" 2>/dev/null) || code=000
			echo "${f##*/} $code" >>"$T/client.log"
			[ "$code" = 200 ] && break
			sleep 0.1
		done
	done
	echo done >>"$T/client.log"
}

start_ingestd -o "$T/raw.jsonl" --fsync interval
echo "$URL" >"$T/url"
client &
cpid=$!
_fault_pids="$cpid"
i=0
while [ "$(grep -c ' 200$' "$T/client.log" 2>/dev/null || echo 0)" -lt 50 ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
kill -9 "$IPID"
wait "$IPID" 2>/dev/null || true
IPID=""
acked=$(grep -c ' 200$' "$T/client.log")
diag "killed after $acked batches acknowledged"
ok "$([ "$acked" -ge 50 ] && [ "$acked" -lt 200 ] && echo 0 || echo 1)" "killed in the middle of the stream"
sleep 0.5
start_ingestd -o "$T/raw.jsonl" --fsync interval
echo "$URL" >"$T/url"
i=0
until grep -q '^done$' "$T/client.log" || [ $i -ge 600 ]; do sleep 0.1; i=$((i + 1)); done
has "$T/client.log" '^done$' "the client got every batch answered 200"
stop_ingestd
is_rc 0 "the restarted ingestd stops with 0"
ok "$(grep -c ' 000$' "$T/client.log" >/dev/null && echo 0 || echo 1)" "while it was down the client was refused and sent again"

grep '}$' "$T/raw.jsonl" | jq -r .seq | sort -n >"$T/got"
seq 1 20000 >"$T/want"
sort -un "$T/got" >"$T/got.u"
same "$T/got.u" "$T/want" "every event is in the file"
uniq -d "$T/got" >"$T/dups"
nd=$(lines "$T/dups")
ok "$([ "$nd" -le 100 ] && [ $((nd % 100)) -eq 0 ] && echo 0 || echo 1)" "duplicates only of the batch in flight ($nd events)"
run aggregate "$T/raw.jsonl"
is_rc 0 "aggregate reads the file"
# A line torn by the kill was never acknowledged: the restart ended it, so
# it is one bad line, said by both.
if grep -q 'the last line was incomplete' "$IERR"; then
	has "$ERR" '1 bad line skipped' "the torn line ended on restart is one bad line"
else
	hasnt "$ERR" 'bad line' "no line was torn: no bad line"
fi
done_testing
