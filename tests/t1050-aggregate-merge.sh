#!/bin/sh
# aggregate --merge: windows of one stream split across two machines,
# each aggregated with --emit-sketch, merge into the windows of the whole.
. "$(dirname "$0")/lib.sh"

inject --seed 5 --hours 1 --start 2026-11-26T00:00:00Z --scenario tail \
    --degrade-at 20m -o "$T/all.jsonl"
awk 'NR % 3 == 0' "$T/all.jsonl" >"$T/a.jsonl"
awk 'NR % 3 != 0' "$T/all.jsonl" >"$T/b.jsonl"
aggregate --emit-sketch "$T/a.jsonl" >"$T/wa"
aggregate --emit-sketch "$T/b.jsonl" >"$T/wb"
aggregate "$T/all.jsonl" >"$T/whole"

run sh -c "cat '$T/wb' '$T/wa' | aggregate --merge"
is_rc 0 "--merge of two machines' windows"
is "$(wc -c <"$ERR" | tr -d ' ')" 0 "without a complaint"
is "$(lines "$OUT")" "$(lines "$T/whole")" "as many windows as the whole stream"
# Sums of doubles depend on the order of addition, so the mean may differ
# in its last printed digit; everything else is bucket-for-bucket exact.
jq -c 'del(.latency_ms.mean)' "$OUT" >"$T/m"
jq -c 'del(.latency_ms.mean)' "$T/whole" >"$T/w"
same "$T/m" "$T/w" "counts, errors, percentiles, max, bytes and order equal the whole's"
worst=$(jq -n -r --slurpfile a "$OUT" --slurpfile b "$T/whole" '
    [range($a | length) | select($a[.].count > 0) |
     (($a[.].latency_ms.mean - $b[.].latency_ms.mean) / $b[.].latency_ms.mean | fabs)] | max')
ok "$(awk -v e="$worst" 'BEGIN { exit !(e <= 1e-5) }'; echo $?)" "mean within its printed digits ($worst)"

run sh -c "cat '$T/wa' '$T/wb' | aggregate --merge --emit-sketch | aggregate --merge"
jq -c 'del(.latency_ms.mean)' "$OUT" >"$T/m2"
same "$T/m2" "$T/w" "the other order, and a merge of a merge, give the same"

# Windows without sketches cannot be merged, and say why.
head -n 3 "$T/whole" >"$T/nosketch"
run aggregate --merge "$T/nosketch"
has "$ERR" "nosketch:1: window has no 'sketch' \(run aggregate with --emit-sketch\)" \
    "a window without a sketch is a bad line"
head -n 1 "$T/wa" | sed 's/"count":\([0-9]*\)/"count":999\1/' >"$T/badcount"
run aggregate --merge "$T/badcount"
has "$ERR" "badcount:1: .*(exceed|sketch)" "a count that disagrees with its sketch is refused"
# Status codes add up, and must be codes that the counts allow.
grep -m 1 '"codes":{[^}]*"50' "$T/wa" >"$T/one"
ok "$(test -s "$T/one"; echo $?)" "the fixture has a window with 5xx codes"
run sh -c "cat '$T/one' '$T/one' | aggregate --merge"
is "$(jq -c .codes "$OUT")" "$(jq -c '.codes | map_values(. * 2)' "$T/one")" "a window merged with itself has twice its codes"
for bad in 's/"codes":{/"codes":{"abc":1,/|.codes. holds .abc., not a status code' \
    's/"codes":{/"codes":{"600":1,/|.codes. holds .600., not a status code' \
    's/"codes":{/"codes":{"503":-1,/|.codes.503. is not a count' \
    's/"codes":{/"codes":{"599":100000,/|.codes. count more than .errors.' \
    's/"codes":{[^}]*}/"codes":[1]/|.codes. is not an object'; do
	sed "${bad%%|*}" "$T/one" >"$T/badcodes"
	run aggregate --merge "$T/badcodes"
	has "$ERR" "badcodes:1: ${bad#*|}" "bad codes: ${bad#*|}"
done
printf '{"type":"note"}\n{"timestamp":"2026-11-26T00:00:00Z","endpoint":"/a","status_code":200,"latency_ms":1}\n' >"$T/other"
run aggregate --merge "$T/other"
is "$(cat "$OUT")" '{"type":"note"}
{"timestamp":"2026-11-26T00:00:00Z","endpoint":"/a","status_code":200,"latency_ms":1}' \
    "other records, events included, are forwarded by --merge"
done_testing
