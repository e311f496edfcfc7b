#!/bin/sh
# explain: many alerts from every inject(1) scenario, several seeds, start
# hours and durations, through aggregate | detect | correlate | explain;
# each text is checked mechanically for contradictions with itself, with
# its record's signals and contexts, and with the earlier records of its
# incident (tests/fixtures/explain-check.pl says which).
. "$(dirname "$0")/lib.sh"

scenarios=$(inject --list | awk -F'\t' '$1 == "scenario" { print $2 }')
is "$(echo $scenarios | wc -w | tr -d ' ')" 9 "inject lists 9 scenarios"
mkdir "$T/runs"
fails=0
for sc in $scenarios; do
	for run in "11 01 25m" "12 15 50m" "13 08 80m" "14 20 40m" \
	    "15 04 15m" "16 12 60m"; do
		set -- $run
		f=$T/runs/$sc-$1.jsonl
		inject --scenario "$sc" --seed "$1" --start "2026-11-20T$2:00:00Z" \
		    --hours 4 --degrade-at 2h --degrade-for "$3" | aggregate |
		    detect | correlate | explain --no-forward >"$f" ||
		    fails=$((fails + 1))
	done
done
is "$fails" 0 "every pipeline exits 0"
cat "$T"/runs/*.jsonl >"$T/all"
n=$(lines "$T/all")
ok "$([ "$n" -ge 120 ] && echo 0 || echo 1)" "many alerts to check ($n)"
for st in firing updated resolved; do
	c=$(jq -r .state "$T/all" | grep -c "^$st\$" || true)
	ok "$([ "$c" -ge 40 ] && echo 0 || echo 1)" "$c $st alerts among them"
done
is "$(jq -r 'select(.state == "resolved" and (.peaks | length) == 0) | .id' "$T/all" | wc -l | tr -d ' ')" 0 \
    "every resolved alert carries its peaks"
# An insight the numbers forbid is left out, which must stay rare.
i=$(jq -r 'select(.insights | length > 0) | .id' "$T/all" | wc -l | tr -d ' ')
ok "$([ $((i * 10)) -ge $((n * 9)) ] && echo 0 || echo 1)" \
    "$i of $n alerts have an insight (90% or more)"

run perl "$TOP/tests/fixtures/explain-check.pl" "$T"/runs/*.jsonl
is_rc 0 "no explanation contradicts itself, its record or its incident"
sed "s|$T/runs/||" "$OUT" | head -20 | diag_stream
done_testing
