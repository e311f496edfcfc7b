#!/bin/sh
# t8600-records-key-max: a record whose "key" is longer than the longest
# key aggregate can make (2338 bytes: service, method and endpoint at
# their bounds) is a bad line in every tool that reads records, in the
# same words, and store put does not keep it; a key of 2338 bytes passes.
. "$(dirname "$0")/lib.sh"

inject --start 2026-11-26T00:00:00Z --hours 2 --seed 3 --scenario step \
    --degrade-at 60m | aggregate --emit-sketch | detect --tee | tee "$T/detected.jsonl" |
    correlate | explain >"$T/flow.jsonl"
cat "$T/detected.jsonl" >>"$T/flow.jsonl"
for k in window signal alert; do
	jq -c --arg k "$k" 'select(.type == $k)' "$T/flow.jsonl" | head -n 1 >"$T/$k.jsonl"
	[ -s "$T/$k.jsonl" ] || { echo "Bail out! no $k in the flow"; exit 1; }
done
# 64 KB and 2339 bytes: refused; 2338: kept.
long=$(awk 'BEGIN { while (length(s) < 65536) s = s "x"; print s }')
over=$(awk 'BEGIN { s = "GET /"; while (length(s) < 2339) s = s "y"; print s }')
max=$(awk 'BEGIN { s = "GET /"; while (length(s) < 2338) s = s "z"; print s }')
for k in window signal alert; do
	for name in long over max; do
		eval v=\$$name
		jq -c --arg k "$v" '.key = $k' "$T/$k.jsonl" >"$T/$k-$name.jsonl"
	done
	# The 64 KB key written with escapes: the limit is on the name.
	sed 's/xxxxxx/\\u0078/g' "$T/$k-long.jsonl" >"$T/$k-esc.jsonl"
	cat "$T/$k-long.jsonl" "$T/$k-over.jsonl" "$T/$k-esc.jsonl" \
	    "$T/$k.jsonl" >"$T/$k-bad.jsonl"
done

msg="'key' is longer than 2338 bytes"
check() {	# check TOOL KIND CMD...: lines 1-3 refused, line 4 read
	_tool=$1 _kind=$2; shift 2
	run "$@" "$T/$_kind-bad.jsonl"
	is_rc 0 "$_tool: exit 0 with one good $_kind"
	for l in 1 2 3; do
		has "$ERR" "^$_tool: .*$_kind-bad.jsonl:$l: $msg\$" \
		    "$_tool: $_kind line $l refused"
	done
	has "$ERR" "^$_tool: 3 bad lines skipped of 4 read\$" "$_tool: counted"
}
check detect window detect --no-forward
check aggregate window aggregate --merge
check correlate signal correlate --no-forward
check explain alert explain --no-forward
check alert signal alert --format json
check alert alert alert --format json
check store window store put -b memory

# Nothing of the three reached the output.
run detect --tee "$T/window-bad.jsonl"
is "$(jq -r 'select(.type == "window") | .key | length' "$OUT")" \
    "$(jq -r '.key | length' "$T/window.jsonl")" "detect --tee forwards only the good window"

# A key of exactly 2338 bytes is read and stored.
for k in window signal alert; do
	run store put -b sqlite --sqlite-path "$T/s.db" "$T/$k-max.jsonl"
	is_rc 0 "store put: a $k with a 2338-byte key: exit 0"
done
run store query -b sqlite --sqlite-path "$T/s.db" --type signal
is "$(jq -r '.key | length' "$OUT")" 2338 "the 2338-byte key is stored whole"
run correlate "$T/signal-max.jsonl"
is_rc 0 "correlate: a 2338-byte key: exit 0"
is "$(wc -c <"$ERR" | tr -d ' ')" 0 "correlate: nothing said of it"

# store put refuses the event whose endpoint is beyond 2048 bytes, as
# aggregate does.
printf '{"timestamp":"2026-11-26T00:00:00Z","endpoint":"/%s","status_code":200,"latency_ms":1}\n' "$long" >"$T/ev.jsonl"
run store put -b sqlite --sqlite-path "$T/s.db" "$T/ev.jsonl"
has "$ERR" "^store: .*ev.jsonl:1: 'endpoint' is longer than 2048 bytes\$" "store put: a 64 KB endpoint refused"
run aggregate "$T/ev.jsonl"
has "$ERR" "ev.jsonl:1: 'endpoint' is longer than 2048 bytes\$" "aggregate: the same words"
done_testing
