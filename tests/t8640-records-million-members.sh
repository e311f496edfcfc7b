#!/bin/sh
# t8640-records-million-members: a JSON object of a million members, all
# different or all one name repeated, costs linear time and memory in
# proportion to its line: refused whole beyond --max-line (1 MB by
# default) without being held, and read in a few seconds when the limit
# admits it.  (A guard: lib/json keeps one flat token array per line and
# lib/event scans the members once.)
. "$(dirname "$0")/lib.sh"
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=2
export ASAN_OPTIONS

awk 'BEGIN { printf "{\"timestamp\":\"2026-11-26T00:00:00Z\",\"endpoint\":\"/a\",\"status_code\":200,\"latency_ms\":1"
	for (i = 0; i < 1000000; i++) printf ",\"m%d\":%d", i, i; print "}" }' >"$T/distinct.jsonl"
awk 'BEGIN { printf "{\"timestamp\":\"2026-11-26T00:00:00Z\",\"endpoint\":\"/a\",\"status_code\":200,\"latency_ms\":1"
	for (i = 0; i < 1000000; i++) printf ",\"latency_ms\":%d", i; print "}" }' >"$T/repeated.jsonl"
# What aggregate costs on one small line, in this build (ASan's shadow
# memory alone is some 20 MB; its quarantine of freed blocks is kept to
# 2 MB above, or the read buffers it holds on to would count): a refused
# line may add at most half its own size to it, so one that is held fails.
echo '{"timestamp":"2026-11-26T00:00:00Z","endpoint":"/a","status_code":200,"latency_ms":1,"m0":0}' >"$T/small.jsonl"
/usr/bin/time -f '%M' -o "$T/rss" aggregate "$T/small.jsonl" >"$OUT" 2>"$ERR"
base=$(tail -n 1 "$T/rss")
has "$OUT" '"count":1,' "one small line is aggregated (peak RSS $base KB)"
for f in distinct repeated; do
	RC=0
	/usr/bin/time -f '%M %e' -o "$T/rss" aggregate "$T/$f.jsonl" >"$OUT" 2>"$ERR" || RC=$?
	is_rc 1 "$f: a line of only bad input: exit 1"
	has "$ERR" "$f.jsonl:1: line is( [0-9]+ bytes,)? longer than the limit of 1048576" "$f: refused at --max-line"
	tail -n 1 "$T/rss" >"$T/rss1"
	read -r rss secs <"$T/rss1"
	half=$(($(wc -c <"$T/$f.jsonl") / 2048))
	ok "$([ "$rss" -lt $((base + half)) ] && echo 0 || echo 1)" \
	    "$f: not held (peak RSS $rss KB, $base KB on one small line, less than half the line's $((half * 2)) KB more)"
	for tool in aggregate detect correlate store; do
		case $tool in
		aggregate) set -- aggregate --max-line 33554432 ;;
		store) set -- store put -b memory --max-line 33554432 ;;
		*) set -- "$tool" --max-line 33554432 ;;
		esac
		RC=0
		timeout 120 /usr/bin/time -f '%M %e' -o "$T/rss" "$@" "$T/$f.jsonl" >"$OUT" 2>"$ERR" || RC=$?
		is_rc 0 "$f: $tool --max-line 32M reads it"
		read -r rss secs <"$T/rss"
		diag "$f: $tool: peak RSS $rss KB, $secs s"
		ok "$(awk -v s="$secs" 'BEGIN { exit !(s < 30) }' && echo 0 || echo 1)" "$f: $tool in linear time ($secs s)"
		ok "$([ "$rss" -lt 400000 ] && echo 0 || echo 1)" "$f: $tool peak RSS $rss KB under 400 MB"
	done
done
# The last name wins, as everywhere: latency 999999.
run aggregate --max-line 33554432 "$T/repeated.jsonl"
is "$(jq -r '.latency_ms.max' "$OUT")" 999999 "repeated: the last value is read"
done_testing
