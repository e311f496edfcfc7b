#!/bin/sh
# Misuse is told, not silent (issue 12, section 4): a filter that read
# records but none of the kind it consumes names the stage likely missing,
# once, at exit, and still forwards what it read (exit 0); a quiet pipe says
# nothing; a run in which not one line was usable exits 1.
. "$(dirname "$0")/lib.sh"

inject --scenario latency-ramp --seed 7 --hours 1 --degrade-at 40m \
    --start 2026-11-26T10:00:00Z -o "$T/ev.jsonl"
head -n 3 "$T/ev.jsonl" >"$T/three.jsonl"
aggregate "$T/ev.jsonl" >"$T/windows.jsonl"
aggregate "$T/ev.jsonl" | detect | correlate >"$T/alerts.jsonl"
aggregate "$T/ev.jsonl" | detect | grep '"type":"signal"' >"$T/signals.jsonl" || true
[ -s "$T/alerts.jsonl" ] && [ -s "$T/signals.jsonl" ] ||
    { echo "Bail out! the ramp gave no signals or alerts"; exit 1; }

# The issue's pipe: each stage says what it got and what is missing.
RC=0
detect <"$T/three.jsonl" 2>"$T/e.detect" | correlate 2>"$T/e.correlate" |
    alert >"$OUT" 2>"$T/e.alert" || RC=$?
is_rc 0 "head -3 raw | detect | correlate | alert: still exit 0"
is "$(cat "$T/e.detect")" \
    "detect: 3 raw events and no windows read: pipe raw events through aggregate first" \
    "detect names aggregate"
is "$(cat "$T/e.correlate")" \
    "correlate: 3 raw events and no signals read: pipe raw events through aggregate | detect first" \
    "correlate names aggregate | detect"
is "$(cat "$T/e.alert")" \
    "alert: 3 raw events and no signals or alerts read: pipe raw events through aggregate | detect first" \
    "alert names aggregate | detect"

# Forwarded records pass unchanged; the hint comes once, at the end.
run_in "$T/three.jsonl" detect
is_rc 0 "detect with raw events only: exit 0"
same "$OUT" "$T/three.jsonl" "detect forwards the raw events unchanged"
is "$(grep -c 'no windows read' "$ERR")" 1 "the hint comes once"

run_in "$T/windows.jsonl" correlate
is_rc 0 "correlate with windows only: exit 0"
same "$OUT" "$T/windows.jsonl" "correlate forwards the windows"
has "$ERR" "^correlate: [0-9]+ windows and no signals read: pipe windows through detect first$" \
    "correlate given windows names detect"

run_in "$T/signals.jsonl" explain
is_rc 0 "explain with signals only: exit 0"
same "$OUT" "$T/signals.jsonl" "explain forwards the signals"
has "$ERR" "^explain: [0-9]+ signals? and no alerts read: pipe signals through correlate first$" \
    "explain given signals names correlate"

run_in "$T/windows.jsonl" explain
has "$ERR" "^explain: [0-9]+ windows and no alerts read: pipe windows through detect \| correlate first$" \
    "explain given windows names detect | correlate"

run_in "$T/windows.jsonl" alert
is_rc 0 "alert with windows only: exit 0"
has "$ERR" "^alert: [0-9]+ windows and no signals or alerts read: pipe windows through detect first$" \
    "alert given windows names detect"

run_in "$T/windows.jsonl" aggregate
is_rc 0 "aggregate with windows only: exit 0"
same "$OUT" "$T/windows.jsonl" "aggregate forwards the windows"
has "$ERR" "^aggregate: [0-9]+ windows and no raw events read: combine windows with --merge$" \
    "aggregate given windows points at --merge"

grep '"type":"alert"' "$T/alerts.jsonl" >"$T/only-alerts.jsonl"
run_in "$T/only-alerts.jsonl" detect
is_rc 0 "detect with alerts only: exit 0"
has "$ERR" "^detect: [0-9]+ alerts? and no windows read: this stage belongs right after aggregate$" \
    "detect after correlate: out of place"

# Nothing to say: the right order, a quiet pipe (watermarks and no
# signal), detect --tee's windows beside its watermarks, no input at all.
RC=0
aggregate "$T/ev.jsonl" 2>"$T/e1" | detect 2>"$T/e2" | correlate 2>"$T/e3" |
    explain 2>"$T/e4" | alert >"$OUT" 2>"$T/e5" || RC=$?
is_rc 0 "the full pipe: exit 0"
cat "$T/e1" "$T/e2" "$T/e3" "$T/e4" "$T/e5" >"$ERR"
hasnt "$ERR" " read: " "the full pipe: no hint"

inject --seed 3 --hours 0.5 --no-noise --start 2026-11-26T10:00:00Z -o "$T/quiet.jsonl"
RC=0
aggregate "$T/quiet.jsonl" | detect --tee | correlate 2>"$T/e3" |
    explain 2>"$T/e4" | alert >"$OUT" 2>"$T/e5" || RC=$?
is_rc 0 "a quiet pipe: exit 0"
is "$(cat "$T/e3" "$T/e4" "$T/e5")" "" "a quiet pipe, windows teed: no hint"
run detect </dev/null
is "$(cat "$ERR")" "" "no input: no hint"

# Not one usable line: exit 1, for every filter.  An nginx combined log
# given to aggregate is the case of the issue.
for i in 1 2 3; do
	echo '127.0.0.1 - - [26/Nov/2026:14:03:07 +0000] "GET /api/orders/8812 HTTP/1.1" 200 1031 "-" "curl/8.0"'
done >"$T/access.log"
run aggregate "$T/access.log"
is_rc 1 "aggregate on an nginx access log: exit 1"
has "$ERR" "access.log:3: invalid JSON" "every line reported"
has "$ERR" "^aggregate: 3 bad lines skipped of 3 read$" "and summed up"
for tool in detect correlate explain alert; do
	run "$tool" "$T/access.log"
	is_rc 1 "$tool, every line bad: exit 1"
done
echo '{"type":"window"}' >"$T/badwin.jsonl"
run detect "$T/badwin.jsonl"
is_rc 1 "detect, its one window bad: exit 1"

# One usable line among bad ones is a run that worked: exit 0.
{ cat "$T/access.log"; head -n 1 "$T/ev.jsonl"; } >"$T/mixed.jsonl"
run aggregate "$T/mixed.jsonl"
is_rc 0 "aggregate, one good line among bad ones: exit 0"
is "$(jq -s 'map(.count) | add' "$OUT")" 1 "the good line is counted"
{ cat "$T/access.log"; echo '{"type":"note"}'; } >"$T/fwd.jsonl"
run detect "$T/fwd.jsonl"
is_rc 0 "detect, a forwarded record is a usable line: exit 0"
run aggregate "$T/access.log" "$T/three.jsonl"
is_rc 0 "aggregate, a bad file and a good one: exit 0"
run aggregate "$T/missing.jsonl" "$T/access.log"
is_rc 1 "aggregate, a missing file: still exit 1"
done_testing
