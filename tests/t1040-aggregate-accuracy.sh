#!/bin/sh
# aggregate: every percentile of every window is within the sketch's
# stated relative error (0.5%) of the exact nearest-rank value computed
# from the raw events, and count, errors, mean and max are exact.
. "$(dirname "$0")/lib.sh"

inject --seed 11 --hours 0.5 --start 2026-11-26T10:00:00Z --scenario tail \
    --degrade-at 10m -o "$T/events.jsonl"
run aggregate "$T/events.jsonl"
is_rc 0 "aggregate over half an hour of inject traffic"
mv "$OUT" "$T/windows.jsonl"

# The exact statistics, per key and minute, straight from the events.
jq -n -c '
    def norm: sub("[?#].*$"; "") | gsub("/[0-9]+(?=/|$)"; "/{id}")
        | gsub("/[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}(?=/|$)"; "/{id}")
        | gsub("/[0-9a-fA-F]{16,}(?=/|$)"; "/{id}");
    def nearest(q): . as $s | ($s | length) as $n |
        ((q * $n) | ceil) as $r | $s[(if $r < 1 then 0 else $r - 1 end)];
    [inputs | .endpoint |= norm] | group_by([.service, .method, .endpoint,
        .timestamp[0:16]])[] |
    (map(.latency_ms) | sort) as $l |
    {key: "\(.[0].service) \(.[0].method) \(.[0].endpoint)",
     start: (.[0].timestamp[0:16] + ":00.000Z"),
     count: length, errors: map(select(.status_code >= 500)) | length,
     mean: (($l | add) / ($l | length)), max: $l[-1],
     p50: ($l | nearest(0.5)), p90: ($l | nearest(0.9)),
     p95: ($l | nearest(0.95)), p99: ($l | nearest(0.99))}' \
    "$T/events.jsonl" >"$T/exact.jsonl"

# Join the two and measure the worst relative error of each statistic.
jq -n -r --slurpfile exact "$T/exact.jsonl" '
    def rel(a; b): if b == 0 then (a - b | fabs) else ((a - b) / b | fabs) end;
    ($exact | map({key: "\(.key)|\(.start)", value: .}) | from_entries) as $x |
    [inputs | select(.count > 0) | . as $w | $x["\(.key)|\(.start)"] as $e |
     if $e == null then {missing: 1} else
     {missing: 0, n: 1, count: (if $e.count == $w.count and $e.errors == $w.errors then 0 else 1 end),
      mean: rel($w.latency_ms.mean; $e.mean), max: rel($w.latency_ms.max; $e.max),
      p: ([rel($w.latency_ms.p50; $e.p50), rel($w.latency_ms.p90; $e.p90),
           rel($w.latency_ms.p95; $e.p95), rel($w.latency_ms.p99; $e.p99)] | max)} end] |
    "\(map(.missing) | add) \(map(.n // 0) | add) \(map(.count // 0) | add) \(map(.mean // 0) | max) \(map(.max // 0) | max) \(map(.p // 0) | max)"' \
    "$T/windows.jsonl" >"$T/errors"
read -r missing windows badcounts mean max p <"$T/errors"
diag "windows compared: $windows; worst relative error: mean $mean, max $max, percentiles $p"
is "$missing" 0 "every window has an exact counterpart"
ok "$([ "$windows" -ge 300 ] && echo 0 || echo 1)" "hundreds of windows compared ($windows)"
is "$badcounts" 0 "count and errors are exact in every window"
# 6 significant digits in the output: 5e-6 of rounding on top of the bound.
ok "$(awk -v e="$mean" 'BEGIN { exit !(e <= 5e-6) }'; echo $?)" "mean is exact to the printed digits ($mean)"
ok "$(awk -v e="$max" 'BEGIN { exit !(e <= 5e-6) }'; echo $?)" "max is exact to the printed digits ($max)"
ok "$(awk -v e="$p" 'BEGIN { exit !(e <= 0.005 + 5e-6) }'; echo $?)" \
    "p50, p90, p95 and p99 are within 0.5% of exact ($p)"
done_testing
