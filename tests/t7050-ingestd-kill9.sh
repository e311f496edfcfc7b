#!/bin/sh
# t7050-ingestd-kill9: kill -9 under load loses nothing acknowledged: every
# event of every batch answered 200 before the kill is in the file.  A
# restart on the same file goes on appending whole lines.
. "$(dirname "$0")/lib.sh"
. "$FIX/ingestd-lib.sh"

for policy in interval always; do
	rm -rf "$T/load"
	mkdir "$T/load"
	start_ingestd -o "$T/$policy.jsonl" --fsync $policy
	LOADERS=""
	for w in 1 2 3 4; do
		sh "$FIX/ingestd-load.sh" $w "$URL" "$T/load" &
		LOADERS="$LOADERS $!"
	done
	sleep 1.5
	kill -9 "$IPID"
	wait "$IPID" 2>/dev/null || true
	IPID=""
	touch "$T/load/stop"
	for p in $LOADERS; do wait "$p"; done

	cat "$T"/load/*.log | awk '$2 == 200 { print $1 }' | while read -r b; do
		for i in 0 1 2 3 4 5 6 7 8 9; do echo "/load/$b/$i"; done
	done | sort >"$T/acked"
	n=$(lines "$T/acked")
	ok "$([ "$n" -ge 10 ] && echo 0 || echo 1)" "--fsync $policy: $n events acknowledged before kill -9"
	# The last line may be cut short by the kill: it was never acknowledged.
	grep '}$' "$T/$policy.jsonl" | jq -r .endpoint | sort >"$T/got"
	missing=$(comm -23 "$T/acked" "$T/got" | wc -l)
	is "$missing" 0 "--fsync $policy: every acknowledged event is in the file"
	is "$(sort "$T/got" | uniq -d | wc -l)" 0 "--fsync $policy: none twice"
done

# A restart ends a torn last line, if any, and appends whole lines.
printf '{"endpoint":"/torn","status_co' >>"$T/interval.jsonl"
before=$(lines "$T/interval.jsonl")
start_ingestd -o "$T/interval.jsonl"
event after >"$T/ev"
post "$T/ev"
is "$CODE" 200 "a restarted ingestd accepts events"
stop_ingestd
has "$IERR" 'the last line was incomplete .*; ended it' "and says it ended a torn line"
is "$(tail -n 1 "$T/interval.jsonl" | jq -r .endpoint)" /e/after "the new event is a line of its own"
is "$(lines "$T/interval.jsonl")" $((before + 2)) "after the torn one"
done_testing
