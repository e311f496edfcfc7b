#!/bin/sh
# detect: forwarding, --tee, --no-forward, --metric, a fixture with a
# step and its clearing, determinism, usage errors.
. "$(dirname "$0")/lib.sh"

fixture detect-step detect --no-watermark

run_in "$FIX/detect-step.jsonl" detect --no-watermark --metric value --metric latency_ms.p90
is_rc 0 "--metric exits 0"
same "$OUT" "$FIX/detect-step-metric.expected" "--metric value and latency_ms.p90"
has "$OUT" '"metric":"value","detector":"level","direction":"up"' "a plain value gets a level signal"
hasnt "$OUT" '"metric":"value","detector":"(binomial|traffic)"' "and only the generic detectors"

# Forwarding: everything but windows, unchanged and in order.
run_in "$FIX/detect-step.jsonl" detect --no-watermark
grep -v '"type":"signal"' "$OUT" >"$T/fwd"
grep -v '"type":"window"' "$FIX/detect-step.jsonl" >"$T/fwd.want"
same "$T/fwd" "$T/fwd.want" "non-window records are forwarded unchanged and in order"
hasnt "$OUT" '"type":"window"' "windows are consumed"

run_in "$FIX/detect-step.jsonl" detect --no-forward --no-watermark
is_rc 0 "--no-forward exits 0"
is "$(grep -vc '"type":"signal"' "$OUT" || true)" 0 "--no-forward drops other records"

run_in "$FIX/detect-step.jsonl" detect --tee
is "$(grep -c '"type":"window"' "$OUT")" 50 "--tee forwards the 50 windows"
# With --tee every signal follows the window that caused it.
awk '/"type":"window"/ { s = $0; sub(/.*"start":/, "", s); sub(/,.*/, "", s); w = s + 60 }
    /"type":"signal"/ { a = $0; sub(/.*"at":"/, "", a); sub(/".*/, "", a);
	cmd = "date -u -d " a " +%s"; cmd | getline e; close(cmd); if (e != w) bad++ }
    END { exit bad > 0 }' "$OUT"
ok $? "--tee writes a window before the signals it causes"

# Determinism: the same input gives the same bytes.
inject --scenario step --seed 4 --hours 1.5 --start 2026-11-26T10:00:00Z |
    aggregate >"$T/step.win"
detect "$T/step.win" >"$T/a"
detect <"$T/step.win" >"$T/b"
same "$T/a" "$T/b" "same windows, byte-identical signals"
has "$T/a" '"key":"users GET /api/users/\{id\}".*"metric":"latency_p50","detector":"level"' \
    "the injected step is found"

# Signal records carry the DESIGN.md members.
first=$(grep -m1 '"type":"signal"' "$T/a")
for m in type key service method endpoint at metric detector direction value \
    baseline spread score since windows; do
	echo "$first" | grep -q "\"$m\":" ; ok $? "signals have '$m'"
done

# Usage errors exit 2 with the usage on stderr; -h exits 0 on stdout.
for bad in "--bogus" "--level-window 5/3" "--level-window x" "--warmup 0" \
    "--level-z -1" "--metric .a" "--metric a..b" "--err-trim 16" \
    "--err-windows 17" "--learn-rate 2" "--traffic-p nope"; do
	run detect $bad </dev/null
	is_rc 2 "usage error: $bad"
done
run detect --bogus </dev/null
has "$ERR" "^usage: detect" "the usage goes to stderr"
run detect -h
is_rc 0 "-h exits 0"
has "$OUT" "^usage: detect" "-h prints the usage on stdout"
run detect "$T/does-not-exist"
is_rc 1 "a missing file exits 1"
has "$ERR" "does-not-exist" "and is named"
# Watermarks: one per window end, after the signals of the windows that
# end then, so correlate's clock moves on when no signal comes.
run_in "$FIX/detect-step.jsonl" detect
is "$(grep -c '"type":"watermark"' "$OUT")" \
    "$(jq -r 'select(.type == "window") | .start + .width_s' "$FIX/detect-step.jsonl" | sort -u | wc -l | tr -d ' ')" \
    "one watermark per distinct window end"
is "$(jq -r 'select(.type == "watermark") | .at' "$OUT" | sort -c && echo sorted)" sorted \
    "watermarks never go back"
awk -F'"at":"' '/"type":"watermark"/ { split($2, a, "\""); wm = a[1] }
    /"type":"signal"/ { split($2, a, "\""); if (a[1] <= wm) bad++ }
    END { exit bad > 0 }' "$OUT"
ok $? "no signal comes after a watermark at or past its own time"
grep -v '"type":"watermark"' "$OUT" >"$T/nowm"
run_in "$FIX/detect-step.jsonl" detect --no-watermark
same "$OUT" "$T/nowm" "--no-watermark writes the same without them"
done_testing
